//! Candles from the venue's own trades: a pure aggregator fed fills in the order they happened.
//!
//! Intervals with no trade produce no candle (a gap), as exchanges do. A candle is handed out
//! when a later trade opens a new interval, or when [`CandleBuilder::close_due`] is told that
//! time has passed its close.

use crate::candle::{Candle, Interval};
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum BuildError {
    #[error("trade at {time_ms} ms is earlier than the previous trade at {previous_ms} ms")]
    OutOfOrder { time_ms: i64, previous_ms: i64 },
    #[error("trade at {time_ms} ms has price {price} and quantity {quantity}: both must be finite and above zero")]
    BadTrade { time_ms: i64, price: f64, quantity: f64 },
}

#[derive(Clone, Debug)]
pub struct CandleBuilder {
    interval: Interval,
    current: Option<Candle>,
    last_trade_ms: Option<i64>,
}

impl CandleBuilder {
    pub fn new(interval: Interval) -> CandleBuilder {
        CandleBuilder { interval, current: None, last_trade_ms: None }
    }

    pub fn interval(&self) -> Interval {
        self.interval
    }

    /// The candle still open (not yet handed out), if any trade fell in it.
    pub fn current(&self) -> Option<&Candle> {
        self.current.as_ref()
    }

    /// Adds one fill. Returns the previous candle when this trade is the first of a later interval.
    pub fn push_trade(&mut self, time_ms: i64, price: f64, quantity: f64) -> Result<Option<Candle>, BuildError> {
        if !(price.is_finite() && price > 0.0 && quantity.is_finite() && quantity > 0.0) {
            return Err(BuildError::BadTrade { time_ms, price, quantity });
        }
        if let Some(previous_ms) = self.last_trade_ms {
            if time_ms < previous_ms {
                return Err(BuildError::OutOfOrder { time_ms, previous_ms });
            }
        }
        self.last_trade_ms = Some(time_ms);
        let open_time_ms = time_ms.div_euclid(self.interval.ms()) * self.interval.ms();
        match &mut self.current {
            Some(c) if c.open_time_ms == open_time_ms => {
                c.high = c.high.max(price);
                c.low = c.low.min(price);
                c.close = price;
                c.volume += quantity;
                Ok(None)
            }
            slot => {
                let fresh =
                    Candle { open_time_ms, open: price, high: price, low: price, close: price, volume: quantity };
                Ok(slot.replace(fresh))
            }
        }
    }

    /// Hands out the open candle if its interval has ended by `now_ms`.
    pub fn close_due(&mut self, now_ms: i64) -> Option<Candle> {
        let due = self.current.as_ref().is_some_and(|c| c.open_time_ms + self.interval.ms() <= now_ms);
        if due {
            self.current.take()
        } else {
            None
        }
    }

    /// Hands out the open candle whatever the time (at shutdown, or to show a live bar).
    pub fn flush(&mut self) -> Option<Candle> {
        self.current.take()
    }
}

/// Candles of `interval` from trades `(time_ms, price, quantity)` in the order they happened,
/// including the last, possibly unfinished, interval.
pub fn build_candles(interval: Interval, trades: &[(i64, f64, f64)]) -> Result<Vec<Candle>, BuildError> {
    let mut builder = CandleBuilder::new(interval);
    let mut out = Vec::new();
    for &(time_ms, price, quantity) in trades {
        out.extend(builder.push_trade(time_ms, price, quantity)?);
    }
    out.extend(builder.flush());
    Ok(out)
}
