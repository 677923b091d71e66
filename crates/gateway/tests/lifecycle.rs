//! A market's whole life through the public API: proposals with and without disputes, arbiter
//! votes, rule-based resolution from index values, the administrator's direct resolution
//! (scalar and invalid, and overruling a proposal), redemption and settlements, the LMSR market
//! maker and its quote; the resolution record and the market maker's close-out after settlement
//! and a restart (and the history's derivation of them checked against the engine), bonds and
//! market-maker funding in the balance, and the oracle's refusals.

mod common;

use augury_core::{AccountId, MarketId, OrderId};
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
    assert_eq!(
        (&body["dispute"]["disputer"], &body["dispute"]["bond_micros"]),
        (&json!(alice.account), &json!(DOLLAR))
    );
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
    // Far enough ahead that the refusals below all happen before the rule's time, even on a
    // loaded machine (the second PUT must meet an open market).
    let at_ms = now_ms() + 2_000;
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

/// A key for `account` (or a new account) with `scopes`, signing with the key of `seed`.
async fn key_for(
    client: &reqwest::Client,
    server: &Server,
    admin: &Credentials,
    account: Option<u64>,
    scopes: &[&str],
    seed: u8,
) -> Credentials {
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let mut new_key = json!({
        "scopes": scopes,
        "ed25519_public_key": token::hex(&signing.verifying_key().to_bytes()),
    });
    match account {
        Some(account) => new_key["account"] = json!(account),
        None => new_key["new_account"] = json!(true),
    }
    let (status, created) = call(client, server, admin, "POST", "/v1/keys", Some(new_key)).await;
    assert_eq!(status, 201, "{created}");
    Credentials {
        key_id: token::parse_key_id(created["key"]["key_id"].as_str().unwrap()).unwrap(),
        token: created["token"].as_str().unwrap().to_string(),
        signing,
        account: created["key"]["account"].as_u64().unwrap(),
    }
}

async fn balance(client: &reqwest::Client, server: &Server, who: &Credentials) -> Value {
    let (status, balance) = call(client, server, who, "GET", "/v1/portfolio/balance", None).await;
    assert_eq!(status, 200, "{balance}");
    balance
}

/// Everything an account's balance says it holds: available, reserved, posted bonds and
/// market-maker funding.
fn equity(balance: &Value) -> u64 {
    ["available_micros", "reserved_micros", "bonds_micros", "amm_funding_micros"]
        .iter()
        .map(|field| balance[field].as_u64().unwrap_or_else(|| panic!("{field} missing from {balance}")))
        .sum()
}

