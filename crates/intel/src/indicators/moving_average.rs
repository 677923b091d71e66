//! Simple and exponential moving averages.

use super::Ring;

/// Simple moving average of the last `period` values (TA-Lib's running sum).
#[derive(Clone, Debug)]
pub struct Sma {
    period: usize,
    ring: Ring,
    sum: f64,
}

impl Sma {
    pub fn new(period: usize) -> Sma {
        assert!(period >= 1, "SMA period must be at least 1");
        Sma { period, ring: Ring::new(period), sum: 0.0 }
    }

    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.sum += x;
        self.ring.push(x);
        if self.ring.is_full() {
            let out = self.sum / self.period as f64;
            // As TA-Lib does: the window's oldest value leaves the sum right after the output.
            self.sum -= self.ring.oldest().unwrap_or(0.0);
            Some(out)
        } else {
            None
        }
    }
}

/// Exponential moving average with k = 2 / (period + 1), seeded with the SMA of the first
/// `period` values (TA-Lib's default).
#[derive(Clone, Debug)]
pub struct Ema {
    period: usize,
    k: f64,
    count: usize,
    value: f64,
}

impl Ema {
    pub fn new(period: usize) -> Ema {
        assert!(period >= 1, "EMA period must be at least 1");
        Ema { period, k: 2.0 / (period as f64 + 1.0), count: 0, value: 0.0 }
    }

    /// Starts already seeded at `seed` (used by MACD, which seeds its fast EMA itself).
    pub(crate) fn seeded(period: usize, seed: f64) -> Ema {
        Ema { period, k: 2.0 / (period as f64 + 1.0), count: period, value: seed }
    }

    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        if self.count < self.period {
            self.value += x;
            self.count += 1;
            if self.count < self.period {
                return None;
            }
            self.value /= self.period as f64;
            return Some(self.value);
        }
        self.value = (x - self.value) * self.k + self.value;
        Some(self.value)
    }

    pub fn value(&self) -> Option<f64> {
        (self.count >= self.period).then_some(self.value)
    }
}

pub fn sma(values: &[f64], period: usize) -> Vec<f64> {
    let mut s = Sma::new(period);
    values.iter().map(|&x| s.update(x).unwrap_or(f64::NAN)).collect()
}

pub fn ema(values: &[f64], period: usize) -> Vec<f64> {
    let mut e = Ema::new(period);
    values.iter().map(|&x| e.update(x).unwrap_or(f64::NAN)).collect()
}
