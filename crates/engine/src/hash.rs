//! The state hash: SHA-256 over a canonical encoding of the whole state, visited in key order, so
//! two engines hash alike exactly when they hold the same state, however they got there (and
//! whatever order their hash maps happen to iterate in).

use crate::slab::NIL;
use crate::table::ContractSlot;
use crate::Engine;
use augury_core::{
    Action, BookSide, Comparison, FeeRule, MarketKind, MarketStatus, Resolution, ResolutionRule, RuleMap,
    SelfTradePrevention, Side,
};
use sha2::{Digest, Sha256};

struct Canonical(Sha256);

impl Canonical {
    fn u64(&mut self, value: u64) {
        self.0.update(value.to_le_bytes());
    }
    fn u128(&mut self, value: u128) {
        self.0.update(value.to_le_bytes());
    }
    fn i64(&mut self, value: i64) {
        self.0.update(value.to_le_bytes());
    }
    fn tag(&mut self, value: u8) {
        self.0.update([value]);
    }
    /// A fee rule field by field, with a tag per kind: renaming a variant or a field cannot
    /// change a state hash (its `Debug` text was hashed before, which a rename would have).
    fn fee_rule(&mut self, rule: &FeeRule) {
        match *rule {
            FeeRule::Zero => self.tag(0),
            FeeRule::Quadratic { rate_ppm, rounding_micros } => {
                self.tag(1);
                self.u64(u64::from(rate_ppm));
                self.u64(u64::from(rounding_micros));
            }
            FeeRule::Proportional { rate_ppm, rounding_micros } => {
                self.tag(2);
                self.u64(u64::from(rate_ppm));
                self.u64(u64::from(rounding_micros));
            }
        }
    }
    fn resolution(&mut self, resolution: &Resolution) {
        match *resolution {
            Resolution::Yes => self.tag(0),
            Resolution::No => self.tag(1),
            Resolution::Outcome { outcome } => {
                self.tag(2);
                self.u64(u64::from(outcome));
            }
            Resolution::Scalar { value } => {
                self.tag(3);
                self.i64(value);
            }
            Resolution::Invalid => self.tag(4),
        }
    }
    fn rule(&mut self, rule: &ResolutionRule) {
        self.u64(u64::from(rule.index));
        self.u64(rule.at_ms);
        self.u64(u64::from(rule.samples));
        self.u64(rule.interval_ms);
        match rule.map {
            RuleMap::Threshold { comparison, threshold } => {
                self.tag(0);
                self.tag(match comparison {
                    Comparison::AtOrAbove => 0,
                    Comparison::Above => 1,
                    Comparison::AtOrBelow => 2,
                    Comparison::Below => 3,
                });
                self.i64(threshold);
            }
            RuleMap::Buckets { first_bound, width } => {
                self.tag(1);
                self.i64(first_bound);
                self.i64(width);
            }
            RuleMap::Value => self.tag(2),
        }
    }
}

impl Engine {
    /// A SHA-256 digest of the whole state.
    pub fn state_hash(&self) -> [u8; 32] {
        let mut h = Canonical(Sha256::new());
        h.0.update(b"augury-engine-state-v2");
        h.u64(self.config.fee_account.get());
        h.u64(u64::from(self.config.max_open_orders));
        h.u64(self.clock_ms);
        h.u64(self.highest_order_id.get());
        h.u64(self.next_trade_id);
        h.u128(self.deposited_micros);
        h.u128(self.withdrawn_micros);
        let oracle = &self.oracle;
        for value in
            [oracle.liveness_ms, oracle.min_bond_micros, u64::from(oracle.quorum), u64::from(oracle.dispute_fee_ppm)]
        {
            h.u64(value);
        }
        h.u64(self.arbiters.len() as u64);
        for &arbiter in &self.arbiters {
            h.u64(arbiter.get());
        }

        let mut accounts: Vec<_> = self.accounts.iter().collect();
        accounts.sort_unstable_by_key(|a| a.id);
        h.u64(accounts.len() as u64);
        for account in accounts {
            h.u64(account.id.get());
            h.u64(account.available_micros);
            h.u64(account.reserved_micros);
        }

        let mut positions: Vec<_> = self
            .positions
            .iter()
            // An emptied position is the same state as none at all.
            .filter(|p| p.yes_free + p.yes_reserved + p.no_free + p.no_reserved > 0)
            .map(|p| {
                let contract = &self.contracts[p.contract];
                let key = (self.accounts[p.account].id, self.markets[contract.market].spec.market, contract.outcome);
                (key, p)
            })
            .collect();
        positions.sort_unstable_by_key(|(key, _)| *key);
        h.u64(positions.len() as u64);
        for ((account, market, outcome), p) in positions {
            h.u64(account.get());
            h.u64(u64::from(market.get()));
            h.u64(u64::from(outcome));
            for quantity in [p.yes_free, p.yes_reserved, p.no_free, p.no_reserved] {
                h.u64(quantity);
            }
        }

        let mut markets: Vec<_> = self.markets.iter().collect();
        markets.sort_unstable_by_key(|m| m.spec.market);
        h.u64(markets.len() as u64);
        for market in markets {
            let spec = &market.spec;
            h.u64(u64::from(spec.market.get()));
            match spec.kind {
                MarketKind::Binary => h.tag(0),
                MarketKind::Categorical { outcomes } => {
                    h.tag(1);
                    h.u64(u64::from(outcomes));
                }
                MarketKind::Scalar { floor, cap } => {
                    h.tag(2);
                    h.i64(floor);
                    h.i64(cap);
                }
            }
            h.u64(spec.tick_micros);
            h.fee_rule(&spec.fees.maker);
            h.fee_rule(&spec.fees.taker);
            h.u64(spec.close_time_ms);
            h.tag(match market.status {
                MarketStatus::Open => 0,
                MarketStatus::Closed => 1,
                MarketStatus::Resolving => 2,
                MarketStatus::Disputed => 3,
                MarketStatus::Settled => 4,
            });
            self.hash_lifecycle(&mut h, market);
            h.u64(market.backing_micros);
            h.u64(market.full_sets_split);
            h.u64(market.full_sets_merged);
            h.u64(market.converted_out_micros);
            for outcome in 0..market.outcome_count() {
                self.hash_contract(&mut h, market.contract(outcome));
            }
        }
        h.0.finalize().into()
    }

