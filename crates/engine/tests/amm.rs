//! The LMSR market maker: funding, trading beside the book (the taker gets the better of book and
//! market maker level by level), every kind of trade on binary and categorical markets, integer
//! rounding in its favour, fees, fill-or-kill, post-only, market buys with a cap, and its
//! close-out at settlement.
// Test arithmetic on small, known values: casts cannot truncate here.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

mod common;

use augury_core::{
    AccountId, Action, Command, Event, FillKind, MarketId, Micros, NewOrder, OrderId, Reject, Resolution,
    SelfTradePrevention, Side, QUANTITY_MAX,
};
use augury_engine::{AmmQuote, Engine, QuoteRefusal};
use common::*;

const OPERATOR: AccountId = AccountId(500);
const FUNDS: Micros = 10_000 * DOLLAR;

/// The venue with a funded operator.
fn amm_venue() -> Engine {
    let mut e = venue();
    deposit(&mut e, OPERATOR, FUNDS);
    e
}

fn enable(e: &mut Engine, market: MarketId, liquidity_micros: Micros) -> Micros {
    let events = ok(e, Command::EnableAmm { market, operator: OPERATOR, liquidity_micros });
    let [Event::AmmEnabled { funded_micros, .. }] = events[..] else { panic!("{events:?}") };
    funded_micros
}

/// The LMSR cost function straight from its definition, in dollars (q = contracts sold).
fn cost(b: f64, q: &[f64]) -> f64 {
    let m = q.iter().cloned().fold(f64::MIN, f64::max);
    m + b * q.iter().map(|x| ((x - m) / b).exp()).sum::<f64>().ln()
}

/// (fills with the book, AMM fills) of an order's events, as (price or value, quantity).
fn amm_fills(events: &[Event]) -> Vec<(Micros, u64)> {
    events
        .iter()
        .filter_map(|event| match *event {
            Event::AmmFill { value_micros, quantity, .. } => Some((value_micros, quantity)),
            _ => None,
        })
        .collect()
}

/// The order in which an order traded: 'A' for the market maker, 'B' for the book.
fn sources(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|event| match event {
            Event::AmmFill { .. } => Some('A'),
            Event::Fill { .. } => Some('B'),
            _ => None,
        })
        .collect()
}

#[test]
fn funding_reserves_the_worst_case_loss() {
    let mut e = amm_venue();
    // b = $100: b ln 2 = 69.314718... dollars, rounded up to the micro.
    let funded = enable(&mut e, BINARY, 100 * DOLLAR);
    assert_eq!(funded, 69_314_719);
    assert_eq!(available(&e, OPERATOR), FUNDS - funded);
    let view = e.amm(BINARY).unwrap();
    assert_eq!((view.cash_micros, view.funded_micros, view.claims.clone()), (funded, funded, vec![0, 0]));
    assert!((view.yes_prices[0] - 0.5).abs() < 1e-15);
    // A categorical market of three: b ln 3.
    let funded = enable(&mut e, CATEGORICAL, 100 * DOLLAR);
    assert_eq!(funded, (100.0 * 3f64.ln() * 1e6).ceil() as u64);
    assert_eq!(e.amm(CATEGORICAL).unwrap().yes_prices.len(), 3);

    assert_eq!(
        refused(&mut e, Command::EnableAmm { market: BINARY, operator: OPERATOR, liquidity_micros: DOLLAR }),
        Reject::AmmAlreadyEnabled { market: BINARY }
    );
    assert_eq!(
        refused(&mut e, Command::EnableAmm { market: SCALAR, operator: OPERATOR, liquidity_micros: DOLLAR - 1 }),
        Reject::InvalidLiquidity { reason: "liquidity must be between $1 and $10,000,000" }
    );
    assert_eq!(
        refused(&mut e, Command::EnableAmm { market: SCALAR, operator: AccountId(77), liquidity_micros: DOLLAR }),
        Reject::UnknownAccount { account: AccountId(77) }
    );
    assert_eq!(
        refused(&mut e, Command::EnableAmm { market: SCALAR, operator: ALICE, liquidity_micros: 1_000 * DOLLAR }),
        Reject::InsufficientFunds { needed_micros: 693_147_181, available_micros: START }
    );
    assert_eq!(
        refused(&mut e, Command::EnableAmm { market: MarketId(99), operator: OPERATOR, liquidity_micros: DOLLAR }),
        Reject::UnknownMarket { market: MarketId(99) }
    );
    ok(&mut e, Command::CloseMarket { market: SCALAR });
    assert_eq!(
        refused(&mut e, Command::EnableAmm { market: SCALAR, operator: OPERATOR, liquidity_micros: DOLLAR }),
        Reject::WrongMarketStatus { market: SCALAR, status: augury_core::MarketStatus::Closed }
    );
}

