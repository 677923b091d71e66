//! Reading OHLCV candles from CSV text, in the two common layouts:
//!
//! - **Binance klines**: `open_time,open,high,low,close,volume,close_time,quote_volume,trades,
//!   taker_buy_base,taker_buy_quote,ignore`, no header, times as epoch integers (milliseconds;
//!   seconds, microseconds and nanoseconds are recognised by their size).
//! - **date,open,high,low,close,volume** with a header, the date as `YYYY-MM-DD`,
//!   `YYYY-MM-DD HH:MM[:SS]` or ISO 8601 with `T` and `Z` (UTC), or an epoch integer; further
//!   columns (close_time, trade counts...) are ignored.
//!
//! With a header, columns are found by name; without, by position (both layouts put time, open,
//! high, low, close, volume first). Lines starting with `#` are comments (attribution lines).
//!
//! The whole file is checked before anything is returned: a bad row is an error naming its line
//! and the reason, so a caller that stores only `Ok` results never stores part of a file.

use crate::candle::{days_from_civil, Candle, Interval, Series, MS_PER_DAY};
use std::io::BufRead;
use thiserror::Error;

/// The longest line accepted (a kline row is about 150 bytes).
pub const LINE_BYTES_MAX: usize = 4_096;
/// The most rows one file may hold (about 95 years of one-minute candles).
pub const ROWS_MAX: usize = 50_000_000;

#[derive(Debug, Error)]
pub enum CsvError {
    #[error("reading the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {reason}")]
    Row { line: u64, reason: String },
    #[error("the file holds no candles")]
    Empty,
}

fn row_error(line: u64, reason: impl Into<String>) -> CsvError {
    CsvError::Row { line, reason: reason.into() }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Layout {
    /// No header; columns by position (the Binance kline layout, or any headerless OHLCV).
    Positional,
    /// A header row named the columns.
    Header,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub series: Series,
    pub layout: Layout,
    /// Data rows read (equal to the candles returned).
    pub rows: u64,
    /// Rows whose open time is off the interval grid set by the first row (kept as they are).
    pub off_grid: u64,
}

#[derive(Clone, Copy)]
struct Columns {
    time: usize,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: usize,
}

impl Columns {
    const POSITIONAL: Columns = Columns { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };

    fn width(&self) -> usize {
        [self.time, self.open, self.high, self.low, self.close, self.volume].into_iter().max().unwrap_or(0) + 1
    }

    fn from_header(fields: &[&str], line: u64) -> Result<Columns, CsvError> {
        let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase().replace([' ', '-'], "_")).collect();
        let find = |wanted: &[&str], what: &str| -> Result<usize, CsvError> {
            names
                .iter()
                .position(|n| wanted.contains(&n.as_str()))
                .ok_or_else(|| row_error(line, format!("the header has no {what} column (expected one of {wanted:?})")))
        };
        let time =
            find(&["date", "datetime", "time", "timestamp", "open_time", "opentime", "unix", "date_utc"], "time")?;
        let volume = match names.iter().position(|n| n == "volume") {
            Some(i) => i,
            // CryptoDataDownload names it after the base asset ("Volume BTC").
            None => names
                .iter()
                .position(|n| n.starts_with("volume"))
                .ok_or_else(|| row_error(line, "the header has no volume column"))?,
        };
        Ok(Columns {
            time,
            open: find(&["open", "o"], "open")?,
            high: find(&["high", "h"], "high")?,
            low: find(&["low", "l"], "low")?,
            close: find(&["close", "c"], "close")?,
            volume,
        })
    }
}

/// Parses a whole CSV text. See [`parse_reader`].
pub fn parse_str(text: &str) -> Result<Parsed, CsvError> {
    parse_reader(text.as_bytes(), &mut |_| {})
}

