//! Reading candles from CSV in both layouts, bad rows named by line, and the store's
//! all-or-nothing import.

use augury_intel::candle::{Interval, MS_PER_HOUR};
use augury_intel::csv::{self, CsvError, Layout};
use augury_intel::{CandleStore, StoreError};

const KLINES: &str = "\
1502942400000,4261.48,4313.62,4261.32,4308.83,47.181009,1502945999999,202366.13839304,171,35.160503,150952.47794304,0
1502946000000,4308.83,4328.69,4291.37,4315.32,23.234916,1502949599999,100304.82356749,102,21.448071,92608.27972836,0
1502949600000,4330.29,4345.45,4309.37,4324.35,7.229691,1502953199999,31282.31267276,36,4.802861,20795.317224,0
";

const DATED: &str = "\
# a comment line, as attribution lines are
date,open,high,low,close,volume
2014-11-28,363.59,381.34,360.57,376.28,8617.15
2014-11-29,376.42,386.6,372.25,376.72,7245.19
2014-12-01,376.57,382.88,373.0,379.25,6879.29
";

fn row_error(text: &str) -> (u64, String) {
    match csv::parse_str(text) {
        Err(CsvError::Row { line, reason }) => (line, reason),
        other => panic!("expected a row error, got {other:?}"),
    }
}

#[test]
fn binance_klines_without_a_header() {
    let parsed = csv::parse_str(KLINES).unwrap();
    assert_eq!(parsed.layout, Layout::Positional);
    assert_eq!(parsed.series.interval, Interval::HOUR);
    assert_eq!(parsed.series.candles.len(), 3);
    let c = parsed.series.candles[1];
    assert_eq!(
        (c.open_time_ms, c.open, c.high, c.low, c.close, c.volume),
        (1_502_946_000_000, 4308.83, 4328.69, 4291.37, 4315.32, 23.234916)
    );
}

#[test]
fn dated_layout_with_a_header_and_a_gap() {
    let parsed = csv::parse_str(DATED).unwrap();
    assert_eq!(parsed.layout, Layout::Header);
    assert_eq!(parsed.series.interval, Interval::DAY);
    assert_eq!(parsed.series.gaps(), 1);
    // Columns found by name, whatever their order.
    let reordered = "Close,Open,Low,High,Volume BTC,Date\n376.28,363.59,360.57,381.34,8617.15,2014-11-28\n";
    let c = csv::parse_str(reordered).unwrap().series.candles[0];
    assert_eq!((c.open, c.high, c.low, c.close, c.volume), (363.59, 381.34, 360.57, 376.28, 8617.15));
}

#[test]
fn bad_rows_are_named_by_line_and_reason() {
    let (line, reason) =
        row_error("date,open,high,low,close,volume\n2014-11-28,1,2,0.5,1.5,10\n2014-11-29,1,2,0.5,abc,10\n");
    assert_eq!(line, 3);
    assert!(reason.contains("close \"abc\" is not a number"), "{reason}");

    let (line, reason) = row_error("2014-11-28,1,2,0.5,1.5,10\n2014-11-29,1,1.2,0.5,1.5,10\n");
    assert_eq!(line, 2);
    assert!(reason.contains("high"), "{reason}");

    let (line, reason) = row_error("2014-11-28,1,2,0.5,1.5,10\n2014-11-28,1,2,0.5,1.5,10\n");
    assert_eq!(line, 2);
    assert!(reason.contains("not after the previous row"), "{reason}");

    let (line, reason) = row_error("2014-11-28,1,2,0.5,1.5\n");
    assert_eq!(line, 1);
    assert!(reason.contains("5 fields"), "{reason}");

    let (line, reason) = row_error("2014-11-28,1,2,0.5,1.5,10\n2014-13-01,1,2,0.5,1.5,10\n");
    assert_eq!(line, 2);
    assert!(reason.contains("time"), "{reason}");

    let (line, reason) = row_error("2014-11-28,1,2,0.5,1.5,-3\n");
    assert_eq!(line, 1);
    assert!(reason.contains("volume"), "{reason}");

    let (line, reason) = row_error("time,open,high,close,volume\n");
    assert_eq!(line, 1);
    assert!(reason.contains("low"), "{reason}");

    assert!(matches!(csv::parse_str("# only a comment\n"), Err(CsvError::Empty)));
    let long = format!("2014-11-28,1,2,0.5,1.5,10,{}\n", "x".repeat(5_000));
    assert_eq!(row_error(&long).0, 1);
}

