//! Read-only queries over the engine state, for the gateway's read paths and for tests.

use crate::book::Ticks;
use crate::matching::own_price;
use crate::slab::NIL;
use crate::{ticks_to_micros, Engine};
use augury_core::{
    AccountId, Action, BookSide, MarketId, MarketSpec, MarketStatus, Micros, OracleConfig, OrderId, OutcomeIndex,
    Payout, Quantity, Reject, Resolution, ResolutionRule, Side, TimestampMs,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountView {
    pub available_micros: Micros,
    pub reserved_micros: Micros,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PositionView {
    pub yes: Quantity,
    pub yes_reserved: Quantity,
    pub no: Quantity,
    pub no_reserved: Quantity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderView {
    pub order: OrderId,
    pub account: AccountId,
    pub market: MarketId,
    pub outcome: OutcomeIndex,
    pub side: Side,
    pub action: Action,
    /// The order's own-side price.
    pub price_micros: Micros,
    pub remaining_quantity: Quantity,
    pub book_side: BookSide,
    /// 0 for an order without expiry.
    pub expires_at_ms: TimestampMs,
}

/// One price level, in YES prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelView {
    pub yes_price_micros: Micros,
    pub quantity: Quantity,
    pub orders: u32,
}

/// Where a market is in its life, and what is pending or decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleView {
    pub status: MarketStatus,
    /// When trading stops by itself (0: no close time).
    pub close_at_ms: TimestampMs,
    pub rule: Option<ResolutionRule>,
    /// How many of the rule's samples have been recorded.
    pub samples_recorded: u32,
    /// (proposer, resolution, bond, end of liveness)
    pub proposal: Option<(AccountId, Resolution, Micros, TimestampMs)>,
    /// (disputer, bond)
    pub dispute: Option<(AccountId, Micros)>,
    /// The arbiters' votes so far, in arbiter order.
    pub votes: Vec<(AccountId, Resolution)>,
    pub settlement: Option<SettlementView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettlementView {
    pub resolution: Resolution,
    /// Per outcome: what one YES and one NO contract pay.
    pub payouts: Vec<Payout>,
    pub collateral_micros: Micros,
    pub dust_micros: Micros,
    pub redeemed_micros: Micros,
    /// Still owed to holders who have not redeemed.
    pub outstanding_micros: Micros,
}

/// A market's LMSR market maker.
#[derive(Clone, Debug, PartialEq)]
pub struct AmmView {
    pub operator: AccountId,
    pub liquidity_micros: Micros,
    pub funded_micros: Micros,
    pub cash_micros: Micros,
    /// Claims held per LMSR state (YES, NO for binary and scalar; each outcome's YES for
    /// categorical).
    pub claims: Vec<Quantity>,
    /// Its marginal YES price of each outcome (one for binary and scalar markets), as a
    /// probability: for display; what trades settle is an integer (see `Engine::amm_quote`).
    /// `amm_yes_prices` computes the same from the claims.
    pub yes_prices: Vec<f64>,
}

/// Where the venue's collateral sits, summed over the whole state: the terms of the conservation
/// identity `deposited - withdrawn = available + reserved + backing + bonds + amm_cash`. The
/// audit (`Engine::check_invariants`) checks the identity on these very sums, so this view and
/// the audit cannot disagree. Sums are `u128`, as the deposit counters are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreasuryView {
    /// Every deposit ever made.
    pub deposited_micros: u128,
    /// Every withdrawal ever made.
    pub withdrawn_micros: u128,
    /// Available collateral, over all accounts (the fee account's included).
    pub available_micros: u128,
    /// Collateral reserved by resting buy orders, over all accounts.
    pub reserved_micros: u128,
    /// Collateral backing the outstanding contracts of every market (what settled markets still
    /// owe unredeemed holders included).
    pub backing_micros: u128,
    /// Bonds held by resolving and disputed markets (proposals and disputes).
    pub bonds_micros: u128,
    /// Cash held by the markets' LMSR market makers.
    pub amm_cash_micros: u128,
    /// The account that receives fees, dispute fees, forfeited bonds and settlement dust.
    pub fee_account: AccountId,
    /// What the fee account holds (available plus reserved): all it has collected, less what has
    /// left it. Part of `available_micros` and `reserved_micros`, not a further term.
    pub fee_account_micros: u128,
}

impl TreasuryView {
    /// Deposits less withdrawals: what the venue must hold. Signed, so that even a broken state
    /// (more withdrawn than deposited) is shown rather than wrapped.
    pub fn net_deposits_micros(&self) -> i128 {
        signed(self.deposited_micros) - signed(self.withdrawn_micros)
    }

    /// What the venue holds: the right-hand side of the identity.
    pub fn held_micros(&self) -> u128 {
        self.available_micros + self.reserved_micros + self.backing_micros + self.bonds_micros + self.amm_cash_micros
    }

    /// Held less owed: 0 when the identity holds; positive when more is held than came in.
    pub fn difference_micros(&self) -> i128 {
        signed(self.held_micros()) - self.net_deposits_micros()
    }

    /// Whether the identity holds to the micro-dollar.
    pub fn balanced(&self) -> bool {
        self.difference_micros() == 0
    }
}

/// What a market order would get from a market maker alone (see `Engine::amm_quote`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmmQuote {
    /// Contracts it would fill: fewer than asked when the market maker would not trade them all
    /// (its price would pass the grid's last tick, or it would run out of cash), 0 when it would
    /// trade none.
    pub quantity: Quantity,
    /// What the taker would pay (buy) or receive (sell) for them before fees, rounded in the
    /// market maker's favour as each trade settles.
    pub value_micros: Micros,
    /// The taker fee on them (for a sell, never more than it brings).
    pub fee_micros: Micros,
}

