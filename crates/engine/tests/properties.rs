//! Property tests: random command sequences on binary, categorical and scalar markets (two of
//! them with an LMSR market maker, the scalar one with a resolution rule), including closes,
//! proposals, disputes, votes, direct resolutions, index values and redemptions, with every
//! invariant checked after every step, refusals checked to change nothing, the market makers'
//! worst-case bound checked after every step, and a replay checked to reproduce the same events
//! and state hash. A last property settles every market, redeems everything and checks that the
//! payouts are exactly the collateral that backed the sets, less the dust the venue kept. Every
//! market order that meets only a market maker gets exactly the market maker's quote.
// Test arithmetic on small, known values: casts cannot truncate here.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

use augury_core::{
    AccountId, Action, BookSide, CancelReason, Command, Comparison, Event, FeeRule, FeeSchedule, MarketId, MarketKind,
    MarketSpec, NewOrder, OracleConfig, OrderId, OrderType, Reject, Resolution, ResolutionRule, RuleMap,
    SelfTradePrevention, Side, TimeInForce,
};
use augury_engine::{AmmQuote, Engine, EngineConfig};
use proptest::prelude::*;

const FEE_ACCOUNT: AccountId = AccountId(999);
/// Funds the market makers.
const OPERATOR: AccountId = AccountId(998);
/// Accounts 0, 1 and 2 (traders too) are the arbiters; two votes decide.
const ARBITERS: [u64; 3] = [0, 1, 2];
/// The scalar market's rule samples index 7 at 18, 19 and 20 seconds.
const INDEX: u32 = 7;
const RULE_AT_MS: u64 = 20_000;
const ACCOUNTS: u64 = 4;
const BINARY: MarketId = MarketId(1);
const CATEGORICAL: MarketId = MarketId(2);
const SCALAR: MarketId = MarketId(3);
const CATEGORICAL_OUTCOMES: u16 = 3;

/// An abstract step; turned into a concrete command against the engine's current state.
#[derive(Clone, Debug)]
enum Step {
    Place {
        account: u64,
        market: u32,
        outcome: u16,
        side: Side,
        action: Action,
        price_ticks: u64,
        quantity: u64,
        tif: u8,
        market_order: Option<Option<u64>>,
        post_only: bool,
        stp: u8,
        reuse_id: bool,
    },
    Cancel {
        account: u64,
        back: usize,
    },
    Amend {
        account: u64,
        back: usize,
        price_ticks: Option<u64>,
        quantity: Option<u64>,
    },
    Split {
        account: u64,
        market: u32,
        outcome: Option<u16>,
        quantity: u64,
    },
    Merge {
        account: u64,
        market: u32,
        outcome: Option<u16>,
        quantity: u64,
    },
    Convert {
        account: u64,
        outcomes: u64,
        quantity: u64,
    },
    Advance {
        by_ms: u64,
    },
    Deposit {
        account: u64,
        amount: u64,
    },
    Withdraw {
        account: u64,
        amount: u64,
    },
    Close {
        market: u32,
    },
    /// `kind` picks a resolution that fits the market (or, rarely, one that does not).
    Propose {
        account: u64,
        market: u32,
        kind: u8,
        bond: u64,
    },
    Dispute {
        account: u64,
        market: u32,
        bond_off: bool,
    },
    Vote {
        arbiter: u64,
        market: u32,
        kind: u8,
    },
    Resolve {
        market: u32,
        kind: u8,
    },
    Redeem {
        account: u64,
        market: u32,
    },
    /// An index value `back` seconds before the clock (on the whole second).
    Index {
        back: u64,
        value: i64,
    },
    EnableAmm {
        market: u32,
        liquidity: u64,
    },
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Yes), Just(Side::No)]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![Just(Action::Buy), Just(Action::Sell)]
}

fn market() -> impl Strategy<Value = u32> {
    prop_oneof![Just(BINARY.get()), Just(CATEGORICAL.get()), Just(SCALAR.get())]
}

