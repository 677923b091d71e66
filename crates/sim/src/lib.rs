//! A seeded market simulator. It sets up the demo venue (a binary, a categorical and a scalar
//! market, funded traders) and generates a reproducible stream of commands from simple trader
//! behaviours: market makers quoting around a drifting fair value, takers crossing the spread,
//! cancels, amendments, splits, merges, conversions and the passage of time.
//!
//! It also owns what the demo's markets ask: each demo market's catalog entry ([`markets`]),
//! and 26 real Polymarket questions with the importer that reads them ([`questions`]), which
//! `augury serve --demo` lists (and, for six of them, trades) through
//! [`Simulation::with_real_questions`] and [`Simulation::venue_setup`].
//!
//! The simulator only produces commands; whoever drives it applies them to an engine or a venue.
//! The same seed always gives the same stream, so any failure it finds can be replayed exactly.
#![forbid(unsafe_code)]

pub mod markets;
pub mod questions;
pub mod slug;
pub mod utc;

pub use markets::{demo_markets, DemoMarket};
pub use questions::Question;

use augury_catalog::EventInfo;
use augury_core::{
    AccountId, Action, Command, MarketId, NewOrder, OrderId, OrderType, OutcomeIndex, SelfTradePrevention, Side,
    TimeInForce, MICROS_PER_DOLLAR,
};
use augury_sequencer::VenueCommand;

/// A small, fast, well-mixed generator (SplitMix64); good enough for simulation, never for keys.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// Uniform in `low..=high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    pub fn coin(&mut self) -> bool {
        self.next_u64() >> 63 == 1
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The fee account of the demo venue.
pub const FEE_ACCOUNT: AccountId = AccountId(1);
/// Traders are accounts 100.. (100 + TRADERS).
pub const FIRST_TRADER: AccountId = AccountId(100);
pub const TRADERS: u64 = 24;

/// The simulated traders' accounts, in order.
pub fn traders() -> impl Iterator<Item = AccountId> {
    (FIRST_TRADER.get()..FIRST_TRADER.get() + TRADERS).map(AccountId)
}

/// Generates the demo venue's command stream.
#[derive(Clone, Debug)]
pub struct Simulation {
    rng: SplitMix64,
    /// The markets the traders trade.
    markets: Vec<DemoMarket>,
    /// Markets listed by [`Simulation::venue_setup`] that the traders leave alone.
    listed_only: Vec<DemoMarket>,
    /// Events created before the markets, in order.
    events: Vec<EventInfo>,
    next_order: OrderId,
    clock_ms: u64,
    /// Recently placed orders and their owners: targets for cancels and amendments.
    recent: Vec<(OrderId, AccountId)>,
}

impl Simulation {
    pub fn new(seed: u64) -> Simulation {
        Simulation {
            rng: SplitMix64::new(seed),
            markets: demo_markets(),
            listed_only: Vec::new(),
            events: Vec::new(),
            next_order: OrderId(1),
            clock_ms: 1_700_000_000_000,
            recent: Vec::new(),
        }
    }

    /// A simulation that carries on an earlier run's venue: its clock and order ids continue from
    /// the engine's, so nothing it generates is refused for going back in time or reusing an id.
    pub fn resume(seed: u64, clock_ms: u64, highest_order_id: OrderId) -> Simulation {
        let mut simulation = Simulation::new(seed);
        simulation.clock_ms = simulation.clock_ms.max(clock_ms);
        simulation.next_order = highest_order_id.next();
        simulation
    }

    /// A simulation whose clock starts exactly at `clock_ms` (which may be before the default
    /// start): for a venue whose time comes from elsewhere, such as a replay of past prices.
    pub fn starting_at(seed: u64, clock_ms: u64, highest_order_id: OrderId) -> Simulation {
        let mut simulation = Simulation::new(seed);
        simulation.clock_ms = clock_ms;
        simulation.next_order = highest_order_id.next();
        simulation
    }

    /// Also lists the real questions that close after the simulation's clock (a market cannot
    /// be created already closed), with their events, and trades those marked `traded` beside the
    /// demo markets (call it once). The command stream then differs from the plain simulation's,
    /// since the traders pick among more markets; [`Simulation::new`]'s own stream is unchanged.
    pub fn with_real_questions(mut self, questions: &[Question]) -> Simulation {
        let open: Vec<&Question> = questions.iter().filter(|q| q.close_time_ms > self.clock_ms).collect();
        self.events = questions::events_of(open.iter().copied());
        for question in open {
            let market = question.demo_market();
            if question.traded {
                self.markets.push(market);
            } else {
                self.listed_only.push(market);
            }
        }
        self
    }

    /// The markets the traders trade.
    pub fn markets(&self) -> &[DemoMarket] {
        &self.markets
    }

    /// Every market [`Simulation::venue_setup`] lists, traded or not, in id order.
    pub fn listed_markets(&self) -> Vec<&DemoMarket> {
        let mut listed: Vec<&DemoMarket> = self.markets.iter().chain(&self.listed_only).collect();
        listed.sort_by_key(|m| m.spec.market);
        listed
    }

