//! The statistics read model against a real engine: the seeded demo simulation (with LMSR market
//! makers on two markets, and time jumping hours ahead between phases so the 24-hour window rolls)
//! is applied to an `Engine`, every accepted command's events go to a `History`, and the
//! statistics are checked against figures recomputed here from the raw events (volume, notional,
//! traders, prices, the 24-hour window) and against the engine's own state (open interest from
//! positions, market maker claims and backing; liquidity from the engine's depth). Then every
//! market settles and is redeemed.

use augury_core::{
    AccountId, BookSide, Command, Event, MarketId, MarketKind, Micros, OutcomeIndex, Quantity, Resolution, Side,
    TimestampMs, MICROS_PER_DOLLAR,
};
use augury_engine::{Engine, EngineConfig};
use augury_gateway::history::History;
use augury_gateway::stats::{MarketStats, BUCKET_MS, LIQUIDITY_BAND_MICROS, WINDOW_MS};
use augury_sequencer::VenueCommand;
use augury_sim::{Simulation, FEE_ACCOUNT};
use std::collections::BTreeSet;

const OPERATOR: AccountId = AccountId(90);
const MARKETS: [MarketId; 3] = [MarketId(1), MarketId(2), MarketId(3)];

/// One trade as the events tell it.
struct Trade {
    time_ms: TimestampMs,
    market: MarketId,
    outcome: OutcomeIndex,
    quantity: Quantity,
    /// YES terms.
    notional_micros: u128,
    yes_price_micros: Micros,
}

/// The venue, its history, and what the test recomputes on its own from the events.
struct Run {
    engine: Engine,
    history: History,
    now_ms: TimestampMs,
    trades: Vec<Trade>,
    outcome_traders: BTreeSet<(MarketId, OutcomeIndex, AccountId)>,
    market_traders: BTreeSet<(MarketId, AccountId)>,
    amm_fills: u64,
    book_fills: u64,
    /// Every accepted command with its events: the journal.
    journal: Vec<(VenueCommand, Vec<Event>)>,
}

