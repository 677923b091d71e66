//! HTTPS: the gateway behind rustls with a self-signed certificate; a client that trusts that
//! certificate reads over it; plain HTTP to the TLS port gets nowhere.

mod common;

use augury_gateway::history::History;
use augury_gateway::tls::TlsIdentity;
use augury_gateway::{Gateway, GatewayConfig};
use augury_sequencer::Venue;
use common::*;
use std::sync::Arc;

#[tokio::test]
async fn the_api_is_served_over_tls() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    let mut history = History::default();
    let (venue, _) = Venue::open_observed(options(dir.path()), &mut |_| {}, &mut history).unwrap();
    let gateway = Arc::new(Gateway::start(venue, history, GatewayConfig::default()).unwrap());
    let identity = TlsIdentity::self_signed().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = Arc::clone(&gateway);
    let config = identity.server_config().unwrap();
    let task = tokio::spawn(async move {
        serving
            .serve_tls(listener, config, async move {
                let _ = stopped.await;
            })
            .await
    });

    let trusted = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&identity.certificate_pem).unwrap())
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let health = trusted.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let balance = trusted
        .get(format!("{base}/v1/portfolio/balance"))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(balance["available_micros"], 1_000_000_000, "{balance}");
    assert_eq!(balance["account"], alice.account);

    // A client that does not trust the certificate is refused, and so is plain HTTP.
    let untrusting = reqwest::Client::new();
    assert!(untrusting.get(format!("{base}/healthz")).send().await.is_err());
    let plain = untrusting.get(format!("http://localhost:{port}/healthz")).send().await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);

    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    let gateway = Arc::try_unwrap(gateway).ok().expect("no other holders");
    drop(gateway.stop());
}
