//! `POST /v1/demo/accounts`: a demo venue opens a play-money account for a visitor's public key,
//! and the visitor then signs requests like any bot; a venue that is not a demo refuses.

mod common;

use augury_gateway::GatewayConfig;
use common::*;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

async fn post(client: &reqwest::Client, server: &Server, body: Value) -> (u16, Value) {
    read(client.post(server.url("/v1/demo/accounts")).json(&body).send().await.unwrap()).await
}

#[tokio::test]
async fn a_visitor_opens_a_play_money_account_and_trades_with_its_own_key() {
    let config = GatewayConfig { demo_deposit_micros: Some(1_000_000_000), ..GatewayConfig::default() };
    let (server, _admin, alice, _) = start(config).await;
    let client = reqwest::Client::new();
    let (status, body) = read(client.get(server.url("/v1/demo")).send().await.unwrap()).await;
    assert_eq!((status, body), (200, json!({ "enabled": true, "deposit_micros": 1_000_000_000 })));

    let signing = SigningKey::from_bytes(&[42; 32]);
    let public = hex(signing.verifying_key().as_bytes());
    let (status, opened) = post(&client, &server, json!({ "ed25519_public_key": public })).await;
    assert_eq!(status, 201, "{opened}");
    let key_id = u64::from_str_radix(opened["key_id"].as_str().unwrap(), 16).unwrap();
    let visitor = Credentials {
        key_id,
        token: opened["token"].as_str().unwrap().into(),
        signing,
        account: opened["account"].as_u64().unwrap(),
    };
    assert_ne!(visitor.account, alice.account);

    let (status, balance) = call(&client, &server, &visitor, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!((status, balance["available_micros"].as_u64()), (200, Some(1_000_000_000)), "{balance}");
    let order = json!({ "market": MARKET, "side": "yes", "action": "buy", "price_micros": 300_000, "quantity": 5 });
    let (status, placed) = call(&client, &server, &visitor, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!((status, placed["order"]["status"].as_str()), (201, Some("open")), "{placed}");
    // A visitor's key cannot do what an admin does.
    let (status, body) =
        call(&client, &server, &visitor, "POST", "/v1/accounts/1/deposit", Some(json!({ "amount_micros": 1 }))).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"), "{body}");

    // Bad input is refused and opens nothing.
    let (status, body) = post(&client, &server, json!({ "ed25519_public_key": "00".repeat(32) })).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_public_key"), "{body}");
    let (status, body) = post(&client, &server, json!({ "ed25519_public_key": public, "admin": true })).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_json"), "{body}");
    server.stop().await;

    // A venue that is not a demo has no such route.
    let (server, ..) = start(GatewayConfig::default()).await;
    let (status, body) = read(client.get(server.url("/v1/demo")).send().await.unwrap()).await;
    assert_eq!((status, body["enabled"].as_bool()), (200, Some(false)));
    let (status, body) = post(&client, &server, json!({ "ed25519_public_key": public })).await;
    assert_eq!((status, error_code(&body)), (404, "demo_disabled"), "{body}");
    server.stop().await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
