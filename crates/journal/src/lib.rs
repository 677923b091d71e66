//! Augury's journal: the venue's source of truth.
//!
//! Entries are opaque byte payloads (the sequencer puts a command and its events in each), appended
//! to segment files under a directory. Every entry is framed with its length and a CRC32C, carries
//! its index, and is chained to the one before it by SHA-256, so a changed, removed or reordered
//! entry is detected. Appends are buffered and made durable together by `commit` (group commit:
//! one write and one `fdatasync` for many entries); nothing may be acknowledged before the commit
//! that carries it returns.
//!
//! On top of the chain, the entries are the leaves of an RFC 6962 Merkle tree (`merkle`), whose
//! root is signed periodically with the venue's Ed25519 key (`checkpoint`), so anyone holding the
//! venue's public key can check that an entry is in the log and that the log only grew.
//! Payloads can be encrypted at rest with XChaCha20-Poly1305 (`crypt`).
//!
//! Layout of a data directory's `journal/` folder:
//! - `seg-<first index, 20 digits>.log`: segments; see `segment` for the byte layout;
//! - `merkle-leaves.bin`: the leaf hashes, 32 bytes each (derived; rebuilt from segments);
//! - `checkpoints.jsonl`: signed checkpoints, one JSON object a line.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod checkpoint;
pub mod crypt;
pub mod merkle;
mod scan;
pub mod segment;
mod writer;

pub use checkpoint::{Checkpoint, CheckpointPolicy};
pub use crypt::{EncryptionKey, KeySource};
pub use merkle::Hash;
pub use scan::{read_committed_entry, verify, Recovery, TornTail, VerifyReport};
pub use writer::{Durability, Journal, JournalOptions};

use std::path::PathBuf;

/// Receives each entry (index, payload, chain value after it) in order during recovery; an error stops the scan.
pub type Visitor<'a> = dyn FnMut(u64, &[u8], &Hash) -> Result<(), JournalError> + 'a;

/// What can go wrong with a journal. Corruption names the file, the byte offset and the entry.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("corrupt journal: {segment}, offset {offset}, entry {entry}: {reason}")]
    Corrupt { segment: PathBuf, offset: u64, entry: u64, reason: String },
    #[error("the journal at {0} is encrypted: supply its key (--journal-key-file FILE or AUGURY_JOURNAL_KEY)")]
    KeyRequired(PathBuf),
    #[error("the journal key does not match the key {0} was written with")]
    WrongKey(PathBuf),
    #[error("{0}")]
    Invalid(String),
    /// The caller's visitor refused an entry during recovery (for example, replay failed).
    #[error("entry {entry}: {reason}")]
    Refused { entry: u64, reason: String },
    #[error("the journal stopped after a failed write and accepts nothing more; restart to recover: {0}")]
    Poisoned(String),
}

impl JournalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> JournalError {
        JournalError::Io { path: path.into(), source }
    }
}

/// The hash the chain starts from, before entry 0.
pub fn genesis_chain() -> Hash {
    use sha2::{Digest, Sha256};
    Sha256::digest(b"augury-journal-genesis-v1").into()
}

/// The chain value after an entry: SHA-256 of the previous chain value and the entry's leaf hash.
pub fn next_chain(previous: &Hash, leaf: &Hash) -> Hash {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(previous);
    h.update(leaf);
    h.finalize().into()
}

/// Lowercase hex, for messages and JSON.
pub fn hex(bytes: &[u8]) -> String {
    // One allocation: this runs on every signed request (the body's hash) and every checkpoint.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    text
}

/// Parses lowercase or uppercase hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// The leaf hashes of the first `size` entries, from the derived leaf file.
pub fn read_leaves(journal_dir: &std::path::Path, size: u64) -> Result<Vec<Hash>, JournalError> {
    let path = journal_dir.join(scan::LEAVES_FILE);
    let bytes = std::fs::read(&path).map_err(|e| JournalError::io(&path, e))?;
    if (bytes.len() as u64) < size * 32 {
        return Err(JournalError::Invalid(format!(
            "the journal holds {} entries, fewer than {size}",
            bytes.len() / 32
        )));
    }
    let size = usize::try_from(size).expect("fewer entries than were just read");
    Ok(bytes[..size * 32].chunks_exact(32).map(|c| c.try_into().expect("32 bytes")).collect())
}

/// Reads one entry's payload (verifying its frame and, when encrypted, its seal).
pub fn read_entry(
    journal_dir: &std::path::Path,
    key: Option<&EncryptionKey>,
    index: u64,
) -> Result<Vec<u8>, JournalError> {
    let mut found = None;
    // A full verified scan: simple, and proofs are rare next to trading.
    scan::scan(journal_dir, key, scan::Mode::Verify, &mut |i, payload, _| {
        if i == index {
            found = Some(payload.to_vec());
        }
        Ok(())
    })?;
    found.ok_or_else(|| JournalError::Invalid(format!("the journal has no entry {index}")))
}

#[cfg(test)]
mod tests {
    use super::{hex, unhex};

    #[test]
    fn hex_is_lowercase_two_digits_per_byte_and_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        let text = hex(&bytes);
        assert_eq!(text.len(), 512);
        assert_eq!(&text[..6], "000102");
        assert_eq!(&text[text.len() - 4..], "feff");
        assert_eq!(text, bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        assert_eq!(unhex(&text).as_deref(), Some(&bytes[..]));
    }
}