#[tokio::test]
async fn the_resolution_record_stays_readable_after_settlement_and_a_restart() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    mint(&client, &server, &alice, &bob, 10).await;
    // Three arbiters (Bob and two new accounts), two of whom must agree.
    let bob_arbiter = key_for(&client, &server, &admin, Some(bob.account), &["read", "resolver"], 3).await;
    let carol = key_for(&client, &server, &admin, None, &["read", "resolver"], 11).await;
    let dave = key_for(&client, &server, &admin, None, &["read", "resolver"], 12).await;
    for arbiter in [&bob_arbiter, &carol, &dave] {
        let (status, body) =
            call(&client, &server, &admin, "PUT", &format!("/v1/oracle/arbiters/{}", arbiter.account), None).await;
        assert_eq!(status, 200, "{body}");
    }
    let config = json!({ "liveness_ms": 60_000, "min_bond_micros": DOLLAR, "quorum": 2, "dispute_fee_ppm": 50_000 });
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/oracle", Some(config)).await;
    assert_eq!(status, 200, "{body}");

    call(&client, &server, &admin, "POST", "/v1/markets/1/close", None).await;
    let admin_before = balance(&client, &server, &admin).await;
    let proposal = json!({ "resolution": "no", "bond_micros": 2 * DOLLAR });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/proposals", Some(proposal)).await;
    assert_eq!(status, 200, "{body}");
    // The bond shows in the proposer's balance: its equity does not drop.
    let admin_bonded = balance(&client, &server, &admin).await;
    assert_eq!(admin_bonded["bonds_micros"], 2 * DOLLAR, "{admin_bonded}");
    assert_eq!(equity(&admin_bonded), equity(&admin_before));
    let (status, body) =
        call(&client, &server, &alice, "POST", "/v1/markets/1/disputes", Some(json!({ "bond_micros": 2 * DOLLAR })))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(balance(&client, &server, &alice).await["bonds_micros"], 2 * DOLLAR);

    let yes = json!({ "resolution": "yes" });
    let (status, body) = call(&client, &server, &bob_arbiter, "POST", "/v1/markets/1/votes", Some(yes.clone())).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("disputed")), "{body}");
    // Bob is removed after voting: he cannot vote again, but the vote he cast still counts.
    let path = format!("/v1/oracle/arbiters/{}", bob.account);
    let (status, body) = call(&client, &server, &admin, "DELETE", &path, None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&client, &server, &bob_arbiter, "POST", "/v1/markets/1/votes", Some(yes.clone())).await;
    assert_eq!((status, error_code(&body)), (422, "not_an_arbiter"), "{body}");
    let (status, body) = call(&client, &server, &carol, "POST", "/v1/markets/1/votes", Some(yes)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("settled")), "{body}");

    let check = |view: &Value| {
        assert_eq!(view["status"], "settled", "{view}");
        let proposal = &view["proposal"];
        assert_eq!(
            (&proposal["proposer"], &proposal["resolution"], &proposal["bond_micros"]),
            (&json!(admin.account), &json!("no"), &json!(2 * DOLLAR)),
            "{view}"
        );
        let proposed_ms = proposal["proposed_ms"].as_u64().expect("when it was proposed");
        assert_eq!(proposal["liveness_ends_ms"].as_u64(), Some(proposed_ms + 60_000), "{view}");
        let dispute = &view["dispute"];
        assert_eq!((&dispute["disputer"], &dispute["bond_micros"]), (&json!(alice.account), &json!(2 * DOLLAR)));
        assert!(dispute["disputed_ms"].as_u64().unwrap() >= proposed_ms, "{view}");
        let votes: Vec<(u64, &str)> = view["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                assert!(v["time_ms"].as_u64().is_some(), "{v}");
                (v["arbiter"].as_u64().unwrap(), v["resolution"].as_str().unwrap())
            })
            .collect();
        assert_eq!(votes, vec![(bob.account, "yes"), (carol.account, "yes")], "in the order cast");
        assert_eq!(view["settlement"]["resolution"], "yes");
        assert_eq!(view["settlement"]["decided_by"], "arbiters");
        assert!(view["settlement"]["settled_ms"].as_u64().is_some(), "{view}");
        // The dispute was upheld: Alice's bond came back with the proposer's, less the 5% fee.
        assert_eq!(
            view["bonds"],
            json!([
                { "account": alice.account, "role": "disputer", "amount_micros": 2 * DOLLAR, "outcome": "returned",
                  "paid_to": alice.account, "paid_micros": 2 * DOLLAR, "fee_micros": 0 },
                { "account": admin.account, "role": "proposer", "amount_micros": 2 * DOLLAR, "outcome": "forfeited",
                  "paid_to": alice.account, "paid_micros": 2 * DOLLAR - 100_000, "fee_micros": 100_000 },
            ]),
            "{view}"
        );
    };
    let (_, view) = call(&client, &server, &alice, "GET", "/v1/markets/1/resolution", None).await;
    check(&view);
    assert_eq!(balance(&client, &server, &alice).await["bonds_micros"], 0);
    assert_eq!(balance(&client, &server, &admin).await["bonds_micros"], 0);

    // The record is derived from the journal, so it survives a restart.
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let (_, view) = call(&client, &server, &alice, "GET", "/v1/markets/1/resolution", None).await;
    check(&view);
    server.stop().await;
}

