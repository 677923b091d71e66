//! The venue's candle store: one CSV file per symbol and interval under `DATA_DIR/candles/`
//! (`BTCUSDT-1h.csv`), in the layout [`crate::csv::write_csv`] writes.
//!
//! Every change rewrites the file through a temporary file, `fsync` and `rename`, so a reader
//! sees the old candles or the new ones, never half of an import, and a crash leaves the old file.

use crate::candle::{Candle, Interval, Series};
use crate::csv::{self, CsvError};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Longest accepted symbol (letters, digits, `.`, `_`, `-`).
pub const SYMBOL_BYTES_MAX: usize = 32;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("symbol {0:?} must be 1 to 32 letters, digits, '.', '_' or '-'")]
    BadSymbol(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("stored candles in {path} are damaged: {source}")]
    Damaged { path: PathBuf, source: CsvError },
    #[error(
        "the new {interval} candles for {symbol} are not on the grid of the stored ones (they open at other minutes)"
    )]
    OffGrid { symbol: String, interval: String },
    #[error("candles for {symbol} at {stored} are stored in a file for {expected}")]
    IntervalMismatch { symbol: String, stored: String, expected: String },
}

/// What an import changed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub path: PathBuf,
    pub added: u64,
    pub replaced: u64,
    pub total: u64,
}

pub struct CandleStore {
    dir: PathBuf,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

pub fn check_symbol(symbol: &str) -> Result<(), StoreError> {
    let ok = !symbol.is_empty()
        && symbol.len() <= SYMBOL_BYTES_MAX
        && !symbol.starts_with('.')
        && symbol.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadSymbol(symbol.to_string()))
    }
}

impl CandleStore {
    /// The store of a venue data directory (`DATA_DIR/candles`); nothing is created until a write.
    pub fn open(data_dir: &Path) -> CandleStore {
        CandleStore { dir: data_dir.join("candles") }
    }

    pub fn path(&self, symbol: &str, interval: Interval) -> Result<PathBuf, StoreError> {
        check_symbol(symbol)?;
        Ok(self.dir.join(format!("{symbol}-{}.csv", interval.label())))
    }

    /// The stored candles, or an empty series if there are none.
    pub fn load(&self, symbol: &str, interval: Interval) -> Result<Series, StoreError> {
        let path = self.path(symbol, interval)?;
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Series { interval, candles: Vec::new() });
            }
            Err(e) => return Err(io_error(&path)(e)),
        };
        let parsed = csv::parse_str(&text).map_err(|source| StoreError::Damaged { path: path.clone(), source })?;
        // A file of one candle cannot show its interval; trust its name.
        if parsed.series.candles.len() > 1 && parsed.series.interval != interval {
            return Err(StoreError::IntervalMismatch {
                symbol: symbol.to_string(),
                stored: parsed.series.interval.label(),
                expected: interval.label(),
            });
        }
        Ok(Series { interval, candles: parsed.series.candles })
    }

    /// Merges `series` into the stored candles of `symbol` (a candle at an existing open time
    /// replaces the stored one) and writes the result atomically.
    pub fn import(&self, symbol: &str, series: &Series) -> Result<ImportSummary, StoreError> {
        let existing = self.load(symbol, series.interval)?;
        if let (Some(a), Some(b)) = (existing.candles.first(), series.candles.first()) {
            if (a.open_time_ms - b.open_time_ms) % series.interval.ms() != 0 {
                return Err(StoreError::OffGrid { symbol: symbol.to_string(), interval: series.interval.label() });
            }
        }
        let (merged, added, replaced) = merge(&existing.candles, &series.candles);
        let path = self.path(symbol, series.interval)?;
        let mut text = String::with_capacity(merged.len() * 64);
        csv::write_csv(&merged, &mut text);
        write_atomically(&path, text.as_bytes())?;
        Ok(ImportSummary { path, added, replaced, total: merged.len() as u64 })
    }

    /// The (symbol, interval) pairs stored, sorted.
    pub fn list(&self) -> Result<Vec<(String, Interval)>, StoreError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let name = entry.map_err(io_error(&self.dir))?.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".csv")) else { continue };
            let Some((symbol, label)) = stem.rsplit_once('-') else { continue };
            if let (Ok(()), Some(interval)) = (check_symbol(symbol), Interval::parse_label(label)) {
                out.push((symbol.to_string(), interval));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Both inputs sorted by open time; `incoming` wins on equal times.
fn merge(existing: &[Candle], incoming: &[Candle]) -> (Vec<Candle>, u64, u64) {
    let mut out = Vec::with_capacity(existing.len() + incoming.len());
    let (mut i, mut j, mut replaced) = (0, 0, 0u64);
    while i < existing.len() || j < incoming.len() {
        match (existing.get(i), incoming.get(j)) {
            (Some(a), Some(b)) if a.open_time_ms == b.open_time_ms => {
                out.push(*b);
                replaced += 1;
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.open_time_ms < b.open_time_ms => {
                out.push(*a);
                i += 1;
            }
            (Some(a), None) => {
                out.push(*a);
                i += 1;
            }
            (_, Some(b)) => {
                out.push(*b);
                j += 1;
            }
            (None, None) => unreachable!(),
        }
    }
    let added = incoming.len() as u64 - replaced;
    (out, added, replaced)
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, renames it over `path` and syncs
/// the directory: readers and crashes see the old file or the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("candles");
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_error(path))
}
