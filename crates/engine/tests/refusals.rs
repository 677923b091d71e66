//! Every refusal: the exact `Reject`, no events, and no change to the state hash (checked by
//! `common::refused`).

mod common;

use augury_core::{
    AccountId, Action, Command, FeeRule, FeeSchedule, MarketId, MarketKind, MarketSpec, NewOrder, OrderId, OrderType,
    Reject, Side, TimeInForce, QUANTITY_MAX, VENUE_COLLATERAL_MAX_MICROS,
};
use augury_engine::EngineConfig;
use common::*;

fn place_cmd(order: NewOrder) -> Command {
    Command::PlaceOrder { order }
}

/// A venue with some state to protect: resting orders on both sides, positions, a fee.
fn busy_venue() -> augury_engine::Engine {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    split(&mut e, BOB, CATEGORICAL, Some(1), 4);
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 600_000, 5));
    rest(&mut e, buy_yes(OrderId(2), BOB, BINARY, 400_000, 5));
    rest(&mut e, buy_yes(OrderId(3), CAROL, FEE_MARKET, 300_000, 5));
    e
}

#[test]
fn unknown_market() {
    let mut e = busy_venue();
    let missing = 77;
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), ALICE, MarketId(missing), 500_000, 1))),
        Reject::UnknownMarket { market: MarketId(missing) }
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: ALICE, market: MarketId(missing), outcome: None, quantity: 1 }),
        Reject::UnknownMarket { market: MarketId(missing) }
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: ALICE, market: MarketId(missing), outcome: None, quantity: 1 }),
        Reject::UnknownMarket { market: MarketId(missing) }
    );
    assert_eq!(
        refused(&mut e, Command::Convert { account: ALICE, market: MarketId(missing), outcomes: 1, quantity: 1 }),
        Reject::UnknownMarket { market: MarketId(missing) }
    );
    assert_eq!(
        refused(&mut e, Command::CloseMarket { market: MarketId(missing) }),
        Reject::UnknownMarket { market: MarketId(missing) }
    );
    e.check_invariants().unwrap();
}

#[test]
fn market_not_open() {
    let mut e = busy_venue();
    ok(&mut e, Command::CloseMarket { market: BINARY });
    let not_open = Reject::MarketNotOpen { market: BINARY };
    assert_eq!(refused(&mut e, place_cmd(buy_yes(OrderId(10), DAVE, BINARY, 500_000, 1))), not_open);
    assert_eq!(refused(&mut e, place_cmd(sell_yes(OrderId(10), ALICE, BINARY, 500_000, 1))), not_open);
    assert_eq!(
        refused(&mut e, Command::Split { account: ALICE, market: BINARY, outcome: None, quantity: 1 }),
        not_open
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: ALICE, market: BINARY, outcome: None, quantity: 1 }),
        not_open
    );
    assert_eq!(refused(&mut e, Command::CloseMarket { market: BINARY }), not_open);
    // Other markets still trade, and the refused order's id is still free.
    rest(&mut e, buy_yes(OrderId(10), DAVE, SCALAR, 500_000, 1));
    e.check_invariants().unwrap();
}

#[test]
fn unknown_outcome() {
    let mut e = busy_venue();
    assert_eq!(
        refused(&mut e, place_cmd(limit(OrderId(10), ALICE, BINARY, 1, Side::Yes, Action::Buy, 500_000, 1))),
        Reject::UnknownOutcome { market: BINARY, outcome: 1 }
    );
    assert_eq!(
        refused(&mut e, place_cmd(limit(OrderId(10), ALICE, CATEGORICAL, 3, Side::No, Action::Buy, 500_000, 1))),
        Reject::UnknownOutcome { market: CATEGORICAL, outcome: 3 }
    );
    assert_eq!(
        refused(&mut e, place_cmd(limit(OrderId(10), ALICE, SCALAR, 1, Side::Yes, Action::Buy, 500_000, 1))),
        Reject::UnknownOutcome { market: SCALAR, outcome: 1 }
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: ALICE, market: CATEGORICAL, outcome: Some(5), quantity: 1 }),
        Reject::UnknownOutcome { market: CATEGORICAL, outcome: 5 }
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: ALICE, market: BINARY, outcome: Some(1), quantity: 1 }),
        Reject::UnknownOutcome { market: BINARY, outcome: 1 }
    );
    e.check_invariants().unwrap();
}

