//! The benchmark's command stream: one binary market, generated from a seed, in two translations
//! (our engine's commands and the peer book's calls) that describe the same orders.
//!
//! The generator keeps an exact set of resting orders by running a scratch copy of our engine
//! while it generates (untimed): passive orders are priced strictly inside their own side of the
//! book so they never trade on arrival, and cancels always name a live order. Marketable orders
//! come only from a separate group of taker accounts and never rest, so self-trade prevention
//! never fires and both books go through exactly the same states (`verify_against_peer` checks
//! that the final books agree level by level).

use augury_core::{
    AccountId, Action, BookSide, Command, Event, FeeSchedule, MarketId, MarketKind, MarketSpec, NewOrder, OrderId,
    OrderType, SelfTradePrevention, Side, TimeInForce,
};
use augury_engine::{Engine, EngineConfig};
use rust_order_book as rob;
use serde::Serialize;

/// The benchmark market.
pub const MARKET: MarketId = MarketId(1);
/// Price grid step: a cent, so 99 levels between 0.01 and 0.99.
pub const TICK_MICROS: u64 = 10_000;
const TICKS_PER_DOLLAR: u32 = 100;
/// Accounts 1..=MAKERS post passive orders; MAKERS+1..=ACCOUNTS send marketable ones.
pub const ACCOUNTS: u64 = 1_000;
pub const MAKERS: u64 = 900;
/// Every account's deposit: $500M.
pub const DEPOSIT_MICROS: u64 = 500_000_000 * 1_000_000;
/// Sets every account splits up front so it can sell YES and NO: 100M of each.
pub const SPLIT_SETS: u64 = 100_000_000;
/// The book size the generator steers towards (resting orders).
pub const RESTING_TARGET: usize = 4_000;

pub use augury_sim::SplitMix64;

/// One call on the peer book, already translated to YES terms.
#[derive(Clone, Copy, Debug)]
pub enum PeerOp {
    Limit(rob::LimitOrderOptions),
    Market(rob::MarketOrderOptions),
    /// The peer's own id of the order (it numbers every accepted call from 0).
    Cancel(rob::OrderId),
}

/// What the stream contains, counted while generating it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WorkloadStats {
    /// Resting (GTC) limit orders that never trade on arrival.
    pub passive_orders: u64,
    /// Cancels of a resting order.
    pub cancels: u64,
    /// Immediate-or-cancel limit orders priced through the touch.
    pub ioc_orders: u64,
    /// Market orders (IOC).
    pub market_orders: u64,
    pub fills: u64,
    pub fills_transfer: u64,
    pub fills_mint: u64,
    pub fills_merge: u64,
    /// Commands our engine refused (expected 0).
    pub refused: u64,
    /// Resting orders after the stream, and their average and maximum over the stream.
    pub resting_final: u64,
    pub resting_mean: u64,
    pub resting_max: u64,
}

/// The pre-generated stream.
#[derive(Clone, Debug)]
pub struct Workload {
    pub seed: u64,
    /// Untimed: deposits, the market, the splits.
    pub setup: Vec<Command>,
    /// Timed: one command per op.
    pub ours: Vec<Command>,
    /// Timed: the same ops for the peer, one call each.
    pub peer: Vec<PeerOp>,
    pub stats: WorkloadStats,
}

/// Where an order sits, chosen before it is expressed as a side and action.
#[derive(Clone, Copy)]
struct Intent {
    book_side: BookSide,
    /// Which of the two ways to be on that side: false = the YES way (buy YES for a bid, sell YES
    /// for an ask), true = the NO way (sell NO for a bid, buy NO for an ask).
    via_no: bool,
}

impl Intent {
    fn random(rng: &mut SplitMix64) -> Intent {
        let book_side = if rng.coin() { BookSide::Bid } else { BookSide::Ask };
        Intent { book_side, via_no: rng.coin() }
    }

    fn side_action(self) -> (Side, Action) {
        match (self.book_side, self.via_no) {
            (BookSide::Bid, false) => (Side::Yes, Action::Buy),
            (BookSide::Bid, true) => (Side::No, Action::Sell),
            (BookSide::Ask, false) => (Side::Yes, Action::Sell),
            (BookSide::Ask, true) => (Side::No, Action::Buy),
        }
    }

    fn peer_side(self) -> rob::Side {
        match self.book_side {
            BookSide::Bid => rob::Side::Buy,
            BookSide::Ask => rob::Side::Sell,
        }
    }
}

/// The market's spec: binary, a cent tick, no fees.
pub fn market_spec() -> MarketSpec {
    MarketSpec {
        market: MARKET,
        kind: MarketKind::Binary,
        tick_micros: TICK_MICROS,
        fees: FeeSchedule::ZERO,
        close_time_ms: 0,
    }
}

