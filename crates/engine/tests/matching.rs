//! Matching: price-time priority, the maker's price, the three fill kinds (transfer, mint,
//! merge), the best price across all three paths, and trading in categorical and scalar markets.

mod common;

use augury_core::{Action, BookSide, Event, FillKind, MarketId, OrderId, Side, TradeId};
use augury_engine::LevelView;
use common::*;

#[test]
fn better_price_first_then_earlier_order_first_at_the_makers_price() {
    let mut e = venue();
    for seller in [BOB, CAROL, DAVE] {
        split(&mut e, seller, BINARY, None, 5);
    }
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 520_000, 5));
    rest(&mut e, sell_yes(OrderId(2), CAROL, BINARY, 500_000, 5));
    rest(&mut e, sell_yes(OrderId(3), DAVE, BINARY, 500_000, 5));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Ask, 10),
        vec![
            LevelView { yes_price_micros: 500_000, quantity: 10, orders: 2 },
            LevelView { yes_price_micros: 520_000, quantity: 5, orders: 1 },
        ]
    );

    let events = place(&mut e, buy_yes(OrderId(4), ALICE, BINARY, 550_000, 12));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(4), 500_000, 5, FillKind::Transfer),
            f(OrderId(3), OrderId(4), 500_000, 5, FillKind::Transfer),
            f(OrderId(1), OrderId(4), 520_000, 2, FillKind::Transfer),
        ]
    );
    let trades: Vec<u64> = events
        .iter()
        .filter_map(|event| match *event {
            Event::Fill { trade, .. } => Some(trade.get()),
            _ => None,
        })
        .collect();
    assert_eq!(trades, vec![1, 2, 3]);
    // The taker reserved 12 x 0.55 = 6.60 and paid 5 x 0.50 + 5 x 0.50 + 2 x 0.52 = 6.04: the
    // 0.56 of price improvement is available again at once.
    assert_eq!(balance(&e, ALICE), (START - 6_040_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(12, 0, 0, 0));
    assert_eq!(balance(&e, CAROL), (START - 5 * DOLLAR + 2_500_000, 0));
    assert_eq!(balance(&e, DAVE), (START - 5 * DOLLAR + 2_500_000, 0));
    assert_eq!(balance(&e, BOB), (START - 5 * DOLLAR + 1_040_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(0, 3, 5, 0));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Ask, 10),
        vec![LevelView { yes_price_micros: 520_000, quantity: 3, orders: 1 }]
    );
    e.check_invariants().unwrap();
}

#[test]
fn bids_are_matched_highest_first_and_a_seller_gets_the_makers_higher_price() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 300_000, 4));
    rest(&mut e, buy_yes(OrderId(2), CAROL, BINARY, 350_000, 4));
    rest(&mut e, buy_yes(OrderId(3), DAVE, BINARY, 350_000, 4));
    split(&mut e, ALICE, BINARY, None, 10);
    let events = place(&mut e, sell_yes(OrderId(4), ALICE, BINARY, 200_000, 10));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(4), 350_000, 4, FillKind::Transfer),
            f(OrderId(3), OrderId(4), 350_000, 4, FillKind::Transfer),
            f(OrderId(1), OrderId(4), 300_000, 2, FillKind::Transfer),
        ]
    );
    // 8 x 0.35 + 2 x 0.30 = 3.40, not 10 x 0.20.
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR + 3_400_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 10, 0));
    assert_eq!(balance(&e, BOB), (START - 1_200_000, 600_000));
    e.check_invariants().unwrap();
}

#[test]
fn fill_events_report_both_sides_remaining_quantities() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 600_000, 10));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 600_000, 4));
    let Event::Fill { maker_remaining, taker_remaining, maker_account, taker_account, .. } = events[1] else {
        panic!("expected a fill, got {:?}", events[1]);
    };
    assert_eq!((maker_remaining, taker_remaining, maker_account, taker_account), (6, 0, BOB, ALICE));
    assert_eq!(events.len(), 2, "a fully filled taker neither rests nor is cancelled");
    assert_eq!(e.order(OrderId(1)).unwrap().remaining_quantity, 6);
    e.check_invariants().unwrap();
}

