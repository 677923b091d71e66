//! Split, merge and categorical conversion: exact balances, positions and market backing.

mod common;

use augury_core::{Action, Command, Event, FillKind, MarketId, OrderId, Reject, Side};
use common::*;

#[test]
fn binary_split_and_merge_move_a_dollar_per_pair() {
    let mut e = venue();
    assert_eq!(
        split(&mut e, ALICE, BINARY, None, 10),
        vec![Event::SetsSplit { account: ALICE, market: BINARY, outcome: None, quantity: 10 }]
    );
    assert_eq!(balance(&e, ALICE), (90 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(10, 0, 10, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));

    assert_eq!(
        merge(&mut e, ALICE, BINARY, None, 4),
        vec![Event::SetsMerged { account: ALICE, market: BINARY, outcome: None, quantity: 4 }]
    );
    assert_eq!(balance(&e, ALICE), (94 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(6, 0, 6, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(6 * DOLLAR));

    // Naming outcome 0 of a binary market is the same pair.
    assert_eq!(
        split(&mut e, ALICE, BINARY, Some(0), 2),
        vec![Event::SetsSplit { account: ALICE, market: BINARY, outcome: Some(0), quantity: 2 }]
    );
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(8, 0, 8, 0));
    merge(&mut e, ALICE, BINARY, Some(0), 8);
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 0, 0));
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
    e.check_invariants().unwrap();
}

