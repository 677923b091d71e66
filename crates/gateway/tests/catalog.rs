//! The market catalog over the API: markets created with what they ask, events and series,
//! edits and their revisions, refusals that change nothing, a restart that keeps it all, and
//! discovery (filters, text, sort orders, cursor pages) with statistics from the trades.

mod common;

use augury_gateway::GatewayConfig;
use common::*;
use serde_json::{json, Value};

const HOUR: u64 = 3_600_000;

fn ok((status, body): (u16, Value)) -> Value {
    assert!((200..300).contains(&status), "{status}: {body}");
    body
}

fn refused((status, body): (u16, Value), want_status: u16, want_code: &str) -> Value {
    assert_eq!((status, error_code(&body)), (want_status, want_code), "{body}");
    body
}

/// A binary market with full metadata; `extra` overrides fields.
fn market(id: u32, slug: &str, extra: Value) -> Value {
    let mut body = json!({
        "market": id,
        "kind": "binary",
        "tick_micros": 10_000,
        "close_time_ms": now_ms() + u64::from(id) * HOUR,
        "title": format!("Will thing {id} happen?"),
        "subtitle": "A subtitle",
        "description": "What this is about.",
        "rules_primary": "Resolves YES if it happens before the close.",
        "rules_secondary": "If the source is late, the operator waits a day.",
        "resolution_source": "The official record",
        "category": "sports",
        "tags": ["playoffs"],
        "slug": slug,
        "outcome_names": { "binary": { "yes": "It happens", "no": "It does not" } },
        "image_url": "https://example.org/thing.png",
        "expected_expiration_ms": now_ms() + u64::from(id) * HOUR + HOUR,
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

#[tokio::test]
async fn metadata_round_trips_edits_keep_history_and_refusals_change_nothing() {
    let (server, admin, alice, _) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();

    let series = json!({ "ticker": "NBA", "title": "NBA Finals", "category": "sports", "tags": ["basketball"], "frequency": "annual" });
    let created = ok(call(&client, &server, &admin, "POST", "/v1/series", Some(series)).await);
    assert_eq!(created["ticker"], "NBA");
    let event = json!({ "ticker": "NBA-2026", "title": "2026 NBA Finals winner", "category": "sports", "mutually_exclusive": true, "series": "NBA" });
    let created = ok(call(&client, &server, &admin, "POST", "/v1/events", Some(event)).await);
    assert_eq!((created["status"].as_str(), created["series_title"].as_str()), (Some("open"), Some("NBA Finals")));

    // Markup is stored as given and comes back unchanged (JSON escapes it, nothing else does).
    let markup = "<b>Will</b> the \"Nuggets\" & <script>alert(1)</script> win?";
    let body = market(7, "nuggets-2026", json!({ "title": markup, "event": "NBA-2026" }));
    let created = ok(call(&client, &server, &admin, "POST", "/v1/markets", Some(body.clone())).await);
    for field in ["title", "subtitle", "rules_primary", "rules_secondary", "resolution_source", "slug", "image_url"] {
        assert_eq!(created[field], body[field], "{field}: {created}");
    }
    assert_eq!(created["title"], markup);
    assert_eq!(created["category"], "sports");
    assert_eq!(created["outcome_names"], json!({ "binary": { "yes": "It happens", "no": "It does not" } }));
    assert_eq!((created["event"].as_str(), created["series"].as_str()), (Some("NBA-2026"), Some("NBA")));
    assert_eq!(created["event_title"], "2026 NBA Finals winner");
    assert!(created["open_time_ms"].as_u64().unwrap() > 0, "{created}");
    assert_eq!(created["revisions"], 0);
    let by_slug = ok(call(&client, &server, &alice, "GET", "/v1/markets/by-slug/nuggets-2026", None).await);
    assert_eq!(by_slug["market"], 7);
    // A market created before the catalog answers to its default slug, with a placeholder.
    let placeholder = ok(call(&client, &server, &alice, "GET", "/v1/markets/by-slug/market-1", None).await);
    assert_eq!((placeholder["market"].as_u64(), placeholder["title"].as_str()), (Some(1), Some("Market 1")));
    refused(call(&client, &server, &alice, "GET", "/v1/markets/by-slug/nope", None).await, 404, "unknown_market");

    // Refusals: each is clear, and neither the engine nor the catalog changes.
    let before = ok(call(&client, &server, &alice, "GET", "/v1/markets", None).await);
    let long_title = market(8, "long", json!({ "title": "x".repeat(201) }));
    let body =
        refused(call(&client, &server, &admin, "POST", "/v1/markets", Some(long_title)).await, 400, "field_too_long");
    assert_eq!(body["error"]["details"], json!({ "field": "title", "max": 200, "length": 201 }));
    let long_rules = market(8, "long", json!({ "rules_primary": "r".repeat(5_001) }));
    let body =
        refused(call(&client, &server, &admin, "POST", "/v1/markets", Some(long_rules)).await, 400, "field_too_long");
    assert_eq!(body["error"]["details"]["field"], "rules_primary");
    let unknown_field = market(8, "unknown", json!({ "colour": "red" }));
    let body =
        refused(call(&client, &server, &admin, "POST", "/v1/markets", Some(unknown_field)).await, 400, "invalid_json");
    assert!(body["error"]["message"].as_str().unwrap().contains("colour"), "{body}");
    let unknown_category = market(8, "unknown", json!({ "category": "astrology" }));
    let body = refused(
        call(&client, &server, &admin, "POST", "/v1/markets", Some(unknown_category)).await,
        400,
        "invalid_json",
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("astrology"), "{body}");
    let duplicate = market(8, "nuggets-2026", json!({}));
    let body =
        refused(call(&client, &server, &admin, "POST", "/v1/markets", Some(duplicate)).await, 409, "duplicate_slug");
    assert!(body["error"]["message"].as_str().unwrap().contains("market 7"), "{body}");
    let orphan = market(8, "orphan", json!({ "event": "NOPE" }));
    refused(call(&client, &server, &admin, "POST", "/v1/markets", Some(orphan)).await, 404, "unknown_event");
    let names = market(8, "names", json!({ "outcome_names": { "categorical": { "labels": ["a", "b"] } } }));
    refused(call(&client, &server, &admin, "POST", "/v1/markets", Some(names)).await, 400, "invalid_field");
    refused(
        call(&client, &server, &alice, "POST", "/v1/markets", Some(market(8, "x", json!({})))).await,
        403,
        "missing_scope",
    );
    refused(call(&client, &server, &alice, "GET", "/v1/markets/8", None).await, 404, "unknown_market");
    assert_eq!(ok(call(&client, &server, &alice, "GET", "/v1/markets", None).await), before);

    // Edits: journaled, with what they replaced; null clears a nullable field.
    let edit =
        json!({ "title": "Will the Nuggets win the 2026 NBA Finals?", "image_url": null, "tags": ["nba", "finals"] });
    let edited = ok(call(&client, &server, &admin, "PATCH", "/v1/markets/7", Some(edit)).await);
    assert_eq!(edited["title"], "Will the Nuggets win the 2026 NBA Finals?");
    assert_eq!(edited["image_url"], Value::Null);
    assert_eq!(edited["revisions"], 1);
    ok(call(&client, &server, &admin, "PATCH", "/v1/markets/7", Some(json!({ "slug": "nuggets-finals" }))).await);
    refused(
        call(&client, &server, &admin, "PATCH", "/v1/markets/7", Some(json!({ "title": "" }))).await,
        400,
        "invalid_field",
    );
    refused(call(&client, &server, &admin, "PATCH", "/v1/markets/7", Some(json!({}))).await, 400, "no_changes");
    refused(
        call(&client, &server, &admin, "PATCH", "/v1/markets/7", Some(json!({ "kind": "binary" }))).await,
        400,
        "invalid_json",
    );
    refused(
        call(&client, &server, &admin, "PATCH", "/v1/markets/99", Some(json!({ "title": "x" }))).await,
        404,
        "unknown_market",
    );
    refused(
        call(&client, &server, &alice, "PATCH", "/v1/markets/7", Some(json!({ "title": "x" }))).await,
        403,
        "missing_scope",
    );
    let revisions = ok(call(&client, &server, &alice, "GET", "/v1/markets/7/revisions", None).await);
    let list = revisions["revisions"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{revisions}");
    assert_eq!(list[0]["by"], admin.account);
    assert_eq!(
        list[0]["changes"],
        json!([{ "title": "Will the Nuggets win the 2026 NBA Finals?" }, { "tags": ["nba", "finals"] }, { "image_url": null }])
    );
    assert_eq!(
        list[0]["previous"],
        json!([{ "title": markup }, { "tags": ["playoffs"] }, { "image_url": "https://example.org/thing.png" }])
    );
    assert_eq!(list[1]["previous"], json!([{ "slug": "nuggets-2026" }]));
    refused(
        call(&client, &server, &alice, "GET", "/v1/markets/by-slug/nuggets-2026", None).await,
        404,
        "unknown_market",
    );
    let event_edit = json!({ "subtitle": "Best of seven", "series": null });
    let edited = ok(call(&client, &server, &admin, "PATCH", "/v1/events/NBA-2026", Some(event_edit)).await);
    assert_eq!((edited["subtitle"].as_str(), edited["series"].as_str()), (Some("Best of seven"), None));
    let edited =
        ok(call(&client, &server, &admin, "PATCH", "/v1/events/NBA-2026", Some(json!({ "series": "NBA" }))).await);
    assert_eq!(edited["revisions"], 2);
    ok(call(&client, &server, &admin, "PATCH", "/v1/series/NBA", Some(json!({ "frequency": "yearly" }))).await);
    refused(
        call(&client, &server, &admin, "POST", "/v1/events", Some(json!({ "ticker": "NBA-2026", "title": "again" })))
            .await,
        409,
        "duplicate_event",
    );
    refused(
        call(&client, &server, &admin, "POST", "/v1/events", Some(json!({ "ticker": "nba", "title": "lower" }))).await,
        400,
        "invalid_field",
    );

    // A restart (the journal replayed) gives back the same catalog, revisions included.
    let market_before = ok(call(&client, &server, &alice, "GET", "/v1/markets/7", None).await);
    let revisions_before = ok(call(&client, &server, &alice, "GET", "/v1/markets/7/revisions", None).await);
    let event_before = ok(call(&client, &server, &alice, "GET", "/v1/events/NBA-2026/revisions", None).await);
    let series_before = ok(call(&client, &server, &alice, "GET", "/v1/series/NBA", None).await);
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    assert_eq!(ok(call(&client, &server, &alice, "GET", "/v1/markets/7", None).await), market_before);
    assert_eq!(ok(call(&client, &server, &alice, "GET", "/v1/markets/7/revisions", None).await), revisions_before);
    assert_eq!(ok(call(&client, &server, &alice, "GET", "/v1/events/NBA-2026/revisions", None).await), event_before);
    let series_after = ok(call(&client, &server, &alice, "GET", "/v1/series/NBA", None).await);
    assert_eq!(series_after, series_before);
    assert_eq!(
        (series_after["frequency"].as_str(), series_after["events"].clone()),
        (Some("yearly"), json!(["NBA-2026"]))
    );
    server.stop().await;
}

/// Every id in a list walked page by page with `limit`, checking nothing repeats.
async fn walk(
    client: &reqwest::Client,
    server: &Server,
    who: &Credentials,
    path: &str,
    limit: usize,
    id: &str,
) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{separator}limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = ok(call(client, server, who, "GET", &url, None).await);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        all.extend(items.iter().map(|m| m[id].clone()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let mut unique = all.clone();
    unique.sort_by_key(|v| v.to_string());
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "a page repeated an item: {all:?}");
    all
}

#[tokio::test]
async fn discovery_filters_sorts_and_pages_with_statistics_from_the_trades() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    ok(call(
        &client,
        &server,
        &admin,
        "POST",
        "/v1/series",
        Some(json!({ "ticker": "BTC-DAILY", "title": "Bitcoin daily close", "category": "crypto" })),
    )
    .await);
    let event =
        json!({ "ticker": "BTC-DAILY-1", "title": "Bitcoin tomorrow", "category": "crypto", "series": "BTC-DAILY" });
    ok(call(&client, &server, &admin, "POST", "/v1/events", Some(event)).await);
    let crypto = |id: u32, title: &str| {
        market(
            id,
            &format!("btc-{id}"),
            json!({ "title": title, "category": "crypto", "tags": ["bitcoin"], "event": "BTC-DAILY-1" }),
        )
    };
    for body in [
        crypto(10, "Will Bitcoin be above $90,000?"),
        crypto(11, "Will Bitcoin be above $100,000?"),
        market(12, "eth", json!({ "title": "Will Ethereum flip?", "category": "crypto", "tags": ["ethereum"] })),
        market(13, "finals", json!({ "title": "Will the Knicks win?", "category": "sports", "tags": ["nba"] })),
    ] {
        ok(call(&client, &server, &admin, "POST", "/v1/markets", Some(body)).await);
        // Listing times are venue-clock milliseconds: keep them apart for `newest`.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    // Trades: 30 contracts in market 11, 5 in market 10; a resting bid near the mid in 12.
    let buy = |market: u32, side: &str, price: u64, quantity: u64| json!({ "market": market, "side": side, "action": "buy", "price_micros": price, "quantity": quantity });
    let orders = "/v1/portfolio/orders";
    for (market, quantity) in [(11, 30), (10, 5)] {
        ok(call(&client, &server, &alice, "POST", orders, Some(buy(market, "yes", 400_000, quantity))).await);
        ok(call(&client, &server, &bob, "POST", orders, Some(buy(market, "no", 600_000, quantity))).await);
    }
    ok(call(&client, &server, &alice, "POST", orders, Some(buy(12, "yes", 300_000, 10))).await);

    let page = ok(call(&client, &server, &alice, "GET", "/v1/markets?q=bitcoin&sort=volume_24h", None).await);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|m| m["market"].as_u64().unwrap()).collect::<Vec<_>>(), [11, 10], "{page}");
    assert_eq!(items[0]["stats"]["volume_24h"], 30, "{page}");
    assert_eq!(items[0]["stats"]["volume"], 30);
    assert_eq!(items[0]["stats"]["traders"], 2);
    assert_eq!(items[0]["stats"]["open_interest"], 30);
    assert_eq!(items[0]["stats"]["last_price_micros"], 400_000);
    assert_eq!(items[0]["stats"]["notional_micros"], 30 * 400_000);
    assert_eq!(items[1]["stats"]["volume"], 5);
    // The statistics agree with the trade tape.
    let trades = ok(call(&client, &server, &alice, "GET", "/v1/markets/11/trades", None).await);
    let traded: u64 = trades["items"].as_array().unwrap().iter().map(|t| t["quantity"].as_u64().unwrap()).sum();
    assert_eq!(traded, 30);

    let ids = |page: &Value| {
        page["items"].as_array().unwrap().iter().map(|m| m["market"].as_u64().unwrap()).collect::<Vec<_>>()
    };
    let get = |path: &'static str| call(&client, &server, &alice, "GET", path, None);
    assert_eq!(ids(&ok(get("/v1/markets?category=crypto").await)), [10, 11, 12]);
    assert_eq!(ids(&ok(get("/v1/markets?tag=nba").await)), [13]);
    assert_eq!(ids(&ok(get("/v1/markets?series=BTC-DAILY").await)), [10, 11]);
    assert_eq!(ids(&ok(get("/v1/markets?event=BTC-DAILY-1&sort=volume").await)), [11, 10]);
    assert_eq!(ids(&ok(get("/v1/markets?q=BITCOIN%20100%2C000").await)), [11]);
    assert_eq!(ids(&ok(get("/v1/markets?q=daily%20close").await)), [10, 11], "the series' title is searched");
    assert_eq!(ids(&ok(get("/v1/markets?sort=liquidity&category=crypto&limit=1").await)), [12]);
    assert_eq!(ids(&ok(get("/v1/markets?sort=close_time").await)), [10, 11, 12, 13, 1], "market 1 has no close time");
    assert_eq!(ids(&ok(get("/v1/markets?sort=newest").await)), [13, 12, 11, 10, 1]);
    let window = format!(
        "/v1/markets?close_after_ms={}&close_before_ms={}",
        now_ms() + 10 * HOUR + HOUR / 2,
        now_ms() + 12 * HOUR + HOUR / 2
    );
    assert_eq!(ids(&ok(call(&client, &server, &alice, "GET", &window, None).await)), [11, 12]);
    ok(call(&client, &server, &admin, "POST", "/v1/markets/13/close", None).await);
    assert_eq!(ids(&ok(get("/v1/markets?status=closed").await)), [13]);
    refused(get("/v1/markets?sort=popular").await, 400, "invalid_query");
    refused(get("/v1/markets?category=astrology").await, 400, "invalid_query");
    refused(get("/v1/markets?cursor=garbage").await, 400, "invalid_query");
    refused(get("/v1/markets?limit=0").await, 400, "invalid_query");

    // Pages: every market exactly once, in each order.
    for sort in ["id", "volume", "newest", "close_time", "liquidity"] {
        let all = walk(&client, &server, &alice, &format!("/v1/markets?sort={sort}"), 2, "market").await;
        assert_eq!(all.len(), 5, "{sort}: {all:?}");
    }
    assert_eq!(
        walk(&client, &server, &alice, "/v1/markets?sort=volume", 2, "market").await[..2],
        [json!(11), json!(10)]
    );

    // Events: their markets' figures summed, filtered and sorted the same way.
    let events = ok(get("/v1/events?series=BTC-DAILY&with_markets=true").await);
    let event = &events["items"][0];
    assert_eq!(event["ticker"], "BTC-DAILY-1", "{events}");
    assert_eq!(event["markets"], json!([10, 11]));
    assert_eq!(event["stats"]["volume"], 35);
    assert_eq!(event["market_views"].as_array().unwrap().len(), 2);
    assert_eq!(event["close_time_ms"], event["market_views"][0]["close_time_ms"]);
    assert_eq!(ok(get("/v1/events?q=tomorrow").await)["items"].as_array().unwrap().len(), 1);
    assert_eq!(ok(get("/v1/events?category=sports").await)["items"].as_array().unwrap().len(), 0);
    let categories = ok(get("/v1/categories").await);
    let crypto = categories.as_array().unwrap().iter().find(|c| c["id"] == "crypto").unwrap();
    assert_eq!(
        (crypto["title"].as_str(), crypto["markets"].as_u64(), crypto["open_markets"].as_u64()),
        (Some("Crypto"), Some(3), Some(3))
    );
    server.stop().await;
}
