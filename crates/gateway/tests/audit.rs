//! `/v1/audit`: the latest signed checkpoint, and a fill's inclusion proof that checks out against
//! it with nothing but the answer and the venue's public key; another account's fill is not
//! served, and a fill newer than every checkpoint is 409 until one is signed.

mod common;

use augury_gateway::GatewayConfig;
use augury_journal::checkpoint::Checkpoint;
use augury_journal::{merkle, unhex};
use common::*;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::{json, Value};

fn hash(text: &Value) -> merkle::Hash {
    unhex(text.as_str().unwrap()).unwrap().try_into().unwrap()
}

#[tokio::test]
async fn a_fill_is_proved_to_be_in_the_signed_journal() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    // The same venue, now signing checkpoints (augury serve always does).
    let mut options = options(dir.path());
    options.journal.signing_key = Some(SigningKey::from_bytes(&[77; 32]));
    let server = serve_dir_with(dir, GatewayConfig::default(), options).await;
    let client = reqwest::Client::new();

    let order = |side: &str, price: u64| json!({ "market": MARKET, "side": side, "action": "buy", "price_micros": price, "quantity": 4 });
    let orders = "/v1/portfolio/orders";
    assert_eq!(call(&client, &server, &alice, "POST", orders, Some(order("yes", 400_000))).await.0, 201);
    let (status, taken) = call(&client, &server, &bob, "POST", orders, Some(order("no", 600_000))).await;
    assert_eq!(status, 201, "{taken}");
    let trade = taken["fills"][0]["trade_id"].as_u64().unwrap();

    // Checkpoints are signed at a commit a second after the last: until then, 409.
    let path = format!("/v1/audit/fills/{trade}/proof");
    let (status, body) = call(&client, &server, &alice, "GET", &path, None).await;
    if status == 409 {
        assert_eq!(error_code(&body), "not_checkpointed_yet", "{body}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(call(&client, &server, &alice, "POST", orders, Some(order("yes", 10_000))).await.0, 201);

    let (status, proof) = call(&client, &server, &alice, "GET", &path, None).await;
    assert_eq!(status, 200, "{proof}");
    assert_eq!(proof["fill"]["trade_id"], trade);
    assert_eq!(proof["fill"]["account"], alice.account);
    let index = proof["index"].as_u64().unwrap();
    assert_eq!(proof["fill"]["journal_entry"], index);
    let payload = unhex(proof["payload_hex"].as_str().unwrap()).unwrap();
    let leaf = merkle::leaf_hash(index, &payload);
    assert_eq!(leaf, hash(&proof["leaf_hash_hex"]));
    let path_hashes: Vec<merkle::Hash> = proof["inclusion_proof_hex"].as_array().unwrap().iter().map(hash).collect();
    let checkpoint: Checkpoint = Checkpoint {
        size: proof["checkpoint"]["size"].as_u64().unwrap(),
        root_hex: proof["checkpoint"]["root_hex"].as_str().unwrap().into(),
        timestamp_ms: proof["checkpoint"]["timestamp_ms"].as_u64().unwrap(),
        public_key_hex: proof["checkpoint"]["public_key_hex"].as_str().unwrap().into(),
        signature_b64: proof["checkpoint"]["signature_b64"].as_str().unwrap().into(),
    };
    assert_eq!(proof["checkpoint"]["signed_text"], checkpoint.body());
    assert!(merkle::verify_inclusion(index, checkpoint.size, &leaf, &path_hashes, &checkpoint.root().unwrap()));
    let venue_key = SigningKey::from_bytes(&[77; 32]).verifying_key();
    assert_eq!(proof["venue_public_key_hex"], augury_journal::hex(venue_key.as_bytes()));
    assert!(checkpoint.verify(&venue_key));
    assert!(!checkpoint
        .verify(&VerifyingKey::from_bytes(&SigningKey::from_bytes(&[1; 32]).verifying_key().to_bytes()).unwrap()));
    // A proof with one byte of the payload changed does not check out.
    let mut forged = payload.clone();
    forged[payload.len() / 2] ^= 1;
    assert!(!merkle::verify_inclusion(
        index,
        checkpoint.size,
        &merkle::leaf_hash(index, &forged),
        &path_hashes,
        &checkpoint.root().unwrap()
    ));

    let latest = read(client.get(server.url("/v1/audit/checkpoint")).send().await.unwrap()).await;
    assert_eq!(latest.0, 200);
    assert!(latest.1["checkpoint"]["size"].as_u64().unwrap() >= checkpoint.size, "{}", latest.1);

    // Bob took part in the trade too: his own fill is his to prove; nobody else's is.
    assert_eq!(call(&client, &server, &bob, "GET", &path, None).await.0, 200);
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/audit/fills/999999/proof", None).await;
    assert_eq!((status, error_code(&body)), (404, "unknown_fill"), "{body}");
    server.stop().await;
}
