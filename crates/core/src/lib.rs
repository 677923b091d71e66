//! The vocabulary every other Augury crate speaks: identifiers, integer money and prices, market
//! specifications with their fee rules, and the commands, events and refusals that flow through the
//! engine. This crate does no I/O and holds no state; it only says what things are.
//!
//! The serde forms are externally tagged (no `#[serde(tag)]`), so the journal can store them in a
//! compact binary format; the API layer defines its own JSON shapes.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod command;
pub mod event;
pub mod fee;
pub mod ids;
pub mod limits;
pub mod market;
pub mod reject;
pub mod resolution;
pub mod units;

pub use command::{Command, NewOrder, OrderType, SelfTradePrevention, TimeInForce};
pub use event::{CancelReason, Event, FillKind};
pub use fee::{FeeRule, FeeSchedule};
pub use limits::*;
pub use market::{MarketKind, MarketSpec, MarketStatus};
pub use reject::Reject;
pub use resolution::{payout, Comparison, OracleConfig, Payout, Resolution, ResolutionRule, ResolutionSource, RuleMap};
pub use units::*;