#[test]
fn price_off_tick_and_out_of_range() {
    let mut e = busy_venue();
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), DAVE, BINARY, 405_000, 1))),
        Reject::PriceOffTick { price_micros: 405_000, tick_micros: CENT }
    );
    assert_eq!(
        refused(&mut e, place_cmd(buy_no(OrderId(10), DAVE, BINARY, 1, 1))),
        Reject::PriceOffTick { price_micros: 1, tick_micros: CENT }
    );
    for price in [0, 1_000_000, 1_010_000, u64::MAX] {
        assert_eq!(
            refused(&mut e, place_cmd(buy_yes(OrderId(10), DAVE, BINARY, price, 1))),
            Reject::PriceOutOfRange { price_micros: price }
        );
        assert_eq!(
            refused(&mut e, place_cmd(sell_no(OrderId(10), ALICE, BINARY, price, 1))),
            Reject::PriceOutOfRange { price_micros: price }
        );
    }
    // The same checks guard amendments.
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder { account: BOB, order: OrderId(2), price_micros: Some(0), remaining_quantity: None }
        ),
        Reject::PriceOutOfRange { price_micros: 0 }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: BOB,
                order: OrderId(2),
                price_micros: Some(1_000_000),
                remaining_quantity: None
            }
        ),
        Reject::PriceOutOfRange { price_micros: 1_000_000 }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: BOB,
                order: OrderId(2),
                price_micros: Some(401_000),
                remaining_quantity: None
            }
        ),
        Reject::PriceOffTick { price_micros: 401_000, tick_micros: CENT }
    );
    e.check_invariants().unwrap();
}

#[test]
fn quantity_zero_and_too_large() {
    let mut e = busy_venue();
    assert_eq!(refused(&mut e, place_cmd(buy_yes(OrderId(10), DAVE, BINARY, 500_000, 0))), Reject::QuantityNotPositive);
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), DAVE, BINARY, 500_000, QUANTITY_MAX + 1))),
        Reject::QuantityTooLarge { quantity: QUANTITY_MAX + 1, max: QUANTITY_MAX }
    );
    assert_eq!(
        refused(&mut e, place_cmd(market_order(OrderId(10), DAVE, BINARY, Side::Yes, Action::Buy, 0, None))),
        Reject::QuantityNotPositive
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: DAVE, market: BINARY, outcome: None, quantity: 0 }),
        Reject::QuantityNotPositive
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: DAVE, market: BINARY, outcome: None, quantity: QUANTITY_MAX + 1 }),
        Reject::QuantityTooLarge { quantity: QUANTITY_MAX + 1, max: QUANTITY_MAX }
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: ALICE, market: BINARY, outcome: None, quantity: 0 }),
        Reject::QuantityNotPositive
    );
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder { account: BOB, order: OrderId(2), price_micros: None, remaining_quantity: Some(0) }
        ),
        Reject::QuantityNotPositive
    );
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: BOB,
                order: OrderId(2),
                price_micros: None,
                remaining_quantity: Some(QUANTITY_MAX + 1)
            }
        ),
        Reject::QuantityTooLarge { quantity: QUANTITY_MAX + 1, max: QUANTITY_MAX }
    );
    e.check_invariants().unwrap();
}

