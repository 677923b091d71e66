//! Determinism: the same commands give the same events and the same state hash, on any engine,
//! however many times; the hash depends on the state, not on the order it was built in; and a
//! snapshot restored mid-way carries on exactly like the original.
// Test arithmetic on small, known values: casts cannot truncate here.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

mod common;

use augury_core::{
    Action, Command, Event, MarketId, NewOrder, OrderId, OrderType, OutcomeIndex, Reject, SelfTradePrevention, Side,
    TimeInForce,
};
use augury_engine::Engine;
use common::*;

type Outcome = Result<Vec<Event>, Reject>;

fn run(engine: &mut Engine, commands: &[Command]) -> Vec<(Outcome, [u8; 32])> {
    commands
        .iter()
        .map(|command| {
            let outcome = engine.apply_collect(command);
            (outcome, engine.state_hash())
        })
        .collect()
}

fn setup() -> Vec<Command> {
    let mut commands = vec![
        Command::CreateMarket { spec: binary_spec(BINARY) },
        Command::CreateMarket { spec: categorical_spec(CATEGORICAL, CATEGORICAL_OUTCOMES) },
        Command::CreateMarket { spec: scalar_spec(SCALAR, 0, 1_000) },
        Command::CreateMarket { spec: fee_spec(FEE_MARKET) },
    ];
    for account in TRADERS {
        commands.push(Command::Deposit { account, amount_micros: 1_000 * DOLLAR });
    }
    commands
}

/// A hand-written session touching every command.
fn scripted_session() -> Vec<Command> {
    let mut c = setup();
    let place = |order: NewOrder| Command::PlaceOrder { order };
    c.extend([
        Command::Split { account: ALICE, market: BINARY, outcome: None, quantity: 20 },
        Command::Split { account: BOB, market: CATEGORICAL, outcome: None, quantity: 10 },
        Command::Split { account: CAROL, market: CATEGORICAL, outcome: Some(1), quantity: 5 },
        place(sell_yes(OrderId(1), ALICE, BINARY, 550_000, 10)),
        place(buy_no(OrderId(2), BOB, BINARY, 500_000, 5)),
        place(gtd(buy_yes(OrderId(3), CAROL, BINARY, 450_000, 8), 5_000)),
        place(buy_yes(OrderId(4), DAVE, BINARY, 600_000, 12)),
        place(post_only(buy_yes(OrderId(5), DAVE, BINARY, 600_000, 1))), // refused: crosses
        place(ioc(sell_no(OrderId(6), ALICE, BINARY, 400_000, 5))),
        Command::AmendOrder {
            account: CAROL,
            order: OrderId(3),
            price_micros: Some(470_000),
            remaining_quantity: None,
        },
        Command::AmendOrder { account: CAROL, order: OrderId(3), price_micros: None, remaining_quantity: Some(3) },
        place(market_order(OrderId(7), BOB, FEE_MARKET, Side::Yes, Action::Buy, 5, Some(DOLLAR))),
        place(buy_no(OrderId(8), CAROL, FEE_MARKET, 400_000, 6)),
        place(buy_yes(OrderId(9), DAVE, FEE_MARKET, 650_000, 6)),
        Command::Convert { account: CAROL, market: CATEGORICAL, outcomes: 0b010, quantity: 5 },
        place(limit(OrderId(10), BOB, CATEGORICAL, 2, Side::Yes, Action::Sell, 300_000, 4)),
        place(limit(OrderId(11), ALICE, CATEGORICAL, 2, Side::Yes, Action::Buy, 320_000, 6)),
        place(stp(buy_yes(OrderId(12), ALICE, BINARY, 700_000, 5), SelfTradePrevention::CancelMaker)),
        Command::CancelOrder { account: ALICE, order: OrderId(1) }, // may be gone already
        Command::AdvanceTime { now_ms: 5_000 },
        Command::AdvanceTime { now_ms: 4_000 }, // refused
        place(fok(sell_yes(OrderId(13), DAVE, BINARY, 100_000, 50))),
        Command::Merge { account: BOB, market: CATEGORICAL, outcome: None, quantity: 3 },
        place(buy_yes(OrderId(14), BOB, SCALAR, 250_000, 4)),
        place(buy_no(OrderId(15), CAROL, SCALAR, 750_000, 4)),
        Command::CloseMarket { market: BINARY },
        Command::Withdraw { account: DAVE, amount_micros: 10 * DOLLAR },
        Command::Withdraw { account: DAVE, amount_micros: 10_000 * DOLLAR }, // refused
    ]);
    c
}

