//! Refusals: why a command was not accepted. A refused command changes nothing.

use crate::market::MarketStatus;
use crate::units::{AccountId, IndexId, MarketId, Micros, OrderId, OutcomeIndex, Quantity, TimestampMs};
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
    #[error("market {market} is {status}, which does not allow this")]
    WrongMarketStatus { market: MarketId, status: MarketStatus },
    #[error("market {market} is not settled yet")]
    MarketNotSettled { market: MarketId },
    #[error("market {market} resolves by its rule, not by proposals")]
    ResolvedByRule { market: MarketId },
    #[error("market {market} already has a rule")]
    RuleAlreadySet { market: MarketId },
    #[error("invalid rule: {reason}")]
    InvalidRule { reason: &'static str },
    #[error("invalid resolution: {reason}")]
    InvalidResolution { reason: &'static str },
    #[error("a bond of {bond_micros} micros is below the minimum of {min_bond_micros}")]
    BondTooSmall { bond_micros: Micros, min_bond_micros: Micros },
    #[error("a dispute bond must equal the proposal's: {required_micros} micros, not {bond_micros}")]
    BondMismatch { bond_micros: Micros, required_micros: Micros },
    #[error("a proposer cannot dispute its own proposal")]
    OwnProposal,
    #[error("account {account} is not an arbiter")]
    NotAnArbiter { account: AccountId },
    #[error("arbiter {account} already voted on market {market}")]
    AlreadyVoted { account: AccountId, market: MarketId },
    #[error("account {account} already has that arbiter status")]
    ArbiterUnchanged { account: AccountId },
    #[error("the venue already has its limit of {max} arbiters")]
    TooManyArbiters { max: u32 },
    #[error("invalid oracle settings: {reason}")]
    InvalidOracleConfig { reason: &'static str },
    #[error("account {account} holds nothing to redeem in market {market}")]
    NothingToRedeem { account: AccountId, market: MarketId },
    #[error("market {market} already has a market maker")]
    AmmAlreadyEnabled { market: MarketId },
    #[error("invalid market maker liquidity: {reason}")]
    InvalidLiquidity { reason: &'static str },
    #[error("index value time {at_ms} is after the engine clock {clock_ms}")]
    IndexValueInFuture { at_ms: TimestampMs, clock_ms: TimestampMs },
    #[error("index {index} already has a different value at {at_ms}")]
    IndexValueConflict { index: IndexId, at_ms: TimestampMs },
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
            Reject::WrongMarketStatus { .. } => "wrong_market_status",
            Reject::MarketNotSettled { .. } => "market_not_settled",
            Reject::ResolvedByRule { .. } => "resolved_by_rule",
            Reject::RuleAlreadySet { .. } => "rule_already_set",
            Reject::InvalidRule { .. } => "invalid_rule",
            Reject::InvalidResolution { .. } => "invalid_resolution",
            Reject::BondTooSmall { .. } => "bond_too_small",
            Reject::BondMismatch { .. } => "bond_mismatch",
            Reject::OwnProposal => "own_proposal",
            Reject::NotAnArbiter { .. } => "not_an_arbiter",
            Reject::AlreadyVoted { .. } => "already_voted",
            Reject::ArbiterUnchanged { .. } => "arbiter_unchanged",
            Reject::TooManyArbiters { .. } => "too_many_arbiters",
            Reject::InvalidOracleConfig { .. } => "invalid_oracle_config",
            Reject::NothingToRedeem { .. } => "nothing_to_redeem",
            Reject::AmmAlreadyEnabled { .. } => "amm_already_enabled",
            Reject::InvalidLiquidity { .. } => "invalid_liquidity",
            Reject::IndexValueInFuture { .. } => "index_value_in_future",
            Reject::IndexValueConflict { .. } => "index_value_conflict",
        }
    }
}
