//! Single use of signed requests, across restarts and crashes: the spent nonces of the replay
//! window, and the file `DATA_DIR/replay-guard.bin` that carries the promise over a stop.
//!
//! A signed request is accepted only if its timestamp is within `window_ms` of the clock at the
//! moment it is checked, so a request checked at time `a` has `timestamp <= a + window_ms`. In
//! memory, a spent `(key, nonce)` is remembered for at least two windows, which covers every
//! timestamp that could still pass. Across a restart that memory is gone, so the file keeps what
//! the next run needs:
//!
//! - **While running**, a lease: a horizon `H` written (and fsynced) ahead of the clock, and no
//!   request is admitted at a time after the horizon on disk. After a crash, every request the
//!   dead run admitted has `timestamp <= H + window_ms`, so the next run refuses those timestamps
//!   (the *floor*): an honest client signs again with the current time once the clock has passed
//!   it. The cost is that quiet spell after a crash, at most `LEASE_MS + window_ms` (7 s by
//!   default) from the moment of the crash.
//! - **On a clean stop**, the nonces spent in the last two windows and the moment of the stop
//!   `S`: the next run refuses those nonces for timestamps up to `S + window_ms`, and everything
//!   else goes through at once, so a clean restart costs nothing.
//!
//! The stop is airtight: [`SpentRequests::close`] first marks the set closed, then copies it, and
//! a request that spends its nonce after the copy sees the mark and is refused (503). A floor is
//! carried from record to record until a later one covers it, so a clean stop soon after a crash
//! keeps the crash's floor. Comparisons are between timestamps, so a clock that jumps backwards
//! between runs does not reopen the window.
//!
//! A missing file means the gateway never ran on this data directory (nothing to replay); an
//! unreadable or damaged one is treated as a crash at the moment of the restart.

use augury_sequencer::registry::KeyId;
use std::collections::HashSet;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// The file's name in the data directory.
pub const FILE_NAME: &str = "replay-guard.bin";
/// How far ahead of the clock the running lease is written.
pub const LEASE_MS: u64 = 2_000;
/// The lease is renewed when less than this is left (so a renewal thread that is late by up to
/// this much never makes a request wait).
pub const RENEW_BELOW_MS: u64 = 1_500;

const MAGIC: &[u8; 8] = b"AUGRPLY1";
const STATE_RUNNING: u8 = 1;
const STATE_STOPPED: u8 = 2;
/// magic, state, window, floor, horizon, entry count.
const HEADER_LEN: usize = 8 + 1 + 8 + 8 + 8 + 8;
const RUNNING_RECORD_LEN: usize = HEADER_LEN + 4;
/// Spent marks are nonces (at most 64 bytes) or the Kalshi surface's (timestamp, signature) marks.
const MARK_MAX: usize = u8::MAX as usize;

/// Why a signed request may not be spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The timestamp is at or before the floor: a run that stopped without saving its nonces
    /// could have accepted this request.
    BeforeRestart { floor_ms: u64 },
    /// This key already spent this mark.
    Replayed,
    /// The lease on disk does not cover the clock (the file could not be written): nothing may be
    /// spent that a crash now would let through again.
    LeaseExpired,
    /// The venue is stopping and has saved its spent nonces.
    Closed,
}

/// What [`SpentRequests::open`] found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    /// No file: the gateway never ran on this data directory.
    None,
    /// A clean stop at `stopped_ms` with this many spent nonces carried over.
    Stopped { stopped_ms: u64, carried: usize },
    /// A run that did not stop cleanly; its lease ran to `horizon_ms`.
    Crashed { horizon_ms: u64 },
    /// The file could not be read or is damaged: treated as a crash at the restart.
    Damaged { reason: String },
}

/// The spent nonces of the replay window, and (when persistent) the file that carries them over a
/// restart. Shared by every request task; see the module documentation.
pub struct SpentRequests {
    window_ms: u64,
    /// Sharded by key and mark: each shard grows (and rehashes) on its own, a 64th of the window
    /// at a time, and requests rarely wait for each other's lock.
    shards: Vec<Mutex<Generations>>,
    /// Timestamps at or before this are refused (a crashed run's lease plus the window).
    floor_ms: u64,
    /// Marks spent by the previous run, which stopped cleanly: checked for timestamps up to
    /// `carried_until_ms` (its stop plus the window).
    carried: HashSet<(KeyId, String)>,
    carried_until_ms: u64,
    /// The lease on disk: no request is admitted at a later clock. `u64::MAX` in memory only.
    horizon_ms: AtomicU64,
    closed: AtomicBool,
    file: Option<Mutex<GuardFile>>,
}

