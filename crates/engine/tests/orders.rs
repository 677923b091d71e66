//! Order types and order management: GTC, GTD (expiry), IOC, FOK, post-only, market orders with a
//! cost cap, cancel, amend (priority rules), self-trade prevention, and closing a market.

mod common;

use augury_core::{
    Action, BookSide, CancelReason, Command, Event, FillKind, MarketId, MarketStatus, OrderId, Reject,
    SelfTradePrevention, Side, TradeId,
};
use augury_engine::{LevelView, OrderView};
use common::*;

// ---------------------------------------------------------------------------------------------
// GTC limit orders
// ---------------------------------------------------------------------------------------------

#[test]
fn gtc_limit_buy_rests_and_reserves_price_times_quantity() {
    let mut e = venue();
    let order = buy_yes(OrderId(1), ALICE, BINARY, 400_000, 10);
    rest(&mut e, order);

    assert_eq!(balance(&e, ALICE), (96 * DOLLAR, 4 * DOLLAR));
    assert_eq!(
        e.order(OrderId(1)),
        Some(OrderView {
            order: OrderId(1),
            account: ALICE,
            market: BINARY,
            outcome: 0,
            side: Side::Yes,
            action: Action::Buy,
            price_micros: 400_000,
            remaining_quantity: 10,
            book_side: BookSide::Bid,
            expires_at_ms: 0,
        })
    );
    assert_eq!(e.best_prices(BINARY, 0), (Some(400_000), None));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Bid, 10),
        vec![LevelView { yes_price_micros: 400_000, quantity: 10, orders: 1 }]
    );
    assert_eq!(e.open_order_count(), 1);
    // One level by price, as the WebSocket deltas read it: empty levels are 0, off-grid or
    // out-of-range prices and unknown markets are None.
    assert_eq!(
        e.level_at(BINARY, 0, BookSide::Bid, 400_000),
        Some(LevelView { yes_price_micros: 400_000, quantity: 10, orders: 1 })
    );
    assert_eq!(
        e.level_at(BINARY, 0, BookSide::Ask, 400_000),
        Some(LevelView { yes_price_micros: 400_000, quantity: 0, orders: 0 })
    );
    assert_eq!(e.level_at(BINARY, 0, BookSide::Bid, 405_000), None);
    assert_eq!(e.level_at(BINARY, 0, BookSide::Bid, 0), None);
    assert_eq!(e.level_at(BINARY, 0, BookSide::Bid, 1_000_000), None);
    assert_eq!(e.level_at(BINARY, 1, BookSide::Bid, 400_000), None);
    assert_eq!(e.level_at(MarketId(99), 0, BookSide::Bid, 400_000), None);
    e.check_invariants().unwrap();
}

#[test]
fn gtc_buy_no_rests_on_the_ask_side_at_the_complement() {
    let mut e = venue();
    rest(&mut e, buy_no(OrderId(1), ALICE, BINARY, 300_000, 5));

    assert_eq!(balance(&e, ALICE), (START - 1_500_000, 1_500_000));
    assert_eq!(e.best_prices(BINARY, 0), (None, Some(700_000)));
    let view = e.order(OrderId(1)).unwrap();
    assert_eq!((view.price_micros, view.book_side, view.side), (300_000, BookSide::Ask, Side::No));
    e.check_invariants().unwrap();
}

#[test]
fn gtc_sells_reserve_contracts_and_cancel_releases_them() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 600_000, 4));
    rest(&mut e, sell_no(OrderId(2), ALICE, BINARY, 450_000, 3));

    assert_eq!(position(&e, ALICE, BINARY, 0), pos(6, 4, 7, 3));
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR, 0));
    // A sell of NO at 0.45 is a bid for YES at 0.55.
    assert_eq!(e.best_prices(BINARY, 0), (Some(550_000), Some(600_000)));

    assert_eq!(
        cancel(&mut e, ALICE, OrderId(1)),
        vec![Event::OrderCancelled {
            order: OrderId(1),
            account: ALICE,
            remaining_quantity: 4,
            reason: CancelReason::Requested
        }]
    );
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(10, 0, 7, 3));
    assert_eq!(cancels(&cancel(&mut e, ALICE, OrderId(2))), vec![(2, 3, CancelReason::Requested)]);
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(10, 0, 10, 0));
    assert_eq!(e.open_order_count(), 0);
    assert_eq!(e.best_prices(BINARY, 0), (None, None));
    e.check_invariants().unwrap();
}

#[test]
fn cancel_releases_a_buy_reservation_and_the_order_is_gone() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), ALICE, BINARY, 250_000, 8));
    assert_eq!(balance(&e, ALICE), (START - 2 * DOLLAR, 2 * DOLLAR));

    let events = cancel(&mut e, ALICE, OrderId(1));
    assert_eq!(
        events,
        vec![Event::OrderCancelled {
            order: OrderId(1),
            account: ALICE,
            remaining_quantity: 8,
            reason: CancelReason::Requested
        }]
    );
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.order(OrderId(1)), None);
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: ALICE, order: OrderId(1) }),
        Reject::UnknownOrder { order: OrderId(1) }
    );
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// GTD: expiry by AdvanceTime
// ---------------------------------------------------------------------------------------------