impl Run {
    fn new() -> Run {
        Run {
            engine: Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() }),
            history: History::default(),
            now_ms: 0,
            trades: Vec::new(),
            outcome_traders: BTreeSet::new(),
            market_traders: BTreeSet::new(),
            amm_fills: 0,
            book_fills: 0,
            journal: Vec::new(),
        }
    }

    /// Applies a command; an accepted one goes to the history with its events, as the journal
    /// would carry it.
    fn apply(&mut self, command: Command) -> bool {
        let Ok(events) = self.engine.apply_collect(&command) else { return false };
        for event in &events {
            self.observe(event);
        }
        let command = VenueCommand::Engine(command);
        self.history.apply(&command, &events);
        self.journal.push((command, events));
        true
    }

    fn observe(&mut self, event: &Event) {
        let traded = |this: &mut Run, market, outcome, quantity, notional_micros, yes_price_micros, accounts: &[_]| {
            this.trades.push(Trade {
                time_ms: this.now_ms,
                market,
                outcome,
                quantity,
                notional_micros,
                yes_price_micros,
            });
            for &account in accounts {
                this.outcome_traders.insert((market, outcome, account));
                this.market_traders.insert((market, account));
            }
        };
        match *event {
            Event::TimeAdvanced { now_ms } => self.now_ms = self.now_ms.max(now_ms),
            Event::Fill { market, outcome, yes_price_micros, quantity, maker_account, taker_account, .. } => {
                self.book_fills += 1;
                let notional = u128::from(yes_price_micros) * u128::from(quantity);
                traded(self, market, outcome, quantity, notional, yes_price_micros, &[maker_account, taker_account]);
            }
            Event::AmmFill { market, outcome, quantity, value_micros, taker_account, taker_side, .. } => {
                self.amm_fills += 1;
                let (notional, price) = match taker_side {
                    Side::Yes => (u128::from(value_micros), value_micros / quantity),
                    Side::No => (
                        u128::from(quantity * MICROS_PER_DOLLAR - value_micros),
                        MICROS_PER_DOLLAR - value_micros / quantity,
                    ),
                };
                traded(self, market, outcome, quantity, notional, price, &[taker_account]);
            }
            _ => {}
        }
    }

    fn accounts() -> impl Iterator<Item = AccountId> {
        augury_sim::traders().chain([FEE_ACCOUNT, OPERATOR])
    }

    fn outcomes(&self, market: MarketId) -> OutcomeIndex {
        self.engine.market_spec(market).expect("a demo market").kind.outcome_count()
    }

    /// YES of an outcome held by accounts and the market maker, from the engine.
    fn engine_yes_outstanding(&self, market: MarketId, outcome: OutcomeIndex) -> Quantity {
        let held: Quantity = Run::accounts()
            .map(|account| self.engine.position(account, market, outcome))
            .map(|p| p.yes + p.yes_reserved)
            .sum();
        // Binary and scalar claims are [YES, NO]; categorical ones each outcome's YES.
        let amm = self.engine.amm(market).map_or(0, |amm| amm.claims[usize::from(outcome)]);
        held + amm
    }

    /// Resting notional within the band around the mid, from the engine's own book.
    fn engine_liquidity(&self, market: MarketId, outcome: OutcomeIndex) -> u128 {
        let bids = self.engine.depth(market, outcome, BookSide::Bid, usize::MAX);
        let asks = self.engine.depth(market, outcome, BookSide::Ask, usize::MAX);
        let twice_mid = match (bids.first(), asks.first()) {
            (Some(bid), Some(ask)) => bid.yes_price_micros + ask.yes_price_micros,
            (Some(best), None) | (None, Some(best)) => 2 * best.yes_price_micros,
            (None, None) => return 0,
        };
        let near = |price: Micros| (2 * price).abs_diff(twice_mid) <= 2 * LIQUIDITY_BAND_MICROS;
        let bid_notional: u128 = bids
            .iter()
            .filter(|l| near(l.yes_price_micros))
            .map(|l| u128::from(l.yes_price_micros) * u128::from(l.quantity))
            .sum();
        let ask_notional: u128 = asks
            .iter()
            .filter(|l| near(l.yes_price_micros))
            .map(|l| u128::from(MICROS_PER_DOLLAR - l.yes_price_micros) * u128::from(l.quantity))
            .sum();
        bid_notional + ask_notional
    }

    /// Every statistic of every market, against the events and the engine.
    fn check(&self, context: &str) {
        let all = self.history.all_stats();
        assert_eq!(all.iter().map(|m| m.market).collect::<Vec<_>>(), MARKETS.to_vec(), "{context}");
        for market in MARKETS {
            let stats = self.history.stats(market).expect("a demo market");
            assert_eq!(all[usize::try_from(market.get()).unwrap() - 1], stats, "{context}");
            self.check_market(&stats, &format!("{context}, market {market}"));
        }
    }

    fn check_market(&self, stats: &MarketStats, context: &str) {
        let market = stats.market;
        let kind = self.engine.market_spec(market).unwrap().kind;
        let in_window = |t: &Trade| t.time_ms - t.time_ms % BUCKET_MS + WINDOW_MS > self.now_ms;
        let mut open_interest = 0;
        for outcome in 0..self.outcomes(market) {
            let o = &stats.outcomes[usize::from(outcome)];
            let context = format!("{context}, outcome {outcome}");
            let trades: Vec<&Trade> =
                self.trades.iter().filter(|t| t.market == market && t.outcome == outcome).collect();
            assert_eq!(o.volume, trades.iter().map(|t| t.quantity).sum::<Quantity>(), "{context}");
            assert_eq!(o.notional_micros, trades.iter().map(|t| t.notional_micros).sum::<u128>(), "{context}");
            let window: Vec<&&Trade> = trades.iter().filter(|t| in_window(t)).collect();
            assert_eq!(o.volume_24h, window.iter().map(|t| t.quantity).sum::<Quantity>(), "{context}");
            assert_eq!(o.notional_24h_micros, window.iter().map(|t| t.notional_micros).sum::<u128>(), "{context}");
            let last = trades.last().map(|t| t.yes_price_micros);
            let ago = trades.iter().rev().find(|t| !in_window(t)).map(|t| t.yes_price_micros);
            assert_eq!(o.last_price_micros, last, "{context}");
            assert_eq!(o.last_price_micros, self.history.last_trade(market, outcome).map(|t| t.yes_price_micros));
            assert_eq!(o.price_24h_ago_micros, ago, "{context}");
            assert_eq!(o.price_change_24h_micros, last.zip(ago).map(|(l, a)| l as i64 - a as i64), "{context}");
            let traders = self
                .outcome_traders
                .range((market, outcome, AccountId::MIN)..=(market, outcome, AccountId::MAX))
                .count();
            assert_eq!(o.traders, traders as u64, "{context}");
            assert_eq!((o.best_bid_micros, o.best_ask_micros), self.engine.best_prices(market, outcome), "{context}");
            assert_eq!(o.liquidity_micros, self.engine_liquidity(market, outcome), "{context}");
            if !stats.settled {
                assert_eq!(o.open_interest, self.engine_yes_outstanding(market, outcome), "{context}");
            }
            open_interest += o.open_interest;
        }
        assert_eq!(stats.volume, stats.outcomes.iter().map(|o| o.volume).sum::<Quantity>(), "{context}");
        assert_eq!(stats.volume_24h, stats.outcomes.iter().map(|o| o.volume_24h).sum::<Quantity>(), "{context}");
        assert_eq!(stats.notional_micros, stats.outcomes.iter().map(|o| o.notional_micros).sum::<u128>());
        assert_eq!(stats.liquidity_micros, stats.outcomes.iter().map(|o| o.liquidity_micros).sum::<u128>());
        assert_eq!(stats.open_interest, open_interest, "{context}");
        let traders = self.market_traders.range((market, AccountId::MIN)..=(market, AccountId::MAX)).count();
        assert_eq!(stats.traders, traders as u64, "{context}");
        match kind {
            MarketKind::Categorical { .. } => assert_eq!(stats.last_price_micros, None, "{context}"),
            MarketKind::Binary | MarketKind::Scalar { .. } => {
                assert_eq!(stats.last_price_micros, stats.outcomes[0].last_price_micros, "{context}");
                assert_eq!(stats.price_change_24h_micros, stats.outcomes[0].price_change_24h_micros);
                if !stats.settled {
                    // A pair is backed by exactly a dollar.
                    let backing = self.engine.market_backing_micros(market).unwrap();
                    assert_eq!(stats.open_interest * MICROS_PER_DOLLAR, backing, "{context}");
                }
            }
        }
    }

    /// Contracts (YES and NO of every outcome) accounts hold in a market, from the engine.
    fn engine_contracts_held(&self, market: MarketId) -> Quantity {
        (0..self.outcomes(market))
            .flat_map(|outcome| Run::accounts().map(move |account| (account, outcome)))
            .map(|(account, outcome)| self.engine.position(account, market, outcome))
            .map(|p| p.yes + p.yes_reserved + p.no + p.no_reserved)
            .sum()
    }
}

