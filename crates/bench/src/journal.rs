//! The journal benchmark: durable appends of 200-byte events with group commit (fsync on), and a
//! replay of what was written (read, CRC, chain and leaf hashing, visit); then small commits (two
//! events each, as the venue commits at moderate load) with the segment preallocated and without,
//! alternating in the same process.

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
    /// Commits of two events in the preallocation comparison (half with, half without).
    pub small_commits: u64,
}

impl Default for JournalBenchConfig {
    fn default() -> JournalBenchConfig {
        JournalBenchConfig {
            events: 2_000_000,
            event_bytes: 200,
            group: 4_096,
            durability: Durability::Fsync,
            small_commits: 8_000,
        }
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
    /// Small commits (two events each): write + fdatasync time with the segment preallocated
    /// (`JournalOptions::preallocate_bytes`, the default) and with the file growing per commit.
    pub small_commits: u64,
    pub small_commit_p50_us: u64,
    pub small_commit_p99_us: u64,
    pub small_commit_p50_us_growing: u64,
    pub small_commit_p99_us_growing: u64,
    /// Mean commit time growing / preallocated.
    pub preallocation_speedup: f64,
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

    let small_commits = config.small_commits.max(1);
    let mut preallocated = Vec::new();
    let mut growing = Vec::new();
    for round in 0..4 {
        let (preallocate_bytes, into) = if round % 2 == 0 {
            (JournalOptions::default().preallocate_bytes, &mut preallocated)
        } else {
            (0, &mut growing)
        };
        let options = JournalOptions { durability: config.durability, preallocate_bytes, ..JournalOptions::default() };
        into.extend(small_commit_times(&work, options, small_commits / 4, config.event_bytes)?);
    }
    let mean = |times: &[u64]| times.iter().sum::<u64>() as f64 / times.len().max(1) as f64;
    let preallocation_speedup = mean(&growing) / mean(&preallocated).max(1.0);
    preallocated.sort_unstable();
    growing.sort_unstable();
    let at = |times: &[u64], p: f64| times[((times.len() - 1) as f64 * p) as usize];

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
        small_commits: preallocated.len() as u64 + growing.len() as u64,
        small_commit_p50_us: at(&preallocated, 0.5),
        small_commit_p99_us: at(&preallocated, 0.99),
        small_commit_p50_us_growing: at(&growing, 0.5),
        small_commit_p99_us_growing: at(&growing, 0.99),
        preallocation_speedup,
    })
}

/// Commits of two events each into a fresh journal at `work`; the time of each commit.
fn small_commit_times(
    work: &std::path::Path,
    options: JournalOptions,
    commits: u64,
    event_bytes: usize,
) -> std::io::Result<Vec<u64>> {
    let _ = std::fs::remove_dir_all(work);
    let (mut journal, _) = Journal::open(work, options, &mut |_, _, _| Ok(())).map_err(std::io::Error::other)?;
    let mut payload = vec![0u8; event_bytes];
    let mut times = Vec::with_capacity(commits as usize);
    for n in 0..commits {
        for i in 0..2u64 {
            payload[..8].copy_from_slice(&(2 * n + i).to_le_bytes());
            journal.append(&payload).map_err(std::io::Error::other)?;
        }
        let started = Instant::now();
        journal.commit(0).map_err(std::io::Error::other)?;
        times.push(started.elapsed().as_micros() as u64);
    }
    drop(journal);
    let _ = std::fs::remove_dir_all(work);
    Ok(times)
}