#[test]
fn insufficient_funds() {
    let mut e = busy_venue();
    deposit(&mut e, AccountId(50), 4 * DOLLAR);
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), AccountId(50), BINARY, 500_000, 10))),
        Reject::InsufficientFunds { needed_micros: 5 * DOLLAR, available_micros: 4 * DOLLAR }
    );
    // On a fee market the reservation includes the worst-case fee: 8 x (0.50 + 0.02) = 4.16.
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), AccountId(50), FEE_MARKET, 500_000, 8))),
        Reject::InsufficientFunds { needed_micros: 4_160_000, available_micros: 4 * DOLLAR }
    );
    // A buy of NO reserves its own price.
    assert_eq!(
        refused(&mut e, place_cmd(buy_no(OrderId(10), AccountId(50), BINARY, 900_000, 5))),
        Reject::InsufficientFunds { needed_micros: 4_500_000, available_micros: 4 * DOLLAR }
    );
    // A capped market buy needs its cap (or less if the quantity bounds it)...
    assert_eq!(
        refused(
            &mut e,
            place_cmd(market_order(OrderId(10), AccountId(50), BINARY, Side::Yes, Action::Buy, 100, Some(5 * DOLLAR)))
        ),
        Reject::InsufficientFunds { needed_micros: 5 * DOLLAR, available_micros: 4 * DOLLAR }
    );
    // ... and an uncapped one the worst price for its whole quantity.
    assert_eq!(
        refused(&mut e, place_cmd(market_order(OrderId(10), AccountId(50), BINARY, Side::Yes, Action::Buy, 5, None))),
        Reject::InsufficientFunds { needed_micros: 4_950_000, available_micros: 4 * DOLLAR }
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: AccountId(50), market: BINARY, outcome: None, quantity: 5 }),
        Reject::InsufficientFunds { needed_micros: 5 * DOLLAR, available_micros: 4 * DOLLAR }
    );
    // Reserved collateral does not count: Bob has 94 available (4.00 went into a categorical pair,
    // 2.00 is reserved by his bid).
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), BOB, BINARY, 500_000, 189))),
        Reject::InsufficientFunds { needed_micros: 94_500_000, available_micros: 94 * DOLLAR }
    );
    rest(&mut e, buy_yes(OrderId(10), BOB, BINARY, 500_000, 188));
    assert_eq!(balance(&e, BOB), (0, 96 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn amend_up_needs_the_extra_collateral_or_contracts() {
    let mut e = busy_venue();
    // Bob's bid: 5 x 0.40 = 2.00 reserved, 94 available. 241 x 0.40 = 96.40 needs 94.40 more.
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder { account: BOB, order: OrderId(2), price_micros: None, remaining_quantity: Some(241) }
        ),
        Reject::InsufficientFunds { needed_micros: 94_400_000, available_micros: 94 * DOLLAR }
    );
    // A new price is reserved on every contract: 193 x 0.50 = 96.50, 94.50 more.
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: BOB,
                order: OrderId(2),
                price_micros: Some(500_000),
                remaining_quantity: Some(193)
            }
        ),
        Reject::InsufficientFunds { needed_micros: 94_500_000, available_micros: 94 * DOLLAR }
    );
    // Alice sells 5 of her 10 YES: she can raise the order to 10, not 11.
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder { account: ALICE, order: OrderId(1), price_micros: None, remaining_quantity: Some(11) }
        ),
        Reject::InsufficientShares { needed: 6, available: 5 }
    );
    amend(&mut e, ALICE, OrderId(1), None, Some(10));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 10, 10, 0));
    // 240 x 0.40 = 96.00 is exactly affordable.
    amend(&mut e, BOB, OrderId(2), None, Some(240));
    assert_eq!(balance(&e, BOB), (0, 96 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn insufficient_shares() {
    let mut e = busy_venue();
    assert_eq!(
        refused(&mut e, place_cmd(sell_yes(OrderId(10), DAVE, BINARY, 500_000, 1))),
        Reject::InsufficientShares { needed: 1, available: 0 }
    );
    // Alice has 10 YES, 5 reserved by her resting sell.
    assert_eq!(
        refused(&mut e, place_cmd(sell_yes(OrderId(10), ALICE, BINARY, 700_000, 6))),
        Reject::InsufficientShares { needed: 6, available: 5 }
    );
    assert_eq!(
        refused(&mut e, place_cmd(sell_no(OrderId(10), ALICE, BINARY, 700_000, 11))),
        Reject::InsufficientShares { needed: 11, available: 10 }
    );
    // Market sells are checked the same way.
    assert_eq!(
        refused(&mut e, place_cmd(market_order(OrderId(10), ALICE, BINARY, Side::Yes, Action::Sell, 6, None))),
        Reject::InsufficientShares { needed: 6, available: 5 }
    );
    // Reserved contracts cannot be merged away.
    assert_eq!(
        refused(&mut e, Command::Merge { account: ALICE, market: BINARY, outcome: None, quantity: 6 }),
        Reject::InsufficientShares { needed: 6, available: 5 }
    );
    // Bob holds a pair of outcome 1 only: no full set, and no pair of outcome 0.
    assert_eq!(
        refused(&mut e, Command::Merge { account: BOB, market: CATEGORICAL, outcome: None, quantity: 1 }),
        Reject::InsufficientShares { needed: 1, available: 0 }
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: BOB, market: CATEGORICAL, outcome: Some(0), quantity: 1 }),
        Reject::InsufficientShares { needed: 1, available: 0 }
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: BOB, market: CATEGORICAL, outcome: Some(1), quantity: 5 }),
        Reject::InsufficientShares { needed: 5, available: 4 }
    );
    e.check_invariants().unwrap();
}

