//! A journal write that fails (here: the next segment cannot be created) stops the venue from
//! taking commands, and it says so everywhere: the request that met the failure and every later
//! one get 503 `unavailable` saying the outcome is unknown, reads of the sequencer's state are
//! refused rather than shown state the journal may not hold, `/readyz` fails and `/metrics` says
//! `augury_sequencer_failed 1`. After a restart every acknowledged order is there.

mod common;

use augury_gateway::GatewayConfig;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_journal_write_stops_commands_and_reads_and_loses_nothing_acknowledged() {
    let (server, _admin, alice, _bob) = start(GatewayConfig { per_key: unlimited(), ..GatewayConfig::default() }).await;
    let dir = server.stop().await;
    // Small segments, so a new one is needed soon; every name it could take is already there
    // (a link to /dev/full), so creating it fails.
    let mut venue_options = options(dir.path());
    venue_options.journal.segment_bytes = 16 << 10;
    venue_options.journal.preallocate_bytes = 0;
    let journal_dir = venue_options.journal_dir();
    let server =
        serve_dir_with(dir, GatewayConfig { per_key: unlimited(), ..GatewayConfig::default() }, venue_options).await;
    let client = reqwest::Client::new();
    let (status, _) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(status, 200);
    for index in 0..2_000u64 {
        let name = journal_dir.join(format!("seg-{index:020}.log"));
        if !name.exists() {
            std::os::unix::fs::symlink("/dev/full", name).unwrap();
        }
    }

    let mut acknowledged = Vec::new();
    let failed = loop {
        let order = json!({ "market": 1, "side": "yes", "action": "buy", "price_micros": 10_000, "quantity": 1 });
        let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order)).await;
        match status {
            201 => acknowledged.push(body["order"]["order_id"].as_u64().unwrap()),
            _ => break body,
        }
        assert!(acknowledged.len() < 1_000, "the segment never filled");
    };
    assert_eq!(error_code(&failed), "unavailable", "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap().contains("unknown"), "{failed}");
    assert!(!acknowledged.is_empty());

    // Every later command, and every read of the state, is refused; the venue says it is not ready.
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!((status, error_code(&body)), (503, "unavailable"), "{body}");
    let (status, body) = read(client.get(server.url("/v1/markets/1/book")).send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (503, "unavailable"), "{body}");
    let readyz = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(readyz.status().as_u16(), 503);
    let metrics = client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("augury_sequencer_failed 1"), "{metrics}");

    // Restarted once the disk is usable again: every acknowledged order is there.
    let dir = server.stop().await;
    for entry in std::fs::read_dir(&journal_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.symlink_metadata().unwrap().file_type().is_symlink() {
            std::fs::remove_file(path).unwrap();
        }
    }
    let server = serve_dir(dir, GatewayConfig::default()).await;
    for order in acknowledged {
        let (status, body) =
            call(&client, &server, &alice, "GET", &format!("/v1/portfolio/orders/{order}"), None).await;
        assert_eq!(status, 200, "acknowledged order {order} is missing: {body}");
    }
    let (status, _) = call(&client, &server, &alice, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(status, 200);
    server.stop().await;
}
