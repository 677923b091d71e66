//! The API benchmark: signed, durable order placements over HTTP on loopback, against the real
//! gateway and sequencer (durable journal, fdatasync group commit, signed checkpoints) in a
//! temporary data directory, with the load generator in the same process.
//!
//! Two phases on the same venue:
//! 1. **Saturation (closed loop)**: `connections` keep-alive HTTP/1.1 connections, each sending
//!    its next signed order as soon as the previous answer arrives. Latency runs from the moment
//!    the signed request is handed to the HTTP client to the last byte of the answer; signing
//!    (the client's Ed25519 cost) is outside the latency but inside the throughput.
//! 2. **Open loop at a fixed offered rate** (10,000 orders/s by default): a pacer thread releases
//!    send slots on a fixed schedule, and whichever connection is free takes the next one. Latency
//!    runs from the **scheduled** send time, so a stall is charged to every order it delays
//!    (no coordinated omission). A connection signs its next order while it waits for a slot
//!    (the timestamp stays seconds inside the 5 s window).
//!
//! Orders are realistic rather than kind to the venue: every second order of a connection rests
//! (GTC, 1 to 5 ticks from the mid), the others are IOC orders that cross up to 5 ticks deep with
//! slightly larger sizes, so the book keeps depth without growing without bound. Bids and asks are
//! expressed through all four forms (buy YES, sell NO, sell YES, buy NO), so fills are transfers,
//! mints and merges; the market charges a quadratic taker fee. Every answer is checked: anything
//! but 201 is an error, counted and reported with a sample of the body.
//!
//! Rate limits: each account has its own key (2,000/s per key by default, far above what one key
//! sends here), but every connection comes from 127.0.0.1, so the per-IP limit (10,000/s by
//! default) is raised for the bench; the report says so.