    fn hash_lifecycle(&self, h: &mut Canonical, market: &crate::markets::Market) {
        h.u64(market.close_at_ms);
        match &market.rule {
            None => h.tag(0),
            Some(state) => {
                h.tag(1);
                h.rule(&state.rule);
                h.u64(u64::from(state.recorded));
                h.u64(state.samples.len() as u64);
                for sample in &state.samples {
                    match sample {
                        None => h.tag(0),
                        Some(value) => {
                            h.tag(1);
                            h.i64(*value);
                        }
                    }
                }
            }
        }
        match &market.proposal {
            None => h.tag(0),
            Some(p) => {
                h.tag(1);
                h.u64(p.proposer.get());
                h.resolution(&p.resolution);
                h.u64(p.bond_micros);
                h.u64(p.liveness_ends_ms);
            }
        }
        match &market.dispute {
            None => h.tag(0),
            Some(d) => {
                h.tag(1);
                h.u64(d.disputer.get());
                h.u64(d.bond_micros);
            }
        }
        h.u64(market.votes.len() as u64);
        for (arbiter, resolution) in &market.votes {
            h.u64(arbiter.get());
            h.resolution(resolution);
        }
        match &market.settlement {
            None => h.tag(0),
            Some(s) => {
                h.tag(1);
                h.resolution(&s.resolution);
                for p in &s.payouts {
                    h.u64(p.yes_micros);
                    h.u64(p.no_micros);
                }
                h.u64(s.collateral_micros);
                h.u64(s.dust_micros);
                h.u64(s.redeemed_micros);
            }
        }
        match &market.amm {
            None => h.tag(0),
            Some(amm) => {
                h.tag(1);
                h.u64(amm.operator.get());
                h.u64(amm.liquidity_micros);
                h.u64(amm.funded_micros);
                h.u64(amm.cash_micros);
                h.u64(amm.claims.len() as u64);
                for &held in &amm.claims {
                    h.u64(held);
                }
            }
        }
    }

    fn hash_contract(&self, h: &mut Canonical, contract: ContractSlot) {
        let contract = &self.contracts[contract];
        for count in [
            contract.pairs_minted,
            contract.pairs_merged,
            contract.yes_converted_in,
            contract.no_converted_out,
            contract.yes_redeemed,
            contract.no_redeemed,
        ] {
            h.u64(count);
        }
        for side in [BookSide::Bid, BookSide::Ask] {
            let mut ticks = contract.book.best(side);
            while let Some(t) = ticks {
                h.u64(u64::from(t));
                let mut slot = contract.book.level(side, t).head;
                while slot != NIL {
                    let order = self.slab.get(slot);
                    h.u64(order.id.get());
                    h.u64(order.account_id.get());
                    h.tag(match (order.side, order.action) {
                        (Side::Yes, Action::Buy) => 0,
                        (Side::Yes, Action::Sell) => 1,
                        (Side::No, Action::Buy) => 2,
                        (Side::No, Action::Sell) => 3,
                    });
                    h.tag(match order.self_trade {
                        SelfTradePrevention::CancelTaker => 0,
                        SelfTradePrevention::CancelMaker => 1,
                        SelfTradePrevention::CancelBoth => 2,
                    });
                    h.tag(u8::from(order.post_only));
                    h.u64(order.remaining);
                    h.u64(order.unit_reserve_micros);
                    h.u64(order.expires_at_ms);
                    slot = order.next;
                }
                ticks = contract.book.next_level(side, t);
            }
            h.tag(0xff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(rule: &FeeRule) -> Vec<u8> {
        let mut bytes = Vec::new();
        let tag = |b: &mut Vec<u8>, t: u8| b.push(t);
        // The same layout `Canonical::fee_rule` feeds the hash: a tag, then each field as a
        // little-endian u64. Pinned here so that a change to it is a visible decision.
        match *rule {
            FeeRule::Zero => tag(&mut bytes, 0),
            FeeRule::Quadratic { rate_ppm, rounding_micros } | FeeRule::Proportional { rate_ppm, rounding_micros } => {
                tag(&mut bytes, if matches!(rule, FeeRule::Quadratic { .. }) { 1 } else { 2 });
                bytes.extend_from_slice(&u64::from(rate_ppm).to_le_bytes());
                bytes.extend_from_slice(&u64::from(rounding_micros).to_le_bytes());
            }
        }
        bytes
    }

    #[test]
    fn fee_rules_hash_by_their_fields_not_their_names() {
        for rule in [
            FeeRule::Zero,
            FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 },
            FeeRule::Proportional { rate_ppm: 20_000, rounding_micros: 1 },
        ] {
            let mut h = Canonical(Sha256::new());
            h.fee_rule(&rule);
            assert_eq!(h.0.finalize().as_slice(), Sha256::digest(encoded(&rule)).as_slice(), "{rule:?}");
        }
        assert_eq!(
            hex(&Sha256::digest(encoded(&FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 }))),
            "f9efd3f3f752a145a53212da81ee8533549c7948e43de72c3d74bc698c06f31d"
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
