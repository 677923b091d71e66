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
