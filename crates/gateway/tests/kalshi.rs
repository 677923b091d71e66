//! The Kalshi-compatible surface without Python: requests signed here with ring (RSA-PSS,
//! SHA-256) the way Kalshi's clients sign them, against a live venue: authentication failures,
//! a replay, errors in Kalshi's shape, an order and the book it makes; and the market catalog
//! served as Kalshi's markets, events and series.

mod common;

use augury_catalog::{Category, EventInfo, MarketInfo, OutcomeNames, SeriesInfo};
use augury_core::{AccountId, FeeSchedule, MarketId, MarketKind, MarketSpec};
use augury_gateway::kalshi::rfc3339;
use augury_gateway::kalshi::rsa::parse_public_key;
use augury_gateway::{token, GatewayConfig};
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Venue, VenueCommand, VenueOutcome};
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

const PRIVATE_PEM: &str = include_str!("fixtures/kalshi-test-rsa-1.pem");
const PUBLIC_PEM: &str = include_str!("fixtures/kalshi-test-rsa-1.pub.pem");

fn key_pair() -> ring::signature::RsaKeyPair {
    let body: String = PRIVATE_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    let pkcs8 = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    ring::signature::RsaKeyPair::from_pkcs8(&pkcs8).unwrap()
}

fn sign(pair: &ring::signature::RsaKeyPair, message: &str) -> String {
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(&ring::signature::RSA_PSS_SHA256, &ring::rand::SystemRandom::new(), message.as_bytes(), &mut signature)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(signature)
}

struct Kalshi {
    key_id: String,
    pair: ring::signature::RsaKeyPair,
}