#[test]
fn gtd_order_expires_when_the_clock_reaches_its_expiry() {
    let mut e = venue();
    assert_eq!(advance(&mut e, 1_000), vec![Event::TimeAdvanced { now_ms: 1_000 }]);
    rest(&mut e, gtd(buy_yes(OrderId(1), ALICE, BINARY, 500_000, 10), 5_000));
    assert_eq!(e.order(OrderId(1)).unwrap().expires_at_ms, 5_000);
    assert_eq!(balance(&e, ALICE), (95 * DOLLAR, 5 * DOLLAR));

    // One millisecond before: nothing happens.
    assert_eq!(advance(&mut e, 4_999), vec![Event::TimeAdvanced { now_ms: 4_999 }]);
    assert!(e.order(OrderId(1)).is_some());
    assert_eq!(balance(&e, ALICE), (95 * DOLLAR, 5 * DOLLAR));

    // At the expiry: cancelled, reservation released.
    assert_eq!(
        advance(&mut e, 5_000),
        vec![
            Event::TimeAdvanced { now_ms: 5_000 },
            Event::OrderCancelled {
                order: OrderId(1),
                account: ALICE,
                remaining_quantity: 10,
                reason: CancelReason::Expired
            },
        ]
    );
    assert_eq!(e.clock_ms(), 5_000);
    assert_eq!(e.order(OrderId(1)), None);
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.open_order_count(), 0);
    assert_eq!(e.best_prices(BINARY, 0), (None, None));
    e.check_invariants().unwrap();
}

#[test]
fn gtd_orders_expire_earliest_first_and_gtc_orders_stay() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    rest(&mut e, gtd(buy_yes(OrderId(1), ALICE, BINARY, 400_000, 10), 8_000));
    rest(&mut e, gtd(sell_yes(OrderId(2), BOB, BINARY, 700_000, 5), 6_000));
    rest(&mut e, buy_yes(OrderId(3), CAROL, BINARY, 300_000, 1));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(0, 5, 5, 0));

    let events = advance(&mut e, 10_000);
    assert_eq!(
        events,
        vec![
            Event::TimeAdvanced { now_ms: 10_000 },
            Event::OrderCancelled {
                order: OrderId(2),
                account: BOB,
                remaining_quantity: 5,
                reason: CancelReason::Expired
            },
            Event::OrderCancelled {
                order: OrderId(1),
                account: ALICE,
                remaining_quantity: 10,
                reason: CancelReason::Expired
            },
        ]
    );
    assert_eq!(position(&e, BOB, BINARY, 0), pos(5, 0, 5, 0));
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.open_order_count(), 1);
    assert!(e.order(OrderId(3)).is_some());
    e.check_invariants().unwrap();
}