#[test]
fn a_taker_buys_from_the_market_maker_at_the_lmsr_cost_rounded_up() {
    let mut e = amm_venue();
    let b = 100.0;
    enable(&mut e, BINARY, 100 * DOLLAR);
    let quote = e.amm_quote(BINARY, 0, Side::Yes, Action::Buy, 10).unwrap();
    let events = place(&mut e, ioc(buy_yes(OrderId(1), ALICE, BINARY, 990_000, 10)));
    let exact = (cost(b, &[10.0, 0.0]) - cost(b, &[0.0, 0.0])) * 1e6;
    let [(value, 10)] = amm_fills(&events)[..] else { panic!("{events:?}") };
    assert_eq!((value, 10, 0), (quote.value_micros, quote.quantity, quote.fee_micros));
    assert!(value as f64 >= exact && (value as f64) < exact + 1.0, "{value} vs {exact}");
    assert_eq!(available(&e, ALICE), START - value);
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(10, 0, 0, 0));
    // The market maker minted 10 pairs and keeps the 10 NO.
    let view = e.amm(BINARY).unwrap();
    assert_eq!(view.claims, vec![0, 10]);
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
    let closed_form = 1.0 / (1.0 + (-10.0f64 / b).exp());
    assert!((view.yes_prices[0] - closed_form).abs() < 1e-12);

    // Selling them back brings the cost difference rounded down: never more than was paid.
    let events = place(&mut e, ioc(sell_yes(OrderId(2), ALICE, BINARY, 10_000, 10)));
    let [(back, 10)] = amm_fills(&events)[..] else { panic!("{events:?}") };
    assert!(back <= value && back + 1 >= value, "{back} vs {value}");
    assert_eq!(e.amm(BINARY).unwrap().claims, vec![0, 0]);
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
}

#[test]
fn the_taker_gets_the_better_of_book_and_market_maker_level_by_level() {
    let mut e = amm_venue();
    enable(&mut e, BINARY, 20 * DOLLAR);
    split(&mut e, BOB, BINARY, None, 20);
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 520_000, 3));
    rest(&mut e, sell_yes(OrderId(2), BOB, BINARY, 600_000, 3));
    let events = place(&mut e, buy_yes(OrderId(3), ALICE, BINARY, 650_000, 40));
    // The market maker sells up to 0.52, then the book at 0.52, the market maker up to 0.60, the
    // book at 0.60, the market maker up to the limit; the rest rests.
    assert_eq!(sources(&events), "ABABA");
    let book = fills(&events);
    assert_eq!(
        book,
        vec![
            f(OrderId(1), OrderId(3), 520_000, 3, FillKind::Transfer),
            f(OrderId(2), OrderId(3), 600_000, 3, FillKind::Transfer)
        ]
    );
    let amm = amm_fills(&events);
    for (value, quantity) in &amm {
        assert!(*value <= quantity * 650_000);
    }
    // Each market-maker chunk costs less per contract than the book level after it.
    assert!(amm[0].0 < amm[0].1 * 520_000);
    assert!(amm[1].0 < amm[1].1 * 600_000);
    // The market maker's price ends at or just below the limit; the next contract would cost more.
    let price = e.amm(BINARY).unwrap().yes_prices[0];
    assert!(price <= 0.65 + 1e-9, "{price}");
    let next = e.amm_quote(BINARY, 0, Side::Yes, Action::Buy, 1).unwrap();
    assert!(next.quantity == 1 && next.value_micros > 650_000 - 20_000, "{next:?}");
    let filled: u64 = amm.iter().map(|(_, q)| q).sum::<u64>() + 6;
    let rested = events.iter().find_map(|event| match *event {
        Event::OrderRested { remaining_quantity, .. } => Some(remaining_quantity),
        _ => None,
    });
    assert_eq!(rested, Some(40 - filled));
}