use augury_core::{Command, FeeRule, FeeSchedule, MarketId, MarketKind, MarketSpec, MICROS_PER_DOLLAR};
use augury_engine::EngineConfig;
use augury_gateway::history::History;
use augury_gateway::ratelimit::Rate;
use augury_gateway::server::HttpLimits;
use augury_gateway::{auth, token, Gateway, GatewayConfig};
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Venue, VenueCommand, VenueOptions, VenueOutcome};
use augury_sim::SplitMix64;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MARKET: MarketId = MarketId(1);
const TICK_MICROS: u64 = 10_000;
const MID_MICROS: u64 = 500_000;
const ORDERS_PATH: &str = "/v1/portfolio/orders";
/// Each account gets this much collateral, and splits half of it into YES/NO pairs to sell.
const DEPOSIT_DOLLARS: u64 = 2_000_000;
const SPLIT_SETS: u64 = 1_000_000;
/// A pre-signed open-loop request older than this is signed again before it is sent.
const RESIGN_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum ApiBenchError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Venue(#[from] augury_sequencer::VenueError),
    #[error(transparent)]
    Journal(#[from] augury_journal::JournalError),
    #[error("the bench setup was refused: {0}")]
    Setup(String),
    #[error("the HTTP client failed: {0}")]
    Client(String),
    #[error(transparent)]
    Gateway(#[from] augury_gateway::StartError),
}

/// What to run.
#[derive(Clone, Debug, Serialize)]
pub struct ApiBenchConfig {
    /// Concurrent connections in the saturation phase.
    pub connections: usize,
    /// Accounts, each with its own API key and Ed25519 key; connection i uses key i mod accounts.
    pub accounts: usize,
    /// Unmeasured saturation load before the measured part.
    pub warmup_ms: u64,
    /// Measured saturation time.
    pub duration_ms: u64,
    /// Stop the measured saturation phase after this many orders (for quick runs).
    pub orders: Option<u64>,
    /// Offered rate of the open-loop phase, orders per second (0: skip the phase).
    pub open_rate: u64,
    pub open_duration_ms: u64,
    /// Connections available to the open-loop phase.
    pub open_connections: usize,
    /// Tokio worker threads of the server (the gateway).
    pub server_threads: usize,
    /// Tokio worker threads of the load generator; 0 runs it on the server's runtime.
    pub client_threads: usize,
    /// Signature verifier threads of the gateway; 0 verifies on the request tasks, one by one.
    pub verifier_threads: usize,
    /// Give every order a client_order_id (the idempotent path most bots use: the id is recorded
    /// with the order in the same journal entry and checked against every earlier one).
    pub client_order_ids: bool,
    pub seed: u64,
}

impl Default for ApiBenchConfig {
    fn default() -> ApiBenchConfig {
        ApiBenchConfig {
            connections: 64,
            accounts: 64,
            warmup_ms: 1_000,
            duration_ms: 5_000,
            orders: None,
            open_rate: 10_000,
            open_duration_ms: 5_000,
            open_connections: 64,
            // As `augury serve` on this machine.
            server_threads: augury_gateway::default_worker_threads(),
            // Its own runtime, so its CPU is accounted apart from the gateway's.
            client_threads: 1,
            verifier_threads: GatewayConfig::default().verifier_threads,
            client_order_ids: false,
            seed: 0xA6_0001,
        }
    }
}

/// Latency percentiles in milliseconds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct LatencyMs {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl LatencyMs {
    fn of(samples: &mut [u64]) -> LatencyMs {
        if samples.is_empty() {
            return LatencyMs::default();
        }
        samples.sort_unstable();
        let at = |per_mille: usize| samples[(samples.len() - 1) * per_mille / 1000] as f64 / 1e6;
        LatencyMs {
            p50_ms: at(500),
            p90_ms: at(900),
            p99_ms: at(990),
            p999_ms: at(999),
            max_ms: samples[samples.len() - 1] as f64 / 1e6,
        }
    }
}

/// One phase's figures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PhaseReport {
    /// Orders answered in the measured window (errors included).
    pub orders: u64,
    pub errors: u64,
    /// Answers by HTTP status ("io" for a failed connection).
    pub statuses: BTreeMap<String, u64>,
    /// A few error bodies, to say what went wrong.
    pub error_samples: Vec<String>,
    /// Orders whose placement filled against the book at once.
    pub orders_with_fills: u64,
    pub seconds: f64,
    pub orders_per_sec: f64,
    pub latency: LatencyMs,
    /// Open loop: how late orders left after their scheduled time (the load generator's own
    /// delay, included in `latency`).
    pub send_lag: LatencyMs,
    /// The sequencer during the phase: batches, mean commands per batch, mean commit (write +
    /// fdatasync) time.
    pub batches: u64,
    pub mean_batch: f64,
    pub mean_commit_us: f64,
    /// CPU used during the phase, in cores, per thread group (Linux only; empty elsewhere).
    pub cpu_cores: BTreeMap<String, f64>,
    /// Group commits by duration during the phase: (upper bound in us, count); the last bound is
    /// "slower than every other".
    pub commit_histogram: Vec<(u64, u64)>,
    /// Placements by server-side duration (the order handler, from parsed request to durable
    /// answer; not HTTP, authentication or the wait for a worker), from /metrics' histogram:
    /// (upper bound in us, count).
    pub server_order_histogram: Vec<(u64, u64)>,
    /// CPU time per answered order, microseconds, all threads of the process (server and load
    /// generator): the figure that does not depend on what else the machine is running.
    pub cpu_us_per_order: f64,
}

/// The result.
#[derive(Clone, Debug, Serialize)]
pub struct ApiBenchReport {
    pub workload: String,
    pub rate_limits: String,
    /// Saturation phase.
    pub orders_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    /// p99 latency of the open-loop phase, measured from the scheduled send time.
    pub p99_ms_at_10k: f64,
    /// The open-loop offered rate the figure above was measured at (10,000 by default).
    pub open_rate: u64,
    /// Errors over both phases; a run with errors is not a clean measurement.
    pub errors: u64,
    pub saturation: PhaseReport,
    pub open_loop: PhaseReport,
    /// After the run, the engine's invariants held.
    pub invariants_hold: bool,
    /// Journal entries at the end (setup, orders, clock steps).
    pub journal_entries: u64,
    /// Time to write one snapshot of the final state; the sequencer takes one every 100,000
    /// entries and answers nobody meanwhile.
    pub snapshot_ms: f64,
    pub cores: usize,
    pub config: ApiBenchConfig,
}

