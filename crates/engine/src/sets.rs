//! Split, merge and categorical conversion: creating and destroying contracts against collateral,
//! outside the order book. A set is always worth exactly one dollar.

use crate::ledger::debit;
use crate::table::{ContractSlot, MarketSlot};
use crate::Engine;
use augury_core::{AccountId, Event, MarketId, OutcomeIndex, Quantity, Reject, Side, MICROS_PER_DOLLAR, QUANTITY_MAX};

/// Which contracts a split or merge moves.
#[derive(Clone, Copy)]
enum SetShape {
    /// YES and NO of one outcome.
    Pair(OutcomeIndex),
    /// One YES of every outcome of a categorical market.
    AllYes,
}

fn check_quantity(quantity: Quantity) -> Result<(), Reject> {
    if quantity == 0 {
        return Err(Reject::QuantityNotPositive);
    }
    if quantity > QUANTITY_MAX {
        return Err(Reject::QuantityTooLarge { quantity, max: QUANTITY_MAX });
    }
    Ok(())
}

impl Engine {
    fn set_shape(&self, market_slot: MarketSlot, outcome: Option<OutcomeIndex>) -> Result<SetShape, Reject> {
        let market = &self.markets[market_slot];
        match outcome {
            Some(outcome) if outcome >= market.outcome_count() => {
                Err(Reject::UnknownOutcome { market: market.spec.market, outcome })
            }
            Some(outcome) => Ok(SetShape::Pair(outcome)),
            None if market.is_categorical() => Ok(SetShape::AllYes),
            None => Ok(SetShape::Pair(0)),
        }
    }

    pub(crate) fn split(
        &mut self,
        account: AccountId,
        market: MarketId,
        outcome: Option<OutcomeIndex>,
        quantity: Quantity,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let market_slot = self.open_market_slot(market)?;
        let account_slot = self.account_slot(account)?;
        let shape = self.set_shape(market_slot, outcome)?;
        check_quantity(quantity)?;
        let cost_micros = quantity * MICROS_PER_DOLLAR;
        let available_micros = self.accounts[account_slot].available_micros;
        if cost_micros > available_micros {
            return Err(Reject::InsufficientFunds { needed_micros: cost_micros, available_micros });
        }

        debit(&mut self.accounts[account_slot].available_micros, cost_micros, "available collateral");
        self.markets[market_slot].backing_micros += cost_micros;
        match shape {
            SetShape::Pair(outcome) => {
                let contract = self.markets[market_slot].contract(outcome);
                let position = self.position_slot(account_slot, contract);
                self.positions[position].credit(Side::Yes, quantity);
                self.positions[position].credit(Side::No, quantity);
                self.contracts[contract].pairs_minted += quantity;
            }
            SetShape::AllYes => {
                for outcome in 0..self.markets[market_slot].outcome_count() {
                    let contract = self.markets[market_slot].contract(outcome);
                    let position = self.position_slot(account_slot, contract);
                    self.positions[position].credit(Side::Yes, quantity);
                }
                self.markets[market_slot].full_sets_split += quantity;
            }
        }
        events.push(Event::SetsSplit { account, market, outcome, quantity });
        Ok(())
    }

    pub(crate) fn merge(
        &mut self,
        account: AccountId,
        market: MarketId,
        outcome: Option<OutcomeIndex>,
        quantity: Quantity,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let market_slot = self.open_market_slot(market)?;
        let account_slot = self.account_slot(account)?;
        let shape = self.set_shape(market_slot, outcome)?;
        check_quantity(quantity)?;
        let legs: Vec<(ContractSlot, Side)> = match shape {
            SetShape::Pair(outcome) => {
                let contract = self.markets[market_slot].contract(outcome);
                vec![(contract, Side::Yes), (contract, Side::No)]
            }
            SetShape::AllYes => (0..self.markets[market_slot].outcome_count())
                .map(|outcome| (self.markets[market_slot].contract(outcome), Side::Yes))
                .collect(),
        };
        for &(contract, side) in &legs {
            let available = self.existing_position(account_slot, contract).map_or(0, |p| p.free(side));
            if available < quantity {
                return Err(Reject::InsufficientShares { needed: quantity, available });
            }
        }

        for &(contract, side) in &legs {
            let position = self.position_slot(account_slot, contract);
            self.positions[position].debit_free(side, quantity);
        }
        match shape {
            SetShape::Pair(outcome) => {
                let contract = self.markets[market_slot].contract(outcome);
                self.contracts[contract].pairs_merged += quantity;
            }
            SetShape::AllYes => self.markets[market_slot].full_sets_merged += quantity,
        }
        let payout_micros = quantity * MICROS_PER_DOLLAR;
        debit(&mut self.markets[market_slot].backing_micros, payout_micros, "market backing");
        self.accounts[account_slot].available_micros += payout_micros;
        events.push(Event::SetsMerged { account, market, outcome, quantity });
        Ok(())
    }

    /// NO of k outcomes becomes YES of the other n - k outcomes plus k - 1 dollars. In every
    /// resolution the k NO contracts pay k - 1 dollars (exactly one outcome wins) plus one more if
    /// the winner is outside the k, which the YES contracts pay: the exchange is fair, and the
    /// market's backing falls by exactly the collateral paid out.
    pub(crate) fn convert(
        &mut self,
        account: AccountId,
        market: MarketId,
        outcomes: u64,
        quantity: Quantity,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let market_slot = self.open_market_slot(market)?;
        let account_slot = self.account_slot(account)?;
        let (outcome_count, first_contract) = {
            let market = &self.markets[market_slot];
            if !market.is_categorical() {
                return Err(Reject::InvalidOutcomes { reason: "conversion needs a categorical market" });
            }
            (market.outcome_count(), market.first_contract)
        };
        let all_outcomes = if outcome_count == 64 { u64::MAX } else { (1u64 << outcome_count) - 1 };
        if outcomes == 0 || outcomes & !all_outcomes != 0 {
            return Err(Reject::InvalidOutcomes {
                reason: "outcomes must name at least one of the market's outcomes and no other",
            });
        }
        check_quantity(quantity)?;
        let converted = |outcome: OutcomeIndex| outcomes & (1u64 << outcome) != 0;
        for outcome in (0..outcome_count).filter(|&o| converted(o)) {
            let contract = first_contract.offset(outcome);
            let available = self.existing_position(account_slot, contract).map_or(0, |p| p.free(Side::No));
            if available < quantity {
                return Err(Reject::InsufficientShares { needed: quantity, available });
            }
        }

        for outcome in 0..outcome_count {
            let contract = first_contract.offset(outcome);
            let position = self.position_slot(account_slot, contract);
            if converted(outcome) {
                self.positions[position].debit_free(Side::No, quantity);
                self.contracts[contract].no_converted_out += quantity;
            } else {
                self.positions[position].credit(Side::Yes, quantity);
                self.contracts[contract].yes_converted_in += quantity;
            }
        }
        let k = u64::from(outcomes.count_ones());
        let collateral_micros = (k - 1) * quantity * MICROS_PER_DOLLAR;
        let market_state = &mut self.markets[market_slot];
        debit(&mut market_state.backing_micros, collateral_micros, "market backing");
        market_state.converted_out_micros += collateral_micros;
        self.accounts[account_slot].available_micros += collateral_micros;
        events.push(Event::Converted { account, market, outcomes, quantity, collateral_micros });
        Ok(())
    }
}
