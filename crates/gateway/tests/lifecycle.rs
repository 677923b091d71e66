//! A market's whole life through the public API: proposals with and without disputes, arbiter
//! votes, rule-based resolution from index values, the administrator's direct resolution
//! (scalar and invalid), redemption and settlements, and the LMSR market maker.

mod common;

use augury_gateway::{token, GatewayConfig};
use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const DOLLAR: u64 = 1_000_000;

fn limit(market: u32, side: &str, action: &str, price: u64, quantity: u64) -> Value {
    json!({ "market": market, "side": side, "action": action, "price_micros": price, "quantity": quantity })
}

/// Alice buys `quantity` YES at 0.40 and Bob `quantity` NO at 0.60: that mints `quantity` sets.
async fn mint(client: &reqwest::Client, server: &Server, alice: &Credentials, bob: &Credentials, quantity: u64) {
    let order = limit(MARKET, "yes", "buy", 400_000, quantity);
    let (status, body) = call(client, server, alice, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!(status, 201, "{body}");
    let order = limit(MARKET, "no", "buy", 600_000, quantity);
    let (status, body) = call(client, server, bob, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!((status, body["order"]["status"].as_str()), (201, Some("filled")), "{body}");
}

async fn available(client: &reqwest::Client, server: &Server, who: &Credentials) -> u64 {
    let (_, balance) = call(client, server, who, "GET", "/v1/portfolio/balance", None).await;
    balance["available_micros"].as_u64().unwrap()
}

/// Polls the market's resolution until it is settled (the sequencer acts on deadlines by itself).
async fn settled(client: &reqwest::Client, server: &Server, who: &Credentials, market: u32) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, view) = call(client, server, who, "GET", &format!("/v1/markets/{market}/resolution"), None).await;
        if view["status"] == "settled" {
            return view;
        }
        assert!(Instant::now() < deadline, "market {market} did not settle: {view}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn oracle(client: &reqwest::Client, server: &Server, admin: &Credentials, liveness_ms: u64) {
    let config =
        json!({ "liveness_ms": liveness_ms, "min_bond_micros": DOLLAR, "quorum": 1, "dispute_fee_ppm": 50_000 });
    let (status, body) = call(client, server, admin, "PUT", "/v1/oracle", Some(config)).await;
    assert_eq!((status, body["config"]["liveness_ms"].as_u64()), (200, Some(liveness_ms)), "{body}");
}

#[tokio::test]
async fn an_undisputed_proposal_settles_and_holders_redeem() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    oracle(&client, &server, &admin, 300).await;
    mint(&client, &server, &alice, &bob, 10).await;

    let proposal = json!({ "resolution": "yes", "bond_micros": DOLLAR });
    // Only the resolver scope proposes, and only for a closed market.
    let (status, body) =
        call(&client, &server, &alice, "POST", "/v1/markets/1/proposals", Some(proposal.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    let (status, body) =
        call(&client, &server, &admin, "POST", "/v1/markets/1/proposals", Some(proposal.clone())).await;
    assert_eq!((status, error_code(&body)), (422, "wrong_market_status"), "{body}");
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/markets/1/close", None).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/close", None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("closed")), "{body}");

    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/proposals", Some(proposal)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("resolving")), "{body}");
    assert_eq!(body["proposal"]["resolution"], "yes");
    assert_eq!(body["proposal"]["bond_micros"], DOLLAR);
    let redeem = json!({ "market": MARKET });
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/redeem", Some(redeem.clone())).await;
    assert_eq!((status, error_code(&body)), (422, "market_not_settled"), "{body}");

    // Nobody disputes: final when the liveness window ends.
    let view = settled(&client, &server, &alice, MARKET).await;
    assert_eq!(view["settlement"]["resolution"], "yes");
    assert_eq!(view["settlement"]["payouts"], json!([{ "yes_micros": DOLLAR, "no_micros": 0 }]));
    assert_eq!(view["settlement"]["outstanding_micros"], 10 * DOLLAR);
    assert_eq!(available(&client, &server, &admin).await, 1_000 * DOLLAR, "the bond came back");

    let before = available(&client, &server, &alice).await;
    let (status, paid) = call(&client, &server, &alice, "POST", "/v1/portfolio/redeem", Some(redeem.clone())).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid, json!({ "market": 1, "contracts": 10, "payout_micros": 10 * DOLLAR }));
    assert_eq!(available(&client, &server, &alice).await, before + 10 * DOLLAR);
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/redeem", Some(redeem.clone())).await;
    assert_eq!((status, error_code(&body)), (422, "nothing_to_redeem"), "{body}");
    // NO paid nothing, but redeeming clears it.
    let (status, paid) = call(&client, &server, &bob, "POST", "/v1/portfolio/redeem", Some(redeem)).await;
    assert_eq!((status, paid["payout_micros"].as_u64()), (200, Some(0)), "{paid}");

    let (_, settlements) = call(&client, &server, &alice, "GET", "/v1/portfolio/settlements", None).await;
    let items = settlements["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{settlements}");
    assert_eq!((items[0]["market"].as_u64(), items[0]["payout_micros"].as_u64()), (Some(1), Some(10 * DOLLAR)));
    let (_, view) = call(&client, &server, &alice, "GET", "/v1/markets/1/resolution", None).await;
    assert_eq!(view["settlement"]["outstanding_micros"], 0);
    let (_, market) = call(&client, &server, &alice, "GET", "/v1/markets/1", None).await;
    assert_eq!((market["status"].as_str(), market["resolution"].as_str()), (Some("settled"), Some("yes")));

    // All of it survives a restart.
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let (_, settlements) = call(&client, &server, &alice, "GET", "/v1/portfolio/settlements", None).await;
    assert_eq!(settlements["items"].as_array().map(Vec::len), Some(1));
    server.stop().await;
}

