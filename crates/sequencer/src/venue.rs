//! The venue's state and its journal together: open (snapshot + verified replay), execute,
//! commit, snapshot. The data directory is locked while a `Venue` holds it, so two processes can
//! never write the same journal.

use crate::record;
use crate::snapshot_file;
use crate::{VenueCommand, VenueError, VenueOutcome, VenueReject, VenueState};
use augury_core::{Command, Event, Reject};
use augury_engine::{Engine, EngineConfig};
use augury_journal::{Hash, Journal, JournalError, JournalOptions, Recovery};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct VenueOptions {
    pub data_dir: PathBuf,
    pub journal: JournalOptions,
    pub engine: EngineConfig,
    /// Take a snapshot after this many journal entries (0: never automatically).
    pub snapshot_every: u64,
}

impl VenueOptions {
    pub fn new(data_dir: impl Into<PathBuf>) -> VenueOptions {
        VenueOptions {
            data_dir: data_dir.into(),
            journal: JournalOptions::default(),
            engine: EngineConfig::default(),
            snapshot_every: 100_000,
        }
    }

    pub fn journal_dir(&self) -> PathBuf {
        self.data_dir.join("journal")
    }

    pub fn snapshot_dir(&self) -> PathBuf {
        self.data_dir.join("snapshots")
    }
}

/// Sees every journal entry at startup, from the first (including those a snapshot covers), so
/// read models (order history, trades, candles) can be rebuilt from the journal.
pub trait Observer {
    /// Forget everything seen so far: the entries are about to be visited again from the start.
    fn reset(&mut self);
    fn entry(&mut self, index: u64, command: &VenueCommand, events: &[Event]);
}

/// An observer that ignores everything.
pub struct NoObserver;

impl Observer for NoObserver {
    fn reset(&mut self) {}
    fn entry(&mut self, _: u64, _: &VenueCommand, _: &[Event]) {}
}

/// A journal entry committed since the last [`Venue::take_committed`].
#[derive(Clone, Debug)]
pub struct CommittedEntry {
    pub index: u64,
    pub command: VenueCommand,
    pub events: Vec<Event>,
}

/// What startup did.
#[derive(Clone, Debug)]
pub struct OpenReport {
    /// Entries covered by the snapshot startup began from (0: none).
    pub snapshot_entries: u64,
    /// Snapshots passed over, with the reason.
    pub snapshots_skipped: Vec<(PathBuf, String)>,
    pub replayed: u64,
    pub recovery: Recovery,
}

pub struct Venue {
    state: VenueState,
    journal: Journal,
    options: VenueOptions,
    last_snapshot: u64,
    events: Vec<Event>,
    scratch: Vec<u8>,
    /// Entries appended but not yet committed, and committed but not yet taken.
    pending: Vec<CommittedEntry>,
    committed: Vec<CommittedEntry>,
    record_committed: bool,
    _lock: std::fs::File,
}

/// The result of one replay pass over the journal.
struct Replayed {
    state: VenueState,
    journal: Journal,
    recovery: Recovery,
    replayed: u64,
    /// Set when the journal's chain at the snapshot's position is not the snapshot's.
    foreign_snapshot: bool,
}