/// A small deterministic generator (64-bit LCG) so the long session needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A long pseudo-random session; plenty of its commands are refused, which is part of the test.
fn generated_session(seed: u64, steps: usize) -> Vec<Command> {
    let mut rng = Lcg(seed);
    let mut c = setup();
    let markets: [(MarketId, OutcomeIndex); 4] =
        [(BINARY, 1), (CATEGORICAL, CATEGORICAL_OUTCOMES), (SCALAR, 1), (FEE_MARKET, 1)];
    let mut next_order = 1u64;
    let mut now = 0u64;
    for _ in 0..steps {
        let account = TRADERS[rng.below(4) as usize];
        let (market, outcomes) = markets[rng.below(4) as usize];
        let outcome = rng.below(u64::from(outcomes)) as OutcomeIndex;
        let command = match rng.below(20) {
            0..=10 => {
                let side = if rng.below(2) == 0 { Side::Yes } else { Side::No };
                let action = if rng.below(2) == 0 { Action::Buy } else { Action::Sell };
                let price_micros = (30 + rng.below(41)) * CENT;
                let quantity = 1 + rng.below(20);
                let (order_type, time_in_force) = match rng.below(10) {
                    0 => (OrderType::Market { cost_cap_micros: Some((1 + rng.below(10)) * DOLLAR) }, TimeInForce::Ioc),
                    1 => (OrderType::Limit { price_micros }, TimeInForce::Ioc),
                    2 => (OrderType::Limit { price_micros }, TimeInForce::Fok),
                    3 => {
                        (OrderType::Limit { price_micros }, TimeInForce::Gtd { expires_at_ms: now + 1 + rng.below(50) })
                    }
                    _ => (OrderType::Limit { price_micros }, TimeInForce::Gtc),
                };
                let self_trade = match rng.below(3) {
                    0 => SelfTradePrevention::CancelTaker,
                    1 => SelfTradePrevention::CancelMaker,
                    _ => SelfTradePrevention::CancelBoth,
                };
                let order = NewOrder {
                    order: OrderId(next_order),
                    account,
                    market,
                    outcome,
                    side,
                    action,
                    order_type,
                    quantity,
                    time_in_force,
                    post_only: rng.below(8) == 0 && matches!(time_in_force, TimeInForce::Gtc),
                    self_trade,
                };
                next_order += 1;
                Command::PlaceOrder { order }
            }
            11 | 12 => Command::CancelOrder { account, order: OrderId(1 + rng.below(next_order)) },
            13 | 14 => Command::AmendOrder {
                account,
                order: OrderId(1 + rng.below(next_order)),
                price_micros: (rng.below(2) == 0).then(|| (30 + rng.below(41)) * CENT),
                remaining_quantity: (rng.below(2) == 0).then(|| 1 + rng.below(20)),
            },
            15 => {
                let outcome = if rng.below(2) == 0 { None } else { Some(outcome) };
                Command::Split { account, market, outcome, quantity: 1 + rng.below(10) }
            }
            16 => {
                let outcome = if rng.below(2) == 0 { None } else { Some(outcome) };
                Command::Merge { account, market, outcome, quantity: 1 + rng.below(5) }
            }
            17 => Command::Convert {
                account,
                market: CATEGORICAL,
                outcomes: 1 + rng.below(7),
                quantity: 1 + rng.below(3),
            },
            18 => {
                now += rng.below(20);
                Command::AdvanceTime { now_ms: now }
            }
            _ => Command::Deposit { account, amount_micros: (1 + rng.below(50)) * DOLLAR },
        };
        c.push(command);
    }
    c
}

fn assert_same_run(commands: &[Command]) -> Vec<(Outcome, [u8; 32])> {
    let mut first = engine();
    let mut second = engine();
    let a = run(&mut first, commands);
    let b = run(&mut second, commands);
    for (step, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "engines diverged at step {step}: {:?}", commands[step]);
    }
    assert_eq!(first.state_hash(), second.state_hash());
    assert_eq!(first.snapshot(), second.snapshot());
    first.check_invariants().unwrap();
    second.check_invariants().unwrap();
    a
}

fn count_fills(run: &[(Outcome, [u8; 32])]) -> usize {
    run.iter()
        .filter_map(|(outcome, _)| outcome.as_ref().ok())
        .flatten()
        .filter(|event| matches!(event, Event::Fill { .. }))
        .count()
}

