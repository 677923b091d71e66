//! The demo's crypto markets end to end, checked through the public API only: a replay of real
//! BTC and ETH history lists the day's threshold markets, the market maker quotes both sides
//! around the model's probability (the one `/v1/intel/.../threshold` answers) within its limits
//! while noise takers trade with it, and at the next 00:00 UTC every market resolves by its rule
//! from the replayed index, pays its holders exactly, and the next day's markets are listed.
//! Afterwards the venue's own audit (every invariant) must hold.

mod common;

use augury_catalog::Catalog;
use augury_core::MarketId;
use augury_crypto::config::{ReplayConfig, MARKET_MAKER, TAKERS};
use augury_crypto::data::{self, index_value};
use augury_crypto::quote::RiskLimits;
use augury_crypto::Driver;
use augury_intel::candle::{days_from_civil, MS_PER_DAY, MS_PER_HOUR};
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

const DOLLAR: u64 = 1_000_000;
const TICK: u64 = 10_000;

fn config(start_ms: i64) -> ReplayConfig {
    ReplayConfig {
        start_ms,
        days: Some(2),
        hour_real_ms: 0,
        // Tight limits so that they bind within a day of noise trading.
        limits: RiskLimits {
            quote_size: 10,
            max_position: 25,
            max_exposure_micros: 120 * DOLLAR,
            min_spread_ticks: 4,
            skew_ticks_at_max: 6.0,
        },
        taker_percent: 60,
        seed: 7,
        ..ReplayConfig::default()
    }
}

/// The market maker's net position per market, from its positions.
async fn nets(client: &reqwest::Client, server: &Server, token: &str) -> BTreeMap<u64, i64> {
    let (status, rows) = get_as(client, server, token, "/v1/portfolio/positions").await;
    assert_eq!(status, 200, "{rows}");
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["market"].as_u64().unwrap(), r["yes"].as_i64().unwrap() - r["no"].as_i64().unwrap()))
        .collect()
}

/// The venue's catalog, read on the sequencer thread as the API reads it.
async fn read_catalog(server: &Server) -> Catalog {
    server.gateway.state.sequencer.query(|venue| venue.state().catalog().clone()).await.unwrap()
}

