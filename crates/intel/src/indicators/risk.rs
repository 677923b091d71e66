//! Risk: rolling volatility of log returns, drawdown from the running peak.

use super::Ring;

/// Sample standard deviation of the last `period` log returns (per bar, not annualised; multiply
/// by the square root of bars per year for that). First value at bar `period`.
#[derive(Clone, Debug)]
pub struct RollingVolatility {
    period: usize,
    prev: Option<f64>,
    ring: Ring,
    sum: f64,
    sum_squares: f64,
}

impl RollingVolatility {
    pub fn new(period: usize) -> RollingVolatility {
        assert!(period >= 2, "volatility period must be at least 2");
        RollingVolatility { period, prev: None, ring: Ring::new(period), sum: 0.0, sum_squares: 0.0 }
    }

    #[inline]
    pub fn update(&mut self, close: f64) -> Option<f64> {
        let prev = self.prev.replace(close)?;
        self.update_log_return((close / prev).ln())
    }

    /// Takes the bar's log return directly (for a caller that has it already).
    #[inline]
    pub fn update_log_return(&mut self, r: f64) -> Option<f64> {
        if let Some(old) = self.ring.push(r) {
            self.sum -= old;
            self.sum_squares -= old * old;
        }
        self.sum += r;
        self.sum_squares += r * r;
        if !self.ring.is_full() {
            return None;
        }
        let n = self.period as f64;
        let variance = (self.sum_squares - self.sum * self.sum / n) / (n - 1.0);
        Some(variance.max(0.0).sqrt())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct DrawdownOut {
    /// close / highest close so far - 1 (zero or below).
    pub drawdown: f64,
    /// The lowest drawdown so far.
    pub max_drawdown: f64,
}

/// Drawdown from the highest close so far, and the worst drawdown so far.
#[derive(Clone, Debug)]
pub struct Drawdown {
    peak: f64,
    worst: f64,
}

impl Default for Drawdown {
    fn default() -> Drawdown {
        Drawdown { peak: f64::NEG_INFINITY, worst: 0.0 }
    }
}

impl Drawdown {
    pub fn new() -> Drawdown {
        Drawdown::default()
    }

    #[inline]
    pub fn update(&mut self, close: f64) -> DrawdownOut {
        self.peak = self.peak.max(close);
        let drawdown = close / self.peak - 1.0;
        self.worst = self.worst.min(drawdown);
        DrawdownOut { drawdown, max_drawdown: self.worst }
    }
}

pub fn rolling_volatility(closes: &[f64], period: usize) -> Vec<f64> {
    let mut v = RollingVolatility::new(period);
    closes.iter().map(|&c| v.update(c).unwrap_or(f64::NAN)).collect()
}

pub fn drawdown(closes: &[f64]) -> Vec<DrawdownOut> {
    let mut d = Drawdown::new();
    closes.iter().map(|&c| d.update(c)).collect()
}
