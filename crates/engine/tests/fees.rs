//! Fees on `FEE_MARKET`: maker free, taker pays ceil(0.07 x C x P x (1 - P)) rounded up to the
//! cent, per fill, at the taker's own price, into the engine's fee account.

mod common;

use augury_core::{Action, Command, FeeRule, FeeSchedule, FillKind, MarketId, MarketSpec, OrderId, Side};
use common::*;

#[test]
fn the_reference_formula_matches_published_examples() {
    // 0.07 x 10 x 0.6 x 0.4 = 0.168 -> 0.17.
    assert_eq!(taker_fee(10, 600_000), 170_000);
    // 0.07 x 100 x 0.5 x 0.5 = 1.75 exactly.
    assert_eq!(taker_fee(100, 500_000), 1_750_000);
    // 0.07 x 1 x 0.01 x 0.99 = 0.000693 -> 0.01.
    assert_eq!(taker_fee(1, 10_000), 10_000);
    let rule = FeeRule::Quadratic { rate_ppm: TAKER_RATE_PPM, rounding_micros: FEE_ROUNDING };
    for quantity in [1u64, 2, 3, 7, 10, 33, 100, 999] {
        for price in (10_000..1_000_000).step_by(10_000) {
            assert_eq!(rule.fee_micros(quantity, price), taker_fee(quantity, price), "{quantity} @ {price}");
        }
    }
}

#[test]
fn taker_buy_pays_the_quadratic_fee_into_the_fee_account() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 600_000, 10));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, FEE_MARKET, 600_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 600_000, 10, FillKind::Transfer)]);
    assert_eq!(fill_fees(&events), vec![(170_000, 0)]);
    assert_eq!(balance(&e, ALICE), (START - 6 * DOLLAR - 170_000, 0));
    assert_eq!(position(&e, ALICE, FEE_MARKET, 0), pos(10, 0, 0, 0));
    // The maker pays nothing and receives the full price.
    assert_eq!(balance(&e, BOB), (90 * DOLLAR + 6 * DOLLAR, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (170_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn the_fee_is_charged_and_rounded_per_fill() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 5);
    split(&mut e, CAROL, FEE_MARKET, None, 5);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 600_000, 5));
    rest(&mut e, sell_yes(OrderId(2), CAROL, FEE_MARKET, 600_000, 5));
    let events = place(&mut e, buy_yes(OrderId(3), ALICE, FEE_MARKET, 600_000, 10));
    // Each fill: 0.07 x 5 x 0.24 = 0.084 -> 0.09; together 0.18 (one fill of 10 would be 0.17).
    assert_eq!(taker_fee(5, 600_000), 90_000);
    assert_eq!(fill_fees(&events), vec![(90_000, 0), (90_000, 0)]);
    assert_eq!(balance(&e, FEE_ACCOUNT), (180_000, 0));
    assert_eq!(balance(&e, ALICE), (START - 6 * DOLLAR - 180_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn the_fee_is_computed_at_the_fill_price_not_the_limit() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 200_000, 10));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, FEE_MARKET, 600_000, 10));
    // 0.07 x 10 x 0.2 x 0.8 = 0.112 -> 0.12.
    assert_eq!(fill_fees(&events), vec![(taker_fee(10, 200_000), 0)]);
    assert_eq!(taker_fee(10, 200_000), 120_000);
    assert_eq!(balance(&e, ALICE), (START - 2 * DOLLAR - 120_000, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (120_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_resting_buy_reserves_the_worst_case_fee_and_gets_it_back_as_a_free_maker() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), ALICE, FEE_MARKET, 600_000, 10));
    // Worst fee per contract at or below 0.60 is at 0.50: 0.0175 -> 0.02.
    assert_eq!(balance(&e, ALICE), (START - 6_200_000, 6_200_000));

    split(&mut e, BOB, FEE_MARKET, None, 10);
    let events = place(&mut e, sell_yes(OrderId(2), BOB, FEE_MARKET, 550_000, 10));
    // Bob is the taker and sells at the maker's 0.60: fee 0.17 comes out of his proceeds.
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 600_000, 10, FillKind::Transfer)]);
    assert_eq!(fill_fees(&events), vec![(170_000, 0)]);
    assert_eq!(balance(&e, BOB), (90 * DOLLAR + 6 * DOLLAR - 170_000, 0));
    assert_eq!(balance(&e, ALICE), (START - 6 * DOLLAR, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (170_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_partly_filled_resting_buy_keeps_its_per_contract_reservation() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), ALICE, FEE_MARKET, 300_000, 10));
    // Worst fee at or below 0.30 is at 0.30: 0.0147 -> 0.02, so 0.32 a contract.
    assert_eq!(balance(&e, ALICE), (START - 3_200_000, 3_200_000));
    split(&mut e, BOB, FEE_MARKET, None, 4);
    let events = place(&mut e, sell_yes(OrderId(2), BOB, FEE_MARKET, 300_000, 4));
    // 0.07 x 4 x 0.3 x 0.7 = 0.0588 -> 0.06.
    assert_eq!(fill_fees(&events), vec![(60_000, 0)]);
    assert_eq!(balance(&e, ALICE), (START - 1_200_000 - 6 * 320_000, 6 * 320_000));
    assert_eq!(balance(&e, BOB), (96 * DOLLAR + 1_200_000 - 60_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_taker_buying_no_pays_the_fee_at_the_no_price_on_a_mint() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, FEE_MARKET, 400_000, 10));
    // 0.40 + worst fee at 0.40 (0.0168 -> 0.02).
    assert_eq!(balance(&e, BOB), (START - 4_200_000, 4_200_000));
    let events = place(&mut e, buy_no(OrderId(2), ALICE, FEE_MARKET, 600_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 400_000, 10, FillKind::Mint)]);
    assert_eq!(fill_fees(&events), vec![(taker_fee(10, 600_000), 0)]);
    assert_eq!(balance(&e, ALICE), (START - 6 * DOLLAR - 170_000, 0));
    assert_eq!(balance(&e, BOB), (START - 4 * DOLLAR, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (170_000, 0));
    assert_eq!(e.market_backing_micros(FEE_MARKET), Some(10 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn a_taker_selling_no_pays_the_fee_out_of_its_proceeds_on_a_merge() {
    let mut e = venue();
    split(&mut e, ALICE, FEE_MARKET, None, 10);
    split(&mut e, BOB, FEE_MARKET, None, 10);
    rest(&mut e, sell_yes(OrderId(1), ALICE, FEE_MARKET, 700_000, 10));
    let events = place(&mut e, sell_no(OrderId(2), BOB, FEE_MARKET, 300_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 700_000, 10, FillKind::Merge)]);
    // 0.07 x 10 x 0.3 x 0.7 = 0.147 -> 0.15.
    assert_eq!(fill_fees(&events), vec![(150_000, 0)]);
    assert_eq!(balance(&e, ALICE), (97 * DOLLAR, 0));
    assert_eq!(balance(&e, BOB), (93 * DOLLAR - 150_000, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (150_000, 0));
    assert_eq!(e.market_backing_micros(FEE_MARKET), Some(10 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn a_tiny_fee_rounds_up_to_a_whole_cent() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 1);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 10_000, 1));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, FEE_MARKET, 10_000, 1));
    assert_eq!(fill_fees(&events), vec![(10_000, 0)]);
    assert_eq!(balance(&e, ALICE), (START - 20_000, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (10_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn fees_accumulate_across_trades_and_markets_without_fees_charge_nothing() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 20);
    split(&mut e, BOB, BINARY, None, 20);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 500_000, 20));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 500_000, 20));
    let mut expected = 0;
    for (id, quantity) in [(3u64, 1u64), (4, 2), (5, 3), (6, 4)] {
        let events = place(&mut e, ioc(buy_yes(OrderId(id), CAROL, FEE_MARKET, 500_000, quantity)));
        expected += taker_fee(quantity, 500_000);
        assert_eq!(fill_fees(&events), vec![(taker_fee(quantity, 500_000), 0)]);
    }
    // 0.02 + 0.04 (0.035) + 0.06 (0.0525) + 0.07 = 0.19.
    assert_eq!(expected, 190_000);
    assert_eq!(balance(&e, FEE_ACCOUNT), (expected, 0));
    let events = place(&mut e, buy_yes(OrderId(7), DAVE, BINARY, 500_000, 10));
    assert_eq!(fill_fees(&events), vec![(0, 0)]);
    assert_eq!(balance(&e, FEE_ACCOUNT), (expected, 0));
    assert_eq!(balance(&e, CAROL), (START - 5 * DOLLAR - expected, 0));
    e.check_invariants().unwrap();
}