const SHARDS: usize = 64;

/// Marks spent inside the replay window, in two generations of `2 x window` each: a mark is
/// looked up in both and recorded in the newer; when the newer is `2 x window` old it becomes the
/// older and the older is dropped whole. So a mark is remembered for at least `2 x window`
/// (every timestamp that could still carry it) and at most `4 x window`. Unlike one map with an
/// expiry queue, this never rehashes the whole window at once once warm: each new generation is
/// allocated at the size of the last, so the lock is never held for a big resize.
#[derive(Default)]
struct Generations {
    newer: HashSet<(KeyId, String)>,
    older: HashSet<(KeyId, String)>,
    /// When `newer` started.
    newer_since_ms: u64,
}

impl SpentRequests {
    /// Spent nonces in memory only: nothing survives the process (unit tests, tools).
    pub fn in_memory(window_ms: u64) -> SpentRequests {
        SpentRequests::with(window_ms, 0, HashSet::new(), 0, u64::MAX, None)
    }

    fn with(
        window_ms: u64,
        floor_ms: u64,
        carried: HashSet<(KeyId, String)>,
        carried_until_ms: u64,
        horizon_ms: u64,
        file: Option<GuardFile>,
    ) -> SpentRequests {
        SpentRequests {
            window_ms,
            shards: (0..SHARDS).map(|_| Mutex::new(Generations::default())).collect(),
            floor_ms,
            carried,
            carried_until_ms,
            horizon_ms: AtomicU64::new(horizon_ms),
            closed: AtomicBool::new(false),
            file: file.map(Mutex::new),
        }
    }

