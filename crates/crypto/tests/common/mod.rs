//! A venue served on a free loopback port with its time on a replay clock, an admin key, and
//! signed and bearer requests (as in the gateway's tests).

#![allow(dead_code)]

use augury_core::AccountId;
use augury_engine::EngineConfig;
use augury_gateway::history::History;
use augury_gateway::{auth, token, Gateway, GatewayConfig};
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Venue, VenueClock, VenueCommand, VenueOptions, VenueOutcome};
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct Server {
    pub address: SocketAddr,
    pub gateway: Arc<Gateway>,
    pub clock: VenueClock,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub dir: tempfile::TempDir,
}

pub struct Admin {
    pub key_id: u64,
    pub signing: SigningKey,
}

pub const FEE_ACCOUNT: AccountId = AccountId(1);

pub fn options(dir: &std::path::Path) -> VenueOptions {
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() };
    options
}

/// A fresh venue with an admin key, served with its clock standing at `start_ms`.
pub async fn start(start_ms: u64) -> (Server, Admin) {
    let dir = tempfile::tempdir().unwrap();
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let signing = SigningKey::from_bytes(&[7; 32]);
    let (id, _token, secret_sha256) = token::generate().unwrap();
    let all = Scopes::READ.union(Scopes::TRADE).union(Scopes::ADMIN).union(Scopes::RESOLVER);
    let key = NewApiKey {
        id,
        account: None,
        label: "admin".into(),
        scopes: all,
        secret_sha256,
        ed25519_public_key: Some(signing.verifying_key().to_bytes()),
        created_ms: 0,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    assert!(matches!(
        venue.execute(&VenueCommand::CreateKey { key }).unwrap().unwrap(),
        VenueOutcome::KeyCreated { .. }
    ));
    venue.commit(0).unwrap();
    drop(venue);
    (serve(dir, Some(start_ms)).await, Admin { key_id: id, signing })
}

/// Serves the venue in `dir` (rebuilding its history from the journal), its clock standing at
/// `start_ms` or, without one, where the venue's clock stands.
pub async fn serve(dir: tempfile::TempDir, start_ms: Option<u64>) -> Server {
    let mut history = History::default();
    let (venue, _) = Venue::open_observed(options(dir.path()), &mut |_| {}, &mut history).unwrap();
    let clock = VenueClock::external(start_ms.unwrap_or(venue.engine().clock_ms()));
    let gateway = Arc::new(Gateway::start_with_clock(venue, history, GatewayConfig::default(), clock.clone()).unwrap());
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
    Server { address, gateway, clock, shutdown: Some(shutdown), task: Some(task), dir }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops serving and the sequencer; gives back the venue (to audit it) and the directory.
    pub async fn stop(mut self) -> (Venue, tempfile::TempDir) {
        let _ = self.shutdown.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
        let gateway = Arc::try_unwrap(self.gateway).ok().expect("no other holders of the gateway");
        (gateway.stop(), self.dir)
    }
}

static NONCE: AtomicU64 = AtomicU64::new(1);

pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A public read.
pub async fn get(client: &reqwest::Client, server: &Server, path: &str) -> (u16, Value) {
    read(client.get(server.url(path)).send().await.unwrap()).await
}

/// A read with a bearer token.
pub async fn get_as(client: &reqwest::Client, server: &Server, token: &str, path: &str) -> (u16, Value) {
    read(client.get(server.url(path)).bearer_auth(token).send().await.unwrap()).await
}

/// A signed request from the admin key.
pub async fn call(
    client: &reqwest::Client,
    server: &Server,
    admin: &Admin,
    method: &'static str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let timestamp_ms = augury_gateway::now_ms();
    let nonce = format!("n{}-{}", NONCE.fetch_add(1, Ordering::Relaxed), std::process::id());
    let message = auth::signing_message(admin.key_id, timestamp_ms, &nonce, method, path, "", body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(admin.signing.sign(message.as_bytes()).to_bytes());
    let mut request = client
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), server.url(path))
        .header("Augury-Key", token::format_key_id(admin.key_id))
        .header("Augury-Timestamp", timestamp_ms.to_string())
        .header("Augury-Nonce", nonce)
        .header("Augury-Signature", signature);
    if !body.is_empty() {
        request = request.header("content-type", "application/json").body(body);
    }
    read(request.send().await.unwrap()).await
}

/// A read-only key for `account`, made through the API by the admin; returns its token.
pub async fn read_key_for(client: &reqwest::Client, server: &Server, admin: &Admin, account: u64) -> String {
    let body = serde_json::json!({ "label": "reader", "account": account });
    let (status, created) = call(client, server, admin, "POST", "/v1/keys", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["token"].as_str().unwrap().to_string()
}