#[test]
fn duplicate_order_ids_must_increase() {
    let mut e = busy_venue();
    // Order 3 is the highest accepted so far.
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(3), DAVE, BINARY, 300_000, 1))),
        Reject::DuplicateOrderId { order: OrderId(3), highest: OrderId(3) }
    );
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(1), DAVE, BINARY, 300_000, 1))),
        Reject::DuplicateOrderId { order: OrderId(1), highest: OrderId(3) }
    );
    // A refused order does not use its id up...
    assert!(matches!(
        refused(&mut e, place_cmd(buy_yes(OrderId(9), DAVE, BINARY, 300_000, 1_000))),
        Reject::InsufficientFunds { .. }
    ));
    rest(&mut e, buy_yes(OrderId(9), DAVE, BINARY, 300_000, 1));
    // ... but an accepted one that traded away or was killed does.
    let events = place(&mut e, fok(buy_yes(OrderId(10), DAVE, BINARY, 300_000, 5)));
    assert_eq!(events.len(), 2);
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), DAVE, BINARY, 300_000, 1))),
        Reject::DuplicateOrderId { order: OrderId(10), highest: OrderId(10) }
    );
    // Gaps are fine.
    rest(&mut e, buy_yes(OrderId(1_000), DAVE, BINARY, 300_000, 1));
    e.check_invariants().unwrap();
}

#[test]
fn unknown_order_on_cancel_and_amend() {
    let mut e = busy_venue();
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: ALICE, order: OrderId(99) }),
        Reject::UnknownOrder { order: OrderId(99) }
    );
    // Someone else's order looks unknown.
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: ALICE, order: OrderId(2) }),
        Reject::UnknownOrder { order: OrderId(2) }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder { account: ALICE, order: OrderId(2), price_micros: None, remaining_quantity: Some(1) }
        ),
        Reject::UnknownOrder { order: OrderId(2) }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: DAVE,
                order: OrderId(99),
                price_micros: Some(500_000),
                remaining_quantity: None
            }
        ),
        Reject::UnknownOrder { order: OrderId(99) }
    );
    // A filled order is gone too.
    let events = place(&mut e, buy_yes(OrderId(10), DAVE, BINARY, 600_000, 5));
    assert_eq!(fills(&events).len(), 1);
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: ALICE, order: OrderId(1) }),
        Reject::UnknownOrder { order: OrderId(1) }
    );
    // And a cancelled one.
    cancel(&mut e, BOB, OrderId(2));
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: BOB, order: OrderId(2) }),
        Reject::UnknownOrder { order: OrderId(2) }
    );
    // An account that does not exist has no orders either.
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: AccountId(4242), order: OrderId(3) }),
        Reject::UnknownOrder { order: OrderId(3) }
    );
    e.check_invariants().unwrap();
}

