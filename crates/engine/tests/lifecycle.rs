//! A market's whole life: closing (by time and early), rule-based resolution from index values,
//! the optimistic oracle (undisputed, dispute upheld, dispute rejected), direct resolution,
//! settlement of every market kind (binary, categorical, scalar at floor, cap and middle,
//! invalid), redemption, and every refusal on the way.

mod common;

use augury_core::{
    AccountId, Command, Comparison, Event, MarketId, MarketStatus, Micros, OracleConfig, OrderId, Payout, Reject,
    Resolution, ResolutionRule, ResolutionSource, RuleMap, Side,
};
use augury_engine::Engine;
use common::*;

const ARBITERS: [AccountId; 3] = [AccountId(51), AccountId(52), AccountId(53)];
const BOND: Micros = 10 * DOLLAR;
const LIVENESS_MS: u64 = 1_000;
/// 10% of a lost bond goes to the venue.
const DISPUTE_FEE_PPM: u32 = 100_000;

fn oracle() -> OracleConfig {
    OracleConfig { liveness_ms: LIVENESS_MS, min_bond_micros: BOND, quorum: 2, dispute_fee_ppm: DISPUTE_FEE_PPM }
}

/// The common venue with an oracle configured: $10 bonds, 1 s liveness, 2 of 3 arbiters.
fn oracle_venue() -> Engine {
    let mut e = venue();
    let events = ok(&mut e, Command::ConfigureOracle { config: oracle() });
    assert_eq!(events, vec![Event::OracleConfigured { config: oracle() }]);
    for account in ARBITERS {
        let events = ok(&mut e, Command::SetArbiter { account, active: true });
        assert_eq!(events, vec![Event::ArbiterSet { account, active: true }]);
    }
    assert_eq!(e.arbiters(), ARBITERS.to_vec());
    e
}

/// Sum of every account's collateral (available and reserved).
fn total_held(e: &Engine, accounts: &[AccountId]) -> Micros {
    accounts.iter().map(|&a| e.account(a).map_or(0, |v| v.available_micros + v.reserved_micros)).sum()
}

fn everyone() -> Vec<AccountId> {
    let mut accounts = vec![FEE_ACCOUNT];
    accounts.extend(TRADERS);
    accounts
}

/// ALICE splits 10 binary sets and sells 4 YES to BOB at 0.60: ALICE holds 6 YES and 10 NO,
/// BOB 4 YES; the market is backed by $10.
fn binary_holders(e: &mut Engine) {
    split(e, ALICE, BINARY, None, 10);
    rest(e, sell_yes(OrderId(1), ALICE, BINARY, 600_000, 4));
    place(e, buy_yes(OrderId(2), BOB, BINARY, 600_000, 4));
    assert_eq!(position(e, ALICE, BINARY, 0), pos(6, 0, 10, 0));
    assert_eq!(position(e, BOB, BINARY, 0), pos(4, 0, 0, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(10 * DOLLAR));
}

fn propose(e: &mut Engine, account: AccountId, market: MarketId, resolution: Resolution) -> Vec<Event> {
    ok(e, Command::ProposeOutcome { account, market, resolution, bond_micros: BOND })
}

fn settled(market: MarketId, resolution: Resolution, collateral: Micros, dust: Micros) -> Event {
    Event::MarketSettled {
        market,
        resolution,
        collateral_micros: collateral,
        payable_micros: collateral - dust,
        dust_micros: dust,
    }
}

#[allow(dead_code)]
fn check_restore(e: &Engine, what: &str) {
    let restored = Engine::restore(&e.snapshot()).expect("restores");
    assert_eq!(restored.state_hash(), e.state_hash(), "after {what}");
}

fn redeem(e: &mut Engine, account: AccountId, market: MarketId) -> Micros {
    let expected = e.redeemable_micros(account, market).unwrap();
    let before = available(e, account);
    let events = ok(e, Command::Redeem { account, market });
    let [Event::Redeemed { account: a, market: m, payout_micros, .. }] = events[..] else {
        panic!("unexpected events {events:?}");
    };
    assert_eq!((a, m), (account, market));
    assert_eq!(payout_micros, expected);
    assert_eq!(available(e, account), before + payout_micros);
    payout_micros
}

#[test]
fn undisputed_proposal_becomes_final_after_liveness_and_holders_redeem() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    ok(&mut e, Command::CloseMarket { market: BINARY });
    let events = propose(&mut e, CAROL, BINARY, Resolution::Yes);
    assert_eq!(
        events,
        vec![Event::OutcomeProposed {
            market: BINARY,
            proposer: CAROL,
            resolution: Resolution::Yes,
            bond_micros: BOND,
            liveness_ends_ms: LIVENESS_MS,
        }]
    );
    assert_eq!(e.market_status(BINARY), Some(MarketStatus::Resolving));
    assert_eq!(available(&e, CAROL), START - BOND);
    assert_eq!(e.next_deadline_ms(), Some(LIVENESS_MS));

    // Not yet: one millisecond before the end of liveness.
    assert_eq!(advance(&mut e, LIVENESS_MS - 1), vec![Event::TimeAdvanced { now_ms: LIVENESS_MS - 1 }]);
    let events = advance(&mut e, LIVENESS_MS);
    assert_eq!(
        events,
        vec![
            Event::TimeAdvanced { now_ms: LIVENESS_MS },
            Event::MarketResolved { market: BINARY, resolution: Resolution::Yes, source: ResolutionSource::Proposal },
            Event::BondReturned { market: BINARY, account: CAROL, amount_micros: BOND },
            settled(BINARY, Resolution::Yes, 10 * DOLLAR, 0),
        ]
    );
    assert_eq!(e.market_status(BINARY), Some(MarketStatus::Settled));
    assert_eq!(e.market_resolution(BINARY), Some(Resolution::Yes));
    assert_eq!(available(&e, CAROL), START);

    // YES pays a dollar, NO nothing.
    let alice_before = available(&e, ALICE);
    assert_eq!(redeem(&mut e, ALICE, BINARY), 6 * DOLLAR);
    assert_eq!(available(&e, ALICE), alice_before + 6 * DOLLAR);
    assert_eq!(redeem(&mut e, BOB, BINARY), 4 * DOLLAR);
    assert_eq!(position(&e, ALICE, BINARY, 0), pos(0, 0, 0, 0));
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
    let settlement = e.market_lifecycle(BINARY).unwrap().settlement.unwrap();
    assert_eq!(settlement.payouts, vec![Payout { yes_micros: DOLLAR, no_micros: 0 }]);
    assert_eq!(settlement.redeemed_micros, 10 * DOLLAR);
    assert_eq!(settlement.outstanding_micros, 0);
    // Nothing is left to redeem, and nothing was created or lost.
    assert_eq!(
        refused(&mut e, Command::Redeem { account: ALICE, market: BINARY }),
        Reject::NothingToRedeem { account: ALICE, market: BINARY }
    );
    assert_eq!(total_held(&e, &everyone()), 4 * START);
}

