//! The Kalshi-compatible surface without Python: requests signed here with ring (RSA-PSS,
//! SHA-256) the way Kalshi's clients sign them, against a live venue: authentication failures,
//! a replay, errors in Kalshi's shape, an order and the book it makes.

mod common;

use augury_gateway::kalshi::rsa::parse_public_key;
use augury_gateway::{token, GatewayConfig};
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Venue, VenueCommand};
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

const PRIVATE_PEM: &str = include_str!("fixtures/kalshi-test-rsa-1.pem");
const PUBLIC_PEM: &str = include_str!("fixtures/kalshi-test-rsa-1.pub.pem");

fn key_pair() -> ring::signature::RsaKeyPair {
    let body: String = PRIVATE_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    let pkcs8 = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    ring::signature::RsaKeyPair::from_pkcs8(&pkcs8).unwrap()
}

fn sign(pair: &ring::signature::RsaKeyPair, message: &str) -> String {
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(&ring::signature::RSA_PSS_SHA256, &ring::rand::SystemRandom::new(), message.as_bytes(), &mut signature)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(signature)
}

struct Kalshi {
    key_id: String,
    pair: ring::signature::RsaKeyPair,
}

impl Kalshi {
    fn headers(&self, method: &str, path: &str, timestamp_ms: u64) -> Vec<(&'static str, String)> {
        let signature = sign(&self.pair, &format!("{timestamp_ms}{method}{path}"));
        vec![
            ("KALSHI-ACCESS-KEY", self.key_id.clone()),
            ("KALSHI-ACCESS-TIMESTAMP", timestamp_ms.to_string()),
            ("KALSHI-ACCESS-SIGNATURE", signature),
        ]
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        server: &Server,
        method: &str,
        path_and_query: &str,
        headers: Vec<(&'static str, String)>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, server.url(path_and_query));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    async fn call(
        &self,
        client: &reqwest::Client,
        server: &Server,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let path = path_and_query.split('?').next().unwrap();
        let headers = self.headers(method, path, now_ms());
        self.send(client, server, method, path_and_query, headers, body).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kalshi_signed_requests_trade_and_bad_ones_are_refused() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    // Alice's account gets an RSA key too; a read-only one is made beside it.
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
    let mut ids = Vec::new();
    for scopes in [Scopes::READ.union(Scopes::TRADE), Scopes::READ] {
        let (id, _, secret_sha256) = token::generate().unwrap();
        let key = NewApiKey {
            id,
            account: Some(alice.account),
            label: "rsa".into(),
            scopes,
            secret_sha256,
            ed25519_public_key: None,
            created_ms: 0,
            expires_ms: None,
            ip_allowlist: Vec::new(),
        };
        venue.execute(&VenueCommand::CreateRsaKey { key, rsa_public_key: spki.clone() }).unwrap().unwrap();
        ids.push(id);
    }
    venue.commit(0).unwrap();
    drop(venue);
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let trader = Kalshi { key_id: token::format_key_id(ids[0]), pair: key_pair() };
    let reader = Kalshi { key_id: token::format_key_id(ids[1]), pair: key_pair() };

    // Public data needs no signature.
    let (status, markets) = client.get(server.url("/trade-api/v2/markets")).send().await.map(read).unwrap().await;
    assert_eq!(status, 200);
    assert_eq!(markets["markets"][0]["ticker"], "AUG-1");
    assert_eq!(markets["cursor"], "");

    // An order, signed; the query and body are not part of Kalshi's signature.
    let order = json!({ "ticker": "AUG-1", "side": "no", "action": "buy", "count": 3, "type": "limit",
                        "no_price_dollars": "0.6100", "client_order_id": "k-1" });
    let (status, placed) =
        trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(order.clone())).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(
        (&placed["order"]["status"], &placed["order"]["yes_price"], &placed["order"]["no_price_dollars"]),
        (&json!("resting"), &json!(39), &json!("0.6100"))
    );
    let (status, retry) = trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(order)).await;
    assert_eq!((status, &retry["order"]["order_id"]), (201, &placed["order"]["order_id"]));
    let (_, book) = trader.call(&client, &server, "GET", "/trade-api/v2/markets/AUG-1/orderbook?depth=5", None).await;
    assert_eq!(book["orderbook"]["no"], json!([[61, 3]]));
    assert_eq!(book["orderbook_fp"]["no_dollars"], json!([["0.6100", "3.00"]]));