#[test]
fn buy_yes_against_sell_yes_is_a_transfer() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 600_000, 10));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 600_000, 4));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 600_000, 4, FillKind::Transfer)]);
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    assert_eq!(balance(&e, ALICE), (START - 2_400_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(4, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (90 * DOLLAR + 2_400_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(0, 6, 10, 0));
    e.check_invariants().unwrap();
}

#[test]
fn buy_no_against_sell_no_is_a_transfer() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 10);
    // Sell NO at 0.30 bids YES at 0.70; buy NO at 0.30 asks YES at 0.70.
    rest(&mut e, sell_no(OrderId(1), BOB, BINARY, 300_000, 10));
    let events = place(&mut e, buy_no(OrderId(2), ALICE, BINARY, 300_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 700_000, 10, FillKind::Transfer)]);
    assert_eq!(balance(&e, ALICE), (START - 3 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 10, 0));
    assert_eq!(balance(&e, BOB), (90 * DOLLAR + 3 * DOLLAR, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(10, 0, 0, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn buy_yes_against_buy_no_mints_new_sets() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 400_000, 10));
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
    // Alice will pay up to 0.65 for NO, but the maker's 0.40 YES leaves NO at 0.60.
    let events = place(&mut e, buy_no(OrderId(2), ALICE, BINARY, 650_000, 10));
    assert_eq!(
        events[1],
        Event::Fill {
            trade: TradeId(1),
            market: BINARY,
            outcome: 0,
            yes_price_micros: 400_000,
            quantity: 10,
            kind: FillKind::Mint,
            maker_order: OrderId(1),
            maker_account: BOB,
            maker_side: Side::Yes,
            maker_action: Action::Buy,
            maker_fee_micros: 0,
            maker_remaining: 0,
            taker_order: OrderId(2),
            taker_account: ALICE,
            taker_side: Side::No,
            taker_action: Action::Buy,
            taker_fee_micros: 0,
            taker_remaining: 0,
        }
    );
    assert_eq!(events.len(), 2);
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    assert_eq!(balance(&e, ALICE), (START - 6 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 10, 0));
    assert_eq!(balance(&e, BOB), (START - 4 * DOLLAR, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(10, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn each_minted_contract_raises_the_backing_by_one_dollar() {
    let mut e = venue();
    rest(&mut e, buy_no(OrderId(1), BOB, BINARY, 700_000, 3));
    let events = place(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 300_000, 2));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 300_000, 2, FillKind::Mint)]);
    assert_eq!(e.market_backing_micros(BINARY), Some(2 * DOLLAR));
    let events = place(&mut e, buy_yes(OrderId(3), CAROL, BINARY, 300_000, 1));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(3), 300_000, 1, FillKind::Mint)]);
    assert_eq!(e.market_backing_micros(BINARY), Some(3 * DOLLAR));
    // Bob's reservation of 3 x 0.70 was spent exactly.
    assert_eq!(balance(&e, BOB), (START - 2_100_000, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(0, 0, 3, 0));
    e.check_invariants().unwrap();
}