#[tokio::test]
async fn a_disputed_proposal_goes_to_the_arbiters() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    oracle(&client, &server, &admin, 60_000).await;
    mint(&client, &server, &alice, &bob, 10).await;

    // Bob becomes an arbiter: his account is named, and he gets a key with the resolver scope.
    let new_key = json!({
        "scopes": ["read", "resolver"],
        "account": bob.account,
        "ed25519_public_key": token::hex(&bob.signing.verifying_key().to_bytes()),
    });
    let (status, created) = call(&client, &server, &admin, "POST", "/v1/keys", Some(new_key)).await;
    assert_eq!(status, 201, "{created}");
    let arbiter = Credentials {
        key_id: token::parse_key_id(created["key"]["key_id"].as_str().unwrap()).unwrap(),
        token: created["token"].as_str().unwrap().to_string(),
        signing: bob.signing.clone(),
        account: bob.account,
    };
    let path = format!("/v1/oracle/arbiters/{}", bob.account);
    let (status, body) = call(&client, &server, &admin, "PUT", &path, None).await;
    assert_eq!((status, body["arbiters"].clone()), (200, json!([bob.account])), "{body}");

    call(&client, &server, &admin, "POST", "/v1/markets/1/close", None).await;
    let proposal = json!({ "resolution": "no", "bond_micros": DOLLAR });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/proposals", Some(proposal)).await;
    assert_eq!(status, 200, "{body}");

    let dispute = |bond: u64| Some(json!({ "bond_micros": bond }));
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/markets/1/disputes", dispute(2 * DOLLAR)).await;
    assert_eq!((status, error_code(&body)), (422, "bond_mismatch"), "{body}");
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/markets/1/disputes", dispute(DOLLAR)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("disputed")), "{body}");
    assert_eq!(body["dispute"], json!({ "disputer": alice.account, "bond_micros": DOLLAR }));
    let after_dispute = available(&client, &server, &alice).await;

    // The admin's key has the resolver scope, but its account is no arbiter.
    let vote = json!({ "resolution": "yes" });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/votes", Some(vote.clone())).await;
    assert_eq!((status, error_code(&body)), (422, "not_an_arbiter"), "{body}");
    let (status, body) = call(&client, &server, &bob, "POST", "/v1/markets/1/votes", Some(vote.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"), "{body}");
    let (status, body) = call(&client, &server, &arbiter, "POST", "/v1/markets/1/votes", Some(vote)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("settled")), "{body}");
    assert_eq!(body["settlement"]["resolution"], "yes");

    // The dispute was upheld: Alice's bond comes back with the proposer's, less the 5% fee.
    assert_eq!(available(&client, &server, &alice).await, after_dispute + DOLLAR + DOLLAR - 50_000);
    assert_eq!(available(&client, &server, &admin).await, 1_000 * DOLLAR - DOLLAR);
    server.stop().await;
}

#[tokio::test]
async fn a_rule_resolves_the_market_when_the_index_value_arrives() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    mint(&client, &server, &alice, &bob, 5).await;
    let at_ms = now_ms() + 300;
    let rule = json!({
        "index": 7, "at_ms": at_ms, "samples": 1, "interval_ms": 0,
        "map": { "threshold": { "comparison": "at_or_above", "threshold": 10_000_000 } },
    });
    let (status, body) = call(&client, &server, &alice, "PUT", "/v1/markets/1/rule", Some(rule.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/markets/1/rule", Some(rule.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rule"], rule);
    assert_eq!(body["close_time_ms"], at_ms, "trading stops at the rule's time");
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/markets/1/rule", Some(rule)).await;
    assert_eq!((status, error_code(&body)), (409, "rule_already_set"), "{body}");

    let value = json!({ "at_ms": at_ms, "value": 10_250_000 });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/indices/7/values", Some(value.clone())).await;
    assert_eq!((status, error_code(&body)), (422, "index_value_in_future"), "{body}");
    while now_ms() <= at_ms + 5 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/indices/7/values", Some(value.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/indices/7/values", Some(value)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resolved_markets"], json!([MARKET]));
    let (_, view) = call(&client, &server, &alice, "GET", "/v1/markets/1/resolution", None).await;
    assert_eq!((view["status"].as_str(), view["samples_recorded"].as_u64()), (Some("settled"), Some(1)));
    assert_eq!(view["settlement"]["resolution"], "yes");
    let (status, paid) =
        call(&client, &server, &alice, "POST", "/v1/portfolio/redeem", Some(json!({ "market": 1 }))).await;
    assert_eq!((status, paid["payout_micros"].as_u64()), (200, Some(5 * DOLLAR)), "{paid}");
    server.stop().await;
}

