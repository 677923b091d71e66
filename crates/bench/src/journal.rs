//! The journal benchmark: durable appends of 200-byte events with group commit (fsync on), and a
//! replay of what was written (read, CRC, chain and leaf hashing, visit).

use augury_journal::{Durability, Journal, JournalOptions};
use serde::Serialize;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct JournalBenchConfig {
    pub events: u64,
    pub event_bytes: usize,
    /// Events per commit: one write and one fdatasync per group.
    pub group: u64,
    pub durability: Durability,
}

impl Default for JournalBenchConfig {
    fn default() -> JournalBenchConfig {
        JournalBenchConfig { events: 2_000_000, event_bytes: 200, group: 4_096, durability: Durability::Fsync }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct JournalBenchReport {
    pub events: u64,
    pub event_bytes: usize,
    pub group: u64,
    pub fsync: bool,
    pub durable_events_per_sec: f64,
    pub durable_mb_per_sec: f64,
    /// Time of one commit (write + fdatasync of a group), microseconds.
    pub commit_p50_us: u64,
    pub commit_p99_us: u64,
    pub replay_events_per_sec: f64,
}

/// Runs the benchmark in a temporary directory under `dir` (removed afterwards).
pub fn run_journal_bench(config: &JournalBenchConfig, dir: &std::path::Path) -> std::io::Result<JournalBenchReport> {
    let work = dir.join(format!("augury-journal-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let options = JournalOptions { durability: config.durability, ..JournalOptions::default() };
    let (mut journal, _) =
        Journal::open(&work, options.clone(), &mut |_, _, _| Ok(())).map_err(std::io::Error::other)?;

    // Distinct payloads, made before timing.
    let mut payload = vec![0u8; config.event_bytes];
    let mut commit_us = Vec::with_capacity((config.events / config.group + 1) as usize);
    let started = Instant::now();
    let mut written = 0u64;
    while written < config.events {
        let group = config.group.min(config.events - written);
        for i in 0..group {
            payload[..8].copy_from_slice(&(written + i).to_le_bytes());
            journal.append(&payload).map_err(std::io::Error::other)?;
        }
        let commit_started = Instant::now();
        journal.commit(0).map_err(std::io::Error::other)?;
        commit_us.push(commit_started.elapsed().as_micros() as u64);
        written += group;
    }
    let write_seconds = started.elapsed().as_secs_f64();
    drop(journal);

    let started = Instant::now();
    let mut seen = 0u64;
    Journal::open(&work, options, &mut |_, payload, _| {
        seen += u64::from(payload.len() == config.event_bytes);
        Ok(())
    })
    .map_err(std::io::Error::other)?;
    let replay_seconds = started.elapsed().as_secs_f64();
    assert_eq!(seen, config.events, "replay saw every event");
    let _ = std::fs::remove_dir_all(&work);

    commit_us.sort_unstable();
    let percentile = |p: f64| commit_us[((commit_us.len() - 1) as f64 * p) as usize];
    Ok(JournalBenchReport {
        events: config.events,
        event_bytes: config.event_bytes,
        group: config.group,
        fsync: config.durability == Durability::Fsync,
        durable_events_per_sec: config.events as f64 / write_seconds,
        durable_mb_per_sec: (config.events as usize * config.event_bytes) as f64 / write_seconds / 1e6,
        commit_p50_us: percentile(0.5),
        commit_p99_us: percentile(0.99),
        replay_events_per_sec: config.events as f64 / replay_seconds,
    })
}