#[test]
fn partly_filled_gtd_order_expires_with_its_remainder() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 4);
    rest(&mut e, gtd(buy_yes(OrderId(1), ALICE, BINARY, 500_000, 10), 5_000));
    let events = place(&mut e, ioc(sell_yes(OrderId(2), BOB, BINARY, 500_000, 4)));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 500_000, 4, FillKind::Transfer)]);
    assert_eq!(balance(&e, ALICE), (START - 5 * DOLLAR, 3 * DOLLAR));

    let events = advance(&mut e, 5_000);
    assert_eq!(cancels(&events), vec![(1, 6, CancelReason::Expired)]);
    assert_eq!(balance(&e, ALICE), (START - 2 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(4, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn amended_gtd_order_keeps_its_expiry() {
    let mut e = venue();
    rest(&mut e, gtd(buy_yes(OrderId(1), ALICE, BINARY, 500_000, 10), 5_000));
    // Loses priority (price change): re-rests, and must still expire.
    amend(&mut e, ALICE, OrderId(1), Some(450_000), None);
    assert_eq!(e.order(OrderId(1)).unwrap().expires_at_ms, 5_000);
    // Keeps priority (quantity decrease).
    amend(&mut e, ALICE, OrderId(1), None, Some(4));
    assert_eq!(balance(&e, ALICE), (START - 1_800_000, 1_800_000));

    let events = advance(&mut e, 5_000);
    assert_eq!(cancels(&events), vec![(1, 4, CancelReason::Expired)]);
    assert_eq!(balance(&e, ALICE), (START, 0));
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// IOC and FOK
// ---------------------------------------------------------------------------------------------

#[test]
fn ioc_trades_what_it_can_and_cancels_the_rest() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 500_000, 3));

    let order = ioc(buy_yes(OrderId(2), ALICE, BINARY, 550_000, 10));
    let events = place(&mut e, order);
    assert_eq!(
        events,
        vec![
            accepted(&order),
            Event::Fill {
                trade: TradeId(1),
                market: BINARY,
                outcome: 0,
                yes_price_micros: 500_000,
                quantity: 3,
                kind: FillKind::Transfer,
                maker_order: OrderId(1),
                maker_account: BOB,
                maker_side: Side::Yes,
                maker_action: Action::Sell,
                maker_fee_micros: 0,
                maker_remaining: 0,
                taker_order: OrderId(2),
                taker_account: ALICE,
                taker_side: Side::Yes,
                taker_action: Action::Buy,
                taker_fee_micros: 0,
                taker_remaining: 7,
            },
            Event::OrderCancelled {
                order: OrderId(2),
                account: ALICE,
                remaining_quantity: 7,
                reason: CancelReason::Unfilled
            },
        ]
    );
    // Paid 3 x 0.50 (not the 0.55 limit); the unfilled 7 x 0.55 came back.
    assert_eq!(balance(&e, ALICE), (START - 1_500_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(3, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (START - 10 * DOLLAR + 1_500_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(7, 0, 10, 0));
    assert_eq!(e.open_order_count(), 0);
    e.check_invariants().unwrap();
}

#[test]
fn ioc_with_nothing_to_trade_is_cancelled_whole() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 400_000, 5));
    split(&mut e, ALICE, BINARY, None, 5);
    let order = ioc(sell_yes(OrderId(2), ALICE, BINARY, 450_000, 5));
    assert_eq!(
        place(&mut e, order),
        vec![
            accepted(&order),
            Event::OrderCancelled {
                order: OrderId(2),
                account: ALICE,
                remaining_quantity: 5,
                reason: CancelReason::Unfilled
            },
        ]
    );
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(5, 0, 5, 0));
    assert_eq!(balance(&e, ALICE), (START - 5 * DOLLAR, 0));
    assert_eq!(e.open_order_count(), 1);
    e.check_invariants().unwrap();
}

#[test]
fn fok_is_killed_without_changing_any_balance_when_it_cannot_fill_whole() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 500_000, 3));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 520_000, 4));
    let alice_before = (balance(&e, ALICE), position(&e, ALICE, BINARY, 0));
    let bob_before = (balance(&e, BOB), position(&e, BOB, BINARY, 0));
    let depth_before = e.depth(BINARY, 0, BookSide::Ask, 10);

    // 10 wanted, 7 on offer.
    let order = fok(buy_yes(OrderId(3), ALICE, BINARY, 550_000, 10));
    assert_eq!(
        place(&mut e, order),
        vec![
            accepted(&order),
            Event::OrderCancelled {
                order: OrderId(3),
                account: ALICE,
                remaining_quantity: 10,
                reason: CancelReason::FillOrKill
            },
        ]
    );
    // 7 wanted, only 3 at or below the 0.51 limit.
    let events = place(&mut e, fok(buy_yes(OrderId(4), ALICE, BINARY, 510_000, 7)));
    assert_eq!(cancels(&events), vec![(4, 7, CancelReason::FillOrKill)]);
    assert!(fills(&events).is_empty());
    assert_eq!((balance(&e, ALICE), position(&e, ALICE, BINARY, 0)), alice_before);
    assert_eq!((balance(&e, BOB), position(&e, BOB, BINARY, 0)), bob_before);
    assert_eq!(e.depth(BINARY, 0, BookSide::Ask, 10), depth_before);

    // A sell FOK killed leaves the contracts free.
    split(&mut e, CAROL, BINARY, None, 5);
    let events = place(&mut e, fok(sell_yes(OrderId(5), CAROL, BINARY, 400_000, 5)));
    assert_eq!(cancels(&events), vec![(5, 5, CancelReason::FillOrKill)]);
    assert_eq!(position(&e, CAROL, BINARY, 0), pos(5, 0, 5, 0));
    assert_eq!(balance(&e, CAROL), (95 * DOLLAR, 0));
    e.check_invariants().unwrap();
}