fn step() -> impl Strategy<Value = Step> {
    let place = (
        (0..ACCOUNTS, market(), 0..CATEGORICAL_OUTCOMES, side(), action()),
        // Prices cluster near the middle so orders meet often; a few are off grid or out of range.
        (prop_oneof![8 => 35u64..66, 1 => 0u64..101], 1u64..30, 0u8..6),
        (
            prop_oneof![6 => Just(None), 1 => Just(Some(None)), 1 => (1u64..40_000_000).prop_map(|c| Some(Some(c)))],
            prop::bool::weighted(0.1),
            0u8..3,
            prop::bool::weighted(0.03),
        ),
    )
        .prop_map(
            |(
                (account, market, outcome, side, action),
                (price_ticks, quantity, tif),
                (market_order, post_only, stp, reuse_id),
            )| {
                Step::Place {
                    account,
                    market,
                    outcome,
                    side,
                    action,
                    price_ticks,
                    quantity,
                    tif,
                    market_order,
                    post_only,
                    stp,
                    reuse_id,
                }
            },
        );
    prop_oneof![
        30 => place,
        6 => (0..ACCOUNTS, 0usize..8).prop_map(|(account, back)| Step::Cancel { account, back }),
        4 => (0..ACCOUNTS, 0usize..8, prop::option::of(30u64..70), prop::option::of(1u64..30))
            .prop_map(|(account, back, price_ticks, quantity)| Step::Amend { account, back, price_ticks, quantity }),
        3 => (0..ACCOUNTS, market(), prop::option::of(0..CATEGORICAL_OUTCOMES), 1u64..20)
            .prop_map(|(account, market, outcome, quantity)| Step::Split { account, market, outcome, quantity }),
        2 => (0..ACCOUNTS, market(), prop::option::of(0..CATEGORICAL_OUTCOMES), 1u64..20)
            .prop_map(|(account, market, outcome, quantity)| Step::Merge { account, market, outcome, quantity }),
        2 => (0..ACCOUNTS, 0u64..9, 1u64..10).prop_map(|(account, outcomes, quantity)| Step::Convert { account, outcomes, quantity }),
        3 => (0u64..5_000).prop_map(|by_ms| Step::Advance { by_ms }),
        1 => (0..ACCOUNTS, 1u64..50_000_000).prop_map(|(account, amount)| Step::Deposit { account, amount }),
        1 => (0..ACCOUNTS, 1u64..50_000_000).prop_map(|(account, amount)| Step::Withdraw { account, amount }),
        // Closing ends a market's trading for the rest of the run, so it is rare.
        1 => prop_oneof![30 => Just(Step::Advance { by_ms: 0 }), 1 => market().prop_map(|market| Step::Close { market })],
        // The rest of a market's life. Proposals and disputes are refused until a market closes,
        // and most votes until one is disputed; direct resolution ends a market, so it is rare.
        2 => (0..ACCOUNTS, market(), 0u8..8, prop_oneof![5 => Just(1_000_000u64), 1 => 1u64..2_000_000])
            .prop_map(|(account, market, kind, bond)| Step::Propose { account, market, kind, bond }),
        2 => (0..ACCOUNTS, market(), prop::bool::weighted(0.1))
            .prop_map(|(account, market, bond_off)| Step::Dispute { account, market, bond_off }),
        // Votes mostly agree, so that a quorum forms.
        3 => (0..ACCOUNTS, market(), prop_oneof![4 => 0u8..2, 1 => 0u8..8])
            .prop_map(|(arbiter, market, kind)| Step::Vote { arbiter, market, kind }),
        1 => prop_oneof![20 => Just(Step::Advance { by_ms: 0 }), 1 => (market(), 0u8..8).prop_map(|(market, kind)| Step::Resolve { market, kind })],
        2 => (0..ACCOUNTS, market()).prop_map(|(account, market)| Step::Redeem { account, market }),
        2 => (0u64..4, 99_000i64..101_000).prop_map(|(back, value)| Step::Index { back, value }),
        1 => (market(), prop_oneof![Just(0u64), 1_000_000u64..50_000_000]).prop_map(|(market, liquidity)| Step::EnableAmm { market, liquidity }),
    ]
}