    /// The engine commands that open the venue: the clock, the traded markets (without catalog
    /// entries), funded traders holding some sets. For engines without a venue around them (the
    /// benchmark, tests, `augury demo`).
    pub fn setup(&self) -> Vec<Command> {
        let mut commands = vec![Command::AdvanceTime { now_ms: self.clock_ms }];
        commands.extend(self.markets.iter().map(|m| Command::CreateMarket { spec: m.spec }));
        commands.extend(self.funding());
        commands
    }

    /// The venue commands that open the venue: the clock, the events, then every market listed
    /// with its catalog entry (`ListMarket`: market and entry in one journal entry), then the
    /// funded traders.
    pub fn venue_setup(&self) -> Vec<VenueCommand> {
        let mut commands = vec![VenueCommand::Engine(Command::AdvanceTime { now_ms: self.clock_ms })];
        commands.extend(self.events.iter().map(|event| VenueCommand::CreateEvent { event: event.clone() }));
        commands.extend(self.listed_markets().into_iter().map(DemoMarket::listing));
        commands.extend(self.funding().into_iter().map(VenueCommand::Engine));
        commands
    }

    /// Deposits for every trader, and sets in every traded market to sell from.
    fn funding(&self) -> Vec<Command> {
        let mut commands = Vec::new();
        for account in traders() {
            commands.push(Command::Deposit { account, amount_micros: 50_000 * MICROS_PER_DOLLAR });
            for market in &self.markets {
                commands.push(Command::Split { account, market: market.spec.market, outcome: None, quantity: 2_000 });
            }
            commands.push(Command::Split { account, market: MarketId(2), outcome: Some(0), quantity: 500 });
        }
        commands
    }

    /// The next command of the stream.
    pub fn next_command(&mut self) -> Command {
        let roll = self.rng.below(1_000);
        match roll {
            0..=519 => self.quote(),
            520..=639 => self.take(),
            640..=879 => self.cancel(),
            880..=929 => self.amend(),
            930..=949 => self.advance_time(),
            950..=964 => self.split_or_merge(),
            965..=974 => self.convert(),
            975..=989 => self.deposit_or_withdraw(),
            _ => self.drift_and_quote(),
        }
    }

    fn trader(&mut self) -> AccountId {
        AccountId(FIRST_TRADER.get() + self.rng.below(TRADERS))
    }

    fn pick_outcome(&mut self) -> (usize, OutcomeIndex) {
        let market = self.rng.below(self.markets.len() as u64) as usize;
        let outcomes = self.markets[market].fair_ticks.len() as u64;
        (market, self.rng.below(outcomes) as OutcomeIndex)
    }

    fn order_id(&mut self, account: AccountId) -> OrderId {
        let id = self.next_order;
        self.next_order = id.next();
        self.recent.push((id, account));
        if self.recent.len() > 4_096 {
            self.recent.drain(..2_048);
        }
        id
    }

    /// A resting order a few ticks away from fair value, on a random side and action.
    fn quote(&mut self) -> Command {
        let account = self.trader();
        let (market, outcome) = self.pick_outcome();
        let spec = self.markets[market].spec;
        let ticks_per_dollar = spec.ticks_per_dollar() as i64;
        let fair = self.markets[market].fair_ticks[usize::from(outcome)];
        let spread = 1 + self.rng.below((ticks_per_dollar / 40).max(3) as u64) as i64;
        let side = if self.rng.chance(50) { Side::Yes } else { Side::No };
        let action = if self.rng.chance(60) { Action::Buy } else { Action::Sell };
        // A bid sits below fair value, an ask above, in YES terms.
        let yes_ticks = match augury_core::BookSide::of(side, action) {
            augury_core::BookSide::Bid => fair - spread,
            augury_core::BookSide::Ask => fair + spread,
        }
        .clamp(1, ticks_per_dollar - 1);
        let own_ticks = match side {
            Side::Yes => yes_ticks,
            Side::No => ticks_per_dollar - yes_ticks,
        };
        let time_in_force = if self.rng.chance(10) {
            TimeInForce::Gtd { expires_at_ms: self.clock_ms + 1_000 + self.rng.below(60_000) }
        } else {
            TimeInForce::Gtc
        };
        let quantity = 1 + self.rng.below(50);
        let order = self.order_id(account);
        Command::PlaceOrder {
            order: NewOrder {
                order,
                account,
                market: spec.market,
                outcome,
                side,
                action,
                order_type: OrderType::Limit { price_micros: own_ticks as u64 * spec.tick_micros },
                quantity,
                time_in_force,
                post_only: self.rng.chance(20),
                self_trade: SelfTradePrevention::CancelMaker,
            },
        }
    }