    /// Reads what the previous run left in `data_dir`, and writes this run's first lease (from
    /// `now_ms`) before anything is admitted. Fails only if the lease cannot be written: a venue
    /// that cannot keep the promise must not take signed requests.
    pub fn open(data_dir: &Path, window_ms: u64, now_ms: u64) -> std::io::Result<(SpentRequests, Previous)> {
        let path = data_dir.join(FILE_NAME);
        let (previous, floor_ms, carried, carried_until_ms, horizon_before) = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Previous::None, 0, HashSet::new(), 0, 0),
            Err(e) => damaged(e.to_string(), window_ms, now_ms),
            Ok(bytes) => match Record::decode(&bytes) {
                Err(reason) => damaged(reason, window_ms, now_ms),
                Ok(record) if record.state == STATE_RUNNING => {
                    let floor = record.floor_ms.max(record.horizon_ms.saturating_add(record.window_ms));
                    (Previous::Crashed { horizon_ms: record.horizon_ms }, floor, HashSet::new(), 0, record.horizon_ms)
                }
                Ok(record) => {
                    let previous = Previous::Stopped { stopped_ms: record.horizon_ms, carried: record.spent.len() };
                    let until = record.horizon_ms.saturating_add(record.window_ms);
                    (previous, record.floor_ms, record.spent.into_iter().collect(), until, record.horizon_ms)
                }
            },
        };
        // The horizon never moves back, so a later crash's floor covers this run's carried marks
        // even if the clock went back between the runs.
        let horizon_ms = horizon_before.max(now_ms.saturating_add(LEASE_MS));
        let running = Record { state: STATE_RUNNING, window_ms, floor_ms, horizon_ms, spent: Vec::new() };
        write_replacing(&path, &running.encode())?;
        let file = GuardFile { file: File::options().read(true).write(true).open(&path)?, path };
        let spent = SpentRequests::with(window_ms, floor_ms, carried, carried_until_ms, horizon_ms, Some(file));
        Ok((spent, previous))
    }

    pub fn window_ms(&self) -> u64 {
        self.window_ms
    }

    /// Timestamps at or before this are refused until they leave the window.
    pub fn floor_ms(&self) -> u64 {
        self.floor_ms
    }

    /// Checks that a request with `timestamp_ms`, checked at `now_ms`, could be admitted: the
    /// cheap checks that come before its signature is verified.
    pub fn check(&self, timestamp_ms: u64, now_ms: u64) -> Result<(), Refusal> {
        if timestamp_ms <= self.floor_ms {
            return Err(Refusal::BeforeRestart { floor_ms: self.floor_ms });
        }
        if now_ms > self.horizon_ms.load(Ordering::Acquire) {
            return Err(Refusal::LeaseExpired);
        }
        Ok(())
    }

    /// Spends `mark` for `key` (a request with `timestamp_ms` whose signature verified, checked
    /// at `now_ms`, after [`SpentRequests::check`] passed).
    pub fn spend(&self, key: KeyId, mark: &str, timestamp_ms: u64, now_ms: u64) -> Result<(), Refusal> {
        let entry = (key, mark.to_string());
        if timestamp_ms <= self.carried_until_ms && self.carried.contains(&entry) {
            return Err(Refusal::Replayed);
        }
        let generation_ms = 2 * self.window_ms;
        let mut shard = self.shard(&entry);
        let mut dropped = None;
        if now_ms.saturating_sub(shard.newer_since_ms) >= generation_ms {
            let capacity = shard.newer.len();
            let newer = std::mem::replace(&mut shard.newer, HashSet::with_capacity(capacity));
            dropped = Some(std::mem::replace(&mut shard.older, newer));
            // Two generations have passed with no request at all: the older one is stale too.
            if now_ms.saturating_sub(shard.newer_since_ms) >= 2 * generation_ms {
                shard.older.clear();
            }
            shard.newer_since_ms = now_ms;
        }
        let replayed = shard.older.contains(&entry) || !shard.newer.insert(entry);
        drop(shard);
        // Freeing a generation's strings takes a while: not under the lock.
        drop(dropped);
        if replayed {
            return Err(Refusal::Replayed);
        }
        // After the insert: `close` sets the mark before it copies the shards, so either the copy
        // holds this mark or this load sees the mark (the shard's lock orders the two).
        if self.closed.load(Ordering::SeqCst) {
            return Err(Refusal::Closed);
        }
        Ok(())
    }

    fn shard(&self, entry: &(KeyId, String)) -> MutexGuard<'_, Generations> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        entry.hash(&mut hasher);
        let index = (hasher.finish() % SHARDS as u64) as usize;
        self.shards[index].lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the lease ahead of `now_ms` if less than [`RENEW_BELOW_MS`] is left. Called a few
    /// times a second by the gateway's lease thread; an error leaves the old lease in force.
    pub fn renew(&self, now_ms: u64) -> std::io::Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
        let horizon = self.horizon_ms.load(Ordering::Acquire);
        if self.closed.load(Ordering::SeqCst) || horizon.saturating_sub(now_ms) >= RENEW_BELOW_MS {
            return Ok(());
        }
        // A file removed or replaced while the venue runs would leave the next start without the
        // lease: put it back before writing through the handle.
        if !file.still_in_place() {
            tracing::warn!(path = %file.path.display(), "the replay guard was removed or replaced: written again");
            file.reopen()?;
        }
        let next = horizon.max(now_ms.saturating_add(LEASE_MS));
        let record = Record {
            state: STATE_RUNNING,
            window_ms: self.window_ms,
            floor_ms: self.floor_ms,
            horizon_ms: next,
            spent: Vec::new(),
        };
        let bytes = record.encode();
        assert_eq!(bytes.len(), RUNNING_RECORD_LEN, "a running record overwrites the last one in place");
        file.file.write_all_at(&bytes, 0)?;
        file.file.sync_data()?;
        // Only once it is on disk may requests be admitted under it.
        self.horizon_ms.store(next, Ordering::Release);
        Ok(())
    }

    /// Stops spending and saves the spent marks for the next run (a clean stop at `now_ms`).
    /// Every later request is refused with [`Refusal::Closed`]. Does nothing the second time.
    pub fn close(&self, now_ms: u64) -> std::io::Result<()> {
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let Some(file) = &self.file else { return Ok(()) };
        let file = file.lock().unwrap_or_else(PoisonError::into_inner);
        let mut spent = Vec::new();
        for shard in &self.shards {
            let shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            spent.extend(shard.older.iter().chain(shard.newer.iter()).cloned());
        }
        // Marks still carried from the run before stay refused as long as they could pass.
        if self.carried_until_ms >= now_ms.saturating_sub(self.window_ms) {
            spent.extend(self.carried.iter().cloned());
        }
        spent.sort_unstable();
        spent.dedup();
        // A clean stop's moment bounds every timestamp this run accepted; a carried bound from
        // the run before can lie later only if the clock went back.
        let stopped_ms = now_ms.max(self.carried_until_ms.saturating_sub(self.window_ms));
        let record = Record {
            state: STATE_STOPPED,
            window_ms: self.window_ms,
            floor_ms: self.floor_ms,
            horizon_ms: stopped_ms,
            spent,
        };
        write_replacing(&file.path, &record.encode())
    }
}

