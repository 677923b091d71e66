//! Market statistics for discovery: per market and per outcome, the volume and notional traded
//! (all time and over the last 24 hours), open interest, the last price and its 24-hour change,
//! the number of distinct traders and the resting liquidity near the mid. Owned by
//! [`History`](crate::history::History), which feeds it every committed event; derived from the
//! journal's events alone, so a replay gives the same figures.
//!
//! Time is the venue's (the latest `TimeAdvanced`, as the history keeps it), never the wall clock.
//!
//! Definitions (every amount an integer; prices in micro-dollars):
//!
//! - **volume**: contracts traded, the sum of the quantities of book fills (`Fill`) and market
//!   maker fills (`AmmFill`).
//! - **notional**: what changed hands *in YES terms*. A book fill counts `yes_price x quantity`
//!   (the YES side's money; a minting or merging fill moved a further `(1 - yes_price) x quantity`
//!   on the NO side, which is not counted, so every fill counts once on the same footing). A market
//!   maker fill counts the YES value of its LMSR trade: `value_micros` when the taker traded YES,
//!   `quantity x 1,000,000 - value_micros` when it traded NO (the engine prices a NO trade as a
//!   whole set less the YES value, so this gives the YES value back exactly).
//! - **24 h figures**: kept in one-minute buckets. A trade counts for 24 hours from the start of
//!   its minute (it leaves the window when `minute start + 24 h <= now`, so between 23 h 59 m and
//!   24 h after it happened). `price_24h_ago` is the last price of the buckets that have left the
//!   window (the last trade at or before `now - 24 h`, to the minute). Buckets leave the window when
//!   the venue's time moves, through one queue shared by all outcomes in the order the buckets
//!   were opened, so a market that stops trading reads 0 a day later without a scan of the markets.
//! - **last price**: the YES price of the last trade, as the trade tape shows it (a book fill's
//!   YES price; a market maker fill's average own-side price rounded down, turned into YES terms).
//! - **open interest** of an outcome: its YES contracts in existence (accounts' and the market
//!   maker's), which is what the engine's issuance counters say: net pairs (splits and merges of
//!   the outcome, minting and merging fills, a categorical market maker's NO trades), plus net full
//!   sets (a categorical `None` split or merge), plus YES created by conversions, plus the sets the
//!   market maker has minted net (it merges every full set it holds, so that is the most it has
//!   sold of any LMSR state, see [`AmmRecord`](crate::history::AmmRecord)). A market's open
//!   interest is its outcome's for binary and scalar markets, and the sum over outcomes for
//!   categorical ones (a full set counts once per outcome). Once the market settles it stays at its
//!   value at settlement: redemption events name an account's contracts of all outcomes together,
//!   so what is left per outcome cannot be told; `unredeemed_contracts` says how many contracts
//!   (YES and NO of every outcome) are still to be redeemed.
//! - **traders**: distinct accounts that were on either side of a fill (maker or taker of a book
//!   fill, taker of a market maker fill).
//! - **liquidity**: the resting notional within 5 cents of the mid, inclusive. The mid is
//!   `(best bid + best ask) / 2` in YES terms (the one side's best when only one side rests; no
//!   liquidity with an empty book). Each level in the band counts `price x quantity` in the terms of
//!   the side that buys there (Kalshi's "yes bids" and "no bids"): a bid at YES price `p` counts `p`
//!   per contract, an ask `1,000,000 - p`. A bid is a YES buy or a NO sell and an ask a YES sell or
//!   a NO buy, so an order selling counts at its complement, what a buyer at that level pays; this
//!   way a level's notional follows from the level's total alone, as the engine's depth shows it.
//!   A market's liquidity is the sum over its outcomes. (Resting orders of the market maker do not
//!   exist: its liquidity is not counted.)

use augury_core::{
    AccountId, Action, BookSide, Event, FillKind, MarketId, MarketKind, Micros, OrderId, OutcomeIndex, Quantity, Side,
    TimestampMs, MICROS_PER_DOLLAR,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use utoipa::ToSchema;

/// The rolling window of the 24-hour figures.
pub const WINDOW_MS: u64 = 24 * 60 * 60 * 1_000;
/// The window's resolution.
pub const BUCKET_MS: u64 = 60_000;
/// How far from the mid (in YES terms, inclusive) resting orders count as liquidity: 5 cents.
pub const LIQUIDITY_BAND_MICROS: Micros = 50_000;

/// One outcome's statistics (one book: the only outcome, 0, of a binary or scalar market).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OutcomeStats {
    pub outcome: OutcomeIndex,
    /// Contracts traded, all time.
    pub volume: Quantity,
    /// What changed hands all time, in YES terms (see the module documentation).
    pub notional_micros: u128,
    /// Contracts traded in the last 24 hours (to the minute).
    pub volume_24h: Quantity,
    pub notional_24h_micros: u128,
    /// YES contracts in existence (frozen at settlement).
    pub open_interest: Quantity,
    /// The YES price of the last trade.
    pub last_price_micros: Option<Micros>,
    /// The YES price of the last trade at or before 24 hours ago (to the minute).
    pub price_24h_ago_micros: Option<Micros>,
    /// `last_price - price_24h_ago`, when both exist.
    pub price_change_24h_micros: Option<i64>,
    /// Distinct accounts that have traded this outcome.
    pub traders: u64,
    /// Resting notional within 5 cents of the mid.
    pub liquidity_micros: u128,
    /// The best resting bid and ask, in YES prices.
    pub best_bid_micros: Option<Micros>,
    pub best_ask_micros: Option<Micros>,
}

/// A market's statistics and its outcomes'.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct MarketStats {
    pub market: MarketId,
    /// Sums over the outcomes.
    pub volume: Quantity,
    pub notional_micros: u128,
    pub volume_24h: Quantity,
    pub notional_24h_micros: u128,
    /// The outcome's for binary and scalar markets; the sum over outcomes for categorical ones.
    pub open_interest: Quantity,
    /// The outcome's for binary and scalar markets; None for categorical ones (each outcome has
    /// its own price).
    pub last_price_micros: Option<Micros>,
    pub price_24h_ago_micros: Option<Micros>,
    pub price_change_24h_micros: Option<i64>,
    /// Distinct accounts that have traded any of its outcomes.
    pub traders: u64,
    /// The sum over outcomes.
    pub liquidity_micros: u128,
    pub settled: bool,
    /// After settlement: contracts (YES and NO of every outcome) not yet redeemed. None before.
    pub unredeemed_contracts: Option<Quantity>,
    /// In outcome order.
    pub outcomes: Vec<OutcomeStats>,
}

/// Trades of one outcome in one minute.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    start_ms: TimestampMs,
    volume: Quantity,
    notional_micros: u128,
    /// The YES price of the minute's last trade.
    close_micros: Micros,
}

/// One outcome's resting book: quantity per YES price. Levels are removed when empty, so the
/// first and last keys are the best prices.
#[derive(Debug, Default)]
struct Book {
    bids: BTreeMap<Micros, Quantity>,
    asks: BTreeMap<Micros, Quantity>,
}

