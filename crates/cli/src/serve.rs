//! `augury serve`: the venue on the network, with embedded storage in the data directory.
//! `--demo` lists the demo markets and real Polymarket questions (with their catalog entries:
//! questions, rules, categories, close times) and funds simulated traders on first start, lets
//! them trade for a moment so the books have depth, then replays real BTC and ETH price history
//! (`augury-crypto`): the replay drives the venue clock and the price indices, lists daily
//! threshold markets that resolve by rule, and a market maker quotes them. API keys come from
//! `augury keys create`.

use crate::storage::{open_venue_observed, StorageArgs};
use anyhow::{bail, Context, Result};
use augury_core::{Event, MarketId};
use augury_crypto::quote::RiskLimits;
use augury_crypto::{Driver, ReplayConfig};
use augury_engine::EngineConfig;
use augury_gateway::history::History;
use augury_gateway::server::HttpLimits;
use augury_gateway::tls::TlsIdentity;
use augury_gateway::{Gateway, GatewayConfig};
use augury_sequencer::{VenueClock, VenueCommand, VenueOutcome};
use augury_sim::{questions, Simulation, FEE_ACCOUNT};
use std::net::SocketAddr;
use std::path::PathBuf;

/// What a visitor's play-money account starts with on a demo venue: $1,000.
const DEMO_ACCOUNT_DEPOSIT_MICROS: augury_core::Micros = 1_000 * augury_core::MICROS_PER_DOLLAR;

/// Simulated commands run when the demo venue is created.
const DEMO_WARMUP_STEPS: u64 = 5_000;

pub fn engine_config() -> EngineConfig {
    EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() }
}

/// HTTPS for `augury serve`. Without any of these, the venue serves plain HTTP (fine on loopback
/// or behind a TLS-terminating proxy).
#[derive(clap::Args, Debug)]
pub struct TlsArgs {
    /// PEM certificate chain: serve HTTPS with it (the key comes from --tls-key or AUGURY_TLS_KEY).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key file for --tls-cert. Alternatively put the PEM itself in the environment
    /// variable AUGURY_TLS_KEY.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate for localhost made at start and signed by itself (local use);
    /// its certificate is written to DATA_DIR/tls-self-signed.pem for clients to trust.
    #[arg(long, conflicts_with = "tls_cert")]
    pub tls_self_signed: bool,
}

/// Connection and request limits of the HTTP server (on the TLS listener too); docs/api.md,
/// "Connection and request limits", says what a client sees.
#[derive(clap::Args, Debug)]
pub struct HttpArgs {
    /// Milliseconds a connection gets to send a complete request head, from connecting (TLS
    /// handshake included) and again after each answer (the keep-alive idle timeout); then it is
    /// closed without an answer.
    #[arg(long, value_name = "MS", default_value_t = HttpLimits::default().head_timeout.as_millis() as u64)]
    pub http_head_timeout_ms: u64,
    /// Milliseconds a request gets to send its whole body; then 408 body_timeout.
    #[arg(long, value_name = "MS", default_value_t = HttpLimits::default().body_timeout.as_millis() as u64)]
    pub http_body_timeout_ms: u64,
    /// Milliseconds a write to a client may make no progress (a client that does not read its
    /// answers); then the connection is closed.
    #[arg(long, value_name = "MS", default_value_t = HttpLimits::default().write_timeout.as_millis() as u64)]
    pub http_write_timeout_ms: u64,
    /// Open connections in all, WebSockets included; more are closed as soon as accepted. Keep it
    /// below the open-file limit (ulimit -n).
    #[arg(long, value_name = "N", default_value_t = HttpLimits::default().max_connections)]
    pub max_connections: usize,
    /// Open connections from one IP address; more are closed as soon as accepted.
    #[arg(long, value_name = "N", default_value_t = HttpLimits::default().max_connections_per_ip)]
    pub max_connections_per_ip: usize,
}

impl HttpArgs {
    fn limits(&self) -> Result<HttpLimits> {
        let limits = HttpLimits {
            head_timeout: std::time::Duration::from_millis(self.http_head_timeout_ms),
            body_timeout: std::time::Duration::from_millis(self.http_body_timeout_ms),
            write_timeout: std::time::Duration::from_millis(self.http_write_timeout_ms),
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            ..HttpLimits::default()
        };
        if let Some(problem) = limits.problem() {
            bail!("connection limits: {problem}");
        }
        Ok(limits)
    }
}