#[test]
fn post_only_cross_on_place_and_amend() {
    let mut e = busy_venue();
    // Best ask 0.60 (Alice), best bid 0.40 (Bob).
    assert_eq!(
        refused(&mut e, place_cmd(post_only(buy_yes(OrderId(10), DAVE, BINARY, 600_000, 1)))),
        Reject::PostOnlyWouldCross
    );
    // Selling NO at 0.40 bids YES at 0.60.
    split(&mut e, DAVE, BINARY, None, 1);
    assert_eq!(
        refused(&mut e, place_cmd(post_only(sell_no(OrderId(10), DAVE, BINARY, 400_000, 1)))),
        Reject::PostOnlyWouldCross
    );
    // Buying NO at 0.60 asks YES at 0.40.
    assert_eq!(
        refused(&mut e, place_cmd(post_only(buy_no(OrderId(10), DAVE, BINARY, 600_000, 1)))),
        Reject::PostOnlyWouldCross
    );
    rest(&mut e, post_only(buy_yes(OrderId(10), DAVE, BINARY, 590_000, 1)));
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: DAVE,
                order: OrderId(10),
                price_micros: Some(600_000),
                remaining_quantity: None
            }
        ),
        Reject::PostOnlyWouldCross
    );
    e.check_invariants().unwrap();
}

#[test]
fn invalid_order_combinations() {
    let mut e = busy_venue();
    let market_gtc = NewOrder {
        time_in_force: TimeInForce::Gtc,
        ..market_order(OrderId(10), DAVE, BINARY, Side::Yes, Action::Buy, 1, None)
    };
    assert!(matches!(refused(&mut e, place_cmd(market_gtc)), Reject::InvalidOrder { .. }));
    let market_gtd = NewOrder {
        time_in_force: TimeInForce::Gtd { expires_at_ms: 10 },
        ..market_order(OrderId(10), DAVE, BINARY, Side::Yes, Action::Buy, 1, None)
    };
    assert!(matches!(refused(&mut e, place_cmd(market_gtd)), Reject::InvalidOrder { .. }));
    assert!(matches!(
        refused(&mut e, place_cmd(post_only(ioc(buy_yes(OrderId(10), DAVE, BINARY, 300_000, 1))))),
        Reject::InvalidOrder { .. }
    ));
    assert!(matches!(
        refused(&mut e, place_cmd(post_only(fok(buy_yes(OrderId(10), DAVE, BINARY, 300_000, 1))))),
        Reject::InvalidOrder { .. }
    ));
    assert_eq!(
        refused(&mut e, place_cmd(market_order(OrderId(10), DAVE, BINARY, Side::Yes, Action::Buy, 1, Some(0)))),
        Reject::AmountNotPositive
    );
    // A cost cap means nothing to a sell: refused rather than silently ignored.
    assert_eq!(
        refused(&mut e, place_cmd(market_order(OrderId(10), DAVE, BINARY, Side::Yes, Action::Sell, 1, Some(500_000)))),
        Reject::InvalidOrder { reason: "a cost cap applies to market buys only" }
    );
    e.check_invariants().unwrap();
}

#[test]
fn expiry_not_in_future() {
    let mut e = busy_venue();
    advance(&mut e, 1_000);
    for expires_at_ms in [0, 999, 1_000] {
        assert_eq!(
            refused(&mut e, place_cmd(gtd(buy_yes(OrderId(10), DAVE, BINARY, 300_000, 1), expires_at_ms))),
            Reject::ExpiryNotInFuture { expires_at_ms, now_ms: 1_000 }
        );
    }
    rest(&mut e, gtd(buy_yes(OrderId(10), DAVE, BINARY, 300_000, 1), 1_001));
    e.check_invariants().unwrap();
}

