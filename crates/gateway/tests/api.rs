//! The REST API end to end, over loopback, through the public API only: trading, every
//! authentication failure, idempotency, rate limits and a full queue.

mod common;

use augury_gateway::ratelimit::Rate;
use augury_gateway::GatewayConfig;
use common::*;
use serde_json::{json, Value};

fn limit(side: &str, action: &str, price: u64, quantity: u64) -> Value {
    json!({ "market": MARKET, "side": side, "action": action, "price_micros": price, "quantity": quantity })
}

#[tokio::test]
async fn place_match_cancel_and_read_back() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();

    let (status, placed) =
        call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(limit("yes", "buy", 400_000, 10))).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["order"]["status"], "open");
    assert_eq!(placed["replay"], false);
    let resting = placed["order"]["order_id"].as_u64().unwrap();

    // Bob buys NO at 0.60: with Alice's YES bid at 0.40 that mints 6 sets.
    let (status, taken) =
        call(&client, &server, &bob, "POST", "/v1/portfolio/orders", Some(limit("no", "buy", 600_000, 6))).await;
    assert_eq!(status, 201, "{taken}");
    assert_eq!(taken["order"]["status"], "filled");
    assert_eq!(taken["fills"].as_array().unwrap().len(), 1);
    assert_eq!(taken["fills"][0]["price_micros"], 600_000);

    let (_, order) = call(&client, &server, &alice, "GET", &format!("/v1/portfolio/orders/{resting}"), None).await;
    assert_eq!(order["filled_quantity"], 6);
    assert_eq!(order["remaining_quantity"], 4);
    let (_, balance) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(balance["reserved_micros"], 4 * 400_000);
    assert_eq!(balance["available_micros"], 1_000_000_000 - 10 * 400_000);
    let (_, positions) = call(&client, &server, &bob, "GET", "/v1/portfolio/positions", None).await;
    assert_eq!(
        positions,
        json!([{ "market": 1, "outcome": 0, "yes": 0, "no": 6, "yes_reserved": 0, "no_reserved": 0 }])
    );
    let (_, fills) = call(&client, &server, &alice, "GET", "/v1/portfolio/fills", None).await;
    assert_eq!(fills["items"][0]["quantity"], 6);
    let (_, trades) = call(&client, &server, &alice, "GET", "/v1/markets/1/trades", None).await;
    assert_eq!(trades["items"][0]["yes_price_micros"], 400_000);

    // Someone else's order is invisible; one's own can be amended and cancelled.
    let (status, body) = call(&client, &server, &bob, "DELETE", &format!("/v1/portfolio/orders/{resting}"), None).await;
    assert_eq!((status, error_code(&body)), (404, "unknown_order"));
    let (status, amended) = call(
        &client,
        &server,
        &alice,
        "PATCH",
        &format!("/v1/portfolio/orders/{resting}"),
        Some(json!({ "remaining_quantity": 2 })),
    )
    .await;
    assert_eq!((status, amended["remaining_quantity"].as_u64()), (200, Some(2)));
    let (status, cancelled) =
        call(&client, &server, &alice, "DELETE", &format!("/v1/portfolio/orders/{resting}"), None).await;
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("cancelled")));
    let (_, balance) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(balance["reserved_micros"], 0);

    let (_, book) = call(&client, &server, &alice, "GET", "/v1/markets/1/book", None).await;
    assert_eq!(book["bids"], json!([]));

    // Everything survives a restart: the history is rebuilt from the journal.
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let (_, order) = call(&client, &server, &alice, "GET", &format!("/v1/portfolio/orders/{resting}"), None).await;
    assert_eq!(order["status"], "cancelled");
    assert_eq!(order["filled_quantity"], 6);
    server.stop().await;
}

