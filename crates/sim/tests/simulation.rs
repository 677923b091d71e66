//! Simulation tests: long seeded runs of the demo venue, every invariant checked after every step.

use augury_core::{AccountId, MarketId};
use augury_engine::{Engine, EngineConfig};
use augury_sim::{RunSummary, Simulation, FEE_ACCOUNT};

fn run(seed: u64, steps: usize, check_every: usize) -> (Engine, RunSummary) {
    let mut simulation = Simulation::new(seed);
    let mut engine = Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() });
    for command in simulation.setup() {
        engine.apply_collect(&command).expect("the demo setup is valid");
    }
    let mut summary = RunSummary::default();
    let mut events = Vec::new();
    for step in 0..steps {
        let command = simulation.next_command();
        events.clear();
        let outcome = engine.apply(&command, &mut events);
        summary.record(&outcome, &events);
        if step % check_every == 0 {
            if let Err(violation) = engine.check_invariants() {
                panic!("seed {seed}, step {step}, after {command:?} -> {outcome:?}: {violation}");
            }
        }
    }
    engine.check_invariants().expect("invariants hold at the end");
    (engine, summary)
}

#[test]
fn invariants_hold_at_every_step_of_seeded_runs() {
    for seed in 1..=4 {
        let (_, summary) = run(seed, 25_000, 1);
        // The stream must actually trade through all three paths, or the test proves little.
        assert!(summary.fills > 1_000, "seed {seed}: only {} fills", summary.fills);
        assert!(summary.mints > 50 && summary.merges > 50, "seed {seed}: {summary:?}");
        assert!(summary.fees_micros > 0);
    }
}

#[test]
fn a_long_run_keeps_its_invariants() {
    run(42, 400_000, 1_000);
}

#[test]
fn the_same_seed_gives_the_same_state() {
    let (first, first_summary) = run(7, 30_000, 10_000);
    let (second, second_summary) = run(7, 30_000, 10_000);
    assert_eq!(first.state_hash(), second.state_hash());
    assert_eq!(first_summary, second_summary);
    let (other, _) = run(8, 30_000, 10_000);
    assert_ne!(first.state_hash(), other.state_hash(), "different seeds should diverge");
}

#[test]
fn a_restored_snapshot_continues_exactly_like_the_original() {
    let mut simulation = Simulation::new(11);
    let mut original = Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() });
    for command in simulation.setup() {
        original.apply_collect(&command).expect("the demo setup is valid");
    }
    for _ in 0..20_000 {
        let _ = original.apply_collect(&simulation.next_command());
    }
    let snapshot = original.snapshot();
    assert!(snapshot.markets.iter().any(|m| m.outcomes.iter().any(|o| !o.orders.is_empty())), "books are not empty");
    let json = serde_json::to_string(&snapshot).expect("a snapshot serializes");
    let decoded: augury_engine::EngineSnapshot = serde_json::from_str(&json).expect("and deserializes");
    assert_eq!(decoded, snapshot);
    let mut restored = Engine::restore(&decoded).expect("a snapshot of a valid engine restores");
    assert_eq!(restored.state_hash(), original.state_hash());
    for _ in 0..20_000 {
        let command = simulation.next_command();
        assert_eq!(original.apply_collect(&command), restored.apply_collect(&command), "diverged on {command:?}");
    }
    assert_eq!(restored.state_hash(), original.state_hash());
}

#[test]
fn a_tampered_snapshot_is_refused() {
    let mut simulation = Simulation::new(12);
    let mut engine = Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() });
    for command in simulation.setup() {
        engine.apply_collect(&command).expect("the demo setup is valid");
    }
    for _ in 0..5_000 {
        let _ = engine.apply_collect(&simulation.next_command());
    }
    let mut snapshot = engine.snapshot();
    snapshot.accounts[3].available_micros += 1;
    let error = Engine::restore(&snapshot).expect_err("money from nowhere must be refused");
    assert!(error.to_string().contains("deposits net"), "{error}");
}