/// Phases of simulated trading, each followed by a jump of hours, then settlement and redemption.
fn run(seed: u64, phases: u64, commands_per_phase: usize, check_every: usize) -> Run {
    let mut run = Run::new();
    let simulation = Simulation::new(seed);
    let mut setup = simulation.setup();
    setup.extend([
        Command::Deposit { account: OPERATOR, amount_micros: 10_000_000_000 },
        Command::EnableAmm { market: MarketId(1), operator: OPERATOR, liquidity_micros: 500_000_000 },
        Command::EnableAmm { market: MarketId(2), operator: OPERATOR, liquidity_micros: 500_000_000 },
    ]);
    for command in setup {
        assert!(run.apply(command), "the setup is valid");
    }
    run.check("after setup");
    for phase in 0..phases {
        // A fresh stream that carries on the venue's clock and order ids.
        let mut simulation =
            Simulation::resume(seed * 1_000 + phase, run.engine.clock_ms(), run.engine.highest_order_id());
        for step in 0..commands_per_phase {
            run.apply(simulation.next_command());
            if step % check_every == 0 {
                run.check(&format!("seed {seed}, phase {phase}, step {step}"));
            }
        }
        run.check(&format!("seed {seed}, end of phase {phase}"));
        // 7 h 40 s later: after four phases the first trades have left the window.
        assert!(run.apply(Command::AdvanceTime { now_ms: run.engine.clock_ms() + 7 * 3_600_000 + 40_000 }));
        run.check(&format!("seed {seed}, after the jump of phase {phase}"));
    }
    // Land on the edge of the window: a millisecond before the oldest minute still in it leaves,
    // and on the millisecond it does.
    let now = run.now_ms;
    let edge = run.trades.iter().map(|t| t.time_ms - t.time_ms % BUCKET_MS + WINDOW_MS).find(|&edge| edge > now + 1);
    let edge = edge.expect("trades still in the window");
    for now_ms in [edge - 1, edge] {
        let before = run.history.all_stats();
        assert!(run.apply(Command::AdvanceTime { now_ms }));
        run.check(&format!("seed {seed}, at {now_ms}, {} ms from the window's edge", edge - now_ms));
        if now_ms == edge {
            assert_ne!(before, run.history.all_stats(), "seed {seed}: a minute of trades left the window");
        }
    }
    assert!(run.book_fills > 200 && run.amm_fills > 20, "too little trading: {} / {}", run.book_fills, run.amm_fills);

    // Settlement: open interest stays as it was, unredeemed contracts follow the engine to 0.
    let before: Vec<Quantity> = MARKETS.iter().map(|&m| run.history.stats(m).unwrap().open_interest).collect();
    let resolutions = [Resolution::Yes, Resolution::Outcome { outcome: 1 }, Resolution::Scalar { value: 3_333 }];
    for (market, resolution) in MARKETS.into_iter().zip(resolutions) {
        assert!(run.apply(Command::ResolveMarket { market, resolution }), "market {market} resolves");
        let stats = run.history.stats(market).unwrap();
        assert!(stats.settled);
        assert_eq!(stats.unredeemed_contracts, Some(run.engine_contracts_held(market)), "market {market}");
        assert_eq!(stats.liquidity_micros, 0, "closing cancelled every order");
    }
    run.check(&format!("seed {seed}, settled"));
    for (index, market) in MARKETS.into_iter().enumerate() {
        for account in augury_sim::traders() {
            run.apply(Command::Redeem { account, market });
            let stats = run.history.stats(market).unwrap();
            assert_eq!(stats.unredeemed_contracts, Some(run.engine_contracts_held(market)), "market {market}");
        }
        let stats = run.history.stats(market).unwrap();
        assert_eq!(stats.unredeemed_contracts, Some(0));
        assert_eq!(run.engine.market_backing_micros(market), Some(0));
        assert_eq!(stats.open_interest, before[index], "open interest stays at its value at settlement");
    }
    run
}

#[test]
fn statistics_follow_a_simulated_venue_with_market_makers() {
    for seed in 1..=3 {
        let run = run(seed, 5, 1_500, 50);
        // The window must have rolled for the 24-hour checks to prove anything.
        let stats = run.history.stats(MarketId(1)).unwrap();
        assert!(stats.volume_24h < stats.volume, "seed {seed}: {stats:?}");
        assert!(stats.price_24h_ago_micros.is_some(), "seed {seed}");
    }
}

#[test]
fn statistics_rebuilt_from_the_journal_are_the_same() {
    let run = run(9, 2, 1_000, 500);
    let mut rebuilt = History::default();
    assert_eq!(rebuilt.all_stats(), Vec::new());
    assert_eq!(rebuilt.stats(MarketId(1)), None, "no market yet");
    for (command, events) in &run.journal {
        rebuilt.apply(command, events);
    }
    assert_eq!(rebuilt.all_stats(), run.history.all_stats());
}