impl Book {
    fn side(&mut self, side: BookSide) -> &mut BTreeMap<Micros, Quantity> {
        match side {
            BookSide::Bid => &mut self.bids,
            BookSide::Ask => &mut self.asks,
        }
    }

    fn add(&mut self, side: BookSide, yes_price_micros: Micros, quantity: Quantity) {
        if quantity > 0 {
            *self.side(side).entry(yes_price_micros).or_default() += quantity;
        }
    }

    fn remove(&mut self, side: BookSide, yes_price_micros: Micros, quantity: Quantity) {
        let levels = self.side(side);
        if let Some(level) = levels.get_mut(&yes_price_micros) {
            debug_assert!(*level >= quantity, "a level holds less than its orders");
            *level = level.saturating_sub(quantity);
            if *level == 0 {
                levels.remove(&yes_price_micros);
            }
        }
    }

    fn best_bid(&self) -> Option<Micros> {
        self.bids.last_key_value().map(|(&price, _)| price)
    }

    fn best_ask(&self) -> Option<Micros> {
        self.asks.first_key_value().map(|(&price, _)| price)
    }

    /// Resting notional within the band around the mid (see the module documentation).
    fn liquidity_micros(&self) -> u128 {
        // Twice the mid, so that a mid between two micro-dollars needs no rounding.
        let twice_mid = match (self.best_bid(), self.best_ask()) {
            (Some(bid), Some(ask)) => bid + ask,
            (Some(best), None) | (None, Some(best)) => 2 * best,
            (None, None) => return 0,
        };
        // |2p - twice_mid| <= 2 x band, for p in [low, high].
        let low = twice_mid.saturating_sub(2 * LIQUIDITY_BAND_MICROS).div_ceil(2);
        let high = (twice_mid + 2 * LIQUIDITY_BAND_MICROS) / 2;
        let notional = |price: Micros, quantity: Quantity| u128::from(price) * u128::from(quantity);
        let bids: u128 = self.bids.range(low..=high).map(|(&p, &q)| notional(p, q)).sum();
        let asks: u128 =
            self.asks.range(low..=high).map(|(&p, &q)| notional(MICROS_PER_DOLLAR.saturating_sub(p), q)).sum();
        bids + asks
    }
}

#[derive(Debug, Default)]
struct OutcomeState {
    volume: Quantity,
    notional_micros: u128,
    /// The minutes still in the 24-hour window, oldest first.
    window: VecDeque<Bucket>,
    volume_24h: Quantity,
    notional_24h_micros: u128,
    last_price_micros: Option<Micros>,
    /// The close of the newest bucket that has left the window.
    price_before_window_micros: Option<Micros>,
    traders: u64,
    /// Net YES/NO pairs of this outcome created: splits and merges of the pair, minting and
    /// merging fills, and a categorical market maker's NO trades. Signed, since the terms are
    /// applied one event at a time.
    pairs: i128,
    /// YES of this outcome created by conversions (categorical).
    yes_converted_in: i128,
    /// NO of this outcome given up in conversions (categorical).
    no_converted_out: i128,
    book: Book,
}

#[derive(Debug)]
struct MarketState {
    categorical: bool,
    outcomes: Vec<OutcomeState>,
    /// Net full sets (one YES of every outcome) split by accounts: categorical only.
    full_sets: i128,
    /// The market maker's net sales per LMSR state, as `AmmRecord` keeps them (empty without
    /// one): the sets it minted net are their maximum.
    amm_sold: Vec<i128>,
    traders: u64,
    settled: bool,
    /// Contracts (YES and NO of every outcome) left to redeem, from settlement on.
    unredeemed: Option<i128>,
}

impl OutcomeState {
    /// A trade's volume, notional and price, all time and in the bucket of its minute (opened at
    /// `start_ms` if it is not the newest one). True when it opened a bucket.
    fn record_trade(
        &mut self,
        start_ms: TimestampMs,
        quantity: Quantity,
        notional_micros: u128,
        yes_price_micros: Micros,
    ) -> bool {
        self.volume = self.volume.saturating_add(quantity);
        self.notional_micros += notional_micros;
        self.volume_24h = self.volume_24h.saturating_add(quantity);
        self.notional_24h_micros += notional_micros;
        self.last_price_micros = Some(yes_price_micros);
        match self.window.back_mut() {
            Some(bucket) if bucket.start_ms == start_ms => {
                bucket.volume = bucket.volume.saturating_add(quantity);
                bucket.notional_micros += notional_micros;
                bucket.close_micros = yes_price_micros;
                false
            }
            _ => {
                let bucket = Bucket { start_ms, volume: quantity, notional_micros, close_micros: yes_price_micros };
                self.window.push_back(bucket);
                true
            }
        }
    }
}

impl MarketState {
    /// A taker's trade with the market maker: the LMSR state it moves (as `AmmRecord::trade`), and
    /// for a categorical NO the pair the market maker mints (a buy) or merges (a sell).
    fn amm_trade(&mut self, outcome: OutcomeIndex, side: Side, action: Action, quantity: Quantity) {
        let quantity = i128::from(quantity);
        let (state, sells) = match (side, self.categorical) {
            (Side::Yes, _) => (usize::from(outcome), action == Action::Buy),
            (Side::No, false) => (1, action == Action::Buy),
            (Side::No, true) => (usize::from(outcome), action == Action::Sell),
        };
        if let Some(sold) = self.amm_sold.get_mut(state) {
            *sold += if sells { quantity } else { -quantity };
        }
        if side == Side::No && self.categorical {
            if let Some(o) = self.outcomes.get_mut(usize::from(outcome)) {
                o.pairs += if action == Action::Buy { quantity } else { -quantity };
            }
        }
    }

    /// Full sets the market maker has minted net (pairs, for a binary or scalar market).
    fn amm_sets(&self) -> i128 {
        self.amm_sold.iter().copied().max().unwrap_or(0)
    }

    /// The market maker's claims, as it must hold them (the smallest state at 0): their total.
    fn amm_claims_total(&self) -> i128 {
        let sets = self.amm_sets();
        self.amm_sold.iter().map(|sold| sets - sold).sum()
    }

    fn yes_outstanding(&self, outcome: &OutcomeState) -> i128 {
        let full_sets = if self.categorical { self.full_sets } else { 0 };
        outcome.pairs + full_sets + outcome.yes_converted_in + self.amm_sets()
    }

    fn no_outstanding(&self, outcome: &OutcomeState) -> i128 {
        // A binary or scalar market maker mints pairs; a categorical one mints full sets of YES
        // (its NO trades are in `pairs`).
        let amm_pairs = if self.categorical { 0 } else { self.amm_sets() };
        outcome.pairs - outcome.no_converted_out + amm_pairs
    }
}

/// An order between its acceptance (or an amendment that lost its place) and resting.
#[derive(Clone, Copy, Debug)]
struct Placing {
    order: OrderId,
    market: MarketId,
    outcome: OutcomeIndex,
    side: Side,
}

/// An order in the book.
#[derive(Clone, Copy, Debug)]
struct RestingOrder {
    market: MarketId,
    outcome: OutcomeIndex,
    side: Side,
    book_side: BookSide,
    yes_price_micros: Micros,
    remaining: Quantity,
}

