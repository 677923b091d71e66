//! Shared helpers for the engine's integration tests: a small venue (three zero-fee markets of
//! each kind, one market with a quadratic taker fee, four funded traders), order builders, and
//! `ok` / `refused`, which apply a command and check what must hold around it.
#![allow(dead_code)]

use augury_core::{
    AccountId, Action, BookSide, CancelReason, Command, Event, FeeRule, FeeSchedule, FillKind, MarketId, MarketKind,
    MarketSpec, Micros, NewOrder, OrderId, OrderType, OutcomeIndex, Quantity, Reject, SelfTradePrevention, Side,
    TimeInForce,
};
use augury_engine::{Engine, EngineConfig, PositionView};

pub const DOLLAR: Micros = 1_000_000;
pub const CENT: Micros = 10_000;

pub const FEE_ACCOUNT: AccountId = AccountId(900);
pub const ALICE: AccountId = AccountId(1);
pub const BOB: AccountId = AccountId(2);
pub const CAROL: AccountId = AccountId(3);
pub const DAVE: AccountId = AccountId(4);
pub const TRADERS: [AccountId; 4] = [ALICE, BOB, CAROL, DAVE];
/// What `venue()` deposits for each trader.
pub const START: Micros = 100 * DOLLAR;

pub const BINARY: MarketId = MarketId(1);
pub const CATEGORICAL: MarketId = MarketId(2);
pub const SCALAR: MarketId = MarketId(3);
pub const FEE_MARKET: MarketId = MarketId(4);
pub const CATEGORICAL_OUTCOMES: OutcomeIndex = 3;

pub const TAKER_RATE_PPM: u32 = 70_000;
pub const FEE_ROUNDING: u32 = 10_000;
/// Maker free; taker pays ceil(0.07 x C x P x (1 - P)) rounded up to the cent.
pub const KALSHI_FEES: FeeSchedule = FeeSchedule {
    maker: FeeRule::Zero,
    taker: FeeRule::Quadratic { rate_ppm: TAKER_RATE_PPM, rounding_micros: FEE_ROUNDING },
};

pub fn binary_spec(market: MarketId) -> MarketSpec {
    MarketSpec { market, kind: MarketKind::Binary, tick_micros: CENT, fees: FeeSchedule::ZERO, close_time_ms: 0 }
}

pub fn categorical_spec(market: MarketId, outcomes: OutcomeIndex) -> MarketSpec {
    MarketSpec { kind: MarketKind::Categorical { outcomes }, ..binary_spec(market) }
}

pub fn scalar_spec(market: MarketId, floor: i64, cap: i64) -> MarketSpec {
    MarketSpec { kind: MarketKind::Scalar { floor, cap }, ..binary_spec(market) }
}

pub fn fee_spec(market: MarketId) -> MarketSpec {
    MarketSpec { fees: KALSHI_FEES, ..binary_spec(market) }
}

/// An empty engine whose fees go to `FEE_ACCOUNT`.
pub fn engine() -> Engine {
    Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() })
}

/// The four markets, and $100 for each trader.
pub fn venue() -> Engine {
    let mut e = engine();
    for spec in [
        binary_spec(BINARY),
        categorical_spec(CATEGORICAL, CATEGORICAL_OUTCOMES),
        scalar_spec(SCALAR, -50, 150),
        fee_spec(FEE_MARKET),
    ] {
        ok(&mut e, Command::CreateMarket { spec });
    }
    for account in TRADERS {
        deposit(&mut e, account, START);
    }
    e
}

/// Applies a command that must be accepted; checks every invariant afterwards.
#[track_caller]
pub fn ok(e: &mut Engine, command: Command) -> Vec<Event> {
    let events = match e.apply_collect(&command) {
        Ok(events) => events,
        Err(reject) => panic!("{command:?} was refused: {reject:?}"),
    };
    if let Err(violation) = e.check_invariants() {
        panic!("after {command:?}: {violation}");
    }
    events
}

/// Applies a command that must be refused, and checks that it changed nothing: same state hash,
/// no events appended, invariants intact.
#[track_caller]
pub fn refused(e: &mut Engine, command: Command) -> Reject {
    let before = e.state_hash();
    let mut events = Vec::new();
    let reject = match e.apply(&command, &mut events) {
        Ok(()) => panic!("{command:?} was accepted: {events:?}"),
        Err(reject) => reject,
    };
    assert!(events.is_empty(), "a refusal emitted events: {events:?}");
    assert_eq!(e.state_hash(), before, "{command:?} was refused ({reject:?}) but changed the state");
    e.check_invariants().unwrap();
    reject
}