/// The untimed setup: fund every account, open the market, split sets for every account.
pub fn setup_commands() -> Vec<Command> {
    let mut commands = Vec::with_capacity(2 * ACCOUNTS as usize + 1);
    for account in (1..=ACCOUNTS).map(AccountId) {
        commands.push(Command::Deposit { account, amount_micros: DEPOSIT_MICROS });
    }
    commands.push(Command::CreateMarket { spec: market_spec() });
    for account in (1..=ACCOUNTS).map(AccountId) {
        commands.push(Command::Split { account, market: MARKET, outcome: None, quantity: SPLIT_SETS });
    }
    commands
}

/// A fresh engine with the setup applied.
pub fn setup_engine(setup: &[Command]) -> Engine {
    let mut engine = Engine::new(EngineConfig::default());
    let mut events = Vec::new();
    for command in setup {
        engine.apply(command, &mut events).expect("benchmark setup is valid");
        events.clear();
    }
    engine
}

/// An order of `quantity` on the book side and way `intent` describes.
fn place(
    id: OrderId,
    account: AccountId,
    intent: Intent,
    order_type: OrderType,
    time_in_force: TimeInForce,
    quantity: u64,
) -> Command {
    let (side, action) = intent.side_action();
    Command::PlaceOrder {
        order: NewOrder {
            order: id,
            account,
            market: MARKET,
            outcome: 0,
            side,
            action,
            order_type,
            quantity,
            time_in_force,
            post_only: false,
            self_trade: SelfTradePrevention::CancelTaker,
        },
    }
}

/// A limit order at YES price `yes_ticks`, expressed in the order's own-side price.
fn limit_at(intent: Intent, yes_ticks: u32) -> OrderType {
    let own_ticks = match intent.side_action().0 {
        Side::Yes => yes_ticks,
        Side::No => TICKS_PER_DOLLAR - yes_ticks,
    };
    OrderType::Limit { price_micros: u64::from(own_ticks) * TICK_MICROS }
}

/// The set of resting orders, with O(1) insert, remove and uniform choice.
struct LiveSet {
    /// (our id, owner, the peer's id)
    orders: Vec<(OrderId, AccountId, u64)>,
    /// Position in `orders` by our order id; u32::MAX when not live.
    position: Vec<u32>,
}

impl LiveSet {
    fn insert(&mut self, id: OrderId, account: AccountId, peer_id: u64) {
        let index = id.get() as usize;
        if self.position.len() <= index {
            self.position.resize(index + 1, u32::MAX);
        }
        self.position[index] = self.orders.len() as u32;
        self.orders.push((id, account, peer_id));
    }

    fn remove(&mut self, id: OrderId) -> bool {
        let Some(&at) = self.position.get(id.get() as usize) else { return false };
        if at == u32::MAX {
            return false;
        }
        self.orders.swap_remove(at as usize);
        if let Some(&(moved, _, _)) = self.orders.get(at as usize) {
            self.position[moved.get() as usize] = at;
        }
        self.position[id.get() as usize] = u32::MAX;
        true
    }
}