/// A disputed proposal of YES; the arbiters then decide.
fn disputed(e: &mut Engine) {
    binary_holders(e);
    ok(e, Command::CloseMarket { market: BINARY });
    propose(e, CAROL, BINARY, Resolution::Yes);
    let events = ok(e, Command::DisputeProposal { account: DAVE, market: BINARY, bond_micros: BOND });
    assert_eq!(events, vec![Event::ProposalDisputed { market: BINARY, disputer: DAVE, bond_micros: BOND }]);
    assert_eq!(e.market_status(BINARY), Some(MarketStatus::Disputed));
    assert_eq!(available(e, DAVE), START - BOND);
    // Liveness no longer matters once disputed.
    advance(e, 10 * LIVENESS_MS);
    assert_eq!(e.market_status(BINARY), Some(MarketStatus::Disputed));
    assert_eq!(e.next_deadline_ms(), None);
}

#[test]
fn dispute_upheld_pays_the_disputer_the_proposers_bond_less_the_fee() {
    let mut e = oracle_venue();
    disputed(&mut e);
    let fee_before = available(&e, FEE_ACCOUNT);
    let events =
        ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(52), market: BINARY, resolution: Resolution::No });
    assert_eq!(
        events,
        vec![Event::ArbiterVoted { market: BINARY, arbiter: AccountId(52), resolution: Resolution::No, votes: 1 }]
    );
    // A vote for something else does not add up with it.
    ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::Invalid });
    assert_eq!(
        e.market_lifecycle(BINARY).unwrap().votes,
        vec![(AccountId(51), Resolution::Invalid), (AccountId(52), Resolution::No)]
    );
    let events =
        ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(53), market: BINARY, resolution: Resolution::No });
    let fee = BOND / 10;
    assert_eq!(
        events,
        vec![
            Event::ArbiterVoted { market: BINARY, arbiter: AccountId(53), resolution: Resolution::No, votes: 2 },
            Event::MarketResolved { market: BINARY, resolution: Resolution::No, source: ResolutionSource::Arbiters },
            Event::BondReturned { market: BINARY, account: DAVE, amount_micros: BOND },
            Event::BondForfeited {
                market: BINARY,
                account: CAROL,
                amount_micros: BOND,
                to: DAVE,
                paid_micros: BOND - fee,
                fee_micros: fee,
            },
            settled(BINARY, Resolution::No, 10 * DOLLAR, 0),
        ]
    );
    assert_eq!(available(&e, DAVE), START + BOND - fee);
    assert_eq!(available(&e, CAROL), START - BOND);
    assert_eq!(available(&e, FEE_ACCOUNT), fee_before + fee);
    assert_eq!(redeem(&mut e, ALICE, BINARY), 10 * DOLLAR);
    // BOB's YES are worthless; redeeming clears them for nothing.
    assert_eq!(redeem(&mut e, BOB, BINARY), 0);
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
}

#[test]
fn dispute_rejected_pays_the_proposer_the_disputers_bond_less_the_fee() {
    let mut e = oracle_venue();
    disputed(&mut e);
    ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::Yes });
    let events =
        ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(53), market: BINARY, resolution: Resolution::Yes });
    let fee = BOND / 10;
    assert_eq!(
        events[1..4],
        [
            Event::MarketResolved { market: BINARY, resolution: Resolution::Yes, source: ResolutionSource::Arbiters },
            Event::BondReturned { market: BINARY, account: CAROL, amount_micros: BOND },
            Event::BondForfeited {
                market: BINARY,
                account: DAVE,
                amount_micros: BOND,
                to: CAROL,
                paid_micros: BOND - fee,
                fee_micros: fee,
            },
        ]
    );
    assert_eq!(available(&e, CAROL), START + BOND - fee);
    assert_eq!(available(&e, DAVE), START - BOND);
    assert_eq!(redeem(&mut e, BOB, BINARY), 4 * DOLLAR);
    // BOB's YES won; his contracts are gone, and a second redemption has nothing left.
    assert_eq!(redeem(&mut e, ALICE, BINARY), 6 * DOLLAR);
    assert_eq!(e.market_backing_micros(BINARY), Some(0));
}