pub fn deposit(e: &mut Engine, account: AccountId, amount_micros: Micros) -> Vec<Event> {
    ok(e, Command::Deposit { account, amount_micros })
}

pub fn split(
    e: &mut Engine,
    account: AccountId,
    market: MarketId,
    outcome: Option<OutcomeIndex>,
    quantity: Quantity,
) -> Vec<Event> {
    ok(e, Command::Split { account, market, outcome, quantity })
}

pub fn merge(
    e: &mut Engine,
    account: AccountId,
    market: MarketId,
    outcome: Option<OutcomeIndex>,
    quantity: Quantity,
) -> Vec<Event> {
    ok(e, Command::Merge { account, market, outcome, quantity })
}

/// A GTC limit order (not post-only, cancel-taker self-trade prevention).
#[allow(clippy::too_many_arguments)]
pub fn limit(
    order: OrderId,
    account: AccountId,
    market: MarketId,
    outcome: OutcomeIndex,
    side: Side,
    action: Action,
    price_micros: Micros,
    quantity: Quantity,
) -> NewOrder {
    NewOrder {
        order,
        account,
        market,
        outcome,
        side,
        action,
        order_type: OrderType::Limit { price_micros },
        quantity,
        time_in_force: TimeInForce::Gtc,
        post_only: false,
        self_trade: SelfTradePrevention::CancelTaker,
    }
}

pub fn buy_yes(order: OrderId, account: AccountId, market: MarketId, price: Micros, quantity: Quantity) -> NewOrder {
    limit(order, account, market, 0, Side::Yes, Action::Buy, price, quantity)
}

pub fn sell_yes(order: OrderId, account: AccountId, market: MarketId, price: Micros, quantity: Quantity) -> NewOrder {
    limit(order, account, market, 0, Side::Yes, Action::Sell, price, quantity)
}

pub fn buy_no(order: OrderId, account: AccountId, market: MarketId, price: Micros, quantity: Quantity) -> NewOrder {
    limit(order, account, market, 0, Side::No, Action::Buy, price, quantity)
}

pub fn sell_no(order: OrderId, account: AccountId, market: MarketId, price: Micros, quantity: Quantity) -> NewOrder {
    limit(order, account, market, 0, Side::No, Action::Sell, price, quantity)
}

/// An immediate-or-cancel market order on outcome 0.
pub fn market_order(
    order: OrderId,
    account: AccountId,
    market: MarketId,
    side: Side,
    action: Action,
    quantity: Quantity,
    cost_cap_micros: Option<Micros>,
) -> NewOrder {
    NewOrder {
        order_type: OrderType::Market { cost_cap_micros },
        time_in_force: TimeInForce::Ioc,
        ..limit(order, account, market, 0, side, action, 0, quantity)
    }
}

pub fn ioc(order: NewOrder) -> NewOrder {
    NewOrder { time_in_force: TimeInForce::Ioc, ..order }
}

pub fn fok(order: NewOrder) -> NewOrder {
    NewOrder { time_in_force: TimeInForce::Fok, ..order }
}

pub fn gtd(order: NewOrder, expires_at_ms: u64) -> NewOrder {
    NewOrder { time_in_force: TimeInForce::Gtd { expires_at_ms }, ..order }
}

pub fn post_only(order: NewOrder) -> NewOrder {
    NewOrder { post_only: true, ..order }
}

pub fn stp(order: NewOrder, self_trade: SelfTradePrevention) -> NewOrder {
    NewOrder { self_trade, ..order }
}

#[track_caller]
pub fn place(e: &mut Engine, order: NewOrder) -> Vec<Event> {
    ok(e, Command::PlaceOrder { order })
}

/// Places an order that must rest whole without trading.
#[track_caller]
pub fn rest(e: &mut Engine, order: NewOrder) {
    let events = place(e, order);
    let price_micros = match order.order_type {
        OrderType::Limit { price_micros } => price_micros,
        OrderType::Market { .. } => panic!("a market order never rests"),
    };
    assert_eq!(
        events,
        vec![
            accepted(&order),
            Event::OrderRested {
                order: order.order,
                book_side: BookSide::of(order.side, order.action),
                price_micros,
                remaining_quantity: order.quantity,
            },
        ]
    );
}