#[tokio::test]
async fn the_administrator_resolves_scalar_and_invalid_markets() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let scalar = json!({ "market": 2, "kind": { "scalar": { "floor": 0, "cap": 100 } }, "tick_micros": 10_000 });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets", Some(scalar)).await;
    assert_eq!(status, 201, "{body}");
    for market in [1, 2] {
        let sets = json!({ "market": market, "quantity": 10 });
        let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/split", Some(sets)).await;
        assert_eq!(status, 200, "{body}");
    }

    // A resolution that does not fit the market is refused and changes nothing.
    let (status, body) =
        call(&client, &server, &admin, "POST", "/v1/markets/2/resolve", Some(json!({ "resolution": "yes" }))).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_resolution"), "{body}");
    let resolution = json!({ "resolution": { "scalar": { "value": 25 } } });
    let (status, body) =
        call(&client, &server, &alice, "POST", "/v1/markets/2/resolve", Some(resolution.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/2/resolve", Some(resolution)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("settled")), "{body}");
    assert_eq!(body["settlement"]["payouts"], json!([{ "yes_micros": 250_000, "no_micros": 750_000 }]));

    let (status, body) =
        call(&client, &server, &admin, "POST", "/v1/markets/1/resolve", Some(json!({ "resolution": "invalid" }))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settlement"]["payouts"], json!([{ "yes_micros": 500_000, "no_micros": 500_000 }]));

    // A full set pays its dollar back either way.
    let before = available(&client, &server, &alice).await;
    for market in [1, 2] {
        let (status, paid) =
            call(&client, &server, &alice, "POST", "/v1/portfolio/redeem", Some(json!({ "market": market }))).await;
        assert_eq!((status, paid["payout_micros"].as_u64()), (200, Some(10 * DOLLAR)), "{paid}");
    }
    assert_eq!(available(&client, &server, &alice).await, before + 20 * DOLLAR);
    let (status, body) =
        call(&client, &server, &admin, "POST", "/v1/markets/1/resolve", Some(json!({ "resolution": "yes" }))).await;
    assert_eq!((status, error_code(&body)), (422, "wrong_market_status"), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn the_market_maker_quotes_and_fills_beside_the_book() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/markets/1/amm", None).await;
    assert_eq!((status, error_code(&body)), (404, "no_market_maker"));

    let enable = json!({ "operator": admin.account, "liquidity_micros": 100 * DOLLAR });
    let (status, body) = call(&client, &server, &alice, "POST", "/v1/markets/1/amm", Some(enable.clone())).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"));
    let (status, amm) = call(&client, &server, &admin, "POST", "/v1/markets/1/amm", Some(enable)).await;
    assert_eq!(status, 200, "{amm}");
    // b ln 2 reserved, rounded up.
    assert_eq!(amm["funded_micros"], 69_314_719);
    assert_eq!(available(&client, &server, &admin).await, 1_000 * DOLLAR - 69_314_719);
    assert_eq!(amm["yes_prices"], json!([0.5]));

    let (status, quote) =
        call(&client, &server, &alice, "GET", "/v1/markets/1/amm/quote?side=yes&action=buy&quantity=10", None).await;
    assert_eq!(status, 200, "{quote}");
    let cost = quote["value_micros"].as_u64().unwrap();
    // The LMSR cost of 10 YES from 50/50 with b = 100: 100 ln((e^0.1 + 1) / 2) = 5.1249 dollars,
    // rounded up.
    assert_eq!(cost, 5_124_948, "{quote}");

    let order = json!({
        "market": 1, "side": "yes", "action": "buy", "type": "market", "quantity": 10, "cost_cap_micros": 6 * DOLLAR,
    });
    let (status, placed) = call(&client, &server, &alice, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!((status, placed["order"]["status"].as_str()), (201, Some("filled")), "{placed}");
    let fill = &placed["fills"][0];
    assert_eq!((fill["liquidity"].as_str(), fill["notional_micros"].as_u64()), (Some("amm"), Some(cost)), "{placed}");
    assert_eq!(available(&client, &server, &alice).await, 1_000 * DOLLAR - cost);
    let (_, trades) = call(&client, &server, &alice, "GET", "/v1/markets/1/trades", None).await;
    assert_eq!(trades["items"][0]["quantity"], 10);
    let (_, amm) = call(&client, &server, &alice, "GET", "/v1/markets/1/amm", None).await;
    assert!(amm["yes_prices"][0].as_f64().unwrap() > 0.5, "{amm}");
    server.stop().await;
}