#[tokio::test]
async fn bad_requests_get_specific_errors_and_change_nothing() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let cases = [
        (
            json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": 400_000, "quantity": 1, "colour": "red" }),
            400,
            "invalid_json",
        ),
        (json!({ "market": 1, "side": "yes", "action": "buy", "quantity": 1 }), 400, "invalid_order"),
        (
            json!({ "market": 9, "side": "yes", "action": "buy", "price_micros": 400_000, "quantity": 1 }),
            404,
            "unknown_market",
        ),
        (
            json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": 405_000, "quantity": 1 }),
            400,
            "price_off_tick",
        ),
        (
            json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": 400_000, "quantity": 0 }),
            400,
            "quantity_not_positive",
        ),
        (
            json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": 900_000, "quantity": 100_000 }),
            422,
            "insufficient_funds",
        ),
        (
            json!({ "market": 1, "side": "yes", "action": "sell", "price_micros": 400_000, "quantity": 1 }),
            422,
            "insufficient_shares",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(body.clone())).await;
        assert_eq!((got, error_code(&answer)), (status, code), "{body} -> {answer}");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/portfolio/orders?colour=red", None).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_query"));
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/nowhere", None).await;
    assert_eq!((status, error_code(&body)), (404, "not_found"));
    let big = json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": 400_000, "quantity": 1, "client_order_id": "x".repeat(70_000) });
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(big)).await;
    assert_eq!((status, error_code(&body)), (413, "body_too_large"));
    let (_, orders) = call(&client, &server, &alice, "GET", "/v1/portfolio/orders", None).await;
    assert_eq!(orders["items"], json!([]), "no refused order left a trace");
    server.stop().await;
}

#[tokio::test]
async fn every_authentication_failure_is_refused() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let order = limit("yes", "buy", 300_000, 1);

    let plain = client.get(server.url("/v1/portfolio/balance")).send().await.unwrap();
    let (status, body) = read(plain).await;
    assert_eq!((status, error_code(&body)), (401, "missing_credentials"));

    // A signature over other bytes.
    let request = Signed::new("POST", "/v1/portfolio/orders", Some(&order));
    let mut spoiled = Signed::new("POST", "/v1/portfolio/orders", Some(&limit("yes", "buy", 300_000, 2)));
    spoiled.nonce = request.nonce.clone();
    spoiled.timestamp_ms = request.timestamp_ms;
    let (status, body) =
        read(request.request(&client, &server, &alice, &spoiled.signature(&alice)).send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (401, "bad_signature"));
    // Signed by another key's holder.
    let (status, body) =
        read(request.request(&client, &server, &alice, &request.signature(&admin)).send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (401, "bad_signature"));

    let mut stale = Signed::new("GET", "/v1/portfolio/balance", None);
    stale.timestamp_ms -= 6_000;
    let (status, body) = stale.send(&client, &server, &alice).await;
    assert_eq!((status, error_code(&body)), (401, "stale_timestamp"));
    let mut future = Signed::new("GET", "/v1/portfolio/balance", None);
    future.timestamp_ms += 6_000;
    assert_eq!(error_code(&future.send(&client, &server, &alice).await.1), "stale_timestamp");

    let once = Signed::new("GET", "/v1/portfolio/balance", None);
    assert_eq!(once.send(&client, &server, &alice).await.0, 200);
    let (status, body) = once.send(&client, &server, &alice).await;
    assert_eq!((status, error_code(&body)), (401, "replayed_nonce"));

    // Bearer tokens read but never trade; a mistyped token is caught by its check.
    let bearer = |token: &str, method: reqwest::Method, path: &str| {
        client.request(method, server.url(path)).header("Authorization", format!("Bearer {token}"))
    };
    assert_eq!(bearer(&alice.token, reqwest::Method::GET, "/v1/portfolio/balance").send().await.unwrap().status(), 200);
    let (status, body) =
        read(bearer(&alice.token, reqwest::Method::POST, "/v1/portfolio/orders").json(&order).send().await.unwrap())
            .await;
    assert_eq!((status, error_code(&body)), (401, "signature_required"));
    let typo = alice.token.replacen('a', "b", 1);
    let (status, body) = read(bearer(&typo, reqwest::Method::GET, "/v1/portfolio/balance").send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(matches!(error_code(&body), "malformed_token" | "unknown_key" | "bad_token"), "{body}");

    // A read-only key cannot trade; only admins create markets.
    let (status, created) =
        call(&client, &server, &alice, "POST", "/v1/keys", Some(json!({ "label": "reader" }))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["key"]["scopes"], json!(["read"]));
    let reader = Credentials {
        key_id: u64::from_str_radix(created["key"]["key_id"].as_str().unwrap(), 16).unwrap(),
        token: created["token"].as_str().unwrap().to_string(),
        signing: alice.signing.clone(),
        account: alice.account,
    };
    let (status, body) = call(&client, &server, &reader, "POST", "/v1/portfolio/orders", Some(order.clone())).await;
    assert_eq!((status, error_code(&body)), (401, "bad_signature"), "the reader key has no public key of alice's");
    let spec = json!({ "market": 7, "kind": "binary", "tick_micros": 10_000 });
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/markets", Some(spec.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    // Unknown fields are refused at every depth of the body, as at the top.
    for spoiled in [
        json!({ "market": 8, "kind": { "scalar": { "floor": 0, "cap": 9, "unit": "x" } }, "tick_micros": 10_000 }),
        json!({ "market": 8, "kind": "binary", "tick_micros": 10_000,
                "fees": { "maker": "zero", "taker": "zero", "rebate": "zero" } }),
        json!({ "market": 8, "kind": "binary", "tick_micros": 10_000,
                "fees": { "maker": "zero", "taker": { "quadratic": { "rate_ppm": 1, "rounding_micros": 1, "cap": 2 } } } }),
    ] {
        let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets", Some(spoiled.clone())).await;
        assert_eq!((status, error_code(&body)), (400, "invalid_json"), "{spoiled}: {body}");
    }
    let (status, _) = call(&client, &server, &admin, "POST", "/v1/markets", Some(spec)).await;
    assert_eq!(status, 201);

    // Revocation is effective at once.
    let (status, _) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(status, 200);
    let key_id = augury_gateway::token::format_key_id(alice.key_id);
    let (status, revoked) = call(&client, &server, &admin, "DELETE", &format!("/v1/keys/{key_id}"), None).await;
    assert_eq!(status, 200, "{revoked}");
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!((status, error_code(&body)), (401, "revoked_key"));
    let (status, body) =
        read(bearer(&alice.token, reqwest::Method::GET, "/v1/portfolio/balance").send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (401, "revoked_key"));
    server.stop().await;
}

