//! Simulation tests: long seeded runs of the demo venue, every invariant checked after every step.

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