/// Opens the journal and applies every entry from `start` on to `engine`, checking that each
/// replayed command gives exactly the events it gave when it was journaled.
fn replay(
    options: &VenueOptions,
    mut state: VenueState,
    start: u64,
    expected_chain: Option<Hash>,
    progress: &mut dyn FnMut(u64),
    observer: &mut dyn Observer,
) -> Result<Replayed, VenueError> {
    observer.reset();
    let mut replayed = 0u64;
    let mut events = Vec::new();
    let mut foreign_snapshot = false;
    let mut visit = |index: u64, payload: &[u8], chain: &Hash| -> Result<(), JournalError> {
        if index + 1 == start && Some(*chain) != expected_chain {
            foreign_snapshot = true;
        }
        let refused = |reason: String| JournalError::Refused { entry: index, reason };
        let record = record::decode(payload).map_err(refused)?;
        observer.entry(index, &record.command, &record.events);
        if index < start || foreign_snapshot {
            return Ok(());
        }
        let outcome = state
            .apply(&record.command, &mut events)
            .map_err(|reject| refused(format!("the journaled command is now refused: {reject}")))?;
        if !outcome.is_new() {
            return Err(refused("the journaled command changed nothing".into()));
        }
        if events != record.events {
            return Err(refused("the command gave different events than when it was journaled".into()));
        }
        replayed += 1;
        if replayed.is_multiple_of(100_000) {
            progress(replayed);
        }
        Ok(())
    };
    let (journal, recovery) =
        Journal::open(&options.journal_dir(), options.journal.clone(), &mut visit).map_err(|e| match e {
            JournalError::Refused { entry, reason } => VenueError::Replay { entry, reason },
            other => other.into(),
        })?;
    Ok(Replayed { state, journal, recovery, replayed, foreign_snapshot })
}

impl Venue {
    /// Opens the venue in `options.data_dir`, creating it if empty: the newest valid snapshot,
    /// then the journal's tail. `progress` hears the number of entries replayed every 100,000.
    pub fn open(options: VenueOptions, progress: &mut dyn FnMut(u64)) -> Result<(Venue, OpenReport), VenueError> {
        Venue::open_observed(options, progress, &mut NoObserver)
    }

    /// Like [`Venue::open`], and `observer` sees every journal entry from the first.
    pub fn open_observed(
        options: VenueOptions,
        progress: &mut dyn FnMut(u64),
        observer: &mut dyn Observer,
    ) -> Result<(Venue, OpenReport), VenueError> {
        let lock = lock_data_dir(&options.data_dir)?;
        let key = options.journal.encryption.clone();
        let mut skipped = Vec::new();
        let snapshot_dir = options.snapshot_dir();
        let listed = snapshot_file::list(&snapshot_dir)
            .map_err(|source| VenueError::Snapshot { path: snapshot_dir.clone(), source })?;
        let mut base = None;
        for (_, path) in listed {
            let restored = snapshot_file::read(&path, key.as_ref())
                .and_then(|loaded| Ok((VenueState::restore(&loaded.snapshot)?, loaded)));
            match restored {
                Ok((state, loaded)) => {
                    base = Some((path, state, loaded.entries, loaded.chain));
                    break;
                }
                Err(reason) => skipped.push((path, reason)),
            }
        }

        let mut pass = match base {
            Some((path, state, entries, chain)) => {
                let pass = replay(&options, state, entries, Some(chain), progress, observer)?;
                if !pass.foreign_snapshot && entries <= pass.recovery.entries {
                    let report = OpenReport {
                        snapshot_entries: entries,
                        snapshots_skipped: skipped,
                        replayed: pass.replayed,
                        recovery: pass.recovery.clone(),
                    };
                    return Ok((Venue::from_pass(pass, options, entries, lock), report));
                }
                // The snapshot belongs to another journal, or is ahead of this one: replay all.
                skipped.push((path, "the snapshot does not match this journal".into()));
                drop(pass);
                replay(&options, VenueState::new(Engine::new(options.engine)), 0, None, progress, observer)?
            }
            None => replay(&options, VenueState::new(Engine::new(options.engine)), 0, None, progress, observer)?,
        };
        pass.foreign_snapshot = false;
        let report = OpenReport {
            snapshot_entries: 0,
            snapshots_skipped: skipped,
            replayed: pass.replayed,
            recovery: pass.recovery.clone(),
        };
        Ok((Venue::from_pass(pass, options, 0, lock), report))
    }