/// Why the market maker gives no quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteRefusal {
    /// What a market order of that quantity would be refused for (unknown market or outcome, a
    /// market that is not open, a quantity out of range).
    #[error(transparent)]
    Refused(#[from] Reject),
    #[error("market {market} has no market maker")]
    NoMarketMaker { market: MarketId },
}

impl Engine {
    /// The venue's money as a whole: the sums of the conservation identity (see [`TreasuryView`]).
    /// Walks every account and market once.
    pub fn treasury(&self) -> TreasuryView {
        fn sum(values: impl Iterator<Item = Micros>) -> u128 {
            values.map(u128::from).sum()
        }
        let fee_account = &self.accounts[self.fee_account];
        let bonds = |m: &crate::markets::Market| {
            [m.proposal.map_or(0, |p| p.bond_micros), m.dispute.map_or(0, |d| d.bond_micros)]
        };
        TreasuryView {
            deposited_micros: self.deposited_micros,
            withdrawn_micros: self.withdrawn_micros,
            available_micros: sum(self.accounts.iter().map(|a| a.available_micros)),
            reserved_micros: sum(self.accounts.iter().map(|a| a.reserved_micros)),
            backing_micros: sum(self.markets.iter().map(|m| m.backing_micros)),
            bonds_micros: sum(self.markets.iter().flat_map(bonds)),
            amm_cash_micros: sum(self.markets.iter().filter_map(|m| m.amm.as_ref()).map(|a| a.cash_micros)),
            fee_account: self.config.fee_account,
            fee_account_micros: sum([fee_account.available_micros, fee_account.reserved_micros].into_iter()),
        }
    }

    /// The market's lifecycle: status, close time, rule, proposal, dispute, votes, settlement.
    pub fn market_lifecycle(&self, market: MarketId) -> Option<LifecycleView> {
        let m = &self.markets[*self.market_index.get(&market)?];
        Some(LifecycleView {
            status: m.status,
            close_at_ms: m.close_at_ms,
            rule: m.rule.as_ref().map(|state| state.rule),
            samples_recorded: m.rule.as_ref().map_or(0, |state| state.recorded),
            proposal: m.proposal.map(|p| (p.proposer, p.resolution, p.bond_micros, p.liveness_ends_ms)),
            dispute: m.dispute.map(|d| (d.disputer, d.bond_micros)),
            votes: m.votes.clone(),
            settlement: m.settlement.as_ref().map(|s| SettlementView {
                resolution: s.resolution,
                payouts: s.payouts.clone(),
                collateral_micros: s.collateral_micros,
                dust_micros: s.dust_micros,
                redeemed_micros: s.redeemed_micros,
                outstanding_micros: m.backing_micros,
            }),
        })
    }

