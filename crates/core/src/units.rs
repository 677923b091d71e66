//! Identifiers and integer units. Money is collateral in micro-dollars; a contract (one share of an
//! outcome) pays exactly one dollar if its outcome wins, so a price is micro-dollars per contract and
//! always lies strictly between 0 and `MICROS_PER_DOLLAR`.

use serde::{Deserialize, Serialize};

pub use crate::ids::{AccountId, MarketId, OrderId, TradeId};
/// Milliseconds since the Unix epoch, supplied from outside the engine.
pub type TimestampMs = u64;
/// Collateral in micro-dollars (1 USD = 1,000,000).
pub type Micros = u64;
/// A count of contracts (whole shares).
pub type Quantity = u64;
/// Index of an outcome inside its market: 0 for binary and scalar markets, 0..n for categorical.
pub type OutcomeIndex = u16;
/// A named price index (for example BTC-USD) that rule-based markets settle from. The engine
/// knows indexes by number only; the API layer keeps the names.
pub type IndexId = u32;

/// Micro-dollars in one dollar: the value of a full set and the payout of a winning contract.
pub const MICROS_PER_DOLLAR: Micros = 1_000_000;

/// Which half of an outcome a contract is: YES (LONG in a scalar market) or NO (SHORT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Yes,
    No,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Yes => Side::No,
            Side::No => Side::Yes,
        }
    }
}

/// Whether an order buys or sells contracts of its side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Buy,
    Sell,
}

/// The two halves of the one book each outcome has. The book is kept in YES prices: a bid is a buy
/// of YES or a sell of NO (both want the YES price to be low), an ask is a sell of YES or a buy of
/// NO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookSide {
    Bid,
    Ask,
}

impl BookSide {
    /// The half of the book an order of this side and action rests on.
    pub fn of(side: Side, action: Action) -> BookSide {
        match (side, action) {
            (Side::Yes, Action::Buy) | (Side::No, Action::Sell) => BookSide::Bid,
            (Side::Yes, Action::Sell) | (Side::No, Action::Buy) => BookSide::Ask,
        }
    }
}

/// The price of the other side of the same outcome: a YES at `p` and a NO at `1 - p` make a set.
pub fn complement_price_micros(price_micros: Micros) -> Micros {
    debug_assert!(price_micros < MICROS_PER_DOLLAR);
    MICROS_PER_DOLLAR - price_micros
}
