//! Augury's crypto intelligence: candles (imported from CSV or built from the venue's own
//! trades), technical indicators, Trader and Investor Grades with a signal, calibrated
//! probabilities that a price ends at or above a threshold, and a walk-forward validation of all
//! of it with no look-ahead.
//!
//! Everything here is pure (no clock, no randomness, no files) apart from [`store`], which keeps
//! candles on disk, and [`csv`], which reads text a caller hands it. Figures are `f64`: these
//! are analytics, never money.
#![forbid(unsafe_code)]

pub mod bench;
pub mod builder;
pub mod candle;
pub mod csv;
pub mod grades;
pub mod indicators;
pub mod live;
pub mod logistic;
pub mod report;
pub mod stats;
pub mod store;
pub mod synth;
pub mod threshold;
pub mod validate;
pub mod volatility;

pub use builder::{build_candles, BuildError, CandleBuilder};
pub use candle::{Candle, Interval, Series};
pub use csv::CsvError;
pub use store::{CandleStore, StoreError};