/// A trader as the load generator holds it.
struct Trader {
    key_id: u64,
    key_hex: String,
    signing: SigningKey,
}

fn venue_options(dir: &Path) -> Result<VenueOptions, ApiBenchError> {
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys)?;
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: augury_sim::FEE_ACCOUNT, ..EngineConfig::default() };
    // As in production: checkpoints are signed (every 10,000 entries or second).
    options.journal.signing_key =
        Some(augury_journal::checkpoint::load_or_create_signing_key(&keys.join("venue-signing.key"))?);
    Ok(options)
}

/// Creates the market, the accounts, their keys, deposits and sets, as `augury keys create` would
/// on a stopped venue.
fn set_up(options: &VenueOptions, accounts: usize, seed: u64) -> Result<Vec<Trader>, ApiBenchError> {
    let refused = |what: &str, reason: String| ApiBenchError::Setup(format!("{what}: {reason}"));
    let (mut venue, _) = Venue::open(options.clone(), &mut |_| {})?;
    let spec = MarketSpec {
        market: MARKET,
        kind: MarketKind::Binary,
        tick_micros: TICK_MICROS,
        fees: FeeSchedule {
            maker: FeeRule::Zero,
            taker: FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 },
        },
        close_time_ms: 0,
    };
    venue.submit(&Command::CreateMarket { spec })?.map_err(|r| refused("market", r.to_string()))?;
    let mut rng = SplitMix64::new(seed);
    let mut traders = Vec::with_capacity(accounts);
    for n in 0..accounts {
        let mut secret = [0u8; 32];
        for chunk in secret.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let signing = SigningKey::from_bytes(&secret);
        let (id, _token, secret_sha256) = token::generate().map_err(|e| refused("random source", e.to_string()))?;
        let key = NewApiKey {
            id,
            account: None,
            label: format!("bench {n}"),
            scopes: Scopes::READ.union(Scopes::TRADE),
            secret_sha256,
            ed25519_public_key: Some(signing.verifying_key().to_bytes()),
            created_ms: augury_gateway::now_ms(),
            expires_ms: None,
            ip_allowlist: Vec::new(),
        };
        let account = match venue.execute(&VenueCommand::CreateKey { key })? {
            Ok(VenueOutcome::KeyCreated { account, .. }) => account,
            other => return Err(refused("key", format!("{other:?}"))),
        };
        let amount_micros = DEPOSIT_DOLLARS * MICROS_PER_DOLLAR;
        venue.submit(&Command::Deposit { account, amount_micros })?.map_err(|r| refused("deposit", r.to_string()))?;
        let split = Command::Split { account, market: MARKET, outcome: None, quantity: SPLIT_SETS };
        venue.submit(&split)?.map_err(|r| refused("split", r.to_string()))?;
        traders.push(Trader { key_id: id, key_hex: token::format_key_id(id), signing });
    }
    venue.commit(augury_gateway::now_ms())?;
    Ok(traders)
}