/// The statistics of every market, kept from events (see the module documentation).
#[derive(Debug, Default)]
pub struct Stats {
    now_ms: TimestampMs,
    markets: BTreeMap<MarketId, MarketState>,
    /// Resting orders only (dropped when filled or cancelled). A B-tree, as the history's orders:
    /// it never stalls on a rehash of everything.
    resting: BTreeMap<OrderId, RestingOrder>,
    /// The order being placed in the current entry: `OrderRested` names only the order id.
    placing: Option<Placing>,
    market_traders: BTreeSet<(MarketId, AccountId)>,
    outcome_traders: BTreeSet<(MarketId, OutcomeIndex, AccountId)>,
    /// Every bucket opened, oldest first (buckets open as time moves forward, so this is also in
    /// order of when they leave the window).
    expiries: VecDeque<(TimestampMs, MarketId, OutcomeIndex)>,
}

/// Counts an account once per outcome and once per market: whether it is new to each. An account
/// the outcome knows is known to the market, so the common case is one lookup.
fn count_trader(
    outcome_traders: &mut BTreeSet<(MarketId, OutcomeIndex, AccountId)>,
    market_traders: &mut BTreeSet<(MarketId, AccountId)>,
    market: MarketId,
    outcome: OutcomeIndex,
    account: AccountId,
) -> (bool, bool) {
    if !outcome_traders.insert((market, outcome, account)) {
        return (false, false);
    }
    (true, market_traders.insert((market, account)))
}

/// What a minting or merging fill does to the pairs of its outcome.
fn fill_pairs(kind: FillKind, quantity: Quantity) -> i128 {
    match kind {
        FillKind::Mint => i128::from(quantity),
        FillKind::Merge => -i128::from(quantity),
        FillKind::Transfer => 0,
    }
}

fn yes_price(side: Side, own_price_micros: Micros) -> Micros {
    match side {
        Side::Yes => own_price_micros,
        Side::No => MICROS_PER_DOLLAR.saturating_sub(own_price_micros),
    }
}

/// A count kept signed (terms applied one event at a time) as a quantity; never negative in a
/// consistent journal.
fn quantity_of(value: i128) -> Quantity {
    Quantity::try_from(value.max(0)).unwrap_or(Quantity::MAX)
}

fn saturate(value: u128) -> Quantity {
    Quantity::try_from(value).unwrap_or(Quantity::MAX)
}

impl Stats {
    /// Follows one committed event. `now_ms` is the venue's time after it (the history's).
    pub fn apply(&mut self, event: &Event, now_ms: TimestampMs) {
        if now_ms > self.now_ms {
            self.advance(now_ms);
        }
        match *event {
            Event::MarketCreated { spec } => {
                let count = spec.kind.outcome_count();
                let market = MarketState {
                    categorical: matches!(spec.kind, MarketKind::Categorical { .. }),
                    outcomes: (0..count).map(|_| OutcomeState::default()).collect(),
                    full_sets: 0,
                    amm_sold: Vec::new(),
                    traders: 0,
                    settled: false,
                    unredeemed: None,
                };
                self.markets.insert(spec.market, market);
            }
            Event::SetsSplit { market, outcome, quantity, .. } => self.sets(market, outcome, i128::from(quantity)),
            Event::SetsMerged { market, outcome, quantity, .. } => self.sets(market, outcome, -i128::from(quantity)),
            Event::Converted { market, outcomes, quantity, .. } => {
                let Some(m) = self.markets.get_mut(&market) else { return };
                // NO of the named outcomes becomes YES of the others (see `sets.rs`).
                for (index, outcome) in m.outcomes.iter_mut().enumerate() {
                    if outcomes & (1u64 << index) != 0 {
                        outcome.no_converted_out += i128::from(quantity);
                    } else {
                        outcome.yes_converted_in += i128::from(quantity);
                    }
                }
            }
            Event::OrderAccepted { order, market, outcome, side, .. } => {
                self.placing = Some(Placing { order, market, outcome, side });
            }
            Event::OrderRested { order, book_side, price_micros, remaining_quantity } => {
                let Some(placing) = self.placing.take().filter(|p| p.order == order) else {
                    tracing::error!(%order, "an order rested without being placed: statistics skip it");
                    return;
                };
                let resting = RestingOrder {
                    market: placing.market,
                    outcome: placing.outcome,
                    side: placing.side,
                    book_side,
                    yes_price_micros: yes_price(placing.side, price_micros),
                    remaining: remaining_quantity,
                };
                self.rest(order, resting);
            }
            Event::OrderCancelled { order, .. } => {
                self.unrest(order);
            }
            Event::OrderAmended { order, remaining_quantity, kept_priority, .. } => {
                let Some(resting) = self.unrest(order) else { return };
                if kept_priority {
                    // Same price, less quantity, same place: back in at once.
                    self.rest(order, RestingOrder { remaining: remaining_quantity, ..resting });
                } else {
                    // Out of the book: it matches as a taker, then rests (`OrderRested`, with
                    // its new price) or not.
                    self.placing =
                        Some(Placing { order, market: resting.market, outcome: resting.outcome, side: resting.side });
                }
            }
            Event::Fill {
                market,
                outcome,
                yes_price_micros,
                quantity,
                kind,
                maker_order,
                maker_account,
                maker_remaining,
                taker_account,
                ..
            } => {
                // The maker's level, if it rested (always, in a journal read from the start).
                let maker_level = self.resting.get_mut(&maker_order).map(|maker| {
                    debug_assert_eq!(maker.remaining.checked_sub(quantity), Some(maker_remaining));
                    maker.remaining = maker_remaining;
                    (maker.book_side, maker.yes_price_micros)
                });
                if maker_remaining == 0 {
                    self.resting.remove(&maker_order);
                }
                let start_ms = self.bucket_start();
                // One lookup of the market for everything the fill changes.
                let Some(m) = self.markets.get_mut(&market) else { return };
                let Some(o) = m.outcomes.get_mut(usize::from(outcome)) else { return };
                if let Some((side, price)) = maker_level {
                    o.book.remove(side, price, quantity);
                }
                o.pairs += fill_pairs(kind, quantity);
                let notional = u128::from(yes_price_micros) * u128::from(quantity);
                if o.record_trade(start_ms, quantity, notional, yes_price_micros) {
                    self.expiries.push_back((start_ms, market, outcome));
                }
                for account in [maker_account, taker_account] {
                    let (new_to_outcome, new_to_market) =
                        count_trader(&mut self.outcome_traders, &mut self.market_traders, market, outcome, account);
                    o.traders += u64::from(new_to_outcome);
                    m.traders += u64::from(new_to_market);
                }
            }
            Event::AmmEnabled { market, .. } => {
                if let Some(m) = self.markets.get_mut(&market) {
                    let states = if m.categorical { m.outcomes.len() } else { 2 };
                    m.amm_sold = vec![0; states];
                }
            }
            Event::AmmFill {
                market, outcome, quantity, value_micros, taker_account, taker_side, taker_action, ..
            } => {
                let set_micros = u128::from(quantity) * u128::from(MICROS_PER_DOLLAR);
                let notional = match taker_side {
                    Side::Yes => u128::from(value_micros),
                    Side::No => set_micros.saturating_sub(u128::from(value_micros)),
                };
                // As the trade tape prices it (`History`): the own-side average, rounded down.
                let price = yes_price(taker_side, value_micros / quantity.max(1));
                let start_ms = self.bucket_start();
                let Some(m) = self.markets.get_mut(&market) else { return };
                m.amm_trade(outcome, taker_side, taker_action, quantity);
                let Some(o) = m.outcomes.get_mut(usize::from(outcome)) else { return };
                if o.record_trade(start_ms, quantity, notional, price) {
                    self.expiries.push_back((start_ms, market, outcome));
                }
                let (new_to_outcome, new_to_market) =
                    count_trader(&mut self.outcome_traders, &mut self.market_traders, market, outcome, taker_account);
                o.traders += u64::from(new_to_outcome);
                m.traders += u64::from(new_to_market);
            }
            Event::MarketSettled { market, .. } => {
                let Some(m) = self.markets.get_mut(&market) else { return };
                m.settled = true;
                let contracts: i128 = m.outcomes.iter().map(|o| m.yes_outstanding(o) + m.no_outstanding(o)).sum();
                m.unredeemed = Some(contracts);
            }
            Event::AmmClosed { market, .. } => {
                let Some(m) = self.markets.get_mut(&market) else { return };
                // Its claims are paid out at the close and are gone.
                let claims = m.amm_claims_total();
                if let Some(unredeemed) = m.unredeemed.as_mut() {
                    *unredeemed -= claims;
                }
            }
            Event::Redeemed { market, contracts, .. } => {
                if let Some(unredeemed) = self.markets.get_mut(&market).and_then(|m| m.unredeemed.as_mut()) {
                    *unredeemed -= i128::from(contracts);
                }
            }
            _ => {}
        }
    }

