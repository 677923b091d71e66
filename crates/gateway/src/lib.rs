//! The gateway: Augury on the network. It owns nothing of the venue's state; it authenticates
//! and checks requests, turns them into venue commands for the sequencer, and answers from the
//! outcome (after it is durable) or from the read models.
//!
//! - [`auth`]: keys, signatures, nonces, scopes; [`replay`]: single use of signed requests across
//!   restarts; [`token`]: the API token format; [`verify`]: batched signature verification.
//! - [`extract`]: authenticated calls and strict parsing; [`error`]: the one error shape.
//! - [`history`]: orders, fills, trades and candles derived from the journal; [`intel`]: the
//!   candles the intelligence endpoints read (the candle store, and the demo's replay).
//! - [`api`]: the REST routes; [`ws`]: the WebSocket API and its fan-out; [`ratelimit`], [`metrics`].
//! - [`server`]: the accept loop (plain and [`tls`]) and the connection and request limits.
//! - [`kalshi`]: the Kalshi Trade API v2 compatibility surface, a translation layer over the above.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod history;
pub mod intel;
pub mod kalshi;
pub mod metrics;
pub mod ratelimit;
pub mod replay;
pub mod server;
pub mod stats;
pub mod tls;
pub mod token;
pub mod verify;
pub mod ws;

use augury_core::AccountId;
use augury_sequencer::registry::KeyId;
use augury_sequencer::{Publisher, Sequencer, SequencerHandle, Venue, VenueClock, VenueCommand};
use ratelimit::{Rate, RateLimiter};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// How far a signed request's timestamp may be from the venue's clock.
    pub signature_window_ms: u64,
    pub per_key: Rate,
    pub per_ip: Rate,
    /// Commands the sequencer queue holds before callers get 503.
    pub queue_capacity: usize,
    pub ws: ws::WsLimits,
    /// Threads verifying request signatures in batches ([`verify`]); 0 verifies each request on
    /// its own task instead, one signature at a time.
    pub verifier_threads: usize,
    /// Connection and request limits of the HTTP server ([`server`]).
    pub http: server::HttpLimits,
    /// A demo venue's play money: with `Some(deposit)`, `POST /v1/demo/accounts` opens an account
    /// with that deposit and a key for the visitor's public key (the web app's one-click account).
    /// `None` (any real venue): the route answers 404.
    pub demo_deposit_micros: Option<augury_core::Micros>,
}

/// Tokio worker threads for the HTTP side: the cores the signature verifiers leave. The sequencer
/// and the verifiers have threads of their own, so one worker per core oversubscribes a small
/// machine; on 2 cores `augury bench api` measured one worker better at saturation and in the
/// open-loop tail (fewer wakeups across cores, no work stealing between two workers).
pub fn default_worker_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_sub(GatewayConfig::default().verifier_threads).max(1)
}

