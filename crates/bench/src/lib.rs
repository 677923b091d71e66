//! Benchmarks for the Augury engine.
//!
//! [`run_engine_bench`] drives our engine and a reference order book (the `rust-order-book`
//! crate, 0.0.2) with the same pre-generated stream of orders and cancels on one binary market
//! (see [`workload`]) and reports throughput and per-op latency for both. Our engine does full
//! accounting (reservations, positions, mint/merge/transfer settlement, events); the peer is a
//! bare price-time book in YES terms, so the comparison is deliberately unfavourable to us.
//!
//! Throughput times the whole stream under one timer; latency is a second pass over a fresh
//! copy of the same state, timing each op with a pair of `Instant::now()` calls. Ours and the
//! peer run alternately in the same process, and each figure is the best of the repetitions.
#![forbid(unsafe_code)]

pub mod api;
pub mod journal;
pub mod workload;

use augury_core::{BookSide, Event};
use augury_engine::{Engine, InvariantViolation};
use rust_order_book as rob;
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::{Duration, Instant};
use workload::{setup_engine, PeerOp, Workload, WorkloadStats, MARKET, TICK_MICROS};

/// The peer's name and version, as reported.
pub const PEER: &str = "rust-order-book 0.0.2";

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineBenchConfig {
    /// Timed ops per run (setup not included).
    pub ops: u64,
    /// Seed of the generated stream.
    pub seed: u64,
    /// Runs of each measurement; the best is reported. 0 counts as 1.
    pub repetitions: u32,
}

impl Default for EngineBenchConfig {
    fn default() -> EngineBenchConfig {
        EngineBenchConfig { ops: 2_000_000, seed: 0x00A0_6E01, repetitions: 3 }
    }
}

/// The result. Floats are analytics only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EngineBenchReport {
    /// A short description of the stream and of how it was measured.
    pub workload: String,
    pub ops: u64,
    pub seed: u64,
    pub repetitions: u32,
    /// Our engine: ops per second over the whole stream, and per-op latency percentiles.
    pub ops_per_sec: f64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub p999_ns: u64,
    pub max_ns: u64,
    /// The reference book on the same stream.
    pub peer: String,
    pub peer_ops_per_sec: f64,
    pub peer_p50_ns: u64,
    pub peer_p99_ns: u64,
    pub peer_p999_ns: u64,
    pub peer_max_ns: u64,
    /// Our throughput divided by the peer's.
    pub ratio: f64,
    /// The median cost of the `Instant::now()` pair around each op, included in every latency.
    pub timer_overhead_ns: u64,
    /// After a separate untimed replay: both books ended with the same levels, our engine
    /// accepted every command and every peer cancel found its order.
    pub books_match: bool,
    /// After that replay, `Engine::check_invariants` held.
    pub invariants_hold: bool,
    /// What the stream contained.
    pub stream: WorkloadStats,
}

/// Latency percentiles of one run.
#[derive(Clone, Copy, Debug, Default)]
struct Latency {
    p50: u64,
    p99: u64,
    p999: u64,
    max: u64,
}

impl Latency {
    fn of(samples: &mut [u64]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_unstable();
        let at = |per_mille: usize| samples[(samples.len() - 1) * per_mille / 1000];
        Latency { p50: at(500), p99: at(990), p999: at(999), max: samples[samples.len() - 1] }
    }

    fn best(self, other: Latency) -> Latency {
        Latency {
            p50: self.p50.min(other.p50),
            p99: self.p99.min(other.p99),
            p999: self.p999.min(other.p999),
            max: self.max.min(other.max),
        }
    }
}

/// Generates the stream for `config`, measures both books and reports.
pub fn run_engine_bench(config: &EngineBenchConfig) -> EngineBenchReport {
    let workload = Workload::generate(config.ops as usize, config.seed);
    run_engine_bench_on(&workload, config.repetitions)
}