impl Kalshi {
    fn headers(&self, method: &str, path: &str, timestamp_ms: u64) -> Vec<(&'static str, String)> {
        let signature = sign(&self.pair, &format!("{timestamp_ms}{method}{path}"));
        vec![
            ("KALSHI-ACCESS-KEY", self.key_id.clone()),
            ("KALSHI-ACCESS-TIMESTAMP", timestamp_ms.to_string()),
            ("KALSHI-ACCESS-SIGNATURE", signature),
        ]
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        server: &Server,
        method: &str,
        path_and_query: &str,
        headers: Vec<(&'static str, String)>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, server.url(path_and_query));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    async fn call(
        &self,
        client: &reqwest::Client,
        server: &Server,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let path = path_and_query.split('?').next().unwrap();
        let headers = self.headers(method, path, now_ms());
        self.send(client, server, method, path_and_query, headers, body).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kalshi_signed_requests_trade_and_bad_ones_are_refused() {
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    // Alice's account gets an RSA key too; a read-only one is made beside it.
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
    let mut ids = Vec::new();
    for scopes in [Scopes::READ.union(Scopes::TRADE), Scopes::READ] {
        let (id, _, secret_sha256) = token::generate().unwrap();
        let key = NewApiKey {
            id,
            account: Some(AccountId(alice.account)),
            label: "rsa".into(),
            scopes,
            secret_sha256,
            ed25519_public_key: None,
            created_ms: 0,
            expires_ms: None,
            ip_allowlist: Vec::new(),
        };
        venue.execute(&VenueCommand::CreateRsaKey { key, rsa_public_key: spki.clone() }).unwrap().unwrap();
        ids.push(id);
    }
    venue.commit(0).unwrap();
    drop(venue);
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let trader = Kalshi { key_id: token::format_key_id(ids[0]), pair: key_pair() };
    let reader = Kalshi { key_id: token::format_key_id(ids[1]), pair: key_pair() };

    // Public data needs no signature.
    let (status, markets) = client.get(server.url("/trade-api/v2/markets")).send().await.map(read).unwrap().await;
    assert_eq!(status, 200);
    assert_eq!(markets["markets"][0]["ticker"], "AUG-1");
    assert_eq!(markets["cursor"], "");

    // An order, signed; the query and body are not part of Kalshi's signature.
    let order = json!({ "ticker": "AUG-1", "side": "no", "action": "buy", "count": 3, "type": "limit",
                        "no_price_dollars": "0.6100", "client_order_id": "k-1" });
    let (status, placed) =
        trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(order.clone())).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(
        (&placed["order"]["status"], &placed["order"]["yes_price"], &placed["order"]["no_price_dollars"]),
        (&json!("resting"), &json!(39), &json!("0.6100"))
    );
    let (status, retry) = trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(order)).await;
    assert_eq!((status, &retry["order"]["order_id"]), (201, &placed["order"]["order_id"]));
    let (_, book) = trader.call(&client, &server, "GET", "/trade-api/v2/markets/AUG-1/orderbook?depth=5", None).await;
    assert_eq!(book["orderbook"]["no"], json!([[61, 3]]));
    assert_eq!(book["orderbook_fp"]["no_dollars"], json!([["0.6100", "3.00"]]));

    // Refusals, in Kalshi's shape with Augury's code in details; nothing changes.
    let off_tick =
        json!({ "ticker": "AUG-1", "side": "yes", "action": "buy", "count": 1, "yes_price_dollars": "0.455" });
    let (status, body) = trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(off_tick)).await;
    assert_eq!((status, &body["error"]["code"]), (400, &json!("invalid_parameters")), "{body}");
    let fractional = json!({ "ticker": "AUG-1", "side": "yes", "action": "buy", "count_fp": "1.50", "yes_price": 40 });
    let (status, body) =
        trader.call(&client, &server, "POST", "/trade-api/v2/portfolio/orders", Some(fractional)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("whole contracts"), "{body}");
    // A body that is not UTF-8 (a Latin-1 byte inside a string) is refused, not read in part.
    let latin1 = b"{\"ticker\":\"AUG-1\",\"side\":\"yes\",\"action\":\"buy\",\"count\":1,\"yes_price\":40,\"client_order_id\":\"caf\xe9\"}".to_vec();
    let mut request = client.post(server.url("/trade-api/v2/portfolio/orders")).body(latin1);
    for (name, value) in trader.headers("POST", "/trade-api/v2/portfolio/orders", now_ms()) {
        request = request.header(name, value);
    }
    let (status, body) = read(request.header("content-type", "application/json").send().await.unwrap()).await;
    assert_eq!((status, &body["error"]["details"]), (400, &json!("invalid_json")), "{body}");
    let (status, body) = reader.call(&client, &server, "DELETE", "/trade-api/v2/portfolio/orders/1", None).await;
    assert_eq!((status, &body["error"]["details"]), (403, &json!("missing_scope")), "{body}");
    let (status, body) = trader.call(&client, &server, "GET", "/trade-api/v2/portfolio/order_groups", None).await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")), "{body}");

    let path = "/trade-api/v2/portfolio/balance";
    let stale = trader.headers("GET", path, now_ms() - 60_000);
    let (status, body) = trader.send(&client, &server, "GET", path, stale, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("stale_timestamp")), "{body}");
    let wrong_path = trader.headers("GET", "/trade-api/v2/portfolio/fills", now_ms());
    let (status, body) = trader.send(&client, &server, "GET", path, wrong_path, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("bad_signature")), "{body}");
    let once = trader.headers("GET", path, now_ms());
    let (status, balance) = trader.send(&client, &server, "GET", path, once.clone(), None).await;
    assert_eq!(status, 200, "{balance}");
    assert_eq!(balance["balance_dollars"], "998.1700", "$1,000 less 3 x 0.61 held");
    assert_eq!(balance["balance"], 99_817);
    let (status, body) = trader.send(&client, &server, "GET", path, once, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("replayed_signature")), "{body}");
    // An Ed25519-only key cannot sign the Kalshi way.
    let ed25519_only = Kalshi { key_id: token::format_key_id(alice.key_id), pair: key_pair() };
    let (status, body) = ed25519_only.call(&client, &server, "GET", path, None).await;
    assert_eq!((status, &body["error"]["details"]), (401, &json!("bad_signature")), "{body}");
    server.stop().await;
}

