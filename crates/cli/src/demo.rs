//! `augury demo`: the demo venue run in memory by the seeded simulator.

use anyhow::{bail, Result};
use augury_core::{BookSide, MarketKind, MICROS_PER_DOLLAR};
use augury_engine::{Engine, EngineConfig};
use augury_sim::{outcome_name, RunSummary, Simulation, FEE_ACCOUNT};
use std::time::Instant;

pub fn run(steps: u64, seed: u64) -> Result<()> {
    let mut simulation = Simulation::new(seed);
    let mut engine = Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() });
    for command in simulation.setup() {
        if let Err(reject) = engine.apply_collect(&command) {
            bail!("the demo setup was refused: {reject}");
        }
    }
    let started = Instant::now();
    let mut summary = RunSummary::default();
    let mut events = Vec::new();
    for _ in 0..steps {
        let command = simulation.next_command();
        events.clear();
        let outcome = engine.apply(&command, &mut events);
        summary.record(&outcome, &events);
    }
    let elapsed = started.elapsed();
    if let Err(violation) = engine.check_invariants() {
        bail!("{violation}");
    }

    println!("Augury demo venue (seed {seed}): {steps} trader commands in {:.2?}", elapsed);
    println!(
        "  accepted {}, refused {} (refusals are normal: traders cancel filled orders, sell what they lack)",
        summary.accepted, summary.refused
    );
    println!(
        "  {} fills ({} minted a set, {} merged one), {} contracts traded, fees {}",
        summary.fills,
        summary.mints,
        summary.merges,
        summary.contracts_traded,
        dollars(summary.fees_micros)
    );
    for market in simulation.markets() {
        let spec = market.spec;
        let kind = match spec.kind {
            MarketKind::Binary => "binary".to_string(),
            MarketKind::Categorical { outcomes } => format!("categorical, {outcomes} outcomes"),
            MarketKind::Scalar { floor, cap } => format!("scalar {floor}..{cap}"),
        };
        let backing = engine.market_backing_micros(spec.market).unwrap_or(0);
        println!("\nmarket {} ({kind}): {}", spec.market, market.title);
        println!("  backing {}", dollars(backing));
        for outcome in 0..spec.kind.outcome_count() {
            let bids = engine.depth(spec.market, outcome, BookSide::Bid, 3);
            let asks = engine.depth(spec.market, outcome, BookSide::Ask, 3);
            let show = |levels: &[augury_engine::LevelView]| {
                levels
                    .iter()
                    .map(|l| format!("{} x{}", price(l.yes_price_micros), l.quantity))
                    .collect::<Vec<_>>()
                    .join("  ")
            };
            println!(
                "  {:<14} bids [{}]  asks [{}]",
                outcome_name(simulation.markets(), spec.market, outcome),
                show(&bids),
                show(&asks)
            );
        }
    }
    let fees = engine.account(FEE_ACCOUNT).map_or(0, |a| a.available_micros);
    println!("\nfee account: {}; open orders: {}", dollars(fees), engine.open_order_count());
    println!("invariants: hold (conservation, full backing, reservations, books)");
    println!("state hash: {}", hex(&engine.state_hash()));
    Ok(())
}

fn dollars(micros: u64) -> String {
    format!("${}.{:06}", micros / MICROS_PER_DOLLAR, micros % MICROS_PER_DOLLAR)
}

fn price(micros: u64) -> String {
    format!("{:.3}", micros as f64 / MICROS_PER_DOLLAR as f64)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