#[test]
fn at_an_equal_price_the_book_goes_first() {
    let mut e = amm_venue();
    enable(&mut e, BINARY, 20 * DOLLAR);
    split(&mut e, BOB, BINARY, None, 5);
    // The market maker's first contract costs more than 0.50, so the book's 0.50 trades first.
    rest(&mut e, sell_yes(OrderId(1), BOB, BINARY, 500_000, 2));
    let events = place(&mut e, ioc(buy_yes(OrderId(2), ALICE, BINARY, 500_000, 5)));
    assert_eq!(sources(&events), "B");
    assert_eq!(e.amm(BINARY).unwrap().claims, vec![0, 0]);
}

#[test]
fn every_way_of_trading_with_the_market_maker_on_a_binary_market() {
    let mut e = amm_venue();
    enable(&mut e, BINARY, 50 * DOLLAR);
    split(&mut e, ALICE, BINARY, None, 30);
    // Sell YES (the market maker buys YES: it holds YES), sell NO (it now holds both: merges),
    // buy NO (from its YES... no: it holds none, so it mints), buy YES.
    for (id, side, action) in [
        (1, Side::Yes, Action::Sell),
        (2, Side::No, Action::Sell),
        (3, Side::No, Action::Buy),
        (4, Side::Yes, Action::Buy),
        (5, Side::No, Action::Sell),
    ] {
        let price = match action {
            Action::Buy => 990_000,
            Action::Sell => 10_000,
        };
        let before = e.amm_quote(BINARY, 0, side, action, 7).unwrap();
        let events = place(&mut e, ioc(limit(OrderId(id), ALICE, BINARY, 0, side, action, price, 7)));
        assert_eq!(amm_fills(&events), vec![(before.value_micros, before.quantity)], "order {id}");
        assert_eq!(before.quantity, 7);
        let view = e.amm(BINARY).unwrap();
        assert!(view.claims.contains(&0), "the market maker holds a full set: {:?}", view.claims);
    }
    // The market maker's value in each outcome never fell below its funding less b ln 2.
    let view = e.amm(BINARY).unwrap();
    let floor = view.funded_micros as f64 - 50.0 * 2f64.ln() * 1e6;
    for held in &view.claims {
        assert!((view.cash_micros + held * DOLLAR) as f64 >= floor);
    }
}

#[test]
fn categorical_trades_go_through_claims_and_prices_sum_to_one() {
    let mut e = amm_venue();
    enable(&mut e, CATEGORICAL, 30 * DOLLAR);
    split(&mut e, BOB, CATEGORICAL, None, 10);
    for outcome in 0..CATEGORICAL_OUTCOMES {
        split(&mut e, BOB, CATEGORICAL, Some(outcome), 10);
    }
    let trades = [
        (0, Side::Yes, Action::Buy),
        (1, Side::No, Action::Buy),
        (2, Side::No, Action::Sell),
        (0, Side::Yes, Action::Sell),
        (1, Side::Yes, Action::Buy),
        (2, Side::No, Action::Buy),
        (1, Side::No, Action::Sell),
    ];
    for (id, (outcome, side, action)) in trades.into_iter().enumerate() {
        let price = match action {
            Action::Buy => 990_000,
            Action::Sell => 10_000,
        };
        let quote = e.amm_quote(CATEGORICAL, outcome, side, action, 4).unwrap();
        let order = limit(OrderId(id as u64 + 1), BOB, CATEGORICAL, outcome, side, action, price, 4);
        let events = place(&mut e, ioc(order));
        assert_eq!(amm_fills(&events), vec![(quote.value_micros, quote.quantity)], "{outcome} {side:?} {action:?}");
        assert_eq!(quote.quantity, 4);
        let view = e.amm(CATEGORICAL).unwrap();
        let total: f64 = view.yes_prices.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "prices sum to {total}");
        assert!(view.claims.contains(&0));
    }
    // Settle: the market maker's claims are paid like anyone's and its cash goes back.
    let operator_before = available(&e, OPERATOR);
    let view = e.amm(CATEGORICAL).unwrap();
    let events =
        ok(&mut e, Command::ResolveMarket { market: CATEGORICAL, resolution: Resolution::Outcome { outcome: 1 } });
    let returned = view.cash_micros + view.claims[1] * DOLLAR;
    assert_eq!(
        events.last(),
        Some(&Event::AmmClosed { market: CATEGORICAL, operator: OPERATOR, returned_micros: returned })
    );
    assert_eq!(available(&e, OPERATOR), operator_before + returned);
    assert!(e.amm(CATEGORICAL).is_none());
    // Everyone else redeems; the market ends empty.
    ok(&mut e, Command::Redeem { account: BOB, market: CATEGORICAL });
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(0));
}

