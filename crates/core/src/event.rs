//! Events: what happened as a result of an accepted command, in order. Subscribers (the journal,
//! read models, WebSocket fan-out) learn everything from these and nothing else.

use crate::command::{OrderType, SelfTradePrevention, TimeInForce};
use crate::market::MarketSpec;
use crate::units::{
    AccountId, Action, BookSide, MarketId, Micros, OrderId, OutcomeIndex, Quantity, Side, TimestampMs, TradeId,
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