#[tokio::test]
async fn an_ip_allowlist_and_expiry_are_enforced() {
    let (server, admin, _alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let signing = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let public = augury_gateway::token::hex(&signing.verifying_key().to_bytes());
    let (status, created) = call(
        &client,
        &server,
        &admin,
        "POST",
        "/v1/keys",
        Some(json!({ "scopes": ["read", "trade"], "ed25519_public_key": public, "ip_allowlist": ["10.0.0.0/8"], "new_account": true })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let elsewhere = Credentials {
        key_id: u64::from_str_radix(created["key"]["key_id"].as_str().unwrap(), 16).unwrap(),
        token: created["token"].as_str().unwrap().to_string(),
        signing,
        account: created["key"]["account"].as_u64().unwrap(),
    };
    let (status, body) = call(&client, &server, &elsewhere, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!((status, error_code(&body)), (403, "ip_not_allowed"));
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/keys", Some(json!({ "expires_ms": 1 }))).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_expiry"));
    server.stop().await;
}

#[tokio::test]
async fn client_order_ids_make_placement_idempotent() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut order = limit("yes", "buy", 300_000, 5);
    order["client_order_id"] = json!("retry-me-1");

    let (status, first) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order.clone())).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!((first["order"]["status"].as_str(), first["current_status"].as_str()), (Some("open"), Some("open")));
    let (status, again) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order.clone())).await;
    assert_eq!(status, 200);
    assert_eq!(again["replay"], true);
    assert_eq!(again["order"]["order_id"], first["order"]["order_id"]);

    // The 422 names the body fields that differ, as the request spells them.
    let conflict = |change: Value| {
        let mut changed = order.clone();
        for (name, value) in change.as_object().unwrap() {
            changed[name] = value.clone();
        }
        changed
    };
    let cases = [
        (json!({ "price_micros": 310_000 }), json!(["price_micros"])),
        (json!({ "quantity": 6, "price_micros": 310_000 }), json!(["price_micros", "quantity"])),
        // A market order's time in force defaults to ioc, so that differs too.
        (json!({ "type": "market", "price_micros": null }), json!(["type", "price_micros", "time_in_force"])),
        (
            json!({ "time_in_force": "gtd", "expires_at_ms": now_ms() + 3_600_000 }),
            json!(["time_in_force", "expires_at_ms"]),
        ),
        (json!({ "time_in_force": "ioc" }), json!(["time_in_force"])),
        (json!({ "side": "no", "post_only": true }), json!(["side", "post_only"])),
    ];
    for (change, fields) in cases {
        let changed = conflict(change.clone());
        let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(changed)).await;
        assert_eq!((status, error_code(&body)), (422, "client_order_id_conflict"), "{change}: {body}");
        assert_eq!(body["error"]["details"]["differing_fields"], fields, "{change}: {body}");
    }

    let (status, by_id) =
        call(&client, &server, &alice, "GET", "/v1/portfolio/orders/by-client-id/retry-me-1", None).await;
    assert_eq!((status, by_id["order_id"].clone()), (200, first["order"]["order_id"].clone()));

    // A retry answers the order as its placement left it, and its status now beside it.
    let id = first["order"]["order_id"].as_u64().unwrap();
    let (status, _) = call(&client, &server, &alice, "DELETE", &format!("/v1/portfolio/orders/{id}"), None).await;
    assert_eq!(status, 200);
    let (status, again) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order.clone())).await;
    assert_eq!((status, again["replay"].as_bool()), (200, Some(true)), "{again}");
    assert_eq!(again["order"]["status"], "open", "{again}");
    assert_eq!(again["current_status"], "cancelled", "{again}");

    // The record is journaled with the order: a restart still answers the retry as a replay.
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let (status, after) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!((status, after["replay"].as_bool()), (200, Some(true)));
    assert_eq!(after["current_status"], "cancelled", "{after}");
    let (_, orders) = call(&client, &server, &alice, "GET", "/v1/portfolio/orders", None).await;
    assert_eq!(orders["items"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_retries_create_one_order() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let mut order = limit("yes", "buy", 300_000, 3);
    order["client_order_id"] = json!("storm");
    let server = std::sync::Arc::new(server);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (client, server, alice, order) =
            (client.clone(), std::sync::Arc::clone(&server), alice.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order)).await
        }));
    }
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            201 => created += 1,
            200 => assert_eq!(body["replay"], true),
            409 => {
                assert_eq!(error_code(&body), "order_in_flight");
                continue;
            }
            other => panic!("unexpected {other}: {body}"),
        }
        ids.insert(body["order"]["order_id"].as_u64().unwrap());
    }
    assert_eq!(created, 1, "exactly one request created the order");
    assert_eq!(ids.len(), 1, "every answer names the same order");
    let (_, orders) = call(&client, &server, &alice, "GET", "/v1/portfolio/orders", None).await;
    assert_eq!(orders["items"].as_array().unwrap().len(), 1);
    std::sync::Arc::try_unwrap(server).ok().unwrap().stop().await;
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let config = GatewayConfig { per_key: Rate { per_second: 1.0, burst: 3.0 }, ..GatewayConfig::default() };
    let (server, _admin, alice, bob) = start(config).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await.0, 200);
    }
    let request = Signed::new("GET", "/v1/portfolio/balance", None);
    let response = request.request(&client, &server, &alice, &request.signature(&alice)).send().await.unwrap();
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    let (status, body) = read(response).await;
    assert_eq!((status, error_code(&body)), (429, "rate_limited"));
    assert_eq!(call(&client, &server, &bob, "GET", "/v1/portfolio/balance", None).await.0, 200, "limits are per key");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_retry_after() {
    let config = GatewayConfig { queue_capacity: 1, ..GatewayConfig::default() };
    let (server, _admin, alice, _bob) = start(config).await;
    let client = reqwest::Client::new();
    // Hold the sequencer thread inside a read, then fill its one queue slot.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (entered_tx, entered) = tokio::sync::oneshot::channel::<()>();
    let handle = server.gateway.state.sequencer.clone();
    let blocker = tokio::spawn(async move {
        handle
            .query(move |_| {
                let _ = entered_tx.send(());
                let _ = held.recv();
            })
            .await
    });
    entered.await.unwrap();
    let filler = server.gateway.state.sequencer.clone();
    let queued = tokio::spawn(async move { filler.query(|_| ()).await });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let request = Signed::new("POST", "/v1/portfolio/orders", Some(&limit("yes", "buy", 300_000, 1)));
    let response = request.request(&client, &server, &alice, &request.signature(&alice)).send().await.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    let (status, body) = read(response).await;
    assert_eq!((status, error_code(&body)), (503, "overloaded"));
    release.send(()).unwrap();
    blocker.await.unwrap().unwrap();
    queued.await.unwrap().unwrap();
    let (status, _) =
        call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(limit("yes", "buy", 300_000, 1))).await;
    assert_eq!(status, 201, "once the queue drains, orders are accepted again");
    server.stop().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    assert_eq!(client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(server.url("/readyz")).send().await.unwrap().status(), 200);
    call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(limit("yes", "buy", 300_000, 1))).await;
    let metrics = client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("augury_orders_placed_total 1"), "{metrics}");
    assert!(metrics.contains("augury_journal_commit_seconds_count"));
    assert!(metrics.contains("augury_sequencer_queue_depth 0"));
    assert!(metrics.contains("augury_ws_sessions 0"), "{metrics}");
    assert!(!metrics.contains(&alice.token), "no secret in the metrics");
    server.stop().await;
}