#[test]
fn time_going_backwards() {
    let mut e = busy_venue();
    advance(&mut e, 1_000);
    assert_eq!(
        refused(&mut e, Command::AdvanceTime { now_ms: 999 }),
        Reject::TimeWentBackwards { now_ms: 999, clock_ms: 1_000 }
    );
    assert_eq!(
        refused(&mut e, Command::AdvanceTime { now_ms: 0 }),
        Reject::TimeWentBackwards { now_ms: 0, clock_ms: 1_000 }
    );
    // Standing still is allowed.
    assert_eq!(advance(&mut e, 1_000), vec![augury_core::Event::TimeAdvanced { now_ms: 1_000 }]);
    assert_eq!(e.clock_ms(), 1_000);
    e.check_invariants().unwrap();
}

#[test]
fn amend_unchanged() {
    let mut e = busy_venue();
    for (price, quantity) in [(None, None), (Some(400_000), None), (None, Some(5)), (Some(400_000), Some(5))] {
        assert_eq!(
            refused(
                &mut e,
                Command::AmendOrder {
                    account: BOB,
                    order: OrderId(2),
                    price_micros: price,
                    remaining_quantity: quantity
                }
            ),
            Reject::AmendUnchanged
        );
    }
    // For a NO order the price is its own NO price.
    rest(&mut e, buy_no(OrderId(10), DAVE, BINARY, 300_000, 2));
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: DAVE,
                order: OrderId(10),
                price_micros: Some(300_000),
                remaining_quantity: Some(2)
            }
        ),
        Reject::AmendUnchanged
    );
    e.check_invariants().unwrap();
}

#[test]
fn invalid_market_spec() {
    let mut e = busy_venue();
    let base = binary_spec(MarketId(20));
    let bad_specs = [
        MarketSpec { tick_micros: 0, ..base },
        MarketSpec { tick_micros: 300_000, ..base },
        MarketSpec { tick_micros: 1_000_000, ..base },
        MarketSpec { tick_micros: 2_000_000, ..base },
        MarketSpec { tick_micros: 50, ..base },
        MarketSpec { kind: MarketKind::Categorical { outcomes: 1 }, ..base },
        MarketSpec { kind: MarketKind::Categorical { outcomes: 0 }, ..base },
        MarketSpec { kind: MarketKind::Categorical { outcomes: 65 }, ..base },
        MarketSpec { kind: MarketKind::Scalar { floor: 10, cap: 10 }, ..base },
        MarketSpec { kind: MarketKind::Scalar { floor: 11, cap: 10 }, ..base },
        MarketSpec {
            fees: FeeSchedule {
                maker: FeeRule::Zero,
                taker: FeeRule::Quadratic { rate_ppm: 1_000_001, rounding_micros: 1 },
            },
            ..base
        },
        MarketSpec {
            fees: FeeSchedule {
                maker: FeeRule::Proportional { rate_ppm: 1_000, rounding_micros: 0 },
                taker: FeeRule::Zero,
            },
            ..base
        },
        MarketSpec {
            fees: FeeSchedule {
                maker: FeeRule::Zero,
                taker: FeeRule::Proportional { rate_ppm: 1_000, rounding_micros: 1_000_001 },
            },
            ..base
        },
    ];
    for spec in bad_specs {
        let reject = refused(&mut e, Command::CreateMarket { spec });
        assert!(matches!(reject, Reject::InvalidMarketSpec { .. }), "{spec:?} gave {reject:?}");
        assert_eq!(e.market_spec(MarketId(20)), None);
    }
    // The limits themselves are fine.
    for (id, spec) in [
        (20, MarketSpec { tick_micros: 100, ..base }),
        (21, MarketSpec { tick_micros: 500_000, ..binary_spec(MarketId(21)) }),
        (22, categorical_spec(MarketId(22), 2)),
        (23, categorical_spec(MarketId(23), 64)),
        (24, scalar_spec(MarketId(24), -1, 0)),
    ] {
        ok(&mut e, Command::CreateMarket { spec });
        assert_eq!(e.market_spec(MarketId(id)), Some(spec));
    }
    e.check_invariants().unwrap();
}