    fn from_pass(pass: Replayed, options: VenueOptions, last_snapshot: u64, lock: std::fs::File) -> Venue {
        Venue {
            state: pass.state,
            journal: pass.journal,
            options,
            last_snapshot,
            events: Vec::new(),
            scratch: Vec::new(),
            pending: Vec::new(),
            committed: Vec::new(),
            record_committed: false,
            _lock: lock,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    pub fn state(&self) -> &VenueState {
        &self.state
    }

    /// Keep every committed entry for [`Venue::take_committed`] (for publishing to subscribers).
    pub fn record_committed(&mut self, on: bool) {
        self.record_committed = on;
    }

    /// The entries committed since the last call (when recording is on).
    pub fn take_committed(&mut self) -> Vec<CommittedEntry> {
        std::mem::take(&mut self.committed)
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// The key the journal's payloads are sealed with, if they are.
    pub fn journal_encryption(&self) -> Option<&augury_journal::EncryptionKey> {
        self.options.journal.encryption.as_ref()
    }

    /// The Ed25519 public key that signs the journal's checkpoints, if one does.
    pub fn checkpoint_public_key(&self) -> Option<[u8; 32]> {
        self.options.journal.signing_key.as_ref().map(|k| k.verifying_key().to_bytes())
    }

    /// Applies an engine command; if accepted, appends it with its events to the journal (not yet
    /// durable: call `commit` before answering anyone) and returns the events.
    pub fn submit(&mut self, command: &Command) -> Result<Result<&[Event], Reject>, VenueError> {
        match self.execute(&VenueCommand::Engine(*command))? {
            Ok(_) => Ok(Ok(&self.events)),
            Err(VenueReject::Engine(reject)) => Ok(Err(reject)),
            Err(other) => unreachable!("an engine command is refused only by the engine: {other}"),
        }
    }

    /// Applies a venue command; if it changed anything, appends it with its events to the journal
    /// (not yet durable: call `commit` before answering anyone).
    pub fn execute(&mut self, command: &VenueCommand) -> Result<Result<VenueOutcome, VenueReject>, VenueError> {
        let outcome = match self.state.apply(command, &mut self.events) {
            Ok(outcome) => outcome,
            Err(reject) => return Ok(Err(reject)),
        };
        if outcome.is_new() {
            record::encode(command, &self.events, &mut self.scratch);
            let index = self.journal.append(&self.scratch)?;
            if self.record_committed {
                self.pending.push(CommittedEntry { index, command: command.clone(), events: self.events.clone() });
            }
        }
        Ok(Ok(outcome))
    }

    /// Makes every submitted entry durable (one write, one fsync), then takes a snapshot if one
    /// is due.
    pub fn commit(&mut self, now_ms: u64) -> Result<(), VenueError> {
        self.journal.commit(now_ms)?;
        self.committed.append(&mut self.pending);
        let every = self.options.snapshot_every;
        if every > 0 && self.journal.committed() - self.last_snapshot >= every {
            self.snapshot()?;
        }
        Ok(())
    }

    /// Writes a snapshot of the committed state now.
    pub fn snapshot(&mut self) -> Result<PathBuf, VenueError> {
        assert_eq!(self.journal.len(), self.journal.committed(), "snapshots cover committed entries only");
        let dir = self.options.snapshot_dir();
        let entries = self.journal.committed();
        let path = snapshot_file::write(
            &dir,
            entries,
            &self.journal.chain(),
            &self.state.snapshot(),
            self.options.journal.encryption.as_ref(),
        )
        .map_err(|source| VenueError::Snapshot { path: dir, source })?;
        self.last_snapshot = entries;
        Ok(path)
    }
}

/// Takes the data directory's lock (`DATA_DIR/LOCK`), refusing if another process holds it.
fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, VenueError> {
    std::fs::create_dir_all(data_dir).map_err(|source| VenueError::Io { path: data_dir.to_path_buf(), source })?;
    let path = data_dir.join("LOCK");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| VenueError::Io { path: path.clone(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(VenueError::Locked { path }),
        Err(std::fs::TryLockError::Error(source)) => Err(VenueError::Io { path, source }),
    }
}
