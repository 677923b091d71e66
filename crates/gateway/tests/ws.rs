//! The WebSocket API end to end over loopback: book snapshots and deltas that rebuild the REST
//! book, trades and ticker, signed login and its failures, private streams that reach only their
//! owner, revocation and expiry closing sessions, errors for bad input, gap detection and resync.

mod common;

use augury_gateway::ws::{login_message, WsLimits};
use augury_gateway::{token, GatewayConfig};
use base64::Engine as _;
use common::*;
use ed25519_dalek::{Signer, SigningKey};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

async fn connect(server: &Server) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/v1/ws", server.address)).await.unwrap();
    ws
}

async fn send(ws: &mut Ws, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

/// The next frame that is not a transport ping or pong.
async fn next_frame(ws: &mut Ws) -> Message {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next()).await.expect("a message in time");
        match frame.expect("the socket is open").expect("a frame") {
            Message::Ping(_) | Message::Pong(_) => continue,
            other => return other,
        }
    }
}

/// The next JSON message.
async fn next(ws: &mut Ws) -> Value {
    match next_frame(ws).await {
        Message::Text(text) => serde_json::from_str(text.as_str()).unwrap(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// The close frame the server sends next.
async fn next_close(ws: &mut Ws) -> (u16, String) {
    match next_frame(ws).await {
        Message::Close(Some(frame)) => (u16::from(frame.code), frame.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

/// Proves nothing else is queued for the session: a ping's answer is the very next message
/// (queued stream messages are always written before a reply to a later client message).
async fn expect_quiet(ws: &mut Ws) {
    send(ws, json!({ "op": "ping" })).await;
    let answer = next(ws).await;
    assert_eq!(answer["type"], "pong", "expected nothing before the pong, got {answer}");
}

fn signed_login(credentials: &Credentials, timestamp_ms: u64, nonce: &str) -> Value {
    let message = login_message(credentials.key_id, timestamp_ms, nonce);
    let signature =
        base64::engine::general_purpose::STANDARD.encode(credentials.signing.sign(message.as_bytes()).to_bytes());
    json!({
        "op": "login",
        "key_id": token::format_key_id(credentials.key_id),
        "timestamp_ms": timestamp_ms,
        "nonce": nonce,
        "signature": signature,
    })
}

fn fresh_nonce(tag: &str) -> String {
    format!("ws-{tag}-{}-{}", now_ms(), std::process::id())
}

async fn login(ws: &mut Ws, credentials: &Credentials) {
    send(ws, signed_login(credentials, now_ms(), &fresh_nonce("login"))).await;
    let answer = next(ws).await;
    assert_eq!(answer["type"], "logged_in", "{answer}");
    assert_eq!(answer["account"], credentials.account);
}

fn limit(side: &str, action: &str, price: u64, quantity: u64) -> Value {
    json!({ "market": MARKET, "side": side, "action": action, "price_micros": price, "quantity": quantity })
}

async fn place(client: &reqwest::Client, server: &Server, who: &Credentials, order: Value) -> Value {
    let (status, placed) = call(client, server, who, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!(status, 201, "{placed}");
    placed
}

/// One side of a book: YES price -> (quantity, orders).
type Side = BTreeMap<u64, (u64, u64)>;

fn levels(list: &Value) -> Side {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (l["yes_price_micros"].as_u64().unwrap(), (l["quantity"].as_u64().unwrap(), l["orders"].as_u64().unwrap()))
        })
        .collect()
}

/// A book rebuilt from a snapshot and deltas, checking the seq of each.
struct Mirror {
    seq: u64,
    bids: Side,
    asks: Side,
}

impl Mirror {
    fn from_snapshot(snapshot: &Value) -> Mirror {
        assert_eq!((snapshot["type"].as_str(), snapshot["channel"].as_str()), (Some("snapshot"), Some("book")));
        assert_eq!(snapshot["market"], MARKET);
        let outcome = &snapshot["outcomes"][0];
        assert_eq!(outcome["outcome"], 0);
        Mirror {
            seq: snapshot["seq"].as_u64().unwrap(),
            bids: levels(&outcome["bids"]),
            asks: levels(&outcome["asks"]),
        }
    }

    fn apply(&mut self, delta: &Value) {
        assert_eq!((delta["type"].as_str(), delta["channel"].as_str()), (Some("delta"), Some("book")), "{delta}");
        assert_eq!(delta["seq"].as_u64().unwrap(), self.seq + 1, "deltas are consecutive: {delta}");
        self.seq += 1;
        for change in delta["changes"].as_array().unwrap() {
            assert_eq!(change["outcome"], 0);
            let side = match change["side"].as_str().unwrap() {
                "bid" => &mut self.bids,
                "ask" => &mut self.asks,
                other => panic!("side {other}"),
            };
            let price = change["yes_price_micros"].as_u64().unwrap();
            match change["quantity"].as_u64().unwrap() {
                0 => {
                    side.remove(&price);
                }
                quantity => {
                    side.insert(price, (quantity, change["orders"].as_u64().unwrap()));
                }
            }
        }
    }

    async fn assert_matches_rest(&self, client: &reqwest::Client, server: &Server, who: &Credentials) {
        let (status, book) = call(client, server, who, "GET", "/v1/markets/1/book?depth=10000", None).await;
        assert_eq!(status, 200, "{book}");
        assert_eq!(self.bids, levels(&book["bids"]), "bids: {book}");
        assert_eq!(self.asks, levels(&book["asks"]), "asks: {book}");
    }
}

#[tokio::test]
async fn book_snapshot_then_consecutive_deltas_rebuild_the_rest_book() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut ws = connect(&server).await;
    send(&mut ws, json!({ "op": "subscribe", "channel": "book", "market": MARKET })).await;
    let mut mirror = Mirror::from_snapshot(&next(&mut ws).await);
    assert!(mirror.bids.is_empty() && mirror.asks.is_empty());

    // Each REST call is one batch, and its delta is queued before the call is answered.
    let first = place(&client, &server, &alice, limit("yes", "buy", 400_000, 10)).await;
    mirror.apply(&next(&mut ws).await);
    assert_eq!(mirror.bids, Side::from([(400_000, (10, 1))]));
    place(&client, &server, &alice, limit("yes", "buy", 410_000, 5)).await;
    mirror.apply(&next(&mut ws).await);
    place(&client, &server, &alice, limit("yes", "buy", 400_000, 3)).await;
    mirror.apply(&next(&mut ws).await);
    assert_eq!(mirror.bids[&400_000], (13, 2));
    // Bob's NO bid at 0.55 rests as a YES ask at 0.45.
    let ask = place(&client, &server, &bob, limit("no", "buy", 550_000, 7)).await;
    mirror.apply(&next(&mut ws).await);
    assert_eq!(mirror.asks, Side::from([(450_000, (7, 1))]));
    // Bob's NO bid at 0.60 crosses the YES bids from 0.41 down: 5 at 0.41 (level gone), 1 at 0.40.
    place(&client, &server, &bob, limit("no", "buy", 600_000, 6)).await;
    mirror.apply(&next(&mut ws).await);
    assert!(!mirror.bids.contains_key(&410_000));
    assert_eq!(mirror.bids[&400_000], (12, 2));
    mirror.assert_matches_rest(&client, &server, &alice).await;

    // Amend moves a level; cancel removes one.
    let first_id = first["order"]["order_id"].as_u64().unwrap();
    let (status, _) = call(
        &client,
        &server,
        &alice,
        "PATCH",
        &format!("/v1/portfolio/orders/{first_id}"),
        Some(json!({ "price_micros": 420_000 })),
    )
    .await;
    assert_eq!(status, 200);
    mirror.apply(&next(&mut ws).await);
    let ask_id = ask["order"]["order_id"].as_u64().unwrap();
    let (status, _) = call(&client, &server, &bob, "DELETE", &format!("/v1/portfolio/orders/{ask_id}"), None).await;
    assert_eq!(status, 200);
    mirror.apply(&next(&mut ws).await);
    assert!(mirror.asks.is_empty());
    mirror.assert_matches_rest(&client, &server, &alice).await;

    // An IOC that does not rest and does not trade changes no level: no delta.
    let (status, _) = call(
        &client,
        &server,
        &bob,
        "POST",
        "/v1/portfolio/orders",
        Some(json!({ "market": MARKET, "side": "no", "action": "buy", "price_micros": 100_000, "quantity": 1, "time_in_force": "ioc" })),
    )
    .await;
    assert_eq!(status, 201);
    expect_quiet(&mut ws).await;

    // A second subscriber's snapshot is the first one's mirror, at the same seq.
    let mut late = connect(&server).await;
    send(&mut late, json!({ "op": "subscribe", "channel": "book", "market": MARKET })).await;
    let second = Mirror::from_snapshot(&next(&mut late).await);
    assert_eq!((second.seq, &second.bids, &second.asks), (mirror.seq, &mirror.bids, &mirror.asks));
    server.stop().await;
}

#[tokio::test]
async fn trades_and_ticker_follow_a_match() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut ws = connect(&server).await;
    send(&mut ws, json!({ "op": "subscribe", "channel": "trades", "market": MARKET })).await;
    let subscribed = next(&mut ws).await;
    assert_eq!(
        (subscribed["type"].as_str(), subscribed["channel"].as_str(), subscribed["market"].as_u64()),
        (Some("subscribed"), Some("trades"), Some(1))
    );
    let trades_seq = subscribed["seq"].as_u64().unwrap();
    send(&mut ws, json!({ "op": "subscribe", "channel": "ticker", "market": MARKET })).await;
    let snapshot = next(&mut ws).await;
    assert_eq!((snapshot["type"].as_str(), snapshot["channel"].as_str()), (Some("snapshot"), Some("ticker")));
    assert_eq!(
        snapshot["outcomes"],
        json!([{ "outcome": 0, "yes_bid_micros": null, "yes_ask_micros": null, "last_yes_price_micros": null }])
    );
    let ticker_seq = snapshot["seq"].as_u64().unwrap();

    place(&client, &server, &alice, limit("yes", "buy", 400_000, 10)).await;
    let ticker = next(&mut ws).await;
    assert_eq!(ticker["type"], "ticker");
    assert_eq!(ticker["seq"].as_u64(), Some(ticker_seq + 1));
    assert_eq!((ticker["yes_bid_micros"].as_u64(), ticker["last_yes_price_micros"].as_u64()), (Some(400_000), None));

    // A bid below the best changes no ticker.
    place(&client, &server, &alice, limit("yes", "buy", 300_000, 1)).await;
    expect_quiet(&mut ws).await;

    // Bob buys NO at 0.60 against Alice's YES bid at 0.40: one trade of 6 at YES 0.40.
    place(&client, &server, &bob, limit("no", "buy", 600_000, 6)).await;
    let mut got = [next(&mut ws).await, next(&mut ws).await];
    got.sort_by_key(|m| m["channel"].as_str().map(str::to_string));
    let [ticker, trade] = got;
    assert_eq!(trade["type"], "trade");
    assert_eq!(trade["seq"].as_u64(), Some(trades_seq + 1));
    let (_, rest_trades) = call(&client, &server, &alice, "GET", "/v1/markets/1/trades", None).await;
    assert_eq!(trade["trade"], rest_trades["items"][0], "the stream shows the REST record");
    let trade = &trade["trade"];
    assert_eq!(
        (
            trade["yes_price_micros"].as_u64(),
            trade["quantity"].as_u64(),
            trade["taker_side"].as_str(),
            trade["taker_action"].as_str()
        ),
        (Some(400_000), Some(6), Some("no"), Some("buy"))
    );
    assert_eq!(ticker["type"], "ticker");
    assert_eq!(ticker["seq"].as_u64(), Some(ticker_seq + 2));
    assert_eq!(
        (
            ticker["yes_bid_micros"].as_u64(),
            ticker["yes_ask_micros"].as_u64(),
            ticker["last_yes_price_micros"].as_u64()
        ),
        (Some(400_000), None, Some(400_000))
    );
    expect_quiet(&mut ws).await;
    server.stop().await;
}

#[tokio::test]
async fn login_checks_signature_window_nonce_and_scope() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut ws = connect(&server).await;

    // Private channels need a login.
    send(&mut ws, json!({ "op": "subscribe", "channel": "orders" })).await;
    let error = next(&mut ws).await;
    assert_eq!((error["type"].as_str(), error["code"].as_str()), (Some("error"), Some("login_required")));

    // Signed by someone else's key.
    let mut impostor = alice.clone();
    impostor.signing = SigningKey::from_bytes(&[99; 32]);
    send(&mut ws, signed_login(&impostor, now_ms(), &fresh_nonce("bad"))).await;
    assert_eq!(next(&mut ws).await["code"], "bad_signature");
    // A REST signature (another path) does not log in either.
    let rest = Signed::new("GET", "/v1/portfolio/balance", None);
    send(
        &mut ws,
        json!({ "op": "login", "key_id": token::format_key_id(alice.key_id), "timestamp_ms": rest.timestamp_ms,
                "nonce": rest.nonce, "signature": rest.signature(&alice) }),
    )
    .await;
    assert_eq!(next(&mut ws).await["code"], "bad_signature");
    // Outside the 5 s window.
    send(&mut ws, signed_login(&alice, now_ms() - 60_000, &fresh_nonce("stale"))).await;
    assert_eq!(next(&mut ws).await["code"], "stale_timestamp");
    // Half a signed login, or both kinds at once.
    send(&mut ws, json!({ "op": "login", "key_id": token::format_key_id(alice.key_id) })).await;
    assert_eq!(next(&mut ws).await["code"], "invalid_message");
    // Each failure left the session usable.
    expect_quiet(&mut ws).await;

    let good = signed_login(&alice, now_ms(), &fresh_nonce("good"));
    send(&mut ws, good.clone()).await;
    let answer = next(&mut ws).await;
    assert_eq!(answer["type"], "logged_in");
    assert_eq!(answer["key_id"], token::format_key_id(alice.key_id));
    assert_eq!(answer["account"], alice.account);
    assert_eq!(answer["scopes"], json!(["read", "trade"]));
    send(&mut ws, signed_login(&alice, now_ms(), &fresh_nonce("again"))).await;
    assert_eq!(next(&mut ws).await["code"], "already_logged_in");

    // The captured login replayed on another connection.
    let mut thief = connect(&server).await;
    send(&mut thief, good).await;
    assert_eq!(next(&mut thief).await["code"], "replayed_nonce");
    send(&mut thief, json!({ "op": "subscribe", "channel": "fills" })).await;
    assert_eq!(next(&mut thief).await["code"], "login_required");

    // A bearer token logs in for the (read-only) streams.
    let mut reader = connect(&server).await;
    send(&mut reader, json!({ "op": "login", "token": alice.token })).await;
    assert_eq!(next(&mut reader).await["type"], "logged_in");
    let mut forger = connect(&server).await;
    send(&mut forger, json!({ "op": "login", "token": "aug_0000000000000001_nope" })).await;
    assert_eq!(next(&mut forger).await["code"], "malformed_token");

    // A key without the read scope may not log in.
    let public_hex: String =
        SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let (status, created) = call(
        &client,
        &server,
        &admin,
        "POST",
        "/v1/keys",
        Some(json!({ "scopes": ["trade"], "ed25519_public_key": public_hex, "account": alice.account })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let trade_only = Credentials {
        key_id: token::parse_key_id(created["key"]["key_id"].as_str().unwrap()).unwrap(),
        token: created["token"].as_str().unwrap().to_string(),
        signing: SigningKey::from_bytes(&[7; 32]),
        account: alice.account,
    };
    let mut writer = connect(&server).await;
    send(&mut writer, signed_login(&trade_only, now_ms(), &fresh_nonce("scope"))).await;
    assert_eq!(next(&mut writer).await["code"], "missing_scope");
    server.stop().await;
}

#[tokio::test]
async fn private_orders_and_fills_reach_only_their_owner() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut sessions = Vec::new();
    for who in [&alice, &bob] {
        let mut ws = connect(&server).await;
        login(&mut ws, who).await;
        for channel in ["orders", "fills"] {
            send(&mut ws, json!({ "op": "subscribe", "channel": channel })).await;
            let subscribed = next(&mut ws).await;
            assert_eq!(
                (subscribed["type"].as_str(), subscribed["channel"].as_str()),
                (Some("subscribed"), Some(channel))
            );
            assert!(subscribed.get("market").is_none());
        }
        sessions.push(ws);
    }
    let [mut alice_ws, mut bob_ws] = <[Ws; 2]>::try_from(sessions).ok().unwrap();

    let placed = place(&client, &server, &alice, limit("yes", "buy", 400_000, 10)).await;
    let order_id = placed["order"]["order_id"].as_u64().unwrap();
    let update = next(&mut alice_ws).await;
    assert_eq!((update["type"].as_str(), update["channel"].as_str()), (Some("order"), Some("orders")));
    let orders_seq = update["seq"].as_u64().unwrap();
    assert_eq!(update["order"]["order_id"], order_id);
    assert_eq!(
        (update["order"]["status"].as_str(), update["order"]["remaining_quantity"].as_u64()),
        (Some("open"), Some(10))
    );
    expect_quiet(&mut alice_ws).await;
    expect_quiet(&mut bob_ws).await;

    // Bob takes 6: both hear about their own order and their own fill, nothing of the other's.
    place(&client, &server, &bob, limit("no", "buy", 600_000, 6)).await;
    let mut by_channel = BTreeMap::new();
    for _ in 0..2 {
        let message = next(&mut bob_ws).await;
        by_channel.insert(message["channel"].as_str().unwrap().to_string(), message);
    }
    let (bob_order, bob_fill) = (&by_channel["orders"], &by_channel["fills"]);
    assert_eq!(bob_order["order"]["account"], bob.account);
    assert_eq!(
        (bob_order["order"]["status"].as_str(), bob_order["order"]["filled_quantity"].as_u64()),
        (Some("filled"), Some(6))
    );
    assert_eq!(bob_fill["type"], "fill");
    assert_eq!(bob_fill["fill"]["account"], bob.account);
    assert_eq!(
        (
            bob_fill["fill"]["price_micros"].as_u64(),
            bob_fill["fill"]["quantity"].as_u64(),
            bob_fill["fill"]["is_taker"].as_bool()
        ),
        (Some(600_000), Some(6), Some(true))
    );
    expect_quiet(&mut bob_ws).await;

    let mut by_channel = BTreeMap::new();
    for _ in 0..2 {
        let message = next(&mut alice_ws).await;
        by_channel.insert(message["channel"].as_str().unwrap().to_string(), message);
    }
    let (alice_order, alice_fill) = (&by_channel["orders"], &by_channel["fills"]);
    assert_eq!(alice_order["seq"].as_u64(), Some(orders_seq + 1));
    assert_eq!(alice_order["order"]["order_id"], order_id);
    assert_eq!(
        (alice_order["order"]["remaining_quantity"].as_u64(), alice_order["order"]["filled_quantity"].as_u64()),
        (Some(4), Some(6))
    );
    assert_eq!(
        (
            alice_fill["fill"]["order_id"].as_u64(),
            alice_fill["fill"]["price_micros"].as_u64(),
            alice_fill["fill"]["is_taker"].as_bool()
        ),
        (Some(order_id), Some(400_000), Some(false))
    );
    assert_eq!(alice_fill["fill"]["trade_id"], bob_fill["fill"]["trade_id"]);
    let (_, rest_fills) = call(&client, &server, &alice, "GET", "/v1/portfolio/fills", None).await;
    assert_eq!(alice_fill["fill"], rest_fills["items"][0], "the stream shows the REST record");
    expect_quiet(&mut alice_ws).await;

    // A cancel: the order with its remaining quantity.
    let (status, _) = call(&client, &server, &alice, "DELETE", &format!("/v1/portfolio/orders/{order_id}"), None).await;
    assert_eq!(status, 200);
    let cancelled = next(&mut alice_ws).await;
    assert_eq!(cancelled["seq"].as_u64(), Some(orders_seq + 2));
    assert_eq!(
        (cancelled["order"]["status"].as_str(), cancelled["order"]["remaining_quantity"].as_u64()),
        (Some("cancelled"), Some(4))
    );
    expect_quiet(&mut bob_ws).await;

    // Unsubscribed: no more updates.
    send(&mut alice_ws, json!({ "op": "unsubscribe", "channel": "orders" })).await;
    let unsubscribed = next(&mut alice_ws).await;
    assert_eq!(
        (unsubscribed["type"].as_str(), unsubscribed["seq"].as_u64()),
        (Some("unsubscribed"), Some(orders_seq + 2))
    );
    place(&client, &server, &alice, limit("yes", "buy", 100_000, 1)).await;
    expect_quiet(&mut alice_ws).await;
    server.stop().await;
}

#[tokio::test]
async fn revoking_a_key_closes_its_sessions_at_once() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut bob_ws = connect(&server).await;
    login(&mut bob_ws, &bob).await;
    send(&mut bob_ws, json!({ "op": "subscribe", "channel": "orders" })).await;
    assert_eq!(next(&mut bob_ws).await["type"], "subscribed");
    let mut bob_reader = connect(&server).await;
    send(&mut bob_reader, json!({ "op": "login", "token": bob.token })).await;
    assert_eq!(next(&mut bob_reader).await["type"], "logged_in");
    let mut alice_ws = connect(&server).await;
    login(&mut alice_ws, &alice).await;

    let (status, revoked) =
        call(&client, &server, &admin, "DELETE", &format!("/v1/keys/{}", token::format_key_id(bob.key_id)), None).await;
    assert_eq!(status, 200, "{revoked}");
    // When the revocation is answered, both of Bob's sessions are already closed.
    for ws in [&mut bob_ws, &mut bob_reader] {
        let (code, reason) = next_close(ws).await;
        assert_eq!(code, 4001);
        assert!(reason.contains("revoked"), "{reason}");
    }
    expect_quiet(&mut alice_ws).await;
    let mut again = connect(&server).await;
    send(&mut again, signed_login(&bob, now_ms(), &fresh_nonce("revoked"))).await;
    assert_eq!(next(&mut again).await["code"], "revoked_key");
    server.stop().await;
}

#[tokio::test]
async fn an_expiring_key_closes_its_session() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let (status, created) = call(
        &client,
        &server,
        &admin,
        "POST",
        "/v1/keys",
        Some(json!({ "scopes": ["read"], "account": alice.account, "expires_ms": now_ms() + 1_500 })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let mut ws = connect(&server).await;
    send(&mut ws, json!({ "op": "login", "token": created["token"] })).await;
    assert_eq!(next(&mut ws).await["type"], "logged_in");
    let (code, reason) = next_close(&mut ws).await;
    assert_eq!(code, 4002, "{reason}");
    server.stop().await;
}

#[tokio::test]
async fn bad_input_gets_an_error_and_the_session_stays_open() {
    let config =
        GatewayConfig { ws: WsLimits { max_subscriptions: 2, ..WsLimits::default() }, ..GatewayConfig::default() };
    let (server, _admin, _alice, _bob) = start(config).await;
    let mut ws = connect(&server).await;
    let cases: Vec<(Message, &str)> = vec![
        (Message::text("{not json"), "invalid_json"),
        (Message::text("[1,2]"), "invalid_message"),
        (Message::text(r#"{"channel":"book"}"#), "invalid_message"),
        (Message::text(r#"{"op":"dance"}"#), "unknown_op"),
        (Message::text(r#"{"op":"subscribe","channel":"gossip","market":1}"#), "unknown_channel"),
        (Message::text(r#"{"op":"subscribe","channel":"book","market":9}"#), "unknown_market"),
        (Message::text(r#"{"op":"subscribe","channel":"book"}"#), "invalid_message"),
        (Message::text(r#"{"op":"subscribe","channel":"book","market":-1}"#), "invalid_message"),
        (Message::text(r#"{"op":"subscribe","channel":"book","market":1,"depth":5}"#), "invalid_message"),
        (Message::text(r#"{"op":"subscribe","channel":"orders"}"#), "login_required"),
        (Message::text(r#"{"op":"unsubscribe","channel":"trades","market":1}"#), "not_subscribed"),
        (Message::text(format!(r#"{{"op":"ping","pad":"{}"}}"#, "x".repeat(5_000))), "message_too_large"),
        (Message::binary(vec![1, 2, 3]), "binary_not_supported"),
    ];
    for (message, code) in cases {
        let shown = format!("{message:?}").chars().take(80).collect::<String>();
        ws.send(message).await.unwrap();
        let error = next(&mut ws).await;
        assert_eq!((error["type"].as_str(), error["code"].as_str()), (Some("error"), Some(code)), "{shown}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    send(&mut ws, json!({ "op": "subscribe", "channel": "book", "market": 9 })).await;
    let error = next(&mut ws).await;
    assert_eq!(
        (error["op"].as_str(), error["channel"].as_str(), error["market"].as_u64()),
        (Some("subscribe"), Some("book"), Some(9))
    );

    // At most two subscriptions (subscribing again to one held is a resync, not a third).
    for channel in ["book", "trades", "book"] {
        send(&mut ws, json!({ "op": "subscribe", "channel": channel, "market": MARKET })).await;
        assert_ne!(next(&mut ws).await["type"], "error");
    }
    send(&mut ws, json!({ "op": "subscribe", "channel": "ticker", "market": MARKET })).await;
    assert_eq!(next(&mut ws).await["code"], "too_many_subscriptions");
    expect_quiet(&mut ws).await;

    // Plain HTTP on the WebSocket route is refused in the API's error shape.
    let (status, body) = read(reqwest::get(server.url("/v1/ws")).await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (400, "websocket_required"));
    server.stop().await;
}

#[tokio::test]
async fn a_gap_is_detected_by_seq_and_resubscribing_resyncs() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut ws = connect(&server).await;
    send(&mut ws, json!({ "op": "subscribe", "channel": "book", "market": MARKET })).await;
    let mut mirror = Mirror::from_snapshot(&next(&mut ws).await);
    for price in [300_000, 310_000, 320_000] {
        place(&client, &server, &alice, limit("yes", "buy", price, 1)).await;
    }
    mirror.apply(&next(&mut ws).await);
    // The client loses a message (as after a dropped frame) and sees the gap by seq.
    let lost = next(&mut ws).await;
    let after = next(&mut ws).await;
    assert_eq!(after["seq"].as_u64(), Some(lost["seq"].as_u64().unwrap() + 1));
    assert_ne!(after["seq"].as_u64(), Some(mirror.seq + 1), "the gap is visible");

    // Resync: subscribe again (no unsubscribe needed). The numbering continues.
    send(&mut ws, json!({ "op": "subscribe", "channel": "book", "market": MARKET })).await;
    let resynced = Mirror::from_snapshot(&next(&mut ws).await);
    assert_eq!(resynced.seq, after["seq"].as_u64().unwrap());
    resynced.assert_matches_rest(&client, &server, &alice).await;
    let mut mirror = resynced;
    place(&client, &server, &alice, limit("yes", "buy", 330_000, 1)).await;
    mirror.apply(&next(&mut ws).await);

    // Unsubscribed, the stream's seq stands still; subscribing again continues from it with a
    // snapshot that includes what happened meanwhile.
    send(&mut ws, json!({ "op": "unsubscribe", "channel": "book", "market": MARKET })).await;
    let unsubscribed = next(&mut ws).await;
    assert_eq!((unsubscribed["type"].as_str(), unsubscribed["seq"].as_u64()), (Some("unsubscribed"), Some(mirror.seq)));
    place(&client, &server, &alice, limit("yes", "buy", 340_000, 1)).await;
    expect_quiet(&mut ws).await;
    send(&mut ws, json!({ "op": "subscribe", "channel": "book", "market": MARKET })).await;
    let fresh = Mirror::from_snapshot(&next(&mut ws).await);
    assert_eq!(fresh.seq, mirror.seq);
    assert_eq!(fresh.bids.len(), 5);
    fresh.assert_matches_rest(&client, &server, &alice).await;
    server.stop().await;
}

#[tokio::test]
async fn stopping_the_server_closes_sessions() {
    let (server, _admin, _alice, _bob) = start(GatewayConfig::default()).await;
    let mut ws = connect(&server).await;
    expect_quiet(&mut ws).await;
    let stopping = tokio::spawn(server.stop());
    let (code, _) = next_close(&mut ws).await;
    assert_eq!(code, 1001);
    drop(ws);
    stopping.await.unwrap();
}

#[tokio::test]
async fn sessions_per_address_are_limited() {
    let config =
        GatewayConfig { ws: WsLimits { max_sessions_per_ip: 1, ..WsLimits::default() }, ..GatewayConfig::default() };
    let (server, _admin, _alice, _bob) = start(config).await;
    let mut first = connect(&server).await;
    expect_quiet(&mut first).await;
    match tokio_tungstenite::connect_async(format!("ws://{}/v1/ws", server.address)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("expected a refusal, got {:?}", other.map(|(_, response)| response.status())),
    }
    // Its slot is free again once the first session ends.
    first.close(None).await.unwrap();
    while first.next().await.is_some() {}
    let mut second = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok((ws, _)) = tokio_tungstenite::connect_async(format!("ws://{}/v1/ws", server.address)).await {
                return ws;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the slot is freed");
    expect_quiet(&mut second).await;
    server.stop().await;
}