#[tokio::test]
async fn an_administrator_overruling_an_undisputed_proposal_sends_its_bond_to_the_fee_account() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    oracle(&client, &server, &admin, 60_000).await;
    mint(&client, &server, &alice, &bob, 4).await;
    // The venue's fee account is account 1; a read key lets the test watch it.
    let fees = key_for(&client, &server, &admin, Some(1), &["read"], 21).await;
    let fees_before = available(&client, &server, &fees).await;

    call(&client, &server, &admin, "POST", "/v1/markets/1/close", None).await;
    let proposal = json!({ "resolution": "yes", "bond_micros": 3 * DOLLAR });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/proposals", Some(proposal)).await;
    assert_eq!(status, 200, "{body}");
    let resolution = json!({ "resolution": "no" });
    let (status, view) = call(&client, &server, &admin, "POST", "/v1/markets/1/resolve", Some(resolution)).await;
    assert_eq!((status, view["status"].as_str()), (200, Some("settled")), "{view}");
    assert_eq!(view["settlement"]["decided_by"], "admin", "{view}");
    assert_eq!(view["proposal"]["resolution"], "yes", "{view}");
    assert_eq!(
        view["bonds"],
        json!([{ "account": admin.account, "role": "proposer", "amount_micros": 3 * DOLLAR, "outcome": "forfeited",
                 "paid_to": 1, "paid_micros": 0, "fee_micros": 3 * DOLLAR }]),
        "{view}"
    );
    assert_eq!(available(&client, &server, &fees).await, fees_before + 3 * DOLLAR);
    let admin_balance = balance(&client, &server, &admin).await;
    assert_eq!(
        (admin_balance["available_micros"].as_u64(), admin_balance["bonds_micros"].as_u64()),
        (Some(997 * DOLLAR), Some(0))
    );
    server.stop().await;
}

#[tokio::test]
async fn the_market_maker_stays_readable_after_settlement() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let before = balance(&client, &server, &admin).await;
    let enable = json!({ "operator": admin.account, "liquidity_micros": 100 * DOLLAR });
    let (status, amm) = call(&client, &server, &admin, "POST", "/v1/markets/1/amm", Some(enable)).await;
    assert_eq!((status, amm["status"].as_str()), (200, Some("active")), "{amm}");
    let funded = amm["funded_micros"].as_u64().unwrap();
    // The funding shows in the operator's balance: its equity does not drop.
    let operating = balance(&client, &server, &admin).await;
    assert_eq!(operating["amm_funding_micros"], funded, "{operating}");
    assert_eq!(equity(&operating), equity(&before));

    for (who, side, action, quantity) in
        [(&alice, "yes", "buy", 30), (&bob, "no", "buy", 12), (&alice, "yes", "sell", 5)]
    {
        let order = json!({ "market": 1, "side": side, "action": action, "type": "market", "quantity": quantity });
        let (status, placed) = call(&client, &server, who, "POST", "/v1/portfolio/orders", Some(order)).await;
        assert_eq!((status, placed["order"]["status"].as_str()), (201, Some("filled")), "{placed}");
    }
    let (_, live) = call(&client, &server, &alice, "GET", "/v1/markets/1/amm", None).await;
    let (cash, claims) = (live["cash_micros"].as_u64().unwrap(), live["claims"].clone());
    let yes_claims = claims[0].as_u64().unwrap();

    let available_before = available(&client, &server, &admin).await;
    let (status, body) =
        call(&client, &server, &admin, "POST", "/v1/markets/1/resolve", Some(json!({ "resolution": "yes" }))).await;
    assert_eq!(status, 200, "{body}");
    let returned = cash + yes_claims * DOLLAR;
    assert_eq!(available(&client, &server, &admin).await, available_before + returned);
    assert_eq!(balance(&client, &server, &admin).await["amm_funding_micros"], 0);

    let check = |amm: &Value| {
        assert_eq!(amm["status"], "closed", "{amm}");
        assert_eq!((amm["operator"].as_u64(), amm["funded_micros"].as_u64()), (Some(admin.account), Some(funded)));
        assert_eq!(amm["liquidity_micros"], 100 * DOLLAR);
        assert_eq!((amm["cash_micros"].as_u64(), &amm["claims"]), (Some(cash), &claims), "at close: {amm}");
        let closed = &amm["closed"];
        assert_eq!(closed["claims_paid_micros"], yes_claims * DOLLAR, "{amm}");
        assert_eq!(closed["returned_micros"], returned, "{amm}");
        assert!(closed["closed_ms"].as_u64().is_some(), "{amm}");
    };
    let (status, amm) = call(&client, &server, &alice, "GET", "/v1/markets/1/amm", None).await;
    assert_eq!(status, 200, "{amm}");
    check(&amm);
    let dir = server.stop().await;
    let server = serve_dir(dir, GatewayConfig::default()).await;
    let (status, amm) = call(&client, &server, &alice, "GET", "/v1/markets/1/amm", None).await;
    assert_eq!(status, 200, "{amm}");
    check(&amm);
    server.stop().await;
}