/// Reads every row, checks each (fields, numbers, OHLC consistency, strictly increasing times),
/// infers the interval, and returns the series. `progress` is called with the
/// bytes consumed so far every few thousand lines and once at the end.
pub fn parse_reader<R: BufRead>(mut reader: R, progress: &mut dyn FnMut(u64)) -> Result<Parsed, CsvError> {
    let mut buf = String::new();
    let mut line: u64 = 0;
    let mut bytes: u64 = 0;
    let mut columns: Option<Columns> = None;
    let mut layout = Layout::Positional;
    let mut candles: Vec<Candle> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    loop {
        buf.clear();
        let n = read_bounded_line(&mut reader, &mut buf, line + 1)?;
        if n == 0 {
            break;
        }
        line += 1;
        bytes += n as u64;
        if line.is_multiple_of(8_192) {
            progress(bytes);
        }
        let text = buf.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = text.split(',').map(|f| f.trim().trim_matches('"').trim()).collect();
        let cols = match columns {
            Some(c) => c,
            None => {
                let c = if parse_time_ms(fields[0]).is_ok() {
                    Columns::POSITIONAL
                } else {
                    layout = Layout::Header;
                    let c = Columns::from_header(&fields, line)?;
                    columns = Some(c);
                    continue;
                };
                columns = Some(c);
                c
            }
        };
        let candle = parse_row(&fields, cols, line)?;
        if let Some(prev) = candles.last() {
            if candle.open_time_ms <= prev.open_time_ms {
                return Err(row_error(
                    line,
                    format!(
                        "time {} is not after the previous row's ({}); rows must be in increasing time without repeats",
                        crate::candle::format_time(candle.open_time_ms),
                        crate::candle::format_time(prev.open_time_ms)
                    ),
                ));
            }
        }
        if candles.len() == ROWS_MAX {
            return Err(row_error(line, format!("more than {ROWS_MAX} rows")));
        }
        candles.push(candle);
        lines.push(line);
    }
    progress(bytes);
    if candles.is_empty() {
        return Err(CsvError::Empty);
    }
    let (interval, off_grid) = infer_interval(&candles, &lines)?;
    let rows = candles.len() as u64;
    Ok(Parsed { series: Series { interval, candles }, layout, rows, off_grid })
}

fn read_bounded_line<R: BufRead>(reader: &mut R, buf: &mut String, line: u64) -> Result<usize, CsvError> {
    let mut limited = std::io::Read::take(&mut *reader, LINE_BYTES_MAX as u64 + 1);
    let n = limited.read_line(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => row_error(line, "not UTF-8 text"),
        _ => CsvError::Io(e),
    })?;
    if n > LINE_BYTES_MAX {
        return Err(row_error(line, format!("longer than {LINE_BYTES_MAX} bytes")));
    }
    Ok(n)
}

fn parse_row(fields: &[&str], cols: Columns, line: u64) -> Result<Candle, CsvError> {
    if fields.len() < cols.width() {
        return Err(row_error(line, format!("{} fields, expected at least {}", fields.len(), cols.width())));
    }
    let number = |i: usize, name: &str| -> Result<f64, CsvError> {
        let text = fields[i];
        text.parse::<f64>().map_err(|_| row_error(line, format!("{name} {text:?} is not a number")))
    };
    let open_time_ms = parse_time_ms(fields[cols.time]).map_err(|reason| row_error(line, reason))?;
    let candle = Candle {
        open_time_ms,
        open: number(cols.open, "open")?,
        high: number(cols.high, "high")?,
        low: number(cols.low, "low")?,
        close: number(cols.close, "close")?,
        volume: number(cols.volume, "volume")?,
    };
    match candle.defect() {
        Some(reason) => Err(row_error(line, reason)),
        None => Ok(candle),
    }
}

/// The interval is the most common step between rows (ties: the shorter). Gaps of whole
/// intervals are outages and fine; rows off the grid happen in real exchange data (Binance's
/// February 2018 outage left 43 hourly rows opening at 28 minutes 14 seconds past), so they are
/// kept and counted rather than refused.
fn infer_interval(candles: &[Candle], lines: &[u64]) -> Result<(Interval, u64), CsvError> {
    let mut steps: Vec<i64> = candles.windows(2).map(|w| w[1].open_time_ms - w[0].open_time_ms).collect();
    steps.sort_unstable();
    let mut step = MS_PER_DAY;
    let mut best = 0;
    let mut i = 0;
    while i < steps.len() {
        let j = steps[i..].partition_point(|&s| s == steps[i]) + i;
        if j - i > best {
            best = j - i;
            step = steps[i];
        }
        i = j;
    }
    let interval = Interval::from_ms(step).ok_or_else(|| {
        let at = candles.windows(2).position(|w| w[1].open_time_ms - w[0].open_time_ms == step).map_or(0, |i| i + 1);
        row_error(lines[at], format!("rows {step} ms apart: the interval must be between one second and one week"))
    })?;
    let phase = candles[0].open_time_ms.rem_euclid(step);
    let off_grid = candles.iter().filter(|c| c.open_time_ms.rem_euclid(step) != phase).count() as u64;
    Ok((interval, off_grid))
}