fn market_specs() -> Vec<MarketSpec> {
    let kalshi_like =
        FeeSchedule { maker: FeeRule::Zero, taker: FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 } };
    let proportional = FeeSchedule {
        maker: FeeRule::Proportional { rate_ppm: 1_000, rounding_micros: 1 },
        taker: FeeRule::Quadratic { rate_ppm: 20_000, rounding_micros: 1 },
    };
    vec![
        // The binary market closes by itself at 12 s, usually in mid-run: the oracle takes over.
        MarketSpec {
            market: BINARY,
            kind: MarketKind::Binary,
            tick_micros: 10_000,
            fees: kalshi_like,
            close_time_ms: 12_000,
        },
        MarketSpec {
            market: CATEGORICAL,
            kind: MarketKind::Categorical { outcomes: CATEGORICAL_OUTCOMES },
            tick_micros: 10_000,
            fees: proportional,
            close_time_ms: 0,
        },
        MarketSpec {
            market: SCALAR,
            kind: MarketKind::Scalar { floor: 20_000, cap: 120_000 },
            tick_micros: 10_000,
            fees: FeeSchedule::ZERO,
            close_time_ms: 0,
        },
    ]
}

/// The commands that set the venue up: markets, funded accounts, some contracts to sell.
fn setup() -> Vec<Command> {
    let mut commands: Vec<Command> = market_specs().into_iter().map(|spec| Command::CreateMarket { spec }).collect();
    commands.push(Command::ConfigureOracle {
        config: OracleConfig { liveness_ms: 8_000, min_bond_micros: 1_000_000, quorum: 2, dispute_fee_ppm: 50_000 },
    });
    for account in ARBITERS {
        commands.push(Command::SetArbiter { account: AccountId(account), active: true });
    }
    commands.push(Command::Deposit { account: OPERATOR, amount_micros: 1_000_000_000 });
    commands.push(Command::EnableAmm { market: BINARY, operator: OPERATOR, liquidity_micros: 20_000_000 });
    commands.push(Command::EnableAmm { market: CATEGORICAL, operator: OPERATOR, liquidity_micros: 30_000_000 });
    commands.push(Command::SetMarketRule {
        market: SCALAR,
        rule: ResolutionRule { index: INDEX, at_ms: RULE_AT_MS, samples: 3, interval_ms: 1_000, map: RuleMap::Value },
    });
    let _ = Comparison::AtOrAbove;
    for account in 0..ACCOUNTS {
        commands.push(Command::Deposit { account: AccountId(account), amount_micros: 200_000_000 });
        for market in [BINARY, CATEGORICAL, SCALAR] {
            commands.push(Command::Split { account: AccountId(account), market, outcome: None, quantity: 20 });
        }
        for outcome in 0..CATEGORICAL_OUTCOMES {
            commands.push(Command::Split {
                account: AccountId(account),
                market: CATEGORICAL,
                outcome: Some(outcome),
                quantity: 10,
            });
        }
    }
    commands
}

/// Turns abstract steps into concrete commands, tracking ids the way a sequencer would.
struct Driver {
    next_order_id: u64,
    placed: Vec<(u64, u64)>,
    clock_ms: u64,
}