async fn book(client: &reqwest::Client, server: &Server, market: u64) -> Value {
    let (status, book) = get(client, server, &format!("/v1/markets/{market}/book")).await;
    assert_eq!(status, 200, "{book}");
    book
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_day_lists_quotes_and_settles_by_rule() {
    let start = days_from_civil(2019, 6, 1) * MS_PER_DAY;
    let (server, admin) = start_server(start).await;
    let client = reqwest::Client::new();
    let config = config(start);
    let limits = config.limits;
    let mut driver =
        Driver::new(server.gateway.state.clone(), server.clock.clone(), config, data::shipped()).await.unwrap();
    assert_eq!(driver.now_ms(), start);
    assert_eq!(driver.end_ms(), start + 2 * MS_PER_DAY);

    // 00:00: the day's markets are listed, five strikes per asset around the spot.
    let report = driver.step().await.unwrap();
    assert_eq!(report.listed.len(), 10, "{report:?}");
    assert_eq!(report.index_values, 2, "BTC and ETH closes at 00:00");
    let (_, markets) = get(&client, &server, "/v1/markets").await;
    let mut listed: Vec<u64> =
        markets["items"].as_array().unwrap().iter().map(|m| m["market"].as_u64().unwrap()).collect();
    listed.sort();
    assert_eq!(listed.len(), 10);
    let token = read_key_for(&client, &server, &admin, MARKET_MAKER.get()).await;
    // The takers may already have taken a quote this hour.
    let traded = nets(&client, &server, &token).await;

    let assets = data::shipped();
    let mut rules = BTreeMap::new();
    let mut two_sided = 0;
    for &market in &listed {
        let (status, resolution) = get(&client, &server, &format!("/v1/markets/{market}/resolution")).await;
        assert_eq!((status, resolution["status"].as_str()), (200, Some("open")), "{resolution}");
        let rule = &resolution["rule"];
        assert_eq!(rule["at_ms"].as_i64(), Some(start + MS_PER_DAY));
        assert_eq!(rule["map"]["threshold"]["comparison"], "at_or_above");
        let index = rule["index"].as_u64().unwrap();
        let strike = rule["map"]["threshold"]["threshold"].as_i64().unwrap();
        rules.insert(market, (index, strike));

        // The market maker's quotes bracket the probability the intelligence API gives.
        let symbol = if index == 1 { "BTCUSDT" } else { "ETHUSD" };
        let path = format!("/v1/intel/assets/{symbol}/threshold?strike={}&horizon_hours=24", strike as f64 / 100.0);
        let (status, threshold) = get(&client, &server, &path).await;
        assert_eq!(status, 200, "{threshold}");
        assert_eq!(threshold["as_of_ms"].as_i64(), Some(start), "only candles closed by the replayed moment");
        let p = threshold["probability"].as_f64().unwrap();
        let book = book(&client, &server, market).await;
        let bid = book["bids"][0]["yes_price_micros"].as_u64();
        let ask = book["asks"][0]["yes_price_micros"].as_u64();
        if let Some(bid) = bid {
            assert!((bid as f64) <= p * DOLLAR as f64, "bid {bid} above fair {p} in {market}");
            assert!(book["bids"][0]["quantity"].as_u64().unwrap() <= limits.quote_size);
        }
        if let Some(ask) = ask {
            assert!((ask as f64) >= p * DOLLAR as f64, "ask {ask} below fair {p} in {market}");
        }
        if let (Some(bid), Some(ask)) = (bid, ask) {
            assert!(ask - bid >= u64::from(limits.min_spread_ticks) * TICK);
            two_sided += 1;
        } else {
            // One-sided only where the model puts the contract within a spread of 0 or 1, or
            // where a taker took one side whole.
            let taken = traded.get(&market).is_some_and(|&net| net != 0);
            assert!(taken || !(0.05..=0.95).contains(&p), "{market}: p = {p}, book {book}");
        }
    }
    assert!(two_sided >= 4, "near-the-money markets are quoted on both sides");

    // Each market is listed in the catalog with its question and the rule that decides it, under
    // its asset's event for the day and its asset's daily series.
    let catalog = read_catalog(&server).await;
    for (&market, &(index, strike)) in &rules {
        let entry = &catalog.market(MarketId(market as u32)).expect("listed in the catalog").info;
        let (long_name, short, symbol) =
            if index == 1 { ("Bitcoin", "btc", "BTCUSDT") } else { ("Ethereum", "eth", "ETHUSD") };
        assert!(entry.title.starts_with(&format!("Will {long_name} be at or above $")), "{}", entry.title);
        assert!(entry.title.ends_with(" at 00:00 UTC on 2 June 2019?"), "{}", entry.title);
        assert!(entry.tags.contains(&long_name.to_lowercase()) && entry.tags.contains(&short.to_string()));
        for needle in [
            format!("Augury price index {index} ({symbol})"),
            "for exactly 2019-06-02 00:00:00 UTC".to_string(),
            format!("at or above {strike} cents"),
        ] {
            assert!(entry.rules_primary.contains(&needle), "{needle:?} not in {}", entry.rules_primary);
        }
        assert!(entry.rules_secondary.contains("If no value for that moment arrives"));
        assert!(entry.slug.starts_with(&format!("{short}-above-")) && entry.slug.ends_with("-2019-06-02"));
        assert_eq!(entry.expected_expiration_ms, Some((start + MS_PER_DAY) as u64));
        let event = format!("{}-DAILY-2019-06-02", short.to_uppercase());
        assert_eq!(entry.event.as_deref(), Some(event.as_str()));
        assert_eq!(
            catalog.market_series(MarketId(market as u32)),
            Some(format!("{}-DAILY", short.to_uppercase()).as_str())
        );
    }
    assert_eq!(catalog.series("BTC-DAILY").unwrap().info.title, "Bitcoin daily close");
    assert_eq!(catalog.series("ETH-DAILY").unwrap().info.title, "Ethereum daily close");
    let btc_day = &catalog.event("BTC-DAILY-2019-06-02").unwrap().info;
    assert_eq!(btc_day.title, "Bitcoin on 2 June 2019 at 00:00 UTC");
    assert!(!btc_day.mutually_exclusive);
    assert_eq!(
        catalog.event_markets("BTC-DAILY-2019-06-02").count() + catalog.event_markets("ETH-DAILY-2019-06-02").count(),
        10
    );
    let early = ReplayConfig { start_ms: days_from_civil(2017, 12, 1) * MS_PER_DAY, ..ReplayConfig::default() };
    let refused = Driver::new(server.gateway.state.clone(), server.clock.clone(), early, data::shipped()).await;
    assert!(matches!(refused, Err(augury_crypto::DriverError::Config(_))));

    // The same markets as questions about the assets, with the model's probability beside them.
    let (status, described) = get(&client, &server, "/v1/intel/markets").await;
    assert_eq!(status, 200, "{described}");
    let described = described.as_array().unwrap();
    assert_eq!(described.len(), 10);
    for m in described {
        let market = m["market"].as_u64().unwrap();
        let (index, strike) = rules[&market];
        assert_eq!((m["index"].as_u64(), m["threshold"].as_i64()), (Some(index), Some(strike)));
        assert!(m["title"].as_str().unwrap().starts_with(if index == 1 {
            "BTCUSDT at or above"
        } else {
            "ETHUSD at or above"
        }));
        assert!(m["title"].as_str().unwrap().ends_with(" 00:00 UTC"), "{m}");
        let symbol = m["symbol"].as_str().unwrap();
        let path = format!("/v1/intel/assets/{symbol}/threshold?strike={}&horizon_hours=24", m["strike"]);
        let (_, threshold) = get(&client, &server, &path).await;
        assert_eq!(m["model_probability"], threshold["probability"], "{m}");
    }

    // The rest of the day, hour by hour: the market maker trades, skews and stays within limits.
    let mut fills = 0;
    let mut skewed = false;
    for hour in 1..24 {
        let report = driver.step().await.unwrap();
        assert_eq!(report.at_ms, start + hour * MS_PER_HOUR);
        assert!(report.listed.is_empty() && report.resolved.is_empty());
        fills += report.fills;
        let nets = nets(&client, &server, &token).await;
        let mut exposure = 0;
        for (&market, &net) in &nets {
            assert!(net.unsigned_abs() <= limits.max_position, "{market}: net {net}");
            let book = book(&client, &server, market).await;
            // With every resting quote filled on its worse side, still within the limits.
            let bid_left: u64 = book["bids"].as_array().unwrap().iter().map(|l| l["quantity"].as_u64().unwrap()).sum();
            let ask_left: u64 = book["asks"].as_array().unwrap().iter().map(|l| l["quantity"].as_u64().unwrap()).sum();
            let worst = (net + bid_left as i64).unsigned_abs().max((net - ask_left as i64).unsigned_abs());
            assert!(worst <= limits.max_position, "{market}: net {net}, bids {bid_left}, asks {ask_left}");
            exposure += worst;
            if net.unsigned_abs() >= 10 && bid_left + ask_left > 0 {
                skewed = true;
            }
        }
        assert!(exposure * DOLLAR <= limits.max_exposure_micros, "exposure ${exposure}");
    }
    assert!(fills > 0, "the takers traded with the market maker");

    // How the model's probability moved through the day: a point per hourly close since listing,
    // the latest the one the market list shows now.
    let (_, described) = get(&client, &server, "/v1/intel/markets").await;
    for m in described.as_array().unwrap() {
        let (status, path) = get(&client, &server, &format!("/v1/intel/markets/{}/model", m["market"])).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(path["title"], m["title"]);
        // Bitcoin's replay has hourly candles, Ether's daily ones.
        let bar_ms = match path["interval"].as_str() {
            Some("1h") => MS_PER_HOUR,
            Some("1d") => MS_PER_DAY,
            other => panic!("interval {other:?}"),
        };
        let points = path["points"].as_array().unwrap();
        assert_eq!(points.first().unwrap()["time_ms"].as_i64(), Some(start), "{path}");
        let last = points.last().unwrap();
        assert_eq!((&last["time_ms"], &last["probability"]), (&m["model_as_of_ms"], &m["model_probability"]), "{path}");
        assert_eq!(points.len() as i64, (m["model_as_of_ms"].as_i64().unwrap() - start) / bar_ms + 1);
        assert!(points.iter().all(|p| (0.0..=1.0).contains(&p["probability"].as_f64().unwrap())));
    }
    let (status, refused) = get(&client, &server, "/v1/intel/markets/999999/model").await;
    assert_eq!((status, &refused["error"]["code"]), (404, &serde_json::json!("not_modelled")));
    assert!(skewed, "the market maker carried inventory while quoting");

    // 00:00 the next day: every market resolves by its rule from the replayed index.
    let report = driver.step().await.unwrap();
    let mut resolved = report.resolved.clone();
    resolved.sort();
    assert_eq!(resolved.iter().map(|&m| u64::from(m.get())).collect::<Vec<_>>(), listed);
    assert_eq!(report.listed.len(), 10, "the next day's markets");
    let catalog = read_catalog(&server).await;
    assert_eq!(
        catalog.series_events("BTC-DAILY").collect::<Vec<_>>(),
        ["BTC-DAILY-2019-06-02", "BTC-DAILY-2019-06-03"]
    );
    assert_eq!(catalog.markets().count(), 20);
    let close_at = start + MS_PER_DAY;
    for (&market, &(index, strike)) in &rules {
        let asset = assets.iter().find(|a| u64::from(a.index) == index).unwrap();
        let value = index_value(asset.candle_closing_at(close_at).unwrap().close);
        let (_, resolution) = get(&client, &server, &format!("/v1/markets/{market}/resolution")).await;
        assert_eq!(resolution["status"], "settled", "{resolution}");
        let yes = value >= strike;
        assert_eq!(
            resolution["settlement"]["resolution"],
            if yes { "yes" } else { "no" },
            "{market}: {value} vs {strike}"
        );
        let payout = &resolution["settlement"]["payouts"][0];
        assert_eq!(payout["yes_micros"].as_u64(), Some(if yes { DOLLAR } else { 0 }));
        assert_eq!(payout["no_micros"].as_u64(), Some(if yes { 0 } else { DOLLAR }));
        // Everyone who held was paid (the replay redeems for the market maker and the takers),
        // and exactly what the backing held: nothing is left owed.
        assert_eq!(resolution["settlement"]["outstanding_micros"], 0, "{resolution}");
        assert_eq!(resolution["settlement"]["dust_micros"], 0);
        let redeemed = resolution["settlement"]["redeemed_micros"].as_u64().unwrap();
        assert_eq!(redeemed, resolution["settlement"]["collateral_micros"].as_u64().unwrap());
    }
    let (_, described) = get(&client, &server, "/v1/intel/markets?all=true&limit=20").await;
    let settled = described.as_array().unwrap().iter().filter(|m| m["status"] == "settled").count();
    assert_eq!(settled, 10, "{described}");

    // The market maker's settlements pay a dollar per winning contract.
    let (_, settlements) = get_as(&client, &server, &token, "/v1/portfolio/settlements").await;
    for s in settlements["items"].as_array().unwrap() {
        let payout = s["payout_micros"].as_u64().unwrap();
        assert_eq!(payout % DOLLAR, 0, "{s}");
        assert!(payout <= s["contracts"].as_u64().unwrap() * DOLLAR);
    }
    assert!(
        nets(&client, &server, &token).await.keys().all(|m| !rules.contains_key(m)),
        "nothing left in settled markets"
    );

    let (venue, _dir) = server.stop().await;
    venue.engine().check_invariants().expect("the venue's invariants hold");
    for account in std::iter::once(MARKET_MAKER).chain(TAKERS) {
        assert!(venue.engine().account(account).is_some());
    }
}

async fn start_server(start_ms: i64) -> (Server, Admin) {
    start(start_ms as u64).await
}

/// Time, ids and the takers' seed all come from the replay, so the same replay gives the same
/// venue, bit for bit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_replay_gives_the_same_venue() {
    let start = days_from_civil(2019, 9, 1) * MS_PER_DAY;
    let mut hashes = Vec::new();
    for _ in 0..2 {
        let (server, _admin) = start_server(start).await;
        let mut driver =
            Driver::new(server.gateway.state.clone(), server.clock.clone(), config(start), data::shipped())
                .await
                .unwrap();
        let mut fills = 0;
        for _ in 0..8 {
            fills += driver.step().await.unwrap().fills;
        }
        assert!(fills > 0);
        let (venue, _dir) = server.stop().await;
        venue.engine().check_invariants().unwrap();
        hashes.push(venue.engine().state_hash());
    }
    assert_eq!(hashes[0], hashes[1]);
}