#[test]
fn fees_apply_to_market_maker_trades() {
    let mut e = amm_venue();
    enable(&mut e, FEE_MARKET, 100 * DOLLAR);
    let fee_before = available(&e, FEE_ACCOUNT);
    let events = place(&mut e, ioc(buy_yes(OrderId(1), ALICE, FEE_MARKET, 700_000, 20)));
    let Some(Event::AmmFill { value_micros, taker_fee_micros, quantity, .. }) =
        events.iter().find(|event| matches!(event, Event::AmmFill { .. })).copied()
    else {
        panic!("{events:?}")
    };
    let average = value_micros.div_ceil(quantity);
    assert_eq!(taker_fee_micros, taker_fee(quantity, average));
    assert!(taker_fee_micros > 0);
    assert_eq!(available(&e, FEE_ACCOUNT), fee_before + taker_fee_micros);
    assert_eq!(available(&e, ALICE), START - value_micros - taker_fee_micros);
}

#[test]
fn market_buys_respect_their_cap_and_fill_or_kill_counts_the_market_maker() {
    let mut e = amm_venue();
    enable(&mut e, BINARY, 10 * DOLLAR);
    let events =
        place(&mut e, market_order(OrderId(1), ALICE, BINARY, Side::Yes, Action::Buy, 1_000, Some(3 * DOLLAR)));
    let spent: u64 = amm_fills(&events).iter().map(|(v, _)| v).sum();
    assert!(spent <= 3 * DOLLAR && spent > 2 * DOLLAR, "{spent}");
    assert_eq!(cancels(&events).last().map(|c| c.2), Some(augury_core::CancelReason::CostCap));
    assert_eq!(available(&e, ALICE), START - spent);

    // Fill-or-kill: the market maker alone cannot sell 30 below 0.80 (b = $10), so it is killed
    // and nothing changes; with the book's help it fills whole.
    let units = (0..200)
        .find(|&q| e.amm_quote(BINARY, 0, Side::Yes, Action::Buy, q + 1).unwrap().value_micros > (q + 1) * 800_000);
    assert!(units.is_some());
    let before = e.state_hash();
    let events = place(&mut e, fok(buy_yes(OrderId(2), BOB, BINARY, 800_000, 40)));
    assert_eq!(cancels(&events), vec![(2, 40, augury_core::CancelReason::FillOrKill)]);
    assert!(amm_fills(&events).is_empty());
    let _ = before;
    split(&mut e, CAROL, BINARY, None, 40);
    rest(&mut e, sell_yes(OrderId(3), CAROL, BINARY, 790_000, 40));
    let events = place(&mut e, fok(buy_yes(OrderId(4), BOB, BINARY, 800_000, 40)));
    let traded: u64 =
        amm_fills(&events).iter().map(|(_, q)| q).sum::<u64>() + fills(&events).iter().map(|x| x.quantity).sum::<u64>();
    assert_eq!(traded, 40);
}

#[test]
fn post_only_orders_that_would_trade_with_the_market_maker_are_refused() {
    let mut e = amm_venue();
    enable(&mut e, BINARY, 10 * DOLLAR);
    assert_eq!(
        refused(&mut e, Command::PlaceOrder { order: post_only(buy_yes(OrderId(1), ALICE, BINARY, 600_000, 1)) }),
        Reject::PostOnlyWouldCross
    );
    rest(&mut e, post_only(buy_yes(OrderId(2), ALICE, BINARY, 400_000, 1)));
    assert_eq!(
        refused(
            &mut e,
            Command::AmendOrder {
                account: ALICE,
                order: OrderId(2),
                price_micros: Some(700_000),
                remaining_quantity: None
            }
        ),
        Reject::PostOnlyWouldCross
    );
    // An ordinary order amended across the market maker's price trades with it at once.
    rest(&mut e, stp(buy_yes(OrderId(3), ALICE, BINARY, 300_000, 1), SelfTradePrevention::CancelMaker));
    let events = amend(&mut e, ALICE, OrderId(3), Some(700_000), None);
    assert_eq!(sources(&events), "A");
    assert!(e.order(OrderId(3)).is_none());
}

