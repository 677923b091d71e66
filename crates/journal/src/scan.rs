//! Reading a journal back: recovery at startup (verify everything, replay every entry to a
//! visitor, truncate a torn tail) and `verify` (the same checks, read-only, with a report).
//!
//! Rules:
//! - a frame that fails its length or CRC check in the **last** segment, with no intact frame
//!   after it, is a torn write from a crash: it was never acknowledged, so it is cut off (and
//!   logged by the caller);
//! - zeros from the end of the last frame to the end of the last segment are space the writer
//!   preallocated: the clean end, not damage (only the last segment can have them: the writer
//!   trims a segment, durably, before it creates the next);
//! - any other failure (a closed segment, a broken hash chain, a wrong index, an intact frame after
//!   a bad one, a checkpoint beyond the end or with the wrong root) stops everything with an error
//!   that names the segment, the byte offset and the entry.

use crate::checkpoint::{load_checkpoints, Checkpoint};
use crate::crypt::EncryptionKey;
use crate::merkle::{leaf_hash, Frontier, Hash};
use crate::segment::{self, decode_header, BODY_FIXED_LEN, BODY_LEN_MAX, FRAME_PREFIX_LEN, HEADER_LEN};
use crate::{genesis_chain, next_chain, JournalError};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const LEAVES_FILE: &str = "merkle-leaves.bin";

/// Bytes cut off the end of the last segment at startup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    pub segment: PathBuf,
    pub offset: u64,
    pub bytes: u64,
}

/// What startup found.
#[derive(Clone, Debug)]
pub struct Recovery {
    pub entries: u64,
    pub segments: usize,
    pub torn_tail: Option<TornTail>,
    pub checkpoints: usize,
    /// Whether the derived leaf-hash file had to be rebuilt.
    pub leaves_rebuilt: bool,
}

/// What `verify` found (when it finds nothing wrong).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub segments: usize,
    pub bytes: u64,
    pub checkpoints_verified: usize,
    pub root_hex: String,
    /// A torn tail that the next startup will cut off (not an error: it was never acknowledged).
    pub torn_tail: Option<TornTail>,
    /// The derived leaf-hash file is out of date; the next startup rebuilds it.
    pub leaves_stale: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Recover,
    Verify,
}

/// The state at the end of a scan, from which a writer continues.
pub(crate) struct ScanEnd {
    pub entries: u64,
    pub chain: Hash,
    pub frontier: Frontier,
    /// The last segment's first index, path and the length of its intact part.
    pub last_segment: Option<(u64, PathBuf, u64, bool)>,
    pub recovery: Recovery,
    pub root_hex: String,
    pub bytes: u64,
    pub checkpoints_verified: usize,
    pub leaves_stale: bool,
}

/// Frame problems that may be a torn write (only ever excused at the end of the last segment).
enum Damage {
    Incomplete,
    BadLength(usize),
    BadCrc,
}

impl Damage {
    fn describe(&self) -> String {
        match self {
            Damage::Incomplete => "the frame is cut short".into(),
            Damage::BadLength(len) => format!("the frame length {len} is impossible"),
            Damage::BadCrc => "the frame fails its CRC32C".into(),
        }
    }
}

/// Checks the frame at `offset`: Ok((body range end)) when its length and CRC are sound.
fn check_frame(bytes: &[u8], offset: usize) -> Result<usize, Damage> {
    if bytes.len() - offset < FRAME_PREFIX_LEN {
        return Err(Damage::Incomplete);
    }
    let len = u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes")) as usize;
    if !(BODY_FIXED_LEN..=BODY_LEN_MAX).contains(&len) {
        return Err(Damage::BadLength(len));
    }
    let start = offset + FRAME_PREFIX_LEN;
    if bytes.len() - start < len {
        return Err(Damage::Incomplete);
    }
    let crc = u32::from_le_bytes(bytes[offset + 4..offset + 8].try_into().expect("4 bytes"));
    if crc32c::crc32c(&bytes[start..start + len]) != crc {
        return Err(Damage::BadCrc);
    }
    Ok(start + len)
}