#[test]
fn administrator_overrules_an_undisputed_proposal_and_the_bond_goes_to_the_venue() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    ok(&mut e, Command::CloseMarket { market: BINARY });
    propose(&mut e, CAROL, BINARY, Resolution::Yes);
    let fee_before = available(&e, FEE_ACCOUNT);
    let events = ok(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::No });
    assert_eq!(
        events[..2],
        [
            Event::MarketResolved { market: BINARY, resolution: Resolution::No, source: ResolutionSource::Admin },
            Event::BondForfeited {
                market: BINARY,
                account: CAROL,
                amount_micros: BOND,
                to: FEE_ACCOUNT,
                paid_micros: 0,
                fee_micros: BOND,
            },
        ]
    );
    assert_eq!(available(&e, FEE_ACCOUNT), fee_before + BOND);
    // The liveness window is gone with the proposal.
    assert_eq!(advance(&mut e, 5 * LIVENESS_MS), vec![Event::TimeAdvanced { now_ms: 5 * LIVENESS_MS }]);
}

#[test]
fn invalid_pays_every_outcome_alike_and_the_dust_goes_to_the_venue() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    ok(&mut e, Command::CloseMarket { market: BINARY });
    propose(&mut e, CAROL, BINARY, Resolution::Invalid);
    let events = advance(&mut e, LIVENESS_MS);
    assert_eq!(events[3], settled(BINARY, Resolution::Invalid, 10 * DOLLAR, 0));
    assert_eq!(redeem(&mut e, ALICE, BINARY), 8 * DOLLAR);
    assert_eq!(redeem(&mut e, BOB, BINARY), 2 * DOLLAR);

    // Three outcomes: a YES pays 333,333, a NO 666,666; each pair leaves a micro of dust.
    split(&mut e, ALICE, CATEGORICAL, Some(0), 5);
    split(&mut e, BOB, CATEGORICAL, None, 7);
    let collateral = 12 * DOLLAR;
    let fee_before = available(&e, FEE_ACCOUNT);
    let events = ok(&mut e, Command::ResolveMarket { market: CATEGORICAL, resolution: Resolution::Invalid });
    // Outstanding: 5 pairs of outcome 0 (5 YES + 5 NO) and 7 YES of each of the three outcomes.
    let payable = 5 * 333_333 + 5 * 666_666 + 21 * 333_333;
    let dust = collateral - payable;
    assert_eq!(dust, 5 + 7);
    assert!(events.contains(&settled(CATEGORICAL, Resolution::Invalid, collateral, dust)));
    assert_eq!(available(&e, FEE_ACCOUNT), fee_before + dust);
    assert_eq!(redeem(&mut e, ALICE, CATEGORICAL), 5 * 999_999);
    assert_eq!(redeem(&mut e, BOB, CATEGORICAL), 21 * 333_333);
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(0));
    assert_eq!(total_held(&e, &everyone()), 4 * START);
}

#[test]
fn categorical_settles_one_hot() {
    let mut e = oracle_venue();
    split(&mut e, ALICE, CATEGORICAL, None, 3);
    split(&mut e, BOB, CATEGORICAL, Some(1), 4);
    split(&mut e, CAROL, CATEGORICAL, Some(2), 2);
    ok(&mut e, Command::CloseMarket { market: CATEGORICAL });
    let winner = Resolution::Outcome { outcome: 1 };
    assert_eq!(
        refused(
            &mut e,
            Command::ProposeOutcome {
                account: DAVE,
                market: CATEGORICAL,
                resolution: Resolution::Yes,
                bond_micros: BOND
            }
        ),
        Reject::InvalidResolution { reason: "a categorical market resolves to one of its outcomes or invalid" }
    );
    propose(&mut e, DAVE, CATEGORICAL, winner);
    advance(&mut e, LIVENESS_MS);
    let settlement = e.market_lifecycle(CATEGORICAL).unwrap().settlement.unwrap();
    assert_eq!(
        settlement.payouts,
        vec![
            Payout { yes_micros: 0, no_micros: DOLLAR },
            Payout { yes_micros: DOLLAR, no_micros: 0 },
            Payout { yes_micros: 0, no_micros: DOLLAR },
        ]
    );
    assert_eq!(settlement.collateral_micros, 9 * DOLLAR);
    assert_eq!(settlement.dust_micros, 0);
    // ALICE's full sets hold one winning YES each; BOB's outcome-1 pairs pay through YES;
    // CAROL's outcome-2 pairs pay through NO.
    assert_eq!(redeem(&mut e, ALICE, CATEGORICAL), 3 * DOLLAR);
    assert_eq!(redeem(&mut e, BOB, CATEGORICAL), 4 * DOLLAR);
    assert_eq!(redeem(&mut e, CAROL, CATEGORICAL), 2 * DOLLAR);
    assert_eq!(e.market_backing_micros(CATEGORICAL), Some(0));
}

