//! Snapshots: the whole engine state as a plain, serializable value, and back. A snapshot lists
//! everything in key order and every book level's orders in queue order, so restoring it rebuilds
//! an engine with the same state hash, which then behaves identically to the original.

use crate::amm::{states_of, Amm};
use crate::book::Book;
use crate::ledger::{Account, Position};
use crate::lifecycle::{Dispute, Proposal, RuleState, Settlement};
use crate::markets::{effective_close_ms, Contract, Market};
use crate::slab::{RestingOrder, NIL};
use crate::table::{ContractSlot, Slot};
use crate::{Engine, EngineConfig, InvariantViolation};
use augury_core::{
    payout, AccountId, Action, BookSide, MarketId, MarketSpec, MarketStatus, Micros, OracleConfig, OrderId,
    OutcomeIndex, Quantity, Resolution, ResolutionRule, SelfTradePrevention, Side, TimestampMs,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSnapshot {
    pub fee_account: AccountId,
    pub max_open_orders: u32,
    pub clock_ms: TimestampMs,
    pub highest_order_id: OrderId,
    pub next_trade_id: u64,
    pub deposited_micros: u128,
    pub withdrawn_micros: u128,
    pub accounts: Vec<AccountSnapshot>,
    pub markets: Vec<MarketSnapshot>,
    #[serde(default)]
    pub oracle: OracleConfig,
    /// In increasing order.
    #[serde(default)]
    pub arbiters: Vec<AccountId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSnapshot {
    pub account: AccountId,
    pub available_micros: Micros,
    pub reserved_micros: Micros,
    /// (market, outcome, yes_free, yes_reserved, no_free, no_reserved), in key order.
    pub positions: Vec<(MarketId, OutcomeIndex, Quantity, Quantity, Quantity, Quantity)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketSnapshot {
    pub spec: MarketSpec,
    pub status: MarketStatus,
    pub backing_micros: Micros,
    pub full_sets_split: Quantity,
    pub full_sets_merged: Quantity,
    pub converted_out_micros: Micros,
    pub outcomes: Vec<OutcomeSnapshot>,
    #[serde(default)]
    pub rule: Option<ResolutionRule>,
    /// The rule's samples recorded so far, one slot per sample time.
    #[serde(default)]
    pub samples: Vec<Option<i64>>,
    #[serde(default)]
    pub proposal: Option<ProposalSnapshot>,
    /// The arbiters' votes, in arbiter order.
    #[serde(default)]
    pub votes: Vec<(AccountId, Resolution)>,
    #[serde(default)]
    pub settlement: Option<SettlementSnapshot>,
    #[serde(default)]
    pub amm: Option<AmmSnapshot>,
}

/// A pending proposal, and the dispute of it if there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalSnapshot {
    pub proposer: AccountId,
    pub resolution: Resolution,
    pub bond_micros: Micros,
    pub liveness_ends_ms: TimestampMs,
    /// (disputer, bond)
    pub dispute: Option<(AccountId, Micros)>,
}

/// A settled market; the payout vector follows from the resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementSnapshot {
    pub resolution: Resolution,
    pub collateral_micros: Micros,
    pub dust_micros: Micros,
    pub redeemed_micros: Micros,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmmSnapshot {
    pub operator: AccountId,
    pub liquidity_micros: Micros,
    pub funded_micros: Micros,
    pub cash_micros: Micros,
    pub claims: Vec<Quantity>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeSnapshot {
    pub pairs_minted: Quantity,
    pub pairs_merged: Quantity,
    pub yes_converted_in: Quantity,
    pub no_converted_out: Quantity,
    #[serde(default)]
    pub yes_redeemed: Quantity,
    #[serde(default)]
    pub no_redeemed: Quantity,
    /// Resting orders, bids then asks, best level first, queue order within a level.
    pub orders: Vec<OrderSnapshot>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSnapshot {
    pub order: OrderId,
    pub account: AccountId,
    pub side: Side,
    pub action: Action,
    pub yes_ticks: u32,
    pub remaining: Quantity,
    pub unit_reserve_micros: Micros,
    pub expires_at_ms: TimestampMs,
    pub self_trade: SelfTradePrevention,
    pub post_only: bool,
}

impl Engine {
    pub fn snapshot(&self) -> EngineSnapshot {
        let mut accounts: Vec<AccountSnapshot> = self
            .accounts
            .iter()
            .map(|a| AccountSnapshot {
                account: a.id,
                available_micros: a.available_micros,
                reserved_micros: a.reserved_micros,
                positions: Vec::new(),
            })
            .collect();
        for position in self.positions.iter().filter(|p| p.yes_free + p.yes_reserved + p.no_free + p.no_reserved > 0) {
            let contract = &self.contracts[position.contract];
            accounts[position.account.index()].positions.push((
                self.markets[contract.market].spec.market,
                contract.outcome,
                position.yes_free,
                position.yes_reserved,
                position.no_free,
                position.no_reserved,
            ));
        }
        for account in &mut accounts {
            account.positions.sort_unstable_by_key(|p| (p.0, p.1));
        }
        accounts.sort_unstable_by_key(|a| a.account);

        let mut markets: Vec<MarketSnapshot> = self.markets.iter().map(|m| self.market_snapshot(m)).collect();
        markets.sort_unstable_by_key(|m| m.spec.market);
        EngineSnapshot {
            fee_account: self.config.fee_account,
            max_open_orders: self.config.max_open_orders,
            clock_ms: self.clock_ms,
            highest_order_id: self.highest_order_id,
            next_trade_id: self.next_trade_id,
            deposited_micros: self.deposited_micros,
            withdrawn_micros: self.withdrawn_micros,
            accounts,
            markets,
            oracle: self.oracle,
            arbiters: self.arbiters.iter().copied().collect(),
        }
    }

    fn market_snapshot(&self, market: &Market) -> MarketSnapshot {
        let outcomes = (0..market.outcome_count())
            .map(|outcome| {
                let contract = &self.contracts[market.contract(outcome)];
                let mut orders = Vec::new();
                for side in [BookSide::Bid, BookSide::Ask] {
                    let mut ticks = contract.book.best(side);
                    while let Some(t) = ticks {
                        let mut slot = contract.book.level(side, t).head;
                        while slot != NIL {
                            let o = self.slab.get(slot);
                            orders.push(OrderSnapshot {
                                order: o.id,
                                account: o.account_id,
                                side: o.side,
                                action: o.action,
                                yes_ticks: o.yes_ticks,
                                remaining: o.remaining,
                                unit_reserve_micros: o.unit_reserve_micros,
                                expires_at_ms: o.expires_at_ms,
                                self_trade: o.self_trade,
                                post_only: o.post_only,
                            });
                            slot = o.next;
                        }
                        ticks = contract.book.next_level(side, t);
                    }
                }
                OutcomeSnapshot {
                    pairs_minted: contract.pairs_minted,
                    pairs_merged: contract.pairs_merged,
                    yes_converted_in: contract.yes_converted_in,
                    no_converted_out: contract.no_converted_out,
                    yes_redeemed: contract.yes_redeemed,
                    no_redeemed: contract.no_redeemed,
                    orders,
                }
            })
            .collect();
        MarketSnapshot {
            spec: market.spec,
            status: market.status,
            backing_micros: market.backing_micros,
            full_sets_split: market.full_sets_split,
            full_sets_merged: market.full_sets_merged,
            converted_out_micros: market.converted_out_micros,
            outcomes,
            rule: market.rule.as_ref().map(|state| state.rule),
            samples: market.rule.as_ref().map_or_else(Vec::new, |state| state.samples.clone()),
            proposal: market.proposal.map(|p| ProposalSnapshot {
                proposer: p.proposer,
                resolution: p.resolution,
                bond_micros: p.bond_micros,
                liveness_ends_ms: p.liveness_ends_ms,
                dispute: market.dispute.map(|d| (d.disputer, d.bond_micros)),
            }),
            votes: market.votes.clone(),
            settlement: market.settlement.as_ref().map(|s| SettlementSnapshot {
                resolution: s.resolution,
                collateral_micros: s.collateral_micros,
                dust_micros: s.dust_micros,
                redeemed_micros: s.redeemed_micros,
            }),
            amm: market.amm.as_ref().map(|a| AmmSnapshot {
                operator: a.operator,
                liquidity_micros: a.liquidity_micros,
                funded_micros: a.funded_micros,
                cash_micros: a.cash_micros,
                claims: a.claims.clone(),
            }),
        }
    }

    /// Rebuilds an engine from a snapshot and audits it; a snapshot that does not satisfy every
    /// invariant (corrupt, or from a buggy writer) is refused.
    pub fn restore(snapshot: &EngineSnapshot) -> Result<Engine, InvariantViolation> {
        let bad = |what: &str| InvariantViolation(format!("snapshot: {what}"));
        let mut engine =
            Engine::new(EngineConfig { fee_account: snapshot.fee_account, max_open_orders: snapshot.max_open_orders });
        engine.clock_ms = snapshot.clock_ms;
        engine.highest_order_id = snapshot.highest_order_id;
        engine.next_trade_id = snapshot.next_trade_id;
        engine.deposited_micros = snapshot.deposited_micros;
        engine.withdrawn_micros = snapshot.withdrawn_micros;
        if snapshot.oracle.invalid_reason().is_some() {
            return Err(bad("the oracle settings are invalid"));
        }
        engine.oracle = snapshot.oracle;
        if !snapshot.arbiters.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad("arbiters must be listed once each, in order"));
        }
        engine.arbiters = snapshot.arbiters.iter().copied().collect();

        if !snapshot.accounts.windows(2).all(|w| w[0].account < w[1].account)
            || !snapshot.markets.windows(2).all(|w| w[0].spec.market < w[1].spec.market)
        {
            return Err(bad("accounts and markets must be listed once each, in key order"));
        }
        for market in &snapshot.markets {
            if market.spec.invalid_reason().is_some() {
                return Err(bad("a market spec is invalid"));
            }
            if market.outcomes.len() != usize::from(market.spec.kind.outcome_count()) {
                return Err(bad("a market has the wrong number of outcomes"));
            }
            let market_slot = engine.markets.next_slot();
            let first_contract = engine.contracts.next_slot();
            let ticks_per_dollar = crate::grid_ticks(market.spec.ticks_per_dollar());
            for (outcome, o) in market.outcomes.iter().enumerate() {
                engine.contracts.push(Contract {
                    market: market_slot,
                    outcome: crate::outcome_at(outcome),
                    book: Book::new(ticks_per_dollar),
                    pairs_minted: o.pairs_minted,
                    pairs_merged: o.pairs_merged,
                    yes_converted_in: o.yes_converted_in,
                    no_converted_out: o.no_converted_out,
                    yes_redeemed: o.yes_redeemed,
                    no_redeemed: o.no_redeemed,
                });
            }
            let lifecycle = restore_lifecycle(market).map_err(bad)?;
            let id = market.spec.market;
            let close_at_ms = effective_close_ms(&market.spec, market.rule.map(|rule| rule.at_ms));
            if market.status == MarketStatus::Open && close_at_ms != 0 {
                engine.closings.insert((close_at_ms, id));
            }
            if let (Some(p), MarketStatus::Resolving) = (&lifecycle.proposal, market.status) {
                engine.liveness_ends.insert((p.liveness_ends_ms, id));
            }
            if let (Some(rule), None) = (&market.rule, &market.settlement) {
                engine.rule_watch.insert((rule.index, id));
            }
            engine.markets.push(Market {
                spec: market.spec,
                status: market.status,
                close_at_ms,
                first_contract,
                backing_micros: market.backing_micros,
                full_sets_split: market.full_sets_split,
                full_sets_merged: market.full_sets_merged,
                converted_out_micros: market.converted_out_micros,
                rule: lifecycle.rule,
                proposal: lifecycle.proposal,
                dispute: lifecycle.dispute,
                votes: market.votes.clone(),
                settlement: lifecycle.settlement,
                amm: lifecycle.amm,
            });
            engine.market_index.insert(market.spec.market, market_slot);
        }
        for market in engine.markets.iter().filter_map(|m| m.amm.as_ref()) {
            // The operator's account must exist even if the snapshot lists it with nothing.
            if !snapshot.accounts.iter().any(|a| a.account == market.operator) {
                return Err(bad("a market maker's operator has no account"));
            }
        }

        for account in &snapshot.accounts {
            let slot = engine.open_account(account.account);
            engine.accounts[slot] = Account {
                id: account.account,
                available_micros: account.available_micros,
                reserved_micros: account.reserved_micros,
            };
            for &(market, outcome, yes_free, yes_reserved, no_free, no_reserved) in &account.positions {
                let market_slot = *engine.market_index.get(&market).ok_or_else(|| bad("a position names no market"))?;
                let m = &engine.markets[market_slot];
                if outcome >= m.outcome_count() {
                    return Err(bad("a position names no outcome"));
                }
                let contract = m.contract(outcome);
                if engine.position_index.contains_key(&(slot, contract)) {
                    return Err(bad("a position is duplicated"));
                }
                let position = engine.position_slot(slot, contract);
                engine.positions[position] =
                    Position { account: slot, contract, yes_free, yes_reserved, no_free, no_reserved };
            }
        }

        for market in &snapshot.markets {
            let market_slot = engine.market_index[&market.spec.market];
            for (outcome, o) in market.outcomes.iter().enumerate() {
                let contract = engine.markets[market_slot].contract(crate::outcome_at(outcome));
                for order in &o.orders {
                    engine.restore_order(contract, order).map_err(bad)?;
                }
            }
        }
        engine.check_invariants()?;
        Ok(engine)
    }

    fn restore_order(&mut self, contract: ContractSlot, order: &OrderSnapshot) -> Result<(), &'static str> {
        let account = *self.account_index.get(&order.account).ok_or("an order names no account")?;
        // A resting buy may hold nothing yet: its (empty) position is not in the snapshot.
        let position = self.position_slot(account, contract);
        if self.order_index.contains_key(&order.order) || order.order > self.highest_order_id {
            return Err("an order id is duplicated or above the highest seen");
        }
        let ticks_per_dollar = self.contracts[contract].book.ticks_per_dollar();
        if order.yes_ticks == 0 || order.yes_ticks >= ticks_per_dollar || order.remaining == 0 {
            return Err("an order has an impossible price or quantity");
        }
        let book_side = BookSide::of(order.side, order.action);
        let slot = self.slab.insert(RestingOrder {
            id: order.order,
            account_id: order.account,
            account,
            position,
            contract,
            yes_ticks: order.yes_ticks,
            book_side,
            side: order.side,
            action: order.action,
            self_trade: order.self_trade,
            post_only: order.post_only,
            remaining: order.remaining,
            unit_reserve_micros: order.unit_reserve_micros,
            expires_at_ms: order.expires_at_ms,
            prev: NIL,
            next: NIL,
        });
        self.contracts[contract].book.push_back(&mut self.slab, book_side, order.yes_ticks, slot);
        self.order_index.insert(order.order, slot);
        if order.expires_at_ms != 0 {
            self.expiries.insert((order.expires_at_ms, order.order));
        }
        Ok(())
    }
}

/// A market's lifecycle state from its snapshot, checked enough that nothing later can panic on
/// it (the audit then checks that it agrees with everything else).
struct Lifecycle {
    rule: Option<RuleState>,
    proposal: Option<Proposal>,
    dispute: Option<Dispute>,
    settlement: Option<Settlement>,
    amm: Option<Amm>,
}

fn restore_lifecycle(market: &MarketSnapshot) -> Result<Lifecycle, &'static str> {
    let kind = &market.spec.kind;
    let fits = |resolution: &Resolution| resolution.invalid_reason(kind).is_none();
    let rule = match market.rule {
        None if market.samples.is_empty() => None,
        None => return Err("samples without a rule"),
        Some(rule) => {
            if rule.invalid_reason(kind).is_some() {
                return Err("a rule does not fit its market");
            }
            if market.samples.len() != rule.samples as usize {
                return Err("a rule has the wrong number of sample slots");
            }
            // At most `samples` (checked just above), a u32.
            let recorded =
                u32::try_from(market.samples.iter().filter(|v| v.is_some()).count()).expect("at most RULE_SAMPLES_MAX");
            Some(RuleState { rule, samples: market.samples.clone(), recorded })
        }
    };
    let (proposal, dispute) = match market.proposal {
        None => (None, None),
        Some(p) => {
            if !fits(&p.resolution) {
                return Err("a proposal does not fit its market");
            }
            let proposal = Proposal {
                proposer: p.proposer,
                resolution: p.resolution,
                bond_micros: p.bond_micros,
                liveness_ends_ms: p.liveness_ends_ms,
            };
            (Some(proposal), p.dispute.map(|(disputer, bond_micros)| Dispute { disputer, bond_micros }))
        }
    };
    if !market.votes.iter().all(|(_, r)| fits(r)) {
        return Err("a vote does not fit its market");
    }
    let settlement = match market.settlement {
        None => None,
        Some(s) => {
            if !fits(&s.resolution) {
                return Err("a settlement does not fit its market");
            }
            Some(Settlement {
                resolution: s.resolution,
                payouts: (0..kind.outcome_count()).map(|o| payout(kind, &s.resolution, o)).collect(),
                collateral_micros: s.collateral_micros,
                dust_micros: s.dust_micros,
                redeemed_micros: s.redeemed_micros,
            })
        }
    };
    let amm = match &market.amm {
        None => None,
        Some(a) => {
            if a.claims.len() != states_of(kind) {
                return Err("a market maker has the wrong number of states");
            }
            Some(Amm {
                operator: a.operator,
                liquidity_micros: a.liquidity_micros,
                funded_micros: a.funded_micros,
                cash_micros: a.cash_micros,
                claims: a.claims.clone(),
            })
        }
    };
    Ok(Lifecycle { rule, proposal, dispute, settlement, amm })
}