/// Kalshi's `position` counts every contract held, those offered by resting sells included (as
/// on Kalshi): 31 YES all offered for sale are a position of 31, not 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kalshi_positions_count_contracts_held_by_resting_sells() {
    let (server, _admin, alice, bob) = start(GatewayConfig::default()).await;
    let dir = server.stop().await;
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let (id, _, secret_sha256) = token::generate().unwrap();
    let key = NewApiKey {
        id,
        account: Some(AccountId(alice.account)),
        label: "rsa".into(),
        scopes: Scopes::READ.union(Scopes::TRADE),
        secret_sha256,
        ed25519_public_key: None,
        created_ms: 0,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
    venue.execute(&VenueCommand::CreateRsaKey { key, rsa_public_key: spki }).unwrap().unwrap();
    venue.commit(0).unwrap();
    drop(venue);
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let trader = Kalshi { key_id: token::format_key_id(id), pair: key_pair() };

    let order = |side: &str, action: &str, price: u64| json!({ "market": MARKET, "side": side, "action": action, "price_micros": price, "quantity": 31 });
    let orders = "/v1/portfolio/orders";
    assert_eq!(call(&client, &server, &alice, "POST", orders, Some(order("yes", "buy", 400_000))).await.0, 201);
    assert_eq!(call(&client, &server, &bob, "POST", orders, Some(order("no", "buy", 600_000))).await.0, 201);
    let (status, resting) = call(&client, &server, &alice, "POST", orders, Some(order("yes", "sell", 900_000))).await;
    assert_eq!((status, resting["order"]["status"].as_str()), (201, Some("open")), "{resting}");

    let (status, positions) = trader.call(&client, &server, "GET", "/trade-api/v2/portfolio/positions", None).await;
    assert_eq!(status, 200, "{positions}");
    let position = &positions["market_positions"][0];
    assert_eq!((&position["ticker"], &position["position"]), (&json!("AUG-1"), &json!(31)), "{positions}");
    assert_eq!(position["resting_orders_count"], 1, "{positions}");
    server.stop().await;
}

/// Submits a venue command to the running venue and expects it accepted.
async fn execute(server: &Server, command: VenueCommand) -> VenueOutcome {
    server.gateway.state.sequencer.execute_async(command).await.unwrap().unwrap()
}

/// A public Kalshi read (market data needs no signature).
async fn public(client: &reqwest::Client, server: &Server, path_and_query: &str) -> (u16, Value) {
    read(client.get(server.url(&format!("/trade-api/v2{path_and_query}"))).send().await.unwrap()).await
}

fn tickers(list: &Value, field: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|v| v[field].as_str().unwrap().to_string()).collect()
}