impl Default for GatewayConfig {
    fn default() -> GatewayConfig {
        GatewayConfig {
            signature_window_ms: 5_000,
            per_key: Rate { per_second: 2_000.0, burst: 4_000.0 },
            per_ip: Rate { per_second: 10_000.0, burst: 20_000.0 },
            queue_capacity: 16_384,
            ws: ws::WsLimits::default(),
            // Half the cores: verification is the largest cost per request, but the request
            // tasks (HTTP, JSON) and the sequencer need the rest.
            verifier_threads: std::thread::available_parallelism().map_or(1, |n| n.get() / 2).max(1),
            http: server::HttpLimits::default(),
            demo_deposit_micros: None,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub sequencer: SequencerHandle,
    pub auth: Arc<auth::Authenticator>,
    pub history: Arc<RwLock<history::History>>,
    /// WebSocket sessions and their streams, fed by the publisher.
    pub ws: Arc<ws::Hub>,
    /// Asset candles for the intelligence endpoints (`/v1/intel`).
    pub intel: Arc<intel::IntelHub>,
    pub key_limits: RateLimiter<KeyId>,
    pub ip_limits: RateLimiter<IpAddr>,
    pub metrics: metrics::Metrics,
    /// (account, client order id) of placements not yet answered: a retry meanwhile gets 409.
    pub in_flight: Mutex<HashSet<(AccountId, String)>>,
    /// Held while a key is created, so the per-account key count is checked and used at once.
    pub key_creation: tokio::sync::Mutex<()>,
    /// Where the journal's files are, read for checkpoints and inclusion proofs.
    pub audit: api::audit::JournalFiles,
    pub config: GatewayConfig,
}

impl AppState {
    /// The history, for reading. A panic elsewhere while writing cannot leave it half-updated in a
    /// way reads care about (each entry is applied whole or the sequencer stops), so a poisoned
    /// lock is read through rather than turned into a panic per request.
    pub fn history(&self) -> std::sync::RwLockReadGuard<'_, history::History> {
        self.history.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashSet<(AccountId, String)>> {
        self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Marks a client order as being placed; false if it already is.
    pub fn begin_placement(&self, key: (AccountId, String)) -> bool {
        self.in_flight().insert(key)
    }

    pub fn end_placement(&self, key: &(AccountId, String)) {
        self.in_flight().remove(key);
    }
}

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The replay guard ([`replay`]) could not be written: without it a signed request captured
    /// now could be replayed after a restart. Fix the data directory (space, permissions).
    #[error("cannot write the replay guard {path}: {source}")]
    ReplayGuard { path: std::path::PathBuf, source: std::io::Error },
}

/// The running venue behind the gateway.
pub struct Gateway {
    pub state: Arc<AppState>,
    sequencer: Option<Sequencer>,
    lease: Option<replay::LeaseRenewer>,
}

impl Gateway {
    /// Starts the sequencer on `venue` (opened with `history` as its observer, so the history
    /// already holds every journaled entry) and builds the shared state. Requests spent in the
    /// venue's last run stay spent ([`replay`]).
    pub fn start(venue: Venue, history: history::History, config: GatewayConfig) -> Result<Gateway, StartError> {
        Gateway::start_with_clock(venue, history, config, VenueClock::wall())
    }

    /// Like [`Gateway::start`], with the venue's time from `clock` (the demo's price replay sets
    /// it; request signatures, key expiry and checkpoints stay on the wall clock).
    pub fn start_with_clock(
        venue: Venue,
        history: history::History,
        config: GatewayConfig,
        clock: VenueClock,
    ) -> Result<Gateway, StartError> {
        let history = Arc::new(RwLock::new(history));
        let keys: Vec<_> = venue.state().registry().keys(None).cloned().collect();
        let (spent, previous) = replay::SpentRequests::open(venue.data_dir(), config.signature_window_ms, now_ms())
            .map_err(|source| StartError::ReplayGuard { path: venue.data_dir().join(replay::FILE_NAME), source })?;
        log_previous_run(&previous, spent.floor_ms());
        let auth = Arc::new(auth::Authenticator::with_spent(keys, spent, config.verifier_threads));
        let hub = Arc::new(ws::Hub::new(config.ws));
        let intel = Arc::new(intel::IntelHub::load(&augury_intel::CandleStore::open(venue.data_dir())));
        let audit = api::audit::JournalFiles {
            dir: venue.data_dir().join("journal"),
            key: venue.journal_encryption().cloned(),
            public_key: venue.checkpoint_public_key(),
        };
        let publisher = {
            let history = Arc::clone(&history);
            let auth = Arc::clone(&auth);
            let hub = Arc::clone(&hub);
            // Runs before the batch's callers are answered: a created key works, a revoked key
            // stops working (and its WebSocket sessions are closed), an order is in the history,
            // and its stream messages are queued, by the time anyone hears of it.
            let publish: Publisher = Box::new(move |venue, entries| {
                let mut history = history.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut fanout = hub.begin_batch();
                for entry in &entries {
                    fanout.before(&history, &entry.events);
                    history.apply(&entry.command, &entry.events);
                    fanout.after(&history, &entry.events);
                    let changed_key = match &entry.command {
                        VenueCommand::CreateKey { key }
                        | VenueCommand::CreateRsaKey { key, .. }
                        | VenueCommand::OpenDemoAccount { key, .. }
                        | VenueCommand::Enroll { key, .. } => Some(key.id),
                        VenueCommand::RevokeKey { key, .. } => Some(*key),
                        _ => None,
                    };
                    if let Some(key) = changed_key.and_then(|id| venue.state().registry().key(id)) {
                        auth.upsert_key(key.clone());
                    }
                    // After the authenticator refuses a revoked key, so a login racing the
                    // revocation either is closed here or sees the revocation itself.
                    fanout.command(&entry.command);
                }
                fanout.finish(venue.engine());
            });
            publish
        };
        let sequencer = Sequencer::start_with_clock(venue, config.queue_capacity, Some(publisher), clock);
        let state = Arc::new(AppState {
            sequencer: sequencer.handle(),
            auth,
            history,
            ws: hub,
            intel,
            key_limits: RateLimiter::new(config.per_key),
            ip_limits: RateLimiter::new(config.per_ip),
            metrics: metrics::Metrics::default(),
            in_flight: Mutex::new(HashSet::new()),
            key_creation: tokio::sync::Mutex::new(()),
            audit,
            config,
        });
        let lease = replay::LeaseRenewer::start(Arc::clone(&state.auth), auth::Authenticator::spent);
        Ok(Gateway { state, sequencer: Some(sequencer), lease: Some(lease) })
    }

    pub fn router(&self) -> axum::Router {
        api::router(Arc::clone(&self.state))
            .merge(ws::router(Arc::clone(&self.state)))
            .merge(kalshi::router(Arc::clone(&self.state)))
            .merge(augury_web::router())
    }

    /// Serves HTTP on `listener` until `shutdown` resolves, within the limits of `config.http`
    /// ([`server`]); then stops accepting, closes the WebSocket sessions, and gives requests in
    /// progress up to `http.shutdown_grace` to finish. Unusable limits (`HttpLimits::problem`)
    /// are an `InvalidInput` error at once.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        self.serve_on(listener, None, shutdown).await
    }

    /// Like [`Gateway::serve`], over TLS (HTTP/1.1, and HTTP/2 when ALPN chooses it).
    pub async fn serve_tls(
        &self,
        listener: tokio::net::TcpListener,
        tls: Arc<rustls::ServerConfig>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        self.serve_on(listener, Some(tokio_rustls::TlsAcceptor::from(tls)), shutdown).await
    }

    async fn serve_on(
        &self,
        listener: tokio::net::TcpListener,
        tls: Option<tokio_rustls::TlsAcceptor>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let hub = Arc::clone(&self.state.ws);
        // Upgraded connections have left the server: close them ourselves.
        let close_websockets = move || hub.close_all("the server is shutting down");
        server::serve(Arc::clone(&self.state), self.router(), listener, tls, shutdown, close_websockets).await
    }

    /// Stops taking signed requests and saves the spent ones for the next run (a clean stop, see
    /// [`replay`]), then stops the sequencer (finishing the batch in hand) and gives the venue back.
    pub fn stop(mut self) -> Venue {
        self.close_replay_guard();
        self.sequencer.take().expect("running").stop()
    }

    fn close_replay_guard(&mut self) {
        if let Some(lease) = self.lease.take() {
            lease.stop();
            if let Err(error) = self.state.auth.spent().close(now_ms()) {
                // The file still holds the running lease, so the next start treats this as a crash.
                tracing::error!(%error, "the spent requests could not be saved; the next start waits out the window");
            }
        }
    }
}

/// A gateway dropped without [`Gateway::stop`] still stops cleanly: the spent requests are saved
/// and no signed request is admitted after that.
impl Drop for Gateway {
    fn drop(&mut self) {
        self.close_replay_guard();
    }
}

fn log_previous_run(previous: &replay::Previous, floor_ms: u64) {
    match previous {
        replay::Previous::None => {}
        replay::Previous::Stopped { carried, .. } => {
            tracing::info!(carried, "the last run stopped cleanly; its spent requests stay spent")
        }
        replay::Previous::Crashed { horizon_ms } => tracing::warn!(
            horizon_ms,
            floor_ms,
            "the last run did not stop cleanly: signed requests timestamped at or before floor_ms are refused"
        ),
        replay::Previous::Damaged { reason } => tracing::warn!(
            %reason,
            floor_ms,
            "the replay guard could not be read: treated as a crash; signed requests timestamped at or before floor_ms are refused"
        ),
    }
}