/// The TLS identity the arguments ask for, if any. Key material is never echoed in errors.
fn tls_identity(tls: &TlsArgs, storage: &StorageArgs) -> Result<Option<TlsIdentity>> {
    if tls.tls_self_signed {
        let identity = TlsIdentity::self_signed()?;
        std::fs::create_dir_all(&storage.data_dir)
            .with_context(|| format!("creating {}", storage.data_dir.display()))?;
        let path = storage.data_dir.join("tls-self-signed.pem");
        std::fs::write(&path, &identity.certificate_pem).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("self-signed certificate for localhost written to {} (trust it in clients)", path.display());
        return Ok(Some(identity));
    }
    let Some(cert) = &tls.tls_cert else { return Ok(None) };
    let certificate_pem = std::fs::read(cert).with_context(|| format!("reading --tls-cert {}", cert.display()))?;
    let (private_key_pem, source_name) = match (&tls.tls_key, std::env::var("AUGURY_TLS_KEY")) {
        (Some(file), _) => (
            std::fs::read(file).with_context(|| format!("reading --tls-key {}", file.display()))?,
            format!("--tls-key {}", file.display()),
        ),
        (None, Ok(pem)) => (pem.into_bytes(), "AUGURY_TLS_KEY".to_string()),
        (None, Err(_)) => bail!("--tls-cert needs a private key: --tls-key FILE or the AUGURY_TLS_KEY variable"),
    };
    Ok(Some(TlsIdentity { certificate_pem, private_key_pem, source_name }))
}

/// The demo's price replay and market maker (`--demo` only). Defaults replay 2019-06-01 to
/// 2020-01-17 at five seconds a replayed hour.
#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// Leave out the crypto markets: no price replay, no market maker (the venue keeps the wall
    /// clock).
    #[arg(long)]
    pub no_replay: bool,
    /// The first replayed day (YYYY-MM-DD, from 2019-01-01; the model trains on the year before).
    #[arg(long, default_value = "2019-06-01", value_name = "DATE")]
    pub replay_start: String,
    /// Real milliseconds per replayed hour.
    #[arg(long, default_value_t = 5_000, value_name = "MS")]
    pub replay_hour_ms: u64,
    /// Stop after this many replayed days (default: when the data ends, 2020-01-17).
    #[arg(long, value_name = "DAYS")]
    pub replay_days: Option<u32>,
    /// Strikes each side of the spot per asset and day (0 to 9).
    #[arg(long, default_value_t = 2)]
    pub strikes_per_side: u32,
    /// Strike spacing in basis points of the spot (rounded to 1, 2, 2.5 or 5 x a power of ten).
    #[arg(long, default_value_t = 200)]
    pub strike_step_bps: u32,
    /// Market maker: contracts per side per quote.
    #[arg(long, default_value_t = 20)]
    pub mm_quote_size: u64,
    /// Market maker: largest net position per market (contracts, either way).
    #[arg(long, default_value_t = 200)]
    pub mm_max_position: u64,
    /// Market maker: largest total exposure in dollars (unhedged contracts at $1, quotes counted
    /// as filled on their worse side).
    #[arg(long, default_value_t = 2_000)]
    pub mm_max_exposure: u64,
    /// Market maker: narrowest spread in ticks (cents).
    #[arg(long, default_value_t = 4)]
    pub mm_min_spread_ticks: u32,
    /// Market maker: how far a full position moves its quotes, in ticks.
    #[arg(long, default_value_t = 6.0)]
    pub mm_skew_ticks: f64,
    /// Chance per market and replayed hour that a seeded noise taker trades (percent).
    #[arg(long, default_value_t = 25)]
    pub taker_percent: u64,
    /// Seed of the noise takers.
    #[arg(long, default_value_t = 1)]
    pub replay_seed: u64,
}

impl ReplayArgs {
    fn config(&self) -> Result<ReplayConfig> {
        let start_ms = augury_intel::csv::parse_time_ms(&self.replay_start)
            .map_err(|e| anyhow::anyhow!("--replay-start {:?}: {e}", self.replay_start))?;
        let limits = RiskLimits {
            quote_size: self.mm_quote_size,
            max_position: self.mm_max_position,
            max_exposure_micros: self.mm_max_exposure.saturating_mul(augury_core::MICROS_PER_DOLLAR),
            min_spread_ticks: self.mm_min_spread_ticks,
            skew_ticks_at_max: self.mm_skew_ticks,
        };
        let config = ReplayConfig {
            start_ms,
            days: self.replay_days,
            hour_real_ms: self.replay_hour_ms,
            strikes_per_side: self.strikes_per_side,
            strike_step_bps: self.strike_step_bps,
            limits,
            taker_percent: self.taker_percent,
            seed: self.replay_seed,
            ..ReplayConfig::default()
        };
        if let Some(problem) = config.problem() {
            bail!("replay settings: {problem}");
        }
        Ok(config)
    }
}