impl Workload {
    /// Generates `ops` timed ops from `seed`. Deterministic: the same arguments give the same
    /// stream on every machine.
    pub fn generate(ops: usize, seed: u64) -> Workload {
        let mut rng = SplitMix64::new(seed);
        let setup = setup_commands();
        let mut oracle = setup_engine(&setup);
        let mut events = Vec::with_capacity(64);
        let mut ours = Vec::with_capacity(ops);
        let mut peer = Vec::with_capacity(ops);
        let mut stats = WorkloadStats::default();
        let mut live =
            LiveSet { orders: Vec::with_capacity(2 * RESTING_TARGET), position: Vec::with_capacity(ops + 1) };
        let mut next_id: OrderId = OrderId(1);
        let mut next_peer_id: u64 = 0;
        // A fair value that drifts slowly inside 0.35..0.65; passive orders quote around it.
        let mut fair: u32 = 50;
        let mut resting_sum: u128 = 0;

        for step in 0..ops {
            if step % 1_000 == 999 {
                fair = match rng.below(3) {
                    0 if fair > 35 => fair - 1,
                    1 if fair < 65 => fair + 1,
                    _ => fair,
                };
            }
            let (best_bid, best_ask) = {
                let (bid, ask) = oracle.best_prices(MARKET, 0);
                (bid.map(|p| (p / TICK_MICROS) as u32), ask.map(|p| (p / TICK_MICROS) as u32))
            };
            // About 60% passive, 30% cancel, 10% marketable; the passive/cancel split leans a
            // little towards whichever keeps the book near its target size.
            let deviation = (live.orders.len() as i64 - RESTING_TARGET as i64) * 100 / RESTING_TARGET as i64;
            let cancel_percent = (30 + deviation.clamp(-10, 10)) as u64;
            let roll = rng.below(100);
            let mut resting_peer_id = u64::MAX;
            let command = if roll < 10 {
                // Marketable: a taker account, an IOC limit through the touch or a market order.
                let intent = Intent::random(&mut rng);
                let account = AccountId(rng.range(MAKERS + 1, ACCOUNTS));
                let quantity = rng.range(1, 30);
                let opposite_best = match intent.book_side {
                    BookSide::Bid => best_ask,
                    BookSide::Ask => best_bid,
                };
                let id = next_id;
                next_id = id.next();
                if rng.below(10) < 7 {
                    let reach = rng.below(3) as u32;
                    let yes_ticks = match (intent.book_side, opposite_best) {
                        (BookSide::Bid, Some(ask)) => (ask + reach).min(TICKS_PER_DOLLAR - 1),
                        (BookSide::Ask, Some(bid)) => bid.saturating_sub(reach).max(1),
                        (BookSide::Bid, None) => fair + 2,
                        (BookSide::Ask, None) => fair - 2,
                    };
                    stats.ioc_orders += 1;
                    next_peer_id += 1;
                    peer.push(PeerOp::Limit(rob::LimitOrderOptions::new(
                        intent.peer_side(),
                        quantity,
                        u64::from(yes_ticks),
                        Some(rob::TimeInForce::IOC),
                        None,
                    )));
                    place(id, account, intent, limit_at(intent, yes_ticks), TimeInForce::Ioc, quantity)
                } else {
                    stats.market_orders += 1;
                    // The peer refuses a market order against an empty side without using an id.
                    if opposite_best.is_some() {
                        next_peer_id += 1;
                    }
                    peer.push(PeerOp::Market(rob::MarketOrderOptions::new(intent.peer_side(), quantity)));
                    let market = OrderType::Market { cost_cap_micros: None };
                    place(id, account, intent, market, TimeInForce::Ioc, quantity)
                }
            } else if roll < 10 + cancel_percent && !live.orders.is_empty() {
                let (order, account, peer_id) = live.orders[rng.below(live.orders.len() as u64) as usize];
                stats.cancels += 1;
                peer.push(PeerOp::Cancel(rob::OrderId(peer_id)));
                Command::CancelOrder { account, order }
            } else {
                // Passive: one to five ticks from the fair value, never through the touch.
                let intent = Intent::random(&mut rng);
                let account = AccountId(rng.range(1, MAKERS));
                let quantity = rng.range(1, 10);
                let distance = rng.range(1, 5) as u32;
                let yes_ticks = match intent.book_side {
                    BookSide::Bid => (fair - distance).min(best_ask.map_or(u32::MAX, |a| a - 1)).max(1),
                    BookSide::Ask => (fair + distance).max(best_bid.map_or(0, |b| b + 1)).min(TICKS_PER_DOLLAR - 1),
                };
                let id = next_id;
                next_id = id.next();
                stats.passive_orders += 1;
                peer.push(PeerOp::Limit(rob::LimitOrderOptions::new(
                    intent.peer_side(),
                    quantity,
                    u64::from(yes_ticks),
                    Some(rob::TimeInForce::GTC),
                    None,
                )));
                // The peer id this order gets, remembered below when it rests.
                resting_peer_id = next_peer_id;
                next_peer_id += 1;
                place(id, account, intent, limit_at(intent, yes_ticks), TimeInForce::Gtc, quantity)
            };

            events.clear();
            match oracle.apply(&command, &mut events) {
                Ok(()) => {}
                Err(_) => stats.refused += 1,
            }
            for event in &events {
                match *event {
                    Event::OrderRested { order, .. } => {
                        let account = match command {
                            Command::PlaceOrder { order: ref new } => new.account,
                            _ => unreachable!("only a placed order rests here"),
                        };
                        live.insert(order, account, resting_peer_id);
                    }
                    Event::Fill { maker_order, maker_remaining, kind, .. } => {
                        stats.fills += 1;
                        match kind {
                            augury_core::FillKind::Transfer => stats.fills_transfer += 1,
                            augury_core::FillKind::Mint => stats.fills_mint += 1,
                            augury_core::FillKind::Merge => stats.fills_merge += 1,
                        }
                        if maker_remaining == 0 {
                            live.remove(maker_order);
                        }
                    }
                    Event::OrderCancelled { order, .. } => {
                        live.remove(order);
                    }
                    _ => {}
                }
            }
            ours.push(command);
            resting_sum += live.orders.len() as u128;
            stats.resting_max = stats.resting_max.max(live.orders.len() as u64);
        }
        debug_assert_eq!(live.orders.len(), oracle.open_order_count());
        stats.resting_final = live.orders.len() as u64;
        stats.resting_mean = if ops == 0 { 0 } else { (resting_sum / ops as u128) as u64 };
        Workload { seed, setup, ours, peer, stats }
    }

    pub fn ops(&self) -> usize {
        self.ours.len()
    }
}
