//! Calibrated threshold probabilities: P(price at or above K at time T), for horizons from one
//! bar (an hour on hourly candles) to 30 days.
//!
//! The log return to the horizon is modelled as `-V/2 + sqrt(V) * s_h * Z`, where `V` is the
//! variance the volatility model expects over the horizon (GARCH mean-reverts, EWMA persists),
//! `Z` a unit-variance Student-t with `df_h` degrees of freedom (fat tails), and `s_h`, `df_h` a
//! calibration per horizon fitted by likelihood on the training window's own standardised
//! horizon returns (interpolated in log-horizon between the fitted horizons). With a normal `Z`
//! and `s_h = 1` this is the lognormal `N(d2)`.

use crate::candle::{Candle, MS_PER_DAY};
use crate::stats::{normal_cdf, unit_student_t_cdf};
use crate::volatility::{self, fit_scale_df, VolModel};
use serde::Serialize;
use thiserror::Error;

/// The longest horizon a probability is given for.
pub const HORIZON_MS_MAX: i64 = 30 * MS_PER_DAY;

#[derive(Debug, Error, PartialEq)]
pub enum ThresholdError {
    #[error("horizon {horizon_ms} ms is outside one bar ({bar_ms} ms) to 30 days")]
    Horizon { horizon_ms: i64, bar_ms: i64 },
    #[error("spot {spot} and strike {strike} must be finite and above zero")]
    Price { spot: f64, strike: f64 },
    #[error("the model has seen no candle yet")]
    NoData,
    #[error("{0} returns are too few to fit a volatility model (at least {1})")]
    TooFewReturns(usize, usize),
}

/// The calibration fitted at one horizon.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Calibration {
    pub bars: f64,
    pub scale: f64,
    pub df: f64,
    /// Training samples it was fitted on.
    pub samples: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// GARCH(1,1), Student-t innovations, calibrated per horizon.
    GarchT,
    /// EWMA variance, Student-t innovations, calibrated per horizon.
    EwmaT,
    /// The naive model: the training window's variance every bar, normal, not calibrated.
    ConstantNormal,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThresholdModel {
    pub kind: ModelKind,
    pub vol: VolModel,
    /// The training window's mean square return per bar (the filter's starting variance).
    pub sample_variance: f64,
    /// Sorted by `bars`; empty means scale 1 and a normal.
    pub calibration: Vec<Calibration>,
}

/// The fewest returns a fit accepts.
pub const FIT_RETURNS_MIN: usize = 100;

impl ThresholdModel {
    /// Fits a model on a training window of consecutive candles (every one closed before the
    /// moment the model is for), calibrating at the horizons `anchors_bars` with questions
    /// every `stride` bars whose outcome is inside the window.
    pub fn fit(
        kind: ModelKind,
        window: &[Candle],
        bar_ms: i64,
        anchors_bars: &[usize],
        stride: usize,
    ) -> Result<ThresholdModel, ThresholdError> {
        let closes: Vec<f64> = window.iter().map(|c| c.close).collect();
        let returns = volatility::log_returns(&closes);
        if returns.len() < FIT_RETURNS_MIN {
            return Err(ThresholdError::TooFewReturns(returns.len(), FIT_RETURNS_MIN));
        }
        let sample_variance = volatility::mean_square(&returns);
        let vol = match kind {
            ModelKind::GarchT => volatility::fit_garch_t(&returns),
            ModelKind::EwmaT => volatility::fit_ewma_t(&returns),
            ModelKind::ConstantNormal => VolModel::Constant { variance: sample_variance },
        };
        let mut model = ThresholdModel { kind, vol, sample_variance, calibration: Vec::new() };
        if kind != ModelKind::ConstantNormal {
            // variances[i]: expected variance of the bar after candle i.
            let start = vol.initial_variance(sample_variance);
            let mut variances = Vec::with_capacity(window.len());
            variances.push(start);
            variances.extend(volatility::filter(&vol, &returns, start));
            for &h in anchors_bars {
                let mut z = Vec::new();
                let mut i = 0;
                while i < window.len() {
                    if let Some(j) = index_at(window, i, window[i].open_time_ms + h as i64 * bar_ms) {
                        let v = vol.horizon_variance(variances[i], h as f64);
                        let r = (window[j].close / window[i].close).ln();
                        z.push((r + v / 2.0) / v.sqrt());
                    }
                    i += stride.max(1);
                }
                let (scale, df) = fit_scale_df(&z);
                model.calibration.push(Calibration { bars: h as f64, scale, df, samples: z.len() as u64 });
            }
            model.calibration.sort_by(|a, b| a.bars.total_cmp(&b.bars));
        }
        Ok(model)
    }

