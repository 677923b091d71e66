//! A captured signed request never takes effect again, across a SIGKILL and a clean stop of
//! `augury serve`: requests that were accepted and requests that were refused the first time, on
//! the native API (Ed25519) and the Kalshi-compatible surface (RSA-PSS), sent again byte for byte
//! after the restart, once the account could afford them. After a crash fresh requests wait out a
//! bounded quiet spell; after a clean stop they go through at once.

mod common;

use augury_gateway::{auth, kalshi, token};
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RSA_PRIVATE_PEM: &str = include_str!("../../gateway/tests/fixtures/kalshi-test-rsa-1.pem");
const RSA_PUBLIC_PEM: &str = include_str!("../../gateway/tests/fixtures/kalshi-test-rsa-1.pub.pem");
/// The signature window (`GatewayConfig`'s default) and the replay guard's lease.
const WINDOW_MS: u64 = 5_000;

/// `augury serve` on a free loopback port; killed when dropped, pass or fail.
struct Venue(common::Served);

impl Venue {
    fn start(data: &Path) -> Venue {
        Venue(common::serve(data, &[]))
    }

    /// SIGKILL: nothing runs after it.
    fn kill(mut self) {
        self.0.child.kill().unwrap();
        self.0.child.wait().unwrap();
    }

    /// SIGINT, as Ctrl-C: the venue stops cleanly.
    fn interrupt(mut self) {
        // The shell's own kill: no procps needed.
        let status = Command::new("sh").args(["-c", &format!("kill -INT {}", self.0.child.id())]).status().unwrap();
        assert!(status.success());
        let status = self.0.child.wait().unwrap();
        assert!(status.success(), "a clean stop exits 0: {status:?}");
    }