#[test]
fn the_history_derives_the_market_makers_claims_and_cash_exactly() {
    use augury_core::{
        Action, Command, Event, MarketKind, MarketSpec, NewOrder, OrderType, Resolution, Side, TimeInForce,
    };
    use augury_gateway::history::History;
    use augury_sequencer::VenueCommand;

    let mut engine =
        augury_engine::Engine::new(augury_engine::EngineConfig { fee_account: AccountId(1), ..Default::default() });
    let mut history = History::default();
    let apply = |engine: &mut augury_engine::Engine, history: &mut History, command: Command| -> Vec<Event> {
        let events = engine.apply_collect(&command).unwrap_or_else(|r| panic!("{command:?}: {r:?}"));
        history.apply(&VenueCommand::Engine(command), &events);
        events
    };
    let kinds = [MarketKind::Binary, MarketKind::Categorical { outcomes: 4 }, MarketKind::Scalar { floor: 0, cap: 10 }];
    for (market, kind) in (1..).zip(kinds) {
        let spec = MarketSpec {
            market: MarketId(market),
            kind,
            tick_micros: 10_000,
            fees: augury_core::FeeSchedule::ZERO,
            close_time_ms: 0,
        };
        apply(&mut engine, &mut history, Command::CreateMarket { spec });
    }
    for account in [7, 8, 9] {
        apply(
            &mut engine,
            &mut history,
            Command::Deposit { account: AccountId(account), amount_micros: 100_000 * DOLLAR },
        );
    }
    for market in 1..=3 {
        apply(
            &mut engine,
            &mut history,
            Command::EnableAmm { market: MarketId(market), operator: AccountId(9), liquidity_micros: 20 * DOLLAR },
        );
        apply(
            &mut engine,
            &mut history,
            Command::Split { account: AccountId(8), market: MarketId(market), outcome: None, quantity: 500 },
        );
    }
    for outcome in 0..4 {
        apply(
            &mut engine,
            &mut history,
            Command::Split { account: AccountId(8), market: MarketId(2), outcome: Some(outcome), quantity: 500 },
        );
    }
    // A deterministic mix of every way of trading with the market maker.
    let mut seed = 0x9e37_79b9_u64;
    for step in 0..240u64 {
        let order = step + 1;
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let market = 1 + (seed >> 33) as u32 % 3;
        let outcome = if market == 2 { (seed >> 40) as u16 % 4 } else { 0 };
        let side = if (seed >> 45) & 1 == 0 { Side::Yes } else { Side::No };
        let action = if (seed >> 46) & 1 == 0 { Action::Buy } else { Action::Sell };
        let account = if action == Action::Buy { 7 } else { 8 };
        let quantity = 1 + (seed >> 50) % 40;
        let new_order = NewOrder {
            order: OrderId(order),
            account: AccountId(account),
            market: MarketId(market),
            outcome,
            side,
            action,
            order_type: OrderType::Market { cost_cap_micros: None },
            quantity,
            time_in_force: TimeInForce::Ioc,
            post_only: false,
            self_trade: Default::default(),
        };
        let events = engine.apply_collect(&Command::PlaceOrder { order: new_order });
        if let Ok(events) = events {
            history.apply(&VenueCommand::Engine(Command::PlaceOrder { order: new_order }), &events);
        }
        for market in 1..=3 {
            let live = engine.amm(MarketId(market)).unwrap();
            let derived = history.amm(MarketId(market)).unwrap();
            assert_eq!(derived.claims(), live.claims, "step {step}, market {market}");
        }
    }
    let resolutions = [Resolution::No, Resolution::Outcome { outcome: 2 }, Resolution::Scalar { value: 3 }];
    for (market, resolution) in (1..).zip(resolutions) {
        let live = engine.amm(MarketId(market)).unwrap();
        apply(&mut engine, &mut history, Command::ResolveMarket { market: MarketId(market), resolution });
        let closed = history.amm(MarketId(market)).unwrap().closed.clone().expect("closed at settlement");
        assert_eq!((closed.cash_micros, closed.claims), (live.cash_micros, live.claims), "market {market}");
    }
}