/// A venue stopped in the middle of a replayed day carries on where its clock stands: it finds
/// the day's markets, drops the market maker's old quotes for fresh ones, and the markets still
/// resolve by rule at 00:00 with nothing left owed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_replay_carries_on() {
    let start = days_from_civil(2019, 7, 1) * MS_PER_DAY;
    let (server, _admin) = start_server(start).await;
    let mut driver =
        Driver::new(server.gateway.state.clone(), server.clock.clone(), config(start), data::shipped()).await.unwrap();
    for _ in 0..6 {
        driver.step().await.unwrap();
    }
    let markets = driver.open_markets();
    assert_eq!(markets.len(), 10);
    drop(driver);
    let (venue, dir) = server.stop().await;
    assert_eq!(venue.engine().clock_ms() as i64, start + 5 * MS_PER_HOUR);
    drop(venue);

    let server = serve(dir, None).await;
    let client = reqwest::Client::new();
    let mut driver =
        Driver::new(server.gateway.state.clone(), server.clock.clone(), config(start), data::shipped()).await.unwrap();
    assert_eq!(driver.now_ms(), start + 5 * MS_PER_HOUR, "the hour in progress is replayed again");
    assert_eq!(driver.open_markets(), markets, "the day's markets are found again");
    // The series are there once, and the day's markets keep their entries.
    let listed = read_catalog(&server).await;
    assert_eq!(listed.all_series().count(), 2);
    assert_eq!(listed.events().count(), 2);
    for l in &markets {
        assert_eq!(listed.market(l.market).unwrap().info.title, l.title);
    }
    // The intelligence endpoints know the history up to the replay's moment again.
    let (_, assets) = get(&client, &server, "/v1/intel/assets").await;
    assert_eq!(assets[0]["series"][0]["last_close_ms"].as_i64(), Some(start + 4 * MS_PER_HOUR));
    let mut resolved = Vec::new();
    while driver.now_ms() <= start + MS_PER_DAY {
        resolved.extend(driver.step().await.unwrap().resolved);
        // One bid and one ask at most per market: the quotes from before the stop are gone.
        for l in &markets {
            let book = book(&client, &server, u64::from(l.market.get())).await;
            for side in ["bids", "asks"] {
                let orders: u64 = book[side].as_array().unwrap().iter().map(|l| l["orders"].as_u64().unwrap()).sum();
                assert!(orders <= 1, "{book}");
            }
        }
    }
    assert_eq!(resolved.len(), 10);
    for l in &markets {
        let (_, resolution) = get(&client, &server, &format!("/v1/markets/{}/resolution", l.market)).await;
        assert_eq!(resolution["status"], "settled");
        assert_eq!(resolution["settlement"]["outstanding_micros"], 0, "{resolution}");
    }
    let (venue, _dir) = server.stop().await;
    venue.engine().check_invariants().unwrap();
}
