//! Technical indicators, each as a streaming struct (one `update` per candle, `None` until warmed
//! up) and a batch function over a whole series (NaN where the streaming form gives `None`).
//!
//! The definitions follow TA-Lib's (the reference the tests compare against, values computed by
//! the `ta-lib` Python package): EMAs are seeded with the SMA of their first period; RSI, ATR and
//! ADX use Wilder's smoothing seeded with a plain average; MACD seeds its fast EMA at the same
//! bar as the slow one (TA-Lib's alignment); Bollinger bands use the population deviation.
//! The batch functions run the streaming structs, so the two forms agree bit for bit.
//!
//! Every value at bar t uses bars 0..=t only.

pub mod bands;
pub mod momentum;
pub mod moving_average;
pub mod range;
pub mod risk;
pub mod volume;

pub use bands::{bollinger, Bollinger, BollingerBands, BollingerOut};
pub use momentum::{macd, roc, rsi, Macd, MacdOut, MacdSeries, Roc, Rsi};
pub use moving_average::{ema, sma, Ema, Sma};
pub use range::{adx, atr, true_range, Adx, AdxOut, AdxSeries, Atr, TrueRange};
pub use risk::{drawdown, rolling_volatility, Drawdown, DrawdownOut, RollingVolatility};
pub use volume::{obv, Obv};

/// A fixed-size ring of the last `N` values (N set at construction).
#[derive(Clone, Debug)]
pub(crate) struct Ring {
    values: Vec<f64>,
    next: usize,
    len: usize,
}

impl Ring {
    pub(crate) fn new(capacity: usize) -> Ring {
        assert!(capacity > 0, "a ring needs room for at least one value");
        Ring { values: vec![0.0; capacity], next: 0, len: 0 }
    }

    /// Pushes `x`; returns the value it pushed out once the ring is full.
    #[inline]
    pub(crate) fn push(&mut self, x: f64) -> Option<f64> {
        let old = self.values[self.next];
        self.values[self.next] = x;
        self.next += 1;
        if self.next == self.values.len() {
            self.next = 0;
        }
        if self.len == self.values.len() {
            Some(old)
        } else {
            self.len += 1;
            None
        }
    }

    /// The oldest value held (the next to be pushed out), once full.
    #[inline]
    pub(crate) fn oldest(&self) -> Option<f64> {
        (self.len == self.values.len()).then(|| self.values[self.next])
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == self.values.len()
    }

    /// The value `back` pushes ago (0 = the newest).
    #[inline]
    pub(crate) fn get_back(&self, back: usize) -> Option<f64> {
        (back < self.len).then(|| {
            // next + cap - 1 - back is below 2 cap: one subtraction instead of a division.
            let cap = self.values.len();
            let i = self.next + cap - 1 - back;
            self.values[if i >= cap { i - cap } else { i }]
        })
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len).rev().filter_map(move |b| self.get_back(b))
    }
}

/// TA-Lib's test for zero (`TA_IS_ZERO`).
#[inline]
pub(crate) fn is_zero(x: f64) -> bool {
    -1e-14 < x && x < 1e-14
}