/// One committed entry's payload (decrypted), found by walking the frames of the segment that
/// holds it: no chain check and no scan of the other segments, so a running venue can answer a
/// proof request cheaply while it writes. Safe beside the writer: entries below the journal's
/// committed size are whole on disk, and each frame's CRC is still checked. The Merkle proof that
/// goes with the payload is what ties it to the signed journal.
pub fn read_committed_entry(dir: &Path, key: Option<&EncryptionKey>, index: u64) -> Result<Vec<u8>, JournalError> {
    let segments = crate::segment::list_segments(dir).map_err(|e| JournalError::io(dir, e))?;
    let (first, path) = segments
        .iter()
        .rev()
        .find(|(first, _)| *first <= index)
        .ok_or_else(|| JournalError::Invalid(format!("the journal has no entry {index}")))?;
    let bytes = std::fs::read(path).map_err(|e| JournalError::io(path, e))?;
    let mut offset = crate::segment::HEADER_LEN;
    let mut at = *first;
    while offset < bytes.len() {
        let end = check_frame(&bytes, offset).map_err(|damage| {
            JournalError::Invalid(format!("entry {at} in {}: {}", path.display(), damage.describe()))
        })?;
        let body = offset + FRAME_PREFIX_LEN;
        let stored_index = u64::from_le_bytes(bytes[body..body + 8].try_into().expect("8 bytes"));
        if stored_index != at {
            return Err(JournalError::Invalid(format!(
                "{} holds entry {stored_index} where {at} belongs",
                path.display()
            )));
        }
        if at == index {
            let payload = &bytes[body + BODY_FIXED_LEN..end];
            return match key {
                Some(key) => key
                    .open(index, payload)
                    .ok_or_else(|| JournalError::Invalid(format!("entry {index} does not open with the journal key"))),
                None => Ok(payload.to_vec()),
            };
        }
        offset = end;
        at += 1;
    }
    Err(JournalError::Invalid(format!("the journal has no entry {index} yet")))
}

/// Whether an intact frame for a later entry starts anywhere after `offset`: if one does, the
/// damage at `offset` is not a torn tail.
fn intact_frame_after(bytes: &[u8], offset: usize, expected_index: u64) -> bool {
    (offset + 1..bytes.len().saturating_sub(FRAME_PREFIX_LEN + BODY_FIXED_LEN - 1)).any(|at| {
        let index_at = at + FRAME_PREFIX_LEN;
        let index = u64::from_le_bytes(bytes[index_at..index_at + 8].try_into().expect("8 bytes"));
        index >= expected_index && index - expected_index < bytes.len() as u64 && check_frame(bytes, at).is_ok()
    })
}

/// Frames checked together; bounds the memory held for decrypted payloads.
const CHECK_BATCH: usize = 1 << 15;

/// A frame whose index, payload and chain value check out.
struct CheckedFrame {
    leaf: Hash,
    /// Where the stored payload lies, or the decrypted payload.
    payload: Payload,
    chain_at: usize,
}

enum Payload {
    Stored(std::ops::Range<usize>),
    Opened(Vec<u8>),
}

impl CheckedFrame {
    fn payload_and_chain<'a>(&'a self, bytes: &'a [u8]) -> (&'a [u8], Hash) {
        let payload = match &self.payload {
            Payload::Stored(range) => &bytes[range.clone()],
            Payload::Opened(opened) => &opened[..],
        };
        (payload, bytes[self.chain_at..self.chain_at + 32].try_into().expect("32 bytes"))
    }
}

