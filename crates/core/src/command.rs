//! Commands: everything that can change the engine's state. Each carries the ids it needs; time
//! moves only by `AdvanceTime`, which the sequencer issues from its clock.

use crate::market::MarketSpec;
use crate::units::{AccountId, Action, MarketId, Micros, OrderId, OutcomeIndex, Quantity, Side, TimestampMs};
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
#[serde(rename_all = "snake_case")]
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
#[serde(rename_all = "snake_case")]
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
