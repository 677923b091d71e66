//! A market's life after trading: close times, resolution rules fed by index values, the
//! optimistic oracle (proposal and bond, liveness, dispute and bond, arbiters' quorum), direct
//! resolution by the administrator, settlement into a payout vector, and redemption.
//!
//! Money held on the way: bonds sit in the market's proposal and dispute until the market
//! resolves (part of the conservation invariant); at settlement the market's backing is split
//! into what its contracts are owed (each contract's payout rounded down) and the dust, which
//! goes to the venue's fee account; holders then redeem what they are owed.

use crate::markets::effective_close_ms;
use crate::table::{AccountSlot, MarketSlot, PositionSlot};
use crate::Engine;
use augury_core::{
    payout, AccountId, Event, IndexId, MarketId, MarketStatus, Micros, OracleConfig, Payout, Quantity, Reject,
    Resolution, ResolutionRule, ResolutionSource, Side, TimestampMs, ARBITERS_MAX,
};

/// A market's rule and the index values it has recorded, one slot per sample time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleState {
    pub rule: ResolutionRule,
    pub samples: Vec<Option<i64>>,
    pub recorded: u32,
}

impl RuleState {
    pub fn new(rule: ResolutionRule) -> RuleState {
        RuleState { rule, samples: vec![None; rule.samples as usize], recorded: 0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub proposer: AccountId,
    pub resolution: Resolution,
    pub bond_micros: Micros,
    pub liveness_ends_ms: TimestampMs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dispute {
    pub disputer: AccountId,
    pub bond_micros: Micros,
}

/// A settled market's payout vector and where its collateral went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settlement {
    pub resolution: Resolution,
    /// Per outcome: what a YES and a NO contract pay.
    pub payouts: Vec<Payout>,
    /// The market's backing when it settled.
    pub collateral_micros: Micros,
    /// What rounding each payout down left over; credited to the fee account.
    pub dust_micros: Micros,
    /// Paid out so far (redemptions and the market maker's close-out).
    pub redeemed_micros: Micros,
}

impl Engine {
    fn check_resolution(&self, market_slot: MarketSlot, resolution: &Resolution) -> Result<(), Reject> {
        match resolution.invalid_reason(&self.markets[market_slot].spec.kind) {
            Some(reason) => Err(Reject::InvalidResolution { reason }),
            None => Ok(()),
        }
    }

    fn wrong_status(&self, market_slot: MarketSlot) -> Reject {
        let market = &self.markets[market_slot];
        Reject::WrongMarketStatus { market: market.spec.market, status: market.status }
    }

    pub(crate) fn set_market_rule(
        &mut self,
        market: MarketId,
        rule: &ResolutionRule,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        let m = &self.markets[slot];
        if m.status != MarketStatus::Open {
            return Err(self.wrong_status(slot));
        }
        if m.rule.is_some() {
            return Err(Reject::RuleAlreadySet { market });
        }
        if let Some(reason) = rule.invalid_reason(&m.spec.kind) {
            return Err(Reject::InvalidRule { reason });
        }
        if rule.at_ms <= self.clock_ms {
            return Err(Reject::InvalidRule { reason: "the rule's time must be after the engine clock" });
        }

        let close_at_ms = effective_close_ms(&m.spec, Some(rule.at_ms));
        let old_close = m.close_at_ms;
        if old_close != 0 {
            self.closings.remove(&(old_close, market));
        }
        self.closings.insert((close_at_ms, market));
        let m = &mut self.markets[slot];
        m.close_at_ms = close_at_ms;
        m.rule = Some(RuleState::new(*rule));
        self.rule_watch.insert((rule.index, market));
        events.push(Event::MarketRuleSet { market, rule: *rule });
        Ok(())
    }

    /// Records an index value in every unsettled rule market that samples it; a market whose last
    /// missing sample this was resolves and settles, in market id order.
    pub(crate) fn record_index_value(
        &mut self,
        index: IndexId,
        at_ms: TimestampMs,
        value: i64,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if at_ms > self.clock_ms {
            return Err(Reject::IndexValueInFuture { at_ms, clock_ms: self.clock_ms });
        }
        let mut wanted: Vec<(MarketSlot, usize)> = Vec::new();
        for &(_, market) in self.rule_watch.range((index, MarketId::MIN)..=(index, MarketId::MAX)) {
            let slot = self.market_index[&market];
            let state = self.markets[slot].rule.as_ref().expect("a watched market has a rule");
            if let Some(sample) = state.rule.sample_of(at_ms) {
                match state.samples[sample] {
                    Some(recorded) if recorded != value => return Err(Reject::IndexValueConflict { index, at_ms }),
                    Some(_) => {}
                    None => wanted.push((slot, sample)),
                }
            }
        }

        events.push(Event::IndexValueRecorded { index, at_ms, value });
        for (slot, sample) in wanted {
            let m = &mut self.markets[slot];
            let kind = m.spec.kind;
            let state = m.rule.as_mut().expect("a watched market has a rule");
            state.samples[sample] = Some(value);
            state.recorded += 1;
            if state.recorded == state.rule.samples {
                let sum: i128 = state.samples.iter().map(|v| i128::from(v.expect("every sample is in"))).sum();
                let resolution = state.rule.resolve(&kind, sum);
                self.finalize(slot, resolution, ResolutionSource::Rule, events);
            }
        }
        Ok(())
    }

    pub(crate) fn configure_oracle(&mut self, config: &OracleConfig, events: &mut Vec<Event>) -> Result<(), Reject> {
        if let Some(reason) = config.invalid_reason() {
            return Err(Reject::InvalidOracleConfig { reason });
        }
        self.oracle = *config;
        events.push(Event::OracleConfigured { config: *config });
        Ok(())
    }

    pub(crate) fn set_arbiter(
        &mut self,
        account: AccountId,
        active: bool,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if self.arbiters.contains(&account) == active {
            return Err(Reject::ArbiterUnchanged { account });
        }
        if active && self.arbiters.len() >= ARBITERS_MAX as usize {
            return Err(Reject::TooManyArbiters { max: ARBITERS_MAX });
        }
        if active {
            self.arbiters.insert(account);
        } else {
            self.arbiters.remove(&account);
        }
        events.push(Event::ArbiterSet { account, active });
        Ok(())
    }

    /// Checks that `account` can post a bond of `bond_micros` and returns its slot.
    fn bond_payer(&self, account: AccountId, bond_micros: Micros) -> Result<AccountSlot, Reject> {
        let slot = self.account_slot(account)?;
        let available_micros = self.accounts[slot].available_micros;
        if bond_micros > available_micros {
            return Err(Reject::InsufficientFunds { needed_micros: bond_micros, available_micros });
        }
        Ok(slot)
    }

    pub(crate) fn propose_outcome(
        &mut self,
        account: AccountId,
        market: MarketId,
        resolution: Resolution,
        bond_micros: Micros,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        if self.markets[slot].status != MarketStatus::Closed {
            return Err(self.wrong_status(slot));
        }
        if self.markets[slot].rule.is_some() {
            return Err(Reject::ResolvedByRule { market });
        }
        self.check_resolution(slot, &resolution)?;
        if bond_micros < self.oracle.min_bond_micros {
            return Err(Reject::BondTooSmall { bond_micros, min_bond_micros: self.oracle.min_bond_micros });
        }
        let payer = self.bond_payer(account, bond_micros)?;

        crate::ledger::debit(&mut self.accounts[payer].available_micros, bond_micros, "available collateral");
        // Saturating: a window that would end past the end of time simply never ends by itself.
        let liveness_ends_ms = self.clock_ms.saturating_add(self.oracle.liveness_ms);
        let m = &mut self.markets[slot];
        m.status = MarketStatus::Resolving;
        m.proposal = Some(Proposal { proposer: account, resolution, bond_micros, liveness_ends_ms });
        self.liveness_ends.insert((liveness_ends_ms, market));
        events.push(Event::OutcomeProposed { market, proposer: account, resolution, bond_micros, liveness_ends_ms });
        Ok(())
    }

    pub(crate) fn dispute_proposal(
        &mut self,
        account: AccountId,
        market: MarketId,
        bond_micros: Micros,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        if self.markets[slot].status != MarketStatus::Resolving {
            return Err(self.wrong_status(slot));
        }
        let proposal = self.markets[slot].proposal.expect("a resolving market has a proposal");
        if proposal.proposer == account {
            return Err(Reject::OwnProposal);
        }
        if bond_micros != proposal.bond_micros {
            return Err(Reject::BondMismatch { bond_micros, required_micros: proposal.bond_micros });
        }
        let payer = self.bond_payer(account, bond_micros)?;

        crate::ledger::debit(&mut self.accounts[payer].available_micros, bond_micros, "available collateral");
        self.liveness_ends.remove(&(proposal.liveness_ends_ms, market));
        let m = &mut self.markets[slot];
        m.status = MarketStatus::Disputed;
        m.dispute = Some(Dispute { disputer: account, bond_micros });
        events.push(Event::ProposalDisputed { market, disputer: account, bond_micros });
        Ok(())
    }

    pub(crate) fn cast_arbiter_vote(
        &mut self,
        arbiter: AccountId,
        market: MarketId,
        resolution: Resolution,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        if self.markets[slot].status != MarketStatus::Disputed {
            return Err(self.wrong_status(slot));
        }
        if !self.arbiters.contains(&arbiter) {
            return Err(Reject::NotAnArbiter { account: arbiter });
        }
        let votes = &self.markets[slot].votes;
        let Err(position) = votes.binary_search_by_key(&arbiter, |&(voter, _)| voter) else {
            return Err(Reject::AlreadyVoted { account: arbiter, market });
        };
        self.check_resolution(slot, &resolution)?;

        let m = &mut self.markets[slot];
        m.votes.insert(position, (arbiter, resolution));
        let count = u32::try_from(m.votes.iter().filter(|&&(_, r)| r == resolution).count())
            .expect("at most ARBITERS_MAX votes");
        events.push(Event::ArbiterVoted { market, arbiter, resolution, votes: count });
        if count >= self.oracle.quorum {
            self.finalize(slot, resolution, ResolutionSource::Arbiters, events);
        }
        Ok(())
    }

    pub(crate) fn resolve_market(
        &mut self,
        market: MarketId,
        resolution: Resolution,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        if self.markets[slot].status == MarketStatus::Settled {
            return Err(self.wrong_status(slot));
        }
        self.check_resolution(slot, &resolution)?;
        self.finalize(slot, resolution, ResolutionSource::Admin, events);
        Ok(())
    }

    /// Closes every open market whose close time has come, earliest first.
    pub(crate) fn close_due_markets(&mut self, events: &mut Vec<Event>) {
        while let Some(&(close_at_ms, market)) = self.closings.first() {
            if close_at_ms > self.clock_ms {
                break;
            }
            let slot = self.market_index[&market];
            self.close_trading(slot, events);
        }
    }

    /// Makes final every undisputed proposal whose liveness window has ended, earliest first.
    pub(crate) fn finalize_due_proposals(&mut self, events: &mut Vec<Event>) {
        while let Some(&(ends_ms, market)) = self.liveness_ends.first() {
            if ends_ms > self.clock_ms {
                break;
            }
            let slot = self.market_index[&market];
            let proposal = self.markets[slot].proposal.expect("a resolving market has a proposal");
            self.finalize(slot, proposal.resolution, ResolutionSource::Proposal, events);
        }
    }

    /// Resolves and settles a market (closing it first if it is still open): the resolution
    /// event, the bonds, the payout vector and dust, and the market maker's close-out.
    pub(crate) fn finalize(
        &mut self,
        slot: MarketSlot,
        resolution: Resolution,
        source: ResolutionSource,
        events: &mut Vec<Event>,
    ) {
        if self.markets[slot].status == MarketStatus::Open {
            self.close_trading(slot, events);
        }
        let m = &mut self.markets[slot];
        let market = m.spec.market;
        debug_assert_ne!(m.status, MarketStatus::Settled);
        if let Some(proposal) = m.proposal {
            self.liveness_ends.remove(&(proposal.liveness_ends_ms, market));
        }
        if let Some(state) = &m.rule {
            // The rule and its samples stay on record: the evidence of a rule's resolution.
            self.rule_watch.remove(&(state.rule.index, market));
        }
        events.push(Event::MarketResolved { market, resolution, source });
        self.settle_bonds(slot, resolution, events);
        self.settle(slot, resolution, events);
        self.close_amm(slot, events);
    }

    /// Returns or forfeits the proposal's and the dispute's bonds. A disputed market: whoever was
    /// right (the proposer if the final resolution is the one proposed, else the disputer) gets
    /// its bond back and the other's, less the venue's fee. An undisputed proposal: its bond comes
    /// back if the resolution is the one proposed, and goes to the venue if an administrator
    /// resolved otherwise.
    fn settle_bonds(&mut self, slot: MarketSlot, resolution: Resolution, events: &mut Vec<Event>) {
        let m = &mut self.markets[slot];
        let market = m.spec.market;
        let (proposal, dispute) = (m.proposal.take(), m.dispute.take());
        m.votes.clear();
        let Some(proposal) = proposal else {
            debug_assert!(dispute.is_none());
            return;
        };
        let proposer_right = proposal.resolution == resolution;
        let fee_account_id = self.config.fee_account;
        let (winner, loser) = match (dispute, proposer_right) {
            (None, true) => ((proposal.proposer, proposal.bond_micros), None),
            (None, false) => {
                let fee_account = self.fee_account;
                self.accounts[fee_account].available_micros += proposal.bond_micros;
                events.push(Event::BondForfeited {
                    market,
                    account: proposal.proposer,
                    amount_micros: proposal.bond_micros,
                    to: fee_account_id,
                    paid_micros: 0,
                    fee_micros: proposal.bond_micros,
                });
                return;
            }
            (Some(d), true) => ((proposal.proposer, proposal.bond_micros), Some((d.disputer, d.bond_micros))),
            (Some(d), false) => ((d.disputer, d.bond_micros), Some((proposal.proposer, proposal.bond_micros))),
        };
        let winner_slot = self.account_index[&winner.0];
        self.accounts[winner_slot].available_micros += winner.1;
        events.push(Event::BondReturned { market, account: winner.0, amount_micros: winner.1 });
        if let Some((loser, bond_micros)) = loser {
            let fee_micros = self.oracle.dispute_fee_micros(bond_micros);
            let paid_micros = bond_micros - fee_micros;
            self.accounts[winner_slot].available_micros += paid_micros;
            let fee_account = self.fee_account;
            self.accounts[fee_account].available_micros += fee_micros;
            events.push(Event::BondForfeited {
                market,
                account: loser,
                amount_micros: bond_micros,
                to: winner.0,
                paid_micros,
                fee_micros,
            });
        }
    }

    /// Fixes the payout vector: what every outstanding contract is owed stays as the market's
    /// backing, the rest (rounding dust) goes to the fee account.
    fn settle(&mut self, slot: MarketSlot, resolution: Resolution, events: &mut Vec<Event>) {
        let m = &self.markets[slot];
        let kind = m.spec.kind;
        let payouts: Vec<Payout> = (0..m.outcome_count()).map(|o| payout(&kind, &resolution, o)).collect();
        let payable: u128 = (0..m.outcome_count())
            .map(|outcome| {
                let (yes, no) = self.outstanding(slot, outcome);
                let p = payouts[outcome as usize];
                u128::from(yes) * u128::from(p.yes_micros) + u128::from(no) * u128::from(p.no_micros)
            })
            .sum();
        let collateral_micros = m.backing_micros;
        let payable_micros = u64::try_from(payable).expect("payouts are bounded by the backing");
        assert!(
            payable_micros <= collateral_micros,
            "market {} owes {payable} but holds {collateral_micros}",
            m.spec.market
        );
        let dust_micros = collateral_micros - payable_micros;
        let market = m.spec.market;

        let fee_account = self.fee_account;
        self.accounts[fee_account].available_micros += dust_micros;
        let m = &mut self.markets[slot];
        m.backing_micros = payable_micros;
        m.status = MarketStatus::Settled;
        m.settlement = Some(Settlement { resolution, payouts, collateral_micros, dust_micros, redeemed_micros: 0 });
        events.push(Event::MarketSettled { market, resolution, collateral_micros, payable_micros, dust_micros });
    }

    /// YES and NO of `outcome` outstanding (held by accounts and the market maker), from the
    /// issuance counters.
    pub(crate) fn outstanding(&self, market_slot: MarketSlot, outcome: u16) -> (Quantity, Quantity) {
        let m = &self.markets[market_slot];
        let c = &self.contracts[m.contract(outcome)];
        let pairs = c.pairs_minted - c.pairs_merged;
        let yes = pairs + (m.full_sets_split - m.full_sets_merged) + c.yes_converted_in - c.yes_redeemed;
        let no = pairs - c.no_converted_out - c.no_redeemed;
        (yes, no)
    }

    /// Pays out `yes`/`no` contracts of `outcome` of a settled market from its backing; returns
    /// the payout.
    pub(crate) fn pay_out(&mut self, market_slot: MarketSlot, outcome: u16, yes: Quantity, no: Quantity) -> Micros {
        let m = &mut self.markets[market_slot];
        let settlement = m.settlement.as_mut().expect("the market is settled");
        let p = settlement.payouts[outcome as usize];
        let amount = yes * p.yes_micros + no * p.no_micros;
        settlement.redeemed_micros += amount;
        crate::ledger::debit(&mut m.backing_micros, amount, "market backing");
        let contract = m.contract(outcome);
        self.contracts[contract].yes_redeemed += yes;
        self.contracts[contract].no_redeemed += no;
        amount
    }

    pub(crate) fn redeem(
        &mut self,
        account: AccountId,
        market: MarketId,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.market_slot(market)?;
        if self.markets[slot].status != MarketStatus::Settled {
            return Err(Reject::MarketNotSettled { market });
        }
        let account_slot = self.account_slot(account)?;
        let outcomes = self.markets[slot].outcome_count();
        let mut held: Vec<(u16, PositionSlot)> = Vec::new();
        let mut contracts: Quantity = 0;
        for outcome in 0..outcomes {
            let contract = self.markets[slot].contract(outcome);
            if let Some(&position) = self.position_index.get(&(account_slot, contract)) {
                let p = &self.positions[position];
                // Closing cancelled every order, so nothing is reserved any more.
                debug_assert_eq!(p.yes_reserved + p.no_reserved, 0);
                if p.yes_free + p.no_free > 0 {
                    contracts += p.yes_free + p.no_free;
                    held.push((outcome, position));
                }
            }
        }
        if contracts == 0 {
            return Err(Reject::NothingToRedeem { account, market });
        }

        let mut payout_micros: Micros = 0;
        for (outcome, position) in held {
            let p = &mut self.positions[position];
            let (yes, no) = (p.yes_free, p.no_free);
            p.debit_free(Side::Yes, yes);
            p.debit_free(Side::No, no);
            payout_micros += self.pay_out(slot, outcome, yes, no);
        }
        self.accounts[account_slot].available_micros += payout_micros;
        events.push(Event::Redeemed { account, market, contracts, payout_micros });
        Ok(())
    }
}
