//! Markets and their outcomes. Each outcome (a "contract" here: one YES/NO pair) has its own order
//! book and its own counts of sets minted and merged; the market holds the collateral that backs
//! all of them.

use crate::amm::Amm;
use crate::book::Book;
use crate::lifecycle::{Dispute, Proposal, RuleState, Settlement};
use crate::slab::NIL;
use crate::table::{ContractSlot, MarketSlot};
use crate::Engine;
use augury_core::{
    AccountId, BookSide, CancelReason, Event, MarketId, MarketKind, MarketSpec, MarketStatus, Micros, OutcomeIndex,
    Quantity, Reject, Resolution, TimestampMs,
};

#[derive(Clone, Debug)]
pub struct Market {
    pub spec: MarketSpec,
    pub status: MarketStatus,
    /// When trading stops by itself: the earlier of the spec's close time and the rule's time;
    /// 0 for never.
    pub close_at_ms: TimestampMs,
    /// Index of outcome 0 in `Engine::contracts`; outcomes are consecutive.
    pub first_contract: ContractSlot,
    /// Collateral held against the market's outstanding contracts.
    pub backing_micros: Micros,
    /// Categorical full sets (one YES of every outcome) split and merged.
    pub full_sets_split: Quantity,
    pub full_sets_merged: Quantity,
    /// Collateral paid out by conversions.
    pub converted_out_micros: Micros,
    /// The rule that resolves the market from an index, with the samples recorded so far.
    pub rule: Option<RuleState>,
    /// The optimistic oracle: the pending proposal and its bond, a dispute and its bond, and the
    /// arbiters' votes (sorted by arbiter).
    pub proposal: Option<Proposal>,
    pub dispute: Option<Dispute>,
    pub votes: Vec<(AccountId, Resolution)>,
    /// Set when the market settles.
    pub settlement: Option<Settlement>,
    /// The LMSR market maker, while the market has one.
    pub amm: Option<Amm>,
}

impl Market {
    pub fn outcome_count(&self) -> OutcomeIndex {
        self.spec.kind.outcome_count()
    }

    pub fn contract(&self, outcome: OutcomeIndex) -> ContractSlot {
        self.first_contract.offset(outcome)
    }

    pub fn is_categorical(&self) -> bool {
        matches!(self.spec.kind, MarketKind::Categorical { .. })
    }
}

/// One outcome of a market: its book and its issuance counters.
#[derive(Clone, Debug)]
pub struct Contract {
    pub market: MarketSlot,
    pub outcome: OutcomeIndex,
    pub book: Book,
    /// YES/NO pairs created (by split or by a minting fill) and destroyed (by merge or a merging fill).
    pub pairs_minted: Quantity,
    pub pairs_merged: Quantity,
    /// YES created and NO destroyed by categorical conversions.
    pub yes_converted_in: Quantity,
    pub no_converted_out: Quantity,
    /// Contracts paid out (and destroyed) after settlement.
    pub yes_redeemed: Quantity,
    pub no_redeemed: Quantity,
}

/// When a market's trading stops by itself: the earlier of its close time and its rule's time.
pub(crate) fn effective_close_ms(spec: &MarketSpec, rule_at_ms: Option<TimestampMs>) -> TimestampMs {
    match (spec.close_time_ms, rule_at_ms) {
        (0, None) => 0,
        (0, Some(at)) => at,
        (close, None) => close,
        (close, Some(at)) => close.min(at),
    }
}

impl Engine {
    pub(crate) fn create_market(&mut self, spec: &MarketSpec, events: &mut Vec<Event>) -> Result<(), Reject> {
        if self.market_index.contains_key(&spec.market) {
            return Err(Reject::DuplicateMarket { market: spec.market });
        }
        if let Some(reason) = spec.invalid_reason() {
            return Err(Reject::InvalidMarketSpec { reason });
        }
        if spec.close_time_ms != 0 && spec.close_time_ms <= self.clock_ms {
            return Err(Reject::InvalidMarketSpec { reason: "the close time must be after the engine clock" });
        }
        let market_slot = self.markets.next_slot();
        let first_contract = self.contracts.next_slot();
        let ticks_per_dollar = crate::grid_ticks(spec.ticks_per_dollar());
        for outcome in 0..spec.kind.outcome_count() {
            self.contracts.push(Contract {
                market: market_slot,
                outcome,
                book: Book::new(ticks_per_dollar),
                pairs_minted: 0,
                pairs_merged: 0,
                yes_converted_in: 0,
                no_converted_out: 0,
                yes_redeemed: 0,
                no_redeemed: 0,
            });
        }
        let close_at_ms = effective_close_ms(spec, None);
        let pushed = self.markets.push(Market {
            spec: *spec,
            status: MarketStatus::Open,
            close_at_ms,
            first_contract,
            backing_micros: 0,
            full_sets_split: 0,
            full_sets_merged: 0,
            converted_out_micros: 0,
            rule: None,
            proposal: None,
            dispute: None,
            votes: Vec::new(),
            settlement: None,
            amm: None,
        });
        debug_assert_eq!(pushed, market_slot);
        self.market_index.insert(spec.market, market_slot);
        if close_at_ms != 0 {
            self.closings.insert((close_at_ms, spec.market));
        }
        events.push(Event::MarketCreated { spec: *spec });
        Ok(())
    }

    /// Stops trading in a market; every resting order is cancelled, best price first on each side,
    /// outcome by outcome, so the order of events is fixed.
    pub(crate) fn close_market(&mut self, market: MarketId, events: &mut Vec<Event>) -> Result<(), Reject> {
        let slot = self.open_market_slot(market)?;
        self.close_trading(slot, events);
        Ok(())
    }

    /// Open -> Closed: trading stops and every resting order is cancelled with its reservation
    /// released (the market maker, if any, stops quoting with it).
    pub(crate) fn close_trading(&mut self, slot: MarketSlot, events: &mut Vec<Event>) {
        debug_assert_eq!(self.markets[slot].status, MarketStatus::Open);
        let market = self.markets[slot].spec.market;
        self.markets[slot].status = MarketStatus::Closed;
        if self.markets[slot].close_at_ms != 0 {
            self.closings.remove(&(self.markets[slot].close_at_ms, market));
        }
        events.push(Event::MarketClosed { market });
        for outcome in 0..self.markets[slot].outcome_count() {
            let contract = self.markets[slot].contract(outcome);
            for side in [BookSide::Bid, BookSide::Ask] {
                while let Some(ticks) = self.contracts[contract].book.best(side) {
                    let head = self.contracts[contract].book.level(side, ticks).head;
                    debug_assert_ne!(head, NIL);
                    self.cancel_resting(head, CancelReason::MarketClosed, events);
                }
            }
        }
    }
}