#[test]
fn fok_that_can_fill_whole_fills_across_levels() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 500_000, 3));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 520_000, 4));

    let order = fok(buy_yes(OrderId(3), ALICE, BINARY, 550_000, 7));
    let events = place(&mut e, order);
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(1), OrderId(3), 500_000, 3, FillKind::Transfer),
            f(OrderId(2), OrderId(3), 520_000, 4, FillKind::Transfer)
        ]
    );
    assert!(cancels(&events).is_empty());
    assert_eq!(events.len(), 3);
    // 3 x 0.50 + 4 x 0.52 = 3.58.
    assert_eq!(balance(&e, ALICE), (START - 3_580_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(7, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (START - 10 * DOLLAR + 3_580_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(3, 0, 10, 0));
    assert_eq!(e.open_order_count(), 0);
    e.check_invariants().unwrap();
}

#[test]
fn fok_market_buy_is_killed_when_its_cap_cannot_pay_for_the_whole_quantity() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 500_000, 3));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 520_000, 4));
    // $2 buys 3 at 0.50 and none at 0.52.
    let order = fok(market_order(OrderId(3), ALICE, BINARY, Side::Yes, Action::Buy, 7, Some(2 * DOLLAR)));
    assert_eq!(cancels(&place(&mut e, order)), vec![(3, 7, CancelReason::FillOrKill)]);
    assert_eq!(balance(&e, ALICE), (START, 0));
    // $3.58 is exactly enough.
    let order = fok(market_order(OrderId(4), ALICE, BINARY, Side::Yes, Action::Buy, 7, Some(3_580_000)));
    let events = place(&mut e, order);
    assert_eq!(fills(&events).len(), 2);
    assert!(cancels(&events).is_empty());
    assert_eq!(balance(&e, ALICE), (START - 3_580_000, 0));
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Post-only
// ---------------------------------------------------------------------------------------------

#[test]
fn post_only_rests_when_it_does_not_cross_and_is_refused_when_it_would() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 500_000, 5));

    rest(&mut e, post_only(buy_yes(OrderId(2), ALICE, BINARY, 490_000, 5)));
    assert_eq!(balance(&e, ALICE), (START - 2_450_000, 2_450_000));

    assert_eq!(
        refused(&mut e, Command::PlaceOrder { order: post_only(buy_yes(OrderId(3), ALICE, BINARY, 500_000, 5)) }),
        Reject::PostOnlyWouldCross
    );
    assert_eq!(
        refused(&mut e, Command::PlaceOrder { order: post_only(buy_yes(OrderId(3), ALICE, BINARY, 600_000, 1)) }),
        Reject::PostOnlyWouldCross
    );
    // A buy of NO at 0.51 asks YES at 0.49: it would meet the 0.49 bid (a mint).
    assert_eq!(
        refused(&mut e, Command::PlaceOrder { order: post_only(buy_no(OrderId(3), CAROL, BINARY, 510_000, 1)) }),
        Reject::PostOnlyWouldCross
    );
    // At 0.50 it asks YES at 0.50, above the bid: it rests.
    rest(&mut e, post_only(buy_no(OrderId(3), CAROL, BINARY, 500_000, 1)));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Ask, 5),
        vec![LevelView { yes_price_micros: 500_000, quantity: 6, orders: 2 }]
    );

    // A resting post-only order trades normally as a maker.
    split(&mut e, DAVE, BINARY, None, 2);
    let events = place(&mut e, ioc(sell_yes(OrderId(4), DAVE, BINARY, 490_000, 2)));
    assert_eq!(fills(&events), vec![f(OrderId(2), OrderId(4), 490_000, 2, FillKind::Transfer)]);
    assert_eq!(balance(&e, ALICE), (START - 2_450_000, 1_470_000));
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Market orders
// ---------------------------------------------------------------------------------------------

fn three_asks(e: &mut augury_engine::Engine, market: MarketId) {
    split(e, BOB, market, None, 15);
    rest(e, sell_yes(OrderId(1), BOB, market, 400_000, 5));
    rest(e, sell_yes(OrderId(2), BOB, market, 500_000, 5));
    rest(e, sell_yes(OrderId(3), BOB, market, 600_000, 5));
}

#[test]
fn market_buy_stops_at_its_cost_cap() {
    let mut e = venue();
    three_asks(&mut e, BINARY);
    let order = market_order(OrderId(4), ALICE, BINARY, Side::Yes, Action::Buy, 15, Some(4_300_000));
    let events = place(&mut e, order);
    // 5 x 0.40 = 2.00, then 4 x 0.50 = 2.00; the 0.30 left buys nothing at 0.50.
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(1), OrderId(4), 400_000, 5, FillKind::Transfer),
            f(OrderId(2), OrderId(4), 500_000, 4, FillKind::Transfer)
        ]
    );
    assert_eq!(cancels(&events), vec![(4, 6, CancelReason::CostCap)]);
    assert_eq!(events.len(), 4);
    assert_eq!(balance(&e, ALICE), (START - 4 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(9, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (START - 15 * DOLLAR + 4 * DOLLAR, 0));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Ask, 10),
        vec![
            LevelView { yes_price_micros: 500_000, quantity: 1, orders: 1 },
            LevelView { yes_price_micros: 600_000, quantity: 5, orders: 1 },
        ]
    );
    e.check_invariants().unwrap();
}