impl Driver {
    fn command(&mut self, step: &Step) -> Command {
        let recent = |placed: &Vec<(u64, u64)>, back: usize, account: u64| -> (u64, u64) {
            // Mostly the account's own recent orders; sometimes someone else's.
            placed
                .iter()
                .rev()
                .filter(|(_, owner)| *owner == account || back % 5 == 4)
                .nth(back % 4)
                .copied()
                .unwrap_or((1, account))
        };
        match *step {
            Step::Place {
                account,
                market,
                outcome,
                side,
                action,
                price_ticks,
                quantity,
                tif,
                market_order,
                post_only,
                stp,
                reuse_id,
            } => {
                let order = if reuse_id && self.next_order_id > 1 {
                    self.next_order_id - 1
                } else {
                    self.next_order_id += 1;
                    self.next_order_id - 1
                };
                self.placed.push((order, account));
                // Outcome 1 of a one-outcome market is a rare deliberate mistake.
                let outcome = match market {
                    m if m == CATEGORICAL.get() => outcome,
                    _ if quantity == 29 => 1,
                    _ => 0,
                };
                let order_type = match market_order {
                    None => OrderType::Limit { price_micros: price_ticks * 10_000 + u64::from(price_ticks == 13) * 5 },
                    Some(cost_cap_micros) => OrderType::Market { cost_cap_micros },
                };
                let time_in_force = match (tif, market_order.is_some()) {
                    (0, false) | (1, false) | (2, false) => TimeInForce::Gtc,
                    (3, false) => TimeInForce::Gtd { expires_at_ms: self.clock_ms + 1 + price_ticks * 50 },
                    (5, _) => TimeInForce::Fok,
                    _ => TimeInForce::Ioc,
                };
                let self_trade = match stp {
                    0 => SelfTradePrevention::CancelTaker,
                    1 => SelfTradePrevention::CancelMaker,
                    _ => SelfTradePrevention::CancelBoth,
                };
                Command::PlaceOrder {
                    order: NewOrder {
                        order: OrderId(order),
                        account: AccountId(account),
                        market: MarketId(market),
                        outcome,
                        side,
                        action,
                        order_type,
                        quantity,
                        time_in_force,
                        post_only,
                        self_trade,
                    },
                }
            }
            Step::Cancel { account, back } => {
                let (order, owner) = recent(&self.placed, back, account);
                Command::CancelOrder {
                    account: if back % 7 == 6 { AccountId(account) } else { AccountId(owner) },
                    order: OrderId(order),
                }
            }
            Step::Amend { account, back, price_ticks, quantity } => {
                let (order, owner) = recent(&self.placed, back, account);
                Command::AmendOrder {
                    account: AccountId(owner),
                    order: OrderId(order),
                    price_micros: price_ticks.map(|t| t * 10_000),
                    remaining_quantity: quantity,
                }
            }
            Step::Split { account, market, outcome, quantity } => Command::Split {
                account: AccountId(account),
                market: MarketId(market),
                outcome: outcome.filter(|&o| market == CATEGORICAL.get() || o == 0),
                quantity,
            },
            Step::Merge { account, market, outcome, quantity } => Command::Merge {
                account: AccountId(account),
                market: MarketId(market),
                outcome: outcome.filter(|&o| market == CATEGORICAL.get() || o == 0),
                quantity,
            },
            Step::Convert { account, outcomes, quantity } => {
                Command::Convert { account: AccountId(account), market: CATEGORICAL, outcomes, quantity }
            }
            Step::Advance { by_ms } => {
                self.clock_ms += by_ms;
                Command::AdvanceTime { now_ms: self.clock_ms }
            }
            Step::Deposit { account, amount } => {
                Command::Deposit { account: AccountId(account), amount_micros: amount }
            }
            Step::Withdraw { account, amount } => {
                Command::Withdraw { account: AccountId(account), amount_micros: amount }
            }
            Step::Close { market } => Command::CloseMarket { market: MarketId(market) },
            Step::Propose { account, market, kind, bond } => Command::ProposeOutcome {
                account: AccountId(account),
                market: MarketId(market),
                resolution: resolution(MarketId(market), kind),
                bond_micros: bond,
            },
            Step::Dispute { account, market, bond_off } => Command::DisputeProposal {
                account: AccountId(account),
                market: MarketId(market),
                bond_micros: 1_000_000 + u64::from(bond_off),
            },
            Step::Vote { arbiter, market, kind } => Command::CastArbiterVote {
                arbiter: AccountId(arbiter),
                market: MarketId(market),
                resolution: resolution(MarketId(market), kind),
            },
            Step::Resolve { market, kind } => {
                Command::ResolveMarket { market: MarketId(market), resolution: resolution(MarketId(market), kind) }
            }
            Step::Redeem { account, market } => {
                Command::Redeem { account: AccountId(account), market: MarketId(market) }
            }
            Step::Index { back, value } => {
                let at_ms = (self.clock_ms / 1_000).saturating_sub(back) * 1_000;
                Command::RecordIndexValue { index: INDEX, at_ms, value: value + 20_000 * (back as i64 % 2) }
            }
            Step::EnableAmm { market, liquidity } => {
                Command::EnableAmm { market: MarketId(market), operator: OPERATOR, liquidity_micros: liquidity }
            }
        }
    }
}