#[test]
fn the_scripted_session_is_reproduced_exactly() {
    let commands = scripted_session();
    let result = assert_same_run(&commands);
    // The script did what it was meant to: trades happened, and some commands were refused.
    assert_eq!(count_fills(&result), 5);
    let refusals: Vec<Reject> = result.iter().filter_map(|(outcome, _)| outcome.clone().err()).collect();
    assert!(refusals.contains(&Reject::PostOnlyWouldCross));
    assert!(refusals.contains(&Reject::TimeWentBackwards { now_ms: 4_000, clock_ms: 5_000 }));
    assert!(refusals.iter().any(|r| matches!(r, Reject::InsufficientFunds { .. })));
}

#[test]
fn long_generated_sessions_are_reproduced_exactly() {
    for seed in [1u64, 7, 42, 2024] {
        let commands = generated_session(seed, 1_500);
        let result = assert_same_run(&commands);
        let accepted = result.iter().filter(|(outcome, _)| outcome.is_ok()).count();
        assert!(count_fills(&result) > 50, "seed {seed}: only {} fills", count_fills(&result));
        assert!(accepted > 500, "seed {seed}: only {accepted} accepted");
    }
}

#[test]
fn every_step_keeps_the_invariants_and_refusals_change_nothing() {
    let commands = generated_session(99, 1_000);
    let mut e = engine();
    for command in &commands {
        let before = e.state_hash();
        let mut events = Vec::new();
        match e.apply(command, &mut events) {
            Ok(()) => {}
            Err(_) => {
                assert!(events.is_empty());
                assert_eq!(e.state_hash(), before, "refused {command:?} changed the state");
            }
        }
        if let Err(violation) = e.check_invariants() {
            panic!("after {command:?}: {violation}");
        }
    }
}

#[test]
fn apply_appends_to_the_callers_vector_and_matches_apply_collect() {
    let commands = scripted_session();
    let mut collecting = engine();
    let mut appending = engine();
    let mut all_events = vec![Event::TimeAdvanced { now_ms: 0 }]; // pre-existing content stays
    let mut expected = all_events.clone();
    for command in &commands {
        let collected = collecting.apply_collect(command);
        let before = all_events.len();
        let appended = appending.apply(command, &mut all_events);
        assert_eq!(collected.as_ref().err(), appended.err().as_ref());
        if let Ok(events) = collected {
            assert_eq!(&all_events[before..], &events[..]);
            expected.extend(events);
        } else {
            assert_eq!(all_events.len(), before);
        }
    }
    assert_eq!(all_events, expected);
    assert_eq!(collecting.state_hash(), appending.state_hash());
}

#[test]
fn the_state_hash_does_not_depend_on_the_order_state_was_built_in() {
    let mut first = engine();
    ok(&mut first, Command::CreateMarket { spec: binary_spec(BINARY) });
    ok(&mut first, Command::CreateMarket { spec: categorical_spec(CATEGORICAL, 3) });
    deposit(&mut first, ALICE, 10 * DOLLAR);
    deposit(&mut first, BOB, 20 * DOLLAR);

    let mut second = engine();
    deposit(&mut second, BOB, 20 * DOLLAR);
    ok(&mut second, Command::CreateMarket { spec: categorical_spec(CATEGORICAL, 3) });
    deposit(&mut second, ALICE, 10 * DOLLAR);
    ok(&mut second, Command::CreateMarket { spec: binary_spec(BINARY) });

    assert_eq!(first.state_hash(), second.state_hash());

    // And it does see a difference in state.
    deposit(&mut second, ALICE, 1);
    assert_ne!(first.state_hash(), second.state_hash());
    deposit(&mut first, ALICE, 1);
    assert_eq!(first.state_hash(), second.state_hash());
    rest(&mut first, buy_yes(OrderId(1), ALICE, BINARY, 500_000, 1));
    rest(&mut second, buy_yes(OrderId(1), ALICE, BINARY, 510_000, 1));
    assert_ne!(first.state_hash(), second.state_hash());
}

#[test]
fn a_restored_snapshot_carries_on_exactly_like_the_original() {
    let commands = generated_session(5, 1_200);
    let (head, tail) = commands.split_at(600);
    let mut original = engine();
    run(&mut original, head);
    let mut restored = Engine::restore(&original.snapshot()).expect("a snapshot of a sound engine restores");
    assert_eq!(restored.state_hash(), original.state_hash());
    let a = run(&mut original, tail);
    let b = run(&mut restored, tail);
    assert_eq!(a, b);
    assert!(count_fills(&a) > 10);
    restored.check_invariants().unwrap();
}