#[test]
fn off_grid_rows_are_kept_and_counted() {
    let text = "2018-02-08 00:00:00,1,2,0.5,1.5,10\n2018-02-08 01:00:00,1,2,0.5,1.5,10\n2018-02-08 02:28:14,1,2,0.5,1.5,10\n2018-02-08 04:00:00,1,2,0.5,1.5,10\n2018-02-08 05:00:00,1,2,0.5,1.5,10\n";
    let parsed = csv::parse_str(text).unwrap();
    assert_eq!(parsed.series.interval, Interval::HOUR);
    assert_eq!(parsed.off_grid, 1);
    assert_eq!(parsed.series.candles.len(), 5);
}

#[test]
fn import_merges_and_writes_nothing_on_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = CandleStore::open(dir.path());
    let first = csv::parse_str(KLINES).unwrap().series;
    let summary = store.import("BTCUSDT", &first).unwrap();
    assert_eq!((summary.added, summary.replaced, summary.total), (3, 0, 3));
    assert!(summary.path.ends_with("candles/BTCUSDT-1h.csv"));
    let before = std::fs::read(&summary.path).unwrap();

    // A file with a bad last row: the parse fails, so the caller never reaches the store.
    let bad = format!("{KLINES}1502953200000,4324.35,4349.99,4287.41,oops,4.443249,1502956799999,0,0,0,0,0\n");
    let (line, _) = row_error(&bad);
    assert_eq!(line, 4);
    assert_eq!(std::fs::read(&summary.path).unwrap(), before, "nothing partial was written");

    // A later file overlapping by one candle: one replaced, one added.
    let next =
        "1502949600000,4330.29,4345.45,4309.37,4324.35,8.0\n1502953200000,4324.35,4349.99,4287.41,4349.99,4.44\n";
    let next = csv::parse_str(next).unwrap().series;
    let summary = store.import("BTCUSDT", &next).unwrap();
    assert_eq!((summary.added, summary.replaced, summary.total), (1, 1, 4));
    let loaded = store.load("BTCUSDT", Interval::HOUR).unwrap();
    assert_eq!(loaded.candles.len(), 4);
    assert_eq!(loaded.candles[2].volume, 8.0);
    assert_eq!(loaded.candles[0], first.candles[0], "a round trip keeps every number bit for bit");
    assert_eq!(loaded.candles[3].open_time_ms - loaded.candles[0].open_time_ms, 3 * MS_PER_HOUR);
    assert_eq!(store.list().unwrap(), vec![("BTCUSDT".to_string(), Interval::HOUR)]);
    // No temporary file is left beside it.
    let names: Vec<_> =
        std::fs::read_dir(dir.path().join("candles")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn symbols_cannot_escape_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = CandleStore::open(dir.path());
    let series = csv::parse_str(KLINES).unwrap().series;
    for bad in ["", "../x", "a/b", ".hidden", "BTC USDT", &"X".repeat(33)] {
        assert!(matches!(store.import(bad, &series), Err(StoreError::BadSymbol(_))), "{bad:?} accepted");
    }
}

#[test]
fn the_real_files_parse() {
    let hourly = augury_intel::csv::parse_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/binance-BTCUSDT-1h-2017-2024.ohlcv.csv"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(hourly.series.interval, Interval::HOUR);
    assert_eq!(hourly.rows, 55_765);
    // Binance's February 2018 outage left 43 rows at 28 minutes 14 seconds past the hour.
    assert_eq!(hourly.off_grid, 43);
}