#[test]
fn market_buy_cap_includes_taker_fees() {
    let mut e = venue();
    split(&mut e, BOB, FEE_MARKET, None, 20);
    rest(&mut e, sell_yes(OrderId(1), BOB, FEE_MARKET, 500_000, 20));
    // 5 cost 2.50 + ceil(0.0875 -> 0.09) = 2.59; 6 would cost 3.00 + 0.11 = 3.11 > 3.00.
    let order = market_order(OrderId(2), ALICE, FEE_MARKET, Side::Yes, Action::Buy, 10, Some(3 * DOLLAR));
    let events = place(&mut e, order);
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 500_000, 5, FillKind::Transfer)]);
    assert_eq!(fill_fees(&events), vec![(90_000, 0)]);
    assert_eq!(cancels(&events), vec![(2, 5, CancelReason::CostCap)]);
    let spent = START - available(&e, ALICE);
    assert_eq!(spent, 2_590_000);
    assert!(spent <= 3 * DOLLAR);
    assert_eq!(reserved(&e, ALICE), 0);
    assert_eq!(balance(&e, FEE_ACCOUNT), (90_000, 0));
    assert_eq!(balance(&e, BOB), (START - 20 * DOLLAR + 2_500_000, 0));

    // A cap of exactly 2.59 buys the same 5 and nothing more.
    let order = market_order(OrderId(3), CAROL, FEE_MARKET, Side::Yes, Action::Buy, 10, Some(2_590_000));
    let events = place(&mut e, order);
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(3), 500_000, 5, FillKind::Transfer)]);
    assert_eq!(cancels(&events), vec![(3, 5, CancelReason::CostCap)]);
    assert_eq!(balance(&e, CAROL), (START - 2_590_000, 0));
    assert_eq!(balance(&e, FEE_ACCOUNT), (180_000, 0));
    assert_eq!(e.order(OrderId(1)).unwrap().remaining_quantity, 10);
    e.check_invariants().unwrap();
}

#[test]
fn market_buy_without_cap_sweeps_the_book_and_cancels_the_rest_as_unfilled() {
    let mut e = venue();
    three_asks(&mut e, BINARY);
    let order = market_order(OrderId(4), ALICE, BINARY, Side::Yes, Action::Buy, 20, None);
    let events = place(&mut e, order);
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(1), OrderId(4), 400_000, 5, FillKind::Transfer),
            f(OrderId(2), OrderId(4), 500_000, 5, FillKind::Transfer),
            f(OrderId(3), OrderId(4), 600_000, 5, FillKind::Transfer),
        ]
    );
    assert_eq!(cancels(&events), vec![(4, 5, CancelReason::Unfilled)]);
    assert_eq!(balance(&e, ALICE), (START - 7_500_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(15, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn market_sell_hits_the_best_bids() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 300_000, 4));
    rest(&mut e, buy_yes(OrderId(2), CAROL, BINARY, 350_000, 3));
    split(&mut e, ALICE, BINARY, None, 10);
    let events = place(&mut e, market_order(OrderId(3), ALICE, BINARY, Side::Yes, Action::Sell, 10, None));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(3), 350_000, 3, FillKind::Transfer),
            f(OrderId(1), OrderId(3), 300_000, 4, FillKind::Transfer)
        ]
    );
    assert_eq!(cancels(&events), vec![(3, 3, CancelReason::Unfilled)]);
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR + 1_050_000 + 1_200_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(3, 0, 10, 0));
    assert_eq!(balance(&e, BOB), (START - 1_200_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(4, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn market_buy_of_no_mints_against_a_yes_bid() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 300_000, 5));
    let events = place(&mut e, market_order(OrderId(2), ALICE, BINARY, Side::No, Action::Buy, 5, None));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 300_000, 5, FillKind::Mint)]);
    assert_eq!(balance(&e, ALICE), (START - 3_500_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 5, 0));
    assert_eq!(balance(&e, BOB), (START - 1_500_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(5, 0, 0, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(5 * DOLLAR));
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Amend
// ---------------------------------------------------------------------------------------------

/// Alice bids 10 at 0.40 (order 1), then Bob bids 10 at 0.40 (order 2); Carol has 20 YES to sell.
fn two_bids() -> augury_engine::Engine {
    let mut e = venue();
    split(&mut e, CAROL, BINARY, None, 20);
    rest(&mut e, buy_yes(OrderId(1), ALICE, BINARY, 400_000, 10));
    rest(&mut e, buy_yes(OrderId(2), BOB, BINARY, 400_000, 10));
    e
}

#[test]
fn amend_quantity_down_keeps_priority() {
    let mut e = two_bids();
    assert_eq!(
        amend(&mut e, ALICE, OrderId(1), None, Some(6)),
        vec![Event::OrderAmended {
            order: OrderId(1),
            price_micros: 400_000,
            remaining_quantity: 6,
            kept_priority: true
        }]
    );
    assert_eq!(balance(&e, ALICE), (START - 2_400_000, 2_400_000));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Bid, 5),
        vec![LevelView { yes_price_micros: 400_000, quantity: 16, orders: 2 }]
    );

    // Alice is still first in the queue.
    let events = place(&mut e, ioc(sell_yes(OrderId(3), CAROL, BINARY, 400_000, 8)));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(1), OrderId(3), 400_000, 6, FillKind::Transfer),
            f(OrderId(2), OrderId(3), 400_000, 2, FillKind::Transfer)
        ]
    );
    assert_eq!(balance(&e, ALICE), (START - 2_400_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(6, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (START - 4 * DOLLAR, 3_200_000));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(2, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn amend_quantity_up_loses_priority() {
    let mut e = two_bids();
    assert_eq!(
        amend(&mut e, ALICE, OrderId(1), None, Some(12)),
        vec![
            Event::OrderAmended {
                order: OrderId(1),
                price_micros: 400_000,
                remaining_quantity: 12,
                kept_priority: false
            },
            Event::OrderRested {
                order: OrderId(1),
                book_side: BookSide::Bid,
                price_micros: 400_000,
                remaining_quantity: 12
            },
        ]
    );
    assert_eq!(balance(&e, ALICE), (START - 4_800_000, 4_800_000));
    let events = place(&mut e, ioc(sell_yes(OrderId(3), CAROL, BINARY, 400_000, 12)));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(3), 400_000, 10, FillKind::Transfer),
            f(OrderId(1), OrderId(3), 400_000, 2, FillKind::Transfer)
        ]
    );
    assert_eq!(e.order(OrderId(1)).unwrap().remaining_quantity, 10);
    assert_eq!(e.order(OrderId(2)), None);
    e.check_invariants().unwrap();
}