/// Checks one frame given the chain value before it. The chain can be checked out of order
/// because every frame stores its chain value: frame i is checked against the value stored in
/// frame i-1, which frame i-1's own check ties to everything before it.
fn check_one_frame(
    bytes: &[u8],
    (offset, end): (usize, usize),
    index: u64,
    previous_chain: &Hash,
    key: Option<&EncryptionKey>,
) -> Result<CheckedFrame, String> {
    let body_at = offset + FRAME_PREFIX_LEN;
    let stored_index = u64::from_le_bytes(bytes[body_at..body_at + 8].try_into().expect("8 bytes"));
    if stored_index != index {
        return Err(format!("the frame holds entry {stored_index} where entry {index} belongs"));
    }
    let chain_at = body_at + 8;
    let payload_range = chain_at + 32..end;
    let payload = match key {
        Some(key) => Payload::Opened(
            key.open(index, &bytes[payload_range])
                .ok_or_else(|| "the payload fails authentication (altered, or sealed under another key)".to_string())?,
        ),
        None => Payload::Stored(payload_range),
    };
    let leaf = leaf_hash(
        index,
        match &payload {
            Payload::Stored(range) => &bytes[range.clone()],
            Payload::Opened(opened) => opened,
        },
    );
    if next_chain(previous_chain, &leaf)[..] != bytes[chain_at..chain_at + 32] {
        return Err("the hash chain is broken: this entry or one before it was altered".into());
    }
    Ok(CheckedFrame { leaf, payload, chain_at })
}