/// A resolution for `market` from a small number: mostly one that fits, kind 7 never does.
fn resolution(market: MarketId, kind: u8) -> Resolution {
    match (market, kind) {
        (_, 6) => Resolution::Invalid,
        (_, 7) => Resolution::Outcome { outcome: 9 },
        (BINARY, k) => {
            if k % 2 == 0 {
                Resolution::Yes
            } else {
                Resolution::No
            }
        }
        (CATEGORICAL, k) => Resolution::Outcome { outcome: u16::from(k) % CATEGORICAL_OUTCOMES },
        (_, k) => Resolution::Scalar { value: 10_000 + 21_000 * i64::from(k) },
    }
}

/// A market maker never holds a full set, and in every outcome its cash plus the payout of its
/// claims is at least its funding less b ln n (the LMSR bound): it cannot lose more than it
/// reserved. Its prices sum to one, and a binary one's price is the logistic closed form.
fn check_market_makers(engine: &Engine) -> Result<(), String> {
    for market in [BINARY, CATEGORICAL, SCALAR] {
        let Some(amm) = engine.amm(market) else { continue };
        let b = amm.liquidity_micros as f64 / 1e6;
        let n = amm.claims.len() as f64;
        let floor = amm.funded_micros as f64 - b * n.ln() * 1e6;
        for &held in &amm.claims {
            let value = amm.cash_micros as f64 + held as f64 * 1e6;
            if value < floor - 1.0 {
                return Err(format!("market {market}: worth {value} in some outcome, below {floor}: {amm:?}"));
            }
        }
        if !amm.claims.contains(&0) {
            return Err(format!("market {market}'s market maker holds a full set"));
        }
        if market == CATEGORICAL {
            let total: f64 = amm.yes_prices.iter().sum();
            if (total - 1.0).abs() > 1e-12 {
                return Err(format!("market {market}: prices sum to {total}"));
            }
        } else {
            let q = (amm.claims[1] as f64 - amm.claims[0] as f64) / b;
            let closed = 1.0 / (1.0 + (-q).exp());
            if (amm.yes_prices[0] - closed).abs() > 1e-12 {
                return Err(format!("market {market}: price {} but the closed form says {closed}", amm.yes_prices[0]));
            }
        }
    }
    Ok(())
}

/// Every command of a run with what it caused.
/// The market maker's quote for `command`, when it is a market order (immediate-or-cancel, no
/// cost cap) that will meet only the market maker (nothing rests on the other side of its book).
fn quote_for(engine: &Engine, command: &Command) -> Option<AmmQuote> {
    let Command::PlaceOrder { order } = command else { return None };
    if order.order_type != (OrderType::Market { cost_cap_micros: None }) || order.time_in_force != TimeInForce::Ioc {
        return None;
    }
    let (bid, ask) = engine.best_prices(order.market, order.outcome);
    let book_empty = match BookSide::of(order.side, order.action) {
        BookSide::Bid => ask.is_none(),
        BookSide::Ask => bid.is_none(),
    };
    book_empty.then(|| engine.amm_quote(order.market, order.outcome, order.side, order.action, order.quantity).ok())?
}

