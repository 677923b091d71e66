//! The sequencer: the single owner of the venue's state (the engine and the registry of
//! accounts, API keys and client order ids) and of the journal.
//!
//! - [`Venue`] is the engine plus its journal on disk: `open` restores the latest valid snapshot
//!   and replays the journal's tail (checking that every replayed command gives the events it
//!   gave the first time), `submit` applies a command and appends it with its events,
//!   `commit` makes everything submitted durable, and snapshots are taken every N entries.
//! - [`Sequencer`] runs a `Venue` on its own thread behind a bounded queue: it takes commands in
//!   batches, stamps time (and the ids of orders submitted with id 0), applies them, group-commits the batch with one fsync, and only then
//!   answers each caller. A full queue is refused at once, never buffered without bound.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod record;
pub mod registry;
mod sequencer;
pub mod snapshot_file;
mod state;
mod venue;

pub use sequencer::{Publisher, Sequencer, SequencerHandle, SubmitError, VenueClock};

/// Monitoring figures from the sequencer thread.
pub mod sequencer_stats {
    pub use crate::sequencer::{SequencerStats, COMMIT_BUCKETS_US};
}
pub use state::{VenueCommand, VenueOutcome, VenueReject, VenueSnapshot, VenueState};
pub use venue::{CommittedEntry, NoObserver, Observer, OpenReport, Venue, VenueOptions};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum VenueError {
    #[error(transparent)]
    Journal(#[from] augury_journal::JournalError),
    #[error("replay failed at journal entry {entry}: {reason}")]
    Replay { entry: u64, reason: String },
    #[error("{path} is locked by another running Augury process (stop it first)")]
    Locked { path: PathBuf },
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot write a snapshot in {path}: {source}")]
    Snapshot { path: PathBuf, source: std::io::Error },
}