#[tokio::test]
async fn the_oracle_refuses_unknown_arbiters_unreachable_quorums_and_unknown_fields() {
    let (server, admin, _alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/oracle/arbiters/987654", None).await;
    assert_eq!((status, error_code(&body)), (404, "unknown_account"), "{body}");
    let (_, oracle_view) = call(&client, &server, &admin, "GET", "/v1/oracle", None).await;
    assert_eq!(oracle_view["arbiters"], json!([]));

    let config = |quorum: u32| json!({ "liveness_ms": 1_000, "min_bond_micros": DOLLAR, "quorum": quorum, "dispute_fee_ppm": 0 });
    // With no arbiters a quorum of one is allowed (disputes then wait for the administrator).
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/oracle", Some(config(1))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/oracle", Some(config(2))).await;
    assert_eq!((status, error_code(&body)), (422, "quorum_exceeds_arbiters"), "{body}");
    let mut unknown = config(1);
    unknown["quorom"] = json!(1);
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/oracle", Some(unknown)).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_json"), "{body}");
    // Nor do the other bodies of the resolution routes take unknown fields, nested ones included.
    let rule = json!({
        "index": 7, "at_ms": now_ms() + 60_000, "samples": 1, "interval_ms": 0, "offset": 3,
        "map": { "threshold": { "comparison": "at_or_above", "threshold": 10 } },
    });
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/markets/1/rule", Some(rule)).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_json"), "{body}");
    let rule = json!({
        "index": 7, "at_ms": now_ms() + 60_000, "samples": 1, "interval_ms": 0,
        "map": { "threshold": { "comparison": "at_or_above", "threshold": 10, "inclusive": true } },
    });
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/markets/1/rule", Some(rule)).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_json"), "{body}");
    let resolution = json!({ "resolution": { "outcome": { "outcome": 0, "weight": 1 } } });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/resolve", Some(resolution)).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_json"), "{body}");

    let arbiters = [bob.account, admin.account];
    for arbiter in arbiters {
        let (status, body) =
            call(&client, &server, &admin, "PUT", &format!("/v1/oracle/arbiters/{arbiter}"), None).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = call(&client, &server, &admin, "PUT", "/v1/oracle", Some(config(2))).await;
    assert_eq!(status, 200, "{body}");
    // Removing one would leave fewer arbiters than the quorum: lower the quorum first.
    let path = format!("/v1/oracle/arbiters/{}", bob.account);
    let (status, body) = call(&client, &server, &admin, "DELETE", &path, None).await;
    assert_eq!((status, error_code(&body)), (422, "quorum_exceeds_arbiters"), "{body}");
    let (_, oracle_view) = call(&client, &server, &admin, "GET", "/v1/oracle", None).await;
    assert_eq!(
        (oracle_view["config"]["quorum"].as_u64(), oracle_view["arbiters"].as_array().map(Vec::len)),
        (Some(2), Some(2))
    );
    call(&client, &server, &admin, "PUT", "/v1/oracle", Some(config(1))).await;
    let (status, body) = call(&client, &server, &admin, "DELETE", &path, None).await;
    assert_eq!((status, body["arbiters"].clone()), (200, json!([admin.account])), "{body}");
    server.stop().await;
}

/// Places a market order and sums what it got: (quantity, value before fees, fees).
async fn market_order(
    client: &reqwest::Client,
    server: &Server,
    who: &Credentials,
    market: u32,
    side: &str,
    action: &str,
    quantity: u64,
) -> (u64, u64, u64) {
    let order = json!({ "market": market, "side": side, "action": action, "type": "market", "quantity": quantity });
    let (status, placed) = call(client, server, who, "POST", "/v1/portfolio/orders", Some(order)).await;
    assert_eq!(status, 201, "{placed}");
    let fills = placed["fills"].as_array().unwrap();
    let sum = |field: &str| fills.iter().map(|f| f[field].as_u64().unwrap()).sum::<u64>();
    (sum("quantity"), sum("notional_micros"), sum("fee_micros"))
}