/// What the market maker traded in an order's events: (quantity, value, fees).
fn amm_traded(events: &[Event]) -> (u64, u64, u64) {
    events.iter().fold((0, 0, 0), |(q, v, f), event| match *event {
        Event::AmmFill { quantity, value_micros, taker_fee_micros, .. } => {
            (q + quantity, v + value_micros, f + taker_fee_micros)
        }
        _ => (q, v, f),
    })
}

type RunLog = Vec<(Command, Result<Vec<Event>, Reject>)>;

/// Runs the steps, checking everything after each one; returns every command, outcome and event.
fn run(steps: &[Step]) -> (Engine, RunLog) {
    let mut engine = Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, max_open_orders: 10_000 });
    for command in setup() {
        engine.apply_collect(&command).expect("setup is valid");
    }
    engine.check_invariants().expect("invariants hold after setup");
    let mut driver = Driver { next_order_id: 1, placed: Vec::new(), clock_ms: 0 };
    let mut log = Vec::new();
    for step in steps {
        let command = driver.command(step);
        let before = engine.state_hash();
        let quote = quote_for(&engine, &command);
        let mut events = Vec::new();
        let outcome = engine.apply(&command, &mut events);
        if let (Some(quote), Ok(())) = (quote, &outcome) {
            let quoted = (quote.quantity, quote.value_micros, quote.fee_micros);
            assert_eq!(quoted, amm_traded(&events), "{command:?} was quoted {quote:?} but got {events:?}");
        }
        if let Err(reject) = &outcome {
            assert!(events.is_empty(), "{command:?} was refused ({reject}) yet emitted {events:?}");
            assert_eq!(before, engine.state_hash(), "{command:?} was refused ({reject}) yet changed the state");
        }
        if let Err(violation) = engine.check_invariants() {
            panic!("after {command:?} -> {outcome:?} / {events:?}: {violation}");
        }
        if let Err(violation) = check_market_makers(&engine) {
            panic!("after {command:?} -> {outcome:?} / {events:?}: {violation}");
        }
        log.push((command, outcome.map(|()| events)));
    }
    (engine, log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_step(steps in prop::collection::vec(step(), 1..200)) {
        run(&steps);
    }

    #[test]
    fn replay_gives_the_same_events_and_state_hash(steps in prop::collection::vec(step(), 1..120)) {
        let (first, first_log) = run(&steps);
        let (second, second_log) = run(&steps);
        prop_assert_eq!(first_log, second_log);
        prop_assert_eq!(first.state_hash(), second.state_hash());
    }

    #[test]
    fn accepted_orders_always_trade_and_fills_balance(steps in prop::collection::vec(step(), 1..200)) {
        let (_, log) = run(&steps);
        for (command, outcome) in &log {
            let Ok(events) = outcome else { continue };
            let mut traded = 0;
            for event in events {
                if let Event::Fill { quantity, yes_price_micros, maker_account, taker_account, .. } = *event {
                    prop_assert!(quantity > 0);
                    prop_assert!(yes_price_micros > 0 && yes_price_micros < 1_000_000);
                    prop_assert_ne!(maker_account, taker_account, "self-trade prevention let a self-trade through");
                    traded += quantity;
                }
                if let Event::AmmFill { quantity, value_micros, .. } = *event {
                    prop_assert!(quantity > 0);
                    prop_assert!(value_micros <= quantity * 1_000_000);
                    traded += quantity;
                }
            }
            // Fill-or-kill counts book and market maker alike: the whole order or nothing.
            if let Command::PlaceOrder { order } = command {
                if order.time_in_force == TimeInForce::Fok {
                    let killed = events.iter().any(|event| {
                        matches!(event, Event::OrderCancelled { reason: CancelReason::FillOrKill, .. })
                    });
                    if killed {
                        prop_assert_eq!(traded, 0);
                    } else {
                        prop_assert_eq!(traded, order.quantity, "a fill-or-kill order filled in part: {:?}", events);
                    }
                }
            }
        }
    }

    #[test]
    fn settlement_pays_out_exactly_the_collateral_that_backed_the_sets(
        steps in prop::collection::vec(step(), 1..200),
        kinds in prop::collection::vec(0u8..7, 3),
    ) {
        let (mut engine, log) = run(&steps);
        // Settle whatever is still unsettled, then every holder redeems.
        for (market, kind) in [BINARY, CATEGORICAL, SCALAR].into_iter().zip(kinds) {
            if engine.market_status(market) != Some(augury_core::MarketStatus::Settled) {
                engine.apply_collect(&Command::ResolveMarket { market, resolution: resolution(market, kind) })
                    .expect("an unsettled market resolves");
            }
            for account in 0..ACCOUNTS {
                let _ = engine.apply_collect(&Command::Redeem { account: AccountId(account), market });
            }
            engine.check_invariants().expect("invariants hold after settlement");
        }
        let mut net: i128 = 0;
        for (command, outcome) in &log {
            match (command, outcome) {
                (Command::Deposit { amount_micros, .. }, Ok(_)) => net += i128::from(*amount_micros),
                (Command::Withdraw { amount_micros, .. }, Ok(_)) => net -= i128::from(*amount_micros),
                _ => {}
            }
        }
        net += 4 * 200_000_000 + 1_000_000_000;
        for market in [BINARY, CATEGORICAL, SCALAR] {
            let lifecycle = engine.market_lifecycle(market).unwrap();
            let settlement = lifecycle.settlement.expect("settled");
            prop_assert_eq!(settlement.outstanding_micros, 0, "market {} still owes", market);
            prop_assert_eq!(engine.market_backing_micros(market), Some(0));
            prop_assert_eq!(
                settlement.redeemed_micros + settlement.dust_micros,
                settlement.collateral_micros,
                "market {}: paid {} and kept {} of {}",
                market,
                settlement.redeemed_micros,
                settlement.dust_micros,
                settlement.collateral_micros
            );
            // Dust is under a micro-dollar per contract: at most 63 micros per dollar of sets.
            prop_assert!(u128::from(settlement.dust_micros) * 1_000_000 <= u128::from(settlement.collateral_micros) * 64);
            prop_assert!(engine.amm(market).is_none());
        }
        // Nothing is left anywhere but in accounts: every dollar deposited is in one.
        let held: i128 = (0..ACCOUNTS).map(AccountId)
            .chain([FEE_ACCOUNT, OPERATOR])
            .filter_map(|account| engine.account(account))
            .map(|a| i128::from(a.available_micros) + i128::from(a.reserved_micros))
            .sum();
        prop_assert_eq!(held, net);
    }
}

#[test]
#[ignore]
fn stats() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..50 {
        let steps = prop::collection::vec(step(), 200).new_tree(&mut runner).unwrap().current();
        let (_, log) = run(&steps);
        for (_, outcome) in log {
            match outcome {
                Err(r) => *counts.entry(format!("reject {}", r.code())).or_default() += 1,
                Ok(events) => {
                    for e in events {
                        let name = match e {
                            Event::Fill { kind, .. } => format!("fill {kind:?}"),
                            Event::OrderCancelled { reason, .. } => format!("cancel {reason:?}"),
                            other => format!("{other:?}").split([' ', '{']).next().unwrap().to_string(),
                        };
                        *counts.entry(name).or_default() += 1;
                    }
                }
            }
        }
    }
    for (k, v) in counts {
        println!("{k}: {v}");
    }
}
