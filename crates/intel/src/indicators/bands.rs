//! Bollinger bands.

use super::moving_average::Sma;
use super::Ring;

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BollingerOut {
    pub upper: f64,
    pub middle: f64,
    pub lower: f64,
}

impl BollingerOut {
    /// Where `x` sits between the bands: 0 at the lower, 1 at the upper (%B).
    pub fn percent_b(&self, x: f64) -> f64 {
        let width = self.upper - self.lower;
        if width > 0.0 {
            (x - self.lower) / width
        } else {
            0.5
        }
    }
}

/// SMA of `period` bars plus and minus `deviations` population standard deviations (TA-Lib's
/// running sums of values and squares).
#[derive(Clone, Debug)]
pub struct Bollinger {
    period: usize,
    deviations: f64,
    sma: Sma,
    ring: Ring,
    sum_squares: f64,
}

impl Bollinger {
    pub fn new(period: usize, deviations: f64) -> Bollinger {
        assert!(period >= 2, "Bollinger period must be at least 2");
        assert!(deviations.is_finite() && deviations > 0.0, "Bollinger deviations must be above zero");
        Bollinger { period, deviations, sma: Sma::new(period), ring: Ring::new(period), sum_squares: 0.0 }
    }

    #[inline]
    pub fn update(&mut self, x: f64) -> Option<BollingerOut> {
        let middle = self.sma.update(x);
        self.sum_squares += x * x;
        self.ring.push(x);
        let middle = middle?;
        let mut variance = self.sum_squares / self.period as f64;
        let oldest = self.ring.oldest().unwrap_or(0.0);
        self.sum_squares -= oldest * oldest;
        variance -= middle * middle;
        let deviation = if variance < 1e-14 { 0.0 } else { variance.sqrt() };
        let width = if self.deviations == 1.0 { deviation } else { deviation * self.deviations };
        Some(BollingerOut { upper: middle + width, middle, lower: middle - width })
    }
}

#[derive(Clone, Debug, Default)]
pub struct BollingerBands {
    pub upper: Vec<f64>,
    pub middle: Vec<f64>,
    pub lower: Vec<f64>,
}

pub fn bollinger(values: &[f64], period: usize, deviations: f64) -> BollingerBands {
    let mut b = Bollinger::new(period, deviations);
    let mut out = BollingerBands::default();
    for &x in values {
        let o = b.update(x).unwrap_or(BollingerOut { upper: f64::NAN, middle: f64::NAN, lower: f64::NAN });
        out.upper.push(o.upper);
        out.middle.push(o.middle);
        out.lower.push(o.lower);
    }
    out
}
