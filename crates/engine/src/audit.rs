//! The invariants, checked in full by walking the whole state. Cheap checks also run inline as
//! assertions where state changes; this audit is what property and simulation tests call after
//! every step, and what a snapshot loader can call before trusting a state.

use crate::amm::states_of;
use crate::slab::NIL;
use crate::table::Slot;
use crate::Engine;
use augury_core::{payout, Action, BookSide, MarketStatus, MICROS_PER_DOLLAR};

/// An invariant that does not hold: an accounting bug, never a user error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invariant violated: {0}")]
pub struct InvariantViolation(pub String);

macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            return Err(InvariantViolation(format!($($arg)*)));
        }
    };
}

impl Engine {
    /// Checks every invariant:
    /// - conservation: available + reserved over all accounts, plus every market's backing, the
    ///   bonds it holds and its market maker's cash, equals deposits minus withdrawals (fees and
    ///   settlement dust are in the fee account);
    /// - each account's reserved collateral, and each position's reserved contracts, equal what its
    ///   resting orders hold;
    /// - per outcome, outstanding YES and NO equal the sets minted minus merged (adjusted by
    ///   categorical full sets and conversions), and each market's backing pays out exactly what
    ///   its contracts are owed in every resolution;
    /// - no book is crossed, and every level's totals, links and bitmap agree with its orders;
    /// - a settled market's backing is exactly what its outstanding contracts are owed under its
    ///   payout vector, and what it paid out plus the dust plus that backing is the collateral it
    ///   settled with, which is what issuance brought in;
    /// - each market's lifecycle state agrees with its proposal, dispute, votes, settlement, market
    ///   maker and the time indexes (closings, liveness ends, rule watch); only open markets have
    ///   resting orders; a market maker always holds no claim of some state.
    ///
    /// (Balances are unsigned and every debit is checked, so "never negative" holds by
    /// construction; a violation would have stopped the engine at the debit.)
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.check_conservation()?;
        self.check_reservations()?;
        self.check_issuance()?;
        self.check_books()?;
        self.check_lifecycle()
    }

    /// The identity on the sums the treasury view shows (`Engine::treasury`), computed there once
    /// so the audit and what operators read cannot disagree.
    fn check_conservation(&self) -> Result<(), InvariantViolation> {
        let t = self.treasury();
        ensure!(
            t.balanced(),
            "accounts hold {} available and {} reserved, markets back {}, bonds {}, market makers {}, but deposits net {}",
            t.available_micros,
            t.reserved_micros,
            t.backing_micros,
            t.bonds_micros,
            t.amm_cash_micros,
            t.net_deposits_micros()
        );
        Ok(())
    }

    fn check_reservations(&self) -> Result<(), InvariantViolation> {
        let mut reserved_micros = vec![0u128; self.accounts.len()];
        let mut reserved_yes = vec![0u128; self.positions.len()];
        let mut reserved_no = vec![0u128; self.positions.len()];
        for (&id, &slot) in &self.order_index {
            let order = self.slab.get(slot);
            ensure!(order.id == id, "order index maps {id} to a slot holding {}", order.id);
            ensure!(order.remaining > 0, "order {id} rests with nothing left");
            match (order.action, order.side) {
                (Action::Buy, _) => {
                    reserved_micros[order.account.index()] +=
                        u128::from(order.remaining) * u128::from(order.unit_reserve_micros)
                }
                (Action::Sell, augury_core::Side::Yes) => {
                    reserved_yes[order.position.index()] += u128::from(order.remaining)
                }
                (Action::Sell, augury_core::Side::No) => {
                    reserved_no[order.position.index()] += u128::from(order.remaining)
                }
            }
        }
        for (slot, account) in self.accounts.iter().enumerate() {
            ensure!(
                u128::from(account.reserved_micros) == reserved_micros[slot],
                "account {} reserves {} but its orders hold {}",
                account.id,
                account.reserved_micros,
                reserved_micros[slot]
            );
        }
        for (slot, position) in self.positions.iter().enumerate() {
            ensure!(
                u128::from(position.yes_reserved) == reserved_yes[slot]
                    && u128::from(position.no_reserved) == reserved_no[slot],
                "a position of account {} reserves {}/{} contracts but its orders hold {}/{}",
                self.accounts[position.account].id,
                position.yes_reserved,
                position.no_reserved,
                reserved_yes[slot],
                reserved_no[slot]
            );
        }
        Ok(())
    }

    fn check_issuance(&self) -> Result<(), InvariantViolation> {
        let mut yes_out = vec![0i128; self.contracts.len()];
        let mut no_out = vec![0i128; self.contracts.len()];
        for position in &self.positions {
            yes_out[position.contract.index()] += i128::from(position.yes_free + position.yes_reserved);
            no_out[position.contract.index()] += i128::from(position.no_free + position.no_reserved);
        }
        // The market maker's claims are outstanding contracts too.
        for market in &self.markets {
            let Some(amm) = &market.amm else { continue };
            if market.is_categorical() {
                for (outcome, &held) in amm.claims.iter().enumerate() {
                    yes_out[market.contract(crate::outcome_at(outcome)).index()] += i128::from(held);
                }
            } else {
                yes_out[market.first_contract.index()] += i128::from(amm.claims[0]);
                no_out[market.first_contract.index()] += i128::from(amm.claims[1]);
            }
        }
        for market in &self.markets {
            let id = market.spec.market;
            if let Some(settlement) = &market.settlement {
                // Settled: every contract is owed its payout; the backing holds exactly that.
                let mut owed = 0i128;
                let mut pairs_total = 0i128;
                let full_sets = i128::from(market.full_sets_split) - i128::from(market.full_sets_merged);
                for outcome in 0..market.outcome_count() {
                    let c = market.contract(outcome).index();
                    let contract = &self.contracts[market.contract(outcome)];
                    let pairs = i128::from(contract.pairs_minted) - i128::from(contract.pairs_merged);
                    let expected_yes =
                        pairs + full_sets + i128::from(contract.yes_converted_in) - i128::from(contract.yes_redeemed);
                    let expected_no = pairs - i128::from(contract.no_converted_out) - i128::from(contract.no_redeemed);
                    ensure!(
                        yes_out[c] == expected_yes && no_out[c] == expected_no,
                        "settled market {id} outcome {outcome}: {}/{} YES/NO outstanding, issuance says {expected_yes}/{expected_no}",
                        yes_out[c],
                        no_out[c]
                    );
                    let p = settlement.payouts[outcome as usize];
                    ensure!(
                        p == payout(&market.spec.kind, &settlement.resolution, outcome),
                        "settled market {id}: the payout vector does not follow from the resolution"
                    );
                    ensure!(
                        p.yes_micros + p.no_micros <= MICROS_PER_DOLLAR,
                        "settled market {id}: a pair pays more than a dollar"
                    );
                    owed += yes_out[c] * i128::from(p.yes_micros) + no_out[c] * i128::from(p.no_micros);
                    pairs_total += pairs;
                }
                let backing = i128::from(market.backing_micros);
                ensure!(backing == owed, "settled market {id} holds {backing} but owes {owed}");
                let issued =
                    (pairs_total + full_sets) * i128::from(MICROS_PER_DOLLAR) - i128::from(market.converted_out_micros);
                ensure!(
                    i128::from(settlement.collateral_micros) == issued,
                    "settled market {id} settled with {} but its issuance paid in {issued}",
                    settlement.collateral_micros
                );
                ensure!(
                    i128::from(settlement.redeemed_micros) + i128::from(settlement.dust_micros) + backing
                        == i128::from(settlement.collateral_micros),
                    "settled market {id}: paid {} + dust {} + held {backing} is not the {} it settled with",
                    settlement.redeemed_micros,
                    settlement.dust_micros,
                    settlement.collateral_micros
                );
                continue;
            }
            let full_sets = i128::from(market.full_sets_split) - i128::from(market.full_sets_merged);
            let mut pairs_total = 0i128;
            let mut no_total = 0i128;
            let mut yes_over_no = None;
            for outcome in 0..market.outcome_count() {
                let c = market.contract(outcome).index();
                let contract = &self.contracts[market.contract(outcome)];
                let pairs = i128::from(contract.pairs_minted) - i128::from(contract.pairs_merged);
                let expected_yes = pairs + full_sets + i128::from(contract.yes_converted_in);
                let expected_no = pairs - i128::from(contract.no_converted_out);
                ensure!(
                    yes_out[c] == expected_yes,
                    "market {id} outcome {outcome}: {} YES outstanding, issuance says {expected_yes}",
                    yes_out[c]
                );
                ensure!(
                    no_out[c] == expected_no,
                    "market {id} outcome {outcome}: {} NO outstanding, issuance says {expected_no}",
                    no_out[c]
                );
                let difference = yes_out[c] - no_out[c];
                ensure!(
                    *yes_over_no.get_or_insert(difference) == difference,
                    "market {id}: YES minus NO differs between outcomes, so some resolution is under-backed"
                );
                pairs_total += pairs;
                no_total += no_out[c];
            }
            // Whichever outcome wins, its YES and every other outcome's NO are paid: that is the
            // NO total plus the common YES-over-NO excess, for every winner alike.
            let owed = (no_total + yes_over_no.unwrap_or(0)) * i128::from(MICROS_PER_DOLLAR);
            let backing = i128::from(market.backing_micros);
            ensure!(backing == owed, "market {id} is backed by {backing} but owes {owed} in every resolution");
            let issued =
                (pairs_total + full_sets) * i128::from(MICROS_PER_DOLLAR) - i128::from(market.converted_out_micros);
            ensure!(backing == issued, "market {id} is backed by {backing} but its issuance paid in {issued}");
            if !market.is_categorical() {
                ensure!(yes_over_no == Some(0), "market {id}: YES and NO outstanding differ");
            }
        }
        Ok(())
    }

    fn check_books(&self) -> Result<(), InvariantViolation> {
        let mut linked = 0usize;
        for contract in &self.contracts {
            let book = &contract.book;
            if let (Some(bid), Some(ask)) = (book.best_bid(), book.best_ask()) {
                ensure!(bid < ask, "a book is crossed: bid {bid} >= ask {ask}");
            }
            for side in [BookSide::Bid, BookSide::Ask] {
                let mut non_empty = Vec::new();
                for ticks in 0..book.ticks_per_dollar() {
                    let level = book.level(side, ticks);
                    let (mut quantity, mut orders, mut slot, mut prev) = (0u64, 0u32, level.head, NIL);
                    while slot != NIL {
                        let order = self.slab.get(slot);
                        ensure!(order.prev == prev, "order {} has a broken back link", order.id);
                        ensure!(
                            order.yes_ticks == ticks && order.book_side == side,
                            "order {} sits at the wrong level",
                            order.id
                        );
                        ensure!(
                            self.order_index.get(&order.id) == Some(&slot),
                            "order {} is in a book but not indexed",
                            order.id
                        );
                        quantity += order.remaining;
                        orders += 1;
                        prev = slot;
                        slot = order.next;
                    }
                    ensure!(level.tail == prev, "a level's tail is not its last order");
                    ensure!(
                        level.quantity == quantity && level.orders == orders,
                        "a level's totals disagree with its orders"
                    );
                    if level.head != NIL {
                        ensure!(
                            ticks > 0 && ticks < book.ticks_per_dollar(),
                            "an order rests at a price outside (0, 1)"
                        );
                        non_empty.push(ticks);
                    }
                    linked += orders as usize;
                }
                // The bitmap walk (best, then next) must visit exactly the non-empty levels.
                let mut walked = Vec::new();
                let mut ticks = book.best(side);
                while let Some(t) = ticks {
                    walked.push(t);
                    ticks = book.next_level(side, t);
                }
                if side == BookSide::Bid {
                    walked.reverse();
                }
                ensure!(walked == non_empty, "the level bitmap disagrees with the levels");
            }
        }
        ensure!(linked == self.order_index.len(), "{linked} orders in books, {} indexed", self.order_index.len());
        ensure!(linked == self.slab.len(), "{linked} orders in books, {} slots in use", self.slab.len());
        for &(expires_at_ms, id) in &self.expiries {
            let slot = self.order_index.get(&id);
            ensure!(
                slot.is_some_and(|&s| self.slab.get(s).expires_at_ms == expires_at_ms),
                "expiry entry for order {id} has no matching order"
            );
            ensure!(expires_at_ms > self.clock_ms, "order {id} outlived its expiry");
        }
        Ok(())
    }

    fn check_lifecycle(&self) -> Result<(), InvariantViolation> {
        let mut closings = std::collections::BTreeSet::new();
        let mut liveness_ends = std::collections::BTreeSet::new();
        let mut rule_watch = std::collections::BTreeSet::new();
        for market in &self.markets {
            let id = market.spec.market;
            let status = market.status;
            let open = status == MarketStatus::Open;
            let settled = status == MarketStatus::Settled;
            if open && market.close_at_ms != 0 {
                ensure!(market.close_at_ms > self.clock_ms, "market {id} is open past its close time");
                closings.insert((market.close_at_ms, id));
            }
            let expected_close =
                crate::markets::effective_close_ms(&market.spec, market.rule.as_ref().map(|r| r.rule.at_ms));
            ensure!(market.close_at_ms == expected_close, "market {id} closes at the wrong time");
            if !open {
                for outcome in 0..market.outcome_count() {
                    let book = &self.contracts[market.contract(outcome)].book;
                    ensure!(
                        book.best_bid().is_none() && book.best_ask().is_none(),
                        "market {id} is {status} but has resting orders"
                    );
                }
            }
            ensure!(
                market.proposal.is_some() == matches!(status, MarketStatus::Resolving | MarketStatus::Disputed),
                "market {id} is {status} but {} a proposal",
                if market.proposal.is_some() { "has" } else { "lacks" }
            );
            ensure!(
                market.dispute.is_some() == (status == MarketStatus::Disputed),
                "market {id} is {status} but {} a dispute",
                if market.dispute.is_some() { "has" } else { "lacks" }
            );
            ensure!(
                status == MarketStatus::Disputed || market.votes.is_empty(),
                "market {id} has votes outside a dispute"
            );
            ensure!(
                market.votes.windows(2).all(|w| w[0].0 < w[1].0),
                "market {id}: votes not sorted or an arbiter voted twice"
            );
            if let (Some(proposal), MarketStatus::Resolving) = (market.proposal, status) {
                ensure!(proposal.liveness_ends_ms > self.clock_ms, "market {id}'s proposal outlived its liveness");
                liveness_ends.insert((proposal.liveness_ends_ms, id));
            }
            if let (Some(proposal), Some(dispute)) = (market.proposal, market.dispute) {
                ensure!(dispute.bond_micros == proposal.bond_micros, "market {id}'s bonds differ");
                ensure!(dispute.disputer != proposal.proposer, "market {id} was disputed by its proposer");
            }
            ensure!(market.settlement.is_some() == settled, "market {id} is {status} but its settlement disagrees");
            ensure!(!settled || market.amm.is_none(), "settled market {id} still has a market maker");
            if let Some(state) = &market.rule {
                ensure!(market.proposal.is_none(), "rule market {id} has a proposal");
                ensure!(state.samples.len() == state.rule.samples as usize, "market {id}: sample slots");
                let recorded = state.samples.iter().filter(|v| v.is_some()).count();
                ensure!(
                    recorded == state.recorded as usize && (settled || state.recorded < state.rule.samples),
                    "market {id} is {status} with {recorded} samples recorded, {} counted, of {}",
                    state.recorded,
                    state.rule.samples
                );
                if !settled {
                    rule_watch.insert((state.rule.index, id));
                }
            }
            if let Some(amm) = &market.amm {
                ensure!(amm.claims.len() == states_of(&market.spec.kind), "market {id}: market maker state count");
                ensure!(amm.claims.iter().min() == Some(&0), "market {id}'s market maker holds a full set");
                ensure!(
                    (crate::amm::MIN_LIQUIDITY_MICROS..=crate::amm::LIQUIDITY_MAX_MICROS)
                        .contains(&amm.liquidity_micros),
                    "market {id}: market maker liquidity out of range"
                );
                ensure!(self.account_index.contains_key(&amm.operator), "market {id}: market maker operator unknown");
            }
        }
        ensure!(closings == self.closings, "the closing index disagrees with the markets");
        ensure!(liveness_ends == self.liveness_ends, "the liveness index disagrees with the markets");
        ensure!(rule_watch == self.rule_watch, "the rule index disagrees with the markets");
        ensure!(self.oracle.invalid_reason().is_none(), "the oracle settings are invalid");
        ensure!(self.arbiters.len() <= augury_core::ARBITERS_MAX as usize, "too many arbiters");
        Ok(())
    }
}