/// The thread that keeps the lease ahead of the clock ([`SpentRequests::renew`] every
/// [`RENEW_EVERY_MS`]) until [`LeaseRenewer::stop`].
pub struct LeaseRenewer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often the renewal thread looks at the lease.
pub const RENEW_EVERY_MS: u64 = 100;

impl LeaseRenewer {
    /// Renews the lease of `spent(&owner)` on a thread of its own.
    pub fn start<T: Send + Sync + 'static>(owner: Arc<T>, spent: fn(&T) -> &SpentRequests) -> LeaseRenewer {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("augury-replay-lease".into())
            .spawn(move || {
                let (stopped, wake) = &*stopping;
                let mut failing = false;
                let mut stopped_now = stopped.lock().unwrap_or_else(PoisonError::into_inner);
                while !*stopped_now {
                    drop(stopped_now);
                    match spent(&owner).renew(crate::now_ms()) {
                        Ok(()) if failing => {
                            tracing::info!("the replay guard's lease is written again");
                            failing = false;
                        }
                        Ok(()) => {}
                        Err(error) if !failing => {
                            tracing::error!(%error, "the replay guard's lease cannot be written: signed requests are refused until it can");
                            failing = true;
                        }
                        Err(_) => {}
                    }
                    stopped_now = stopped.lock().unwrap_or_else(PoisonError::into_inner);
                    if !*stopped_now {
                        let timeout = std::time::Duration::from_millis(RENEW_EVERY_MS);
                        stopped_now = wake.wait_timeout(stopped_now, timeout).unwrap_or_else(PoisonError::into_inner).0;
                    }
                }
            });
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(error) => {
                // Without renewals the lease runs out and signed requests get 503: safe, and said.
                tracing::error!(%error, "cannot start the replay guard's lease thread");
                None
            }
        };
        LeaseRenewer { stop, thread }
    }

    /// Stops the thread and waits for it (after this, nothing renews the lease).
    pub fn stop(mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A damaged record: assume the worst a crash at `now_ms` could have left.
fn damaged(reason: String, window_ms: u64, now_ms: u64) -> (Previous, u64, HashSet<(KeyId, String)>, u64, u64) {
    let horizon = now_ms.saturating_add(LEASE_MS);
    (Previous::Damaged { reason }, horizon.saturating_add(window_ms), HashSet::new(), 0, horizon)
}

struct GuardFile {
    file: File,
    path: PathBuf,
}

impl GuardFile {
    /// Whether the path still names the file this handle writes.
    fn still_in_place(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(&self.path), self.file.metadata()) {
            (Ok(named), Ok(open)) => named.dev() == open.dev() && named.ino() == open.ino(),
            _ => false,
        }
    }

    /// Writes the handle's record to the path again (durably) and writes through the new file.
    fn reopen(&mut self) -> std::io::Result<()> {
        let mut bytes = vec![0; RUNNING_RECORD_LEN];
        self.file.read_exact_at(&mut bytes, 0)?;
        write_replacing(&self.path, &bytes)?;
        self.file = File::options().read(true).write(true).open(&self.path)?;
        Ok(())
    }
}

