//! Appending: entries are framed into a buffer by `append` and made durable together by `commit`.

use crate::checkpoint::{append_checkpoint, Checkpoint, CheckpointPolicy};
use crate::crypt::EncryptionKey;
use crate::merkle::{leaf_hash, Frontier, Hash};
use crate::scan::{scan, Mode, Recovery, LEAVES_FILE};
use crate::segment::{encode_header, segment_name, BODY_FIXED_LEN, BODY_LEN_MAX, FRAME_PREFIX_LEN, HEADER_LEN};
use crate::{next_chain, JournalError};
use ed25519_dalek::SigningKey;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How hard `commit` works to make entries survive a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `fdatasync` once per commit: nothing acknowledged is lost on a crash or power failure.
    Fsync,
    /// No sync at all: entries survive a process crash but not a power failure. For benchmarks
    /// only; the name says so on purpose.
    UnsafeNoSync,
}

#[derive(Clone, Debug)]
pub struct JournalOptions {
    pub durability: Durability,
    /// A segment is closed and a new one started once it reaches this size.
    pub segment_bytes: u64,
    pub encryption: Option<EncryptionKey>,
    /// Checkpoints are signed only when a key is given.
    pub signing_key: Option<SigningKey>,
    pub checkpoints: CheckpointPolicy,
    /// The segment file is extended this far ahead of the writes (`fallocate`, Linux), so a
    /// commit's `fdatasync` rewrites allocated blocks instead of growing the file: about 30% less
    /// time per small commit on ext4 here (`augury bench journal`). The unused tail reads as
    /// zeros, which recovery knows as the clean end. 0 turns it off.
    pub preallocate_bytes: u64,
}

impl Default for JournalOptions {
    fn default() -> JournalOptions {
        JournalOptions {
            durability: Durability::Fsync,
            segment_bytes: 64 << 20,
            encryption: None,
            signing_key: None,
            checkpoints: CheckpointPolicy::default(),
            preallocate_bytes: 4 << 20,
        }
    }
}

/// An open journal, positioned at its end.
pub struct Journal {
    dir: PathBuf,
    options: JournalOptions,
    file: File,
    segment_path: PathBuf,
    /// Where the next frame goes: the end of the last intact frame.
    segment_len: u64,
    /// The segment file's length on disk: `segment_len` plus preallocated zeros.
    allocated_len: u64,
    /// Entries appended, durable or not.
    next_index: u64,
    /// Entries made durable by a commit.
    committed: u64,
    chain: Hash,
    frontier: Frontier,
    buffer: Vec<u8>,
    pending_leaves: Vec<u8>,
    leaves_file: File,
    last_checkpoint_size: u64,
    last_checkpoint_ms: u64,
    /// Set by a failed write: the on-disk state is unknown, so nothing more is accepted.
    poisoned: Option<String>,
}

fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| JournalError::io(dir, e))
}