/// Checks a run of consecutive frames, the first holding `first_index` and following `chain`,
/// on up to four threads (hashing is most of the cost of a replay). Results come back in order.
fn check_frames_parallel(
    bytes: &[u8],
    frames: &[(usize, usize)],
    first_index: u64,
    chain: &Hash,
    key: Option<&EncryptionKey>,
) -> Vec<Result<CheckedFrame, String>> {
    let check_run = |start: usize, run: &[(usize, usize)]| -> Vec<Result<CheckedFrame, String>> {
        run.iter()
            .enumerate()
            .map(|(k, &frame)| {
                let at = start + k;
                let previous = if at == 0 {
                    *chain
                } else {
                    let (before, _) = frames[at - 1];
                    let chain_at = before + FRAME_PREFIX_LEN + 8;
                    bytes[chain_at..chain_at + 32].try_into().expect("32 bytes")
                };
                check_one_frame(bytes, frame, first_index + at as u64, &previous, key)
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if threads == 1 || frames.len() < 1024 {
        return check_run(0, frames);
    }
    let per_thread = frames.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = frames
            .chunks(per_thread)
            .enumerate()
            .map(|(n, run)| {
                let check_run = &check_run;
                scope.spawn(move || check_run(n * per_thread, run))
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a frame-checking thread panicked")).collect()
    })
}

/// Compares computed leaf hashes with the derived leaf file, rewriting it from the first
/// difference (recovery) or just noting the difference (verify).
struct LeafFile {
    path: PathBuf,
    mode: Mode,
    reader: Option<BufReader<std::fs::File>>,
    writer: Option<BufWriter<std::fs::File>>,
    position: u64,
    stale: bool,
}

impl LeafFile {
    fn open(dir: &Path, mode: Mode) -> Result<LeafFile, JournalError> {
        let path = dir.join(LEAVES_FILE);
        let reader = match std::fs::File::open(&path) {
            Ok(file) => Some(BufReader::with_capacity(1 << 16, file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(JournalError::io(&path, e)),
        };
        Ok(LeafFile { path, mode, reader, writer: None, position: 0, stale: false })
    }

    fn push(&mut self, leaf: &Hash) -> Result<(), JournalError> {
        if let Some(writer) = &mut self.writer {
            writer.write_all(leaf).map_err(|e| JournalError::io(&self.path, e))?;
        } else if !self.stale {
            let mut stored = [0u8; 32];
            let matches = self.reader.as_mut().is_some_and(|r| r.read_exact(&mut stored).is_ok()) && stored == *leaf;
            if !matches {
                self.stale = true;
                if self.mode == Mode::Recover {
                    let mut file = std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&self.path)
                        .map_err(|e| JournalError::io(&self.path, e))?;
                    file.set_len(self.position * 32).map_err(|e| JournalError::io(&self.path, e))?;
                    file.seek(SeekFrom::End(0)).map_err(|e| JournalError::io(&self.path, e))?;
                    let mut writer = BufWriter::with_capacity(1 << 16, file);
                    writer.write_all(leaf).map_err(|e| JournalError::io(&self.path, e))?;
                    self.writer = Some(writer);
                    self.reader = None;
                }
            }
        }
        self.position += 1;
        Ok(())
    }

    /// Finishes: in recovery, cuts off leaves beyond the journal's end.
    fn finish(mut self) -> Result<bool, JournalError> {
        if let Some(mut writer) = self.writer.take() {
            writer.flush().map_err(|e| JournalError::io(&self.path, e))?;
            return Ok(true);
        }
        let extra = self.reader.as_mut().is_some_and(|r| r.read(&mut [0u8; 1]).is_ok_and(|n| n > 0));
        if extra {
            self.stale = true;
            if self.mode == Mode::Recover {
                let file = std::fs::OpenOptions::new().write(true).open(&self.path);
                file.and_then(|f| f.set_len(self.position * 32)).map_err(|e| JournalError::io(&self.path, e))?;
            }
        }
        Ok(self.stale)
    }
}

/// Scans the whole journal in `dir`, calling `visit(index, payload)` for every entry in order.
pub(crate) fn scan(
    dir: &Path,
    key: Option<&EncryptionKey>,
    mode: Mode,
    visit: &mut crate::Visitor<'_>,
) -> Result<ScanEnd, JournalError> {
    let segments = segment::list_segments(dir).map_err(|e| JournalError::io(dir, e))?;
    let checkpoints = load_checkpoints(dir)?;
    let mut next_checkpoint = 0usize;
    let mut checkpoints_verified = 0usize;
    let mut leaves = LeafFile::open(dir, mode)?;
    let mut chain = genesis_chain();
    let mut frontier = Frontier::default();
    let mut index = 0u64;
    let mut torn_tail = None;
    let mut last_segment = None;
    let mut total_bytes = 0u64;

    let check_checkpoints = |frontier: &Frontier, next: &mut usize, verified: &mut usize| -> Result<(), String> {
        while let Some(checkpoint) = checkpoints.get(*next) {
            if checkpoint.size > frontier.size() {
                break;
            }
            if checkpoint.size == frontier.size() {
                verify_checkpoint(checkpoint, &frontier.root())?;
                *verified += 1;
            }
            // A checkpoint below the current size was passed without a match: sizes must
            // increase, so it is out of order.
            else {
                return Err(format!("checkpoint for size {} is out of order", checkpoint.size));
            }
            *next += 1;
        }
        Ok(())
    };
    check_checkpoints(&frontier, &mut next_checkpoint, &mut checkpoints_verified)
        .map_err(|reason| JournalError::Corrupt { segment: dir.to_path_buf(), offset: 0, entry: 0, reason })?;

    for (position, (first_index, path)) in segments.iter().enumerate() {
        let is_last = position + 1 == segments.len();
        let bytes = std::fs::read(path).map_err(|e| JournalError::io(path, e))?;
        total_bytes += bytes.len() as u64;
        let corrupt = |offset: usize, entry: u64, reason: String| JournalError::Corrupt {
            segment: path.clone(),
            offset: offset as u64,
            entry,
            reason,
        };
        let header = decode_header(&bytes).map_err(|reason| corrupt(0, index, reason.into()))?;
        if header.first_index != *first_index || header.first_index != index {
            return Err(corrupt(
                0,
                index,
                format!("the segment starts at entry {} but entry {index} comes next", header.first_index),
            ));
        }
        match (header.encrypted, key) {
            (true, None) => return Err(JournalError::KeyRequired(path.clone())),
            (true, Some(key)) if key.key_check() != header.key_check => {
                return Err(JournalError::WrongKey(path.clone()))
            }
            (false, Some(_)) => {
                return Err(JournalError::Invalid(format!(
                    "{} is not encrypted but a journal key was given; remove the key or start a new data directory",
                    path.display()
                )))
            }
            _ => {}
        }

        // Walk the frames (length and CRC) to find where each one lies and where damage begins.
        let mut frames = Vec::new();
        let mut offset = HEADER_LEN;
        let mut damage = None;
        while offset < bytes.len() {
            match check_frame(&bytes, offset) {
                Ok(end) => {
                    frames.push((offset, end));
                    offset = end;
                }
                Err(found) => {
                    damage = Some((offset, found));
                    break;
                }
            }
        }
        // Check the intact frames (index, decryption, leaf and chain hashes) in parallel, then apply
        // them in order: leaf file, Merkle frontier, visitor, checkpoints.
        for batch in frames.chunks(CHECK_BATCH) {
            let checked = check_frames_parallel(&bytes, batch, index, &chain, key);
            for (&(offset, _), outcome) in batch.iter().zip(checked) {
                let checked = outcome.map_err(|reason| corrupt(offset, index, reason))?;
                let (payload, stored_chain) = checked.payload_and_chain(&bytes);
                leaves.push(&checked.leaf)?;
                frontier.push(checked.leaf);
                chain = stored_chain;
                visit(index, payload, &chain)?;
                index += 1;
                check_checkpoints(&frontier, &mut next_checkpoint, &mut checkpoints_verified)
                    .map_err(|reason| corrupt(offset, index - 1, reason))?;
            }
        }
        // Zeros to the end of the last segment are space the writer preallocated: the clean end.
        let preallocated = damage.as_ref().filter(|&&(offset, _)| is_last && bytes[offset..].iter().all(|&b| b == 0));
        if let Some(&(offset, _)) = preallocated {
            total_bytes -= (bytes.len() - offset) as u64;
        }
        let damage = if preallocated.is_some() { None } else { damage };
        let intact_end = frames.last().map_or(HEADER_LEN, |&(_, end)| end);
        if let Some((offset, damage)) = damage {
            if is_last && !intact_frame_after(&bytes, offset, index) {
                torn_tail = Some(TornTail {
                    segment: path.clone(),
                    offset: offset as u64,
                    bytes: (bytes.len() - offset) as u64,
                });
            } else {
                return Err(corrupt(offset, index, damage.describe()));
            }
        }
        if is_last {
            let intact = torn_tail.as_ref().map_or(intact_end as u64, |t| t.offset);
            last_segment = Some((*first_index, path.clone(), intact, header.encrypted));
        }
    }
    if let Some(checkpoint) = checkpoints.get(next_checkpoint) {
        return Err(JournalError::Corrupt {
            segment: dir.join(crate::checkpoint::CHECKPOINTS_FILE),
            offset: 0,
            entry: index,
            reason: format!(
                "a signed checkpoint covers {} entries but the journal holds {index}: entries were removed",
                checkpoint.size
            ),
        });
    }
    let leaves_stale = leaves.finish()?;
    Ok(ScanEnd {
        entries: index,
        chain,
        root_hex: crate::hex(&frontier.root()),
        frontier,
        last_segment,
        recovery: Recovery {
            entries: index,
            segments: segments.len(),
            torn_tail,
            checkpoints: checkpoints.len(),
            leaves_rebuilt: leaves_stale && mode == Mode::Recover,
        },
        bytes: total_bytes,
        checkpoints_verified,
        leaves_stale,
    })
}

fn verify_checkpoint(checkpoint: &Checkpoint, root: &Hash) -> Result<(), String> {
    if checkpoint.root().as_ref() != Some(root) {
        return Err(format!(
            "the signed checkpoint for size {} has a different root: the log was rewritten",
            checkpoint.size
        ));
    }
    let public = crate::unhex(&checkpoint.public_key_hex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok());
    match public {
        Some(public) if checkpoint.verify(&public) => Ok(()),
        _ => Err(format!("the checkpoint for size {} carries a bad signature", checkpoint.size)),
    }
}

/// Checks a whole journal without changing it: every frame, the chain, every checkpoint.
pub fn verify(dir: &Path, key: Option<&EncryptionKey>) -> Result<VerifyReport, JournalError> {
    if !dir.is_dir() {
        return Err(JournalError::Invalid(format!("{} is not a journal directory", dir.display())));
    }
    let end = scan(dir, key, Mode::Verify, &mut |_, _, _| Ok(()))?;
    Ok(VerifyReport {
        entries: end.entries,
        segments: end.recovery.segments,
        bytes: end.bytes,
        checkpoints_verified: end.checkpoints_verified,
        root_hex: end.root_hex,
        torn_tail: end.recovery.torn_tail,
        leaves_stale: end.leaves_stale,
    })
}
