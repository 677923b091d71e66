//! Volatility models of per-bar log returns: constant, EWMA (RiskMetrics) and GARCH(1,1) with
//! Student-t innovations (fat tails), each fitted by maximum likelihood on a training window, and
//! the variance each expects over the next `h` bars.
//!
//! Returns are taken with zero mean (over an hour or a day the mean is small against the noise,
//! and an estimated drift is the first thing to overfit).

use crate::stats::{golden_section, nelder_mead, unit_student_t_ln_pdf};
use serde::Serialize;

/// Lowest degrees of freedom fitted (the t's variance is finite above 2).
pub const DF_MIN: f64 = 2.1;
/// Highest degrees of freedom fitted (effectively normal).
pub const DF_MAX: f64 = 200.0;

/// Log returns of consecutive closes.
pub fn log_returns(closes: &[f64]) -> Vec<f64> {
    closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

/// Mean square of returns: the zero-mean variance per bar.
pub fn mean_square(returns: &[f64]) -> f64 {
    if returns.is_empty() {
        return 0.0;
    }
    returns.iter().map(|r| r * r).sum::<f64>() / returns.len() as f64
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VolModel {
    /// The same variance every bar.
    Constant { variance: f64 },
    /// v' = lambda * v + (1 - lambda) * r^2.
    Ewma { lambda: f64, df: f64 },
    /// v' = omega + alpha * r^2 + beta * v, innovations Student-t with `df` degrees of freedom.
    Garch { omega: f64, alpha: f64, beta: f64, df: f64 },
}

impl VolModel {
    /// The variance expected for the next bar after a bar with return `r`, given this bar's.
    #[inline]
    pub fn next_variance(&self, variance: f64, r: f64) -> f64 {
        match *self {
            VolModel::Constant { variance } => variance,
            VolModel::Ewma { lambda, .. } => lambda * variance + (1.0 - lambda) * r * r,
            VolModel::Garch { omega, alpha, beta, .. } => omega + alpha * r * r + beta * variance,
        }
    }

    /// The variance a filter starts from (before any return is seen).
    pub fn initial_variance(&self, sample_variance: f64) -> f64 {
        match *self {
            VolModel::Constant { variance } => variance,
            VolModel::Ewma { .. } => sample_variance,
            VolModel::Garch { .. } => self.long_run_variance().unwrap_or(sample_variance),
        }
    }

    pub fn long_run_variance(&self) -> Option<f64> {
        match *self {
            VolModel::Constant { variance } => Some(variance),
            VolModel::Ewma { .. } => None,
            VolModel::Garch { omega, alpha, beta, .. } => (alpha + beta < 1.0).then(|| omega / (1.0 - alpha - beta)),
        }
    }

    /// Degrees of freedom of one bar's innovation (infinite for the normal).
    pub fn df(&self) -> f64 {
        match *self {
            VolModel::Constant { .. } => f64::INFINITY,
            VolModel::Ewma { df, .. } | VolModel::Garch { df, .. } => df,
        }
    }

    /// Expected sum of the next `bars` one-bar variances, given the next bar's variance `v1`.
    /// GARCH mean-reverts towards its long-run variance at rate alpha + beta per bar.
    pub fn horizon_variance(&self, v1: f64, bars: f64) -> f64 {
        match *self {
            VolModel::Constant { variance } => variance * bars,
            VolModel::Ewma { .. } => v1 * bars,
            VolModel::Garch { alpha, beta, .. } => {
                let phi = alpha + beta;
                let long_run = self.long_run_variance().unwrap_or(v1);
                if phi <= 0.0 {
                    return v1 + long_run * (bars - 1.0);
                }
                long_run * bars + (v1 - long_run) * (1.0 - phi.powf(bars)) / (1.0 - phi)
            }
        }
    }
}

/// Runs a model over returns: the variance expected for each next bar. `out[i]` is the variance
/// for the bar after return `i` (known once return `i` is).
pub fn filter(model: &VolModel, returns: &[f64], start_variance: f64) -> Vec<f64> {
    let mut v = start_variance;
    returns
        .iter()
        .map(|&r| {
            v = model.next_variance(v, r);
            v
        })
        .collect()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn df_from(x: f64) -> f64 {
    (DF_MIN + x.exp()).min(DF_MAX)
}

/// Mean negative log-likelihood of returns under a variance filter with unit-variance Student-t
/// innovations.
fn t_negative_log_likelihood(model: &VolModel, returns: &[f64], start_variance: f64, df: f64) -> f64 {
    let c = libm::lgamma(0.5 * (df + 1.0)) - libm::lgamma(0.5 * df) - 0.5 * (std::f64::consts::PI * (df - 2.0)).ln();
    let k = 0.5 * (df + 1.0);
    let inv = 1.0 / (df - 2.0);
    let mut v = start_variance;
    let mut total = 0.0;
    for &r in returns {
        let v_safe = v.max(1e-20);
        total += c - 0.5 * v_safe.ln() - k * (1.0 + r * r / v_safe * inv).ln();
        v = model.next_variance(v, r);
    }
    -total / returns.len().max(1) as f64
}

/// Fits GARCH(1,1) with Student-t innovations by maximum likelihood, with variance targeting
/// (omega set so the long-run variance equals the sample's): alpha, beta and df are searched.
pub fn fit_garch_t(returns: &[f64]) -> VolModel {
    let sample = mean_square(returns);
    let model_of = |x: &[f64]| -> VolModel {
        let persistence = 0.999 * sigmoid(x[0]);
        let alpha = persistence * sigmoid(x[1]);
        let beta = persistence - alpha;
        VolModel::Garch { omega: sample * (1.0 - persistence), alpha, beta, df: df_from(x[2]) }
    };
    let start = [logit(0.97 / 0.999), logit(0.08 / 0.97), (5.0 - DF_MIN).ln()];
    let mut objective = |x: &[f64]| {
        let m = model_of(x);
        let v = t_negative_log_likelihood(&m, returns, sample, m.df());
        if v.is_finite() {
            v
        } else {
            f64::MAX
        }
    };
    let (best, _) = nelder_mead(&mut objective, &start, 0.5, 1e-9, 300);
    model_of(&best)
}

/// Fits the EWMA decay by Gaussian quasi-likelihood over lambda in [0.80, 0.999], then the
/// innovations' degrees of freedom by likelihood on the standardised returns.
pub fn fit_ewma_t(returns: &[f64]) -> VolModel {
    let sample = mean_square(returns);
    let mut objective = |lambda: f64| {
        let m = VolModel::Ewma { lambda, df: DF_MAX };
        let mut v = sample;
        let mut total = 0.0;
        for &r in returns {
            let v_safe = v.max(1e-20);
            total += v_safe.ln() + r * r / v_safe;
            v = m.next_variance(v, r);
        }
        total
    };
    let lambda = golden_section(&mut objective, 0.80, 0.999, 40);
    let model = VolModel::Ewma { lambda, df: DF_MAX };
    let variances = filter(&model, returns, sample);
    let standardised: Vec<f64> = returns
        .iter()
        .enumerate()
        .map(|(i, &r)| r / if i == 0 { sample } else { variances[i - 1] }.max(1e-20).sqrt())
        .collect();
    VolModel::Ewma { lambda, df: fit_df(&standardised, 1.0) }
}

/// Degrees of freedom of a unit-variance Student-t fitted by likelihood to `z / scale`.
pub fn fit_df(z: &[f64], scale: f64) -> f64 {
    let mut objective = |x: f64| {
        let df = df_from(x);
        -z.iter().map(|&v| unit_student_t_ln_pdf(v / scale, df)).sum::<f64>()
    };
    df_from(golden_section(&mut objective, -4.0, (DF_MAX - DF_MIN).ln(), 40))
}

/// Fits a location-free, unit-variance Student-t times `scale` to `z` by likelihood: the
/// (scale, df) that make standardised h-bar returns look like draws of the model.
pub fn fit_scale_df(z: &[f64]) -> (f64, f64) {
    if z.len() < 20 {
        return (1.0, DF_MAX);
    }
    let mut objective = |x: &[f64]| {
        let (scale, df) = (x[0].exp(), df_from(x[1]));
        let ln_scale = scale.ln();
        -z.iter().map(|&v| unit_student_t_ln_pdf(v / scale, df) - ln_scale).sum::<f64>() / z.len() as f64
    };
    let (best, _) = nelder_mead(&mut objective, &[0.0, (5.0 - DF_MIN).ln()], 0.3, 1e-10, 200);
    (best[0].exp(), df_from(best[1]))
}