/// A fresh scalar market (floor -50, cap 150): ALICE splits 4 sets and sells 3 LONG to BOB.
fn scalar_resolved(value: i64) -> (Engine, Micros, Micros) {
    let mut e = oracle_venue();
    split(&mut e, ALICE, SCALAR, None, 4);
    rest(&mut e, sell_yes(OrderId(1), ALICE, SCALAR, 500_000, 3));
    place(&mut e, buy_yes(OrderId(2), BOB, SCALAR, 500_000, 3));
    ok(&mut e, Command::ResolveMarket { market: SCALAR, resolution: Resolution::Scalar { value } });
    let alice = redeem(&mut e, ALICE, SCALAR);
    let bob = redeem(&mut e, BOB, SCALAR);
    assert_eq!(e.market_backing_micros(SCALAR), Some(0));
    (e, alice, bob)
}

#[test]
fn scalar_settles_at_floor_cap_middle_and_clamps() {
    // ALICE: 1 LONG + 4 SHORT; BOB: 3 LONG.
    for (value, long) in [(-50, 0), (-1_000, 0), (150, DOLLAR), (1_000_000, DOLLAR), (0, 250_000), (100, 750_000)] {
        let (e, alice, bob) = scalar_resolved(value);
        let short = DOLLAR - long;
        assert_eq!(alice, long + 4 * short, "value {value}");
        assert_eq!(bob, 3 * long, "value {value}");
        assert_eq!(e.market_status(SCALAR), Some(MarketStatus::Settled));
    }
    // A third of the way: both sides round down, a micro of dust per pair.
    let mut e = oracle_venue();
    let spec = augury_core::MarketSpec {
        kind: augury_core::MarketKind::Scalar { floor: 0, cap: 3 },
        ..binary_spec(MarketId(9))
    };
    ok(&mut e, Command::CreateMarket { spec });
    split(&mut e, ALICE, MarketId(9), None, 7);
    let events =
        ok(&mut e, Command::ResolveMarket { market: MarketId(9), resolution: Resolution::Scalar { value: 1 } });
    assert!(events.contains(&settled(MarketId(9), Resolution::Scalar { value: 1 }, 7 * DOLLAR, 7)));
    assert_eq!(redeem(&mut e, ALICE, MarketId(9)), 7 * 999_999);
}

#[test]
fn a_market_closes_at_its_close_time_cancelling_orders_and_releasing_reserves() {
    let mut e = oracle_venue();
    let spec = augury_core::MarketSpec { close_time_ms: 5_000, ..binary_spec(MarketId(7)) };
    ok(&mut e, Command::CreateMarket { spec });
    split(&mut e, ALICE, MarketId(7), None, 5);
    rest(&mut e, buy_yes(OrderId(1), BOB, MarketId(7), 400_000, 10));
    rest(&mut e, sell_no(OrderId(2), ALICE, MarketId(7), 300_000, 5));
    assert_eq!(reserved(&e, BOB), 4 * DOLLAR);
    assert_eq!(e.next_deadline_ms(), Some(5_000));
    advance(&mut e, 4_999);
    assert_eq!(e.market_status(MarketId(7)), Some(MarketStatus::Open));
    let events = advance(&mut e, 6_000);
    assert_eq!(
        events,
        vec![
            Event::TimeAdvanced { now_ms: 6_000 },
            Event::MarketClosed { market: MarketId(7) },
            // Best bid first: ALICE's sell of NO at 0.30 is a YES bid at 0.70.
            Event::OrderCancelled {
                order: OrderId(2),
                account: ALICE,
                remaining_quantity: 5,
                reason: augury_core::CancelReason::MarketClosed
            },
            Event::OrderCancelled {
                order: OrderId(1),
                account: BOB,
                remaining_quantity: 10,
                reason: augury_core::CancelReason::MarketClosed
            },
        ]
    );
    assert_eq!(balance(&e, BOB), (START, 0));
    assert_eq!(position(&e, ALICE, MarketId(7), 0), pos(5, 0, 5, 0));
    assert_eq!(
        refused(&mut e, Command::PlaceOrder { order: buy_yes(OrderId(3), BOB, MarketId(7), 400_000, 1) }),
        Reject::MarketNotOpen { market: MarketId(7) }
    );
    assert_eq!(
        refused(&mut e, Command::Split { account: ALICE, market: MarketId(7), outcome: None, quantity: 1 }),
        Reject::MarketNotOpen { market: MarketId(7) }
    );
}

#[test]
fn early_close_stops_trading_before_the_close_time() {
    let mut e = oracle_venue();
    let spec = augury_core::MarketSpec { close_time_ms: 50_000, ..binary_spec(MarketId(7)) };
    ok(&mut e, Command::CreateMarket { spec });
    rest(&mut e, buy_yes(OrderId(1), BOB, MarketId(7), 400_000, 10));
    let events = ok(&mut e, Command::CloseMarket { market: MarketId(7) });
    assert_eq!(events[0], Event::MarketClosed { market: MarketId(7) });
    assert_eq!(balance(&e, BOB), (START, 0));
    assert_eq!(e.next_deadline_ms(), None, "the close time is no longer pending");
    // The close time passing later does nothing more.
    assert_eq!(advance(&mut e, 60_000), vec![Event::TimeAdvanced { now_ms: 60_000 }]);
    assert_eq!(
        refused(&mut e, Command::CloseMarket { market: MarketId(7) }),
        Reject::MarketNotOpen { market: MarketId(7) }
    );
    // And a proposal can resolve it at once.
    propose(&mut e, CAROL, MarketId(7), Resolution::No);
    assert_eq!(e.next_deadline_ms(), Some(60_000 + LIVENESS_MS));
}