pub fn run(
    storage: &StorageArgs,
    listen: SocketAddr,
    demo: bool,
    tls: &TlsArgs,
    http: &HttpArgs,
    replay: &ReplayArgs,
) -> Result<()> {
    // Structured logs on stderr; RUST_LOG overrides the level (e.g. RUST_LOG=augury_gateway=debug).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let mut history = History::default();
    // TLS problems are found before the venue is opened (and its lock taken).
    let tls_config = tls_identity(tls, storage)?.map(|identity| identity.server_config()).transpose()?;
    let replay_config = (demo && !replay.no_replay).then(|| replay.config()).transpose()?;
    let gateway_config = GatewayConfig {
        http: http.limits()?,
        // A demo venue opens play-money accounts for visitors of the web app.
        demo_deposit_micros: demo.then_some(DEMO_ACCOUNT_DEPOSIT_MICROS),
        ..GatewayConfig::default()
    };
    let mut venue = open_venue_observed(storage, engine_config(), &mut history)?;
    if demo && venue.engine().market_spec(MarketId(1)).is_none() {
        let highest = venue.engine().highest_order_id();
        let simulation = match &replay_config {
            // The traders' warm-up happens in the hour before the replay starts.
            Some(config) if venue.engine().clock_ms() < config.start_ms as u64 => {
                Simulation::starting_at(1, config.start_ms as u64 - 3_600_000, highest)
            }
            _ => Simulation::resume(1, venue.engine().clock_ms(), highest),
        };
        let import = questions::shipped();
        for line in import.report.to_string().lines() {
            eprintln!("real questions: {line}");
        }
        let mut simulation = simulation.with_real_questions(&import.questions);
        let listed = simulation.listed_markets().len();
        let mut commands = simulation.venue_setup();
        let setup_len = commands.len();
        commands.extend((0..DEMO_WARMUP_STEPS).map(|_| VenueCommand::Engine(simulation.next_command())));
        for (n, command) in commands.iter().enumerate() {
            match venue.execute(command)? {
                // The history follows the setup and the warm-up as it follows every committed
                // entry: each accepted command with its own events.
                Ok(outcome) if outcome.is_new() => history.apply(command, outcome_events(&outcome)),
                Ok(_) => {}
                Err(reject) if n < setup_len => bail!("the demo setup was refused: {reject} ({command:?})"),
                Err(_) => {}
            }
        }
        venue.commit(augury_gateway::now_ms())?;
        eprintln!(
            "created the demo venue in {}: three markets and {} real questions listed, simulated traders",
            storage.data_dir.display(),
            listed - 3
        );
    }
    // With the replay, the venue's time is the replayed time (it starts where the venue's clock
    // stands and the replay moves it); the replay hands it back to the wall clock when it ends.
    let clock = match &replay_config {
        Some(_) => VenueClock::external(venue.engine().clock_ms()),
        None => VenueClock::wall(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(augury_gateway::default_worker_threads())
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        let gateway = Gateway::start_with_clock(venue, history, gateway_config, clock.clone())?;
        let (stop_replay, replay_stopped) = tokio::sync::watch::channel(false);
        let replay_task = replay_config.map(|config| {
            let state = std::sync::Arc::clone(&gateway.state);
            tokio::spawn(async move {
                let result = match Driver::new(state, clock.clone(), config, augury_crypto::data::shipped()).await {
                    Ok(driver) => driver.run(replay_stopped).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = result {
                    eprintln!("the crypto replay stopped: {e}");
                    clock.follow_wall();
                }
            })
        });
        let keys = gateway.state.auth.key_count();
        let scheme = if tls_config.is_some() { "https" } else { "http" };
        eprintln!("augury is serving {scheme}://{address}  (data: {})", storage.data_dir.display());
        if keys == 0 {
            eprintln!(
                "no API keys yet: stop the venue and run `augury keys create --data-dir {} --admin` for the first one",
                storage.data_dir.display()
            );
        }
        eprintln!("try: curl {scheme}://{address}/v1/markets   (the API is described at /openapi.json)");
        match tls_config {
            Some(config) => gateway.serve_tls(listener, config, shutdown_signal()).await?,
            None => gateway.serve(listener, shutdown_signal()).await?,
        }
        eprintln!("stopping: finishing the batch in hand");
        let _ = stop_replay.send(true);
        if let Some(task) = replay_task {
            let _ = task.await;
        }
        drop(gateway.stop());
        Ok(())
    })
}

/// The engine events an accepted venue command produced (none for catalog and registry changes).
fn outcome_events(outcome: &VenueOutcome) -> &[Event] {
    match outcome {
        VenueOutcome::Applied { events } | VenueOutcome::MarketListed { events, .. } => events,
        VenueOutcome::Order { events, .. } => events,
        _ => &[],
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler can be installed");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
