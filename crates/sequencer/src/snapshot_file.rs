//! Snapshot files: the engine state after the first `entries` journal entries, tied to the
//! journal by the chain value after entry `entries - 1`, so a snapshot from another journal (or a
//! rewritten one) is never used.
//!
//! ```text
//! magic 8 "AUGSNAP3" | entries u64 | chain 32 | encrypted u8 | payload_len u64 | crc32c u32 | payload
//! ```
//! The payload is the postcard-encoded `VenueSnapshot` (engine and registry), sealed with the journal key when the
//! journal is encrypted. Files are written to a temporary name, synced, and renamed.

use crate::VenueSnapshot;
use augury_journal::{EncryptionKey, Hash};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"AUGSNAP3";
const HEADER_LEN: usize = 8 + 8 + 32 + 1 + 8 + 4;
/// Snapshots kept; older ones are deleted after a new one is written.
const KEEP: usize = 3;

pub struct LoadedSnapshot {
    pub entries: u64,
    pub chain: Hash,
    pub snapshot: VenueSnapshot,
}

fn file_name(entries: u64) -> String {
    format!("snap-{entries:020}.bin")
}

/// Snapshot files in `dir`, newest first.
pub fn list(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name();
                let parsed = name.to_str().and_then(|n| n.strip_prefix("snap-")?.strip_suffix(".bin")?.parse().ok());
                if let Some(entries) = parsed {
                    found.push((entries, entry.path()));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    found.sort_by(|a, b| b.cmp(a));
    Ok(found)
}

pub fn write(
    dir: &Path,
    entries: u64,
    chain: &Hash,
    snapshot: &VenueSnapshot,
    key: Option<&EncryptionKey>,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let plain = postcard::to_allocvec(snapshot).map_err(std::io::Error::other)?;
    let payload = match key {
        Some(key) => {
            let mut sealed = Vec::with_capacity(plain.len() + 40);
            key.seal(entries, &plain, &mut sealed).map_err(std::io::Error::other)?;
            sealed
        }
        None => plain,
    };
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&entries.to_le_bytes());
    bytes.extend_from_slice(chain);
    bytes.push(u8::from(key.is_some()));
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32c::crc32c(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);

    let path = dir.join(file_name(entries));
    let temporary = dir.join(format!("{}.tmp", file_name(entries)));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, &path)?;
    std::fs::File::open(dir)?.sync_all()?;
    for (_, old) in list(dir)?.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
    Ok(path)
}

/// Reads and checks one snapshot file.
pub fn read(path: &Path, key: Option<&EncryptionKey>) -> Result<LoadedSnapshot, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err("not a snapshot file".into());
    }
    let entries = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    let chain: Hash = bytes[16..48].try_into().expect("32 bytes");
    let encrypted = bytes[48] == 1;
    let len = u64::from_le_bytes(bytes[49..57].try_into().expect("8 bytes")) as usize;
    let crc = u32::from_le_bytes(bytes[57..61].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER_LEN..];
    if payload.len() != len || crc32c::crc32c(payload) != crc {
        return Err("the snapshot is truncated or fails its CRC".into());
    }
    let plain = match (encrypted, key) {
        (true, Some(key)) => key.open(entries, payload).ok_or("the snapshot does not open with the journal key")?,
        (true, None) => return Err("the snapshot is encrypted and no key was given".into()),
        (false, Some(_)) => return Err("the snapshot is not encrypted but the journal is".into()),
        (false, None) => payload.to_vec(),
    };
    let snapshot = postcard::from_bytes(&plain).map_err(|e| format!("undecodable snapshot: {e}"))?;
    Ok(LoadedSnapshot { entries, chain, snapshot })
}
