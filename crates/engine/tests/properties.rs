//! Property tests: random command sequences on binary, categorical and scalar markets, with every
//! invariant checked after every step, refusals checked to change nothing, and a replay checked
//! to reproduce the same events and state hash.

use augury_core::{
    Action, Command, Event, FeeRule, FeeSchedule, MarketKind, MarketSpec, NewOrder, OrderType, Reject,
    SelfTradePrevention, Side, TimeInForce,
};
use augury_engine::{Engine, EngineConfig};
use proptest::prelude::*;

const FEE_ACCOUNT: u64 = 999;
const ACCOUNTS: u64 = 4;
const BINARY: u32 = 1;
const CATEGORICAL: u32 = 2;
const SCALAR: u32 = 3;
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
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Yes), Just(Side::No)]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![Just(Action::Buy), Just(Action::Sell)]
}

fn market() -> impl Strategy<Value = u32> {
    prop_oneof![Just(BINARY), Just(CATEGORICAL), Just(SCALAR)]
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
        2 => (0u64..5_000).prop_map(|by_ms| Step::Advance { by_ms }),
        1 => (0..ACCOUNTS, 1u64..50_000_000).prop_map(|(account, amount)| Step::Deposit { account, amount }),
        1 => (0..ACCOUNTS, 1u64..50_000_000).prop_map(|(account, amount)| Step::Withdraw { account, amount }),
        // Closing ends a market's trading for the rest of the run, so it is rare.
        1 => prop_oneof![30 => Just(Step::Advance { by_ms: 0 }), 1 => market().prop_map(|market| Step::Close { market })],
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
        MarketSpec {
            market: BINARY,
            kind: MarketKind::Binary,
            tick_micros: 10_000,
            fees: kalshi_like,
            close_time_ms: 0,
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
    for account in 0..ACCOUNTS {
        commands.push(Command::Deposit { account, amount_micros: 200_000_000 });
        for market in [BINARY, CATEGORICAL, SCALAR] {
            commands.push(Command::Split { account, market, outcome: None, quantity: 20 });
        }
        for outcome in 0..CATEGORICAL_OUTCOMES {
            commands.push(Command::Split { account, market: CATEGORICAL, outcome: Some(outcome), quantity: 10 });
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
                    CATEGORICAL => outcome,
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
                        order,
                        account,
                        market,
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
                Command::CancelOrder { account: if back % 7 == 6 { account } else { owner }, order }
            }
            Step::Amend { account, back, price_ticks, quantity } => {
                let (order, owner) = recent(&self.placed, back, account);
                Command::AmendOrder {
                    account: owner,
                    order,
                    price_micros: price_ticks.map(|t| t * 10_000),
                    remaining_quantity: quantity,
                }
            }
            Step::Split { account, market, outcome, quantity } => Command::Split {
                account,
                market,
                outcome: outcome.filter(|&o| market == CATEGORICAL || o == 0),
                quantity,
            },
            Step::Merge { account, market, outcome, quantity } => Command::Merge {
                account,
                market,
                outcome: outcome.filter(|&o| market == CATEGORICAL || o == 0),
                quantity,
            },
            Step::Convert { account, outcomes, quantity } => {
                Command::Convert { account, market: CATEGORICAL, outcomes, quantity }
            }
            Step::Advance { by_ms } => {
                self.clock_ms += by_ms;
                Command::AdvanceTime { now_ms: self.clock_ms }
            }
            Step::Deposit { account, amount } => Command::Deposit { account, amount_micros: amount },
            Step::Withdraw { account, amount } => Command::Withdraw { account, amount_micros: amount },
            Step::Close { market } => Command::CloseMarket { market },
        }
    }
}

/// Every command of a run with what it caused.
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
        let mut events = Vec::new();
        let outcome = engine.apply(&command, &mut events);
        if let Err(reject) = &outcome {
            assert!(events.is_empty(), "{command:?} was refused ({reject}) yet emitted {events:?}");
            assert_eq!(before, engine.state_hash(), "{command:?} was refused ({reject}) yet changed the state");
        }
        if let Err(violation) = engine.check_invariants() {
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
        for (_, outcome) in &log {
            let Ok(events) = outcome else { continue };
            for event in events {
                if let Event::Fill { quantity, yes_price_micros, maker_account, taker_account, .. } = *event {
                    prop_assert!(quantity > 0);
                    prop_assert!(yes_price_micros > 0 && yes_price_micros < 1_000_000);
                    prop_assert_ne!(maker_account, taker_account, "self-trade prevention let a self-trade through");
                }
            }
        }
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
