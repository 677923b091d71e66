//! Credential headers as clients really write them: a timestamp the signed message cannot carry
//! is named as such (not a bad signature), and the `Bearer` scheme is case-insensitive.

mod common;

use augury_gateway::GatewayConfig;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timestamp_with_a_sign_or_leading_zeros_is_an_invalid_timestamp() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let signed = Signed::new("GET", "/v1/portfolio/balance", None);
    let signature = signed.signature(&alice);
    for written in [format!("+{}", signed.timestamp_ms), format!("0{}", signed.timestamp_ms), " ".to_string()] {
        let request = client
            .get(server.url(&signed.path))
            .header("Augury-Key", augury_gateway::token::format_key_id(alice.key_id))
            .header("Augury-Timestamp", &written)
            .header("Augury-Nonce", &signed.nonce)
            .header("Augury-Signature", &signature);
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_timestamp")), "{written:?}: {body}");
    }
    // The same request with the timestamp as signed is accepted: the refusals spent nothing.
    let (status, body) = signed.send(&client, &server, &alice).await;
    assert_eq!(status, 200, "{body}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let request = client
            .get(server.url("/v1/portfolio/balance"))
            .header("Authorization", format!("{scheme} {}", alice.token));
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, 200, "{scheme}: {body}");
    }
    let request =
        client.get(server.url("/v1/portfolio/balance")).header("Authorization", format!("Basic {}", alice.token));
    let (status, body) = read(request.send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("missing_credentials")), "{body}");
    server.stop().await;
}