#[test]
fn the_fee_account_can_withdraw_what_it_earned() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 500_000, 10));
    place(&mut e, market_order(OrderId(2), ALICE, FEE_MARKET, Side::Yes, Action::Buy, 10, None));
    assert_eq!(balance(&e, FEE_ACCOUNT), (taker_fee(10, 500_000), 0));
    ok(&mut e, Command::Withdraw { account: FEE_ACCOUNT, amount_micros: taker_fee(10, 500_000) });
    assert_eq!(balance(&e, FEE_ACCOUNT), (0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_maker_fee_is_reserved_by_a_resting_buy_and_taken_from_a_resting_sell() {
    let mut e = venue();
    // Makers pay 1% of the notional, rounded up to the micro; takers pay nothing.
    let fees =
        FeeSchedule { maker: FeeRule::Proportional { rate_ppm: 10_000, rounding_micros: 1 }, taker: FeeRule::Zero };
    let spec = MarketSpec { fees, ..binary_spec(MarketId(9)) };
    ok(&mut e, Command::CreateMarket { spec });

    rest(&mut e, buy_yes(OrderId(1), ALICE, MarketId(9), 400_000, 10));
    // 0.40 + 1% of 0.40 per contract.
    assert_eq!(balance(&e, ALICE), (START - 4_040_000, 4_040_000));
    split(&mut e, BOB, MarketId(9), None, 10);
    let events = place(&mut e, ioc(sell_yes(OrderId(2), BOB, MarketId(9), 400_000, 10)));
    assert_eq!(fill_fees(&events), vec![(0, 40_000)]);
    assert_eq!(balance(&e, ALICE), (START - 4_040_000, 0));
    assert_eq!(balance(&e, BOB), (90 * DOLLAR + 4 * DOLLAR, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (40_000, 0));

    // Alice now sells as a maker: 1% of 7.00 comes out of her proceeds.
    rest(&mut e, sell_yes(OrderId(3), ALICE, MarketId(9), 700_000, 10));
    let events = place(&mut e, buy_yes(OrderId(4), CAROL, MarketId(9), 750_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(3), OrderId(4), 700_000, 10, FillKind::Transfer)]);
    assert_eq!(fill_fees(&events), vec![(0, 70_000)]);
    assert_eq!(balance(&e, ALICE), (START - 4_040_000 + 7 * DOLLAR - 70_000, 0));
    assert_eq!(balance(&e, CAROL), (START - 7 * DOLLAR, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (110_000, 0));
    e.check_invariants().unwrap();
}