/// The JSON body of a connection's `n`th order (see the module docs for the mix).
fn order_body(rng: &mut SplitMix64, n: u64, client_order_id: Option<&str>) -> String {
    let bid = rng.next_u64() & 1 == 0;
    let (yes_price, quantity, tif) = if n.is_multiple_of(2) {
        let ticks = 1 + rng.next_u64() % 5;
        let price = if bid { MID_MICROS - ticks * TICK_MICROS } else { MID_MICROS + ticks * TICK_MICROS };
        (price, 1 + rng.next_u64() % 10, "gtc")
    } else {
        let price = if bid { MID_MICROS + 5 * TICK_MICROS } else { MID_MICROS - 5 * TICK_MICROS };
        (price, 1 + rng.next_u64() % 12, "ioc")
    };
    // A bid is a buy of YES or a sell of NO; an ask is a sell of YES or a buy of NO.
    let (side, action, price) = match (bid, rng.next_u64() & 1 == 0) {
        (true, true) => ("yes", "buy", yes_price),
        (true, false) => ("no", "sell", MICROS_PER_DOLLAR - yes_price),
        (false, true) => ("yes", "sell", yes_price),
        (false, false) => ("no", "buy", MICROS_PER_DOLLAR - yes_price),
    };
    let id = client_order_id.map_or(String::new(), |id| format!(r#","client_order_id":"{id}""#));
    format!(
        r#"{{"market":{MARKET},"side":"{side}","action":"{action}","price_micros":{price},"quantity":{quantity},"time_in_force":"{tif}"{id}}}"#
    )
}

/// A signed POST of `body`, exactly as a client builds it (timestamp now).
fn signed_order(trader: &Trader, host: &str, nonce: &str, body: String) -> hyper::Request<Full<Bytes>> {
    let timestamp_ms = augury_gateway::now_ms();
    let message = auth::signing_message(trader.key_id, timestamp_ms, nonce, "POST", ORDERS_PATH, "", body.as_bytes());
    let signature =
        base64::engine::general_purpose::STANDARD.encode(trader.signing.sign(message.as_bytes()).to_bytes());
    hyper::Request::builder()
        .method("POST")
        .uri(ORDERS_PATH)
        .header("host", host)
        .header("content-type", "application/json")
        .header(auth::HEADER_KEY, &trader.key_hex)
        .header(auth::HEADER_TIMESTAMP, timestamp_ms)
        .header(auth::HEADER_NONCE, nonce)
        .header(auth::HEADER_SIGNATURE, signature)
        .body(Full::new(Bytes::from(body)))
        .expect("a well-formed request")
}

async fn connect(address: SocketAddr) -> Result<SendRequest<Full<Bytes>>, ApiBenchError> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(|e| ApiBenchError::Client(e.to_string()))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole answer: (status, body), or why the connection failed.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: hyper::Request<Full<Bytes>>,
) -> Result<(u16, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((status, body))
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies_ns: Vec<u64>,
    /// Open loop: how late each order left after its scheduled time (the load generator's share).
    send_lags_ns: Vec<u64>,
    orders: u64,
    errors: u64,
    statuses: BTreeMap<String, u64>,
    error_samples: Vec<String>,
    with_fills: u64,
    last_done: Option<Instant>,
}

impl Tally {
    fn record(&mut self, answer: &Result<(u16, Bytes), String>, latency: Duration, done: Instant) {
        self.orders += 1;
        self.latencies_ns.push(latency.as_nanos() as u64);
        self.last_done = Some(done);
        let (label, error) = match answer {
            Ok((201, body)) => {
                // The answer lists the fills the placement made; an empty list has this spelling.
                if !body.windows(10).any(|w| w == b"\"fills\":[]") {
                    self.with_fills += 1;
                }
                ("201".to_string(), None)
            }
            Ok((status, body)) => (status.to_string(), Some(String::from_utf8_lossy(body).into_owned())),
            Err(reason) => ("io".to_string(), Some(reason.clone())),
        };
        *self.statuses.entry(label).or_default() += 1;
        if let Some(error) = error {
            self.errors += 1;
            if self.error_samples.len() < 3 {
                self.error_samples.push(error);
            }
        }
    }

    fn merge(tallies: Vec<Tally>) -> Tally {
        let mut all = Tally::default();
        for t in tallies {
            all.latencies_ns.extend(t.latencies_ns);
            all.send_lags_ns.extend(t.send_lags_ns);
            all.orders += t.orders;
            all.errors += t.errors;
            for (status, count) in t.statuses {
                *all.statuses.entry(status).or_default() += count;
            }
            for sample in t.error_samples {
                if all.error_samples.len() < 5 {
                    all.error_samples.push(sample);
                }
            }
            all.with_fills += t.with_fills;
            all.last_done = all.last_done.max(t.last_done);
        }
        all
    }
}

/// A connection's own order stream: its trader, nonces and prices.
struct Stream {
    trader: Arc<Trader>,
    connection: usize,
    sent: u64,
    rng: SplitMix64,
    host: String,
    client_order_ids: bool,
}

impl Stream {
    fn next_request(&mut self) -> hyper::Request<Full<Bytes>> {
        // Unique per account: connections sharing a trader differ by their number.
        let id = self.client_order_ids.then(|| format!("b{}-{}", self.connection, self.sent));
        let body = order_body(&mut self.rng, self.sent, id.as_deref());
        // Nonces are unique per key: the connection number and its own sequence.
        let nonce = format!("{}-{}", self.connection, self.sent);
        self.sent += 1;
        signed_order(&self.trader, &self.host, &nonce, body)
    }
}

/// Saturation: send, wait for the answer, send the next, until `until` (or the order budget).
async fn closed_loop(
    mut sender: SendRequest<Full<Bytes>>,
    mut stream: Stream,
    measure_from: Instant,
    until: Instant,
    budget: Arc<AtomicI64>,
) -> Tally {
    let mut tally = Tally::default();
    loop {
        let now = Instant::now();
        if now >= until {
            break;
        }
        let measured = now >= measure_from;
        if measured && budget.fetch_sub(1, Ordering::Relaxed) <= 0 {
            break;
        }
        let request = stream.next_request();
        let sent = Instant::now();
        let answer = exchange(&mut sender, request).await;
        let done = Instant::now();
        if measured {
            tally.record(&answer, done - sent, done);
        }
        if answer.is_err() {
            break;
        }
    }
    tally
}

type Slots = Arc<tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<Instant>>>;

/// Open loop: take the next scheduled slot when free, send the order signed while waiting, and
/// measure from the slot's scheduled time.
async fn open_loop(mut sender: SendRequest<Full<Bytes>>, mut stream: Stream, slots: Slots) -> Tally {
    let mut tally = Tally::default();
    loop {
        let mut request = stream.next_request();
        let signed_at = Instant::now();
        let Some(scheduled) = slots.lock().await.recv().await else { break };
        if signed_at.elapsed() > RESIGN_AFTER {
            request = stream.next_request();
        }
        tally.send_lags_ns.push(Instant::now().saturating_duration_since(scheduled).as_nanos() as u64);
        let answer = exchange(&mut sender, request).await;
        let done = Instant::now();
        tally.record(&answer, done.saturating_duration_since(scheduled), done);
        if answer.is_err() {
            break;
        }
    }
    tally
}

/// Releases `total` slots at `rate` per second from `start`, on its own thread so the schedule
/// does not depend on the runtime's 1 ms timer.
fn pace(rate: u64, total: u64, start: Instant, slots: tokio::sync::mpsc::UnboundedSender<Instant>) {
    let period_ns = 1e9 / rate as f64;
    let mut next = 0u64;
    while next < total {
        let now = Instant::now();
        while next < total {
            let at = start + Duration::from_nanos((next as f64 * period_ns) as u64);
            if at > now {
                break;
            }
            if slots.send(at).is_err() {
                return;
            }
            next += 1;
        }
        if next < total {
            let at = start + Duration::from_nanos((next as f64 * period_ns) as u64);
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
        }
    }
}

/// CPU seconds used so far by this process's threads, grouped by thread name (Linux).
fn thread_cpu_seconds() -> BTreeMap<String, f64> {
    let mut groups = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return groups };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = &stat[open + 1..close];
        let group = if name.starts_with("bench-client") {
            "load generator"
        } else if name.starts_with("augury-server") {
            "gateway workers"
        } else if name.starts_with("augury-shared") {
            "gateway workers + load generator (one runtime)"
        } else if name.starts_with("augury-verify") {
            "signature verifiers"
        } else if name == "sequencer" {
            "sequencer"
        } else if name == "bench-pacer" {
            "pacer"
        } else {
            "other"
        };
        // Fields after the name: state is 3rd, utime 14th and stime 15th of the whole line.
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        let ticks: u64 = fields.get(11).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0)
            + fields.get(12).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        // USER_HZ is 100 on every Linux target we build for.
        *groups.entry(group.to_string()).or_insert(0.0) += ticks as f64 / 100.0;
    }
    groups
}

