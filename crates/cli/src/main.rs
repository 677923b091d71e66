//! The `augury` binary: the edge where commands from a person become calls into the crates.
#![forbid(unsafe_code)]

mod bench_api;
mod demo;
mod intel;
mod keys;
mod proofs;
mod serve;
mod storage;
mod verify;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use storage::StorageArgs;

#[derive(Parser)]
#[command(name = "augury", version, about = "Augury: an open prediction-market exchange")]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run the venue on the network: REST and WebSocket API over embedded storage in the data
    /// directory (created on first start). `--demo` adds the demo markets and funded simulated
    /// traders, and replays real BTC and ETH price history: daily threshold markets that settle
    /// by rule from the replayed index, quoted by a market maker. API keys come from
    /// `augury keys create`.
    Serve {
        #[command(flatten)]
        storage: StorageArgs,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Create the demo markets and traders on first start.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        tls: serve::TlsArgs,
        #[command(flatten)]
        http: serve::HttpArgs,
        #[command(flatten)]
        replay: serve::ReplayArgs,
    },
    /// API keys, made against the data directory while the venue is stopped (or before its
    /// first start: the directory is created).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Run the demo venue on embedded storage: three markets (binary, categorical, scalar) traded
    /// by seeded simulated traders through the engine and the durable journal. Each run carries
    /// on from the last; the books, the figures and the signed journal state are printed.
    Demo {
        #[command(flatten)]
        storage: StorageArgs,
        /// How many trader commands to run.
        #[arg(long, default_value_t = 200_000)]
        steps: u64,
        /// Seed of the simulated traders.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Check a data directory without changing it: every journal frame (CRC, index, hash chain),
    /// every signed checkpoint, every snapshot. Names the segment, offset and entry of any damage.
    Verify {
        data_dir: PathBuf,
        /// The journal encryption key file, if the journal is encrypted (or set AUGURY_JOURNAL_KEY).
        #[arg(long)]
        journal_key_file: Option<PathBuf>,
    },
    /// Merkle proofs over the journal, and their verification.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Import market data into the venue.
    Import {
        #[command(subcommand)]
        command: intel::ImportCommand,
    },
    /// Crypto intelligence: validation of the grades, signals and threshold probabilities.
    Intel {
        #[command(subcommand)]
        command: intel::IntelCommand,
    },
    /// Measure performance.
    Bench {
        #[command(subcommand)]
        target: BenchTarget,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key (and an account, unless --account names one) and print it as one JSON
    /// object: key id, the secret token (shown once), the account and, when the signing key pair
    /// was generated here, its private half (shown once). Run it while the venue is stopped (the
    /// data directory is locked while it serves), or before the first `augury serve`: it creates
    /// the data directory. Scopes: read, trade, admin, resolver.
    Create(keys::CreateArgs),
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Print (as JSON) an inclusion proof of one entry against the newest signed checkpoint that
    /// covers it.
    Prove {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        entry: u64,
    },
    /// Print (as JSON) a consistency proof from the checkpoint of size OLD to the newest one.
    Consistency {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        old: u64,
    },
    /// Check a proof printed by `prove` or `consistency` against a public key you trust (hex, or
    /// a file holding it, such as DATA_DIR/keys/venue-signing.pub).
    VerifyProof {
        file: PathBuf,
        #[arg(long)]
        public_key: String,
    },
}

#[derive(Subcommand)]
enum BenchTarget {
    /// The matching engine with full accounting, beside the `rust-order-book` crate on the same
    /// workload (60% place, 30% cancel, 10% marketable), one core, same process.
    Engine {
        /// Print one JSON object instead of indented JSON.
        #[arg(long)]
        json: bool,
        /// Operations per timed run.
        #[arg(long, default_value_t = 2_000_000)]
        ops: u64,
        /// Seed of the generated workload.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Timed runs of each engine, alternating.
        #[arg(long, default_value_t = 3)]
        repetitions: u32,
    },
    /// The journal: durable 200-byte events with group commit and fdatasync, then a replay.
    Journal {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 2_000_000)]
        events: u64,
        /// Events per group commit.
        #[arg(long, default_value_t = 4_096)]
        group: u64,
        /// Where to write (a temporary folder inside it is removed afterwards).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// The network API: signed, durable order placements over HTTP on loopback against a venue in
    /// a temporary data directory, at saturation (closed loop) and at a fixed offered rate (open
    /// loop, latency from the scheduled send time). The load generator runs in the same process.
    Api(bench_api::BenchApiArgs),
    /// Indicators plus Trader and Investor Grades over seeded synthetic assets (6,000 x 5 years
    /// of daily candles by default), on every core.
    Intel(intel::BenchIntelArgs),
}

fn print(json: bool, value: &impl serde::Serialize) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(value)?);
    } else {
        println!("{}", serde_json::to_string_pretty(value)?);
    }
    Ok(())
}

/// Errors end here: printed as one line of causes (no backtrace, whatever RUST_BACKTRACE says),
/// with exit status 1.
fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Commands::Serve { storage, listen, demo, tls, http, replay } => {
            serve::run(&storage, listen, demo, &tls, &http, &replay)
        }
        Commands::Keys { command: KeysCommand::Create(args) } => keys::create(&args),
        Commands::Demo { storage, steps, seed } => demo::run(&storage, steps, seed),
        Commands::Verify { data_dir, journal_key_file } => verify::run(&StorageArgs { data_dir, journal_key_file }),
        Commands::Journal { command } => match command {
            JournalCommand::Prove { storage, entry } => print(false, &proofs::prove(&storage, entry)?),
            JournalCommand::Consistency { storage, old } => print(false, &proofs::consistency(&storage, old)?),
            JournalCommand::VerifyProof { file, public_key } => {
                println!("{}", proofs::verify_bundle(&file, &public_key)?);
                Ok(())
            }
        },
        Commands::Import { command } => intel::import(command),
        Commands::Intel { command } => intel::intel(command),
        Commands::Bench { target: BenchTarget::Intel(args) } => intel::bench(args),
        Commands::Bench { target: BenchTarget::Api(args) } => bench_api::run(&args),
        Commands::Bench { target: BenchTarget::Engine { json, ops, seed, repetitions } } => {
            let config = augury_bench::EngineBenchConfig { ops, seed, repetitions };
            print(json, &augury_bench::run_engine_bench(&config))
        }
        Commands::Bench { target: BenchTarget::Journal { json, events, group, dir } } => {
            let config = augury_bench::journal::JournalBenchConfig { events, group, ..Default::default() };
            print(json, &augury_bench::journal::run_journal_bench(&config, &dir)?)
        }
    }
}
