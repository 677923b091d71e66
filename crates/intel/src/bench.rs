//! The work `augury bench intel` times: indicators plus grades over many synthetic assets, split
//! across threads. No clock here (the command times it); the checksum shows the work was done
//! and that it is the same on every run and thread count.

use crate::candle::Series;
use crate::grades::{GradeConfig, GradeEngine};
use crate::synth::synthetic_asset;

/// Most assets one run takes (bounds memory: about 90 KB per asset-year).
pub const ASSETS_MAX: usize = 100_000;
pub const YEARS_MAX: u32 = 50;
pub const THREADS_MAX: usize = 256;

/// Days in `years` years (365.25 a year, rounded).
pub fn days_of(years: u32) -> usize {
    (f64::from(years) * 365.25).round() as usize
}

/// Generates `assets` synthetic assets of `years` years of daily candles on `threads` threads.
pub fn generate(seed: u64, assets: usize, years: u32, threads: usize) -> Vec<Series> {
    assert!(assets <= ASSETS_MAX && years <= YEARS_MAX, "at most {ASSETS_MAX} assets and {YEARS_MAX} years");
    let days = days_of(years);
    let threads = threads.clamp(1, THREADS_MAX);
    let mut out: Vec<Series> = Vec::with_capacity(assets);
    let chunk = assets.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..assets)
            .step_by(chunk)
            .map(|from| {
                let to = (from + chunk).min(assets);
                scope.spawn(move || (from..to).map(|a| synthetic_asset(seed, a as u64, days)).collect::<Vec<_>>())
            })
            .collect();
        for h in handles {
            out.extend(h.join().expect("a generator thread panicked"));
        }
    });
    out
}

/// What grading a set of assets produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct GradeTotals {
    pub candles: u64,
    /// Asset-days with both grades.
    pub graded_days: u64,
    /// Sum of all Trader and Investor Grades (a checksum of the work).
    pub grade_sum: f64,
}

fn grade_one(series: &Series, config: GradeConfig) -> GradeTotals {
    let mut engine = GradeEngine::new(config);
    let mut totals = GradeTotals { candles: series.candles.len() as u64, ..GradeTotals::default() };
    for c in &series.candles {
        let g = engine.update(c);
        if let (Some(t), Some(i)) = (g.trader, g.investor) {
            totals.graded_days += 1;
            totals.grade_sum += t + i;
        }
    }
    totals
}

/// Runs every indicator and both grades over every asset, on `threads` threads.
pub fn grade_assets(assets: &[Series], config: GradeConfig, threads: usize) -> GradeTotals {
    let threads = threads.clamp(1, THREADS_MAX);
    let chunk = assets.len().div_ceil(threads).max(1);
    let mut per_asset: Vec<GradeTotals> = Vec::with_capacity(assets.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = assets
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|s| grade_one(s, config)).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            per_asset.extend(h.join().expect("a grading thread panicked"));
        }
    });
    // Summed in asset order, so the checksum is the same whatever the thread count.
    per_asset.iter().fold(GradeTotals::default(), |a, p| GradeTotals {
        candles: a.candles + p.candles,
        graded_days: a.graded_days + p.graded_days,
        grade_sum: a.grade_sum + p.grade_sum,
    })
}