/// A time field: an epoch integer (seconds, milliseconds, microseconds or nanoseconds, told
/// apart by size) or a UTC date `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|+00:00]`.
pub fn parse_time_ms(text: &str) -> Result<i64, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let v: i64 = text.parse().map_err(|_| format!("time {text:?} is too large"))?;
        return Ok(match v {
            v if v < 100_000_000_000 => v * 1_000,
            v if v < 100_000_000_000_000 => v,
            v if v < 100_000_000_000_000_000 => v / 1_000,
            v => v / 1_000_000,
        });
    }
    parse_date_ms(text)
        .ok_or_else(|| format!("time {text:?} is neither an epoch integer nor a date like 2024-01-31 13:00:00"))
}

fn parse_date_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = b.get(range)?;
        s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0i64, |a, &d| a * 10 + i64::from(d - b'0')))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month as u32, day as u32);
    if crate::candle::civil_from_days(days) != (year, month as u32, day as u32) {
        return None; // 31 February and the like
    }
    let mut ms = days * MS_PER_DAY;
    let mut rest = &text[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    if !(rest.starts_with(' ') || rest.starts_with('T')) {
        return None;
    }
    rest = &rest[1..];
    let r = rest.as_bytes();
    if r.len() < 5 || r[2] != b':' {
        return None;
    }
    let num = |s: &[u8]| -> Option<i64> {
        (!s.is_empty() && s.iter().all(u8::is_ascii_digit))
            .then(|| s.iter().fold(0i64, |a, &d| a * 10 + i64::from(d - b'0')))
    };
    let (hour, minute) = (num(&r[0..2])?, num(&r[3..5])?);
    let mut second = 0;
    let mut tail = &rest[5..];
    if let Some(t) = tail.strip_prefix(':') {
        second = num(t.as_bytes().get(0..2)?)?;
        tail = &t[2..];
        if let Some(frac) = tail.strip_prefix('.') {
            let end = frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len());
            tail = &frac[end..];
        }
    }
    if !matches!(tail, "" | "Z" | "+00:00" | "+0000") || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    ms += (hour * 3_600 + minute * 60 + second) * 1_000;
    Some(ms)
}

/// Writes candles in the `date,open,high,low,close,volume` layout with epoch-millisecond times
/// (what the candle store keeps); floats print in their shortest exact form, so a round trip
/// through [`parse_str`] gives the same numbers bit for bit.
pub fn write_csv(candles: &[Candle], out: &mut String) {
    use std::fmt::Write;
    out.push_str("open_time,open,high,low,close,volume\n");
    for c in candles {
        let _ = writeln!(out, "{},{},{},{},{},{}", c.open_time_ms, c.open, c.high, c.low, c.close, c.volume);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time_ms("1502942400000"), Ok(1_502_942_400_000));
        assert_eq!(parse_time_ms("1502942400"), Ok(1_502_942_400_000));
        assert_eq!(parse_time_ms("1502942400000000"), Ok(1_502_942_400_000));
        assert_eq!(parse_time_ms("2017-08-17 04:00:00"), Ok(1_502_942_400_000));
        assert_eq!(parse_time_ms("2017-08-17T04:00:00.000Z"), Ok(1_502_942_400_000));
        assert_eq!(parse_time_ms("2017-08-17T04:00Z"), Ok(1_502_942_400_000));
        assert_eq!(parse_time_ms("2017-08-17"), Ok(1_502_928_000_000));
        assert!(parse_time_ms("2017-02-30").is_err());
        assert!(parse_time_ms("2017-08-17 25:00:00").is_err());
        assert!(parse_time_ms("date").is_err());
    }
}
