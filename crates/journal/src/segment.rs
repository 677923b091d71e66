//! The byte layout of a segment file.
//!
//! ```text
//! header (32 bytes):
//!   magic        8  b"AUGJRNL\x01"
//!   flags        4  u32 LE; bit 0 = payloads encrypted
//!   header_crc   4  CRC32C of the 32 header bytes with this field zeroed
//!   first_index  8  u64 LE; index of the segment's first entry
//!   key_check    8  first 8 bytes of SHA-256("augury-key-check" || key); zero when unencrypted
//! frames, back to back:
//!   body_len     4  u32 LE; length of the body
//!   body_crc     4  CRC32C of the body
//!   body:
//!     index      8  u64 LE
//!     chain     32  the chain value after this entry
//!     payload    *  the payload (when encrypted: nonce 24 || ciphertext || tag 16)
//! ```

use std::path::{Path, PathBuf};

pub const MAGIC: [u8; 8] = *b"AUGJRNL\x01";
pub const HEADER_LEN: usize = 32;
pub const FRAME_PREFIX_LEN: usize = 8;
pub const BODY_FIXED_LEN: usize = 8 + 32;
/// The largest body a frame may have; anything larger is corruption.
pub const BODY_LEN_MAX: usize = 64 << 20;
pub const FLAG_ENCRYPTED: u32 = 1;

pub fn segment_name(first_index: u64) -> String {
    format!("seg-{first_index:020}.log")
}

pub fn parse_segment_name(name: &str) -> Option<u64> {
    name.strip_prefix("seg-")?.strip_suffix(".log")?.parse().ok()
}

/// The segments in a journal directory, in order of their first index.
pub fn list_segments(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut segments = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Some(first) = entry.file_name().to_str().and_then(parse_segment_name) {
            segments.push((first, entry.path()));
        }
    }
    segments.sort();
    Ok(segments)
}

pub fn encode_header(first_index: u64, encrypted: bool, key_check: [u8; 8]) -> [u8; HEADER_LEN] {
    let mut header = [0u8; HEADER_LEN];
    header[0..8].copy_from_slice(&MAGIC);
    header[8..12].copy_from_slice(&(if encrypted { FLAG_ENCRYPTED } else { 0 }).to_le_bytes());
    header[16..24].copy_from_slice(&first_index.to_le_bytes());
    header[24..32].copy_from_slice(&key_check);
    let crc = crc32c::crc32c(&header);
    header[12..16].copy_from_slice(&crc.to_le_bytes());
    header
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub encrypted: bool,
    pub first_index: u64,
    pub key_check: [u8; 8],
}

pub fn decode_header(bytes: &[u8]) -> Result<Header, &'static str> {
    if bytes.len() < HEADER_LEN {
        return Err("the segment header is incomplete");
    }
    if bytes[0..8] != MAGIC {
        return Err("the segment does not start with the journal magic");
    }
    let mut zeroed = [0u8; HEADER_LEN];
    zeroed.copy_from_slice(&bytes[..HEADER_LEN]);
    zeroed[12..16].fill(0);
    let stored_crc = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes"));
    if crc32c::crc32c(&zeroed) != stored_crc {
        return Err("the segment header fails its CRC");
    }
    let flags = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if flags & !FLAG_ENCRYPTED != 0 {
        return Err("the segment header has unknown flags");
    }
    Ok(Header {
        encrypted: flags & FLAG_ENCRYPTED != 0,
        first_index: u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes")),
        key_check: bytes[24..32].try_into().expect("8 bytes"),
    })
}