#[test]
fn the_signed_message_is_exactly_as_documented() {
    let message = augury_gateway::auth::signing_message(
        0xab,
        1_700_000_000_000,
        "n1",
        "POST",
        "/v1/portfolio/orders",
        "a=1",
        b"{}",
    );
    assert_eq!(
        message,
        "augury-v1\n00000000000000ab\n1700000000000\nn1\nPOST\n/v1/portfolio/orders\na=1\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
}

/// `POST /v1/keys` registers an RSA public key for the Kalshi-compatible surface (a trading key
/// needs no Ed25519 key then); a malformed one is refused and creates nothing.
#[tokio::test]
async fn keys_may_carry_an_rsa_public_key() {
    let (server, admin, _alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let pem = include_str!("fixtures/kalshi-test-rsa-1.pub.pem");
    let body = json!({ "scopes": ["read", "trade"], "rsa_public_key": pem, "new_account": true });
    let (status, created) = call(&client, &server, &admin, "POST", "/v1/keys", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["key"]["rsa_public_key_sha256"].as_str().map(str::len), Some(64), "{created}");
    assert!(created["key"]["ed25519_public_key"].is_null());
    let before = server.gateway.state.auth.key_count();
    let bad = json!({ "scopes": ["read", "trade"], "rsa_public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" });
    let (status, refused) = call(&client, &server, &admin, "POST", "/v1/keys", Some(bad)).await;
    assert_eq!((status, error_code(&refused)), (400, "invalid_public_key"), "{refused}");
    assert_eq!(server.gateway.state.auth.key_count(), before);
    server.stop().await;
}

/// A position is listed while the account holds or has reserved any contract of it: `yes` and
/// `no` are the free contracts, `*_reserved` those held by resting sells.
#[tokio::test]
async fn a_fully_reserved_position_is_still_listed() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let orders = "/v1/portfolio/orders";
    assert_eq!(call(&client, &server, &alice, "POST", orders, Some(limit("yes", "buy", 400_000, 31))).await.0, 201);
    let (status, taken) = call(&client, &server, &bob, "POST", orders, Some(limit("no", "buy", 600_000, 31))).await;
    assert_eq!((status, taken["order"]["status"].as_str()), (201, Some("filled")), "{taken}");

    let (status, resting) =
        call(&client, &server, &alice, "POST", orders, Some(limit("yes", "sell", 900_000, 30))).await;
    assert_eq!((status, resting["order"]["status"].as_str()), (201, Some("open")), "{resting}");
    let (_, positions) = call(&client, &server, &alice, "GET", "/v1/portfolio/positions", None).await;
    assert_eq!(
        positions,
        json!([{ "market": 1, "outcome": 0, "yes": 1, "no": 0, "yes_reserved": 30, "no_reserved": 0 }])
    );

    let (status, _) = call(&client, &server, &alice, "POST", orders, Some(limit("yes", "sell", 900_000, 1))).await;
    assert_eq!(status, 201);
    let all_reserved = json!([{ "market": 1, "outcome": 0, "yes": 0, "no": 0, "yes_reserved": 31, "no_reserved": 0 }]);
    for path in ["/v1/portfolio/positions", "/v1/portfolio/positions?market=1"] {
        let (status, positions) = call(&client, &server, &alice, "GET", path, None).await;
        assert_eq!((status, &positions), (200, &all_reserved), "{path}");
    }
    server.stop().await;
}

/// A body that is not UTF-8 is not JSON (RFC 8259 section 8.1): refused as such, whatever bytes
/// it holds and wherever they are.
#[tokio::test]
async fn a_body_that_is_not_utf8_is_refused_as_invalid_json() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let send = |credentials: &Credentials, path: &'static str, body: Vec<u8>| {
        let timestamp_ms = now_ms();
        let nonce = format!("latin1-{timestamp_ms}-{}", body.len());
        let message =
            augury_gateway::auth::signing_message(credentials.key_id, timestamp_ms, &nonce, "POST", path, "", &body);
        use ed25519_dalek::Signer as _;
        let signature = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            credentials.signing.sign(message.as_bytes()).to_bytes(),
        );
        client
            .post(server.url(path))
            .header("Augury-Key", augury_gateway::token::format_key_id(credentials.key_id))
            .header("Augury-Timestamp", timestamp_ms.to_string())
            .header("Augury-Nonce", nonce)
            .header("Augury-Signature", signature)
            .header("content-type", "application/json")
            .body(body)
    };
    // "café" in Latin-1, in a string value; a lone continuation byte; UTF-16 with its BOM; a body whose
    // only odd byte is outside any string; and Latin-1 in a string the parser skips (a field the
    // core's FeeSchedule ignores), which today's parser accepted without looking at its bytes.
    let market = b"{\"market\":5,\"kind\":\"binary\",\"tick_micros\":10000,\"fees\":{\"maker\":\"zero\",\"taker\":\"zero\",\"note\":\"caf\xe9\"}}";
    let cases: [(&Credentials, &'static str, Vec<u8>); 5] = [
        (&admin, "/v1/markets", market.to_vec()),
        (&admin, "/v1/keys", b"{\"label\":\"caf\xe9\"}".to_vec()),
        (&alice, "/v1/portfolio/orders", b"{\"market\":1,\"side\":\"yes\",\"action\":\"buy\",\"price_micros\":400000,\"quantity\":1,\"client_order_id\":\"a\x80\"}".to_vec()),
        (&admin, "/v1/keys", [0xff, 0xfe].into_iter().chain("{\"label\":\"x\"}".encode_utf16().flat_map(u16::to_le_bytes)).collect()),
        (&admin, "/v1/keys", b"{\"label\":\"x\"}\xff".to_vec()),
    ];
    for (credentials, path, body) in cases {
        let (status, answer) = read(send(credentials, path, body.clone()).send().await.unwrap()).await;
        assert_eq!((status, error_code(&answer)), (400, "invalid_json"), "{body:?} -> {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains("UTF-8"), "{answer}");
    }
    let (_, keys) = call(&client, &server, &admin, "GET", "/v1/keys", None).await;
    assert_eq!(keys.as_array().map(Vec::len), Some(3), "no key was made: {keys}");
    let (status, _) = call(&client, &server, &admin, "GET", "/v1/markets/5", None).await;
    assert_eq!(status, 404, "no market was made");
    server.stop().await;
}

/// Query values outside their documented range are refused with 400 `invalid_query`, naming the
/// parameter and its range, never clamped.
#[tokio::test]
async fn query_values_outside_their_range_are_refused() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let refused = [
        ("/v1/markets/1/book?depth=0", "depth", "1 to 10000"),
        ("/v1/markets/1/book?depth=10001", "depth", "1 to 10000"),
        ("/v1/portfolio/orders?limit=0", "limit", "1 to 1000"),
        ("/v1/portfolio/orders?limit=1001", "limit", "1 to 1000"),
        ("/v1/portfolio/fills?limit=0", "limit", "1 to 1000"),
        ("/v1/portfolio/settlements?limit=5000", "limit", "1 to 1000"),
        ("/v1/markets/1/trades?limit=0", "limit", "1 to 1000"),
        ("/v1/markets/1/candles?start_ms=10&end_ms=10", "start_ms", "end_ms"),
    ];
    for (path, name, range) in refused {
        let (status, body) = call(&client, &server, &alice, "GET", path, None).await;
        assert_eq!((status, error_code(&body)), (400, "invalid_query"), "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(name) && message.contains(range), "{path}: {message}");
    }
    // An outcome the market does not have, on the book and on the candles alike.
    for path in ["/v1/markets/1/book?outcome=1", "/v1/markets/1/candles?outcome=1"] {
        let (status, body) = call(&client, &server, &alice, "GET", path, None).await;
        assert_eq!((status, error_code(&body)), (400, "unknown_outcome"), "{path}: {body}");
    }
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/markets/9/candles", None).await;
    assert_eq!((status, error_code(&body)), (404, "unknown_market"), "{body}");
    // The ends of each range are accepted.
    for path in [
        "/v1/markets/1/book?depth=1",
        "/v1/markets/1/book?depth=10000",
        "/v1/portfolio/orders?limit=1",
        "/v1/portfolio/orders?limit=1000",
        "/v1/markets/1/candles?outcome=0&start_ms=0&end_ms=1",
    ] {
        let (status, body) = call(&client, &server, &alice, "GET", path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // A route that takes no query parameters refuses one rather than ignore a misspelling.
    let (status, body) = read(client.get(server.url("/v1/markets?limt=5")).send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_query"), "{body}");
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance?acount=1", None).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_query"), "{body}");
    server.stop().await;
}

/// `GET /v1/portfolio/fills?market=M` lists only that market's fills, and pages within it.
#[tokio::test]
async fn fills_can_be_filtered_by_market() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let spec = json!({ "market": 2, "kind": "binary", "tick_micros": 10_000 });
    assert_eq!(call(&client, &server, &admin, "POST", "/v1/markets", Some(spec)).await.0, 201);
    let orders = "/v1/portfolio/orders";
    // Alternating markets: 1, 2, 1, 2, 1.
    for n in 0..5u64 {
        let market = 1 + n % 2;
        let buy =
            json!({ "market": market, "side": "yes", "action": "buy", "price_micros": 400_000, "quantity": n + 1 });
        let sell =
            json!({ "market": market, "side": "no", "action": "buy", "price_micros": 600_000, "quantity": n + 1 });
        assert_eq!(call(&client, &server, &alice, "POST", orders, Some(buy)).await.0, 201);
        let (status, taken) = call(&client, &server, &bob, "POST", orders, Some(sell)).await;
        assert_eq!((status, taken["fills"].as_array().map(Vec::len)), (201, Some(1)), "{taken}");
    }
    let markets = |page: &Value| {
        page["items"].as_array().unwrap().iter().map(|f| f["market"].as_u64().unwrap()).collect::<Vec<_>>()
    };
    let quantities = |page: &Value| {
        page["items"].as_array().unwrap().iter().map(|f| f["quantity"].as_u64().unwrap()).collect::<Vec<_>>()
    };
    let (_, all) = call(&client, &server, &alice, "GET", "/v1/portfolio/fills", None).await;
    assert_eq!(markets(&all), [1, 2, 1, 2, 1]);
    let (_, one) = call(&client, &server, &alice, "GET", "/v1/portfolio/fills?market=1", None).await;
    assert_eq!((markets(&one), quantities(&one)), (vec![1, 1, 1], vec![5, 3, 1]));
    let (_, two) = call(&client, &server, &bob, "GET", "/v1/portfolio/fills?market=2", None).await;
    assert_eq!((markets(&two), quantities(&two)), (vec![2, 2], vec![4, 2]));
    // Paging stays inside the market.
    let (_, first) = call(&client, &server, &alice, "GET", "/v1/portfolio/fills?market=1&limit=2", None).await;
    assert_eq!(quantities(&first), [5, 3]);
    let cursor = first["next_cursor"].as_u64().unwrap();
    let path = format!("/v1/portfolio/fills?market=1&limit=2&cursor={cursor}");
    let (_, second) = call(&client, &server, &alice, "GET", &path, None).await;
    assert_eq!(quantities(&second), [1]);
    assert!(second.get("next_cursor").is_none(), "{second}");
    let (status, none) = call(&client, &server, &alice, "GET", "/v1/portfolio/fills?market=7", None).await;
    assert_eq!((status, &none["items"]), (200, &json!([])));
    server.stop().await;
}

/// Keys that could never sign are refused with 400 and a reason: Ed25519 keys of small order, not
/// canonically encoded, or with a torsion component; RSA keys that do not parse, are too short or
/// too long, or have an unusual exponent. Nothing is created.
#[tokio::test]
async fn keys_that_can_never_sign_are_refused() {
    let (server, admin, _alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let hex = augury_gateway::token::hex;
    let mut identity = [0u8; 32];
    identity[0] = 1;
    // y = p + 3 (p = 2^255 - 19): decodes to the point with y = 3, which has full order, but
    // only the reduced encoding is canonical.
    let mut non_canonical = [0xffu8; 32];
    non_canonical[0] = 0xed + 3;
    non_canonical[31] = 0x7f;
    let point = curve25519_dalek::edwards::CompressedEdwardsY(non_canonical).decompress();
    assert!(point.is_some_and(|p| !p.is_small_order()), "the test vector decodes to a point of large order");
    // A valid key plus a point of order 8.
    let valid = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key().to_edwards();
    let mixed = (valid + curve25519_dalek::constants::EIGHT_TORSION[1]).compress().to_bytes();
    let ed25519 = [
        (hex(&identity), "small order"),
        (hex(&[0u8; 32]), "small order"),
        (hex(&non_canonical), "canonical"),
        (hex(&mixed), "torsion"),
        ("zz".repeat(32), "64 hex"),
        (hex(&[0x11; 31]), "64 hex"),
    ];
    let before = server.gateway.state.auth.key_count();
    for (public, reason) in ed25519 {
        let body = json!({ "scopes": ["read", "trade"], "ed25519_public_key": public, "new_account": true });
        let (status, refused) = call(&client, &server, &admin, "POST", "/v1/keys", Some(body)).await;
        assert_eq!((status, error_code(&refused)), (400, "invalid_public_key"), "{public}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{public}: {message}");
    }
    let pem = |pkcs1: &[u8]| {
        let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pkcs1);
        format!("-----BEGIN RSA PUBLIC KEY-----\n{body}\n-----END RSA PUBLIC KEY-----\n")
    };
    let rsa = [
        (pem(&rsa_pkcs1(2048, &[3])), "exponent"),
        (pem(&rsa_pkcs1(2048, &[1, 0, 0, 0, 1])), "exponent"),
        (pem(&rsa_pkcs1(1024, &[1, 0, 1])), "1024 bits"),
        (pem(&rsa_pkcs1(8200, &[1, 0, 1])), "8200 bits"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_string(), "RSA public key"),
    ];
    for (public, reason) in rsa {
        let body = json!({ "scopes": ["read", "trade"], "rsa_public_key": public, "new_account": true });
        let (status, refused) = call(&client, &server, &admin, "POST", "/v1/keys", Some(body)).await;
        assert_eq!((status, error_code(&refused)), (400, "invalid_public_key"), "{public}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{reason}: {message}");
    }
    assert_eq!(server.gateway.state.auth.key_count(), before, "nothing was created");
    // The usual kinds still pass: a generated Ed25519 key, and an RSA key with e = 65537.
    let good = hex(&ed25519_dalek::SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes());
    let body = json!({ "scopes": ["read", "trade"], "ed25519_public_key": good, "rsa_public_key": pem(&rsa_pkcs1(2048, &[1, 0, 1])), "new_account": true });
    let (status, created) = call(&client, &server, &admin, "POST", "/v1/keys", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    server.stop().await;
}

/// A PKCS#1 RSAPublicKey with an odd modulus of `bits` bits (not a real key: only its form is
/// checked at registration) and the big-endian exponent `e`.
fn rsa_pkcs1(bits: usize, e: &[u8]) -> Vec<u8> {
    fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match contents.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n < 0x100 => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(contents);
        out
    }
    let mut modulus = vec![0xc5u8; bits.div_ceil(8)];
    let top_bits = bits - (modulus.len() - 1) * 8;
    modulus[0] = 0xff >> (8 - top_bits) | 1 << (top_bits - 1);
    *modulus.last_mut().unwrap() |= 1;
    if modulus[0] & 0x80 != 0 {
        modulus.insert(0, 0);
    }
    let mut body = der(0x02, &modulus);
    body.extend(der(0x02, e));
    der(0x30, &body)
}

/// A key's label and allowlist have limits, and an account holds at most 100 keys that are not
/// revoked: a trader cannot grow the key table (kept in memory, journaled) without bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_fields_and_keys_per_account_are_limited() {
    let (server, _admin, alice, _bob) = start(GatewayConfig { per_key: unlimited(), ..GatewayConfig::default() }).await;
    let client = reqwest::Client::new();
    let long_label = json!({ "scopes": ["read"], "label": "x".repeat(201) });
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/keys", Some(long_label)).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_label"), "{body}");
    let addresses: Vec<String> = (0..65).map(|n| format!("10.0.0.{n}")).collect();
    let long_allowlist = json!({ "scopes": ["read"], "ip_allowlist": addresses });
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/keys", Some(long_allowlist)).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_ip_allowlist"), "{body}");

    // Alice holds one key; 99 more fit, the next is refused, and revoking one makes room.
    let mut made = Vec::new();
    for n in 0..99 {
        let (status, body) = call(
            &client,
            &server,
            &alice,
            "POST",
            "/v1/keys",
            Some(json!({ "scopes": ["read"], "label": format!("k{n}") })),
        )
        .await;
        assert_eq!(status, 201, "key {n}: {body}");
        made.push(body["key"]["key_id"].as_str().unwrap().to_string());
    }
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/keys", Some(json!({ "scopes": ["read"] }))).await;
    assert_eq!((status, error_code(&body)), (422, "too_many_keys"), "{body}");
    let (status, _) = call(&client, &server, &alice, "DELETE", &format!("/v1/keys/{}", made[0]), None).await;
    assert_eq!(status, 200);
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/keys", Some(json!({ "scopes": ["read"] }))).await;
    assert_eq!(status, 201, "{body}");
    server.stop().await;
}