fn btc_rule(at_ms: u64, samples: u32) -> ResolutionRule {
    ResolutionRule {
        index: 1,
        at_ms,
        samples,
        interval_ms: 1_000,
        map: RuleMap::Threshold { comparison: Comparison::AtOrAbove, threshold: 100_000 },
    }
}

#[test]
fn a_rule_market_closes_at_its_time_and_resolves_itself_from_the_averaged_index() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    // "BTC-USD at or above 100,000": the average of the 60 one-second values up to t = 100 s.
    let rule = btc_rule(100_000, 60);
    let events = ok(&mut e, Command::SetMarketRule { market: BINARY, rule });
    assert_eq!(events, vec![Event::MarketRuleSet { market: BINARY, rule }]);
    assert_eq!(e.market_lifecycle(BINARY).unwrap().close_at_ms, 100_000);
    assert_eq!(
        refused(&mut e, Command::SetMarketRule { market: BINARY, rule }),
        Reject::RuleAlreadySet { market: BINARY }
    );
    // Values from the future are refused; values off the sampling grid are recorded and ignored.
    assert_eq!(
        refused(&mut e, Command::RecordIndexValue { index: 1, at_ms: 41_000, value: 1 }),
        Reject::IndexValueInFuture { at_ms: 41_000, clock_ms: 0 }
    );
    advance(&mut e, 99_999);
    assert_eq!(e.market_status(BINARY), Some(MarketStatus::Open));
    for second in 41..100u64 {
        // 59 values of 99,990 ...
        let events = ok(&mut e, Command::RecordIndexValue { index: 1, at_ms: second * 1_000, value: 99_990 });
        assert_eq!(events.len(), 1);
    }
    ok(&mut e, Command::RecordIndexValue { index: 1, at_ms: 99_500, value: 1 });
    ok(&mut e, Command::RecordIndexValue { index: 2, at_ms: 99_000, value: 1 });
    // ... the same value again is fine, a different one is a conflict.
    ok(&mut e, Command::RecordIndexValue { index: 1, at_ms: 41_000, value: 99_990 });
    assert_eq!(
        refused(&mut e, Command::RecordIndexValue { index: 1, at_ms: 41_000, value: 99_991 }),
        Reject::IndexValueConflict { index: 1, at_ms: 41_000 }
    );
    assert_eq!(e.market_lifecycle(BINARY).unwrap().samples_recorded, 59);
    // Trading stops at the rule's time.
    let events = advance(&mut e, 100_000);
    assert_eq!(events[1], Event::MarketClosed { market: BINARY });
    assert_eq!(
        refused(
            &mut e,
            Command::ProposeOutcome { account: CAROL, market: BINARY, resolution: Resolution::Yes, bond_micros: BOND }
        ),
        Reject::ResolvedByRule { market: BINARY }
    );
    // The last value: the average is (59 x 99,990 + 100,590) / 60 = 100,000 exactly: YES.
    let events = ok(&mut e, Command::RecordIndexValue { index: 1, at_ms: 100_000, value: 100_590 });
    assert_eq!(
        events,
        vec![
            Event::IndexValueRecorded { index: 1, at_ms: 100_000, value: 100_590 },
            Event::MarketResolved { market: BINARY, resolution: Resolution::Yes, source: ResolutionSource::Rule },
            settled(BINARY, Resolution::Yes, 10 * DOLLAR, 0),
        ]
    );
    assert_eq!(redeem(&mut e, BOB, BINARY), 4 * DOLLAR);
    // A later value changes nothing.
    assert_eq!(ok(&mut e, Command::RecordIndexValue { index: 1, at_ms: 100_000, value: 5 }).len(), 1);
}

#[test]
fn one_index_value_resolves_every_market_that_samples_it() {
    let mut e = oracle_venue();
    let at = 10_000;
    // Binary: below 100 is NO; categorical buckets <10, [10,20), >=20; scalar: the value.
    let below = ResolutionRule {
        index: 3,
        at_ms: at,
        samples: 1,
        interval_ms: 0,
        map: RuleMap::Threshold { comparison: Comparison::Below, threshold: 100 },
    };
    ok(&mut e, Command::SetMarketRule { market: BINARY, rule: below });
    let buckets = ResolutionRule { map: RuleMap::Buckets { first_bound: 10, width: 10 }, ..below };
    ok(&mut e, Command::SetMarketRule { market: CATEGORICAL, rule: buckets });
    let value = ResolutionRule { map: RuleMap::Value, ..below };
    ok(&mut e, Command::SetMarketRule { market: SCALAR, rule: value });
    split(&mut e, ALICE, SCALAR, None, 2);
    advance(&mut e, at);
    let events = ok(&mut e, Command::RecordIndexValue { index: 3, at_ms: at, value: 25 });
    let resolved: Vec<_> = events
        .iter()
        .filter_map(|event| match *event {
            Event::MarketResolved { market, resolution, .. } => Some((market, resolution)),
            _ => None,
        })
        .collect();
    assert_eq!(
        resolved,
        vec![
            (BINARY, Resolution::Yes),
            (CATEGORICAL, Resolution::Outcome { outcome: 2 }),
            (SCALAR, Resolution::Scalar { value: 25 }),
        ]
    );
    // 25 is 3/8 of the way from -50 to 150.
    assert_eq!(redeem(&mut e, ALICE, SCALAR), 2 * DOLLAR);
    let payouts = e.market_lifecycle(SCALAR).unwrap().settlement.unwrap().payouts;
    assert_eq!(payouts, vec![Payout { yes_micros: 375_000, no_micros: 625_000 }]);
}