/// One record: the whole file.
struct Record {
    state: u8,
    window_ms: u64,
    floor_ms: u64,
    horizon_ms: u64,
    spent: Vec<(KeyId, String)>,
}

impl Record {
    fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(RUNNING_RECORD_LEN + self.spent.len() * 32);
        bytes.extend_from_slice(MAGIC);
        bytes.push(self.state);
        for value in [self.window_ms, self.floor_ms, self.horizon_ms, self.spent.len() as u64] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        for (key, mark) in &self.spent {
            assert!(mark.len() <= MARK_MAX, "Invariant: spent marks are at most {MARK_MAX} bytes");
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.push(mark.len() as u8);
            bytes.extend_from_slice(mark.as_bytes());
        }
        let crc = crc32c::crc32c(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        bytes
    }

    fn decode(bytes: &[u8]) -> Result<Record, String> {
        if bytes.len() < RUNNING_RECORD_LEN || &bytes[..8] != MAGIC {
            return Err(format!("{FILE_NAME} is not a replay-guard record ({} bytes)", bytes.len()));
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        if crc32c::crc32c(body) != u32::from_le_bytes(crc.try_into().expect("four bytes")) {
            return Err(format!("{FILE_NAME} fails its checksum (a torn or damaged write)"));
        }
        let word = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().expect("eight bytes"));
        let state = body[8];
        let (window_ms, floor_ms, horizon_ms, count) = (word(9), word(17), word(25), word(33));
        if state != STATE_RUNNING && state != STATE_STOPPED {
            return Err(format!("{FILE_NAME} has an unknown state {state}"));
        }
        let mut spent = Vec::new();
        let mut at = HEADER_LEN;
        for _ in 0..count {
            let len = *body.get(at + 8).ok_or_else(|| format!("{FILE_NAME} ends inside an entry"))? as usize;
            let end = at + 9 + len;
            if end > body.len() {
                return Err(format!("{FILE_NAME} ends inside an entry"));
            }
            let mark = std::str::from_utf8(&body[at + 9..end])
                .map_err(|_| format!("{FILE_NAME} holds a mark that is not text"))?;
            spent.push((word(at), mark.to_string()));
            at = end;
        }
        if at != body.len() {
            return Err(format!("{FILE_NAME} has {} bytes after its entries", body.len() - at));
        }
        Ok(Record { state, window_ms, floor_ms, horizon_ms, spent })
    }
}