/// The Kalshi surface serves the market catalog in Kalshi's fields: titles, rules, categories,
/// outcome names and times on markets; catalog events and series as Kalshi events and series
/// (a categorical market stays an event by itself); tickers of markets unchanged; a market
/// without an entry shows the catalog's placeholder; text comes back exactly as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kalshi_serves_the_catalog() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let spec = |market: u32, kind: MarketKind, close_time_ms: u64| MarketSpec {
        market: MarketId(market),
        kind,
        tick_micros: 10_000,
        fees: FeeSchedule::ZERO,
        close_time_ms,
    };
    let close_ms = now_ms() + 86_400_000;
    let expected_ms = close_ms + 3_600_000;
    let markup = "<b>Tom & Jerry's \"big\" day</b> \\ </script>";

    execute(
        &server,
        VenueCommand::CreateSeries {
            series: SeriesInfo {
                ticker: "BTC-DAILY".into(),
                title: "Bitcoin's daily close".into(),
                category: Category::Crypto,
                tags: vec!["bitcoin".into(), "daily".into()],
                frequency: "daily".into(),
            },
        },
    )
    .await;
    execute(
        &server,
        VenueCommand::CreateEvent {
            event: EventInfo {
                ticker: "BTC-2026-12-02".into(),
                title: "BTC on 2 Dec 2026".into(),
                subtitle: "Daily close, 17:00 ET".into(),
                category: Category::Crypto,
                tags: vec!["bitcoin".into()],
                mutually_exclusive: false,
                series: Some("BTC-DAILY".into()),
            },
        },
    )
    .await;
    let btc = MarketInfo {
        title: "Will BTC close at or above $100,000 on 2 Dec 2026?".into(),
        subtitle: markup.into(),
        description: "The daily close of bitcoin.".into(),
        rules_primary: format!("Resolves YES if the index closes at or above $100,000. {markup}"),
        rules_secondary: "If the index is not published, the next publication counts.".into(),
        resolution_source: "An index".into(),
        category: Category::Crypto,
        tags: vec!["bitcoin".into()],
        slug: "btc-100k-2026-12-02".into(),
        outcome_names: OutcomeNames::Binary { yes: "Above $100k".into(), no: "Below $100k".into() },
        image_url: None,
        event: Some("BTC-2026-12-02".into()),
        expected_expiration_ms: Some(expected_ms),
    };
    let direction = MarketInfo {
        title: "Which way does BTC move on 2 Dec 2026?".into(),
        subtitle: String::new(),
        rules_primary: "The outcome is the direction of the close against the open.".into(),
        rules_secondary: String::new(),
        slug: "btc-direction-2026-12-02".into(),
        outcome_names: OutcomeNames::Categorical { labels: vec!["Up".into(), "Flat".into(), "Down".into()] },
        expected_expiration_ms: None,
        ..btc.clone()
    };
    let rate = MarketInfo {
        title: "The fed funds rate at the end of 2026".into(),
        category: Category::Economics,
        slug: "fed-funds-2026".into(),
        outcome_names: OutcomeNames::Scalar {
            unit: "bp".into(),
            floor_label: "0 bp or below".into(),
            cap_label: "800 bp or above".into(),
        },
        event: None,
        expected_expiration_ms: None,
        ..direction.clone()
    };
    let listings = [
        (spec(2, MarketKind::Binary, close_ms), btc.clone()),
        (spec(3, MarketKind::Categorical { outcomes: 3 }, close_ms), direction.clone()),
        (spec(4, MarketKind::Scalar { floor: 0, cap: 800 }, 0), rate),
    ];
    for (spec, info) in listings {
        execute(&server, VenueCommand::ListMarket { spec, info: Box::new(info) }).await;
    }
    let created_ms = server
        .gateway
        .state
        .sequencer
        .query(|venue| venue.state().catalog().market(MarketId(2)).unwrap().created_ms)
        .await
        .unwrap();
    assert!(created_ms > 0, "listed on the venue clock");

    // Five contracts trade in market 2; Alice's order is the YES side.
    let order = |side: &str, price: u64| json!({ "market": 2, "side": side, "action": "buy", "price_micros": price, "quantity": 5 });
    let orders = "/v1/portfolio/orders";
    assert_eq!(call(&client, &server, &alice, "POST", orders, Some(order("yes", 400_000))).await.0, 201);
    assert_eq!(call(&client, &server, &bob, "POST", orders, Some(order("no", 600_000))).await.0, 201);
    // Then a bid rests near the last price: liquidity near the mid.
    let bid = json!({ "market": 2, "side": "yes", "action": "buy", "price_micros": 380_000, "quantity": 2 });
    assert_eq!(call(&client, &server, &admin, "POST", orders, Some(bid)).await.0, 201);

    // A binary market in a catalog event: the catalog's words, times and grouping.
    let (status, body) = public(&client, &server, "/markets/AUG-2").await;
    assert_eq!(status, 200, "{body}");
    let m = &body["market"];
    assert_eq!(m["ticker"], "AUG-2");
    assert_eq!(m["title"], btc.title);
    assert_eq!(m["subtitle"], markup, "markup comes back as written");
    assert_eq!((&m["yes_sub_title"], &m["no_sub_title"]), (&json!("Above $100k"), &json!("Below $100k")));
    assert_eq!(m["rules_primary"], btc.rules_primary);
    assert_eq!(m["rules_secondary"], btc.rules_secondary);
    assert_eq!(m["category"], "Crypto");
    assert_eq!((&m["event_ticker"], &m["series_ticker"]), (&json!("BTC-2026-12-02"), &json!("BTC-DAILY")));
    assert_eq!(m["open_time"], rfc3339(created_ms));
    assert_eq!(m["created_time"], rfc3339(created_ms));
    assert_eq!(m["close_time"], rfc3339(close_ms));
    assert_eq!(m["expected_expiration_time"], rfc3339(expected_ms));
    assert_eq!((&m["volume"], &m["volume_fp"]), (&json!(5), &json!("5.00")), "{m}");
    assert_eq!((&m["volume_24h"], &m["volume_24h_fp"]), (&json!(5), &json!("5.00")));
    assert_eq!((&m["open_interest"], &m["open_interest_fp"]), (&json!(5), &json!("5.00")), "five sets minted");
    assert_eq!((&m["liquidity"], &m["liquidity_dollars"]), (&json!(76), &json!("0.7600")), "2 at 0.38");
    assert_eq!(m["last_price_dollars"], "0.4000");
    // JSON escapes quotes and backslashes, and nothing else: no HTML entities, no \u003c.
    let raw = client.get(server.url("/trade-api/v2/markets/AUG-2")).send().await.unwrap().text().await.unwrap();
    assert!(raw.contains(r#"<b>Tom & Jerry's \"big\" day</b> \\ </script>"#), "{raw}");

    // A categorical market is an event by itself, its outcomes titled by their labels.
    let (_, body) = public(&client, &server, "/markets/AUG-3-2").await;
    let m = &body["market"];
    assert_eq!(m["title"], format!("{}: Down", direction.title));
    assert_eq!((&m["yes_sub_title"], &m["no_sub_title"]), (&json!("Down"), &json!("Not Down")));
    assert_eq!((&m["event_ticker"], &m["series_ticker"]), (&json!("AUG-3"), &json!("BTC-DAILY")));
    assert_eq!(m["expected_expiration_time"], rfc3339(close_ms), "the close time when none is expected");
    // A scalar market in no event: LONG and SHORT in its unit, the default series.
    let (_, body) = public(&client, &server, "/markets/AUG-4").await;
    let m = &body["market"];
    assert_eq!((&m["yes_sub_title"], &m["no_sub_title"]), (&json!("Long (bp)"), &json!("Short (bp)")));
    assert_eq!(
        (&m["event_ticker"], &m["series_ticker"], &m["category"]),
        (&json!("AUG-4"), &json!("AUG"), &json!("Economics"))
    );
    assert!(m.get("close_time").is_none() && m.get("expected_expiration_time").is_none(), "{m}");
    // A market without an entry: the catalog's placeholder, as before otherwise.
    let (_, body) = public(&client, &server, "/markets/AUG-1").await;
    let m = &body["market"];
    assert_eq!(
        (&m["title"], &m["yes_sub_title"], &m["no_sub_title"]),
        (&json!("Market 1"), &json!("Yes"), &json!("No"))
    );
    assert_eq!(
        (&m["event_ticker"], &m["series_ticker"], &m["category"]),
        (&json!("AUG-1"), &json!("AUG"), &json!("Other"))
    );
    assert_eq!((&m["rules_primary"], &m["volume"]), (&json!(""), &json!(0)));
    assert!(m.get("open_time").is_none(), "no creation time is known: {m}");

    // Markets by event and by series; the catalog's tickers are accepted.
    let (_, body) = public(&client, &server, "/markets?event_ticker=BTC-2026-12-02").await;
    assert_eq!(tickers(&body["markets"], "ticker"), ["AUG-2"]);
    let (_, body) = public(&client, &server, "/markets?series_ticker=BTC-DAILY").await;
    assert_eq!(tickers(&body["markets"], "ticker"), ["AUG-2", "AUG-3-0", "AUG-3-1", "AUG-3-2"]);
    let (_, body) = public(&client, &server, "/markets?series_ticker=AUG").await;
    assert_eq!(tickers(&body["markets"], "ticker"), ["AUG-1", "AUG-4"]);
    let (status, body) = public(&client, &server, "/markets?event_ticker=NO-SUCH-EVENT").await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")), "{body}");

    // Events of a series, with their markets.
    let (status, body) = public(&client, &server, "/events?series_ticker=BTC-DAILY&with_nested_markets=true").await;
    assert_eq!(status, 200, "{body}");
    let events = &body["events"];
    assert_eq!(tickers(events, "event_ticker"), ["AUG-3", "BTC-2026-12-02"]);
    let own = &events[0];
    assert_eq!((&own["title"], &own["mutually_exclusive"]), (&json!(direction.title), &json!(true)));
    assert_eq!(tickers(&own["markets"], "ticker"), ["AUG-3-0", "AUG-3-1", "AUG-3-2"]);
    let event = &events[1];
    assert_eq!(event["title"], "BTC on 2 Dec 2026");
    assert_eq!(event["sub_title"], "Daily close, 17:00 ET");
    assert_eq!((&event["category"], &event["series_ticker"]), (&json!("Crypto"), &json!("BTC-DAILY")));
    assert_eq!((&event["mutually_exclusive"], &event["status"]), (&json!(false), &json!("open")));
    assert_eq!(tickers(&event["markets"], "ticker"), ["AUG-2"]);
    assert_eq!(event["markets"][0]["title"], btc.title);
    let (status, body) = public(&client, &server, "/events/BTC-2026-12-02").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["event"]["title"], tickers(&body["markets"], "ticker")),
        (&json!("BTC on 2 Dec 2026"), vec!["AUG-2".to_string()])
    );
    let (status, _) = public(&client, &server, "/events/AUG-2").await;
    assert_eq!(status, 404, "market 2's event is the catalog's");
    // Every event, a page at a time: the markets' own events by number, then the catalog's.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, body) = public(&client, &server, &format!("/events?limit=2&cursor={cursor}")).await;
        assert_eq!(status, 200, "{body}");
        seen.extend(tickers(&body["events"], "event_ticker"));
        cursor = body["cursor"].as_str().unwrap().to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(seen, ["AUG-1", "AUG-3", "AUG-4", "BTC-2026-12-02"]);

    // Series: the catalog's, and AUG for events without one.
    let (status, body) = public(&client, &server, "/series/BTC-DAILY").await;
    assert_eq!(status, 200, "{body}");
    let series = &body["series"];
    assert_eq!((&series["title"], &series["category"]), (&json!("Bitcoin's daily close"), &json!("Crypto")));
    assert_eq!((&series["tags"], &series["frequency"]), (&json!(["bitcoin", "daily"]), &json!("daily")));
    let (_, body) = public(&client, &server, "/series").await;
    assert_eq!(tickers(&body["series"], "ticker"), ["AUG", "BTC-DAILY"]);
    let (_, body) = public(&client, &server, "/series?category=Crypto").await;
    assert_eq!(tickers(&body["series"], "ticker"), ["BTC-DAILY"]);
    let (_, body) = public(&client, &server, "/series?tags=daily,weekly").await;
    assert_eq!(tickers(&body["series"], "ticker"), ["BTC-DAILY"]);
    let (status, _) = public(&client, &server, "/series/AUG").await;
    assert_eq!(status, 200);
    let (status, body) = public(&client, &server, "/series/NOPE").await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")));

    // The portfolio names the same event as the market does.
    let (id, _, secret_sha256) = token::generate().unwrap();
    let key = NewApiKey {
        id,
        account: Some(AccountId(alice.account)),
        label: "rsa".into(),
        scopes: Scopes::READ,
        secret_sha256,
        ed25519_public_key: None,
        created_ms: 0,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
    execute(&server, VenueCommand::CreateRsaKey { key, rsa_public_key: spki }).await;
    let reader = Kalshi { key_id: token::format_key_id(id), pair: key_pair() };
    let path = "/trade-api/v2/portfolio/positions?event_ticker=BTC-2026-12-02";
    let (status, positions) = reader.call(&client, &server, "GET", path, None).await;
    assert_eq!(status, 200, "{positions}");
    assert_eq!(tickers(&positions["market_positions"], "ticker"), ["AUG-2"]);
    assert_eq!(tickers(&positions["event_positions"], "event_ticker"), ["BTC-2026-12-02"]);
    let path = "/trade-api/v2/portfolio/orders?event_ticker=BTC-2026-12-02";
    let (status, orders) = reader.call(&client, &server, "GET", path, None).await;
    assert_eq!((status, tickers(&orders["orders"], "ticker")), (200, vec!["AUG-2".to_string()]), "{orders}");
    server.stop().await;
}
