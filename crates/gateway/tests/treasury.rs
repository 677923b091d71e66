//! `GET /v1/treasury`: the venue's money as a whole, after trades with fees, a resting order, a
//! market maker, a posted bond and a withdrawal. Every term is checked against what the other
//! routes show, and the conservation identity against the terms.

mod common;

use augury_gateway::GatewayConfig;
use common::*;
use serde_json::{json, Value};

const DOLLAR: u64 = 1_000_000;

fn micros(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("not a whole number: {value}"))
}

#[tokio::test]
async fn the_treasury_shows_every_term_and_the_identity_balances() {
    let (server, admin, alice, bob) = start(GatewayConfig::default()).await;
    let client = reqwest::Client::new();
    let ok = |(status, body): (u16, Value)| {
        assert!((200..300).contains(&status), "{status}: {body}");
        body
    };

    // Market 2 charges takers 7% of the notional.
    let fees = json!({ "maker": "zero", "taker": { "proportional": { "rate_ppm": 70_000, "rounding_micros": 1 } } });
    let spec = json!({ "market": 2, "kind": "binary", "tick_micros": 10_000, "fees": fees });
    ok(call(&client, &server, &admin, "POST", "/v1/markets", Some(spec)).await);
    let order = |market: u32, side: &str, price: u64, quantity: u64| json!({ "market": market, "side": side, "action": "buy", "price_micros": price, "quantity": quantity });
    let orders = "/v1/portfolio/orders";
    // Alice's YES bid meets Bob's NO bid: 10 sets minted, Bob pays the taker fee.
    ok(call(&client, &server, &alice, "POST", orders, Some(order(2, "yes", 400_000, 10))).await);
    let taken = ok(call(&client, &server, &bob, "POST", orders, Some(order(2, "no", 600_000, 10))).await);
    assert_eq!(taken["fills"][0]["fee_micros"], 420_000, "{taken}");

    // A market maker in market 1, which Alice buys from; then a bid of hers rests far below it.
    let enable = json!({ "operator": admin.account, "liquidity_micros": 100 * DOLLAR });
    ok(call(&client, &server, &admin, "POST", "/v1/markets/1/amm", Some(enable)).await);
    let market_buy = json!({ "market": 1, "side": "yes", "action": "buy", "type": "market", "quantity": 10, "cost_cap_micros": 6 * DOLLAR });
    let bought = ok(call(&client, &server, &alice, "POST", orders, Some(market_buy)).await);
    assert_eq!(bought["fills"][0]["liquidity"], "amm", "{bought}");
    let resting = ok(call(&client, &server, &alice, "POST", orders, Some(order(1, "yes", 50_000, 5))).await);
    assert_eq!(resting["order"]["status"], "open", "{resting}");

    // Market 2 closes and a resolver posts a bond on its outcome; nobody disputes yet.
    let oracle = json!({ "liveness_ms": 600_000, "min_bond_micros": DOLLAR, "quorum": 1, "dispute_fee_ppm": 50_000 });
    ok(call(&client, &server, &admin, "PUT", "/v1/oracle", Some(oracle)).await);
    ok(call(&client, &server, &admin, "POST", "/v1/markets/2/close", None).await);
    let proposal = json!({ "resolution": "yes", "bond_micros": 2 * DOLLAR });
    ok(call(&client, &server, &admin, "POST", "/v1/markets/2/proposals", Some(proposal)).await);

    // Bob takes $100 out.
    let withdraw = json!({ "amount_micros": 100 * DOLLAR });
    ok(call(&client, &server, &admin, "POST", &format!("/v1/accounts/{}/withdraw", bob.account), Some(withdraw)).await);
    // An account that does not exist is a 404, as an unknown market or order is.
    let (status, body) =
        call(&client, &server, &admin, "POST", "/v1/accounts/987654/withdraw", Some(json!({ "amount_micros": 1 })))
            .await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_account")), "{body}");

    // Only an admin sees the venue's money.
    let (status, body) = call(&client, &server, &alice, "GET", "/v1/treasury", None).await;
    assert_eq!((status, error_code(&body)), (403, "missing_scope"), "{body}");
    let treasury = ok(call(&client, &server, &admin, "GET", "/v1/treasury", None).await);

    // Each term, from what the other routes show.
    assert_eq!(micros(&treasury["deposited_micros"]), 3_000 * DOLLAR, "{treasury}");
    assert_eq!(micros(&treasury["withdrawn_micros"]), 100 * DOLLAR, "{treasury}");
    assert_eq!(micros(&treasury["net_deposits_micros"]), 2_900 * DOLLAR, "{treasury}");
    let mut available = 0;
    let mut reserved = 0;
    for who in [&admin, &alice, &bob] {
        let balance = ok(call(&client, &server, who, "GET", "/v1/portfolio/balance", None).await);
        available += micros(&balance["available_micros"]);
        reserved += micros(&balance["reserved_micros"]);
    }
    assert_eq!(reserved, 5 * 50_000, "only Alice's resting bid reserves");
    let mut fees_paid = 0;
    for who in [&alice, &bob] {
        let fills = ok(call(&client, &server, who, "GET", "/v1/portfolio/fills", None).await);
        fees_paid += fills["items"].as_array().unwrap().iter().map(|f| micros(&f["fee_micros"])).sum::<u64>();
    }
    assert_eq!(treasury["fee_account"], 1, "{treasury}");
    assert_eq!(micros(&treasury["fee_account_micros"]), fees_paid, "{treasury}");
    assert_eq!(fees_paid, 420_000, "Bob's taker fee; market 1, where Alice took from the market maker, charges none");
    assert_eq!(micros(&treasury["available_micros"]), available + fees_paid, "{treasury}");
    assert_eq!(micros(&treasury["reserved_micros"]), reserved, "{treasury}");
    let markets = ok(call(&client, &server, &alice, "GET", "/v1/markets", None).await);
    let backing: u64 = markets["items"].as_array().unwrap().iter().map(|m| micros(&m["backing_micros"])).sum();
    assert!(backing >= 10 * DOLLAR, "{markets}");
    assert_eq!(micros(&treasury["backing_micros"]), backing, "{treasury}");
    assert_eq!(micros(&treasury["bonds_micros"]), 2 * DOLLAR, "{treasury}");
    let amm = ok(call(&client, &server, &alice, "GET", "/v1/markets/1/amm", None).await);
    assert!(micros(&amm["cash_micros"]) > 0, "{amm}");
    assert_eq!(micros(&treasury["amm_cash_micros"]), micros(&amm["cash_micros"]), "{treasury}");

    // The identity, to the micro-dollar.
    let held: u64 = ["available_micros", "reserved_micros", "backing_micros", "bonds_micros", "amm_cash_micros"]
        .iter()
        .map(|term| micros(&treasury[*term]))
        .sum();
    assert_eq!(micros(&treasury["held_micros"]), held, "{treasury}");
    assert_eq!(held, 2_900 * DOLLAR, "{treasury}");
    assert_eq!((&treasury["balanced"], &treasury["difference_micros"]), (&json!(true), &json!(0)), "{treasury}");
    assert!(treasury["identity"].as_str().unwrap().contains("deposited - withdrawn"), "{treasury}");
    assert!(micros(&treasury["journal_entries"]) > 0, "{treasury}");
    server.stop().await;
}