    /// (scale, df) at a horizon: the fitted values, interpolated linearly in log-horizon
    /// (scale in logs, df in log(df - 2)), held flat beyond the first and last.
    pub fn calibration_at(&self, bars: f64) -> (f64, f64) {
        let cal = &self.calibration;
        let Some(first) = cal.first() else {
            return (1.0, self.vol.df());
        };
        let last = cal[cal.len() - 1];
        if bars <= first.bars {
            return (first.scale, first.df);
        }
        if bars >= last.bars {
            return (last.scale, last.df);
        }
        let k = cal.partition_point(|c| c.bars <= bars).max(1);
        let (a, b) = (cal[k - 1], cal[k]);
        let w = (bars.ln() - a.bars.ln()) / (b.bars.ln() - a.bars.ln());
        let scale = (a.scale.ln() * (1.0 - w) + b.scale.ln() * w).exp();
        let df = 2.0 + ((a.df - 2.0).ln() * (1.0 - w) + (b.df - 2.0).ln() * w).exp();
        (scale, df)
    }

    /// P(price `bars` bars ahead >= strike), from the spot and the variance the model expects
    /// for the next bar.
    pub fn probability_at_or_above(&self, spot: f64, strike: f64, next_variance: f64, bars: f64) -> f64 {
        let (scale, df) = self.calibration_at(bars);
        let v = self.vol.horizon_variance(next_variance, bars);
        let sd = v.sqrt() * scale;
        if sd.is_nan() || sd <= 0.0 {
            return if spot >= strike { 1.0 } else { 0.0 };
        }
        let x = ((strike / spot).ln() + v / 2.0) / sd;
        let below = if df.is_finite() { unit_student_t_cdf(x, df) } else { normal_cdf(x) };
        (1.0 - below).clamp(0.0, 1.0)
    }
}

/// The index of the candle of `window` opening at `open_time_ms`, searching from `from`.
pub(crate) fn index_at(window: &[Candle], from: usize, open_time_ms: i64) -> Option<usize> {
    let rest = &window[from..];
    let k = rest.partition_point(|c| c.open_time_ms < open_time_ms);
    (k < rest.len() && rest[k].open_time_ms == open_time_ms).then_some(from + k)
}

/// A model kept current candle by candle: what a venue asks for a threshold market's fair price.
#[derive(Clone, Debug)]
pub struct ThresholdForecaster {
    model: ThresholdModel,
    bar_ms: i64,
    variance: f64,
    last: Option<Candle>,
}

impl ThresholdForecaster {
    pub fn new(model: ThresholdModel, bar_ms: i64) -> ThresholdForecaster {
        let variance = model.vol.initial_variance(model.sample_variance);
        ThresholdForecaster { model, bar_ms, variance, last: None }
    }

    pub fn model(&self) -> &ThresholdModel {
        &self.model
    }

    /// Takes the next closed candle.
    pub fn update(&mut self, candle: &Candle) {
        if let Some(prev) = self.last {
            let r = (candle.close / prev.close).ln();
            self.variance = self.model.vol.next_variance(self.variance, r);
        }
        self.last = Some(*candle);
    }

    /// The variance expected for the next bar.
    pub fn next_variance(&self) -> f64 {
        self.variance
    }

    /// P(price at or above `strike` `horizon_ms` after the last candle's close).
    pub fn probability_at_or_above(&self, strike: f64, horizon_ms: i64) -> Result<f64, ThresholdError> {
        let last = self.last.ok_or(ThresholdError::NoData)?;
        if horizon_ms < self.bar_ms || horizon_ms > HORIZON_MS_MAX {
            return Err(ThresholdError::Horizon { horizon_ms, bar_ms: self.bar_ms });
        }
        let spot = last.close;
        if !(spot.is_finite() && spot > 0.0 && strike.is_finite() && strike > 0.0) {
            return Err(ThresholdError::Price { spot, strike });
        }
        let bars = horizon_ms as f64 / self.bar_ms as f64;
        Ok(self.model.probability_at_or_above(spot, strike, self.variance, bars))
    }
}
