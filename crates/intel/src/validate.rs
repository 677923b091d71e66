//! Walk-forward validation with no look-ahead, reported whether the figures are good or bad.
//!
//! - **Threshold model**: for each held-out calendar year, every model is fitted on the two
//!   years before it (the first year held out is the first starting a year after the data
//!   does); then, every `stride` bars of that year, questions "will the close `h` later be at or
//!   above K?" are asked at strikes `K = S exp(z sigma sqrt(h))` (z from -2 to 2, sigma the
//!   training window's per-bar volatility). Scored by Brier and log loss against the base rate
//!   (the training window's frequency of YES at that horizon, one number per horizon) and against
//!   a naive constant-volatility lognormal, with a reliability table.
//! - **Signals**: per asset and horizon, the hit rate of bullish and bearish signals (sampled
//!   every `h` days so outcomes do not overlap) against the base rate of the same sample, with a
//!   one-sided binomial p-value; the rank IC of the Trader Grade across assets per date; the
//!   strategy against holding, net of fees.
//! - **Learned model**: logistic regression on the same ranked features, refitted each year on
//!   the years before (labels purged at the year's start); used only where it beats the baseline
//!   out of sample.
//! - **Look-ahead check**: everything is recomputed on data truncated at several moments and
//!   compared bit for bit with the full run; any past value that changes fails the validation.

use crate::candle::{format_time, resample_daily, year_of, year_start_ms, Candle, Series, MS_PER_DAY, MS_PER_HOUR};
use crate::grades::{grade_series, DailyGrade, GradeConfig, FEATURES, FEATURE_COUNT};
use crate::logistic::Logistic;
use crate::stats::{binomial_upper_tail, brier, log_loss, mean_stats, spearman, MeanStats};
use crate::threshold::{index_at, ModelKind, ThresholdModel};
use crate::volatility::{self, VolModel};
use serde::Serialize;
use std::collections::BTreeMap;