    fn send(&self, request: &Request) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.0.address).expect("the venue accepts connections");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            request.method, request.target, self.0.address
        );
        for (name, value) in &request.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !request.body.is_empty() {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", request.body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(request.body.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

/// A request exactly as it went on the wire, to be sent again.
#[derive(Clone)]
struct Request {
    method: &'static str,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: String,
}

/// The one API key, with its Ed25519 and RSA keys.
struct Client {
    key_id: u64,
    account: u64,
    signing: SigningKey,
    rsa: ring::signature::RsaKeyPair,
    nonce: std::cell::Cell<u64>,
}

impl Client {
    /// A native request signed with timestamp `now + ahead_ms`.
    fn native(&self, method: &'static str, target: &str, body: Option<Value>, ahead_ms: u64) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let timestamp_ms = augury_gateway::now_ms() + ahead_ms;
        self.nonce.set(self.nonce.get() + 1);
        let nonce = format!("restart-{}-{}", std::process::id(), self.nonce.get());
        let message = auth::signing_message(self.key_id, timestamp_ms, &nonce, method, path, query, body.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(self.signing.sign(message.as_bytes()).to_bytes());
        let headers = vec![
            ("Augury-Key", token::format_key_id(self.key_id)),
            ("Augury-Timestamp", timestamp_ms.to_string()),
            ("Augury-Nonce", nonce),
            ("Augury-Signature", signature),
        ];
        Request { method, target: target.to_string(), headers, body }
    }

    /// A Kalshi-style request (RSA-PSS over timestamp, method and path).
    fn kalshi(&self, method: &'static str, path: &str, body: Option<Value>, ahead_ms: u64) -> Request {
        let timestamp = (augury_gateway::now_ms() + ahead_ms).to_string();
        let message = kalshi::rsa::signing_message(&timestamp, method, path);
        let mut signature = vec![0; self.rsa.public().modulus_len()];
        self.rsa
            .sign(
                &ring::signature::RSA_PSS_SHA256,
                &ring::rand::SystemRandom::new(),
                message.as_bytes(),
                &mut signature,
            )
            .unwrap();
        let headers = vec![
            ("KALSHI-ACCESS-KEY", token::format_key_id(self.key_id)),
            ("KALSHI-ACCESS-TIMESTAMP", timestamp),
            ("KALSHI-ACCESS-SIGNATURE", base64::engine::general_purpose::STANDARD.encode(signature)),
        ];
        Request { method, target: path.to_string(), headers, body: body.map(|b| b.to_string()).unwrap_or_default() }
    }

    fn order(&self, price_micros: u64, quantity: u64, ahead_ms: u64) -> Request {
        let body =
            json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": price_micros, "quantity": quantity });
        self.native("POST", "/v1/portfolio/orders", Some(body), ahead_ms)
    }

    fn kalshi_order(&self, cents: u64, count: u64, ahead_ms: u64) -> Request {
        let body = json!({ "ticker": "AUG-1", "side": "yes", "action": "buy", "count": count, "type": "limit", "yes_price": cents });
        self.kalshi("POST", "/trade-api/v2/portfolio/orders", Some(body), ahead_ms)
    }

    fn deposit(&self, venue: &Venue, dollars: u64) {
        let body = json!({ "amount_micros": dollars * 1_000_000 });
        let (status, answer) =
            venue.send(&self.native("POST", &format!("/v1/accounts/{}/deposit", self.account), Some(body), 0));
        assert!(status < 300, "deposit: {status} {answer}");
    }

    /// Ids of every order the account has.
    fn order_ids(&self, venue: &Venue) -> Vec<u64> {
        let (status, answer) = venue.send(&self.native("GET", "/v1/portfolio/orders?limit=100", None, 0));
        assert_eq!(status, 200, "{answer}");
        answer["items"].as_array().unwrap().iter().map(|o| o["order_id"].as_u64().unwrap()).collect()
    }
}

/// Sends every captured request again; none may succeed. Returns the error codes.
fn replay_all(venue: &Venue, captured: &[(&str, Request)]) -> Vec<String> {
    captured
        .iter()
        .map(|(what, request)| {
            let (status, answer) = venue.send(request);
            assert!(status >= 400, "the replayed {what} took effect again: {status} {answer}");
            // Native errors carry the code; Kalshi's carry Augury's code in details.
            let code = answer["error"]["details"].as_str().or(answer["error"]["code"].as_str()).unwrap_or("");
            code.to_string()
        })
        .collect()
}

fn augury(args: &[&str], data: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_augury")).args(args).arg("--data-dir").arg(data).output().unwrap();
    assert!(output.status.success(), "augury {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn captured_requests_never_take_effect_again_after_a_kill_or_a_clean_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let signing = SigningKey::from_bytes(&[7; 32]);
    let ed25519_file = tmp.path().join("ed25519.hex");
    std::fs::write(&ed25519_file, token::hex(&signing.verifying_key().to_bytes())).unwrap();
    let rsa_file = tmp.path().join("rsa.pub.pem");
    std::fs::write(&rsa_file, RSA_PUBLIC_PEM).unwrap();
    let created: Value = serde_json::from_str(&augury(
        &[
            "keys",
            "create",
            "--admin",
            "--deposit",
            "1000",
            "--ed25519-public-key",
            ed25519_file.to_str().unwrap(),
            "--rsa-public-key",
            rsa_file.to_str().unwrap(),
        ],
        &data,
    ))
    .unwrap();
    let pkcs8: String = RSA_PRIVATE_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    let client = Client {
        key_id: token::parse_key_id(created["key_id"].as_str().unwrap()).unwrap(),
        account: created["account"].as_u64().unwrap(),
        signing,
        rsa: ring::signature::RsaKeyPair::from_pkcs8(&base64::engine::general_purpose::STANDARD.decode(pkcs8).unwrap())
            .unwrap(),
        nonce: std::cell::Cell::new(0),
    };

    // First run: a market, then requests accepted and refused (this account has $1,000).
    let venue = Venue::start(&data);
    let market = json!({ "market": 1, "kind": "binary", "tick_micros": 10_000 });
    let (status, answer) = venue.send(&client.native("POST", "/v1/markets", Some(market), 0));
    assert_eq!(status, 201, "{answer}");
    let mut captured = Vec::new();
    for (what, request, expected) in [
        ("native order", client.order(400_000, 1, 0), 201),
        ("native order timestamped 4.5 s ahead", client.order(410_000, 1, 4_500), 201),
        ("refused native order", client.order(500_000, 1_000_000, 0), 422),
        ("Kalshi order", client.kalshi_order(42, 1, 0), 201),
        ("refused Kalshi order", client.kalshi_order(50, 1_000_000, 4_500), 400),
    ] {
        let (status, answer) = venue.send(&request);
        assert_eq!(status, expected, "{what}: {answer}");
        captured.push((what, request));
    }
    let orders = client.order_ids(&venue);
    assert_eq!(orders.len(), 3);

    // SIGKILL, restart at once: every captured request is refused, and so is a fresh one until
    // the clock passes what the dead run's lease covered.
    let killed = Instant::now();
    venue.kill();
    let venue = Venue::start(&data);
    let codes = replay_all(&venue, &captured);
    assert!(codes.iter().all(|c| c == "timestamp_before_restart"), "{codes:?}");
    let quiet = loop {
        let (status, answer) = venue.send(&client.native("GET", "/v1/portfolio/balance", None, 0));
        if status == 200 {
            break killed.elapsed();
        }
        assert_eq!((status, answer["error"]["code"].as_str()), (503, Some("timestamp_before_restart")), "{answer}");
        assert!(killed.elapsed() < Duration::from_secs(30), "fresh requests are still refused");
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!("after the kill, fresh signed requests were refused for {quiet:?}");
    // The quiet spell is bounded by the lease (2 s) plus the window (5 s) from the kill.
    assert!(quiet < Duration::from_millis(2_000 + WINDOW_MS + 3_000), "quiet for {quiet:?}");
    // Now the refused orders are affordable; sent again, still nothing happens.
    client.deposit(&venue, 2_000_000);
    replay_all(&venue, &captured);
    assert_eq!(client.order_ids(&venue), orders, "no captured request placed an order");

    // Second run's requests, timestamped ahead so they are still inside the window after the
    // restart: the clean stop saves their nonces.
    let mut captured = Vec::new();
    for (what, request, expected) in [
        ("native order", client.order(300_000, 1, 4_000), 201),
        ("refused native order", client.order(500_000, 100_000_000, 4_000), 422),
        ("Kalshi order", client.kalshi_order(31, 1, 4_000), 201),
        ("refused Kalshi order", client.kalshi_order(50, 100_000_000, 4_000), 400),
    ] {
        let (status, answer) = venue.send(&request);
        assert_eq!(status, expected, "{what}: {answer}");
        captured.push((what, request));
    }
    let orders = client.order_ids(&venue);
    assert_eq!(orders.len(), 5);

    // SIGINT: a clean stop. A fresh request goes through at once after the restart; the
    // captured ones are refused as replays.
    venue.interrupt();
    let venue = Venue::start(&data);
    let (status, answer) = venue.send(&client.native("GET", "/v1/portfolio/balance", None, 0));
    assert_eq!(status, 200, "no quiet spell after a clean stop: {answer}");
    client.deposit(&venue, 200_000_000);
    let codes = replay_all(&venue, &captured);
    assert_eq!(codes, ["replayed_nonce", "replayed_nonce", "replayed_signature", "replayed_signature"]);
    assert_eq!(client.order_ids(&venue), orders, "no captured request placed an order");
    venue.interrupt();
}