#[test]
fn amend_price_loses_priority_even_when_moved_back() {
    let mut e = two_bids();
    assert_eq!(
        amend(&mut e, ALICE, OrderId(1), Some(390_000), None),
        vec![
            Event::OrderAmended {
                order: OrderId(1),
                price_micros: 390_000,
                remaining_quantity: 10,
                kept_priority: false
            },
            Event::OrderRested {
                order: OrderId(1),
                book_side: BookSide::Bid,
                price_micros: 390_000,
                remaining_quantity: 10
            },
        ]
    );
    assert_eq!(balance(&e, ALICE), (START - 3_900_000, 3_900_000));
    let events = amend(&mut e, ALICE, OrderId(1), Some(400_000), None);
    assert!(matches!(events[0], Event::OrderAmended { kept_priority: false, .. }));
    assert_eq!(balance(&e, ALICE), (START - 4 * DOLLAR, 4 * DOLLAR));

    let events = place(&mut e, ioc(sell_yes(OrderId(3), CAROL, BINARY, 400_000, 12)));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(3), 400_000, 10, FillKind::Transfer),
            f(OrderId(1), OrderId(3), 400_000, 2, FillKind::Transfer)
        ]
    );
    e.check_invariants().unwrap();
}

#[test]
fn amend_price_and_smaller_quantity_together_loses_priority() {
    let mut e = two_bids();
    // Moving to a better price (and a smaller size) re-queues at the new level.
    amend(&mut e, BOB, OrderId(2), Some(410_000), Some(5));
    assert_eq!(balance(&e, BOB), (START - 2_050_000, 2_050_000));
    let events = place(&mut e, ioc(sell_yes(OrderId(3), CAROL, BINARY, 400_000, 7)));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(3), 410_000, 5, FillKind::Transfer),
            f(OrderId(1), OrderId(3), 400_000, 2, FillKind::Transfer)
        ]
    );
    e.check_invariants().unwrap();
}

#[test]
fn amend_that_crosses_trades_at_once_at_the_makers_price() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 450_000, 5));
    rest(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 400_000, 10));

    let events = amend(&mut e, ALICE, OrderId(2), Some(500_000), None);
    assert_eq!(
        events,
        vec![
            Event::OrderAmended {
                order: OrderId(2),
                price_micros: 500_000,
                remaining_quantity: 10,
                kept_priority: false
            },
            Event::Fill {
                trade: TradeId(1),
                market: BINARY,
                outcome: 0,
                yes_price_micros: 450_000,
                quantity: 5,
                kind: FillKind::Transfer,
                maker_order: OrderId(1),
                maker_account: BOB,
                maker_side: Side::Yes,
                maker_action: Action::Sell,
                maker_fee_micros: 0,
                maker_remaining: 0,
                taker_order: OrderId(2),
                taker_account: ALICE,
                taker_side: Side::Yes,
                taker_action: Action::Buy,
                taker_fee_micros: 0,
                taker_remaining: 5,
            },
            Event::OrderRested {
                order: OrderId(2),
                book_side: BookSide::Bid,
                price_micros: 500_000,
                remaining_quantity: 5
            },
        ]
    );
    // Paid 5 x 0.45; 5 x 0.50 stays reserved.
    assert_eq!(balance(&e, ALICE), (START - 2_250_000 - 2_500_000, 2_500_000));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(5, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (START - 5 * DOLLAR + 2_250_000, 0));
    assert_eq!(e.best_prices(BINARY, 0), (Some(500_000), None));
    e.check_invariants().unwrap();
}