    // Refusals, in Kalshi's shape with Augury's code in details; nothing changes.
    let off_tick =
        json!({ "ticker": "AUG-1", "side": "yes", "action": "buy", "count": 1, "yes_price_dollars": "0.455" });
    let (status, body) = trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(off_tick)).await;
    assert_eq!((status, &body["error"]["code"]), (400, &json!("invalid_parameters")), "{body}");
    let fractional = json!({ "ticker": "AUG-1", "side": "yes", "action": "buy", "count_fp": "1.50", "yes_price": 40 });
    let (status, body) =
        trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(fractional)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("whole contracts"), "{body}");
    // A body that is not UTF-8 (a Latin-1 byte inside a string) is refused, not read in part.
    let latin1 = b"{\"ticker\":\"AUG-1\",\"side\":\"yes\",\"action\":\"buy\",\"count\":1,\"yes_price\":40,\"client_order_id\":\"caf\xe9\"}".to_vec();
    let mut request = client.post(server.url("/trade-api/v2/portfolio/orders")).body(latin1);
    for (name, value) in trader.headers("POST", "/trade-api/v2/portfolio/orders", now_ms()) {
        request = request.header(name, value);
    }
    let (status, body) = read(request.header("content-type", "application/json").send().await.unwrap()).await;
    assert_eq!((status, &body["error"]["details"]), (400, &json!("invalid_json")), "{body}");
    let (status, body) = reader.call(&client, &server, "DELETE", "/trade-api/v2/portfolio/orders/1", None).await;
    assert_eq!((status, &body["error"]["details"]), (403, &json!("missing_scope")), "{body}");
    let (status, body) = trader.call(&client, &server, "GET", "/trade-api/v2/portfolio/order_groups", None).await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")), "{body}");

    let path = "/trade-api/v2/portfolio/balance";
    let stale = trader.headers("GET", path, now_ms() - 60_000);
    let (status, body) = trader.send(&client, &server, "GET", path, stale, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("stale_timestamp")), "{body}");
    let wrong_path = trader.headers("GET", "/trade-api/v2/portfolio/fills", now_ms());
    let (status, body) = trader.send(&client, &server, "GET", path, wrong_path, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("bad_signature")), "{body}");
    let once = trader.headers("GET", path, now_ms());
    let (status, balance) = trader.send(&client, &server, "GET", path, once.clone(), None).await;
    assert_eq!(status, 200, "{balance}");
    assert_eq!(balance["balance_dollars"], "998.1700", "$1,000 less 3 x 0.61 held");
    assert_eq!(balance["balance"], 99_817);
    let (status, body) = trader.send(&client, &server, "GET", path, once, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("replayed_signature")), "{body}");
    // An Ed25519-only key cannot sign the Kalshi way.
    let ed25519_only = Kalshi { key_id: token::format_key_id(alice.key_id), pair: key_pair() };
    let (status, body) = ed25519_only.call(&client, &server, "GET", path, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("bad_signature")), "{body}");
    server.stop().await;
}

/// Kalshi's `position` counts every contract held, those offered by resting sells included (as
/// on Kalshi): 31 YES all offered for sale are a position of 31, not 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kalshi_positions_count_contracts_held_by_resting_sells() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let (id, _, secret_sha256) = token::generate().unwrap();
    let key = NewApiKey {
        id,
        account: Some(alice.account),
        label: "rsa".into(),
        scopes: Scopes::READ.union(Scopes::TRADE),
        secret_sha256,
        ed25519_public_key: None,
        created_ms: 0,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
    venue.execute(&VenueCommand::CreateRsaKey { key, rsa_public_key: spki }).unwrap().unwrap();
    venue.commit(0).unwrap();
    drop(venue);
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let trader = Kalshi { key_id: token::format_key_id(id), pair: key_pair() };

    let order = |side: &str, action: &str, price: u64| json!({ "market": MARKET, "side": side, "action": action, "price_micros": price, "quantity": 31 });
    let orders = "/v1/portfolio/orders";
    assert_eq!(call(&client, &server, &alice, "POST", orders, Some(order("yes", "buy", 400_000))).await.0, 201);
    assert_eq!(call(&client, &server, &bob, "POST", orders, Some(order("no", "buy", 600_000))).await.0, 201);
    let (status, resting) = call(&client, &server, &alice, "POST", orders, Some(order("yes", "sell", 900_000))).await;
    assert_eq!((status, resting["order"]["status"].as_str()), (201, Some("open")), "{resting}");

    let (status, positions) = trader.call(&client, &server, "GET", "/trade-api/v2/portfolio/positions", None).await;
    assert_eq!(status, 200, "{positions}");
    let position = &positions["market_positions"][0];
    assert_eq!((&position["ticker"], &position["position"]), (&json!("AUG-1"), &json!(31)), "{positions}");
    assert_eq!(position["resting_orders_count"], 1, "{positions}");
    server.stop().await;
}
