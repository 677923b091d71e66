//! Momentum: RSI, rate of change, MACD.

use super::moving_average::Ema;
use super::{is_zero, Ring};

/// Wilder's relative strength index (0-100): average gain over average gain plus average loss,
/// both seeded with a plain average of the first `period` changes. First value at bar `period`.
#[derive(Clone, Debug)]
pub struct Rsi {
    period: usize,
    prev: Option<f64>,
    changes: usize,
    gain: f64,
    loss: f64,
}

impl Rsi {
    pub fn new(period: usize) -> Rsi {
        assert!(period >= 2, "RSI period must be at least 2");
        Rsi { period, prev: None, changes: 0, gain: 0.0, loss: 0.0 }
    }

    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let prev = self.prev.replace(x)?;
        let change = x - prev;
        let n = self.period as f64;
        if self.changes < self.period {
            if change < 0.0 {
                self.loss -= change;
            } else {
                self.gain += change;
            }
            self.changes += 1;
            if self.changes < self.period {
                return None;
            }
            self.loss /= n;
            self.gain /= n;
        } else {
            self.loss *= n - 1.0;
            self.gain *= n - 1.0;
            if change < 0.0 {
                self.loss -= change;
            } else {
                self.gain += change;
            }
            self.loss /= n;
            self.gain /= n;
        }
        let total = self.gain + self.loss;
        Some(if is_zero(total) { 0.0 } else { 100.0 * (self.gain / total) })
    }
}

/// Rate of change in percent over `period` bars: `(x / x[t - period] - 1) * 100`.
#[derive(Clone, Debug)]
pub struct Roc {
    ring: Ring,
}

impl Roc {
    pub fn new(period: usize) -> Roc {
        assert!(period >= 1, "ROC period must be at least 1");
        Roc { ring: Ring::new(period + 1) }
    }

    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.ring.push(x);
        let then = self.ring.oldest()?;
        Some(if then != 0.0 { (x / then - 1.0) * 100.0 } else { 0.0 })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MacdOut {
    pub macd: f64,
    pub signal: f64,
    pub histogram: f64,
}

/// MACD: fast EMA minus slow EMA, its signal EMA, and their difference. As in TA-Lib, the fast
/// EMA is seeded at the bar where the slow one starts (with the SMA of the `fast` bars ending
/// there), and all three outputs start together at bar `slow + signal - 2`.
#[derive(Clone, Debug)]
pub struct Macd {
    fast_period: usize,
    slow: Ema,
    fast: Option<Ema>,
    recent: Ring,
    signal: Ema,
}

impl Macd {
    pub fn new(fast: usize, slow: usize, signal: usize) -> Macd {
        assert!(fast >= 2 && slow >= 2 && signal >= 1, "MACD periods must be at least 2, 2 and 1");
        let (fast, slow) = if slow < fast { (slow, fast) } else { (fast, slow) };
        Macd { fast_period: fast, slow: Ema::new(slow), fast: None, recent: Ring::new(fast), signal: Ema::new(signal) }
    }

    #[inline]
    pub fn update(&mut self, x: f64) -> Option<MacdOut> {
        if self.fast.is_none() {
            self.recent.push(x);
        }
        let slow = self.slow.update(x)?;
        let fast = match &mut self.fast {
            Some(ema) => ema.update(x)?,
            None => {
                let seed = self.recent.iter().sum::<f64>() / self.fast_period as f64;
                self.fast = Some(Ema::seeded(self.fast_period, seed));
                seed
            }
        };
        let macd = fast - slow;
        let signal = self.signal.update(macd)?;
        Some(MacdOut { macd, signal, histogram: macd - signal })
    }
}

pub fn rsi(values: &[f64], period: usize) -> Vec<f64> {
    let mut r = Rsi::new(period);
    values.iter().map(|&x| r.update(x).unwrap_or(f64::NAN)).collect()
}

pub fn roc(values: &[f64], period: usize) -> Vec<f64> {
    let mut r = Roc::new(period);
    values.iter().map(|&x| r.update(x).unwrap_or(f64::NAN)).collect()
}

#[derive(Clone, Debug, Default)]
pub struct MacdSeries {
    pub macd: Vec<f64>,
    pub signal: Vec<f64>,
    pub histogram: Vec<f64>,
}

pub fn macd(values: &[f64], fast: usize, slow: usize, signal: usize) -> MacdSeries {
    let mut m = Macd::new(fast, slow, signal);
    let mut out = MacdSeries::default();
    for &x in values {
        let o = m.update(x).unwrap_or(MacdOut { macd: f64::NAN, signal: f64::NAN, histogram: f64::NAN });
        out.macd.push(o.macd);
        out.signal.push(o.signal);
        out.histogram.push(o.histogram);
    }
    out
}
