//! Signed checkpoints: the size and Merkle root of the journal at a moment, signed with the venue's
//! Ed25519 key. A client that keeps checkpoints can demand an inclusion proof for its entry and a
//! consistency proof between two checkpoints, and so check that its fill is in the log and that
//! the log was only ever appended to.
//!
//! The signed message is four lines of text:
//! `augury-journal-checkpoint/v1`, the size, the root in hex, the time in milliseconds.

use crate::merkle::Hash;
use crate::{hex, unhex, JournalError};
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";

/// When to sign a checkpoint: after this many entries, or this long after the last one, whichever
/// comes first (checked at each commit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointPolicy {
    pub every_entries: u64,
    pub every_ms: u64,
}

impl Default for CheckpointPolicy {
    fn default() -> CheckpointPolicy {
        CheckpointPolicy { every_entries: 10_000, every_ms: 1_000 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub size: u64,
    pub root_hex: String,
    pub timestamp_ms: u64,
    /// The Ed25519 public key that signed, hex.
    pub public_key_hex: String,
    /// The signature over `body()`, base64.
    pub signature_b64: String,
}

impl Checkpoint {
    pub fn body_for(size: u64, root: &Hash, timestamp_ms: u64) -> String {
        format!("augury-journal-checkpoint/v1\n{size}\n{}\n{timestamp_ms}\n", hex(root))
    }

    pub fn body(&self) -> String {
        format!("augury-journal-checkpoint/v1\n{}\n{}\n{}\n", self.size, self.root_hex, self.timestamp_ms)
    }

    pub fn sign(key: &SigningKey, size: u64, root: &Hash, timestamp_ms: u64) -> Checkpoint {
        let signature = key.sign(Checkpoint::body_for(size, root, timestamp_ms).as_bytes());
        Checkpoint {
            size,
            root_hex: hex(root),
            timestamp_ms,
            public_key_hex: hex(key.verifying_key().as_bytes()),
            signature_b64: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        }
    }

    pub fn root(&self) -> Option<Hash> {
        unhex(&self.root_hex)?.try_into().ok()
    }

    /// Whether `public` signed exactly this checkpoint (strict verification: no malleable forms).
    pub fn verify(&self, public: &VerifyingKey) -> bool {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&self.signature_b64) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        self.root().is_some() && public.verify_strict(self.body().as_bytes(), &signature).is_ok()
    }
}

/// Every checkpoint in the journal directory, oldest first.
pub fn load_checkpoints(journal_dir: &Path) -> Result<Vec<Checkpoint>, JournalError> {
    let path = journal_dir.join(CHECKPOINTS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(JournalError::io(&path, e)),
    };
    let mut checkpoints = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(checkpoint) => checkpoints.push(checkpoint),
            // A torn last line is what a crash mid-append leaves; anything else is damage.
            Err(_) if number + 1 == text.lines().count() && !text.ends_with('\n') => break,
            Err(e) => {
                return Err(JournalError::Invalid(format!("{} line {}: {e}", path.display(), number + 1)));
            }
        }
    }
    Ok(checkpoints)
}

pub(crate) fn append_checkpoint(journal_dir: &Path, checkpoint: &Checkpoint) -> Result<(), JournalError> {
    let path = journal_dir.join(CHECKPOINTS_FILE);
    let mut line = serde_json::to_string(checkpoint).expect("a checkpoint serializes");
    line.push('\n');
    let mut file =
        std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| JournalError::io(&path, e))?;
    file.write_all(line.as_bytes()).map_err(|e| JournalError::io(&path, e))?;
    file.sync_data().map_err(|e| JournalError::io(&path, e))
}

/// Loads the venue's signing key (32-byte seed, hex) from `path`, creating it (readable by the
/// owner only) if it does not exist. The public half is written beside it as `<path>.pub`.
pub fn load_or_create_signing_key(path: &Path) -> Result<SigningKey, JournalError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let seed: [u8; 32] = unhex(&text).and_then(|b| b.try_into().ok()).ok_or_else(|| {
                JournalError::Invalid(format!("{} must hold an Ed25519 seed as 64 hex characters", path.display()))
            })?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::getrandom(&mut seed)
                .map_err(|e| JournalError::Invalid(format!("no randomness for a signing key: {e}")))?;
            let key = SigningKey::from_bytes(&seed);
            write_private(path, &hex(&seed))?;
            let public_path = path.with_extension("pub");
            std::fs::write(&public_path, format!("{}\n", hex(key.verifying_key().as_bytes())))
                .map_err(|e| JournalError::io(&public_path, e))?;
            Ok(key)
        }
        Err(e) => Err(JournalError::io(path, e)),
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), JournalError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| JournalError::io(path, e))?;
    file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| JournalError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_as_signed() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let root = crate::merkle::leaf_hash(0, b"x");
        let checkpoint = Checkpoint::sign(&key, 12, &root, 1_700_000_000_000);
        assert!(checkpoint.verify(&key.verifying_key()));
        let mut forged = checkpoint.clone();
        forged.size = 13;
        assert!(!forged.verify(&key.verifying_key()));
        let other = SigningKey::from_bytes(&[8u8; 32]);
        assert!(!checkpoint.verify(&other.verifying_key()));
    }
}
