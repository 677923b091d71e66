//! The threshold model on held-out years of the real BTC hourly file: a Brier skill score above
//! zero against the base rate (the requirement), and the figures printed whatever they are.

mod common;

use augury_intel::validate::{threshold_questions, Scores, ThresholdConfig, PRIMARY};

#[test]
fn brier_skill_above_zero_against_the_base_rate_on_held_out_years() {
    let series = common::btc_hourly();
    let config = ThresholdConfig::default();
    let (questions, fits) = threshold_questions(&series, &config);
    let years: Vec<i64> = fits.iter().map(|f| f.year).collect();
    assert_eq!(years, vec![2019, 2020, 2021, 2022, 2023, 2024], "held-out years");
    let scores = Scores::of_questions(&questions);
    let skill = scores.skill(PRIMARY, 3);
    eprintln!(
        "{} questions: Brier garch_t {:.4}, ewma_t {:.4}, constant vol {:.4}, base rate {:.4}; skill vs base rate {skill:.4}, vs constant vol {:.4}",
        scores.questions,
        scores.brier[0],
        scores.brier[1],
        scores.brier[2],
        scores.brier[3],
        scores.skill(PRIMARY, 2)
    );
    assert!(scores.questions > 200_000, "too few questions scored: {}", scores.questions);
    assert!(skill > 0.0, "Brier skill against the base rate is {skill}");
    // Every model's fit used only the two years before its held-out year.
    for fit in &fits {
        assert!(fit.train_to <= format!("{}-01-01", fit.year), "{} trained up to {}", fit.year, fit.train_to);
    }
}

#[test]
fn forecaster_answers_any_horizon_from_an_hour_to_30_days() {
    use augury_intel::candle::{MS_PER_DAY, MS_PER_HOUR};
    use augury_intel::threshold::{ModelKind, ThresholdError, ThresholdForecaster, ThresholdModel};

    let series = common::btc_hourly();
    let window = &series.candles[30_000..47_520];
    let anchors = [1, 4, 24, 168, 720];
    let model = ThresholdModel::fit(ModelKind::GarchT, window, MS_PER_HOUR, &anchors, 7).unwrap();
    let mut forecaster = ThresholdForecaster::new(model, MS_PER_HOUR);
    assert_eq!(forecaster.probability_at_or_above(100.0, MS_PER_HOUR), Err(ThresholdError::NoData));
    for c in window {
        forecaster.update(c);
    }
    let spot = window.last().unwrap().close;
    for horizon_ms in [MS_PER_HOUR, 3 * MS_PER_HOUR, MS_PER_DAY, 10 * MS_PER_DAY, 30 * MS_PER_DAY] {
        let p = |k: f64| forecaster.probability_at_or_above(k, horizon_ms).unwrap();
        let mut last = 1.0;
        for step in -10..=10 {
            let q = p(spot * (1.0 + 0.01 * f64::from(step)));
            assert!((0.0..=1.0).contains(&q) && q <= last, "P falls as the strike rises");
            last = q;
        }
        assert!((0.3..0.7).contains(&p(spot)), "at the money: {}", p(spot));
    }
    // Further out, the same out-of-the-money strike is likelier.
    let k = spot * 1.05;
    assert!(
        forecaster.probability_at_or_above(k, MS_PER_DAY).unwrap()
            < forecaster.probability_at_or_above(k, 30 * MS_PER_DAY).unwrap()
    );
    assert!(matches!(forecaster.probability_at_or_above(k, 31 * MS_PER_DAY), Err(ThresholdError::Horizon { .. })));
    assert!(matches!(forecaster.probability_at_or_above(k, MS_PER_HOUR / 2), Err(ThresholdError::Horizon { .. })));
    assert!(matches!(forecaster.probability_at_or_above(-1.0, MS_PER_DAY), Err(ThresholdError::Price { .. })));
}