/// One asset's candles under a name.
#[derive(Clone, Debug)]
pub struct Asset {
    pub name: String,
    pub series: Series,
    /// Counted in the cross-section for rank IC (leave out a second copy of the same coin).
    pub in_cross_section: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ThresholdConfig {
    pub horizons_ms: Vec<i64>,
    pub z_grid: Vec<f64>,
    /// Bars between question times; 0 picks about 7 hours for bars under a day (7 for hourly
    /// bars, so questions cycle through the hours of the day) and 1 for daily.
    pub stride_bars: usize,
    pub train_days: i64,
    /// At most this many bars of training window (bounds the fit's time on minute bars).
    pub train_bars_max: usize,
    pub min_train_days: i64,
}

impl Default for ThresholdConfig {
    fn default() -> ThresholdConfig {
        ThresholdConfig {
            horizons_ms: vec![MS_PER_HOUR, 4 * MS_PER_HOUR, MS_PER_DAY, 7 * MS_PER_DAY, 30 * MS_PER_DAY],
            z_grid: vec![-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0],
            stride_bars: 0,
            train_days: 730,
            train_bars_max: 100_000,
            min_train_days: 365,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ValidateConfig {
    pub fee_bps: f64,
    pub signal_horizons_days: Vec<usize>,
    pub threshold: ThresholdConfig,
    /// Truncation points for the look-ahead check, spread over the held-out period.
    pub look_ahead_cuts: usize,
    pub learned_l2: f64,
}

impl Default for ValidateConfig {
    fn default() -> ValidateConfig {
        ValidateConfig {
            fee_bps: 10.0,
            signal_horizons_days: vec![1, 7, 30],
            threshold: ThresholdConfig::default(),
            look_ahead_cuts: 6,
            learned_l2: 1.0,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Threshold questions

/// The models scored, in this order in [`Question::p`].
pub const THRESHOLD_MODELS: [&str; 4] = ["garch_t", "ewma_t", "constant_vol", "base_rate"];
/// The model the headline figures are for.
pub const PRIMARY: usize = 0;

#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// When the forecast is made (a candle's close).
    pub time_ms: i64,
    pub horizon_ms: i64,
    pub z: f64,
    pub spot: f64,
    pub strike: f64,
    pub p: [f64; 4],
    /// None while the horizon's candle is not in the data.
    pub outcome: Option<bool>,
}

/// What was fitted for one held-out year.
#[derive(Clone, Debug, Serialize)]
pub struct YearFit {
    pub year: i64,
    pub train_from: String,
    pub train_to: String,
    pub train_bars: u64,
    pub garch_t: ThresholdModel,
    pub ewma_t: ThresholdModel,
    pub volatility_per_bar: f64,
    /// YES frequency on the training window per horizon (the base-rate forecast).
    pub base_rate: Vec<f64>,
}

fn stride_of(config: &ThresholdConfig, bar_ms: i64) -> usize {
    match config.stride_bars {
        // About every 7 hours (7 is prime to 24, so question times cycle through the day).
        0 if bar_ms < MS_PER_DAY => ((7 * MS_PER_HOUR) / bar_ms).max(1) as usize,
        0 => 1,
        s => s,
    }
}

/// The held-out years of a series: from the first whose 1 January is `min_train_days` after
/// the first candle, to the last year with a candle.
pub fn held_out_years(series: &Series, min_train_days: i64) -> Vec<i64> {
    let (Some(first), Some(last)) = (series.candles.first(), series.candles.last()) else { return Vec::new() };
    let mut year = year_of(first.open_time_ms);
    while year_start_ms(year) < first.open_time_ms + min_train_days * MS_PER_DAY {
        year += 1;
    }
    (year..=year_of(last.open_time_ms + series.interval.ms()))
        .filter(|&y| year_start_ms(y) <= last.open_time_ms)
        .collect()
}

/// Asks and answers every threshold question of every held-out year. Each forecast uses only
/// candles closed by its time (fits use the window before the year).
pub fn threshold_questions(series: &Series, config: &ThresholdConfig) -> (Vec<Question>, Vec<YearFit>) {
    let bar_ms = series.interval.ms();
    let horizons: Vec<(i64, usize)> = config
        .horizons_ms
        .iter()
        .filter(|&&h| h >= bar_ms && h % bar_ms == 0)
        .map(|&h| (h, (h / bar_ms) as usize))
        .collect();
    let anchors: Vec<usize> = horizons.iter().map(|&(_, b)| b).collect();
    let stride = stride_of(config, bar_ms);
    let candles = &series.candles;
    let mut questions = Vec::new();
    let mut fits = Vec::new();
    for year in held_out_years(series, config.min_train_days) {
        let start = year_start_ms(year);
        let end = year_start_ms(year + 1);
        let to = candles.partition_point(|c| c.open_time_ms + bar_ms <= start);
        let from = candles
            .partition_point(|c| c.open_time_ms < start - config.train_days * MS_PER_DAY)
            .max(to.saturating_sub(config.train_bars_max));
        let window = &candles[from..to];
        let fit = |kind| ThresholdModel::fit(kind, window, bar_ms, &anchors, stride);
        let (Ok(garch), Ok(ewma), Ok(constant)) =
            (fit(ModelKind::GarchT), fit(ModelKind::EwmaT), fit(ModelKind::ConstantNormal))
        else {
            continue;
        };
        let sigma = constant.sample_variance.sqrt();
        let base_rate: Vec<f64> =
            anchors.iter().map(|&h| training_frequency(window, bar_ms, h, stride, sigma, &config.z_grid)).collect();

        // Variance for the bar after each candle, from the window's start onwards.
        let year_to = candles.partition_point(|c| c.open_time_ms + bar_ms < end);
        let garch_v = variances(&garch.vol, &candles[from..year_to], garch.sample_variance);
        let ewma_v = variances(&ewma.vol, &candles[from..year_to], ewma.sample_variance);
        for (k, i) in (to..year_to).enumerate() {
            if k % stride != 0 {
                continue;
            }
            let c = candles[i];
            let spot = c.close;
            for (hi, &(horizon_ms, bars)) in horizons.iter().enumerate() {
                let target = index_at(candles, i, c.open_time_ms + horizon_ms);
                for &z in &config.z_grid {
                    let strike = spot * (z * sigma * (bars as f64).sqrt()).exp();
                    let h = bars as f64;
                    let p = [
                        garch.probability_at_or_above(spot, strike, garch_v[i - from], h),
                        ewma.probability_at_or_above(spot, strike, ewma_v[i - from], h),
                        constant.probability_at_or_above(spot, strike, constant.sample_variance, h),
                        base_rate[hi],
                    ];
                    let outcome = target.map(|j| candles[j].close >= strike);
                    questions.push(Question {
                        time_ms: c.open_time_ms + bar_ms,
                        horizon_ms,
                        z,
                        spot,
                        strike,
                        p,
                        outcome,
                    });
                }
            }
        }
        fits.push(YearFit {
            year,
            train_from: format_time(window.first().map_or(0, |c| c.open_time_ms)),
            train_to: format_time(window.last().map_or(0, |c| c.open_time_ms + bar_ms)),
            train_bars: window.len() as u64,
            garch_t: garch,
            ewma_t: ewma,
            volatility_per_bar: sigma,
            base_rate,
        });
    }
    (questions, fits)
}

fn variances(model: &VolModel, candles: &[Candle], sample_variance: f64) -> Vec<f64> {
    let mut v = model.initial_variance(sample_variance);
    let mut out = Vec::with_capacity(candles.len());
    for (i, c) in candles.iter().enumerate() {
        if i > 0 {
            v = model.next_variance(v, (c.close / candles[i - 1].close).ln());
        }
        out.push(v);
    }
    out
}

/// YES frequency of the training window's own questions at one horizon.
fn training_frequency(window: &[Candle], bar_ms: i64, bars: usize, stride: usize, sigma: f64, z_grid: &[f64]) -> f64 {
    let (mut yes, mut total) = (0u64, 0u64);
    for i in (0..window.len()).step_by(stride.max(1)) {
        let Some(j) = index_at(window, i, window[i].open_time_ms + bars as i64 * bar_ms) else { continue };
        for &z in z_grid {
            let strike = window[i].close * (z * sigma * (bars as f64).sqrt()).exp();
            yes += u64::from(window[j].close >= strike);
            total += 1;
        }
    }
    if total == 0 {
        0.5
    } else {
        yes as f64 / total as f64
    }
}

// ---------------------------------------------------------------------------------------------
// Scores

#[derive(Clone, Debug, Default, Serialize)]
pub struct Scores {
    pub questions: u64,
    pub yes_rate: f64,
    /// Per model in [`THRESHOLD_MODELS`] order.
    pub brier: [f64; 4],
    pub log_loss: [f64; 4],
}

impl Scores {
    /// Scores every answered question.
    pub fn of_questions(questions: &[Question]) -> Scores {
        Scores::of(questions.iter())
    }

    fn of<'a>(questions: impl Iterator<Item = &'a Question>) -> Scores {
        let mut s = Scores::default();
        let mut yes = 0u64;
        for q in questions {
            let Some(o) = q.outcome else { continue };
            s.questions += 1;
            yes += u64::from(o);
            for m in 0..4 {
                s.brier[m] += brier(q.p[m], o);
                s.log_loss[m] += log_loss(q.p[m], o);
            }
        }
        if s.questions == 0 {
            return Scores { questions: 0, yes_rate: f64::NAN, brier: [f64::NAN; 4], log_loss: [f64::NAN; 4] };
        }
        {
            let n = s.questions as f64;
            s.yes_rate = yes as f64 / n;
            for m in 0..4 {
                s.brier[m] /= n;
                s.log_loss[m] /= n;
            }
        }
        s
    }

    /// 1 - Brier(model) / Brier(reference).
    pub fn skill(&self, model: usize, reference: usize) -> f64 {
        if self.questions == 0 {
            f64::NAN
        } else if self.brier[reference] > 0.0 {
            1.0 - self.brier[model] / self.brier[reference]
        } else {
            0.0
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ReliabilityBin {
    pub from: f64,
    pub to: f64,
    pub questions: u64,
    pub mean_forecast: f64,
    pub observed: f64,
}

fn reliability(questions: &[Question], model: usize, bins: usize) -> Vec<ReliabilityBin> {
    let mut acc = vec![(0u64, 0.0, 0u64); bins];
    for q in questions {
        let Some(o) = q.outcome else { continue };
        let b = ((q.p[model] * bins as f64) as usize).min(bins - 1);
        acc[b].0 += 1;
        acc[b].1 += q.p[model];
        acc[b].2 += u64::from(o);
    }
    acc.iter()
        .enumerate()
        .map(|(b, &(n, sum, yes))| ReliabilityBin {
            from: b as f64 / bins as f64,
            to: (b + 1) as f64 / bins as f64,
            questions: n,
            mean_forecast: if n > 0 { sum / n as f64 } else { f64::NAN },
            observed: if n > 0 { yes as f64 / n as f64 } else { f64::NAN },
        })
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct ThresholdReport {
    pub asset: String,
    pub interval: String,
    pub stride_bars: u64,
    pub z_grid: Vec<f64>,
    pub models: Vec<&'static str>,
    pub overall: Scores,
    pub skill_vs_base_rate: f64,
    pub skill_vs_constant_vol: f64,
    pub per_horizon: Vec<(String, Scores)>,
    pub per_year: Vec<(i64, Scores)>,
    pub reliability: Vec<ReliabilityBin>,
    pub fits: Vec<YearFit>,
}

fn horizon_label(ms: i64) -> String {
    if ms % MS_PER_DAY == 0 {
        format!("{}d", ms / MS_PER_DAY)
    } else {
        format!("{}h", ms / MS_PER_HOUR)
    }
}

fn threshold_report(
    asset: &Asset,
    questions: &[Question],
    fits: Vec<YearFit>,
    config: &ThresholdConfig,
) -> ThresholdReport {
    let overall = Scores::of(questions.iter());
    let mut horizons: Vec<i64> = questions.iter().map(|q| q.horizon_ms).collect();
    horizons.sort_unstable();
    horizons.dedup();
    let per_horizon = horizons
        .iter()
        .map(|&h| (horizon_label(h), Scores::of(questions.iter().filter(|q| q.horizon_ms == h))))
        .collect();
    let per_year = fits
        .iter()
        .map(|f| (f.year, Scores::of(questions.iter().filter(|q| year_of(q.time_ms - 1) == f.year))))
        .filter(|(_, s)| s.questions > 0)
        .collect();
    ThresholdReport {
        asset: asset.name.clone(),
        interval: asset.series.interval.label(),
        stride_bars: stride_of(config, asset.series.interval.ms()) as u64,
        z_grid: config.z_grid.clone(),
        models: THRESHOLD_MODELS.to_vec(),
        skill_vs_base_rate: overall.skill(PRIMARY, 3),
        skill_vs_constant_vol: overall.skill(PRIMARY, 2),
        overall,
        per_horizon,
        per_year,
        reliability: reliability(questions, PRIMARY, 10),
        fits,
    }
}

// ---------------------------------------------------------------------------------------------
// Signals, rank IC, strategy

#[derive(Clone, Debug, Serialize)]
pub struct SignalReport {
    pub asset: String,
    pub horizon_days: u64,
    /// Sampled days (every `horizon_days`) with a grade and a known forward return.
    pub sampled_days: u64,
    pub bullish: u64,
    pub bullish_hits: u64,
    /// Share of sampled days whose forward return was above zero.
    pub up_rate: f64,
    pub bearish: u64,
    pub bearish_hits: u64,
    pub signals: u64,
    pub hits: u64,
    pub hit_rate: f64,
    /// The hit rate a signal with no skill would expect on these days.
    pub base_rate: f64,
    /// P(hits at least this many | no skill), one-sided binomial.
    pub p_value: f64,
}

/// The return from day `d`'s close to the close `h` days later (by date, so gaps do not shift
/// it), if that day is in the data.
fn forward_return(grades: &[DailyGrade], d: usize, h: usize) -> Option<f64> {
    let target = grades[d].open_time_ms + h as i64 * MS_PER_DAY;
    let rest = &grades[d..];
    let k = rest.partition_point(|g| g.open_time_ms < target);
    rest.get(k).filter(|g| g.open_time_ms == target).map(|g| g.close / grades[d].close - 1.0)
}

fn signal_report(asset: &str, grades: &[DailyGrade], h: usize) -> SignalReport {
    let first = grades.iter().position(|g| g.trader.is_some()).unwrap_or(grades.len());
    let (mut sampled, mut ups, mut downs) = (0u64, 0u64, 0u64);
    let (mut bullish, mut bullish_hits, mut bearish, mut bearish_hits) = (0u64, 0u64, 0u64, 0u64);
    let mut d = first;
    while d < grades.len() {
        let Some(forward) = forward_return(grades, d, h) else {
            d += h;
            continue;
        };
        sampled += 1;
        ups += u64::from(forward > 0.0);
        downs += u64::from(forward < 0.0);
        match grades[d].signal {
            1 => {
                bullish += 1;
                bullish_hits += u64::from(forward > 0.0);
            }
            -1 => {
                bearish += 1;
                bearish_hits += u64::from(forward < 0.0);
            }
            _ => {}
        }
        d += h;
    }
    let up_rate = if sampled > 0 { ups as f64 / sampled as f64 } else { f64::NAN };
    let down_rate = if sampled > 0 { downs as f64 / sampled as f64 } else { f64::NAN };
    let signals = bullish + bearish;
    let hits = bullish_hits + bearish_hits;
    let base_rate =
        if signals > 0 { (bullish as f64 * up_rate + bearish as f64 * down_rate) / signals as f64 } else { f64::NAN };
    SignalReport {
        asset: asset.to_string(),
        horizon_days: h as u64,
        sampled_days: sampled,
        bullish,
        bullish_hits,
        up_rate,
        bearish,
        bearish_hits,
        signals,
        hits,
        hit_rate: if signals > 0 { hits as f64 / signals as f64 } else { f64::NAN },
        base_rate,
        p_value: if signals > 0 { binomial_upper_tail(hits, signals, base_rate) } else { f64::NAN },
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RankIcReport {
    pub horizon_days: u64,
    pub assets: Vec<String>,
    /// Dates (every `horizon_days`) on which every asset had a grade and a forward return.
    pub ic: MeanStats,
}

fn rank_ic(cross: &[(&str, &[DailyGrade])], h: usize) -> RankIcReport {
    // Dates on which every asset has a Trader Grade and a forward return h days later.
    let mut by_date: BTreeMap<i64, Vec<(f64, f64)>> = BTreeMap::new();
    for (_, grades) in cross {
        for d in 0..grades.len() {
            if let (Some(t), Some(forward)) = (grades[d].trader, forward_return(grades, d, h)) {
                by_date.entry(grades[d].open_time_ms).or_default().push((t, forward));
            }
        }
    }
    let full: Vec<&Vec<(f64, f64)>> = by_date.values().filter(|v| v.len() == cross.len()).collect();
    let ics: Vec<f64> = full
        .iter()
        .step_by(h.max(1))
        .filter_map(|v| {
            let (g, f): (Vec<f64>, Vec<f64>) = v.iter().copied().unzip();
            spearman(&g, &f)
        })
        .collect();
    RankIcReport {
        horizon_days: h as u64,
        assets: cross.iter().map(|(n, _)| n.to_string()).collect(),
        ic: mean_stats(&ics),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct StrategyReport {
    pub asset: String,
    pub from: String,
    pub to: String,
    pub days: u64,
    pub position_changes: u64,
    pub fee_bps: f64,
    pub strategy_return: f64,
    pub hold_return: f64,
    pub days_long: u64,
}

fn strategy_report(asset: &str, grades: &[DailyGrade], fee_bps: f64) -> Option<StrategyReport> {
    let first = grades.iter().position(|g| g.trader.is_some())?;
    let last = grades.last()?;
    let graded = &grades[first..];
    let changes = graded.windows(2).filter(|w| w[0].position != w[1].position).count() as u64
        + u64::from(graded[0].position == 1);
    Some(StrategyReport {
        asset: asset.to_string(),
        from: format_time(graded[0].open_time_ms),
        to: format_time(last.open_time_ms),
        days: graded.len() as u64,
        position_changes: changes,
        fee_bps,
        strategy_return: last.strategy_return,
        hold_return: last.hold_return,
        days_long: graded.iter().filter(|g| g.position == 1).count() as u64,
    })
}

// ---------------------------------------------------------------------------------------------
// Learned model

#[derive(Clone, Debug, Serialize)]
pub struct LearnedReport {
    pub horizon_days: u64,
    pub test_years: Vec<i64>,
    pub test_rows: u64,
    /// Spearman of score against forward return over the held-out rows.
    pub baseline_ic: f64,
    pub learned_ic: f64,
    pub learned_beats_baseline: bool,
    pub selected: &'static str,
}

/// One asset-day with every feature and a known forward return.
#[derive(Clone, Copy, Debug)]
struct Row {
    asset: usize,
    time_ms: i64,
    x: [f64; FEATURE_COUNT],
    trader: f64,
    forward: f64,
}

fn learned_rows(asset: usize, grades: &[DailyGrade], h: usize) -> Vec<Row> {
    (0..grades.len())
        .filter_map(|d| {
            let g = &grades[d];
            let trader = g.trader?;
            if g.ranks.iter().any(|r| r.is_nan()) {
                return None;
            }
            let forward = forward_return(grades, d, h)?;
            let mut x = [0.0; FEATURE_COUNT];
            for (xi, r) in x.iter_mut().zip(g.ranks) {
                *xi = f64::from(r) - 0.5;
            }
            Some(Row { asset, time_ms: g.open_time_ms, x, trader, forward })
        })
        .collect()
}

/// Walk-forward predictions of the learned model: (row, probability) for every held-out row.
fn learned_predictions(assets: &[&[DailyGrade]], h: usize, l2: f64) -> (Vec<(Row, f64)>, Vec<i64>) {
    let rows: Vec<Row> = assets.iter().enumerate().flat_map(|(a, g)| learned_rows(a, g, h)).collect();
    let Some(first) = rows.iter().map(|r| r.time_ms).min() else { return (Vec::new(), Vec::new()) };
    let last = rows.iter().map(|r| r.time_ms).max().unwrap_or(first);
    let mut out = Vec::new();
    let mut years = Vec::new();
    for year in (year_of(first) + 1)..=year_of(last) {
        let start = year_start_ms(year);
        // Purged: a training label must be known by the year's start.
        let train: Vec<&Row> = rows.iter().filter(|r| r.time_ms + (h as i64 + 1) * MS_PER_DAY <= start).collect();
        if train.len() < 365 {
            continue;
        }
        let x: Vec<Vec<f64>> = train.iter().map(|r| r.x.to_vec()).collect();
        let y: Vec<bool> = train.iter().map(|r| r.forward > 0.0).collect();
        let model = Logistic::fit(&x, &y, l2);
        let test: Vec<&Row> = rows.iter().filter(|r| year_of(r.time_ms) == year).collect();
        if test.is_empty() {
            continue;
        }
        years.push(year);
        out.extend(test.into_iter().map(|r| (*r, model.predict(&r.x))));
    }
    (out, years)
}

fn learned_report(assets: &[&[DailyGrade]], h: usize, l2: f64) -> LearnedReport {
    let (predictions, test_years) = learned_predictions(assets, h, l2);
    let forward: Vec<f64> = predictions.iter().map(|(r, _)| r.forward).collect();
    let baseline: Vec<f64> = predictions.iter().map(|(r, _)| r.trader).collect();
    let learned: Vec<f64> = predictions.iter().map(|(_, p)| *p).collect();
    let baseline_ic = spearman(&baseline, &forward).unwrap_or(f64::NAN);
    let learned_ic = spearman(&learned, &forward).unwrap_or(f64::NAN);
    let beats = learned_ic > baseline_ic;
    LearnedReport {
        horizon_days: h as u64,
        test_years,
        test_rows: predictions.len() as u64,
        baseline_ic,
        learned_ic,
        learned_beats_baseline: beats,
        selected: if beats { "learned" } else { "baseline" },
    }
}

// ---------------------------------------------------------------------------------------------
// Look-ahead check

#[derive(Clone, Debug, Default, Serialize)]
pub struct LookAheadReport {
    pub cuts: Vec<String>,
    pub values_compared: u64,
    pub mismatches: u64,
    pub first_mismatch: Option<String>,
    pub passed: bool,
}

impl LookAheadReport {
    /// Counts one value compared; `what` names it, called only if the value changed.
    fn compare(&mut self, what: impl FnOnce() -> String, at: i64, a: f64, b: f64) {
        self.values_compared += 1;
        if a.to_bits() != b.to_bits() {
            self.mismatches += 1;
            if self.first_mismatch.is_none() {
                self.first_mismatch =
                    Some(format!("{} at {}: {a} on the full data, {b} truncated", what(), format_time(at)));
            }
        }
    }
}

fn truncate(series: &Series, cut_ms: i64) -> Series {
    Series { interval: series.interval, candles: series.known_at(cut_ms).to_vec() }
}

fn compare_grades(report: &mut LookAheadReport, name: &str, full: &[DailyGrade], part: &[DailyGrade]) {
    if part.len() > full.len() {
        report.mismatches += 1;
        return;
    }
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    for (a, b) in full.iter().zip(part) {
        let at = a.open_time_ms;
        report.compare(|| format!("{name} trader grade"), at, opt(a.trader), opt(b.trader));
        report.compare(|| format!("{name} investor grade"), at, opt(a.investor), opt(b.investor));
        report.compare(|| format!("{name} signal"), at, f64::from(a.signal), f64::from(b.signal));
        report.compare(|| format!("{name} strategy return"), at, a.strategy_return, b.strategy_return);
        for (x, y) in a.ranks.iter().zip(&b.ranks) {
            report.compare(|| format!("{name} feature rank"), at, f64::from(*x), f64::from(*y));
        }
    }
}

fn look_ahead_check(
    threshold_asset: &Asset,
    full_questions: &[Question],
    grade_assets: &[Asset],
    full_grades: &[Vec<DailyGrade>],
    learned_full: &[(usize, Vec<(Row, f64)>)],
    learned_assets: &[usize],
    config: &ValidateConfig,
) -> LookAheadReport {
    let mut report = LookAheadReport::default();
    let series = &threshold_asset.series;
    let years = held_out_years(series, config.threshold.min_train_days);
    let (Some(&first_year), Some(last)) = (years.first(), series.candles.last()) else {
        report.passed = true;
        return report;
    };
    let from = year_start_ms(first_year);
    let to = last.open_time_ms;
    let n = config.look_ahead_cuts.max(1) as i64;
    for k in 1..=n {
        // Spread over the held-out period, at odd hours so cuts fall inside days and years.
        let cut = from + (to - from) * k / (n + 1) + 13 * MS_PER_HOUR;
        report.cuts.push(format_time(cut));
        let (part, _) = threshold_questions(&truncate(series, cut), &config.threshold);
        let full_before: Vec<&Question> = full_questions.iter().filter(|q| q.time_ms <= cut).collect();
        if part.len() != full_before.len() {
            report.mismatches += 1;
            report.first_mismatch.get_or_insert_with(|| {
                format!(
                    "{} threshold questions before {} on the full data, {} truncated",
                    full_before.len(),
                    format_time(cut),
                    part.len()
                )
            });
        }
        for (a, b) in full_before.iter().zip(&part) {
            for (m, model) in THRESHOLD_MODELS.iter().enumerate() {
                report.compare(|| format!("P(>= strike) by {model}"), a.time_ms, a.p[m], b.p[m]);
            }
            report.compare(|| "strike".to_string(), a.time_ms, a.strike, b.strike);
        }
        let mut part_grades = Vec::new();
        for (asset, full) in grade_assets.iter().zip(full_grades) {
            let g =
                grade_series(&resample_daily(&truncate(&asset.series, cut)), GradeConfig { fee_bps: config.fee_bps });
            compare_grades(&mut report, &asset.name, full, &g);
            part_grades.push(g);
        }
        for (h, full) in learned_full {
            let slices: Vec<&[DailyGrade]> = learned_assets.iter().map(|&i| part_grades[i].as_slice()).collect();
            let (part, _) = learned_predictions(&slices, *h, config.learned_l2);
            // Every prediction the truncated run makes must equal the full run's for that row.
            let full_by_row: BTreeMap<(usize, i64), f64> =
                full.iter().map(|(r, p)| ((r.asset, r.time_ms), *p)).collect();
            for (r, p) in &part {
                match full_by_row.get(&(r.asset, r.time_ms)) {
                    Some(&q) => report.compare(|| format!("learned {h}d probability"), r.time_ms, q, *p),
                    None => {
                        report.mismatches += 1;
                        report.first_mismatch.get_or_insert_with(|| {
                            format!(
                                "learned {h}d: a truncated run predicts {}, the full run does not",
                                format_time(r.time_ms)
                            )
                        });
                    }
                }
            }
        }
    }
    report.passed = report.mismatches == 0;
    report
}

// ---------------------------------------------------------------------------------------------
// The whole validation

#[derive(Clone, Debug, Serialize)]
pub struct DataSummary {
    pub asset: String,
    pub interval: String,
    pub candles: u64,
    pub from: String,
    pub to: String,
    pub gaps: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport {
    /// Brier score of the threshold model (GARCH-t) on the held-out years.
    pub threshold_brier: f64,
    pub threshold_brier_base_rate: f64,
    pub threshold_brier_constant_vol: f64,
    /// 1 - Brier / Brier of the base rate (above 0: better than the base rate).
    pub threshold_brier_skill: f64,
    pub threshold_brier_skill_vs_constant_vol: f64,
    pub threshold_log_loss: f64,
    pub threshold_log_loss_base_rate: f64,
    pub threshold_log_loss_constant_vol: f64,
    pub threshold_questions: u64,
    /// Held-out years with at least one answered question.
    pub threshold_test_years: Vec<i64>,
    pub look_ahead_passed: bool,
    pub data: Vec<DataSummary>,
    pub look_ahead: LookAheadReport,
    pub threshold: ThresholdReport,
    pub signals: Vec<SignalReport>,
    pub rank_ic: Vec<RankIcReport>,
    pub strategy: Vec<StrategyReport>,
    pub learned: Vec<LearnedReport>,
    pub config: ValidateConfig,
}

/// Runs the whole validation: threshold probabilities on `threshold_asset` (at its own
/// interval), grades and signals on every asset in `grade_assets` (resampled to days).
pub fn validate(threshold_asset: &Asset, grade_assets: &[Asset], config: &ValidateConfig) -> ValidationReport {
    let (questions, fits) = threshold_questions(&threshold_asset.series, &config.threshold);
    let threshold = threshold_report(threshold_asset, &questions, fits, &config.threshold);

    let grade_config = GradeConfig { fee_bps: config.fee_bps };
    let grades: Vec<Vec<DailyGrade>> =
        grade_assets.iter().map(|a| grade_series(&resample_daily(&a.series), grade_config)).collect();
    let mut signals = Vec::new();
    for &h in &config.signal_horizons_days {
        for (asset, g) in grade_assets.iter().zip(&grades) {
            signals.push(signal_report(&asset.name, g, h));
        }
    }
    let cross: Vec<(&str, &[DailyGrade])> = grade_assets
        .iter()
        .zip(&grades)
        .filter(|(a, _)| a.in_cross_section)
        .map(|(a, g)| (a.name.as_str(), g.as_slice()))
        .collect();
    let rank_ic = if cross.len() >= 3 {
        config.signal_horizons_days.iter().map(|&h| rank_ic(&cross, h)).collect()
    } else {
        Vec::new()
    };
    let strategy =
        grade_assets.iter().zip(&grades).filter_map(|(a, g)| strategy_report(&a.name, g, config.fee_bps)).collect();

    // The learned model trains on the cross-section's assets (or every asset if there is none).
    let learned_assets: Vec<usize> = if cross.len() >= 2 {
        (0..grade_assets.len()).filter(|&i| grade_assets[i].in_cross_section).collect()
    } else {
        (0..grade_assets.len()).collect()
    };
    let slices: Vec<&[DailyGrade]> = learned_assets.iter().map(|&i| grades[i].as_slice()).collect();
    let learned: Vec<LearnedReport> =
        config.signal_horizons_days.iter().map(|&h| learned_report(&slices, h, config.learned_l2)).collect();
    let learned_full: Vec<(usize, Vec<(Row, f64)>)> = config
        .signal_horizons_days
        .iter()
        .map(|&h| (h, learned_predictions(&slices, h, config.learned_l2).0))
        .collect();

    let look_ahead =
        look_ahead_check(threshold_asset, &questions, grade_assets, &grades, &learned_full, &learned_assets, config);

    let mut data = vec![summary(threshold_asset)];
    data.extend(grade_assets.iter().filter(|a| a.name != threshold_asset.name).map(summary));
    let o = &threshold.overall;
    ValidationReport {
        threshold_brier: o.brier[PRIMARY],
        threshold_brier_base_rate: o.brier[3],
        threshold_brier_constant_vol: o.brier[2],
        threshold_brier_skill: threshold.skill_vs_base_rate,
        threshold_brier_skill_vs_constant_vol: threshold.skill_vs_constant_vol,
        threshold_log_loss: o.log_loss[PRIMARY],
        threshold_log_loss_base_rate: o.log_loss[3],
        threshold_log_loss_constant_vol: o.log_loss[2],
        threshold_questions: o.questions,
        threshold_test_years: threshold.per_year.iter().map(|(y, _)| *y).collect(),
        look_ahead_passed: look_ahead.passed,
        data,
        look_ahead,
        threshold,
        signals,
        rank_ic,
        strategy,
        learned,
        config: config.clone(),
    }
}

fn summary(asset: &Asset) -> DataSummary {
    let c = &asset.series.candles;
    DataSummary {
        asset: asset.name.clone(),
        interval: asset.series.interval.label(),
        candles: c.len() as u64,
        from: c.first().map_or_else(String::new, |c| format_time(c.open_time_ms)),
        to: c.last().map_or_else(String::new, |c| format_time(c.open_time_ms)),
        gaps: asset.series.gaps(),
    }
}

/// Volatility of log returns per bar over a whole series (for the report's context).
pub fn volatility_per_bar(series: &Series) -> f64 {
    let closes: Vec<f64> = series.candles.iter().map(|c| c.close).collect();
    volatility::mean_square(&volatility::log_returns(&closes)).sqrt()
}

/// The features table, for the report.
pub fn features_table() -> Vec<(&'static str, &'static str, f64, &'static str)> {
    FEATURES
        .iter()
        .map(|f| {
            (
                f.name,
                if f.grade == crate::grades::GradeKind::Trader { "Trader" } else { "Investor" },
                f.weight,
                f.definition,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_notices_any_changed_bit() {
        let mut r = LookAheadReport::default();
        r.compare(|| "same".into(), 0, 1.0, 1.0);
        r.compare(|| "nan".into(), 0, f64::NAN, f64::NAN);
        r.compare(|| "moved".into(), MS_PER_DAY, 1.0, 1.0 + f64::EPSILON);
        assert_eq!((r.values_compared, r.mismatches), (3, 1));
        assert!(r.first_mismatch.unwrap().starts_with("moved at 1970-01-02"));
    }

    #[test]
    fn a_grade_that_peeks_is_caught() {
        let series = crate::synth::synthetic_asset(3, 1, 600);
        let full = grade_series(&series, GradeConfig::default());
        // A leak: the truncated run's last grade differs from what the full run said that day.
        let mut part = grade_series(
            &Series { interval: series.interval, candles: series.candles[..500].to_vec() },
            GradeConfig::default(),
        );
        let mut report = LookAheadReport::default();
        compare_grades(&mut report, "honest", &full, &part);
        assert_eq!(report.mismatches, 0);
        if let Some(last) = part.last_mut() {
            last.trader = last.trader.map(|t| t + 1.0);
        }
        compare_grades(&mut report, "leaky", &full, &part);
        assert_eq!(report.mismatches, 1);
    }
}