    /// How a settled market resolved.
    pub fn market_resolution(&self, market: MarketId) -> Option<Resolution> {
        self.markets[*self.market_index.get(&market)?].settlement.as_ref().map(|s| s.resolution)
    }

    /// What `Redeem` would pay the account in a settled market (0 when it holds nothing there).
    pub fn redeemable_micros(&self, account: AccountId, market: MarketId) -> Option<Micros> {
        let m = &self.markets[*self.market_index.get(&market)?];
        let settlement = m.settlement.as_ref()?;
        let Some(&account_slot) = self.account_index.get(&account) else {
            return Some(0);
        };
        Some(
            (0..m.outcome_count())
                .filter_map(|o| self.existing_position(account_slot, m.contract(o)).map(|p| (o, p)))
                .map(|(o, p)| {
                    let payout = settlement.payouts[o as usize];
                    (p.yes_free + p.yes_reserved) * payout.yes_micros + (p.no_free + p.no_reserved) * payout.no_micros
                })
                .sum(),
        )
    }

    /// The optimistic oracle's settings.
    pub fn oracle_config(&self) -> OracleConfig {
        self.oracle
    }

    /// The venue's arbiters, in increasing order.
    pub fn arbiters(&self) -> Vec<AccountId> {
        self.arbiters.iter().copied().collect()
    }

    /// The market's LMSR market maker, if it has one (until settlement).
    pub fn amm(&self, market: MarketId) -> Option<AmmView> {
        let slot = *self.market_index.get(&market)?;
        let amm = self.markets[slot].amm.as_ref()?;
        Some(AmmView {
            operator: amm.operator,
            liquidity_micros: amm.liquidity_micros,
            funded_micros: amm.funded_micros,
            cash_micros: amm.cash_micros,
            claims: amm.claims.clone(),
            yes_prices: self.amm_prices(slot),
        })
    }

