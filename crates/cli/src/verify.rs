//! `augury verify DATA_DIR`: checks a data directory without changing it.

use crate::storage::{journal_key, StorageArgs};
use anyhow::{bail, Result};
use augury_sequencer::snapshot_file;

pub fn run(storage: &StorageArgs) -> Result<()> {
    let key = journal_key(storage)?;
    let journal_dir = storage.data_dir.join("journal");
    let report = match augury_journal::verify(&journal_dir, key.as_ref()) {
        Ok(report) => report,
        Err(error) => bail!("verify FAILED: {error}"),
    };
    println!(
        "journal: {} entries in {} segments ({} bytes): every frame's CRC, index and hash chain check out",
        report.entries, report.segments, report.bytes
    );
    println!("checkpoints: {} signed checkpoints match the Merkle roots they sign", report.checkpoints_verified);
    println!("Merkle root: {}", report.root_hex);
    if let Some(torn) = &report.torn_tail {
        println!(
            "note: {} bytes of a partly written, never acknowledged entry at {} offset {}; the next start cuts them off",
            torn.bytes,
            torn.segment.display(),
            torn.offset
        );
    }
    if report.leaves_stale {
        println!("note: the derived Merkle leaf file is out of date; the next start rebuilds it");
    }
    let snapshot_dir = storage.data_dir.join("snapshots");
    let mut bad = Vec::new();
    let listed = snapshot_file::list(&snapshot_dir)?;
    for (entries, path) in &listed {
        let checked = snapshot_file::read(path, key.as_ref()).and_then(|loaded| {
            if loaded.entries > report.entries {
                return Err(format!("covers {} entries but the journal has {}", loaded.entries, report.entries));
            }
            augury_sequencer::VenueState::restore(&loaded.snapshot).map(|_| ())
        });
        if let Err(reason) = checked {
            bad.push(format!("snapshot at entry {entries} ({}): {reason}", path.display()));
        }
    }
    println!("snapshots: {} checked", listed.len());
    if !bad.is_empty() {
        bail!("verify FAILED:\n  {}", bad.join("\n  "));
    }
    println!("verify: OK");
    Ok(())
}