#[test]
fn merge_works_with_halves_bought_from_different_people() {
    let mut e = venue();
    split(&mut e, BOB, BINARY, None, 5);
    split(&mut e, CAROL, BINARY, None, 5);
    // Alice buys YES from Bob and NO from Carol, then merges them.
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 600_000, 5));
    rest(&mut e, sell_no(OrderId(2), CAROL, BINARY, 450_000, 5));
    place(&mut e, buy_yes(OrderId(3), ALICE, BINARY, 600_000, 5));
    place(&mut e, buy_no(OrderId(4), ALICE, BINARY, 450_000, 5));
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(5, 0, 5, 0));
    assert_eq!(balance(&e, ALICE), (START - 5_250_000, 0));
    merge(&mut e, ALICE, BINARY, None, 5);
    assert_eq!(balance(&e, ALICE), (START - 250_000, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(5 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn scalar_split_and_merge_are_long_short_pairs() {
    let mut e = venue();
    split(&mut e, ALICE, SCALAR, None, 7);
    assert_eq!(position(&e, ALICE, SCALAR, 0), pos(7, 0, 7, 0));
    assert_eq!(e.market_backing_micros(SCALAR), Some(7 * DOLLAR));
    merge(&mut e, ALICE, SCALAR, None, 7);
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.market_backing_micros(SCALAR), Some(0));
    e.check_invariants().unwrap();
}

#[test]
fn categorical_full_set_is_one_yes_of_every_outcome() {
    let mut e = venue();
    assert_eq!(
        split(&mut e, ALICE, CATEGORICAL, None, 5),
        vec![Event::SetsSplit { account: ALICE, market: CATEGORICAL, outcome: None, quantity: 5 }]
    );
    assert_eq!(balance(&e, ALICE), (95 * DOLLAR, 0));
    for outcome in 0..CATEGORICAL_OUTCOMES {
        assert_eq!(position(&e, ALICE, CATEGORICAL, outcome), pos(5, 0, 0, 0));
    }
    // A full set costs one dollar, not one per outcome.
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(5 * DOLLAR));

    merge(&mut e, ALICE, CATEGORICAL, None, 2);
    for outcome in 0..CATEGORICAL_OUTCOMES {
        assert_eq!(position(&e, ALICE, CATEGORICAL, outcome), pos(3, 0, 0, 0));
    }
    assert_eq!(balance(&e, ALICE), (97 * DOLLAR, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(3 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn categorical_pair_is_yes_and_no_of_one_outcome() {
    let mut e = venue();
    split(&mut e, ALICE, CATEGORICAL, Some(1), 4);
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(0, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 1), pos(4, 0, 4, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 2), pos(0, 0, 0, 0));
    assert_eq!(balance(&e, ALICE), (96 * DOLLAR, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(4 * DOLLAR));
    // Holding one outcome's pair is not a full set.
    assert_eq!(
        refused(&mut e, Command::Merge { account: ALICE, market: CATEGORICAL, outcome: None, quantity: 1 }),
        Reject::InsufficientShares { needed: 1, available: 0 }
    );
    merge(&mut e, ALICE, CATEGORICAL, Some(1), 4);
    assert_eq!(position(&e, ALICE, CATEGORICAL, 1), pos(0, 0, 0, 0));
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(0));
    e.check_invariants().unwrap();
}

#[test]
fn full_sets_and_pairs_combine() {
    let mut e = venue();
    split(&mut e, ALICE, CATEGORICAL, None, 3);
    split(&mut e, ALICE, CATEGORICAL, Some(0), 2);
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(5, 0, 2, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(5 * DOLLAR));
    // The pair can be merged out of YES that came from the full set.
    merge(&mut e, ALICE, CATEGORICAL, Some(0), 2);
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(3, 0, 0, 0));
    merge(&mut e, ALICE, CATEGORICAL, None, 3);
    for outcome in 0..CATEGORICAL_OUTCOMES {
        assert_eq!(position(&e, ALICE, CATEGORICAL, outcome), pos(0, 0, 0, 0));
    }
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(0));
    e.check_invariants().unwrap();
}

#[test]
fn convert_no_of_two_outcomes_into_yes_of_the_third_plus_a_dollar() {
    let mut e = venue();
    split(&mut e, ALICE, CATEGORICAL, Some(0), 3);
    split(&mut e, ALICE, CATEGORICAL, Some(1), 3);
    assert_eq!(balance(&e, ALICE), (94 * DOLLAR, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(6 * DOLLAR));

    let events = ok(&mut e, Command::Convert { account: ALICE, market: CATEGORICAL, outcomes: 0b011, quantity: 3 });
    assert_eq!(
        events,
        vec![Event::Converted {
            account: ALICE,
            market: CATEGORICAL,
            outcomes: 0b011,
            quantity: 3,
            collateral_micros: 3 * DOLLAR,
        }]
    );
    // k = 2: 3 x (2 - 1) dollars back; NO of 0 and 1 gone, YES of 2 received.
    assert_eq!(balance(&e, ALICE), (97 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(3, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 1), pos(3, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 2), pos(3, 0, 0, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(3 * DOLLAR));
    e.check_invariants().unwrap();

    // What is left is exactly 3 full sets.
    merge(&mut e, ALICE, CATEGORICAL, None, 3);
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(0));
    e.check_invariants().unwrap();
}

#[test]
fn convert_one_no_gives_yes_of_the_others_and_no_collateral() {
    let mut e = venue();
    split(&mut e, ALICE, CATEGORICAL, Some(2), 2);
    let events = ok(&mut e, Command::Convert { account: ALICE, market: CATEGORICAL, outcomes: 0b100, quantity: 2 });
    assert_eq!(
        events,
        vec![Event::Converted {
            account: ALICE,
            market: CATEGORICAL,
            outcomes: 0b100,
            quantity: 2,
            collateral_micros: 0,
        }]
    );
    assert_eq!(balance(&e, ALICE), (98 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(2, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 1), pos(2, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 2), pos(2, 0, 0, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(2 * DOLLAR));
    merge(&mut e, ALICE, CATEGORICAL, None, 2);
    assert_eq!(balance(&e, ALICE), (START, 0));
    e.check_invariants().unwrap();
}

#[test]
fn convert_no_of_every_outcome_pays_n_minus_one_dollars() {
    let mut e = venue();
    for outcome in 0..CATEGORICAL_OUTCOMES {
        split(&mut e, ALICE, CATEGORICAL, Some(outcome), 1);
    }
    assert_eq!(balance(&e, ALICE), (97 * DOLLAR, 0));
    let events = ok(&mut e, Command::Convert { account: ALICE, market: CATEGORICAL, outcomes: 0b111, quantity: 1 });
    assert!(matches!(events[..], [Event::Converted { collateral_micros: 2_000_000, .. }]));
    assert_eq!(balance(&e, ALICE), (99 * DOLLAR, 0));
    for outcome in 0..CATEGORICAL_OUTCOMES {
        assert_eq!(position(&e, ALICE, CATEGORICAL, outcome), pos(1, 0, 0, 0));
    }
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn convert_no_bought_on_the_book() {
    let mut e = venue();
    // Bob and Carol mint NO for Alice on outcomes 0 and 1 (they buy YES at 0.30 and 0.20).
    rest(&mut e, limit(OrderId(1), BOB, CATEGORICAL, 0, Side::Yes, Action::Buy, 300_000, 4));
    rest(&mut e, limit(OrderId(2), CAROL, CATEGORICAL, 1, Side::Yes, Action::Buy, 200_000, 4));
    let events = place(&mut e, limit(OrderId(3), ALICE, CATEGORICAL, 0, Side::No, Action::Buy, 700_000, 4));
    assert_eq!(fills(&events), vec![f(OrderId(1), OrderId(3), 300_000, 4, FillKind::Mint)]);
    let events = place(&mut e, limit(OrderId(4), ALICE, CATEGORICAL, 1, Side::No, Action::Buy, 800_000, 4));
    assert_eq!(fills(&events), vec![f(OrderId(2), OrderId(4), 200_000, 4, FillKind::Mint)]);
    assert_eq!(balance(&e, ALICE), (START - 2_800_000 - 3_200_000, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(8 * DOLLAR));

    ok(&mut e, Command::Convert { account: ALICE, market: CATEGORICAL, outcomes: 0b011, quantity: 4 });
    assert_eq!(balance(&e, ALICE), (START - 6 * DOLLAR + 4 * DOLLAR, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(0, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 1), pos(0, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 2), pos(4, 0, 0, 0));
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(4 * DOLLAR));
    e.check_invariants().unwrap();
}

#[test]
fn reserved_no_cannot_be_converted() {
    let mut e = venue();
    split(&mut e, ALICE, CATEGORICAL, Some(0), 2);
    rest(&mut e, limit(OrderId(1), ALICE, CATEGORICAL, 0, Side::No, Action::Sell, 900_000, 2));
    assert_eq!(
        refused(&mut e, Command::Convert { account: ALICE, market: CATEGORICAL, outcomes: 0b001, quantity: 2 }),
        Reject::InsufficientShares { needed: 2, available: 0 }
    );
    cancel(&mut e, ALICE, OrderId(1));
    ok(&mut e, Command::Convert { account: ALICE, market: CATEGORICAL, outcomes: 0b001, quantity: 2 });
    assert_eq!(position(&e, ALICE, CATEGORICAL, 0), pos(2, 0, 0, 0));
    assert_eq!(position(&e, ALICE, CATEGORICAL, 1), pos(2, 0, 0, 0));
    e.check_invariants().unwrap();
}

#[test]
fn a_sixty_four_outcome_market_converts_with_the_full_mask() {
    let mut e = engine();
    ok(&mut e, Command::CreateMarket { spec: categorical_spec(MarketId(64), 64) });
    deposit(&mut e, ALICE, START);
    for outcome in 0..64 {
        split(&mut e, ALICE, MarketId(64), Some(outcome), 1);
    }
    assert_eq!(balance(&e, ALICE), (START - 64 * DOLLAR, 0));
    let events = ok(&mut e, Command::Convert { account: ALICE, market: MarketId(64), outcomes: u64::MAX, quantity: 1 });
    assert!(matches!(events[..], [Event::Converted { collateral_micros: 63_000_000, .. }]));
    assert_eq!(balance(&e, ALICE), (START - DOLLAR, 0));
    assert_eq!(e.market_backing_micros(MarketId(64)), Some(DOLLAR));
    // The highest outcome alone (bit 63).
    split(&mut e, ALICE, MarketId(64), Some(63), 1);
    ok(&mut e, Command::Convert { account: ALICE, market: MarketId(64), outcomes: 1 << 63, quantity: 1 });
    assert_eq!(position(&e, ALICE, MarketId(64), 0), pos(2, 0, 0, 0));
    assert_eq!(position(&e, ALICE, MarketId(64), 63), pos(2, 0, 0, 0));
    merge(&mut e, ALICE, MarketId(64), None, 2);
    assert_eq!(balance(&e, ALICE), (START, 0));
    assert_eq!(e.market_backing_micros(MarketId(64)), Some(0));
    e.check_invariants().unwrap();
}

#[test]
fn split_needs_free_collateral() {
    let mut e = venue();
    rest(&mut e, buy_yes(OrderId(1), ALICE, BINARY, 500_000, 190));
    assert_eq!(balance(&e, ALICE), (5 * DOLLAR, 95 * DOLLAR));
    assert_eq!(
        refused(&mut e, Command::Split { account: ALICE, market: CATEGORICAL, outcome: None, quantity: 6 }),
        Reject::InsufficientFunds { needed_micros: 6 * DOLLAR, available_micros: 5 * DOLLAR }
    );
    split(&mut e, ALICE, CATEGORICAL, None, 5);
    assert_eq!(balance(&e, ALICE), (0, 95 * DOLLAR));
    e.check_invariants().unwrap();
}
