//! `augury bench api`: the API benchmark (see `augury_bench::api`), printed as one JSON object or
//! as a table.

use anyhow::Result;
use augury_bench::api::{run_api_bench, ApiBenchConfig, ApiBenchReport, PhaseReport};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BenchApiArgs {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Concurrent connections at saturation.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Accounts, each with its own API key.
    #[arg(long, default_value_t = 64)]
    accounts: usize,
    /// Unmeasured load before the measured saturation window.
    #[arg(long, default_value_t = 1_000)]
    warmup_ms: u64,
    /// Measured saturation window.
    #[arg(long, default_value_t = 5_000)]
    duration_ms: u64,
    /// Stop the saturation phase after this many measured orders.
    #[arg(long)]
    orders: Option<u64>,
    /// Offered rate of the open-loop phase, orders per second (0 skips it).
    #[arg(long, default_value_t = 10_000)]
    rate: u64,
    #[arg(long, default_value_t = 5_000)]
    open_duration_ms: u64,
    #[arg(long, default_value_t = 64)]
    open_connections: usize,
    /// Tokio worker threads of the gateway (default: the cores the verifiers leave, as `augury serve`).
    #[arg(long, default_value_t = ApiBenchConfig::default().server_threads)]
    server_threads: usize,
    /// Worker threads of the load generator; 0 runs it on the gateway's runtime.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Signature verifier threads of the gateway (batched verification); 0 verifies each request
    /// on its own task. Default: half the cores.
    #[arg(long, default_value_t = ApiBenchConfig::default().verifier_threads)]
    verifier_threads: usize,
    /// Give every order a client_order_id (the idempotent placement most bots use).
    #[arg(long)]
    client_order_ids: bool,
    #[arg(long, default_value_t = ApiBenchConfig::default().seed)]
    seed: u64,
    /// Where the temporary data directory goes (removed afterwards). Use a real disk: fsync on
    /// tmpfs costs nothing and flatters the figures.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
}

pub fn run(args: &BenchApiArgs) -> Result<()> {
    let config = ApiBenchConfig {
        connections: args.connections,
        accounts: args.accounts,
        warmup_ms: args.warmup_ms,
        duration_ms: args.duration_ms,
        orders: args.orders,
        open_rate: args.rate,
        open_duration_ms: args.open_duration_ms,
        open_connections: args.open_connections,
        server_threads: args.server_threads,
        client_threads: args.client_threads,
        verifier_threads: args.verifier_threads,
        client_order_ids: args.client_order_ids,
        seed: args.seed,
    };
    let report = run_api_bench(&config, &args.dir)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn phase_rows(name: &str, phase: &PhaseReport) {
    let l = &phase.latency;
    println!(
        "{name:<26} {:>10.0} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8} {:>7}",
        phase.orders_per_sec, l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms, phase.orders, phase.errors
    );
}

fn print_table(report: &ApiBenchReport) {
    println!("augury bench api: {}", report.workload);
    println!("rate limits: {}", report.rate_limits);
    println!(
        "\n{:<26} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "phase", "orders/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "orders", "errors"
    );
    phase_rows(&format!("saturation ({} conns)", report.config.connections), &report.saturation);
    phase_rows(&format!("open loop {}/s offered", report.open_rate), &report.open_loop);
    println!();
    for (name, phase) in [("saturation", &report.saturation), ("open loop", &report.open_loop)] {
        let cpu: Vec<String> = phase.cpu_cores.iter().map(|(group, cores)| format!("{group} {cores:.2}")).collect();
        println!(
            "{name}: {} batches, {:.1} orders per batch, commit {:.0} us mean; {} of {} orders filled at once; CPU {:.0} us per order; CPU cores: {}",
            phase.batches,
            phase.mean_batch,
            phase.mean_commit_us,
            phase.orders_with_fills,
            phase.orders,
            phase.cpu_us_per_order,
            cpu.join(", ")
        );
    }
    let bound = |us: u64| if us == u64::MAX { "more".to_string() } else { format!("<={us}us") };
    for (name, phase) in [("saturation", &report.saturation), ("open loop", &report.open_loop)] {
        let commits: Vec<String> = phase.commit_histogram.iter().map(|(b, n)| format!("{} {n}", bound(*b))).collect();
        let orders: Vec<String> =
            phase.server_order_histogram.iter().map(|(b, n)| format!("{} {n}", bound(*b))).collect();
        println!("{name}: group commits by time: {}", commits.join(", "));
        println!("{name}: order handler (parsed to durable answer) by time: {}", orders.join(", "));
    }
    let lag = &report.open_loop.send_lag;
    println!(
        "open loop: orders left late by (load generator): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        lag.p50_ms, lag.p99_ms, lag.max_ms
    );
    println!("invariants after the run: {}", if report.invariants_hold { "hold" } else { "BROKEN" });
    println!(
        "journal: {} entries; one snapshot of the final state took {:.1} ms (taken every 100,000 entries)",
        report.journal_entries, report.snapshot_ms
    );
    if report.errors > 0 {
        println!("\nWARNING: {} orders failed; the figures above are not a clean measurement.", report.errors);
        for phase in [&report.saturation, &report.open_loop] {
            for (status, count) in &phase.statuses {
                println!("  status {status}: {count}");
            }
            for sample in &phase.error_samples {
                println!("  e.g. {sample}");
            }
        }
    }
}