/// The buckets of a Prometheus histogram in `metrics` (cumulative counts by upper bound).
fn prometheus_buckets(metrics: &str, name: &str) -> Vec<(u64, u64)> {
    let prefix = format!("{name}_bucket{{le=\"");
    metrics
        .lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (bound, count) = rest.split_once("\"} ")?;
            let bound_us = if bound == "+Inf" { u64::MAX } else { (bound.parse::<f64>().ok()? * 1e6).round() as u64 };
            Some((bound_us, count.trim().parse().ok()?))
        })
        .collect()
}

fn commit_buckets(gateway: &Gateway) -> Vec<(u64, u64)> {
    let stats = gateway.state.sequencer.stats();
    let bounds = augury_sequencer::sequencer_stats::COMMIT_BUCKETS_US.iter().copied().chain([u64::MAX]);
    bounds.zip(stats.commit_buckets.iter().map(|b| b.load(Ordering::Relaxed))).collect()
}

fn order_buckets(gateway: &Gateway) -> Vec<(u64, u64)> {
    let text = gateway.state.metrics.render(gateway.state.sequencer.stats());
    let cumulative = prometheus_buckets(&text, "augury_order_seconds");
    let mut previous = 0;
    cumulative
        .into_iter()
        .map(|(bound, count)| {
            let own = count.saturating_sub(previous);
            previous = count;
            (bound, own)
        })
        .collect()
}

