//! Self-settling crypto markets, as `augury serve --demo` runs them:
//!
//! - [`data`]: real price history shipped with the binary (Binance BTCUSDT hourly, Bitstamp
//!   ETHUSD daily) and the price index each asset feeds;
//! - [`listing`]: which daily threshold markets a replayed day lists ("BTCUSDT at or above K at
//!   00:00 UTC tomorrow"), their ids, specs and resolution rules (pure);
//! - [`quote`]: the market maker's quotes from a probability, its inventory and its risk limits
//!   (pure, property-tested);
//! - [`driver`]: the shell that replays the history. It moves the venue clock, records each
//!   close as an index value (markets resolve by their rules), feeds candles to the intelligence
//!   endpoints, lists and settles the day's markets, requotes the market maker and lets a few
//!   seeded noise takers trade, all through the sequencer like any API call.
//!
//! The engine stays pure: time, ids and seeds come from here, as commands.
#![forbid(unsafe_code)]

pub mod config;
pub mod data;
pub mod driver;
pub mod listing;
pub mod quote;

pub use config::ReplayConfig;
pub use driver::{Driver, DriverError, StepReport};
