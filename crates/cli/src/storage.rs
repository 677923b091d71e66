//! Opening the venue's data directory from the command line: keys from files or the
//! environment, progress for long replays, and what recovery did, in plain words.

use anyhow::{Context, Result};
use augury_engine::EngineConfig;
use augury_journal::checkpoint::load_or_create_signing_key;
use augury_journal::EncryptionKey;
use augury_sequencer::{Venue, VenueOptions};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Clone, Debug)]
pub struct StorageArgs {
    /// Where the venue keeps its journal, snapshots and keys.
    #[arg(long, default_value = "augury-data")]
    pub data_dir: PathBuf,
    /// A file holding the journal encryption key (64 hex characters). Without it the key is read
    /// from AUGURY_JOURNAL_KEY if set; with neither, the journal is not encrypted.
    #[arg(long)]
    pub journal_key_file: Option<PathBuf>,
}

/// The venue's checkpoint-signing key: `keys/venue-signing.key` (created on first use, mode 0600)
/// with its public half in `keys/venue-signing.pub`.
pub fn signing_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("venue-signing.key")
}

pub fn journal_key(args: &StorageArgs) -> Result<Option<EncryptionKey>> {
    Ok(EncryptionKey::load(args.journal_key_file.as_deref())?.map(|(key, _)| key))
}

pub fn open_venue(args: &StorageArgs, engine: EngineConfig) -> Result<Venue> {
    open_venue_observed(args, engine, &mut augury_sequencer::NoObserver)
}

/// Opens the venue; `observer` sees every journal entry from the first (to rebuild read models).
pub fn open_venue_observed(
    args: &StorageArgs,
    engine: EngineConfig,
    observer: &mut dyn augury_sequencer::Observer,
) -> Result<Venue> {
    let data_dir = &args.data_dir;
    std::fs::create_dir_all(data_dir.join("keys")).with_context(|| format!("creating {}", data_dir.display()))?;
    let signing_key = load_or_create_signing_key(&signing_key_path(data_dir))?;
    let mut options = VenueOptions::new(data_dir);
    options.engine = engine;
    options.journal.encryption = journal_key(args)?;
    options.journal.signing_key = Some(signing_key);
    let (venue, report) = Venue::open_observed(
        options,
        &mut |replayed| eprintln!("  replaying the journal: {replayed} entries"),
        observer,
    )
    .with_context(|| format!("opening the venue in {}", data_dir.display()))?;
    let recovery = &report.recovery;
    if recovery.entries > 0 {
        eprintln!(
            "opened {}: {} journal entries in {} segments; {} from a snapshot, {} replayed",
            data_dir.display(),
            recovery.entries,
            recovery.segments,
            report.snapshot_entries,
            report.replayed
        );
    }
    if let Some(torn) = &recovery.torn_tail {
        eprintln!(
            "recovered from a crash: cut {} bytes of an unacknowledged, partly written entry at {} offset {}",
            torn.bytes,
            torn.segment.display(),
            torn.offset
        );
    }
    for (path, reason) in &report.snapshots_skipped {
        eprintln!("passed over snapshot {}: {reason}", path.display());
    }
    if recovery.leaves_rebuilt {
        eprintln!("rebuilt the Merkle leaf file from the journal");
    }
    Ok(venue)
}
