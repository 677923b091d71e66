//! A venue served on a free loopback port, and a client that signs its requests.

#![allow(dead_code)]

use augury_core::{AccountId, Command, FeeSchedule, MarketId, MarketKind, MarketSpec};
use augury_engine::EngineConfig;
use augury_gateway::history::History;
use augury_gateway::{auth, token, Gateway, GatewayConfig};
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Venue, VenueCommand, VenueOptions, VenueOutcome};
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct Server {
    pub address: SocketAddr,
    pub gateway: Arc<Gateway>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub dir: tempfile::TempDir,
}

/// An API key as a client holds it.
#[derive(Clone)]
pub struct Credentials {
    pub key_id: u64,
    pub token: String,
    pub signing: SigningKey,
    pub account: u64,
}

pub fn options(dir: &Path) -> VenueOptions {
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: AccountId(1), ..EngineConfig::default() };
    options
}

/// Creates a key directly on a stopped venue (as `augury keys create` does).
pub fn create_key(venue: &mut Venue, scopes: Scopes, account: Option<u64>, seed: u8) -> Credentials {
    let signing = SigningKey::from_bytes(&[seed; 32]);
    let (id, token, secret_sha256) = token::generate().unwrap();
    let key = NewApiKey {
        id,
        account: account.map(AccountId),
        label: format!("test {seed}"),
        scopes,
        secret_sha256,
        ed25519_public_key: Some(signing.verifying_key().to_bytes()),
        created_ms: 0,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    let account = match venue.execute(&VenueCommand::CreateKey { key }).unwrap().unwrap() {
        VenueOutcome::KeyCreated { account, .. } => account,
        other => panic!("{other:?}"),
    };
    venue.commit(0).unwrap();
    Credentials { key_id: id, token, signing, account: account.get() }
}

pub const MARKET: u32 = 1;

/// A venue with one binary market (tick 0.01, no fees), an admin key (every scope) and two
/// traders, all three funded with $1,000.
pub async fn start(config: GatewayConfig) -> (Server, Credentials, Credentials, Credentials) {
    let dir = tempfile::tempdir().unwrap();
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let spec = MarketSpec {
        market: MarketId(MARKET),
        kind: MarketKind::Binary,
        tick_micros: 10_000,
        fees: FeeSchedule::ZERO,
        close_time_ms: 0,
    };
    venue.submit(&Command::CreateMarket { spec }).unwrap().unwrap();
    let all = Scopes::READ.union(Scopes::TRADE).union(Scopes::ADMIN).union(Scopes::RESOLVER);
    let admin = create_key(&mut venue, all, None, 1);
    let alice = create_key(&mut venue, Scopes::READ.union(Scopes::TRADE), None, 2);
    let bob = create_key(&mut venue, Scopes::READ.union(Scopes::TRADE), None, 3);
    for account in [admin.account, alice.account, bob.account] {
        venue.submit(&Command::Deposit { account: AccountId(account), amount_micros: 1_000_000_000 }).unwrap().unwrap();
    }
    venue.commit(0).unwrap();
    drop(venue);
    let server = serve_dir(dir, config).await;
    (server, admin, alice, bob)
}

/// Serves the venue in `dir` (rebuilding its history from the journal).
pub async fn serve_dir(dir: tempfile::TempDir, config: GatewayConfig) -> Server {
    let venue_options = options(dir.path());
    serve_dir_with(dir, config, venue_options).await
}

/// Serves the venue in `dir`, opened with `venue_options`.
pub async fn serve_dir_with(dir: tempfile::TempDir, config: GatewayConfig, venue_options: VenueOptions) -> Server {
    let mut history = History::default();
    let (venue, _) = Venue::open_observed(venue_options, &mut |_| {}, &mut history).unwrap();
    let gateway = Arc::new(Gateway::start(venue, history, config).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let serving = Arc::clone(&gateway);
    let task = tokio::spawn(async move {
        serving
            .serve(listener, async move {
                let _ = stop.await;
            })
            .await
            .unwrap();
    });
    Server { address, gateway, shutdown: Some(shutdown), task: Some(task), dir }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops serving and the sequencer; gives back the data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        let _ = self.shutdown.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
        let gateway = Arc::try_unwrap(self.gateway).ok().expect("no other holders of the gateway");
        drop(gateway.stop());
        self.dir
    }
}

static NONCE: AtomicU64 = AtomicU64::new(1);

pub fn now_ms() -> u64 {
    augury_gateway::now_ms()
}

/// A signed request, with the parts a test may want to spoil.
pub struct Signed {
    pub method: &'static str,
    pub path: String,
    pub query: String,
    pub body: String,
    pub timestamp_ms: u64,
    pub nonce: String,
}

impl Signed {
    pub fn new(method: &'static str, path_and_query: &str, body: Option<&Value>) -> Signed {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Signed {
            method,
            path: path.to_string(),
            query: query.to_string(),
            body: body.map(|b| b.to_string()).unwrap_or_default(),
            timestamp_ms: now_ms(),
            nonce: format!("n{}-{}", NONCE.fetch_add(1, Ordering::Relaxed), std::process::id()),
        }
    }

    pub fn signature(&self, credentials: &Credentials) -> String {
        let message = auth::signing_message(
            credentials.key_id,
            self.timestamp_ms,
            &self.nonce,
            self.method,
            &self.path,
            &self.query,
            self.body.as_bytes(),
        );
        base64::engine::general_purpose::STANDARD.encode(credentials.signing.sign(message.as_bytes()).to_bytes())
    }

    pub fn request(
        &self,
        client: &reqwest::Client,
        server: &Server,
        credentials: &Credentials,
        signature: &str,
    ) -> reqwest::RequestBuilder {
        let url = if self.query.is_empty() {
            server.url(&self.path)
        } else {
            server.url(&format!("{}?{}", self.path, self.query))
        };
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut request = client
            .request(method, url)
            .header("Augury-Key", token::format_key_id(credentials.key_id))
            .header("Augury-Timestamp", self.timestamp_ms.to_string())
            .header("Augury-Nonce", &self.nonce)
            .header("Augury-Signature", signature);
        if !self.body.is_empty() {
            request = request.header("content-type", "application/json").body(self.body.clone());
        }
        request
    }

    pub async fn send(&self, client: &reqwest::Client, server: &Server, credentials: &Credentials) -> (u16, Value) {
        let response = self.request(client, server, credentials, &self.signature(credentials)).send().await.unwrap();
        read(response).await
    }
}

pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Sends a correctly signed request.
pub async fn call(
    client: &reqwest::Client,
    server: &Server,
    credentials: &Credentials,
    method: &'static str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    Signed::new(method, path, body.as_ref()).send(client, server, credentials).await
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// A rate too high to matter in a test.
pub fn unlimited() -> augury_gateway::ratelimit::Rate {
    augury_gateway::ratelimit::Rate { per_second: 1e9, burst: 1e9 }
}

/// Whether `python3` can import `modules` (comma-separated). Without them a test skips itself with
/// a notice saying what was `not_exercised`, unless AUGURY_REQUIRE_PYTHON=1 (CI sets it), which
/// fails it, naming the `pip install` that was missing.
pub fn python_with(modules: &str, pip_install: &str, not_exercised: &str) -> bool {
    let probe = std::process::Command::new("python3").args(["-c", &format!("import {modules}")]).output();
    if probe.is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        std::env::var("AUGURY_REQUIRE_PYTHON").as_deref() != Ok("1"),
        "python3 with {modules} is required (pip install {pip_install})"
    );
    eprintln!("NOTICE: python3 with {modules} not found; {not_exercised}");
    false
}