#[tokio::test]
async fn the_quote_is_what_a_market_order_then_gets_and_there_is_none_after_close() {
    let (server, admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    // A second market, with a taker fee, so the quote's fee is checked too.
    let spec = json!({
        "market": 2, "kind": "binary", "tick_micros": 10_000,
        "fees": { "maker": "zero", "taker": { "quadratic": { "rate_ppm": 70_000, "rounding_micros": 10_000 } } },
    });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets", Some(spec)).await;
    assert_eq!(status, 201, "{body}");
    let enable = json!({ "operator": 987_654, "liquidity_micros": 10 * DOLLAR });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/amm", Some(enable)).await;
    assert_eq!((status, error_code(&body)), (404, "unknown_account"), "{body}");
    // An account opened for a key that has never held collateral exists, but cannot fund one.
    let empty = key_for(&client, &server, &admin, None, &["read"], 31).await;
    let enable = json!({ "operator": empty.account, "liquidity_micros": 10 * DOLLAR });
    let (status, body) = call(&client, &server, &admin, "POST", "/v1/markets/1/amm", Some(enable)).await;
    assert_eq!((status, error_code(&body)), (422, "insufficient_funds"), "{body}");
    for market in [1, 2] {
        // b = $10: the price reaches the grid's edge (0.99) after about 46 contracts.
        let enable = json!({ "operator": admin.account, "liquidity_micros": 10 * DOLLAR });
        let (status, body) =
            call(&client, &server, &admin, "POST", &format!("/v1/markets/{market}/amm"), Some(enable)).await;
        assert_eq!(status, 200, "{body}");
        // Contracts for Alice's sells.
        let sets = json!({ "market": market, "quantity": 250 });
        let (status, body) = call(&client, &server, &alice, "POST", "/v1/portfolio/split", Some(sets)).await;
        assert_eq!(status, 200, "{body}");
    }

    let steps: [(&str, &str, u64); 15] = [
        ("yes", "buy", 3),
        ("yes", "buy", 20),
        ("yes", "buy", 15),
        ("yes", "buy", 9),
        ("yes", "buy", 4),
        ("yes", "buy", 2),
        ("yes", "sell", 1),
        ("no", "buy", 1),
        ("no", "buy", 60),
        ("no", "buy", 40),
        ("no", "buy", 5),
        ("yes", "sell", 150),
        ("no", "sell", 30),
        ("yes", "buy", 70),
        ("no", "sell", 200),
    ];
    let (mut whole, mut partial, mut none) = (0, 0, 0);
    for market in [1, 2] {
        for (side, action, quantity) in steps {
            let path = format!("/v1/markets/{market}/amm/quote?side={side}&action={action}&quantity={quantity}");
            let (status, quote) = call(&client, &server, &alice, "GET", &path, None).await;
            assert_eq!(status, 200, "{quote}");
            let got = market_order(&client, &server, &alice, market, side, action, quantity).await;
            let quoted = (
                quote["quantity"].as_u64().unwrap(),
                quote["value_micros"].as_u64().unwrap(),
                quote["fee_micros"].as_u64().unwrap(),
            );
            assert_eq!(quoted, got, "market {market}: {side} {action} {quantity}: quoted {quote}");
            assert_eq!(quote["requested_quantity"], quantity, "{quote}");
            match quoted.0 {
                0 => none += 1,
                q if q == quantity => whole += 1,
                _ => partial += 1,
            }
        }
    }
    // The grid covered the middle (whole fills), the edge (partial) and past it (nothing).
    assert!(whole > 0 && partial > 0 && none > 0, "{whole} whole, {partial} partial, {none} none");

    let quote = |q: &str| format!("/v1/markets/1/amm/quote?side=yes&action=buy&quantity={q}");
    let (status, body) = call(&client, &server, &alice, "GET", &quote("0"), None).await;
    assert_eq!((status, error_code(&body)), (400, "quantity_not_positive"), "{body}");
    let (status, body) = call(&client, &server, &alice, "GET", &quote("1000000000000"), None).await;
    assert_eq!((status, error_code(&body)), (400, "quantity_too_large"), "{body}");
    let (status, body) =
        call(&client, &server, &alice, "GET", "/v1/markets/1/amm/quote?side=yes&action=buy&quantity=1&outcome=3", None)
            .await;
    assert_eq!((status, error_code(&body)), (400, "unknown_outcome"), "{body}");

    // Closed: the market maker trades no more, so it quotes no more.
    call(&client, &server, &admin, "POST", "/v1/markets/1/close", None).await;
    let (status, body) = call(&client, &server, &alice, "GET", &quote("1"), None).await;
    assert_eq!((status, error_code(&body)), (422, "market_not_open"), "{body}");
    call(&client, &server, &admin, "POST", "/v1/markets/1/resolve", Some(json!({ "resolution": "invalid" }))).await;
    let (status, body) = call(&client, &server, &alice, "GET", &quote("1"), None).await;
    assert_eq!((status, error_code(&body)), (422, "market_not_open"), "{body}");
    server.stop().await;
}