#[test]
fn every_bad_lifecycle_command_is_refused_with_a_reason_and_changes_nothing() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    let propose_cmd =
        |account, market, resolution, bond_micros| Command::ProposeOutcome { account, market, resolution, bond_micros };
    // Wrong state: proposals need a closed market.
    assert_eq!(
        refused(&mut e, propose_cmd(CAROL, BINARY, Resolution::Yes, BOND)),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Open }
    );
    assert_eq!(
        refused(&mut e, propose_cmd(CAROL, MarketId(99), Resolution::Yes, BOND)),
        Reject::UnknownMarket { market: MarketId(99) }
    );
    assert_eq!(
        refused(&mut e, Command::Redeem { account: ALICE, market: BINARY }),
        Reject::MarketNotSettled { market: BINARY }
    );
    assert_eq!(
        refused(&mut e, Command::DisputeProposal { account: DAVE, market: BINARY, bond_micros: BOND }),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Open }
    );
    ok(&mut e, Command::CloseMarket { market: BINARY });
    assert_eq!(
        refused(&mut e, propose_cmd(CAROL, BINARY, Resolution::Yes, BOND - 1)),
        Reject::BondTooSmall { bond_micros: BOND - 1, min_bond_micros: BOND }
    );
    assert_eq!(
        refused(&mut e, propose_cmd(CAROL, BINARY, Resolution::Outcome { outcome: 0 }, BOND)),
        Reject::InvalidResolution { reason: "a binary market resolves yes, no or invalid" }
    );
    assert_eq!(
        refused(&mut e, propose_cmd(CAROL, BINARY, Resolution::Yes, START + 1)),
        Reject::InsufficientFunds { needed_micros: START + 1, available_micros: START }
    );
    assert_eq!(
        refused(&mut e, propose_cmd(AccountId(77), BINARY, Resolution::Yes, BOND)),
        Reject::UnknownAccount { account: AccountId(77) }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::Yes }
        ),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Closed }
    );
    propose(&mut e, CAROL, BINARY, Resolution::Yes);
    assert_eq!(
        refused(&mut e, propose_cmd(DAVE, BINARY, Resolution::No, BOND)),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Resolving }
    );
    assert_eq!(
        refused(&mut e, Command::DisputeProposal { account: CAROL, market: BINARY, bond_micros: BOND }),
        Reject::OwnProposal
    );
    assert_eq!(
        refused(&mut e, Command::DisputeProposal { account: DAVE, market: BINARY, bond_micros: BOND + 1 }),
        Reject::BondMismatch { bond_micros: BOND + 1, required_micros: BOND }
    );
    ok(&mut e, Command::DisputeProposal { account: DAVE, market: BINARY, bond_micros: BOND });
    assert_eq!(
        refused(&mut e, Command::CastArbiterVote { arbiter: ALICE, market: BINARY, resolution: Resolution::No }),
        Reject::NotAnArbiter { account: ALICE }
    );
    ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::No });
    assert_eq!(
        refused(
            &mut e,
            Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::No }
        ),
        Reject::AlreadyVoted { account: AccountId(51), market: BINARY }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::CastArbiterVote {
                arbiter: AccountId(52),
                market: BINARY,
                resolution: Resolution::Scalar { value: 1 }
            }
        ),
        Reject::InvalidResolution { reason: "a binary market resolves yes, no or invalid" }
    );
    ok(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::No });
    assert_eq!(
        refused(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::Yes }),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Settled }
    );
    assert_eq!(
        refused(
            &mut e,
            Command::CastArbiterVote { arbiter: AccountId(52), market: BINARY, resolution: Resolution::No }
        ),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Settled }
    );
    assert_eq!(
        refused(&mut e, Command::Redeem { account: AccountId(77), market: BINARY }),
        Reject::UnknownAccount { account: AccountId(77) }
    );

    // Rules.
    let rule = btc_rule(100_000, 60);
    assert_eq!(
        refused(&mut e, Command::SetMarketRule { market: BINARY, rule }),
        Reject::WrongMarketStatus { market: BINARY, status: MarketStatus::Settled }
    );
    assert_eq!(
        refused(&mut e, Command::SetMarketRule { market: SCALAR, rule }),
        Reject::InvalidRule { reason: "a threshold rule needs a binary market" }
    );
    assert_eq!(
        refused(&mut e, Command::SetMarketRule { market: FEE_MARKET, rule: ResolutionRule { samples: 0, ..rule } }),
        Reject::InvalidRule { reason: "a rule averages between 1 and 3,600 samples" }
    );
    advance(&mut e, 100_000);
    assert_eq!(
        refused(&mut e, Command::SetMarketRule { market: FEE_MARKET, rule }),
        Reject::InvalidRule { reason: "the rule's time must be after the engine clock" }
    );
    let late = augury_core::MarketSpec { close_time_ms: 100_000, ..binary_spec(MarketId(8)) };
    assert_eq!(
        refused(&mut e, Command::CreateMarket { spec: late }),
        Reject::InvalidMarketSpec { reason: "the close time must be after the engine clock" }
    );

    // Venue settings.
    assert_eq!(
        refused(&mut e, Command::SetArbiter { account: AccountId(51), active: true }),
        Reject::ArbiterUnchanged { account: AccountId(51) }
    );
    assert_eq!(
        refused(&mut e, Command::SetArbiter { account: AccountId(60), active: false }),
        Reject::ArbiterUnchanged { account: AccountId(60) }
    );
    for account in 1_000..1_061 {
        ok(&mut e, Command::SetArbiter { account: AccountId(account), active: true });
    }
    assert_eq!(
        refused(&mut e, Command::SetArbiter { account: AccountId(2_000), active: true }),
        Reject::TooManyArbiters { max: 64 }
    );
    ok(&mut e, Command::SetArbiter { account: AccountId(1_000), active: false });
    assert_eq!(
        refused(&mut e, Command::ConfigureOracle { config: OracleConfig { quorum: 0, ..oracle() } }),
        Reject::InvalidOracleConfig { reason: "the quorum is between 1 and 64 arbiters" }
    );
    assert_eq!(
        refused(&mut e, Command::ConfigureOracle { config: OracleConfig { dispute_fee_ppm: 1_000_001, ..oracle() } }),
        Reject::InvalidOracleConfig { reason: "the dispute fee is at most 1,000,000 ppm" }
    );
    for reject in [Reject::OwnProposal, Reject::MarketNotSettled { market: MarketId(1) }] {
        assert!(!reject.code().is_empty() && reject.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    }
}

