//! `augury demo`: the demo venue on embedded storage. The first run creates the data directory
//! (markets, funded traders); every run replays the journal, then lets the seeded simulated
//! traders trade for a while through the engine and the journal (group-committed, fsynced), and
//! prints the books, the figures and the journal's signed state.

use crate::storage::{open_venue, StorageArgs};
use anyhow::{bail, Result};
use augury_core::{BookSide, MarketId, MarketKind, MICROS_PER_DOLLAR};
use augury_engine::EngineConfig;
use augury_sim::{outcome_name, RunSummary, Simulation, FEE_ACCOUNT};
use std::time::Instant;

/// Commands per group commit.
const GROUP: u64 = 512;

pub fn run(storage: &StorageArgs, steps: u64, seed: u64) -> Result<()> {
    let engine_config = EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() };
    let mut venue = open_venue(storage, engine_config)?;
    let fresh = venue.engine().market_spec(MarketId(1)).is_none();
    // Each run continues where the last stopped, with traders seeded by the run number.
    let run_number = venue.journal().committed();
    let mut simulation =
        Simulation::resume(seed ^ run_number, venue.engine().clock_ms(), venue.engine().highest_order_id());
    if fresh {
        for command in simulation.setup() {
            if let Err(reject) = venue.submit(&command)? {
                bail!("the demo setup was refused: {reject}");
            }
        }
        venue.commit(simulation_now(&venue))?;
        println!("created the demo venue in {}", storage.data_dir.display());
    }

    let started = Instant::now();
    let mut summary = RunSummary::default();
    for step in 0..steps {
        let command = simulation.next_command();
        let outcome = venue.submit(&command)?.map(<[_]>::to_vec);
        match &outcome {
            Ok(events) => summary.record(&Ok(()), events),
            Err(reject) => summary.record(&Err(*reject), &[]),
        }
        if (step + 1) % GROUP == 0 {
            venue.commit(simulation_now(&venue))?;
        }
    }
    venue.commit(simulation_now(&venue))?;
    let elapsed = started.elapsed();
    let engine = venue.engine();
    if let Err(violation) = engine.check_invariants() {
        bail!("{violation}");
    }

    println!(
        "{steps} trader commands in {elapsed:.2?}, journaled and fsynced in groups of {GROUP} ({:.0} commands/s)",
        steps as f64 / elapsed.as_secs_f64()
    );
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
        println!("\nmarket {} ({kind}): {}", spec.market, market.title());
        println!("  backing {}", dollars(engine.market_backing_micros(spec.market).unwrap_or(0)));
        for outcome in 0..spec.kind.outcome_count() {
            let show = |side| {
                engine
                    .depth(spec.market, outcome, side, 3)
                    .iter()
                    .map(|l| format!("{} x{}", price(l.yes_price_micros), l.quantity))
                    .collect::<Vec<_>>()
                    .join("  ")
            };
            println!(
                "  {:<14} bids [{}]  asks [{}]",
                outcome_name(simulation.markets(), spec.market, outcome),
                show(BookSide::Bid),
                show(BookSide::Ask)
            );
        }
    }
    let fees = engine.account(FEE_ACCOUNT).map_or(0, |a| a.available_micros);
    println!("\nfee account: {}; open orders: {}", dollars(fees), engine.open_order_count());
    println!("invariants: hold (conservation, full backing, reservations, books)");
    println!("state hash:   {}", augury_journal::hex(&engine.state_hash()));
    println!(
        "journal:      {} entries, Merkle root {}",
        venue.journal().committed(),
        augury_journal::hex(&venue.journal().root())
    );
    println!(
        "\nrun again to continue trading from this state; check it with: augury verify {}",
        storage.data_dir.display()
    );
    Ok(())
}

/// Checkpoint timestamps follow the venue clock, which the simulation drives.
fn simulation_now(venue: &augury_sequencer::Venue) -> u64 {
    venue.engine().clock_ms()
}

fn dollars(micros: u64) -> String {
    format!("${}.{:06}", micros / MICROS_PER_DOLLAR, micros % MICROS_PER_DOLLAR)
}

fn price(micros: u64) -> String {
    format!("{:.3}", micros as f64 / MICROS_PER_DOLLAR as f64)
}
