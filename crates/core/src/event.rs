//! Events: what happened as a result of an accepted command, in order. Subscribers (the journal,
//! read models, WebSocket fan-out) learn everything from these and nothing else.

use crate::command::{OrderType, SelfTradePrevention, TimeInForce};
use crate::market::MarketSpec;
use crate::resolution::{OracleConfig, Resolution, ResolutionRule, ResolutionSource};
use crate::units::{
    AccountId, Action, BookSide, IndexId, MarketId, Micros, OrderId, OutcomeIndex, Quantity, Side, TimestampMs, TradeId,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    TimeAdvanced {
        now_ms: TimestampMs,
    },
    Deposited {
        account: AccountId,
        amount_micros: Micros,
        available_micros: Micros,
    },
    Withdrawn {
        account: AccountId,
        amount_micros: Micros,
        available_micros: Micros,
    },
    MarketCreated {
        spec: MarketSpec,
    },
    MarketClosed {
        market: MarketId,
    },
    SetsSplit {
        account: AccountId,
        market: MarketId,
        outcome: Option<OutcomeIndex>,
        quantity: Quantity,
    },
    SetsMerged {
        account: AccountId,
        market: MarketId,
        outcome: Option<OutcomeIndex>,
        quantity: Quantity,
    },
    Converted {
        account: AccountId,
        market: MarketId,
        outcomes: u64,
        quantity: Quantity,
        collateral_micros: Micros,
    },
    OrderAccepted {
        order: OrderId,
        account: AccountId,
        market: MarketId,
        outcome: OutcomeIndex,
        side: Side,
        action: Action,
        order_type: OrderType,
        quantity: Quantity,
        time_in_force: TimeInForce,
        post_only: bool,
        self_trade: SelfTradePrevention,
    },
    /// One trade between a resting (maker) and an incoming (taker) order. `yes_price_micros` is the
    /// maker's price in YES terms; each party's own price is that or its complement.
    Fill {
        trade: TradeId,
        market: MarketId,
        outcome: OutcomeIndex,
        yes_price_micros: Micros,
        quantity: Quantity,
        kind: FillKind,
        maker_order: OrderId,
        maker_account: AccountId,
        maker_side: Side,
        maker_action: Action,
        maker_fee_micros: Micros,
        maker_remaining: Quantity,
        taker_order: OrderId,
        taker_account: AccountId,
        taker_side: Side,
        taker_action: Action,
        taker_fee_micros: Micros,
        taker_remaining: Quantity,
    },
    /// The order (or its remainder) now rests in the book at `price_micros` (its own side's price).
    OrderRested {
        order: OrderId,
        book_side: BookSide,
        price_micros: Micros,
        remaining_quantity: Quantity,
    },
    OrderCancelled {
        order: OrderId,
        account: AccountId,
        remaining_quantity: Quantity,
        reason: CancelReason,
    },
    OrderAmended {
        order: OrderId,
        price_micros: Micros,
        remaining_quantity: Quantity,
        kept_priority: bool,
    },

    MarketRuleSet {
        market: MarketId,
        rule: ResolutionRule,
    },
    IndexValueRecorded {
        index: IndexId,
        at_ms: TimestampMs,
        value: i64,
    },
    OracleConfigured {
        config: OracleConfig,
    },
    ArbiterSet {
        account: AccountId,
        active: bool,
    },
    /// The LMSR market maker's reserve, `funded_micros` = ceil(b x ln n), moved from the
    /// operator's available collateral into the market maker.
    AmmEnabled {
        market: MarketId,
        operator: AccountId,
        liquidity_micros: Micros,
        funded_micros: Micros,
    },
    /// A taker traded `quantity` contracts with the market's LMSR market maker. `value_micros` is
    /// what the taker paid (buy) or received (sell) for them before its fee: the LMSR cost
    /// difference rounded in the market maker's favour (up when the taker pays, down when it
    /// receives).
    AmmFill {
        trade: TradeId,
        market: MarketId,
        outcome: OutcomeIndex,
        quantity: Quantity,
        value_micros: Micros,
        taker_order: OrderId,
        taker_account: AccountId,
        taker_side: Side,
        taker_action: Action,
        taker_fee_micros: Micros,
        taker_remaining: Quantity,
    },
    OutcomeProposed {
        market: MarketId,
        proposer: AccountId,
        resolution: Resolution,
        bond_micros: Micros,
        liveness_ends_ms: TimestampMs,
    },
    ProposalDisputed {
        market: MarketId,
        disputer: AccountId,
        bond_micros: Micros,
    },
    /// `votes` is how many arbiters have now voted for `resolution`.
    ArbiterVoted {
        market: MarketId,
        arbiter: AccountId,
        resolution: Resolution,
        votes: u32,
    },
    /// The market's outcome is final (`Resolution::Invalid`: the market is invalid). Always
    /// followed, in the same command, by the bond settlements and `MarketSettled`.
    MarketResolved {
        market: MarketId,
        resolution: Resolution,
        source: ResolutionSource,
    },
    /// A bond went back to the account that posted it.
    BondReturned {
        market: MarketId,
        account: AccountId,
        amount_micros: Micros,
    },
    /// `account`'s bond of `amount_micros` was lost: `paid_micros` went to `to` (the other side of
    /// the dispute) and `fee_micros` to the venue's fee account (all of it when nobody disputed a
    /// proposal that an administrator then overruled: then `to` is the fee account).
    BondForfeited {
        market: MarketId,
        account: AccountId,
        amount_micros: Micros,
        to: AccountId,
        paid_micros: Micros,
        fee_micros: Micros,
    },
    /// The payout vector is fixed (see `augury_core::payout`): of the `collateral_micros` backing
    /// the market, `payable_micros` is owed to the holders of its contracts and `dust_micros`
    /// (what rounding each contract's payout down left over) went to the venue's fee account.
    MarketSettled {
        market: MarketId,
        resolution: Resolution,
        collateral_micros: Micros,
        payable_micros: Micros,
        dust_micros: Micros,
    },
    /// The market maker's remaining collateral plus the payout of the contracts it held went back
    /// to its operator.
    AmmClosed {
        market: MarketId,
        operator: AccountId,
        returned_micros: Micros,
    },
    /// The account's `contracts` (YES and NO of every outcome together) in a settled market were
    /// paid out and are gone.
    Redeemed {
        account: AccountId,
        market: MarketId,
        contracts: Quantity,
        payout_micros: Micros,
    },
}

/// How a fill moved contracts and collateral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillKind {
    /// Contracts changed hands; collateral went from buyer to seller.
    Transfer,
    /// A buyer of YES and a buyer of NO together paid a dollar a set; a new set was minted.
    Mint,
    /// A seller of YES and a seller of NO together gave back a set; its dollar was paid out.
    Merge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The owner asked.
    Requested,
    /// A good-till-date order reached its expiry.
    Expired,
    /// What an immediate-or-cancel or market order could not trade at once.
    Unfilled,
    /// A fill-or-kill order could not be filled whole.
    FillOrKill,
    /// Self-trade prevention.
    SelfTrade,
    /// A market buy reached its cost cap.
    CostCap,
    /// The market closed.
    MarketClosed,
}