#[test]
fn resolving_an_open_market_closes_it_first() {
    let mut e = oracle_venue();
    rest(&mut e, buy_yes(OrderId(1), BOB, BINARY, 400_000, 10));
    let events = ok(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::Yes });
    assert_eq!(events[0], Event::MarketClosed { market: BINARY });
    assert!(matches!(events[1], Event::OrderCancelled { order: OrderId(1), .. }));
    assert_eq!(balance(&e, BOB), (START, 0));
    // An empty market settles with nothing to pay.
    assert_eq!(events.last(), Some(&settled(BINARY, Resolution::Yes, 0, 0)));
    assert_eq!(
        refused(&mut e, Command::Redeem { account: BOB, market: BINARY }),
        Reject::NothingToRedeem { account: BOB, market: BINARY }
    );
}

#[test]
fn snapshots_carry_the_whole_lifecycle() {
    let mut e = oracle_venue();
    check_restore(&e, "oracle venue");
    binary_holders(&mut e);
    check_restore(&e, "binary holders");
    // A disputed binary market with a vote, a resolving scalar, a rule market with samples, a
    // settled categorical with holders left to redeem, an open market with a close time and a
    // market maker.
    ok(&mut e, Command::CloseMarket { market: BINARY });
    propose(&mut e, CAROL, BINARY, Resolution::Yes);
    ok(&mut e, Command::DisputeProposal { account: DAVE, market: BINARY, bond_micros: BOND });
    ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(52), market: BINARY, resolution: Resolution::No });
    check_restore(&e, "vote");
    ok(&mut e, Command::SetMarketRule { market: FEE_MARKET, rule: btc_rule(500_000, 3) });
    check_restore(&e, "rule");
    split(&mut e, BOB, CATEGORICAL, None, 3);
    ok(&mut e, Command::ResolveMarket { market: CATEGORICAL, resolution: Resolution::Invalid });
    check_restore(&e, "settled");
    let spec = augury_core::MarketSpec { close_time_ms: 900_000, ..binary_spec(MarketId(7)) };
    ok(&mut e, Command::CreateMarket { spec });
    deposit(&mut e, AccountId(500), 1_000 * DOLLAR);
    ok(&mut e, Command::EnableAmm { market: MarketId(7), operator: AccountId(500), liquidity_micros: 50 * DOLLAR });
    check_restore(&e, "amm");
    place(&mut e, buy_yes(OrderId(10), ALICE, MarketId(7), 600_000, 5));
    check_restore(&e, "amm trade");
    advance(&mut e, 498_000);
    ok(&mut e, Command::RecordIndexValue { index: 1, at_ms: 498_000, value: 100_000 });
    ok(&mut e, Command::CloseMarket { market: SCALAR });
    propose(&mut e, ALICE, SCALAR, Resolution::Scalar { value: 3 });

    let snapshot = e.snapshot();
    let restored = Engine::restore(&snapshot).expect("the snapshot restores");
    assert_eq!(restored.snapshot(), snapshot);
    assert_eq!(restored.state_hash(), e.state_hash());
    let json = serde_json::to_string(&snapshot).unwrap();
    let decoded: augury_engine::EngineSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(decoded, snapshot);

    // Both go on identically: the scalar's liveness ends, the rule completes, the market maker
    // trades, the arbiters decide, the market maker's market closes and settles.
    let script = [
        Command::AdvanceTime { now_ms: 499_000 },
        Command::RecordIndexValue { index: 1, at_ms: 499_000, value: 100_000 },
        Command::AdvanceTime { now_ms: 500_000 },
        Command::RecordIndexValue { index: 1, at_ms: 500_000, value: 90_000 },
        Command::PlaceOrder { order: buy_no(OrderId(11), BOB, MarketId(7), 700_000, 8) },
        Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::No },
        Command::Redeem { account: BOB, market: CATEGORICAL },
        Command::AdvanceTime { now_ms: 1_000_000 },
        Command::ResolveMarket { market: MarketId(7), resolution: Resolution::No },
        Command::Redeem { account: BOB, market: MarketId(7) },
    ];
    let mut restored = restored;
    for command in script {
        let original = e.apply_collect(&command);
        let copy = restored.apply_collect(&command);
        assert_eq!(original, copy, "{command:?}");
        assert!(original.is_ok(), "{command:?}: {original:?}");
        e.check_invariants().unwrap();
        assert_eq!(restored.state_hash(), e.state_hash());
    }
    assert_eq!(e.market_status(SCALAR), Some(MarketStatus::Settled));
    assert_eq!(e.market_status(FEE_MARKET), Some(MarketStatus::Settled));
    assert_eq!(e.market_resolution(FEE_MARKET), Some(Resolution::No));
    assert!(e.amm(MarketId(7)).is_none());
    let snapshot = e.snapshot();
    assert_eq!(Engine::restore(&snapshot).unwrap().state_hash(), e.state_hash());
}

