//! Candles from trades, grades and signals, and the seeded synthetic assets.

mod common;

use augury_intel::builder::{build_candles, BuildError, CandleBuilder};
use augury_intel::candle::{resample_daily, Interval, MS_PER_HOUR, MS_PER_MINUTE};
use augury_intel::grades::{band, grade_series, GradeConfig, GradeEngine};
use augury_intel::synth::synthetic_asset;

#[test]
fn trades_become_candles() {
    let m = MS_PER_MINUTE;
    let trades = [(0, 10.0, 1.0), (30_000, 12.0, 2.0), (59_999, 9.0, 1.0), (m, 11.0, 5.0), (3 * m + 5, 11.5, 1.0)];
    let candles = build_candles(Interval::from_ms(m).unwrap(), &trades).unwrap();
    assert_eq!(candles.len(), 3, "no candle for the empty minute");
    let c = candles[0];
    assert_eq!((c.open_time_ms, c.open, c.high, c.low, c.close, c.volume), (0, 10.0, 12.0, 9.0, 9.0, 4.0));
    assert_eq!(candles[1].open_time_ms, m);
    assert_eq!(candles[2].open_time_ms, 3 * m);

    let mut b = CandleBuilder::new(Interval::HOUR);
    assert_eq!(b.push_trade(10, 5.0, 1.0), Ok(None));
    assert_eq!(b.close_due(MS_PER_HOUR - 1), None);
    assert!(b.close_due(MS_PER_HOUR).is_some(), "time passing closes the candle");
    assert_eq!(b.push_trade(5, 5.0, 1.0), Err(BuildError::OutOfOrder { time_ms: 5, previous_ms: 10 }));
    assert!(matches!(b.push_trade(20, f64::NAN, 1.0), Err(BuildError::BadTrade { .. })));
    assert!(matches!(b.push_trade(20, 1.0, 0.0), Err(BuildError::BadTrade { .. })));
}

#[test]
fn grades_are_bounded_and_signals_follow_the_trader_grade() {
    let daily = resample_daily(&common::btc_hourly());
    let grades = grade_series(&daily, GradeConfig::default());
    assert_eq!(grades.len(), daily.candles.len());
    let first = grades.iter().position(|g| g.trader.is_some()).expect("graded eventually");
    assert!((200..260).contains(&first), "Trader Grade warms up in about 7 months, not {first} days");
    let first_investor = grades.iter().position(|g| g.investor.is_some()).unwrap();
    assert!(first_investor > first);
    for g in &grades[first..] {
        let t = g.trader.unwrap();
        assert!((0.0..=100.0).contains(&t));
        let expected = if t >= 60.0 {
            1
        } else if t <= 40.0 {
            -1
        } else {
            0
        };
        assert_eq!(g.signal, expected);
    }
    assert!(grades.iter().any(|g| g.signal == 1) && grades.iter().any(|g| g.signal == -1));
    assert_eq!(band(85.0), "strongly bullish");
    assert_eq!(band(50.0), "neutral");
    assert_eq!(band(10.0), "strongly bearish");
    // Hold return matches the closes.
    let last = grades.last().unwrap();
    assert!((last.hold_return - (last.close / grades[first].close - 1.0)).abs() < 1e-9);
}

#[test]
fn synthetic_assets_are_seeded_and_valid() {
    let a = synthetic_asset(42, 7, 400);
    let b = synthetic_asset(42, 7, 400);
    let c = synthetic_asset(42, 8, 400);
    assert_eq!(a, b, "same seed, same asset");
    assert_ne!(a.candles[10].close, c.candles[10].close);
    assert!(a.candles.iter().all(|c| c.defect().is_none()));
    let mut engine = GradeEngine::new(GradeConfig::default());
    let graded = a.candles.iter().map(|c| engine.update(c)).filter(|g| g.investor.is_some()).count();
    assert!(graded > 0);
    assert!(engine.indicators().sma_200.is_some());
}

#[test]
fn the_bench_work_does_not_depend_on_the_thread_count() {
    let assets = augury_intel::bench::generate(1, 24, 2, 3);
    let one = augury_intel::bench::grade_assets(&assets, GradeConfig::default(), 1);
    let four = augury_intel::bench::grade_assets(&assets, GradeConfig::default(), 4);
    assert_eq!(one, four);
    assert_eq!(one.candles, 24 * augury_intel::bench::days_of(2) as u64);
    assert!(one.graded_days > 0);
}
