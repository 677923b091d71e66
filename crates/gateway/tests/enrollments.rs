//! `POST /v1/enrollments` and `POST /v1/enrollments/redeem`: an admin issues a one-time code, a
//! visitor redeems it with its own public key and signs requests with the key it got; a code works
//! once, and only an admin issues them.

mod common;

use augury_gateway::GatewayConfig;
use common::*;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

async fn redeem(client: &reqwest::Client, server: &Server, body: Value) -> (u16, Value) {
    read(client.post(server.url("/v1/enrollments/redeem")).json(&body).send().await.unwrap()).await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn an_admin_issues_a_code_and_a_visitor_redeems_it_once() {
    let (server, admin, alice, _) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();

    // Only an admin issues codes.
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/enrollments", Some(json!({}))).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"), "{body}");

    // A code for alice's account, read and trade.
    let request = json!({ "account": alice.account, "scopes": ["read", "trade"], "label": "alice's browser" });
    let (status, issued) = call(&client, &server, &admin, "POST", "/v1/enrollments", Some(request)).await;
    assert_eq!(status, 201, "{issued}");
    let code = issued["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("augenroll_") && code.len() == 50, "{code}");
    assert_eq!(issued["account"].as_u64(), Some(alice.account));
    assert_eq!(issued["scopes"], json!(["read", "trade"]));
    let expires_ms = issued["expires_ms"].as_u64().unwrap();
    assert!(expires_ms > now_ms() + 23 * 3_600_000 && expires_ms <= now_ms() + 24 * 3_600_000, "24 hours by default");

    // Bad input is refused and spends nothing.
    let signing = SigningKey::from_bytes(&[77; 32]);
    let public = hex(signing.verifying_key().as_bytes());
    let (status, body) = redeem(&client, &server, json!({ "code": code, "ed25519_public_key": "00".repeat(32) })).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_public_key"), "{body}");
    let (status, body) =
        redeem(&client, &server, json!({ "code": "augenroll_0000", "ed25519_public_key": public })).await;
    assert_eq!((status, error_code(&body)), (404, "unknown_enrollment"), "{body}");

    // The visitor redeems it (pasted with spaces around it) and signs with its own key.
    let (status, enrolled) =
        redeem(&client, &server, json!({ "code": format!("  {code}\n"), "ed25519_public_key": public })).await;
    assert_eq!(status, 201, "{enrolled}");
    assert_eq!(enrolled["account"].as_u64(), Some(alice.account));
    assert_eq!(enrolled["scopes"], json!(["read", "trade"]));
    let key_id = u64::from_str_radix(enrolled["key_id"].as_str().unwrap(), 16).unwrap();
    let visitor = Credentials { key_id, token: String::new(), signing, account: alice.account };
    let (status, balance) = call(&client, &server, &visitor, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!((status, balance["available_micros"].as_u64()), (200, Some(1_000_000_000)), "{balance}");
    let (status, keys) = call(&client, &server, &visitor, "GET", "/v1/keys", None).await;
    assert_eq!(status, 200, "{keys}");
    let mine = keys.as_array().unwrap().iter().find(|k| k["key_id"] == enrolled["key_id"]).unwrap();
    assert_eq!(mine["label"], "alice's browser");
    let order = json!({ "market": MARKET, "side": "yes", "action": "buy", "price_micros": 300_000, "quantity": 5 });
    let (status, placed) = call(&client, &server, &visitor, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!(status, 201, "{placed}");

    // A code works once.
    let other = hex(SigningKey::from_bytes(&[78; 32]).verifying_key().as_bytes());
    let (status, body) = redeem(&client, &server, json!({ "code": code, "ed25519_public_key": other })).await;
    assert_eq!((status, error_code(&body)), (409, "enrollment_used"), "{body}");

    // An admin code for a new account: the redeemer is an admin of a fresh account.
    let request = json!({ "scopes": ["read", "trade", "admin"], "expires_ms": now_ms() + 60_000 });
    let (status, issued) = call(&client, &server, &admin, "POST", "/v1/enrollments", Some(request)).await;
    assert_eq!((status, issued["account"].clone()), (201, Value::Null), "{issued}");
    let (status, enrolled) =
        redeem(&client, &server, json!({ "code": issued["code"], "ed25519_public_key": other, "label": "operator" }))
            .await;
    assert_eq!(status, 201, "{enrolled}");
    let operator = Credentials {
        key_id: u64::from_str_radix(enrolled["key_id"].as_str().unwrap(), 16).unwrap(),
        token: String::new(),
        signing: SigningKey::from_bytes(&[78; 32]),
        account: enrolled["account"].as_u64().unwrap(),
    };
    assert!(![admin.account, alice.account].contains(&operator.account));
    let (status, body) =
        call(&client, &server, &operator, "POST", "/v1/accounts/1/deposit", Some(json!({ "amount_micros": 1 }))).await;
    assert_eq!(status, 200, "an enrolled admin acts as one: {body}");

    // Refusals of the issuing side.
    for (request, code) in [
        (json!({ "scopes": ["root"] }), "invalid_scopes"),
        (json!({ "scopes": [] }), "invalid_scopes"),
        (json!({ "expires_ms": 1 }), "invalid_expiry"),
        (json!({ "account": 999_999 }), "unknown_account"),
    ] {
        let (status, body) = call(&client, &server, &admin, "POST", "/v1/enrollments", Some(request)).await;
        assert_eq!((status, error_code(&body)), (400, code), "{body}");
    }

    // Spent codes stay spent after a restart.
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let third = hex(SigningKey::from_bytes(&[79; 32]).verifying_key().as_bytes());
    let (status, body) = redeem(&client, &server, json!({ "code": code, "ed25519_public_key": third })).await;
    assert_eq!((status, error_code(&body)), (409, "enrollment_used"), "{body}");
    let (status, _) = call(&client, &server, &visitor, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(status, 200, "the enrolled key still works");
    server.stop().await;
}