/// Measures both books on an already generated stream.
pub fn run_engine_bench_on(workload: &Workload, repetitions: u32) -> EngineBenchReport {
    let repetitions = repetitions.max(1);
    let ops = workload.ops();
    let mut samples = Vec::with_capacity(ops);
    let (mut ours_best, mut peer_best) = (Duration::MAX, Duration::MAX);
    let mut ours_latency = Latency { p50: u64::MAX, p99: u64::MAX, p999: u64::MAX, max: u64::MAX };
    let mut peer_latency = ours_latency;
    for _ in 0..repetitions {
        ours_best = ours_best.min(time_ours(workload));
        peer_best = peer_best.min(time_peer(workload));
        sample_ours(workload, &mut samples);
        ours_latency = ours_latency.best(Latency::of(&mut samples));
        sample_peer(workload, &mut samples);
        peer_latency = peer_latency.best(Latency::of(&mut samples));
    }
    let per_sec = |elapsed: Duration| if ops == 0 { 0.0 } else { ops as f64 / elapsed.as_secs_f64().max(1e-9) };
    let ops_per_sec = per_sec(ours_best);
    let peer_ops_per_sec = per_sec(peer_best);
    let timer_overhead_ns = timer_overhead_ns();
    let (engine, refused) = replay_ours(workload);
    let invariants_hold = engine.check_invariants().is_ok();
    let books_match = compare_with_peer(&engine, refused, workload).is_ok();
    drop(engine);
    let workload_text = format!(
        "one binary market, 0.01 tick (99 levels), zero fees; {accounts} funded accounts holding split \
         YES/NO sets (setup untimed); ~60% passive GTC limits near a drifting fair value, ~30% cancels of \
         live orders, 10% takers (70% IOC limits through the touch, 30% market orders; separate accounts, so \
         no self-trades); ~{mean} resting orders; transfer, mint and merge fills; the peer gets the same \
         orders in YES terms, journaling off; throughput: whole stream under one timer; latency: an \
         Instant::now() pair per op (~{timer_overhead_ns} ns of it is the timer); best of {repetitions} \
         repetitions, ours and the peer alternating",
        accounts = workload::ACCOUNTS,
        mean = workload.stats.resting_mean,
    );
    EngineBenchReport {
        workload: workload_text,
        ops: ops as u64,
        seed: workload.seed,
        repetitions,
        ops_per_sec,
        p50_ns: ours_latency.p50,
        p99_ns: ours_latency.p99,
        p999_ns: ours_latency.p999,
        max_ns: ours_latency.max,
        peer: PEER.to_string(),
        peer_ops_per_sec,
        peer_p50_ns: peer_latency.p50,
        peer_p99_ns: peer_latency.p99,
        peer_p999_ns: peer_latency.p999,
        peer_max_ns: peer_latency.max,
        ratio: if peer_ops_per_sec > 0.0 { ops_per_sec / peer_ops_per_sec } else { 0.0 },
        timer_overhead_ns,
        books_match,
        invariants_hold,
        stream: workload.stats,
    }
}

/// Not inlined, so a profiler can single it out (`valgrind --tool=callgrind
/// --toggle-collect=augury_bench::time_ours`).
#[inline(never)]
fn time_ours(workload: &Workload) -> Duration {
    let mut engine = setup_engine(&workload.setup);
    let mut events: Vec<Event> = Vec::with_capacity(256);
    let start = Instant::now();
    for command in &workload.ours {
        let result = engine.apply(black_box(command), &mut events);
        black_box((&result, &events));
        events.clear();
    }
    let elapsed = start.elapsed();
    drop(black_box(engine));
    elapsed
}

#[inline(never)]
fn time_peer(workload: &Workload) -> Duration {
    let mut book = rob::OrderBookBuilder::new("X").with_journaling(false).build();
    let start = Instant::now();
    for op in &workload.peer {
        apply_peer(&mut book, black_box(op));
    }
    let elapsed = start.elapsed();
    drop(black_box(book));
    elapsed
}

#[inline(always)]
fn apply_peer(book: &mut rob::OrderBook, op: &PeerOp) {
    match *op {
        PeerOp::Limit(options) => {
            black_box(book.limit(options)).ok();
        }
        PeerOp::Market(options) => {
            black_box(book.market(options)).ok();
        }
        PeerOp::Cancel(id) => {
            black_box(book.cancel(id)).ok();
        }
    }
}

fn sample_ours(workload: &Workload, samples: &mut Vec<u64>) {
    samples.clear();
    let mut engine = setup_engine(&workload.setup);
    let mut events: Vec<Event> = Vec::with_capacity(256);
    for command in &workload.ours {
        let start = Instant::now();
        let result = engine.apply(black_box(command), &mut events);
        black_box((&result, &events));
        let elapsed = start.elapsed();
        events.clear();
        samples.push(elapsed.as_nanos() as u64);
    }
    drop(black_box(engine));
}

fn sample_peer(workload: &Workload, samples: &mut Vec<u64>) {
    samples.clear();
    let mut book = rob::OrderBookBuilder::new("X").with_journaling(false).build();
    for op in &workload.peer {
        let start = Instant::now();
        apply_peer(&mut book, black_box(op));
        samples.push(start.elapsed().as_nanos() as u64);
    }
    drop(black_box(book));
}

