//! Commands: everything that can change the engine's state. Each carries the ids it needs; time
//! moves only by `AdvanceTime`, which the sequencer issues from its clock.

use crate::market::MarketSpec;
use crate::resolution::{OracleConfig, Resolution, ResolutionRule};
use crate::units::{AccountId, Action, IndexId, MarketId, Micros, OrderId, OutcomeIndex, Quantity, Side, TimestampMs};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Move the engine clock forward (never back); good-till-date orders due by then expire.
    AdvanceTime {
        now_ms: TimestampMs,
    },
    /// Operator credit of collateral; opens the account if it is new.
    Deposit {
        account: AccountId,
        amount_micros: Micros,
    },
    /// Operator debit of available collateral.
    Withdraw {
        account: AccountId,
        amount_micros: Micros,
    },
    CreateMarket {
        spec: MarketSpec,
    },
    /// Stop trading: resting orders are cancelled and their reservations released.
    CloseMarket {
        market: MarketId,
    },
    /// Turn collateral into contracts, one dollar a set. `outcome: None` is the market's full set
    /// (YES and NO of a binary or scalar market; one YES of every outcome of a categorical
    /// market); `Some(i)` is the YES/NO pair of outcome `i`.
    Split {
        account: AccountId,
        market: MarketId,
        outcome: Option<OutcomeIndex>,
        quantity: Quantity,
    },
    /// The reverse of `Split`: give back sets, receive a dollar each.
    Merge {
        account: AccountId,
        market: MarketId,
        outcome: Option<OutcomeIndex>,
        quantity: Quantity,
    },
    /// Categorical only: give `quantity` NO of each outcome in `outcomes` (a bit mask of k
    /// outcomes) and receive `quantity` YES of every other outcome plus (k - 1) x `quantity`
    /// dollars. Both sides pay out the same in every resolution, so nothing of value moves.
    Convert {
        account: AccountId,
        market: MarketId,
        outcomes: u64,
        quantity: Quantity,
    },
    PlaceOrder {
        order: NewOrder,
    },
    CancelOrder {
        account: AccountId,
        order: OrderId,
    },
    /// Change a resting order's price and/or remaining quantity. Reducing the quantity at the
    /// same price keeps the order's place in the queue; any other change sends it to the back,
    /// and a new price that crosses the book trades at once.
    AmendOrder {
        account: AccountId,
        order: OrderId,
        price_micros: Option<Micros>,
        remaining_quantity: Option<Quantity>,
    },

    // A market's life after trading: rules, the optimistic oracle, settlement, and the AMM.
    /// Administrator: give an open market a rule that resolves it from a price index (once; a
    /// market with a rule is not resolved by proposals). Trading stops at the rule's time at the
    /// latest.
    SetMarketRule {
        market: MarketId,
        rule: ResolutionRule,
    },
    /// Feeder (administrator): the value of a price index at a time no later than the engine
    /// clock. Markets whose rule samples that time record it; the last missing sample resolves
    /// and settles the market.
    RecordIndexValue {
        index: IndexId,
        at_ms: TimestampMs,
        value: i64,
    },
    /// Administrator: the optimistic oracle's settings (liveness, minimum bond, quorum, fee).
    ConfigureOracle {
        config: OracleConfig,
    },
    /// Administrator: name (`active: true`) or remove an arbiter.
    SetArbiter {
        account: AccountId,
        active: bool,
    },
    /// Resolver: propose how a closed market resolved, posting `bond_micros` (at least the
    /// venue's minimum) from available collateral. Final after the liveness window unless
    /// disputed.
    ProposeOutcome {
        account: AccountId,
        market: MarketId,
        resolution: Resolution,
        bond_micros: Micros,
    },
    /// Dispute the proposal of a resolving market, posting a bond equal to the proposer's
    /// (`bond_micros` must name it). The arbiters decide.
    DisputeProposal {
        account: AccountId,
        market: MarketId,
        bond_micros: Micros,
    },
    /// An arbiter's vote on a disputed market; the first resolution with a quorum of votes wins.
    CastArbiterVote {
        arbiter: AccountId,
        market: MarketId,
        resolution: Resolution,
    },
    /// Administrator: resolve and settle a market directly, from any state but settled (an open
    /// market is closed first). Pending bonds are settled as if the arbiters had decided.
    ResolveMarket {
        market: MarketId,
        resolution: Resolution,
    },
    /// Pay out all of the account's contracts in a settled market.
    Redeem {
        account: AccountId,
        market: MarketId,
    },
    /// Administrator: add an LMSR market maker with liquidity `b` = `liquidity_micros` to an open
    /// market, funded from `operator`'s available collateral with its maximum loss,
    /// ceil(b x ln n) for n outcomes (2 for binary and scalar markets). It trades beside the book
    /// until the market closes and is paid out to the operator at settlement.
    EnableAmm {
        market: MarketId,
        operator: AccountId,
        liquidity_micros: Micros,
    },
}

/// A new order. `price_micros` is in the order's own side: a buy of NO at 0.30 is 300,000.
/// Order ids start at 1 and must increase. An order that could rest (GTC/GTD) is refused when
/// the engine already holds its limit of open orders, even if it would fill on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    pub order: OrderId,
    pub account: AccountId,
    pub market: MarketId,
    pub outcome: OutcomeIndex,
    pub side: Side,
    pub action: Action,
    pub order_type: OrderType,
    pub quantity: Quantity,
    pub time_in_force: TimeInForce,
    pub post_only: bool,
    pub self_trade: SelfTradePrevention,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderType {
    /// Trade at `price_micros` or better.
    Limit { price_micros: Micros },
    /// Trade at any price, immediately, and never rest. A buy spends at most
    /// `cost_cap_micros` (price plus fees) and needs that much available; a buy without a cap
    /// needs the whole quantity at the worst price (one tick below a dollar) plus the worst-case
    /// fee available. A sell takes no cap.
    Market { cost_cap_micros: Option<Micros> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TimeInForce {
    /// Good till cancelled.
    Gtc,
    /// Good till the engine clock reaches `expires_at_ms`.
    Gtd { expires_at_ms: TimestampMs },
    /// Immediate or cancel: trade what can be traded now, cancel the rest.
    Ioc,
    /// Fill or kill: trade the whole quantity now, or nothing.
    Fok,
}

/// What happens when an order would trade with another order of the same account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SelfTradePrevention {
    /// Cancel the rest of the incoming order (the default at most venues).
    #[default]
    CancelTaker,
    /// Cancel the resting order and keep matching.
    CancelMaker,
    /// Cancel both.
    CancelBoth,
}
