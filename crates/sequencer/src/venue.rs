//! The engine and its journal together.

use crate::record;
use crate::snapshot_file;
use crate::VenueError;
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
    engine: Engine,
    journal: Journal,
    options: VenueOptions,
    last_snapshot: u64,
    events: Vec<Event>,
    scratch: Vec<u8>,
}

/// The result of one replay pass over the journal.
struct Replayed {
    engine: Engine,
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
    mut engine: Engine,
    start: u64,
    expected_chain: Option<Hash>,
    progress: &mut dyn FnMut(u64),
) -> Result<Replayed, VenueError> {
    let mut replayed = 0u64;
    let mut events = Vec::new();
    let mut foreign_snapshot = false;
    let mut visit = |index: u64, payload: &[u8], chain: &Hash| -> Result<(), JournalError> {
        if index + 1 == start && Some(*chain) != expected_chain {
            foreign_snapshot = true;
        }
        if index < start || foreign_snapshot {
            return Ok(());
        }
        let refused = |reason: String| JournalError::Refused { entry: index, reason };
        let record = record::decode(payload).map_err(refused)?;
        events.clear();
        engine
            .apply(&record.command, &mut events)
            .map_err(|reject| refused(format!("the journaled command is now refused: {reject}")))?;
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
    Ok(Replayed { engine, journal, recovery, replayed, foreign_snapshot })
}

impl Venue {
    /// Opens the venue in `options.data_dir`, creating it if empty: the newest valid snapshot,
    /// then the journal's tail. `progress` hears the number of entries replayed every 100,000.
    pub fn open(options: VenueOptions, progress: &mut dyn FnMut(u64)) -> Result<(Venue, OpenReport), VenueError> {
        let key = options.journal.encryption.clone();
        let mut skipped = Vec::new();
        let snapshot_dir = options.snapshot_dir();
        let listed = snapshot_file::list(&snapshot_dir)
            .map_err(|source| VenueError::Snapshot { path: snapshot_dir.clone(), source })?;
        let mut base = None;
        for (_, path) in listed {
            let restored = snapshot_file::read(&path, key.as_ref())
                .and_then(|loaded| Ok((Engine::restore(&loaded.snapshot).map_err(|v| v.to_string())?, loaded)));
            match restored {
                Ok((engine, loaded)) => {
                    base = Some((path, engine, loaded.entries, loaded.chain));
                    break;
                }
                Err(reason) => skipped.push((path, reason)),
            }
        }

        let mut pass = match base {
            Some((path, engine, entries, chain)) => {
                let pass = replay(&options, engine, entries, Some(chain), progress)?;
                if !pass.foreign_snapshot && entries <= pass.recovery.entries {
                    let report = OpenReport {
                        snapshot_entries: entries,
                        snapshots_skipped: skipped,
                        replayed: pass.replayed,
                        recovery: pass.recovery.clone(),
                    };
                    return Ok((Venue::from_pass(pass, options, entries), report));
                }
                // The snapshot belongs to another journal, or is ahead of this one: replay all.
                skipped.push((path, "the snapshot does not match this journal".into()));
                drop(pass);
                replay(&options, Engine::new(options.engine), 0, None, progress)?
            }
            None => replay(&options, Engine::new(options.engine), 0, None, progress)?,
        };
        pass.foreign_snapshot = false;
        let report = OpenReport {
            snapshot_entries: 0,
            snapshots_skipped: skipped,
            replayed: pass.replayed,
            recovery: pass.recovery.clone(),
        };
        Ok((Venue::from_pass(pass, options, 0), report))
    }

    fn from_pass(pass: Replayed, options: VenueOptions, last_snapshot: u64) -> Venue {
        Venue {
            engine: pass.engine,
            journal: pass.journal,
            options,
            last_snapshot,
            events: Vec::new(),
            scratch: Vec::new(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// Applies `command`; if accepted, appends it with its events to the journal (not yet
    /// durable: call `commit` before answering anyone) and returns the events.
    pub fn submit(&mut self, command: &Command) -> Result<Result<&[Event], Reject>, VenueError> {
        self.events.clear();
        if let Err(reject) = self.engine.apply(command, &mut self.events) {
            return Ok(Err(reject));
        }
        record::encode(command, &self.events, &mut self.scratch);
        self.journal.append(&self.scratch)?;
        Ok(Ok(&self.events))
    }

    /// Makes every submitted entry durable (one write, one fsync), then takes a snapshot if one
    /// is due.
    pub fn commit(&mut self, now_ms: u64) -> Result<(), VenueError> {
        self.journal.commit(now_ms)?;
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
            &self.engine.snapshot(),
            self.options.journal.encryption.as_ref(),
        )
        .map_err(|source| VenueError::Snapshot { path: dir, source })?;
        self.last_snapshot = entries;
        Ok(path)
    }
}