/// `after - before`, bucket by bucket, leaving out empty buckets.
fn bucket_delta(before: &[(u64, u64)], after: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    after
        .into_iter()
        .map(|(bound, count)| {
            let earlier = before.iter().find(|(b, _)| *b == bound).map_or(0, |(_, c)| *c);
            (bound, count.saturating_sub(earlier))
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

struct PhaseProbe {
    started: Instant,
    commits: Vec<(u64, u64)>,
    orders: Vec<(u64, u64)>,
    batches: u64,
    commands: u64,
    commit_us: u64,
    cpu: BTreeMap<String, f64>,
}

impl PhaseProbe {
    fn start(gateway: &Gateway) -> PhaseProbe {
        let stats = gateway.state.sequencer.stats();
        PhaseProbe {
            started: Instant::now(),
            commits: commit_buckets(gateway),
            orders: order_buckets(gateway),
            batches: stats.batches.load(Ordering::Relaxed),
            commands: stats.commands.load(Ordering::Relaxed),
            commit_us: stats.commit_micros_total.load(Ordering::Relaxed),
            cpu: thread_cpu_seconds(),
        }
    }

    fn finish(self, gateway: &Gateway, tally: Tally, window: Duration) -> PhaseReport {
        let stats = gateway.state.sequencer.stats();
        let batches = stats.batches.load(Ordering::Relaxed) - self.batches;
        let commands = stats.commands.load(Ordering::Relaxed) - self.commands;
        let commit_us = stats.commit_micros_total.load(Ordering::Relaxed) - self.commit_us;
        let elapsed = self.started.elapsed().as_secs_f64();
        let used: BTreeMap<String, f64> = thread_cpu_seconds()
            .into_iter()
            .map(|(group, seconds)| {
                let used = seconds - self.cpu.get(&group).copied().unwrap_or(0.0);
                (group, used)
            })
            .collect();
        let cpu_total: f64 = used.values().sum();
        let cpu = used.into_iter().map(|(group, used)| (group, (used / elapsed * 100.0).round() / 100.0)).collect();
        let answered = tally.orders;
        let mut latencies = tally.latencies_ns;
        let mut send_lags = tally.send_lags_ns;
        let seconds = window.as_secs_f64();
        PhaseReport {
            orders: tally.orders,
            errors: tally.errors,
            statuses: tally.statuses,
            error_samples: tally.error_samples,
            orders_with_fills: tally.with_fills,
            seconds,
            orders_per_sec: if seconds > 0.0 { tally.orders as f64 / seconds } else { 0.0 },
            latency: LatencyMs::of(&mut latencies),
            send_lag: LatencyMs::of(&mut send_lags),
            batches,
            mean_batch: if batches > 0 { commands as f64 / batches as f64 } else { 0.0 },
            mean_commit_us: if batches > 0 { commit_us as f64 / batches as f64 } else { 0.0 },
            cpu_cores: cpu,
            commit_histogram: bucket_delta(&self.commits, commit_buckets(gateway)),
            server_order_histogram: bucket_delta(&self.orders, order_buckets(gateway)),
            cpu_us_per_order: if answered > 0 { (cpu_total * 1e6 / answered as f64).round() } else { 0.0 },
        }
    }
}

fn runtime(threads: usize, name: &str) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(threads.max(1)).thread_name(name).enable_all().build()
}

/// Runs the benchmark in a temporary directory under `dir` (removed afterwards).
pub fn run_api_bench(config: &ApiBenchConfig, dir: &Path) -> Result<ApiBenchReport, ApiBenchError> {
    let work = tempfile::Builder::new().prefix("augury-api-bench-").tempdir_in(dir)?;
    let options = venue_options(work.path())?;
    let traders: Vec<Arc<Trader>> =
        set_up(&options, config.accounts.max(1), config.seed)?.into_iter().map(Arc::new).collect();

    let shared = config.client_threads == 0;
    let server = runtime(config.server_threads, if shared { "augury-shared" } else { "augury-server" })?;
    let client = if !shared { Some(runtime(config.client_threads, "bench-client")?) } else { None };
    let client_handle = client.as_ref().map_or_else(|| server.handle().clone(), |r| r.handle().clone());

    // Reopened with the history observing, as `augury serve` opens it.
    let mut history = History::default();
    let (venue, _) = Venue::open_observed(options, &mut |_| {}, &mut history)?;
    let defaults = GatewayConfig::default();
    let gateway_config = GatewayConfig {
        per_ip: Rate { per_second: 1e9, burst: 1e9 },
        verifier_threads: config.verifier_threads,
        http: HttpLimits { max_connections_per_ip: defaults.http.max_connections, ..defaults.http },
        ..defaults
    };
    let rate_limits = format!(
        "per key {}/s (default; {} keys); per IP raised to unlimited for the bench (default 10000/s), and connections per IP to the total cap of {} (default {}), since every connection comes from 127.0.0.1",
        gateway_config.per_key.per_second,
        config.accounts,
        gateway_config.http.max_connections,
        HttpLimits::default().max_connections_per_ip
    );
    let gateway = Arc::new(server.block_on(async { Gateway::start(venue, history, gateway_config) })?);
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let (stop_serving, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = {
        let gateway = Arc::clone(&gateway);
        server.spawn(async move {
            gateway
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
        })
    };
    let host = address.to_string();
    let stream = |connection: usize| Stream {
        trader: Arc::clone(&traders[connection % traders.len()]),
        connection,
        sent: 0,
        rng: SplitMix64::new(config.seed ^ (connection as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        host: host.clone(),
        client_order_ids: config.client_order_ids,
    };

    // Phase 1: saturation.
    let connections = config.connections.max(1);
    let senders = client_handle.block_on(async {
        let mut senders = Vec::with_capacity(connections);
        for _ in 0..connections {
            senders.push(connect(address).await?);
        }
        Ok::<_, ApiBenchError>(senders)
    })?;
    let start = Instant::now();
    let measure_from = start + Duration::from_millis(config.warmup_ms);
    let until = measure_from + Duration::from_millis(config.duration_ms);
    let budget = Arc::new(AtomicI64::new(config.orders.map_or(i64::MAX, |n| n as i64)));
    let mut probe = None;
    let tallies = client_handle.block_on(async {
        let tasks: Vec<_> = senders
            .into_iter()
            .enumerate()
            .map(|(n, sender)| tokio::spawn(closed_loop(sender, stream(n), measure_from, until, Arc::clone(&budget))))
            .collect();
        tokio::time::sleep_until(measure_from.into()).await;
        probe = Some(PhaseProbe::start(&gateway));
        let mut tallies = Vec::with_capacity(tasks.len());
        for task in tasks {
            tallies.push(task.await.map_err(|e| ApiBenchError::Client(e.to_string()))?);
        }
        Ok::<_, ApiBenchError>(tallies)
    })?;
    let tally = Tally::merge(tallies);
    let window = tally.last_done.map_or(Duration::ZERO, |done| done.saturating_duration_since(measure_from));
    let saturation = probe.expect("measured").finish(&gateway, tally, window);

    // Phase 2: open loop at the offered rate.
    let open_loop = if config.open_rate > 0 && config.open_duration_ms > 0 {
        let total = config.open_rate * config.open_duration_ms / 1_000;
        let open_connections = config.open_connections.max(1);
        let senders = client_handle.block_on(async {
            let mut senders = Vec::with_capacity(open_connections);
            for _ in 0..open_connections {
                senders.push(connect(address).await?);
            }
            Ok::<_, ApiBenchError>(senders)
        })?;
        let (release, receive) = tokio::sync::mpsc::unbounded_channel();
        let slots: Slots = Arc::new(tokio::sync::Mutex::new(receive));
        let probe = PhaseProbe::start(&gateway);
        // Give the connections a moment to sign their first orders.
        let start = Instant::now() + Duration::from_millis(50);
        let rate = config.open_rate;
        let pacer =
            std::thread::Builder::new().name("bench-pacer".into()).spawn(move || pace(rate, total, start, release))?;
        let tallies = client_handle.block_on(async {
            let tasks: Vec<_> = senders
                .into_iter()
                .enumerate()
                .map(|(n, sender)| tokio::spawn(open_loop(sender, stream(connections + n), Arc::clone(&slots))))
                .collect();
            let mut tallies = Vec::with_capacity(tasks.len());
            for task in tasks {
                tallies.push(task.await.map_err(|e| ApiBenchError::Client(e.to_string()))?);
            }
            Ok::<_, ApiBenchError>(tallies)
        })?;
        let _ = pacer.join();
        let tally = Tally::merge(tallies);
        let window = tally.last_done.map_or(Duration::ZERO, |done| done.saturating_duration_since(start));
        probe.finish(&gateway, tally, window)
    } else {
        PhaseReport::default()
    };

    let _ = stop_serving.send(());
    server.block_on(serving).map_err(|e| ApiBenchError::Client(e.to_string()))??;
    drop(client);
    let gateway = Arc::try_unwrap(gateway).map_err(|_| ApiBenchError::Client("the gateway is still shared".into()))?;
    let mut venue = gateway.stop();
    let invariants_hold = venue.engine().check_invariants().is_ok();
    // The sequencer takes one of these every 100,000 entries, between batches: answers wait.
    let snapshot_started = Instant::now();
    venue.snapshot()?;
    let snapshot_ms = snapshot_started.elapsed().as_secs_f64() * 1e3;
    let journal_entries = venue.journal().committed();
    drop(venue);
    drop(server);

    Ok(ApiBenchReport {
        workload: format!(
            "POST {ORDERS_PATH}, Ed25519-signed, durable (fdatasync group commit, signed checkpoints); binary market, tick $0.01, quadratic taker fee; half resting GTC 1-5 ticks from $0.50, half IOC crossing up to 5 ticks; bids and asks through buy/sell of YES/NO; {} accounts{}",
            config.accounts,
            if config.client_order_ids { "; every order with a client_order_id" } else { "" }
        ),
        rate_limits,
        orders_per_sec: saturation.orders_per_sec,
        p50_ms: saturation.latency.p50_ms,
        p99_ms: saturation.latency.p99_ms,
        p999_ms: saturation.latency.p999_ms,
        p99_ms_at_10k: open_loop.latency.p99_ms,
        open_rate: config.open_rate,
        errors: saturation.errors + open_loop.errors,
        saturation,
        open_loop,
        invariants_hold,
        journal_entries,
        snapshot_ms,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        config: config.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_cover_every_form_and_stay_on_the_grid() {
        let mut rng = SplitMix64::new(7);
        let mut forms = std::collections::HashSet::new();
        for n in 0..400 {
            let id = (n % 3 == 0).then(|| format!("b0-{n}"));
            let body: serde_json::Value = serde_json::from_str(&order_body(&mut rng, n, id.as_deref())).unwrap();
            assert_eq!(body["client_order_id"].as_str(), id.as_deref());
            let price = body["price_micros"].as_u64().unwrap();
            assert_eq!(price % TICK_MICROS, 0);
            assert!(price > 0 && price < MICROS_PER_DOLLAR);
            let tif = body["time_in_force"].as_str().unwrap();
            assert_eq!(tif, if n % 2 == 0 { "gtc" } else { "ioc" });
            forms.insert((body["side"].as_str().unwrap().to_string(), body["action"].as_str().unwrap().to_string()));
        }
        assert_eq!(forms.len(), 4);
    }
}