    fn outcome_mut(&mut self, market: MarketId, outcome: OutcomeIndex) -> Option<&mut OutcomeState> {
        self.markets.get_mut(&market)?.outcomes.get_mut(usize::from(outcome))
    }

    /// A split (positive) or merge (negative): a pair of one outcome, or (`None` in a categorical
    /// market) a full set of YES.
    fn sets(&mut self, market: MarketId, outcome: Option<OutcomeIndex>, quantity: i128) {
        let Some(m) = self.markets.get_mut(&market) else { return };
        match outcome {
            None if m.categorical => m.full_sets += quantity,
            // A binary or scalar market's only pair.
            _ => {
                if let Some(o) = m.outcomes.get_mut(usize::from(outcome.unwrap_or(0))) {
                    o.pairs += quantity;
                }
            }
        }
    }

    fn rest(&mut self, order: OrderId, resting: RestingOrder) {
        if resting.remaining == 0 {
            return;
        }
        if let Some(o) = self.outcome_mut(resting.market, resting.outcome) {
            o.book.add(resting.book_side, resting.yes_price_micros, resting.remaining);
        }
        self.resting.insert(order, resting);
    }

    /// Takes an order out of the book (nothing for an order that never rested).
    fn unrest(&mut self, order: OrderId) -> Option<RestingOrder> {
        let resting = self.resting.remove(&order)?;
        if let Some(o) = self.outcome_mut(resting.market, resting.outcome) {
            o.book.remove(resting.book_side, resting.yes_price_micros, resting.remaining);
        }
        Some(resting)
    }

    /// Where a trade made now goes in the 24-hour window.
    fn bucket_start(&self) -> TimestampMs {
        self.now_ms - self.now_ms % BUCKET_MS
    }

    /// The venue's time moved forward: buckets whose minute began 24 hours ago or more leave the
    /// window. Amortised O(1): each bucket leaves once.
    fn advance(&mut self, now_ms: TimestampMs) {
        self.now_ms = now_ms;
        while let Some(&(start_ms, market, outcome)) = self.expiries.front() {
            if start_ms + WINDOW_MS > self.now_ms {
                break;
            }
            self.expiries.pop_front();
            let Some(o) = self.outcome_mut(market, outcome) else { continue };
            let Some(bucket) = o.window.pop_front() else { continue };
            debug_assert_eq!(bucket.start_ms, start_ms, "buckets leave in the order they opened");
            // Saturating, as the sums were added (a u64 of contracts never fills in practice).
            o.volume_24h = o.volume_24h.saturating_sub(bucket.volume);
            o.notional_24h_micros = o.notional_24h_micros.saturating_sub(bucket.notional_micros);
            o.price_before_window_micros = Some(bucket.close_micros);
        }
    }

    /// A market's statistics (None for a market never created).
    pub fn market(&self, market: MarketId) -> Option<MarketStats> {
        let m = self.markets.get(&market)?;
        let outcomes: Vec<OutcomeStats> = (0..).zip(&m.outcomes).map(|(index, o)| outcome_stats(m, index, o)).collect();
        let sum = |f: fn(&OutcomeStats) -> u128| outcomes.iter().map(f).sum::<u128>();
        let single = (!m.categorical).then(|| outcomes.first()).flatten();
        Some(MarketStats {
            market,
            volume: saturate(sum(|o| u128::from(o.volume))),
            notional_micros: sum(|o| o.notional_micros),
            volume_24h: saturate(sum(|o| u128::from(o.volume_24h))),
            notional_24h_micros: sum(|o| o.notional_24h_micros),
            open_interest: saturate(sum(|o| u128::from(o.open_interest))),
            last_price_micros: single.and_then(|o| o.last_price_micros),
            price_24h_ago_micros: single.and_then(|o| o.price_24h_ago_micros),
            price_change_24h_micros: single.and_then(|o| o.price_change_24h_micros),
            traders: m.traders,
            liquidity_micros: sum(|o| o.liquidity_micros),
            settled: m.settled,
            unredeemed_contracts: m.unredeemed.map(quantity_of),
            outcomes,
        })
    }

    /// Every market's statistics, in market id order.
    pub fn all(&self) -> Vec<MarketStats> {
        self.markets.keys().filter_map(|&market| self.market(market)).collect()
    }
}