#[test]
fn duplicate_market() {
    let mut e = busy_venue();
    assert_eq!(
        refused(&mut e, Command::CreateMarket { spec: binary_spec(BINARY) }),
        Reject::DuplicateMarket { market: BINARY }
    );
    // Even with a different kind, and even when the market is closed.
    assert_eq!(
        refused(&mut e, Command::CreateMarket { spec: categorical_spec(BINARY, 4) }),
        Reject::DuplicateMarket { market: BINARY }
    );
    ok(&mut e, Command::CloseMarket { market: BINARY });
    assert_eq!(
        refused(&mut e, Command::CreateMarket { spec: binary_spec(BINARY) }),
        Reject::DuplicateMarket { market: BINARY }
    );
    e.check_invariants().unwrap();
}

#[test]
fn withdraw_more_than_available() {
    let mut e = busy_venue();
    // Bob: 100 deposited, 4.00 in a categorical pair, 2.00 reserved by his bid.
    assert_eq!(
        refused(&mut e, Command::Withdraw { account: BOB, amount_micros: 94 * DOLLAR + 1 }),
        Reject::InsufficientFunds { needed_micros: 94 * DOLLAR + 1, available_micros: 94 * DOLLAR }
    );
    assert_eq!(refused(&mut e, Command::Withdraw { account: BOB, amount_micros: 0 }), Reject::AmountNotPositive);
    let events = ok(&mut e, Command::Withdraw { account: BOB, amount_micros: 94 * DOLLAR });
    assert_eq!(
        events,
        vec![augury_core::Event::Withdrawn { account: BOB, amount_micros: 94 * DOLLAR, available_micros: 0 }]
    );
    assert_eq!(balance(&e, BOB), (0, 2 * DOLLAR));
    assert_eq!(
        refused(&mut e, Command::Withdraw { account: BOB, amount_micros: 1 }),
        Reject::InsufficientFunds { needed_micros: 1, available_micros: 0 }
    );
    e.check_invariants().unwrap();
}

#[test]
fn deposit_limits() {
    let mut e = busy_venue();
    assert_eq!(refused(&mut e, Command::Deposit { account: DAVE, amount_micros: 0 }), Reject::AmountNotPositive);
    // The venue holds 400 already (4 x 100).
    let room = VENUE_COLLATERAL_MAX_MICROS - 4 * START;
    assert_eq!(
        refused(&mut e, Command::Deposit { account: DAVE, amount_micros: room + 1 }),
        Reject::AmountTooLarge { amount_micros: room + 1, max_micros: room }
    );
    // A refused deposit does not open the account.
    assert_eq!(
        refused(&mut e, Command::Deposit { account: AccountId(77), amount_micros: 0 }),
        Reject::AmountNotPositive
    );
    assert_eq!(e.account(AccountId(77)), None);
    deposit(&mut e, DAVE, room);
    assert_eq!(balance(&e, DAVE), (START + room, 0));
    e.check_invariants().unwrap();
}

#[test]
fn unknown_account() {
    let mut e = busy_venue();
    let ghost = 4242;
    assert_eq!(
        refused(&mut e, Command::Withdraw { account: AccountId(ghost), amount_micros: 1 }),
        Reject::UnknownAccount { account: AccountId(ghost) }
    );
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(10), AccountId(ghost), BINARY, 500_000, 1))),
        Reject::UnknownAccount { account: AccountId(ghost) }
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: AccountId(ghost), market: BINARY, outcome: None, quantity: 1 }),
        Reject::UnknownAccount { account: AccountId(ghost) }
    );
    assert_eq!(
        refused(&mut e, Command::Merge { account: AccountId(ghost), market: BINARY, outcome: None, quantity: 1 }),
        Reject::UnknownAccount { account: AccountId(ghost) }
    );
    assert_eq!(
        refused(&mut e, Command::Convert { account: AccountId(ghost), market: CATEGORICAL, outcomes: 1, quantity: 1 }),
        Reject::UnknownAccount { account: AccountId(ghost) }
    );
    assert_eq!(e.account(AccountId(ghost)), None);
    // A deposit opens it.
    deposit(&mut e, AccountId(ghost), DOLLAR);
    rest(&mut e, buy_yes(OrderId(10), AccountId(ghost), BINARY, 500_000, 2));
    e.check_invariants().unwrap();
}

