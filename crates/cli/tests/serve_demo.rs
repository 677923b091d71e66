//! `augury serve --demo` end to end: the binary on a free loopback port replays two days of
//! price history fast; over HTTP, the crypto markets are listed and quoted, then settle by rule,
//! next to the simulated demo markets and the listed real questions, and the intelligence endpoints
//! serve the replayed candles.

mod common;

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A GET over a fresh connection; the JSON body.
fn get(address: &str, path: &str) -> Value {
    let mut stream = TcpStream::connect(address).expect("the venue accepts connections");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}\n{body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_demo_replays_prices_and_settles_crypto_markets() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let venue = common::serve(&data, &["--demo", "--replay-hour-ms", "40", "--replay-days", "2"]);
    let address = venue.address.clone();

    // The first replayed day's markets, quoted by the market maker.
    wait_for("the first day's markets", || get(&address, "/v1/intel/markets").as_array().unwrap().len() == 10);
    let open = get(&address, "/v1/intel/markets");
    let quoted =
        open.as_array().unwrap().iter().filter(|m| m["yes_bid_micros"].is_u64() || m["yes_ask_micros"].is_u64());
    assert!(quoted.count() >= 5, "{open}");
    assert!(open[0]["title"].as_str().unwrap().contains("at or above"), "{open}");

    // Discovery while the replay runs: Bitcoin questions, busiest first over the last 24 hours of
    // replayed time, with figures from their trades (the demo's Bitcoin markets have the simulated
    // traders' volume, the daily listings the noise takers').
    let busiest = || get(&address, "/v1/markets?q=bitcoin&sort=volume_24h");
    wait_for("a traded daily Bitcoin listing", || {
        busiest()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["series"] == "BTC-DAILY" && m["stats"]["volume_24h"].as_u64() > Some(0))
    });
    let found = busiest();
    let found = found["items"].as_array().unwrap();
    assert!(found.len() >= 7, "the demo's two Bitcoin markets and a day's five listings: {found:?}");
    for m in found {
        let text = format!("{} {}", m["title"], m["tags"]).to_lowercase();
        assert!(text.contains("bitcoin"), "{m}");
    }
    let volumes: Vec<u64> = found.iter().map(|m| m["stats"]["volume_24h"].as_u64().unwrap()).collect();
    assert!(volumes.windows(2).all(|w| w[0] >= w[1]), "sorted by 24 h volume: {volumes:?}");
    let top = &found[0];
    assert!(
        top["stats"]["volume_24h"].as_u64().unwrap() > 0 && top["stats"]["traders"].as_u64().unwrap() >= 2,
        "{top}"
    );
    assert!(top["stats"]["last_price_micros"].is_u64(), "{top}");

    // Two replayed days later every market listed has settled by its rule.
    wait_for("the replay's end", || {
        let all = get(&address, "/v1/intel/markets?all=true&limit=100");
        let all = all.as_array().unwrap();
        all.len() == 20 && all.iter().all(|m| m["status"] == "settled")
    });
    for m in get(&address, "/v1/intel/markets?all=true&limit=100").as_array().unwrap() {
        let resolution = get(&address, &format!("/v1/markets/{}/resolution", m["market"]));
        assert_eq!(resolution["settlement"]["outstanding_micros"], 0, "{resolution}");
        assert!(["yes", "no"].contains(&resolution["settlement"]["resolution"].as_str().unwrap()));
    }
    // The simulated demo markets are there too, and the replayed candles are served.
    let markets = get(&address, "/v1/markets?limit=1000");
    assert!(markets["next_cursor"].is_null(), "one page holds them all");
    let markets = markets["items"].as_array().unwrap();
    assert!(markets.iter().any(|m| m["market"] == 1));
    // So are the 26 real questions (markets 1001 to 1026), each with its own close time, and the
    // simulated traders' warm-up traded some of them (1005: Cooper Flagg, Rookie of the Year).
    let questions: Vec<&Value> =
        markets.iter().filter(|m| (1_001..=1_026).contains(&m["market"].as_u64().unwrap())).collect();
    assert_eq!(questions.len(), 26, "{markets:?}");
    assert!(questions.iter().all(|m| m["close_time_ms"].is_u64()));
    let flagg = questions.iter().find(|m| m["market"] == 1_005).unwrap();
    assert_eq!(flagg["close_time_ms"], 1_776_038_399_000_u64, "2026-04-12T23:59:59Z");
    assert!(flagg["title"].as_str().unwrap().contains("Cooper Flagg"), "{flagg}");
    assert_eq!((flagg["category"].as_str(), flagg["event"].is_string()), (Some("sports"), true), "{flagg}");
    assert!(!flagg["rules_primary"].as_str().unwrap().is_empty(), "{flagg}");
    let trades = get(&address, "/v1/markets/1005/trades");
    assert!(!trades["items"].as_array().unwrap().is_empty(), "{trades}");
    let by_slug = get(&address, &format!("/v1/markets/by-slug/{}", flagg["slug"].as_str().unwrap()));
    assert_eq!(by_slug["market"], 1_005);

    // After the replay the venue is back on the wall clock, so the 24-hour figures have rolled
    // off; the all-time ones remain.
    let found = get(&address, "/v1/markets?q=bitcoin&sort=volume");
    let volumes: Vec<u64> =
        found["items"].as_array().unwrap().iter().map(|m| m["stats"]["volume"].as_u64().unwrap()).collect();
    assert!(volumes.windows(2).all(|w| w[0] >= w[1]) && volumes[0] > 0, "sorted by volume: {volumes:?}");
    let series = get(&address, "/v1/series/BTC-DAILY");
    assert_eq!(series["events"].as_array().unwrap().len(), 2, "{series}");
    let event = get(&address, &format!("/v1/events/{}", series["events"][0].as_str().unwrap()));
    assert_eq!(event["markets"].as_array().unwrap().len(), 5, "{event}");
    let assets = get(&address, "/v1/intel/assets");
    assert_eq!(assets[0]["symbol"], "BTCUSDT");
    let grades = get(&address, "/v1/intel/assets/BTCUSDT/grades?limit=1");
    assert_eq!(grades["items"][0]["date"], "2019-06-02", "{grades}");
    drop(venue);
}