#[test]
fn a_corrupt_lifecycle_snapshot_is_refused() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    ok(&mut e, Command::CloseMarket { market: BINARY });
    propose(&mut e, CAROL, BINARY, Resolution::Yes);
    let snapshot = e.snapshot();

    let mut bad = snapshot.clone();
    let market = bad.markets.iter_mut().find(|m| m.spec.market == BINARY).unwrap();
    market.proposal.as_mut().unwrap().bond_micros += 1;
    assert!(Engine::restore(&bad).is_err(), "a bond that appeared from nowhere breaks conservation");

    let mut bad = snapshot.clone();
    let market = bad.markets.iter_mut().find(|m| m.spec.market == BINARY).unwrap();
    market.status = MarketStatus::Disputed;
    assert!(Engine::restore(&bad).is_err(), "disputed without a dispute");

    let mut bad = snapshot.clone();
    let market = bad.markets.iter_mut().find(|m| m.spec.market == BINARY).unwrap();
    market.proposal.as_mut().unwrap().resolution = Resolution::Outcome { outcome: 4 };
    assert!(Engine::restore(&bad).is_err(), "a proposal that does not fit the market");

    let mut bad = snapshot;
    let market = bad.markets.iter_mut().find(|m| m.spec.market == SCALAR).unwrap();
    market.samples = vec![Some(1)];
    assert!(Engine::restore(&bad).is_err(), "samples without a rule");
}

#[test]
fn losing_contracts_redeem_for_nothing_and_are_cleared() {
    let mut e = oracle_venue();
    binary_holders(&mut e);
    ok(&mut e, Command::ResolveMarket { market: BINARY, resolution: Resolution::No });
    assert_eq!(e.redeemable_micros(BOB, BINARY), Some(0));
    let events = ok(&mut e, Command::Redeem { account: BOB, market: BINARY });
    assert_eq!(events, vec![Event::Redeemed { account: BOB, market: BINARY, contracts: 4, payout_micros: 0 }]);
    assert_eq!(position(&e, BOB, BINARY, 0), pos(0, 0, 0, 0));
    assert_eq!(position(&e, ALICE, BINARY, 0).no, 10);
    let _ = Side::Yes;
}

/// The rule: a vote counts as cast. Removing an arbiter stops it voting from then on, but does not
/// take back a vote it already cast on a market still in dispute (votes are never rewritten; the
/// administrator's `ResolveMarket` is the remedy for an arbiter no longer trusted). A removed and
/// re-named arbiter still cannot vote twice on the same market.
#[test]
fn a_removed_arbiters_earlier_vote_still_counts_toward_the_quorum() {
    let mut e = oracle_venue();
    disputed(&mut e);
    ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::No });
    ok(&mut e, Command::SetArbiter { account: AccountId(51), active: false });
    assert_eq!(e.arbiters(), vec![AccountId(52), AccountId(53)]);
    assert_eq!(e.market_lifecycle(BINARY).unwrap().votes, vec![(AccountId(51), Resolution::No)]);
    assert_eq!(
        refused(
            &mut e,
            Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::No }
        ),
        Reject::NotAnArbiter { account: AccountId(51) }
    );
    ok(&mut e, Command::SetArbiter { account: AccountId(51), active: true });
    assert_eq!(
        refused(
            &mut e,
            Command::CastArbiterVote { arbiter: AccountId(51), market: BINARY, resolution: Resolution::No }
        ),
        Reject::AlreadyVoted { account: AccountId(51), market: BINARY }
    );
    ok(&mut e, Command::SetArbiter { account: AccountId(51), active: false });
    // 52's vote is the second for NO: with 51's, a quorum of two.
    let events =
        ok(&mut e, Command::CastArbiterVote { arbiter: AccountId(52), market: BINARY, resolution: Resolution::No });
    assert_eq!(
        events[..2],
        [
            Event::ArbiterVoted { market: BINARY, arbiter: AccountId(52), resolution: Resolution::No, votes: 2 },
            Event::MarketResolved { market: BINARY, resolution: Resolution::No, source: ResolutionSource::Arbiters },
        ]
    );
    check_restore(&e, "the settlement");
}