#[test]
fn the_operator_gets_back_cash_and_claims_and_loses_at_most_the_reserve() {
    let mut e = amm_venue();
    let b = 25.0;
    let funded = enable(&mut e, BINARY, 25 * DOLLAR);
    // Everyone buys YES as far as 0.99: the market maker's worst case if YES wins.
    for (id, account) in TRADERS.into_iter().enumerate() {
        place(&mut e, ioc(buy_yes(OrderId(id as u64 + 1), account, BINARY, 990_000, 100)));
    }
    let view = e.amm(BINARY).unwrap();
    assert!(view.yes_prices[0] > 0.98);
    let operator_before = available(&e, OPERATOR);
    let events = ok(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::Yes });
    let Some(&Event::AmmClosed { returned_micros, .. }) = events.last() else { panic!("{events:?}") };
    assert_eq!(available(&e, OPERATOR), operator_before + returned_micros);
    let loss = funded - returned_micros;
    assert!(loss as f64 <= b * 2f64.ln() * 1e6 + 1.0, "lost {loss} of {funded}");
    // The LMSR's exact loss here is q_yes - (C(q) - C(0)); rounding only helped the market maker.
    let sold = view.claims[1] as f64;
    let exact_loss = (sold - (cost(b, &[sold, 0.0]) - cost(b, &[0.0, 0.0]))) * 1e6;
    assert!(loss as f64 <= exact_loss + 1e-6, "{loss} vs {exact_loss}");
    for account in TRADERS {
        if position(&e, account, BINARY, 0).yes > 0 {
            ok(&mut e, Command::Redeem { account, market: BINARY });
        }
    }
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
}

/// Quotes a market order for `quantity`, places it, and checks it got exactly what was quoted
/// (the book is empty, so only the market maker trades).
#[allow(clippy::too_many_arguments)]
fn quote_then_trade(
    e: &mut Engine,
    id: u64,
    market: u32,
    outcome: u16,
    side: Side,
    action: Action,
    quantity: u64,
) -> AmmQuote {
    let quote = e.amm_quote(MarketId(market), outcome, side, action, quantity).unwrap();
    let order =
        NewOrder { outcome, ..market_order(OrderId(id), ALICE, MarketId(market), side, action, quantity, None) };
    let events = place(e, order);
    assert!(fills(&events).is_empty(), "{events:?}");
    let (mut filled, mut value, mut fee) = (0, 0, 0);
    for event in &events {
        if let Event::AmmFill { quantity, value_micros, taker_fee_micros, .. } = *event {
            filled += quantity;
            value += value_micros;
            fee += taker_fee_micros;
        }
    }
    assert_eq!(
        (quote.quantity, quote.value_micros, quote.fee_micros),
        (filled, value, fee),
        "market {market} outcome {outcome}: {side:?} {action:?} {quantity}"
    );
    quote
}