    /// An order that crosses the spread: an IOC limit through fair value, or a capped market buy.
    fn take(&mut self) -> Command {
        let account = self.trader();
        let (market, outcome) = self.pick_outcome();
        let spec = self.markets[market].spec;
        let ticks_per_dollar = spec.ticks_per_dollar() as i64;
        let fair = self.markets[market].fair_ticks[usize::from(outcome)];
        let side = if self.rng.chance(50) { Side::Yes } else { Side::No };
        let action = if self.rng.chance(65) { Action::Buy } else { Action::Sell };
        let through = (ticks_per_dollar / 20).max(3);
        let yes_ticks = match augury_core::BookSide::of(side, action) {
            augury_core::BookSide::Bid => fair + through,
            augury_core::BookSide::Ask => fair - through,
        }
        .clamp(1, ticks_per_dollar - 1);
        let own_ticks = match side {
            Side::Yes => yes_ticks,
            Side::No => ticks_per_dollar - yes_ticks,
        };
        let quantity = 1 + self.rng.below(80);
        let (order_type, time_in_force) = if action == Action::Buy && self.rng.chance(25) {
            let cap = quantity * MICROS_PER_DOLLAR / 2;
            (OrderType::Market { cost_cap_micros: Some(cap) }, TimeInForce::Ioc)
        } else {
            let tif = if self.rng.chance(15) { TimeInForce::Fok } else { TimeInForce::Ioc };
            (OrderType::Limit { price_micros: own_ticks as u64 * spec.tick_micros }, tif)
        };
        let order = self.order_id(account);
        Command::PlaceOrder {
            order: NewOrder {
                order,
                account,
                market: spec.market,
                outcome,
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

    fn recent_order(&mut self) -> Option<(OrderId, AccountId)> {
        if self.recent.is_empty() {
            return None;
        }
        let index = self.recent.len() - 1 - self.rng.below(self.recent.len().min(256) as u64) as usize;
        Some(self.recent[index])
    }

    fn cancel(&mut self) -> Command {
        match self.recent_order() {
            Some((order, account)) => Command::CancelOrder { account, order },
            None => self.quote(),
        }
    }

    fn amend(&mut self) -> Command {
        let Some((order, account)) = self.recent_order() else {
            return self.quote();
        };
        let remaining_quantity = Some(1 + self.rng.below(40));
        Command::AmendOrder { account, order, price_micros: None, remaining_quantity }
    }

    fn advance_time(&mut self) -> Command {
        self.clock_ms += 1 + self.rng.below(2_000);
        Command::AdvanceTime { now_ms: self.clock_ms }
    }

    fn split_or_merge(&mut self) -> Command {
        let account = self.trader();
        let (market, _) = self.pick_outcome();
        let market = self.markets[market].spec.market;
        let quantity = 1 + self.rng.below(20);
        if self.rng.chance(50) {
            Command::Split { account, market, outcome: None, quantity }
        } else {
            Command::Merge { account, market, outcome: None, quantity }
        }
    }

    fn convert(&mut self) -> Command {
        let account = self.trader();
        let outcomes = 1 + self.rng.below(14);
        Command::Convert { account, market: MarketId(2), outcomes, quantity: 1 + self.rng.below(10) }
    }

    fn deposit_or_withdraw(&mut self) -> Command {
        let account = self.trader();
        let amount_micros = (1 + self.rng.below(1_000)) * MICROS_PER_DOLLAR;
        if self.rng.chance(50) {
            Command::Deposit { account, amount_micros }
        } else {
            Command::Withdraw { account, amount_micros }
        }
    }

    /// Fair values wander (a bounded random walk), then a maker re-quotes.
    fn drift_and_quote(&mut self) -> Command {
        let (market, outcome) = self.pick_outcome();
        let ticks_per_dollar = self.markets[market].spec.ticks_per_dollar() as i64;
        let step = (ticks_per_dollar / 100).max(1);
        let fair = &mut self.markets[market].fair_ticks[usize::from(outcome)];
        let moved = if self.rng.chance(50) { *fair + step } else { *fair - step };
        *fair = moved.clamp(ticks_per_dollar / 20, ticks_per_dollar - ticks_per_dollar / 20);
        self.quote()
    }
}

/// What a run of the simulation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub commands: u64,
    pub accepted: u64,
    pub refused: u64,
    pub fills: u64,
    pub mints: u64,
    pub merges: u64,
    pub contracts_traded: u64,
    pub fees_micros: u64,
}

impl RunSummary {
    pub fn record(&mut self, outcome: &Result<(), augury_core::Reject>, events: &[augury_core::Event]) {
        self.commands += 1;
        match outcome {
            Ok(()) => self.accepted += 1,
            Err(_) => self.refused += 1,
        }
        for event in events {
            if let augury_core::Event::Fill { kind, quantity, maker_fee_micros, taker_fee_micros, .. } = *event {
                self.fills += 1;
                self.contracts_traded += quantity;
                self.fees_micros += maker_fee_micros + taker_fee_micros;
                match kind {
                    augury_core::FillKind::Mint => self.mints += 1,
                    augury_core::FillKind::Merge => self.merges += 1,
                    augury_core::FillKind::Transfer => {}
                }
            }
        }
    }
}

/// The name of a market's outcome, for display ("?" for one it does not have).
pub fn outcome_name(markets: &[DemoMarket], market: MarketId, outcome: OutcomeIndex) -> &str {
    markets.iter().find(|m| m.spec.market == market).and_then(|m| m.outcome_name(outcome)).unwrap_or("?")
}