#[test]
fn amend_of_a_sell_moves_reserved_contracts() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 600_000, 8));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(2, 8, 10, 0));
    amend(&mut e, ALICE, OrderId(1), None, Some(3));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(7, 3, 10, 0));
    amend(&mut e, ALICE, OrderId(1), Some(650_000), Some(10));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 10, 10, 0));
    assert_eq!(e.order(OrderId(1)).unwrap().price_micros, 650_000);
    e.check_invariants().unwrap();
}

#[test]
fn amend_that_self_trades_cancels_the_amended_order() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 5);
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 450_000, 5));
    rest(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 400_000, 10));
    let events = amend(&mut e, ALICE, OrderId(2), Some(450_000), None);
    assert_eq!(cancels(&events), vec![(2, 10, CancelReason::SelfTrade)]);
    assert!(fills(&events).is_empty());
    assert_eq!(balance(&e, ALICE), (START - 5 * DOLLAR, 0));
    assert!(e.order(OrderId(1)).is_some());
    assert_eq!(e.order(OrderId(2)), None);
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Self-trade prevention
// ---------------------------------------------------------------------------------------------

/// Asks: Bob 3 at 0.49 (order 3), Alice 5 at 0.50 (order 1), Bob 5 at 0.51 (order 2).
fn self_trade_book() -> augury_engine::Engine {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 500_000, 5));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 510_000, 5));
    rest(&mut e, sell_yes(OrderId(3), BOB, BINARY, 490_000, 3));
    e
}

#[test]
fn self_trade_cancel_taker_stops_the_incoming_order() {
    let mut e = self_trade_book();
    let order = stp(buy_yes(OrderId(4), ALICE, BINARY, 550_000, 10), SelfTradePrevention::CancelTaker);
    let events = place(&mut e, order);
    assert_eq!(fills(&events), vec![f(OrderId(3), OrderId(4), 490_000, 3, FillKind::Transfer)]);
    assert_eq!(cancels(&events), vec![(4, 7, CancelReason::SelfTrade)]);
    // The resting self order and Bob's other order are untouched.
    assert_eq!(e.order(OrderId(1)).unwrap().remaining_quantity, 5);
    assert_eq!(e.order(OrderId(2)).unwrap().remaining_quantity, 5);
    assert_eq!(e.order(OrderId(4)), None);
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR - 1_470_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(8, 5, 10, 0));

    // Meeting its own order first, it trades nothing at all.
    let order = buy_yes(OrderId(5), ALICE, BINARY, 550_000, 10);
    assert_eq!(
        place(&mut e, order),
        vec![
            accepted(&order),
            Event::OrderCancelled {
                order: OrderId(5),
                account: ALICE,
                remaining_quantity: 10,
                reason: CancelReason::SelfTrade
            },
        ]
    );
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR - 1_470_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn self_trade_cancel_maker_removes_the_resting_order_and_keeps_matching() {
    let mut e = self_trade_book();
    let order = stp(buy_yes(OrderId(4), ALICE, BINARY, 550_000, 10), SelfTradePrevention::CancelMaker);
    let events = place(&mut e, order);
    assert_eq!(
        events,
        vec![
            accepted(&order),
            events[1], // fill against Bob's 0.49, checked below
            Event::OrderCancelled {
                order: OrderId(1),
                account: ALICE,
                remaining_quantity: 5,
                reason: CancelReason::SelfTrade
            },
            events[3], // fill against Bob's 0.51
            Event::OrderRested {
                order: OrderId(4),
                book_side: BookSide::Bid,
                price_micros: 550_000,
                remaining_quantity: 2
            },
        ]
    );
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(3), OrderId(4), 490_000, 3, FillKind::Transfer),
            f(OrderId(2), OrderId(4), 510_000, 5, FillKind::Transfer)
        ]
    );
    // Paid 1.47 + 2.55; 2 x 0.55 reserved for the rest.
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR - 1_470_000 - 2_550_000 - 1_100_000, 1_100_000));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(18, 0, 10, 0));
    assert_eq!(e.best_prices(BINARY, 0), (Some(550_000), None));
    e.check_invariants().unwrap();
}

#[test]
fn self_trade_cancel_both_removes_both_orders() {
    let mut e = self_trade_book();
    let order = stp(buy_yes(OrderId(4), ALICE, BINARY, 550_000, 10), SelfTradePrevention::CancelBoth);
    let events = place(&mut e, order);
    assert_eq!(fills(&events), vec![f(OrderId(3), OrderId(4), 490_000, 3, FillKind::Transfer)]);
    assert_eq!(cancels(&events), vec![(1, 5, CancelReason::SelfTrade), (4, 7, CancelReason::SelfTrade)]);
    assert_eq!(e.order(OrderId(1)), None);
    assert_eq!(e.order(OrderId(4)), None);
    assert_eq!(e.order(OrderId(2)).unwrap().remaining_quantity, 5);
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR - 1_470_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(13, 0, 10, 0));
    e.check_invariants().unwrap();
}