    /// The earliest time at which the engine has something due: a good-till-date expiry, a
    /// market's close time or the end of a proposal's liveness window. The sequencer should move
    /// the clock then even if no command arrives.
    pub fn next_deadline_ms(&self) -> Option<TimestampMs> {
        [
            self.expiries.first().map(|&(at, _)| at),
            self.closings.first().map(|&(at, _)| at),
            self.liveness_ends.first().map(|&(at, _)| at),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn account(&self, id: AccountId) -> Option<AccountView> {
        let slot = *self.account_index.get(&id)?;
        let account = &self.accounts[slot];
        Some(AccountView { available_micros: account.available_micros, reserved_micros: account.reserved_micros })
    }

    /// The account's holding in one outcome; zero when it holds nothing there.
    pub fn position(&self, account: AccountId, market: MarketId, outcome: OutcomeIndex) -> PositionView {
        let (Some(&account_slot), Some(&market_slot)) =
            (self.account_index.get(&account), self.market_index.get(&market))
        else {
            return PositionView::default();
        };
        let market = &self.markets[market_slot];
        if outcome >= market.outcome_count() {
            return PositionView::default();
        }
        self.existing_position(account_slot, market.contract(outcome)).map_or_else(PositionView::default, |p| {
            PositionView { yes: p.yes_free, yes_reserved: p.yes_reserved, no: p.no_free, no_reserved: p.no_reserved }
        })
    }

    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        let order = self.slab.get(*self.order_index.get(&id)?);
        let contract = &self.contracts[order.contract];
        let spec = &self.markets[contract.market].spec;
        Some(OrderView {
            order: order.id,
            account: order.account_id,
            market: spec.market,
            outcome: contract.outcome,
            side: order.side,
            action: order.action,
            price_micros: own_price(order.side, ticks_to_micros(order.yes_ticks, spec.tick_micros)),
            remaining_quantity: order.remaining,
            book_side: order.book_side,
            expires_at_ms: order.expires_at_ms,
        })
    }

    /// The earliest expiry of a resting good-till-date order: when the sequencer must next move
    /// the clock even if no command arrives.
    pub fn next_expiry_ms(&self) -> Option<TimestampMs> {
        self.expiries.first().map(|&(expires_at_ms, _)| expires_at_ms)
    }

    /// The highest order id accepted so far; the next order must use a higher one.
    pub fn highest_order_id(&self) -> OrderId {
        self.highest_order_id
    }

    /// How many orders rest in all books.
    pub fn open_order_count(&self) -> usize {
        self.slab.len()
    }

    pub fn market_spec(&self, market: MarketId) -> Option<MarketSpec> {
        Some(self.markets[*self.market_index.get(&market)?].spec)
    }

    pub fn market_status(&self, market: MarketId) -> Option<MarketStatus> {
        Some(self.markets[*self.market_index.get(&market)?].status)
    }

    /// Collateral held against the market's outstanding contracts.
    pub fn market_backing_micros(&self, market: MarketId) -> Option<Micros> {
        Some(self.markets[*self.market_index.get(&market)?].backing_micros)
    }

    /// The best bid and ask of an outcome's book, in YES prices.
    pub fn best_prices(&self, market: MarketId, outcome: OutcomeIndex) -> (Option<Micros>, Option<Micros>) {
        let Some(book_and_tick) = self.book_of(market, outcome) else {
            return (None, None);
        };
        let (book, tick_micros) = book_and_tick;
        (
            book.best_bid().map(|t| ticks_to_micros(t, tick_micros)),
            book.best_ask().map(|t| ticks_to_micros(t, tick_micros)),
        )
    }

    /// Up to `max_levels` levels of one side of an outcome's book, best first, in YES prices.
    pub fn depth(&self, market: MarketId, outcome: OutcomeIndex, side: BookSide, max_levels: usize) -> Vec<LevelView> {
        let mut levels = Vec::new();
        let Some((book, tick_micros)) = self.book_of(market, outcome) else {
            return levels;
        };
        let mut ticks = book.best(side);
        while let Some(t) = ticks {
            if levels.len() == max_levels {
                break;
            }
            let level = book.level(side, t);
            debug_assert_ne!(level.head, NIL);
            levels.push(LevelView {
                yes_price_micros: ticks_to_micros(t, tick_micros),
                quantity: level.quantity,
                orders: level.orders,
            });
            ticks = book.next_level(side, t);
        }
        levels
    }

    /// One level of an outcome's book at a YES price (quantity 0 when nothing rests there), or
    /// None for an unknown market or outcome or a price off the market's grid. Lets a subscriber
    /// learn a level's new total in O(1) after the events named it.
    pub fn level_at(
        &self,
        market: MarketId,
        outcome: OutcomeIndex,
        side: BookSide,
        yes_price_micros: Micros,
    ) -> Option<LevelView> {
        let (book, tick_micros) = self.book_of(market, outcome)?;
        if tick_micros == 0 || !yes_price_micros.is_multiple_of(tick_micros) {
            return None;
        }
        let ticks = Ticks::try_from(yes_price_micros / tick_micros).ok()?;
        if ticks == 0 || ticks >= book.ticks_per_dollar() {
            return None;
        }
        let level = book.level(side, ticks);
        Some(LevelView { yes_price_micros, quantity: level.quantity, orders: level.orders })
    }

    fn book_of(&self, market: MarketId, outcome: OutcomeIndex) -> Option<(&crate::book::Book, Micros)> {
        let market = &self.markets[*self.market_index.get(&market)?];
        if outcome >= market.outcome_count() {
            return None;
        }
        Some((&self.contracts[market.contract(outcome)].book, market.spec.tick_micros))
    }
}

/// A sum of collateral as a signed number: sums are bounded by the venue's collateral (at most
/// 10^18 micro-dollars each way), far inside `i128`.
fn signed(micros: u128) -> i128 {
    i128::try_from(micros).expect("collateral sums are bounded by VENUE_COLLATERAL_MAX_MICROS")
}