#[test]
fn the_quote_is_exactly_what_a_market_order_gets_in_the_middle_and_at_the_grids_edge() {
    let mut e = amm_venue();
    deposit(&mut e, ALICE, 100_000 * DOLLAR);
    // b = $10: from 0.50 the price reaches the grid's last tick (0.99) after about 46 contracts.
    for market in [BINARY, FEE_MARKET, CATEGORICAL] {
        enable(&mut e, market, 10 * DOLLAR);
        split(&mut e, ALICE, market, None, 300);
    }
    for outcome in 0..CATEGORICAL_OUTCOMES {
        split(&mut e, ALICE, CATEGORICAL, Some(outcome), 300);
    }
    let steps = [
        (Side::Yes, Action::Buy, 3),
        (Side::Yes, Action::Buy, 20),
        (Side::Yes, Action::Buy, 15),
        (Side::Yes, Action::Buy, 9),
        (Side::Yes, Action::Buy, 4),
        (Side::Yes, Action::Buy, 2),
        (Side::Yes, Action::Sell, 1),
        (Side::No, Action::Buy, 1),
        (Side::No, Action::Buy, 60),
        (Side::No, Action::Buy, 40),
        (Side::No, Action::Buy, 5),
        (Side::Yes, Action::Sell, 150),
        (Side::No, Action::Sell, 30),
        (Side::Yes, Action::Buy, 70),
        (Side::No, Action::Sell, 200),
    ];
    let mut id = 0;
    let (mut whole, mut partial, mut none) = (0, 0, 0);
    for (market, outcome) in [(BINARY, 0), (FEE_MARKET, 0), (CATEGORICAL, 0), (CATEGORICAL, 2)] {
        for (side, action, quantity) in steps {
            id += 1;
            let quote = quote_then_trade(&mut e, id, market.get(), outcome, side, action, quantity);
            match quote.quantity {
                0 => none += 1,
                q if q == quantity => whole += 1,
                _ => partial += 1,
            }
            if market == FEE_MARKET && quote.quantity > 0 {
                assert!(quote.fee_micros > 0, "{quote:?}");
            }
        }
    }
    // The grid covered the middle (whole fills), the edge (partial) and past it (nothing).
    assert!(whole > 0 && partial > 0 && none > 0, "{whole} whole, {partial} partial, {none} none");
}

#[test]
fn there_is_no_quote_where_a_market_order_would_be_refused_or_without_a_market_maker() {
    let mut e = amm_venue();
    enable(&mut e, BINARY, 10 * DOLLAR);
    let quote = |e: &Engine, market, outcome, quantity| e.amm_quote(market, outcome, Side::Yes, Action::Buy, quantity);
    assert!(quote(&e, BINARY, 0, 1).is_ok());
    assert_eq!(
        quote(&e, MarketId(99), 0, 1),
        Err(QuoteRefusal::Refused(Reject::UnknownMarket { market: MarketId(99) }))
    );
    assert_eq!(
        quote(&e, BINARY, 1, 1),
        Err(QuoteRefusal::Refused(Reject::UnknownOutcome { market: BINARY, outcome: 1 }))
    );
    assert_eq!(quote(&e, BINARY, 0, 0), Err(QuoteRefusal::Refused(Reject::QuantityNotPositive)));
    assert_eq!(
        quote(&e, BINARY, 0, QUANTITY_MAX + 1),
        Err(QuoteRefusal::Refused(Reject::QuantityTooLarge { quantity: QUANTITY_MAX + 1, max: QUANTITY_MAX }))
    );
    assert_eq!(quote(&e, SCALAR, 0, 1), Err(QuoteRefusal::NoMarketMaker { market: SCALAR }));
    // Closed, the market maker still holds its claims until settlement, but trades no more.
    ok(&mut e, Command::CloseMarket { market: BINARY });
    assert!(e.amm(BINARY).is_some());
    assert_eq!(quote(&e, BINARY, 0, 1), Err(QuoteRefusal::Refused(Reject::MarketNotOpen { market: BINARY })));
    ok(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::Yes });
    assert_eq!(quote(&e, BINARY, 0, 1), Err(QuoteRefusal::Refused(Reject::MarketNotOpen { market: BINARY })));
}

#[test]
fn the_prices_of_a_market_maker_follow_from_its_claims() {
    let mut e = amm_venue();
    enable(&mut e, CATEGORICAL, 30 * DOLLAR);
    place(&mut e, ioc(limit(OrderId(1), ALICE, CATEGORICAL, 1, Side::Yes, Action::Buy, 990_000, 12)));
    let view = e.amm(CATEGORICAL).unwrap();
    let spec = e.market_spec(CATEGORICAL).unwrap();
    assert_eq!(augury_engine::amm_yes_prices(&spec.kind, view.liquidity_micros, &view.claims), view.yes_prices);
    let binary = e.market_spec(BINARY).unwrap();
    assert_eq!(augury_engine::amm_yes_prices(&binary.kind, 30 * DOLLAR, &[0, 0]), vec![0.5]);
    assert!(augury_engine::amm_yes_prices(&binary.kind, 30 * DOLLAR, &[0, 0, 0]).is_empty());
}