#[track_caller]
pub fn cancel(e: &mut Engine, account: AccountId, order: OrderId) -> Vec<Event> {
    ok(e, Command::CancelOrder { account, order })
}

#[track_caller]
pub fn amend(
    e: &mut Engine,
    account: AccountId,
    order: OrderId,
    price_micros: Option<Micros>,
    remaining_quantity: Option<Quantity>,
) -> Vec<Event> {
    ok(e, Command::AmendOrder { account, order, price_micros, remaining_quantity })
}

#[track_caller]
pub fn advance(e: &mut Engine, now_ms: u64) -> Vec<Event> {
    ok(e, Command::AdvanceTime { now_ms })
}

/// The `OrderAccepted` event an order produces.
pub fn accepted(order: &NewOrder) -> Event {
    Event::OrderAccepted {
        order: order.order,
        account: order.account,
        market: order.market,
        outcome: order.outcome,
        side: order.side,
        action: order.action,
        order_type: order.order_type,
        quantity: order.quantity,
        time_in_force: order.time_in_force,
        post_only: order.post_only,
        self_trade: order.self_trade,
    }
}

/// A fill reduced to what most tests check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct F {
    pub maker: OrderId,
    pub taker: OrderId,
    pub yes_price: Micros,
    pub quantity: Quantity,
    pub kind: FillKind,
}

pub fn f(maker: OrderId, taker: OrderId, yes_price: Micros, quantity: Quantity, kind: FillKind) -> F {
    F { maker, taker, yes_price, quantity, kind }
}

pub fn fills(events: &[Event]) -> Vec<F> {
    events
        .iter()
        .filter_map(|event| match *event {
            Event::Fill { maker_order, taker_order, yes_price_micros, quantity, kind, .. } => {
                Some(f(maker_order, taker_order, yes_price_micros, quantity, kind))
            }
            _ => None,
        })
        .collect()
}

/// (taker fee, maker fee) of every fill, in order.
pub fn fill_fees(events: &[Event]) -> Vec<(Micros, Micros)> {
    events
        .iter()
        .filter_map(|event| match *event {
            Event::Fill { taker_fee_micros, maker_fee_micros, .. } => Some((taker_fee_micros, maker_fee_micros)),
            _ => None,
        })
        .collect()
}

/// (order, remaining, reason) of every cancellation, in order.
/// Cancellations as (order number, remaining quantity, reason), for comparing with literals.
pub fn cancels(events: &[Event]) -> Vec<(u64, Quantity, CancelReason)> {
    events
        .iter()
        .filter_map(|event| match *event {
            Event::OrderCancelled { order, remaining_quantity, reason, .. } => {
                Some((order.get(), remaining_quantity, reason))
            }
            _ => None,
        })
        .collect()
}

pub fn available(e: &Engine, account: AccountId) -> Micros {
    e.account(account).expect("account exists").available_micros
}

pub fn reserved(e: &Engine, account: AccountId) -> Micros {
    e.account(account).expect("account exists").reserved_micros
}

/// (available, reserved) of an account.
pub fn balance(e: &Engine, account: AccountId) -> (Micros, Micros) {
    (available(e, account), reserved(e, account))
}

pub fn position(e: &Engine, account: AccountId, market: MarketId, outcome: OutcomeIndex) -> PositionView {
    e.position(account, market, outcome)
}

pub fn pos(yes: Quantity, yes_reserved: Quantity, no: Quantity, no_reserved: Quantity) -> PositionView {
    PositionView { yes, yes_reserved, no, no_reserved }
}

/// The quadratic fee computed independently of the engine: ceil(rate x C x P x (1 - P)) rounded up
/// to `rounding` micros.
pub fn quadratic_fee(rate_ppm: u32, rounding: u32, quantity: Quantity, price: Micros) -> Micros {
    let exact_numerator = u128::from(rate_ppm) * u128::from(quantity) * u128::from(price) * u128::from(DOLLAR - price);
    // exact fee in micros = numerator / (1e6 ppm x 1e6 micros per dollar)
    let denominator = 1_000_000u128 * 1_000_000u128 * u128::from(rounding);
    let units = exact_numerator.div_ceil(denominator);
    Micros::try_from(units * u128::from(rounding)).expect("a test fee fits")
}

pub fn taker_fee(quantity: Quantity, price: Micros) -> Micros {
    quadratic_fee(TAKER_RATE_PPM, FEE_ROUNDING, quantity, price)
}
