//! Shared test data: the real BTC hourly file from `../shared/data` (beside the workspace), or
//! the committed copy of its first six columns when that folder is absent. Neither: a loud failure.
#![allow(dead_code)]

use augury_intel::csv;
use augury_intel::Series;
use std::path::{Path, PathBuf};

pub fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The Binance BTCUSDT hourly candles, 2017-08-17 to 2024-01-01 (55,765 rows).
pub fn btc_hourly() -> Series {
    let shared = shared_data().join("ohlcv/binance-BTCUSDT-1h-2017-2024.csv");
    let copy = fixture("binance-BTCUSDT-1h-2017-2024.ohlcv.csv");
    let path = if shared.exists() { shared } else { copy };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("the BTC hourly file is missing: neither ../shared/data nor {} can be read: {e}", path.display())
    });
    let parsed = csv::parse_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(parsed.series.candles.len(), 55_765, "{} is not the whole BTC hourly file", path.display());
    parsed.series
}

/// A Bitstamp daily file (BTC, ETH or LTC) from ../shared/data; None when the folder is absent.
pub fn bitstamp_daily(symbol: &str) -> Option<Series> {
    let path = shared_data().join(format!("ohlcv/bitstamp-{symbol}USD-1d-2014-2020.csv"));
    let text = std::fs::read_to_string(path).ok()?;
    Some(csv::parse_str(&text).expect("a Bitstamp file parses").series)
}