/// Writes `bytes` to `path` through a temporary file, a rename and a sync of the directory, so
/// the file is the old record or the new one whatever happens.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_remembered_for_at_least_twice_the_window() {
        let spent = SpentRequests::in_memory(5_000);
        let spend = |mark: &str, at: u64| spent.spend(7, mark, at, at).err();
        assert_eq!(spend("a", 1_000), None);
        assert_eq!(spend("a", 1_000), Some(Refusal::Replayed));
        assert_eq!(spent.spend(8, "a", 1_000, 1_000).err(), None, "marks are per key");
        // However the generations fall, a mark is refused for two windows (10 s) after it is spent.
        assert_eq!(spend("a", 10_999), Some(Refusal::Replayed));
        assert_eq!(spend("c", 11_000), None);
        assert_eq!(spend("c", 15_000), Some(Refusal::Replayed));
        assert_eq!(spend("c", 20_999), Some(Refusal::Replayed));
        assert_eq!(spend("a", 41_000), None, "and forgotten after at most four windows");
        assert_eq!(spend("c", 51_000), None);
        // A long quiet spell forgets everything older than two windows.
        assert_eq!(spend("z", 100_000), None);
        assert_eq!(spend("a", 100_000), None);
    }

    #[test]
    fn a_clean_stop_carries_its_marks_and_costs_no_wait() {
        let dir = tempfile::tempdir().unwrap();
        let (spent, previous) = SpentRequests::open(dir.path(), 5_000, 100_000).unwrap();
        assert_eq!(previous, Previous::None);
        assert_eq!(spent.check(100_000, 100_000), Ok(()));
        spent.spend(1, "n1", 100_000, 100_000).unwrap();
        spent.spend(2, "n1", 103_000, 100_500).unwrap();
        spent.close(101_000).unwrap();
        assert_eq!(spent.spend(1, "n2", 101_000, 101_000), Err(Refusal::Closed), "nothing is spent after the copy");

        let (spent, previous) = SpentRequests::open(dir.path(), 5_000, 101_100).unwrap();
        assert_eq!(previous, Previous::Stopped { stopped_ms: 101_000, carried: 2 });
        assert_eq!(spent.floor_ms(), 0);
        assert_eq!(spent.check(101_100, 101_100), Ok(()), "a fresh request goes through at once");
        assert_eq!(spent.spend(1, "n1", 100_000, 101_100), Err(Refusal::Replayed));
        assert_eq!(spent.spend(2, "n1", 103_000, 101_100), Err(Refusal::Replayed));
        // n2 was refused (closed) after the copy: it never took effect, so it may still be used once.
        assert_eq!(spent.spend(1, "n2", 101_000, 101_100), Ok(()));
        assert_eq!(spent.spend(1, "n3", 101_100, 101_100), Ok(()));
    }

    #[test]
    fn a_crash_refuses_every_timestamp_its_lease_covered() {
        let dir = tempfile::tempdir().unwrap();
        let (spent, _) = SpentRequests::open(dir.path(), 5_000, 100_000).unwrap();
        spent.spend(1, "n1", 100_000, 100_000).unwrap();
        spent.renew(100_400).unwrap();
        assert_eq!(spent.horizon_ms.load(Ordering::Acquire), 102_000, "renewed only when under 1.5 s is left");
        spent.renew(100_600).unwrap();
        assert_eq!(spent.horizon_ms.load(Ordering::Acquire), 102_600);
        drop(spent); // no close: a crash

        let (spent, previous) = SpentRequests::open(dir.path(), 5_000, 100_700).unwrap();
        assert_eq!(previous, Previous::Crashed { horizon_ms: 102_600 });
        assert_eq!(spent.floor_ms(), 107_600);
        assert_eq!(spent.check(100_000, 100_700), Err(Refusal::BeforeRestart { floor_ms: 107_600 }));
        assert_eq!(spent.check(107_600, 103_000), Err(Refusal::BeforeRestart { floor_ms: 107_600 }));
        assert_eq!(spent.check(107_601, 102_700), Ok(()));

        // A clean stop soon after keeps the crash's floor.
        spent.close(104_000).unwrap();
        let (spent, _) = SpentRequests::open(dir.path(), 5_000, 104_100).unwrap();
        assert_eq!(spent.floor_ms(), 107_600);
        assert_eq!(spent.check(104_100, 104_100), Err(Refusal::BeforeRestart { floor_ms: 107_600 }));
    }

    #[test]
    fn nothing_is_admitted_past_the_lease_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let (spent, _) = SpentRequests::open(dir.path(), 5_000, 100_000).unwrap();
        assert_eq!(spent.check(102_000, 102_000), Ok(()));
        assert_eq!(spent.check(102_001, 102_001), Err(Refusal::LeaseExpired));
        spent.renew(102_001).unwrap();
        assert_eq!(spent.check(102_001, 102_001), Ok(()));
    }

    #[test]
    fn a_guard_removed_while_running_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let (spent, _) = SpentRequests::open(dir.path(), 5_000, 100_000).unwrap();
        std::fs::remove_file(dir.path().join(FILE_NAME)).unwrap();
        spent.renew(100_600).unwrap();
        drop(spent); // a crash
        let (spent, previous) = SpentRequests::open(dir.path(), 5_000, 100_700).unwrap();
        assert_eq!(previous, Previous::Crashed { horizon_ms: 102_600 });
        assert_eq!(spent.floor_ms(), 107_600);
    }

    #[test]
    fn a_damaged_file_is_a_crash_at_the_restart() {
        let dir = tempfile::tempdir().unwrap();
        let (spent, _) = SpentRequests::open(dir.path(), 5_000, 100_000).unwrap();
        spent.close(100_500).unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let (spent, previous) = SpentRequests::open(dir.path(), 5_000, 200_000).unwrap();
        assert!(matches!(previous, Previous::Damaged { .. }), "{previous:?}");
        assert_eq!(spent.floor_ms(), 200_000 + LEASE_MS + 5_000);
    }
}