/// A seeded venue where market makers trade beside the simulated traders, then every market
/// ends (an oracle proposal overturned by the arbiters, a direct resolution, an undisputed
/// proposal) and every trader redeems: every dollar deposited is back in an account.
#[test]
fn a_simulated_venue_with_market_makers_settles_and_pays_out_every_dollar() {
    use augury_core::{Command, Event, MarketStatus, OracleConfig, Resolution};
    use augury_sim::FIRST_TRADER;
    const OPERATOR: AccountId = AccountId(90);
    const ARBITER: AccountId = AccountId(91);
    let mut simulation = Simulation::new(21);
    let mut engine = Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() });
    let mut net: i128 = 0;
    let mut amm_fills = 0;
    let mut apply = |engine: &mut Engine, command: Command| -> Result<Vec<Event>, augury_core::Reject> {
        let outcome = engine.apply_collect(&command);
        for event in outcome.iter().flatten() {
            match *event {
                Event::Deposited { amount_micros, .. } => net += i128::from(amount_micros),
                Event::Withdrawn { amount_micros, .. } => net -= i128::from(amount_micros),
                Event::AmmFill { .. } => amm_fills += 1,
                _ => {}
            }
        }
        outcome
    };
    let mut setup = simulation.setup();
    setup.extend([
        Command::Deposit { account: OPERATOR, amount_micros: 10_000_000_000 },
        Command::EnableAmm { market: MarketId(1), operator: OPERATOR, liquidity_micros: 500_000_000 },
        Command::EnableAmm { market: MarketId(2), operator: OPERATOR, liquidity_micros: 500_000_000 },
        Command::ConfigureOracle {
            config: OracleConfig {
                liveness_ms: 60_000,
                min_bond_micros: 1_000_000,
                quorum: 1,
                dispute_fee_ppm: 20_000,
            },
        },
        Command::SetArbiter { account: ARBITER, active: true },
    ]);
    for command in setup {
        apply(&mut engine, command).expect("the setup is valid");
    }
    for step in 0..30_000 {
        let command = simulation.next_command();
        let _ = apply(&mut engine, command);
        if step % 250 == 0 {
            engine.check_invariants().unwrap_or_else(|v| panic!("step {step}: {v}"));
        }
    }
    let now = engine.clock_ms();
    let (proposer, disputer) = (FIRST_TRADER, FIRST_TRADER.next());
    let script = [
        Command::CloseMarket { market: MarketId(1) },
        Command::ProposeOutcome {
            account: proposer,
            market: MarketId(1),
            resolution: Resolution::Yes,
            bond_micros: 5_000_000,
        },
        Command::DisputeProposal { account: disputer, market: MarketId(1), bond_micros: 5_000_000 },
        Command::CastArbiterVote { arbiter: ARBITER, market: MarketId(1), resolution: Resolution::No },
        Command::ResolveMarket { market: MarketId(2), resolution: Resolution::Outcome { outcome: 1 } },
        Command::CloseMarket { market: MarketId(3) },
        Command::ProposeOutcome {
            account: proposer,
            market: MarketId(3),
            resolution: Resolution::Scalar { value: 3_333 },
            bond_micros: 5_000_000,
        },
        Command::AdvanceTime { now_ms: now + 60_000 },
    ];
    for command in script {
        apply(&mut engine, command).unwrap_or_else(|r| panic!("{command:?}: {r}"));
        engine.check_invariants().expect("invariants hold through the lifecycle");
    }
    for market in 1..=3 {
        assert_eq!(engine.market_status(MarketId(market)), Some(MarketStatus::Settled));
        for account in augury_sim::traders() {
            let _ = apply(&mut engine, Command::Redeem { account, market: MarketId(market) });
        }
        let settlement = engine.market_lifecycle(MarketId(market)).unwrap().settlement.unwrap();
        assert_eq!(settlement.redeemed_micros + settlement.dust_micros, settlement.collateral_micros);
        assert_eq!(engine.market_backing_micros(MarketId(market)), Some(0));
    }
    engine.check_invariants().expect("invariants hold at the end");
    let held: i128 = augury_sim::traders()
        .chain([FEE_ACCOUNT, OPERATOR])
        .filter_map(|account| engine.account(account))
        .map(|a| i128::from(a.available_micros) + i128::from(a.reserved_micros))
        .sum();
    assert_eq!(held, net, "every dollar deposited is back in an account");
    assert!(amm_fills > 100, "the market makers traded only {amm_fills} times");
}