#[test]
fn invalid_conversions() {
    let mut e = busy_venue();
    assert!(matches!(
        refused(&mut e, Command::Convert { account: ALICE, market: BINARY, outcomes: 1, quantity: 1 }),
        Reject::InvalidOutcomes { .. }
    ));
    assert!(matches!(
        refused(&mut e, Command::Convert { account: BOB, market: CATEGORICAL, outcomes: 0, quantity: 1 }),
        Reject::InvalidOutcomes { .. }
    ));
    assert!(matches!(
        refused(&mut e, Command::Convert { account: BOB, market: CATEGORICAL, outcomes: 0b1010, quantity: 1 }),
        Reject::InvalidOutcomes { .. }
    ));
    assert_eq!(
        refused(&mut e, Command::Convert { account: BOB, market: CATEGORICAL, outcomes: 0b010, quantity: 0 }),
        Reject::QuantityNotPositive
    );
    assert_eq!(
        refused(&mut e, Command::Convert { account: BOB, market: CATEGORICAL, outcomes: 0b010, quantity: 5 }),
        Reject::InsufficientShares { needed: 5, available: 4 }
    );
    assert_eq!(
        refused(&mut e, Command::Convert { account: BOB, market: CATEGORICAL, outcomes: 0b011, quantity: 1 }),
        Reject::InsufficientShares { needed: 1, available: 0 }
    );
    e.check_invariants().unwrap();
}

#[test]
fn too_many_open_orders() {
    let mut e = augury_engine::Engine::new(EngineConfig { fee_account: FEE_ACCOUNT, max_open_orders: 2 });
    ok(&mut e, Command::CreateMarket { spec: binary_spec(BINARY) });
    deposit(&mut e, ALICE, START);
    deposit(&mut e, BOB, START);
    rest(&mut e, buy_yes(OrderId(1), ALICE, BINARY, 300_000, 1));
    rest(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 310_000, 1));
    assert_eq!(
        refused(&mut e, place_cmd(buy_yes(OrderId(3), ALICE, BINARY, 320_000, 1))),
        Reject::TooManyOpenOrders { max: 2 }
    );
    // Orders that cannot rest are still accepted.
    let events = place(&mut e, ioc(buy_no(OrderId(3), BOB, BINARY, 690_000, 1)));
    assert_eq!(fills(&events).len(), 1);
    // And once there is room again, resting works.
    rest(&mut e, buy_yes(OrderId(4), ALICE, BINARY, 320_000, 1));
    e.check_invariants().unwrap();
}

#[test]
fn refusals_in_a_row_leave_the_state_exactly_as_it_was() {
    // A refused command in one market must not disturb another market's book or the clock.
    let mut e = busy_venue();
    advance(&mut e, 50);
    let hash = e.state_hash();
    let commands = [
        place_cmd(buy_yes(OrderId(10), DAVE, MarketId(77), 500_000, 1)),
        place_cmd(NewOrder {
            order_type: OrderType::Limit { price_micros: 5 },
            ..buy_yes(OrderId(10), DAVE, BINARY, 0, 1)
        }),
        Command::AdvanceTime { now_ms: 49 },
        Command::Withdraw { account: DAVE, amount_micros: START + 1 },
    ];
    for command in commands {
        refused(&mut e, command);
    }
    assert_eq!(e.state_hash(), hash);
    assert_eq!(e.clock_ms(), 50);
    e.check_invariants().unwrap();
}