/// The median cost of timing nothing with a pair of `Instant::now()` calls.
fn timer_overhead_ns() -> u64 {
    let mut samples: Vec<u64> = (0..100_001)
        .map(|_| {
            let start = Instant::now();
            black_box(start.elapsed().as_nanos() as u64)
        })
        .collect();
    Latency::of(&mut samples).p50
}

/// Our engine after the whole stream (setup included): for checking its state afterwards.
/// Returns the engine and how many timed commands it refused.
pub fn replay_ours(workload: &Workload) -> (Engine, u64) {
    let mut engine = setup_engine(&workload.setup);
    let mut events = Vec::new();
    let mut refused = 0;
    for command in &workload.ours {
        if engine.apply(command, &mut events).is_err() {
            refused += 1;
        }
        events.clear();
    }
    (engine, refused)
}

/// The peer book after the whole stream, with how many of its cancels found no order (expected
/// 0: every cancel names a live order). A market order against an empty side is an error for the
/// peer and an unfilled order for us; those are not counted.
pub fn replay_peer(workload: &Workload) -> (rob::OrderBook, u64) {
    let mut book = rob::OrderBookBuilder::new("X").with_journaling(false).build();
    let mut cancel_misses = 0;
    for op in &workload.peer {
        match *op {
            PeerOp::Limit(options) => drop(book.limit(options)),
            PeerOp::Market(options) => drop(book.market(options)),
            PeerOp::Cancel(id) => cancel_misses += u64::from(book.cancel(id).is_err()),
        }
    }
    (book, cancel_misses)
}

/// Runs our engine over the whole stream of `config` and checks every engine invariant at the end.
pub fn check_invariants_after_stream(config: &EngineBenchConfig) -> Result<(), InvariantViolation> {
    let workload = Workload::generate(config.ops as usize, config.seed);
    replay_ours(&workload).0.check_invariants()
}

/// Checks that both books saw the same stream: every command accepted by our engine, every peer
/// cancel found its order, and both books end with the same levels (YES price, quantity) on both
/// sides.
pub fn verify_against_peer(workload: &Workload) -> Result<(), String> {
    let (engine, refused) = replay_ours(workload);
    compare_with_peer(&engine, refused, workload)
}

