//! The `augury` binary: the edge where commands from a person become calls into the crates.
#![forbid(unsafe_code)]

mod demo;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "augury", version, about = "Augury: an open prediction-market exchange")]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run the demo venue: three markets (binary, categorical, scalar) traded by seeded simulated
    /// traders through the engine, then print the books, the figures and the state hash.
    Demo {
        /// How many trader commands to run.
        #[arg(long, default_value_t = 200_000)]
        steps: u64,
        /// Seed of the simulated traders; the same seed gives the same run and state hash.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure performance.
    Bench {
        #[command(subcommand)]
        target: BenchTarget,
    },
}

#[derive(Subcommand)]
enum BenchTarget {
    /// The matching engine with full accounting, beside the `rust-order-book` crate on the same
    /// workload (60% place, 30% cancel, 10% marketable), one core, same process.
    Engine {
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Operations per timed run.
        #[arg(long, default_value_t = 2_000_000)]
        ops: usize,
        /// Seed of the generated workload.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Timed runs of each engine, alternating; the best is reported.
        #[arg(long, default_value_t = 3)]
        repetitions: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Commands::Demo { steps, seed } => demo::run(steps, seed),
        Commands::Bench { target: BenchTarget::Engine { json, ops, seed, repetitions } } => {
            let config = augury_bench::EngineBenchConfig { ops, seed, repetitions };
            let report = augury_bench::run_engine_bench(&config);
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
            Ok(())
        }
    }
}
