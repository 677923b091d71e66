//! The whole validation on real data (the BTC hourly file resampled to days, so it runs in a
//! few seconds in a debug build): the look-ahead check recomputes everything on truncated data
//! and must find nothing changed; the report has every section.

mod common;

use augury_intel::candle::resample_daily;
use augury_intel::validate::{validate, Asset, ValidateConfig};

#[test]
fn daily_btc_validation_has_no_look_ahead() {
    let daily = resample_daily(&common::btc_hourly());
    let asset = Asset { name: "BTCUSDT daily".into(), series: daily, in_cross_section: false };
    let config = ValidateConfig { look_ahead_cuts: 4, ..ValidateConfig::default() };
    let report = validate(&asset, std::slice::from_ref(&asset), &config);
    assert!(report.look_ahead.passed, "{:?}", report.look_ahead);
    assert!(report.look_ahead.values_compared > 10_000);
    assert_eq!(report.threshold_test_years, vec![2019, 2020, 2021, 2022, 2023]);
    // Hourly horizons do not apply to daily bars: 1, 7 and 30 days remain.
    assert_eq!(report.threshold.per_horizon.len(), 3);
    assert!(report.threshold_brier.is_finite() && report.threshold_brier_base_rate.is_finite());
    assert_eq!(report.signals.len(), 3);
    assert!(report.rank_ic.is_empty(), "one asset: no cross-section");
    assert_eq!(report.strategy.len(), 1);
    let json = serde_json::to_value(&report).unwrap();
    for key in ["threshold_brier", "threshold_brier_base_rate", "threshold_brier_skill", "look_ahead_passed"] {
        assert!(json.get(key).is_some(), "{key} missing from the JSON");
    }
    let md = augury_intel::report::markdown(&report, "test", "augury intel validate --candles x.csv");
    for section in
        ["## Summary", "## No look-ahead", "## Threshold probabilities", "### Signal hit rates", "### Learned model"]
    {
        assert!(md.contains(section), "{section} missing");
    }
    eprintln!(
        "daily BTC: Brier {:.4} vs base rate {:.4} (skill {:.3}), vs constant vol {:.4}",
        report.threshold_brier,
        report.threshold_brier_base_rate,
        report.threshold_brier_skill,
        report.threshold_brier_constant_vol
    );
}