fn outcome_stats(m: &MarketState, outcome: OutcomeIndex, o: &OutcomeState) -> OutcomeStats {
    let last = o.last_price_micros;
    let ago = o.price_before_window_micros;
    OutcomeStats {
        outcome,
        volume: o.volume,
        notional_micros: o.notional_micros,
        volume_24h: o.volume_24h,
        notional_24h_micros: o.notional_24h_micros,
        open_interest: quantity_of(m.yes_outstanding(o)),
        last_price_micros: last,
        price_24h_ago_micros: ago,
        price_change_24h_micros: last.zip(ago).map(|(last, ago)| last as i64 - ago as i64),
        traders: o.traders,
        liquidity_micros: o.book.liquidity_micros(),
        best_bid_micros: o.book.best_bid(),
        best_ask_micros: o.book.best_ask(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augury_core::TradeId;
    use augury_core::{CancelReason, FeeSchedule, MarketSpec, OrderType, Resolution, SelfTradePrevention, TimeInForce};

    /// A minute boundary, so that bucket edges are easy to name.
    const T0: TimestampMs = 1_699_999_980_000;
    const HOUR: u64 = 60 * 60 * 1_000;
    const DOLLAR: Micros = MICROS_PER_DOLLAR;

    /// Hand-made events fed as the history feeds them.
    struct Feed {
        stats: Stats,
        now: TimestampMs,
        trade: u64,
    }

    impl Feed {
        fn new() -> Feed {
            let mut feed = Feed { stats: Stats::default(), now: 0, trade: 1 };
            feed.at(T0);
            feed
        }

        fn at(&mut self, now_ms: TimestampMs) {
            self.now = now_ms;
            self.stats.apply(&Event::TimeAdvanced { now_ms }, now_ms);
        }

        fn event(&mut self, event: Event) {
            self.stats.apply(&event, self.now);
        }

        fn market(&mut self, market: MarketId, kind: MarketKind) {
            let spec = MarketSpec { market, kind, tick_micros: 100, fees: FeeSchedule::ZERO, close_time_ms: 0 };
            self.event(Event::MarketCreated { spec });
        }

        /// An order accepted and resting whole at its own-side price.
        #[allow(clippy::too_many_arguments)]
        fn rest(
            &mut self,
            order: OrderId,
            market: MarketId,
            outcome: OutcomeIndex,
            side: Side,
            action: Action,
            price_micros: Micros,
            quantity: Quantity,
        ) {
            self.event(Event::OrderAccepted {
                order,
                account: AccountId(1_000 + order.get()),
                market,
                outcome,
                side,
                action,
                order_type: OrderType::Limit { price_micros },
                quantity,
                time_in_force: TimeInForce::Gtc,
                post_only: false,
                self_trade: SelfTradePrevention::CancelMaker,
            });
            let book_side = BookSide::of(side, action);
            self.event(Event::OrderRested { order, book_side, price_micros, remaining_quantity: quantity });
        }

        /// A book fill: the maker `(order, account, side, action, remaining after)` against a
        /// taker of the complementary kind.
        #[allow(clippy::too_many_arguments)]
        fn fill(
            &mut self,
            market: MarketId,
            outcome: OutcomeIndex,
            yes_price_micros: Micros,
            quantity: Quantity,
            kind: FillKind,
            maker: (OrderId, AccountId, Side, Action, Quantity),
            taker_account: AccountId,
        ) {
            let (maker_order, maker_account, maker_side, maker_action, maker_remaining) = maker;
            let (taker_side, taker_action) = match kind {
                FillKind::Transfer => {
                    (maker_side, if maker_action == Action::Buy { Action::Sell } else { Action::Buy })
                }
                FillKind::Mint | FillKind::Merge => (maker_side.opposite(), maker_action),
            };
            let trade = self.trade;
            self.trade += 1;
            self.event(Event::Fill {
                trade: TradeId(trade),
                market,
                outcome,
                yes_price_micros,
                quantity,
                kind,
                maker_order,
                maker_account,
                maker_side,
                maker_action,
                maker_fee_micros: 0,
                maker_remaining,
                taker_order: OrderId(900_000 + trade),
                taker_account,
                taker_side,
                taker_action,
                taker_fee_micros: 0,
                taker_remaining: 0,
            });
        }

        /// A transfer at `yes_price` between two accounts with no resting order to follow.
        fn trade(&mut self, market: MarketId, outcome: OutcomeIndex, yes_price: Micros, quantity: Quantity) {
            self.fill(
                market,
                outcome,
                yes_price,
                quantity,
                FillKind::Transfer,
                (OrderId(0), AccountId(1), Side::Yes, Action::Buy, 0),
                AccountId(2),
            );
        }

        #[allow(clippy::too_many_arguments)]
        fn amm_fill(
            &mut self,
            market: MarketId,
            outcome: OutcomeIndex,
            side: Side,
            action: Action,
            quantity: Quantity,
            value_micros: Micros,
            account: AccountId,
        ) {
            let trade = self.trade;
            self.trade += 1;
            self.event(Event::AmmFill {
                trade: TradeId(trade),
                market,
                outcome,
                quantity,
                value_micros,
                taker_order: OrderId(900_000 + trade),
                taker_account: account,
                taker_side: side,
                taker_action: action,
                taker_fee_micros: 0,
                taker_remaining: 0,
            });
        }

        fn stats(&self, market: MarketId) -> MarketStats {
            self.stats.market(market).expect("the market exists")
        }

        fn outcome(&self, market: MarketId, outcome: OutcomeIndex) -> OutcomeStats {
            self.stats(market).outcomes[usize::from(outcome)].clone()
        }
    }

    #[test]
    fn a_market_never_created_has_no_statistics() {
        let mut feed = Feed::new();
        assert_eq!(feed.stats.market(MarketId(7)), None);
        feed.market(MarketId(7), MarketKind::Binary);
        let stats = feed.stats(MarketId(7));
        assert_eq!((stats.volume, stats.open_interest, stats.traders, stats.liquidity_micros), (0, 0, 0, 0));
        assert_eq!(stats.last_price_micros, None);
        assert_eq!(stats.outcomes.len(), 1);
        assert_eq!(feed.stats.all().iter().map(|m| m.market).collect::<Vec<_>>(), vec![MarketId(7)]);
    }

    #[test]
    fn volume_and_notional_count_book_fills_at_the_yes_price_and_market_maker_fills_at_their_yes_value() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        feed.event(Event::AmmEnabled {
            market: MarketId(1),
            operator: AccountId(9),
            liquidity_micros: 100 * DOLLAR,
            funded_micros: 1,
        });
        // Any book fill counts YES price x quantity, whichever sides traded.
        feed.fill(
            MarketId(1),
            0,
            400_000,
            10,
            FillKind::Transfer,
            (OrderId(0), AccountId(1), Side::No, Action::Sell, 0),
            AccountId(2),
        );
        assert_eq!(
            (feed.stats(MarketId(1)).volume, feed.stats(MarketId(1)).notional_micros),
            (10, u128::from(4 * DOLLAR))
        );
        // A NO buy from the market maker for $3.10: its YES value is 5 x $1 - $3.10.
        feed.amm_fill(MarketId(1), 0, Side::No, Action::Buy, 5, 3_100_000, AccountId(3));
        let stats = feed.stats(MarketId(1));
        assert_eq!(stats.volume, 15);
        assert_eq!(stats.notional_micros, u128::from(4 * DOLLAR + 1_900_000));
        // Priced as the trade tape does: 1 - floor(3.10 / 5).
        assert_eq!(stats.last_price_micros, Some(380_000));
        // A YES sell to it for $1.21 (3 contracts): the value itself, price floor(1.21 / 3).
        feed.amm_fill(MarketId(1), 0, Side::Yes, Action::Sell, 3, 1_210_000, AccountId(3));
        let stats = feed.stats(MarketId(1));
        assert_eq!((stats.volume, stats.volume_24h), (18, 18));
        assert_eq!(stats.notional_micros, u128::from(4 * DOLLAR + 1_900_000 + 1_210_000));
        assert_eq!(stats.notional_24h_micros, stats.notional_micros);
        assert_eq!(stats.last_price_micros, Some(403_333));
        assert_eq!(stats.outcomes[0].volume, 18);
    }

    #[test]
    fn the_24h_window_rolls_off_as_time_passes_without_a_new_trade() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        feed.at(T0 + 30_000);
        feed.trade(MarketId(1), 0, 500_000, 10);
        feed.at(T0 + 2 * HOUR + 5_000);
        feed.trade(MarketId(1), 0, 600_000, 4);
        let stats = feed.stats(MarketId(1));
        assert_eq!((stats.volume_24h, stats.notional_24h_micros), (14, u128::from(5 * DOLLAR + 2_400_000)));
        // The first trade's minute began at T0: it counts until T0 + 24 h.
        feed.at(T0 + WINDOW_MS - 1);
        assert_eq!(feed.stats(MarketId(1)).volume_24h, 14);
        feed.at(T0 + WINDOW_MS);
        let stats = feed.stats(MarketId(1));
        assert_eq!((stats.volume_24h, stats.notional_24h_micros), (4, 2_400_000));
        assert_eq!(stats.volume, 14, "all-time volume stays");
        // A market that stops trading reads 0 a day later, with no trade arriving.
        feed.at(T0 + 2 * HOUR + WINDOW_MS);
        let stats = feed.stats(MarketId(1));
        assert_eq!((stats.volume_24h, stats.notional_24h_micros), (0, 0));
        assert_eq!((stats.volume, stats.notional_micros), (14, 7_400_000));
        assert_eq!(stats.outcomes[0].volume_24h, 0);
        // Time that jumps far ahead in one step empties it as well.
        feed.trade(MarketId(1), 0, 700_000, 1);
        feed.at(T0 + 100 * WINDOW_MS);
        assert_eq!(feed.stats(MarketId(1)).volume_24h, 0);
    }

    #[test]
    fn price_change_compares_the_last_price_with_the_last_one_a_day_ago() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        let before = feed.stats(MarketId(1));
        assert_eq!(
            (before.last_price_micros, before.price_24h_ago_micros, before.price_change_24h_micros),
            (None, None, None)
        );
        feed.trade(MarketId(1), 0, 450_000, 1);
        feed.trade(MarketId(1), 0, 500_000, 1);
        let stats = feed.stats(MarketId(1));
        assert_eq!(stats.last_price_micros, Some(500_000));
        assert_eq!((stats.price_24h_ago_micros, stats.price_change_24h_micros), (None, None), "no trade a day ago");
        feed.at(T0 + HOUR);
        feed.trade(MarketId(1), 0, 420_000, 1);
        feed.at(T0 + WINDOW_MS);
        let stats = feed.stats(MarketId(1));
        assert_eq!(stats.price_24h_ago_micros, Some(500_000), "the last trade of the minute that left");
        assert_eq!(stats.last_price_micros, Some(420_000));
        assert_eq!(stats.price_change_24h_micros, Some(-80_000));
        feed.trade(MarketId(1), 0, 610_000, 1);
        assert_eq!(feed.stats(MarketId(1)).price_change_24h_micros, Some(110_000));
        feed.at(T0 + HOUR + WINDOW_MS);
        let stats = feed.stats(MarketId(1));
        assert_eq!(stats.price_24h_ago_micros, Some(420_000));
        assert_eq!(stats.price_change_24h_micros, Some(190_000));
        // A day without trades: the last price is also the price a day ago.
        feed.at(T0 + 3 * WINDOW_MS);
        let stats = feed.stats(MarketId(1));
        assert_eq!((stats.price_24h_ago_micros, stats.price_change_24h_micros), (Some(610_000), Some(0)));
    }

    #[test]
    fn categorical_markets_price_each_outcome_and_leave_the_market_price_empty() {
        let mut feed = Feed::new();
        feed.market(MarketId(2), MarketKind::Categorical { outcomes: 3 });
        feed.trade(MarketId(2), 0, 300_000, 2);
        feed.trade(MarketId(2), 2, 150_000, 4);
        let stats = feed.stats(MarketId(2));
        assert_eq!(stats.last_price_micros, None);
        assert_eq!(stats.outcomes[0].last_price_micros, Some(300_000));
        assert_eq!(stats.outcomes[1].last_price_micros, None);
        assert_eq!(stats.outcomes[2].last_price_micros, Some(150_000));
        assert_eq!((stats.volume, stats.notional_micros), (6, 1_200_000));
    }

    #[test]
    fn traders_are_counted_once_per_outcome_and_once_per_market() {
        let mut feed = Feed::new();
        feed.market(MarketId(2), MarketKind::Categorical { outcomes: 2 });
        feed.market(MarketId(3), MarketKind::Binary);
        feed.fill(
            MarketId(2),
            0,
            500_000,
            1,
            FillKind::Transfer,
            (OrderId(0), AccountId(10), Side::Yes, Action::Buy, 0),
            AccountId(11),
        );
        feed.fill(
            MarketId(2),
            0,
            500_000,
            1,
            FillKind::Transfer,
            (OrderId(0), AccountId(11), Side::Yes, Action::Buy, 0),
            AccountId(10),
        );
        feed.fill(
            MarketId(2),
            1,
            500_000,
            1,
            FillKind::Mint,
            (OrderId(0), AccountId(10), Side::Yes, Action::Buy, 0),
            AccountId(12),
        );
        feed.amm_fill(MarketId(2), 1, Side::Yes, Action::Buy, 1, 500_000, AccountId(13));
        feed.fill(
            MarketId(3),
            0,
            500_000,
            1,
            FillKind::Transfer,
            (OrderId(0), AccountId(10), Side::Yes, Action::Buy, 0),
            AccountId(11),
        );
        let stats = feed.stats(MarketId(2));
        assert_eq!(stats.outcomes[0].traders, 2, "10 and 11");
        assert_eq!(stats.outcomes[1].traders, 3, "10, 12 and the market maker's taker 13");
        assert_eq!(stats.traders, 4, "10 counted once for both outcomes");
        assert_eq!(feed.stats(MarketId(3)).traders, 2);
    }

    #[test]
    fn open_interest_follows_splits_merges_minting_fills_and_conversions() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        feed.market(MarketId(2), MarketKind::Categorical { outcomes: 3 });
        // Binary: `None` is the market's only pair.
        feed.event(Event::SetsSplit { account: AccountId(5), market: MarketId(1), outcome: None, quantity: 100 });
        feed.event(Event::SetsSplit { account: AccountId(5), market: MarketId(1), outcome: Some(0), quantity: 20 });
        feed.event(Event::SetsMerged { account: AccountId(5), market: MarketId(1), outcome: None, quantity: 30 });
        feed.fill(
            MarketId(1),
            0,
            400_000,
            7,
            FillKind::Mint,
            (OrderId(0), AccountId(5), Side::Yes, Action::Buy, 0),
            AccountId(6),
        );
        feed.fill(
            MarketId(1),
            0,
            400_000,
            2,
            FillKind::Merge,
            (OrderId(0), AccountId(5), Side::Yes, Action::Sell, 0),
            AccountId(6),
        );
        feed.fill(
            MarketId(1),
            0,
            400_000,
            50,
            FillKind::Transfer,
            (OrderId(0), AccountId(5), Side::Yes, Action::Sell, 0),
            AccountId(6),
        );
        assert_eq!(feed.stats(MarketId(1)).open_interest, 100 + 20 - 30 + 7 - 2);
        assert_eq!(feed.stats(MarketId(1)).outcomes[0].open_interest, 95);

        // Categorical: full sets add a YES of every outcome, pairs one outcome's.
        feed.event(Event::SetsSplit { account: AccountId(5), market: MarketId(2), outcome: None, quantity: 10 });
        feed.event(Event::SetsSplit { account: AccountId(5), market: MarketId(2), outcome: Some(1), quantity: 4 });
        feed.fill(
            MarketId(2),
            2,
            200_000,
            3,
            FillKind::Mint,
            (OrderId(0), AccountId(5), Side::No, Action::Buy, 0),
            AccountId(6),
        );
        let yes = |feed: &Feed| (0..3).map(|o| feed.outcome(MarketId(2), o).open_interest).collect::<Vec<_>>();
        assert_eq!(yes(&feed), vec![10, 14, 13]);
        // NO of outcomes 1 and 2 (mask 0b110) becomes YES of outcome 0 and a dollar.
        feed.event(Event::Converted {
            account: AccountId(5),
            market: MarketId(2),
            outcomes: 0b110,
            quantity: 2,
            collateral_micros: DOLLAR,
        });
        assert_eq!(yes(&feed), vec![12, 14, 13]);
        feed.event(Event::SetsMerged { account: AccountId(5), market: MarketId(2), outcome: None, quantity: 5 });
        assert_eq!(yes(&feed), vec![7, 9, 8]);
        assert_eq!(feed.stats(MarketId(2)).open_interest, 7 + 9 + 8, "a categorical market's: the sum over outcomes");
    }

    #[test]
    fn open_interest_counts_the_sets_a_market_maker_mints_and_merges() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        feed.event(Event::AmmEnabled {
            market: MarketId(1),
            operator: AccountId(9),
            liquidity_micros: 100 * DOLLAR,
            funded_micros: 1,
        });
        // It mints 10 pairs to sell 10 YES, keeps the NO.
        feed.amm_fill(MarketId(1), 0, Side::Yes, Action::Buy, 10, 5 * DOLLAR, AccountId(3));
        assert_eq!(feed.stats(MarketId(1)).open_interest, 10);
        // It sells 4 of the NO it holds: no new sets.
        feed.amm_fill(MarketId(1), 0, Side::No, Action::Buy, 4, 2 * DOLLAR, AccountId(3));
        assert_eq!(feed.stats(MarketId(1)).open_interest, 10);
        // It sells 8 more NO: 6 held, 2 minted.
        feed.amm_fill(MarketId(1), 0, Side::No, Action::Buy, 8, 4 * DOLLAR, AccountId(3));
        assert_eq!(feed.stats(MarketId(1)).open_interest, 12);
        // Someone sells it 12 YES: it holds 12 YES and 0 NO... and 2 NO of its own? It holds YES 12
        // against NO 0, so nothing merges.
        feed.amm_fill(MarketId(1), 0, Side::Yes, Action::Sell, 12, 5 * DOLLAR, AccountId(3));
        assert_eq!(feed.stats(MarketId(1)).open_interest, 12);
        // Selling it 5 NO lets it merge 5 sets.
        feed.amm_fill(MarketId(1), 0, Side::No, Action::Sell, 5, 2 * DOLLAR, AccountId(3));
        assert_eq!(feed.stats(MarketId(1)).open_interest, 7);

        feed.market(MarketId(2), MarketKind::Categorical { outcomes: 3 });
        feed.event(Event::AmmEnabled {
            market: MarketId(2),
            operator: AccountId(9),
            liquidity_micros: 100 * DOLLAR,
            funded_micros: 1,
        });
        let yes = |feed: &Feed| (0..3).map(|o| feed.outcome(MarketId(2), o).open_interest).collect::<Vec<_>>();
        // A YES of outcome 0 sold: a full set minted, the other two YES kept.
        feed.amm_fill(MarketId(2), 0, Side::Yes, Action::Buy, 6, 2 * DOLLAR, AccountId(3));
        assert_eq!(yes(&feed), vec![6, 6, 6]);
        // A NO of outcome 1 sold: it mints outcome 1's pairs and keeps their YES.
        feed.amm_fill(MarketId(2), 1, Side::No, Action::Buy, 4, 3 * DOLLAR, AccountId(3));
        assert_eq!(yes(&feed), vec![6, 10, 6]);
        // A NO of outcome 2 bought: it mints 3 full sets and merges their YES of outcome 2 with
        // the taker's NO (claims [3, 13, 6]), then merges the 3 full sets it now holds: claims
        // [0, 10, 3], beside the 6 YES of outcome 0 the first taker holds.
        feed.amm_fill(MarketId(2), 2, Side::No, Action::Sell, 3, 2 * DOLLAR, AccountId(3));
        assert_eq!(yes(&feed), vec![6, 10, 3]);
    }

    #[test]
    fn after_settlement_open_interest_stays_and_unredeemed_contracts_count_down() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        feed.event(Event::AmmEnabled {
            market: MarketId(1),
            operator: AccountId(9),
            liquidity_micros: 100 * DOLLAR,
            funded_micros: 1,
        });
        feed.event(Event::SetsSplit { account: AccountId(5), market: MarketId(1), outcome: None, quantity: 100 });
        feed.amm_fill(MarketId(1), 0, Side::Yes, Action::Buy, 10, 5 * DOLLAR, AccountId(6));
        assert_eq!(feed.stats(MarketId(1)).unredeemed_contracts, None);
        let resolution = Resolution::Yes;
        feed.event(Event::MarketSettled {
            market: MarketId(1),
            resolution,
            collateral_micros: 110 * DOLLAR,
            payable_micros: 110 * DOLLAR,
            dust_micros: 0,
        });
        let stats = feed.stats(MarketId(1));
        assert!(stats.settled);
        assert_eq!(stats.open_interest, 110);
        assert_eq!(stats.unredeemed_contracts, Some(220), "110 YES and 110 NO");
        // The market maker's 10 NO are paid at its close.
        feed.event(Event::AmmClosed { market: MarketId(1), operator: AccountId(9), returned_micros: 1 });
        assert_eq!(feed.stats(MarketId(1)).unredeemed_contracts, Some(210));
        feed.event(Event::Redeemed {
            account: AccountId(5),
            market: MarketId(1),
            contracts: 200,
            payout_micros: 100 * DOLLAR,
        });
        feed.event(Event::Redeemed {
            account: AccountId(6),
            market: MarketId(1),
            contracts: 10,
            payout_micros: 10 * DOLLAR,
        });
        let stats = feed.stats(MarketId(1));
        assert_eq!(stats.unredeemed_contracts, Some(0));
        assert_eq!(stats.open_interest, 110, "frozen at settlement");
    }

    #[test]
    fn liquidity_counts_levels_within_five_cents_of_the_mid_inclusive() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        assert_eq!(feed.stats(MarketId(1)).liquidity_micros, 0, "an empty book has none");
        // Bid 0.40 (a YES buy), ask 0.50 (a NO buy at 0.50): mid 0.45.
        feed.rest(OrderId(1), MarketId(1), 0, Side::Yes, Action::Buy, 400_000, 10);
        feed.rest(OrderId(2), MarketId(1), 0, Side::No, Action::Buy, 500_000, 3);
        // One tick (100 micros) beyond five cents on either side: out.
        feed.rest(OrderId(3), MarketId(1), 0, Side::Yes, Action::Buy, 399_900, 1_000);
        feed.rest(OrderId(4), MarketId(1), 0, Side::Yes, Action::Sell, 500_100, 1_000);
        // A NO sell rests on the bid side at YES 0.42 and counts at the YES price.
        feed.rest(OrderId(5), MarketId(1), 0, Side::No, Action::Sell, 580_000, 2);
        let outcome = feed.outcome(MarketId(1), 0);
        assert_eq!((outcome.best_bid_micros, outcome.best_ask_micros), (Some(420_000), Some(500_000)));
        // Mid is now (0.42 + 0.50) / 2 = 0.46: the band is [0.41, 0.51], so 0.40 leaves it.
        assert_eq!(outcome.liquidity_micros, 2 * 420_000 + 3 * 500_000 + 1_000 * 499_900);
        feed.event(Event::OrderCancelled {
            order: OrderId(5),
            account: AccountId(1_005),
            remaining_quantity: 2,
            reason: CancelReason::Requested,
        });
        // Back to mid 0.45, band [0.40, 0.50]: 0.40 x 10 (bid) + 0.50 x 3 (ask at its NO price).
        assert_eq!(feed.stats(MarketId(1)).liquidity_micros, 10 * 400_000 + 3 * 500_000);
        assert_eq!(feed.stats(MarketId(1)).outcomes[0].liquidity_micros, feed.stats(MarketId(1)).liquidity_micros);
    }

    #[test]
    fn a_mid_between_two_micros_needs_no_rounding() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        // Bid 400,000, ask 400,001: mid 400,000.5, band [350,000.5, 450,000.5].
        feed.rest(OrderId(1), MarketId(1), 0, Side::Yes, Action::Buy, 400_000, 1);
        feed.rest(OrderId(2), MarketId(1), 0, Side::Yes, Action::Sell, 400_001, 1);
        feed.rest(OrderId(3), MarketId(1), 0, Side::Yes, Action::Buy, 350_000, 100);
        feed.rest(OrderId(4), MarketId(1), 0, Side::Yes, Action::Buy, 350_001, 1);
        feed.rest(OrderId(5), MarketId(1), 0, Side::Yes, Action::Sell, 450_000, 1);
        feed.rest(OrderId(6), MarketId(1), 0, Side::Yes, Action::Sell, 450_001, 100);
        let expected = 400_000 + 599_999 + 350_001 + 550_000;
        assert_eq!(feed.stats(MarketId(1)).liquidity_micros, expected);
    }

    #[test]
    fn a_one_sided_book_centres_on_its_best_price() {
        let mut feed = Feed::new();
        feed.market(MarketId(1), MarketKind::Binary);
        feed.rest(OrderId(1), MarketId(1), 0, Side::Yes, Action::Buy, 600_000, 1);
        feed.rest(OrderId(2), MarketId(1), 0, Side::Yes, Action::Buy, 550_000, 2);
        feed.rest(OrderId(3), MarketId(1), 0, Side::Yes, Action::Buy, 549_900, 100);
        let outcome = feed.outcome(MarketId(1), 0);
        assert_eq!((outcome.best_bid_micros, outcome.best_ask_micros), (Some(600_000), None));
        assert_eq!(outcome.liquidity_micros, 600_000 + 2 * 550_000);
        // Only asks: centred on the best ask, each at its NO price.
        feed.market(MarketId(2), MarketKind::Binary);
        feed.rest(OrderId(4), MarketId(2), 0, Side::Yes, Action::Sell, 300_000, 1);
        feed.rest(OrderId(5), MarketId(2), 0, Side::No, Action::Buy, 650_000, 1);
        feed.rest(OrderId(6), MarketId(2), 0, Side::No, Action::Buy, 649_900, 100);
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 700_000 + 650_000);
    }

    #[test]
    fn the_book_follows_fills_cancels_and_amendments() {
        let mut feed = Feed::new();
        feed.market(MarketId(2), MarketKind::Categorical { outcomes: 2 });
        feed.rest(OrderId(1), MarketId(2), 1, Side::Yes, Action::Buy, 400_000, 10);
        feed.rest(OrderId(2), MarketId(2), 1, Side::Yes, Action::Buy, 400_000, 5);
        feed.fill(
            MarketId(2),
            1,
            400_000,
            4,
            FillKind::Transfer,
            (OrderId(1), AccountId(1_001), Side::Yes, Action::Buy, 6),
            AccountId(7),
        );
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 11 * 400_000);
        feed.fill(
            MarketId(2),
            1,
            400_000,
            6,
            FillKind::Transfer,
            (OrderId(1), AccountId(1_001), Side::Yes, Action::Buy, 0),
            AccountId(7),
        );
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 5 * 400_000);
        // Kept priority: same price, less quantity.
        feed.event(Event::OrderAmended {
            order: OrderId(2),
            price_micros: 400_000,
            remaining_quantity: 2,
            kept_priority: true,
        });
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 2 * 400_000);
        // Lost priority: out of the book, in again where it rests.
        feed.event(Event::OrderAmended {
            order: OrderId(2),
            price_micros: 420_000,
            remaining_quantity: 9,
            kept_priority: false,
        });
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 0);
        feed.event(Event::OrderRested {
            order: OrderId(2),
            book_side: BookSide::Bid,
            price_micros: 420_000,
            remaining_quantity: 9,
        });
        assert_eq!(feed.outcome(MarketId(2), 1).best_bid_micros, Some(420_000));
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 9 * 420_000);
        // Cancelled orders leave; the other outcome's book never moved.
        feed.event(Event::OrderCancelled {
            order: OrderId(2),
            account: AccountId(1_002),
            remaining_quantity: 9,
            reason: CancelReason::MarketClosed,
        });
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 0);
        assert_eq!(feed.outcome(MarketId(2), 1).best_bid_micros, None);
        assert_eq!(feed.outcome(MarketId(2), 0).best_bid_micros, None);
        // An order that never rested (an IOC remainder) is ignored when cancelled.
        feed.event(Event::OrderCancelled {
            order: OrderId(77),
            account: AccountId(1),
            remaining_quantity: 3,
            reason: CancelReason::Unfilled,
        });
        assert_eq!(feed.stats(MarketId(2)).liquidity_micros, 0);
    }
}