#[test]
fn self_trade_applies_across_the_mint_path() {
    let mut e = venue();
    // Alice's buy of NO at 0.45 asks YES at 0.55; her own buy of YES at 0.60 would mint with it.
    rest(&mut e, buy_no(OrderId(1), ALICE, BINARY, 450_000, 5));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 600_000, 5));
    assert_eq!(cancels(&events), vec![(2, 5, CancelReason::SelfTrade)]);
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
    assert_eq!(balance(&e, ALICE), (START - 2_250_000, 2_250_000));
    e.check_invariants().unwrap();
}

#[test]
fn fok_with_cancel_maker_skips_own_orders_when_counting_and_cancels_them_when_filling() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 500_000, 5));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 510_000, 5));

    // Only Bob's 5 count: 6 is killed, and Alice's own order survives the kill.
    let events =
        place(&mut e, stp(fok(buy_yes(OrderId(3), ALICE, BINARY, 550_000, 6)), SelfTradePrevention::CancelMaker));
    assert_eq!(cancels(&events), vec![(3, 6, CancelReason::FillOrKill)]);
    assert!(e.order(OrderId(1)).is_some());

    let events =
        place(&mut e, stp(fok(buy_yes(OrderId(4), ALICE, BINARY, 550_000, 5)), SelfTradePrevention::CancelMaker));
    assert_eq!(cancels(&events), vec![(1, 5, CancelReason::SelfTrade)]);
    assert_eq!(fills(&events), vec![f(OrderId(2), OrderId(4), 510_000, 5, FillKind::Transfer)]);
    assert_eq!(e.open_order_count(), 0);
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR - 2_550_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(15, 0, 10, 0));
    e.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Closing a market
// ---------------------------------------------------------------------------------------------

#[test]
fn close_market_cancels_every_resting_order_and_releases_reservations() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    split(&mut e, BOB, BINARY, None, 5);
    rest(&mut e, buy_yes(OrderId(1), ALICE, BINARY, 400_000, 10)); // bid 0.40
    rest(&mut e, sell_no(OrderId(2), ALICE, BINARY, 500_000, 5)); // bid 0.50
    rest(&mut e, sell_yes(OrderId(3), BOB, BINARY, 600_000, 5)); // ask 0.60
    rest(&mut e, gtd(buy_no(OrderId(4), CAROL, BINARY, 200_000, 3), 9_000)); // ask 0.80
    rest(&mut e, buy_yes(OrderId(5), DAVE, SCALAR, 300_000, 2)); // another market

    let events = ok(&mut e, Command::CloseMarket { market: BINARY });
    assert_eq!(
        events,
        vec![
            Event::MarketClosed { market: BINARY },
            Event::OrderCancelled {
                order: OrderId(2),
                account: ALICE,
                remaining_quantity: 5,
                reason: CancelReason::MarketClosed
            },
            Event::OrderCancelled {
                order: OrderId(1),
                account: ALICE,
                remaining_quantity: 10,
                reason: CancelReason::MarketClosed
            },
            Event::OrderCancelled {
                order: OrderId(3),
                account: BOB,
                remaining_quantity: 5,
                reason: CancelReason::MarketClosed
            },
            Event::OrderCancelled {
                order: OrderId(4),
                account: CAROL,
                remaining_quantity: 3,
                reason: CancelReason::MarketClosed
            },
        ]
    );
    assert_eq!(e.market_status(BINARY), Some(MarketStatus::Closed));
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(10, 0, 10, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(5, 0, 5, 0));
    assert_eq!(balance(&e, CAROL), (START, 0));
    assert_eq!(e.best_prices(BINARY, 0), (None, None));
    assert_eq!(e.open_order_count(), 1);
    assert_eq!(balance(&e, DAVE), (START - 600_000, 600_000));
    assert_eq!(e.market_status(SCALAR), Some(MarketStatus::Open));
    // Backing stays: the contracts are still outstanding.
    assert_eq!(e.market_backing_micros(BINARY), Some(15 * DOLLAR));

    // The cancelled GTD order no longer expires.
    assert_eq!(advance(&mut e, 10_000), vec![Event::TimeAdvanced { now_ms: 10_000 }]);
    // Nothing trades there any more.
    assert_eq!(
        refused(&mut e, Command::PlaceOrder { order: buy_yes(OrderId(6), ALICE, BINARY, 400_000, 1) }),
        Reject::MarketNotOpen { market: BINARY }
    );
    assert_eq!(
        refused(&mut e, Command::CancelOrder { account: ALICE, order: OrderId(1) }),
        Reject::UnknownOrder { order: OrderId(1) }
    );
    assert_eq!(refused(&mut e, Command::CloseMarket { market: BINARY }), Reject::MarketNotOpen { market: BINARY });
    // Funds can leave.
    ok(&mut e, Command::Withdraw { account: CAROL, amount_micros: START });
    e.check_invariants().unwrap();
}