#[test]
fn sell_yes_against_sell_no_merges_sets() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    split(&mut e, BOB, BINARY, None, 10);
    assert_eq!(e.market_backing_micros(BINARY), Some(20 * DOLLAR));
    rest(&mut e, sell_yes(OrderId(1), ALICE, BINARY, 700_000, 10));
    // A sell of NO at 0.30 bids YES at 0.70.
    let events = place(&mut e, sell_no(OrderId(2), BOB, BINARY, 300_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 700_000, 10, FillKind::Merge)]);
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR + 7 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 10, 0));
    assert_eq!(balance(&e, BOB), (90 * DOLLAR + 3 * DOLLAR, 0));
    assert_eq!(position(&e, BOB, BINARY, 0), pos(10, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_buyer_gets_the_best_ask_across_transfer_and_mint_paths() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 450_000, 5)); // YES ask 0.45
    rest(&mut e, buy_no(OrderId(2), CAROL, BINARY, 400_000, 5)); // YES ask 0.60
    assert_eq!(e.best_prices(BINARY, 0), (None, Some(450_000)));

    let events = place(&mut e, buy_yes(OrderId(3), ALICE, BINARY, 700_000, 10));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(1), OrderId(3), 450_000, 5, FillKind::Transfer),
            f(OrderId(2), OrderId(3), 600_000, 5, FillKind::Mint)
        ]
    );
    // 5 x 0.45 + 5 x 0.60 = 5.25.
    assert_eq!(balance(&e, ALICE), (START - 5_250_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(10, 0, 0, 0));
    assert_eq!(balance(&e, CAROL), (START - 2 * DOLLAR, 0));
    assert_eq!(position(&e, CAROL, BINARY, 0), pos(0, 0, 5, 0));
    assert_eq!(balance(&e, BOB), (95 * DOLLAR + 2_250_000, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn a_cheaper_mint_path_is_taken_before_a_dearer_transfer() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 450_000, 5)); // YES ask 0.45
    rest(&mut e, buy_no(OrderId(2), CAROL, BINARY, 600_000, 5)); // YES ask 0.40
    let events = place(&mut e, buy_yes(OrderId(3), ALICE, BINARY, 700_000, 10));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(3), 400_000, 5, FillKind::Mint),
            f(OrderId(1), OrderId(3), 450_000, 5, FillKind::Transfer)
        ]
    );
    assert_eq!(balance(&e, ALICE), (START - 4_250_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_seller_gets_the_best_bid_across_merge_and_transfer_paths() {
    let mut e = venue();
    split(&mut e, ALICE, BINARY, None, 10);
    split(&mut e, CAROL, BINARY, None, 5);
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 400_000, 5)); // YES bid 0.40
    rest(&mut e, sell_no(OrderId(2), CAROL, BINARY, 450_000, 5)); // YES bid 0.55
    let events = place(&mut e, sell_yes(OrderId(3), ALICE, BINARY, 300_000, 10));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(2), OrderId(3), 550_000, 5, FillKind::Merge),
            f(OrderId(1), OrderId(3), 400_000, 5, FillKind::Transfer)
        ]
    );
    // 5 x 0.55 + 5 x 0.40 = 4.75.
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR + 4_750_000, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 10, 0));
    assert_eq!(balance(&e, CAROL), (95 * DOLLAR + 2_250_000, 0));
    assert_eq!(position(&e, CAROL, BINARY, 0), pos(5, 0, 0, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn a_limit_that_does_not_reach_the_book_rests_without_trading() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 450_000, 5));
    rest(&mut e, buy_yes(OrderId(2), ALICE, BINARY, 440_000, 5));
    assert_eq!(e.best_prices(BINARY, 0), (Some(440_000), Some(450_000)));
    e.check_invariants().unwrap();
}

#[test]
fn a_partly_filled_limit_rests_its_remainder_at_its_own_price() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 3);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 450_000, 3));
    let order = buy_yes(OrderId(2), ALICE, BINARY, 500_000, 10);
    let events = place(&mut e, order);
    assert_eq!(
        events[2],
        Event::OrderRested {
            order: OrderId(2),
            book_side: BookSide::Bid,
            price_micros: 500_000,
            remaining_quantity: 7
        }
    );
    assert_eq!(balance(&e, ALICE), (START - 1_350_000 - 3_500_000, 3_500_000));
    assert_eq!(e.best_prices(BINARY, 0), (Some(500_000), None));
    e.check_invariants().unwrap();
}

#[test]
fn categorical_outcomes_have_separate_books() {
    let mut e = venue();
    let yes2 = limit(OrderId(1), ALICE, CATEGORICAL, 2, Side::Yes, Action::Buy, 300_000, 5);
    rest(&mut e, yes2);
    // A bid on outcome 1 does not meet outcome 2's book.
    rest(&mut e, limit(OrderId(2), BOB, CATEGORICAL, 1, Side::No, Action::Buy, 700_000, 5));
    assert_eq!(e.best_prices(CATEGORICAL, 1), (None, Some(300_000)));
    assert_eq!(e.best_prices(CATEGORICAL, 2), (Some(300_000), None));

    let events = place(&mut e, limit(OrderId(3), CAROL, CATEGORICAL, 2, Side::No, Action::Buy, 700_000, 5));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(3), 300_000, 5, FillKind::Mint)]);
    let Event::Fill { outcome, market, .. } = events[1] else { panic!("expected a fill") };
    assert_eq!((market, outcome), (CATEGORICAL, 2));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(5 * DOLLAR));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 2), pos(5, 0, 0, 0));
    assert_eq!(position(&e, CAROL, CATEGORICAL, 2), pos(0, 0, 5, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(0, 0, 0, 0));
    assert_eq!(position(&e, CAROL, CATEGORICAL, 1), pos(0, 0, 0, 0));
    assert_eq!(balance(&e, ALICE), (START - 1_500_000, 0));
    assert_eq!(balance(&e, CAROL), (START - 3_500_000, 0));
    e.check_invariants().unwrap();
}

