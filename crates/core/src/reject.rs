//! Refusals: why a command was not accepted. A refused command changes nothing.

use crate::units::{AccountId, MarketId, Micros, OrderId, OutcomeIndex, Quantity, TimestampMs};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reject {
    #[error("unknown market {market}")]
    UnknownMarket { market: MarketId },
    #[error("market {market} already exists")]
    DuplicateMarket { market: MarketId },
    #[error("invalid market spec: {reason}")]
    InvalidMarketSpec { reason: &'static str },
    #[error("market {market} is not open for trading")]
    MarketNotOpen { market: MarketId },
    #[error("market {market} has no outcome {outcome}")]
    UnknownOutcome { market: MarketId, outcome: OutcomeIndex },
    #[error("{reason}")]
    InvalidOutcomes { reason: &'static str },
    #[error("unknown account {account}")]
    UnknownAccount { account: AccountId },
    #[error("price {price_micros} is not on the market's tick grid of {tick_micros} micros")]
    PriceOffTick { price_micros: Micros, tick_micros: Micros },
    #[error("price {price_micros} is not strictly between 0 and 1,000,000 micros")]
    PriceOutOfRange { price_micros: Micros },
    #[error("quantity must be positive")]
    QuantityNotPositive,
    #[error("quantity {quantity} exceeds the limit of {max}")]
    QuantityTooLarge { quantity: Quantity, max: Quantity },
    #[error("amount must be positive")]
    AmountNotPositive,
    #[error("amount {amount_micros} exceeds the limit of {max_micros} micros")]
    AmountTooLarge { amount_micros: Micros, max_micros: Micros },
    #[error("insufficient funds: {needed_micros} micros needed, {available_micros} available")]
    InsufficientFunds { needed_micros: Micros, available_micros: Micros },
    #[error("insufficient contracts: {needed} needed, {available} available")]
    InsufficientShares { needed: Quantity, available: Quantity },
    #[error("order id {order} was already used (ids must increase; the highest seen is {highest})")]
    DuplicateOrderId { order: OrderId, highest: OrderId },
    #[error("no open order {order} for this account")]
    UnknownOrder { order: OrderId },
    #[error("a post-only order would trade on arrival")]
    PostOnlyWouldCross,
    #[error("{reason}")]
    InvalidOrder { reason: &'static str },
    #[error("expiry {expires_at_ms} is not after the engine clock {now_ms}")]
    ExpiryNotInFuture { expires_at_ms: TimestampMs, now_ms: TimestampMs },
    #[error("time {now_ms} is before the engine clock {clock_ms}")]
    TimeWentBackwards { now_ms: TimestampMs, clock_ms: TimestampMs },
    #[error("the amendment changes nothing")]
    AmendUnchanged,
    #[error("the engine holds its limit of {max} open orders")]
    TooManyOpenOrders { max: u32 },
}

impl Reject {
    /// A stable machine-readable code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Reject::UnknownMarket { .. } => "unknown_market",
            Reject::DuplicateMarket { .. } => "duplicate_market",
            Reject::InvalidMarketSpec { .. } => "invalid_market_spec",
            Reject::MarketNotOpen { .. } => "market_not_open",
            Reject::UnknownOutcome { .. } => "unknown_outcome",
            Reject::InvalidOutcomes { .. } => "invalid_outcomes",
            Reject::UnknownAccount { .. } => "unknown_account",
            Reject::PriceOffTick { .. } => "price_off_tick",
            Reject::PriceOutOfRange { .. } => "price_out_of_range",
            Reject::QuantityNotPositive => "quantity_not_positive",
            Reject::QuantityTooLarge { .. } => "quantity_too_large",
            Reject::AmountNotPositive => "amount_not_positive",
            Reject::AmountTooLarge { .. } => "amount_too_large",
            Reject::InsufficientFunds { .. } => "insufficient_funds",
            Reject::InsufficientShares { .. } => "insufficient_shares",
            Reject::DuplicateOrderId { .. } => "duplicate_order_id",
            Reject::UnknownOrder { .. } => "unknown_order",
            Reject::PostOnlyWouldCross => "post_only_would_cross",
            Reject::InvalidOrder { .. } => "invalid_order",
            Reject::ExpiryNotInFuture { .. } => "expiry_not_in_future",
            Reject::TimeWentBackwards { .. } => "time_went_backwards",
            Reject::AmendUnchanged => "amend_unchanged",
            Reject::TooManyOpenOrders { .. } => "too_many_open_orders",
        }
    }
}