impl Journal {
    /// Opens (or creates) the journal in `dir`: verifies every entry, passes each to `visit` in
    /// order, cuts off a torn tail, and returns the journal ready to append.
    pub fn open(
        dir: &Path,
        options: JournalOptions,
        visit: &mut crate::Visitor<'_>,
    ) -> Result<(Journal, Recovery), JournalError> {
        std::fs::create_dir_all(dir).map_err(|e| JournalError::io(dir, e))?;
        let end = scan(dir, options.encryption.as_ref(), Mode::Recover, visit)?;
        let leaves_path = dir.join(LEAVES_FILE);
        let leaves_file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&leaves_path)
            .map_err(|e| JournalError::io(&leaves_path, e))?;
        let checkpoints = crate::checkpoint::load_checkpoints(dir)?;
        let (file, segment_path, segment_len) = match &end.last_segment {
            Some((_, path, intact_len, encrypted)) => {
                if *encrypted != options.encryption.is_some() {
                    return Err(JournalError::Invalid(format!(
                        "{} was written {} but the journal is being opened {}",
                        path.display(),
                        if *encrypted { "encrypted" } else { "unencrypted" },
                        if options.encryption.is_some() { "with a key" } else { "without a key" }
                    )));
                }
                let mut file = OpenOptions::new().write(true).open(path).map_err(|e| JournalError::io(path, e))?;
                if end.recovery.torn_tail.is_some() {
                    file.set_len(*intact_len).and_then(|()| file.sync_all()).map_err(|e| JournalError::io(path, e))?;
                }
                file.seek(SeekFrom::Start(*intact_len)).map_err(|e| JournalError::io(path, e))?;
                (file, path.clone(), *intact_len)
            }
            None => Journal::create_segment(dir, 0, options.encryption.as_ref())?,
        };
        let allocated_len = file.metadata().map_err(|e| JournalError::io(&segment_path, e))?.len().max(segment_len);
        let last = checkpoints.last();
        let journal = Journal {
            dir: dir.to_path_buf(),
            file,
            segment_path,
            segment_len,
            allocated_len,
            next_index: end.entries,
            committed: end.entries,
            chain: end.chain,
            frontier: end.frontier,
            buffer: Vec::with_capacity(1 << 20),
            pending_leaves: Vec::new(),
            leaves_file,
            last_checkpoint_size: last.map_or(0, |c| c.size),
            last_checkpoint_ms: last.map_or(0, |c| c.timestamp_ms),
            poisoned: None,
            options,
        };
        Ok((journal, end.recovery))
    }

    fn create_segment(
        dir: &Path,
        first_index: u64,
        key: Option<&EncryptionKey>,
    ) -> Result<(File, PathBuf, u64), JournalError> {
        let path = dir.join(segment_name(first_index));
        let mut file =
            OpenOptions::new().create_new(true).write(true).open(&path).map_err(|e| JournalError::io(&path, e))?;
        let header = encode_header(first_index, key.is_some(), key.map_or([0; 8], |k| k.key_check()));
        file.write_all(&header).and_then(|()| file.sync_all()).map_err(|e| JournalError::io(&path, e))?;
        sync_dir(dir)?;
        Ok((file, path, HEADER_LEN as u64))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Entries appended so far, durable or not.
    pub fn len(&self) -> u64 {
        self.next_index
    }

    pub fn is_empty(&self) -> bool {
        self.next_index == 0
    }

    /// Entries made durable.
    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// The chain value after the last appended entry.
    pub fn chain(&self) -> Hash {
        self.chain
    }

    /// The Merkle root over every appended entry.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    fn check_usable(&self) -> Result<(), JournalError> {
        match &self.poisoned {
            Some(reason) => Err(JournalError::Poisoned(reason.clone())),
            None => Ok(()),
        }
    }

    /// Makes sure the file reaches `end`, extending it a chunk at a time. Best effort: where the
    /// file system cannot preallocate, the write simply grows the file as before.
    fn preallocate(&mut self, end: u64) {
        if end <= self.allocated_len || self.options.preallocate_bytes == 0 {
            return;
        }
        // A segment is closed at `segment_bytes`, so allocating past that (or past what this
        // write needs) would only be cut off again.
        let target = (self.allocated_len + self.options.preallocate_bytes).min(self.options.segment_bytes).max(end);
        if allocate(&self.file, self.allocated_len, target - self.allocated_len).is_ok() {
            self.allocated_len = target;
        }
    }

    /// Frames `payload` as the next entry, in memory; it becomes durable at the next `commit`.
    /// Returns the entry's index.
    pub fn append(&mut self, payload: &[u8]) -> Result<u64, JournalError> {
        self.check_usable()?;
        let index = self.next_index;
        // Every entry appended has exactly one leaf, and entries are numbered without gaps.
        assert_eq!(self.frontier.size(), index, "the Merkle frontier and the entry count agree");
        let leaf = leaf_hash(index, payload);
        let chain = next_chain(&self.chain, &leaf);
        let start = self.buffer.len();
        self.buffer.extend_from_slice(&[0u8; FRAME_PREFIX_LEN]);
        self.buffer.extend_from_slice(&index.to_le_bytes());
        self.buffer.extend_from_slice(&chain);
        match &self.options.encryption {
            Some(key) => key.seal(index, payload, &mut self.buffer)?,
            None => self.buffer.extend_from_slice(payload),
        }
        let body_len = self.buffer.len() - start - FRAME_PREFIX_LEN;
        if body_len > BODY_LEN_MAX {
            self.buffer.truncate(start);
            return Err(JournalError::Invalid(format!("an entry of {} bytes exceeds the limit", payload.len())));
        }
        debug_assert!(body_len >= BODY_FIXED_LEN);
        let crc = crc32c::crc32c(&self.buffer[start + FRAME_PREFIX_LEN..]);
        self.buffer[start..start + 4]
            .copy_from_slice(&u32::try_from(body_len).expect("at most BODY_LEN_MAX").to_le_bytes());
        self.buffer[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
        self.chain = chain;
        self.frontier.push(leaf);
        self.pending_leaves.extend_from_slice(&leaf);
        self.next_index += 1;
        Ok(index)
    }

    /// Writes every appended entry and (with `Durability::Fsync`) waits until they are on stable
    /// storage: one write and one sync for the whole group. Only after this returns may the
    /// entries be acknowledged. Signs a checkpoint when the policy says one is due. A failed
    /// write poisons the journal: restart and let recovery decide what survived.
    pub fn commit(&mut self, now_ms: u64) -> Result<u64, JournalError> {
        self.check_usable()?;
        // The buffer holds exactly the entries appended since the last commit.
        assert_eq!(
            self.buffer.is_empty(),
            self.next_index == self.committed,
            "the buffer holds the uncommitted entries"
        );
        if !self.buffer.is_empty() {
            // The group goes where the last intact frame ended: a write anywhere else would leave
            // a hole or overwrite committed entries.
            let position = self.file.stream_position().map_err(|e| JournalError::io(&self.segment_path, e))?;
            assert_eq!(
                position,
                self.segment_len,
                "{}: writing at the end of the last frame",
                self.segment_path.display()
            );
            self.preallocate(self.segment_len + self.buffer.len() as u64);
            let written = self.file.write_all(&self.buffer).and_then(|()| match self.options.durability {
                Durability::Fsync => self.file.sync_data(),
                Durability::UnsafeNoSync => Ok(()),
            });
            if let Err(e) = written {
                let reason = format!("writing {}: {e}", self.segment_path.display());
                self.poisoned = Some(reason.clone());
                return Err(JournalError::Poisoned(reason));
            }
            self.segment_len += self.buffer.len() as u64;
            self.allocated_len = self.allocated_len.max(self.segment_len);
            debug_assert_eq!(self.file.stream_position().ok(), Some(self.segment_len));
            self.buffer.clear();
            // The leaf file is derived data (rebuilt at startup if short), so it is not synced.
            if let Err(e) = self.leaves_file.write_all(&self.pending_leaves) {
                let path = self.dir.join(LEAVES_FILE);
                return Err(JournalError::io(path, e));
            }
            self.pending_leaves.clear();
            assert!(self.next_index > self.committed, "a commit makes new entries durable");
            self.committed = self.next_index;
            if self.segment_len >= self.options.segment_bytes {
                // Only the last segment may end in preallocated zeros: cut them off (durably)
                // before the next segment exists.
                if self.allocated_len > self.segment_len {
                    let path = &self.segment_path;
                    self.file
                        .set_len(self.segment_len)
                        .and_then(|()| self.file.sync_all())
                        .map_err(|e| JournalError::io(path, e))?;
                }
                let (file, path, len) =
                    Journal::create_segment(&self.dir, self.next_index, self.options.encryption.as_ref())?;
                self.file = file;
                self.segment_path = path;
                self.segment_len = len;
                self.allocated_len = len;
            }
        }
        let policy = self.options.checkpoints;
        let new_entries = self.committed - self.last_checkpoint_size;
        if new_entries > 0
            && (new_entries >= policy.every_entries
                || now_ms.saturating_sub(self.last_checkpoint_ms) >= policy.every_ms)
        {
            self.checkpoint(now_ms)?;
        }
        Ok(self.committed)
    }

    /// Signs and stores a checkpoint of the committed entries now (if a signing key is set).
    pub fn checkpoint(&mut self, now_ms: u64) -> Result<Option<Checkpoint>, JournalError> {
        let Some(key) = &self.options.signing_key else {
            return Ok(None);
        };
        if !self.buffer.is_empty() || self.committed == self.last_checkpoint_size {
            return Ok(None);
        }
        let checkpoint = Checkpoint::sign(key, self.committed, &self.frontier.root(), now_ms);
        append_checkpoint(&self.dir, &checkpoint)?;
        self.last_checkpoint_size = self.committed;
        self.last_checkpoint_ms = now_ms;
        Ok(Some(checkpoint))
    }
}

/// Allocates `len` bytes of `file` from `offset`, extending its length (zeros when read).
#[cfg(target_os = "linux")]
fn allocate(file: &File, offset: u64, len: u64) -> std::io::Result<()> {
    rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), offset, len).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn allocate(_file: &File, _offset: u64, _len: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}