#[test]
fn scalar_market_trades_like_a_binary_one_long_is_yes_short_is_no() {
    let mut e = venue();
    // Mint: LONG bid at 0.62 meets a SHORT buy at 0.38.
    rest(&mut e, buy_yes(OrderId(1), ALICE, SCALAR, 620_000, 10));
    let events = place(&mut e, buy_no(OrderId(2), BOB, SCALAR, 380_000, 10));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 620_000, 10, FillKind::Mint)]);
    assert_eq!(e.market_backing_micros(SCALAR), Some(10 * DOLLAR));
    assert_eq!(position(&e, ALICE, SCALAR, 0), pos(10, 0, 0, 0));
    assert_eq!(position(&e, BOB, SCALAR, 0), pos(0, 0, 10, 0));

    // Transfer: Alice sells 4 LONG to Carol.
    rest(&mut e, sell_yes(OrderId(3), ALICE, SCALAR, 650_000, 4));
    let events = place(&mut e, buy_yes(OrderId(4), CAROL, SCALAR, 660_000, 4));
    assert_eq!(fills(&events), vec![f(OrderId(3), OrderId(4), 650_000, 4, FillKind::Transfer)]);

    // Merge: Carol sells her LONG, Bob sells SHORT.
    rest(&mut e, sell_yes(OrderId(5), CAROL, SCALAR, 600_000, 4));
    let events = place(&mut e, sell_no(OrderId(6), BOB, SCALAR, 400_000, 4));
    assert_eq!(fills(&events), vec![f(OrderId(5), OrderId(6), 600_000, 4, FillKind::Merge)]);
    assert_eq!(e.market_backing_micros(SCALAR), Some(6 * DOLLAR));

    assert_eq!(balance(&e, ALICE), (START - 6_200_000 + 2_600_000, 0));
    assert_eq!(position(&e, ALICE, SCALAR, 0), pos(6, 0, 0, 0));
    assert_eq!(balance(&e, BOB), (START - 3_800_000 + 1_600_000, 0));
    assert_eq!(position(&e, BOB, SCALAR, 0), pos(0, 0, 6, 0));
    assert_eq!(balance(&e, CAROL), (START - 2_600_000 + 2_400_000, 0));
    assert_eq!(position(&e, CAROL, SCALAR, 0), pos(0, 0, 0, 0));
    // Scalar split and merge work like binary ones.
    split(&mut e, DAVE, SCALAR, None, 3);
    assert_eq!(position(&e, DAVE, SCALAR, 0), pos(3, 0, 3, 0));
    merge(&mut e, DAVE, SCALAR, Some(0), 3);
    assert_eq!(balance(&e, DAVE), (START, 0));
    assert_eq!(e.market_backing_micros(SCALAR), Some(6 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn a_finer_tick_grid_prices_exactly() {
    let mut e = engine();
    let spec = augury_core::MarketSpec { tick_micros: 100, ..binary_spec(MarketId(7)) };
    ok(&mut e, augury_core::Command::CreateMarket { spec });
    deposit(&mut e, ALICE, 10 * DOLLAR);
    deposit(&mut e, BOB, 10 * DOLLAR);
    rest(&mut e, buy_yes(OrderId(1), ALICE, MarketId(7), 123_400, 3));
    let events = place(&mut e, buy_no(OrderId(2), BOB, MarketId(7), 876_600, 3));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(2), 123_400, 3, FillKind::Mint)]);
    assert_eq!(balance(&e, ALICE), (10 * DOLLAR - 370_200, 0));
    assert_eq!(balance(&e, BOB), (10 * DOLLAR - 2_629_800, 0));
    assert_eq!(e.market_backing_micros(MarketId(7)), Some(3 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn time_priority_holds_across_paths_at_the_same_yes_price() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    // Both ask YES at 0.45: Carol's buy of NO at 0.55 arrives after Bob's sell of YES.
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 450_000, 5));
    rest(&mut e, buy_no(OrderId(2), CAROL, BINARY, 550_000, 5));
    assert_eq!(
        e.depth(BINARY, 0, BookSide::Ask, 5),
        vec![LevelView { yes_price_micros: 450_000, quantity: 10, orders: 2 }]
    );
    let events = place(&mut e, buy_yes(OrderId(3), ALICE, BINARY, 450_000, 7));
    assert_eq!(
        fills(&events),
        vec![
            f(OrderId(1), OrderId(3), 450_000, 5, FillKind::Transfer),
            f(OrderId(2), OrderId(3), 450_000, 2, FillKind::Mint)
        ]
    );
    assert_eq!(e.order(OrderId(2)).unwrap().remaining_quantity, 3);
    assert_eq!(balance(&e, CAROL), (START - 2_750_000, 1_650_000));
    assert_eq!(position(&e, CAROL, BINARY, 0), pos(0, 0, 2, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(7 * DOLLAR));
    e.check_invariants().unwrap();
}