/// `verify_against_peer` for an engine that has already replayed the stream.
fn compare_with_peer(engine: &Engine, refused: u64, workload: &Workload) -> Result<(), String> {
    if refused != 0 {
        return Err(format!("our engine refused {refused} commands"));
    }
    let (book, cancel_misses) = replay_peer(workload);
    if cancel_misses != 0 {
        return Err(format!("{cancel_misses} peer cancels missed their order"));
    }
    let ours_of = |side| -> Vec<(u64, u64)> {
        engine
            .depth(MARKET, 0, side, usize::MAX)
            .iter()
            .map(|level| (level.yes_price_micros / TICK_MICROS, level.quantity))
            .collect()
    };
    let depth = book.depth(None);
    let theirs_of = |levels: &[(rob::Price, rob::Quantity)]| -> Vec<(u64, u64)> {
        levels.iter().map(|&(price, quantity)| (price.value(), quantity.value())).collect()
    };
    let (our_bids, our_asks) = (ours_of(BookSide::Bid), ours_of(BookSide::Ask));
    let (peer_bids, peer_asks) = (theirs_of(&depth.bids), theirs_of(&depth.asks));
    if our_bids != peer_bids || our_asks != peer_asks {
        return Err(format!(
            "books differ: ours bids {our_bids:?} asks {our_asks:?}; peer bids {peer_bids:?} asks {peer_asks:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: EngineBenchConfig = EngineBenchConfig { ops: 20_000, seed: 7, repetitions: 1 };

    #[test]
    fn small_run_reports_sane_figures() {
        let report = run_engine_bench(&SMALL);
        assert_eq!(report.ops, 20_000);
        assert_eq!(report.seed, 7);
        assert!(report.ops_per_sec > 0.0 && report.ops_per_sec.is_finite());
        assert!(report.p99_ns >= report.p50_ns && report.p999_ns >= report.p99_ns);
        assert_eq!(report.peer, PEER);
        assert!(report.peer_ops_per_sec > 0.0 && report.peer_ops_per_sec.is_finite());
        assert!(report.peer_p99_ns >= report.peer_p50_ns);
        assert!(report.ratio > 0.0);
        assert!(!report.workload.is_empty());
        assert!(report.books_match && report.invariants_hold);
        let json = serde_json::to_value(&report).expect("the report serialises");
        for key in ["ops_per_sec", "p50_ns", "p99_ns", "peer", "peer_ops_per_sec", "peer_p50_ns", "peer_p99_ns"] {
            assert!(json.get(key).is_some(), "{key} missing from the JSON");
        }
    }

    #[test]
    fn stream_is_deterministic_and_has_the_intended_shape() {
        let a = Workload::generate(20_000, 7);
        let b = Workload::generate(20_000, 7);
        assert_eq!(a.ours, b.ours);
        assert_eq!(a.stats, b.stats);
        let s = a.stats;
        assert_eq!(s.refused, 0);
        assert_eq!(s.passive_orders + s.cancels + s.ioc_orders + s.market_orders, 20_000);
        assert!(s.fills_transfer > 0 && s.fills_mint > 0 && s.fills_merge > 0, "{s:?}");
        assert!(s.resting_final > 0);
    }

    #[test]
    fn engine_invariants_hold_after_the_stream() {
        check_invariants_after_stream(&SMALL).expect("invariants hold");
    }

    #[test]
    fn both_books_end_in_the_same_state() {
        verify_against_peer(&Workload::generate(20_000, 7)).expect("same books");
    }

    /// `cargo test -p augury-bench --release -- --ignored --nocapture` prints the full report.
    #[test]
    #[ignore]
    fn full_bench_prints_json() {
        let ops = std::env::var("AUGURY_BENCH_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000_000);
        let config = EngineBenchConfig { ops, ..EngineBenchConfig::default() };
        let workload = Workload::generate(config.ops as usize, config.seed);
        verify_against_peer(&workload).expect("same books");
        let report = run_engine_bench_on(&workload, config.repetitions);
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    }
}

#[cfg(test)]
mod profile {
    use super::*;
    use augury_core::{Command, OrderType, TimeInForce};

    fn env(name: &str, default: u64) -> u64 {
        std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// Our engine alone, for a profiler: `perf record` (or `valgrind --tool=callgrind`) the test
    /// binary with `--ignored --exact profile::ours_only`; AUGURY_BENCH_OPS and AUGURY_BENCH_REPS
    /// size it.
    #[test]
    #[ignore]
    fn ours_only() {
        let workload = Workload::generate(env("AUGURY_BENCH_OPS", 2_000_000) as usize, 1);
        for _ in 0..env("AUGURY_BENCH_REPS", 5) {
            let elapsed = time_ours(&workload);
            println!("{:.0} ops/s", workload.ops() as f64 / elapsed.as_secs_f64());
        }
    }

    /// Throughput of each repetition, ours and the peer alternating, to see the spread.
    #[test]
    #[ignore]
    fn throughput_spread() {
        let workload = Workload::generate(env("AUGURY_BENCH_OPS", 2_000_000) as usize, 1);
        for _ in 0..env("AUGURY_BENCH_REPS", 5) {
            let ours = workload.ops() as f64 / time_ours(&workload).as_secs_f64();
            let peer = workload.ops() as f64 / time_peer(&workload).as_secs_f64();
            println!("ours {ours:.0} ops/s, peer {peer:.0} ops/s");
        }
    }

    /// Per-op latency of our engine and the peer by kind of op.
    #[test]
    #[ignore]
    fn latency_by_kind() {
        let workload = Workload::generate(env("AUGURY_BENCH_OPS", 2_000_000) as usize, 1);
        let kind = |command: &Command| match command {
            Command::CancelOrder { .. } => "cancel",
            Command::PlaceOrder { order } => match (order.order_type, order.time_in_force) {
                (OrderType::Market { .. }, _) => "market",
                (_, TimeInForce::Ioc) => "ioc",
                _ => "passive",
            },
            _ => "other",
        };
        let mut samples = Vec::new();
        for (name, sample) in [("ours", sample_ours as fn(&Workload, &mut Vec<u64>)), ("peer", sample_peer)] {
            sample(&workload, &mut samples);
            for wanted in ["passive", "cancel", "ioc", "market"] {
                let mut picked: Vec<u64> = samples
                    .iter()
                    .zip(&workload.ours)
                    .filter(|(_, command)| kind(command) == wanted)
                    .map(|(&ns, _)| ns)
                    .collect();
                let mean = picked.iter().sum::<u64>() as f64 / picked.len().max(1) as f64;
                let latency = Latency::of(&mut picked);
                println!(
                    "{name} {wanted:8} n={:8} mean={mean:6.0} p50={:5} p99={:5}",
                    picked.len(),
                    latency.p50,
                    latency.p99
                );
            }
        }
        println!(
            "size_of Command={} Event={} NewOrder={}",
            std::mem::size_of::<Command>(),
            std::mem::size_of::<Event>(),
            std::mem::size_of::<augury_core::NewOrder>()
        );
    }
}
