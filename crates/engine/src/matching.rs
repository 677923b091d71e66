//! The match loop and the settlement of one fill.
//!
//! Each outcome has one book in YES prices. A bid is a buy of YES or a sell of NO; an ask is a sell
//! of YES or a buy of NO. So when an incoming order meets the best opposite order, three things can
//! happen, all at the maker's price: contracts change hands (buy meets sell of the same side), a
//! buyer of YES and a buyer of NO together mint a new set, or a seller of YES and a seller of NO
//! together merge one. Because all three paths rest in the same book, the taker always meets the
//! best price any of them offers.

use crate::book::Ticks;
use crate::ledger::debit;
use crate::slab::{RestingOrder, NIL};
use crate::table::{AccountSlot, ContractSlot, OrderSlot, PositionSlot};
use crate::{ticks_to_micros, Engine};
use augury_core::{
    AccountId, Action, BookSide, CancelReason, Event, FeeRule, FeeSchedule, FillKind, Micros, OrderId, Quantity,
    SelfTradePrevention, Side, TradeId, MICROS_PER_DOLLAR,
};

/// An order while it is trading on arrival (or after an amendment that moved it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Taker {
    pub id: OrderId,
    pub account: AccountSlot,
    pub account_id: AccountId,
    pub position: PositionSlot,
    pub contract: ContractSlot,
    pub book_side: BookSide,
    pub side: Side,
    pub action: Action,
    /// The worst YES price it accepts.
    pub limit_ticks: Ticks,
    pub remaining: Quantity,
    /// Per-contract collateral reserved by a limit buy; 0 for sells and market buys.
    pub unit_reserve_micros: Micros,
    /// Collateral still reserved for this order (buys only).
    pub reserved_micros: Micros,
    /// A market order spends from `reserved_micros` (its cap) rather than per contract.
    pub is_market: bool,
    pub self_trade: SelfTradePrevention,
}

/// Why the match loop stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    Filled,
    NoMatch,
    SelfTrade,
    CostCap,
}

pub(crate) fn opposite(side: BookSide) -> BookSide {
    match side {
        BookSide::Bid => BookSide::Ask,
        BookSide::Ask => BookSide::Bid,
    }
}

/// Whether a taker with this limit trades against a resting level at `level_ticks`.
pub(crate) fn crosses(taker_side: BookSide, limit_ticks: Ticks, level_ticks: Ticks) -> bool {
    match taker_side {
        BookSide::Bid => level_ticks <= limit_ticks,
        BookSide::Ask => level_ticks >= limit_ticks,
    }
}

/// A party's own price for a YES price: the same for YES, the complement for NO.
pub(crate) fn own_price(side: Side, yes_price_micros: Micros) -> Micros {
    match side {
        Side::Yes => yes_price_micros,
        Side::No => MICROS_PER_DOLLAR - yes_price_micros,
    }
}

/// The most contracts, up to `wanted`, that a market buy can pay for (price plus fee) from
/// `budget_micros`.
pub(crate) fn affordable(budget_micros: Micros, price_micros: Micros, fee: &FeeRule, wanted: Quantity) -> Quantity {
    let cost = |quantity: Quantity| quantity * price_micros + fee.fee_micros(quantity, price_micros);
    if cost(wanted) <= budget_micros {
        return wanted;
    }
    // cost is increasing in quantity: find the largest affordable quantity by bisection.
    let (mut low, mut high) = (0, wanted);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if cost(middle) <= budget_micros {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    low
}

impl Engine {
    /// Trades `taker` against the opposite side of its book until it is filled, it no longer
    /// crosses, self-trade prevention stops it, or a market buy's cap is spent.
    pub(crate) fn match_taker(&mut self, taker: &mut Taker, events: &mut Vec<Event>) -> Stop {
        let contract = taker.contract;
        let opposite_side = opposite(taker.book_side);
        let market = self.contracts[contract].market;
        if self.markets[market].amm.is_some() {
            return self.match_taker_with_amm(taker, events);
        }
        let tick_micros = self.markets[market].spec.tick_micros;
        let fees = self.markets[market].spec.fees;
        loop {
            if taker.remaining == 0 {
                return Stop::Filled;
            }
            let Some(level_ticks) = self.contracts[contract].book.best(opposite_side) else {
                return Stop::NoMatch;
            };
            if !crosses(taker.book_side, taker.limit_ticks, level_ticks) {
                return Stop::NoMatch;
            }
            if let Some(stop) = self.book_step(taker, level_ticks, tick_micros, &fees, events) {
                return stop;
            }
        }
    }

    /// One step of the match loop against the book: the first order at `level_ticks` (a level
    /// the taker crosses) trades with the taker, or self-trade prevention acts. `Some` when the
    /// loop must stop.
    #[inline(always)]
    pub(crate) fn book_step(
        &mut self,
        taker: &mut Taker,
        level_ticks: Ticks,
        tick_micros: Micros,
        fees: &FeeSchedule,
        events: &mut Vec<Event>,
    ) -> Option<Stop> {
        let contract = taker.contract;
        let opposite_side = opposite(taker.book_side);
        let maker_slot = self.contracts[contract].book.level(opposite_side, level_ticks).head;
        debug_assert_ne!(maker_slot, NIL);
        let maker = *self.slab.get(maker_slot);
        if maker.account == taker.account {
            match taker.self_trade {
                SelfTradePrevention::CancelTaker => return Some(Stop::SelfTrade),
                SelfTradePrevention::CancelMaker => {
                    self.cancel_resting(maker_slot, CancelReason::SelfTrade, events);
                    return None;
                }
                SelfTradePrevention::CancelBoth => {
                    self.cancel_resting(maker_slot, CancelReason::SelfTrade, events);
                    return Some(Stop::SelfTrade);
                }
            }
        }
        let mut quantity = taker.remaining.min(maker.remaining);
        if taker.is_market && taker.action == Action::Buy {
            let price = own_price(taker.side, ticks_to_micros(level_ticks, tick_micros));
            quantity = affordable(taker.reserved_micros, price, &fees.taker, quantity);
            if quantity == 0 {
                return Some(Stop::CostCap);
            }
        }
        self.execute_fill(taker, maker_slot, &maker, level_ticks, quantity, fees, events);
        None
    }

    /// How much of `taker` could trade right now, without changing anything: the fill-or-kill
    /// check. It walks the book exactly as `match_taker` would.
    pub(crate) fn fillable(&self, taker: &Taker) -> Quantity {
        let contract = &self.contracts[taker.contract];
        let market = &self.markets[contract.market];
        if market.amm.is_some() {
            return self.fillable_with_amm(taker);
        }
        let opposite_side = opposite(taker.book_side);
        let mut filled: Quantity = 0;
        let mut budget_micros = taker.reserved_micros;
        let mut level = contract.book.best(opposite_side);
        while let Some(level_ticks) = level {
            if !crosses(taker.book_side, taker.limit_ticks, level_ticks) {
                break;
            }
            let mut slot = contract.book.level(opposite_side, level_ticks).head;
            while slot != NIL {
                let maker = self.slab.get(slot);
                slot = maker.next;
                if maker.account == taker.account {
                    match taker.self_trade {
                        SelfTradePrevention::CancelMaker => continue,
                        SelfTradePrevention::CancelTaker | SelfTradePrevention::CancelBoth => return filled,
                    }
                }
                let wanted = maker.remaining.min(taker.remaining - filled);
                let mut quantity = wanted;
                if taker.is_market && taker.action == Action::Buy {
                    let price = own_price(taker.side, ticks_to_micros(level_ticks, market.spec.tick_micros));
                    quantity = affordable(budget_micros, price, &market.spec.fees.taker, wanted);
                    budget_micros -= quantity * price + market.spec.fees.taker.fee_micros(quantity, price);
                }
                filled += quantity;
                if filled == taker.remaining || quantity < wanted {
                    return filled;
                }
            }
            level = contract.book.next_level(opposite_side, level_ticks);
        }
        filled
    }

    /// Settles one fill of `quantity` between the taker and the resting order in `maker_slot`, at
    /// the maker's price, and updates the book.
    #[allow(clippy::too_many_arguments)]
    fn execute_fill(
        &mut self,
        taker: &mut Taker,
        maker_slot: OrderSlot,
        maker: &RestingOrder,
        level_ticks: Ticks,
        quantity: Quantity,
        fees: &FeeSchedule,
        events: &mut Vec<Event>,
    ) {
        let contract = taker.contract;
        let market = self.contracts[contract].market;
        let yes_price_micros = ticks_to_micros(level_ticks, self.markets[market].spec.tick_micros);
        let maker_price = own_price(maker.side, yes_price_micros);
        let taker_price = own_price(taker.side, yes_price_micros);
        let mut paid_micros: Micros = 0;
        let mut received_micros: Micros = 0;

        let maker_fee = {
            let fee = fees.maker.fee_micros(quantity, maker_price);
            let value = quantity * maker_price;
            match maker.action {
                Action::Buy => {
                    let consumed = quantity * maker.unit_reserve_micros;
                    self.accounts[maker.account].settle_reserved(consumed, value + fee);
                    self.positions[maker.position].credit(maker.side, quantity);
                    paid_micros += value;
                    fee
                }
                Action::Sell => {
                    self.positions[maker.position].deliver_reserved(maker.side, quantity);
                    // A fee never takes more than the trade brings in.
                    let fee = fee.min(value);
                    self.accounts[maker.account].available_micros += value - fee;
                    received_micros += value;
                    fee
                }
            }
        };
        let taker_fee = {
            let fee = fees.taker.fee_micros(quantity, taker_price);
            let value = quantity * taker_price;
            match taker.action {
                Action::Buy => {
                    let cost = value + fee;
                    let consumed = if taker.is_market { cost } else { quantity * taker.unit_reserve_micros };
                    debit(&mut taker.reserved_micros, consumed, "taker reservation");
                    self.accounts[taker.account].settle_reserved(consumed, cost);
                    self.positions[taker.position].credit(taker.side, quantity);
                    paid_micros += value;
                    fee
                }
                Action::Sell => {
                    self.positions[taker.position].deliver_reserved(taker.side, quantity);
                    let fee = fee.min(value);
                    self.accounts[taker.account].available_micros += value - fee;
                    received_micros += value;
                    fee
                }
            }
        };
        self.accounts[self.fee_account].available_micros += maker_fee + taker_fee;

        // Buyers' money in minus sellers' money out is a whole set per contract, or nothing.
        let set_micros = quantity * MICROS_PER_DOLLAR;
        let kind = if paid_micros > received_micros {
            assert_eq!(paid_micros - received_micros, set_micros, "a mint must be paid in full");
            self.markets[market].backing_micros += set_micros;
            self.contracts[contract].pairs_minted += quantity;
            FillKind::Mint
        } else if received_micros > paid_micros {
            assert_eq!(received_micros - paid_micros, set_micros, "a merge must pay out a whole set");
            debit(&mut self.markets[market].backing_micros, set_micros, "market backing");
            self.contracts[contract].pairs_merged += quantity;
            FillKind::Merge
        } else {
            FillKind::Transfer
        };

        let opposite_side = opposite(taker.book_side);
        self.contracts[contract].book.reduce(opposite_side, level_ticks, quantity);
        let maker_remaining = {
            let resting = self.slab.get_mut(maker_slot);
            debit(&mut resting.remaining, quantity, "maker remaining quantity");
            resting.remaining
        };
        debit(&mut taker.remaining, quantity, "taker remaining quantity");

        events.push(Event::Fill {
            trade: TradeId(self.next_trade_id),
            market: self.markets[market].spec.market,
            outcome: self.contracts[contract].outcome,
            yes_price_micros,
            quantity,
            kind,
            maker_order: maker.id,
            maker_account: maker.account_id,
            maker_side: maker.side,
            maker_action: maker.action,
            maker_fee_micros: maker_fee,
            maker_remaining,
            taker_order: taker.id,
            taker_account: taker.account_id,
            taker_side: taker.side,
            taker_action: taker.action,
            taker_fee_micros: taker_fee,
            taker_remaining: taker.remaining,
        });
        self.next_trade_id += 1;
        if maker_remaining == 0 {
            self.remove_resting(maker_slot);
        }
    }

    /// Takes a resting order out of its book and the indexes and frees its slot. Its reservation
    /// must already be settled or released.
    pub(crate) fn remove_resting(&mut self, slot: OrderSlot) {
        let order = *self.slab.get(slot);
        self.contracts[order.contract].book.unlink(&mut self.slab, order.book_side, order.yes_ticks, slot);
        self.order_index.remove(&order.id);
        if order.expires_at_ms != 0 {
            self.expiries.remove(&(order.expires_at_ms, order.id));
        }
        self.slab.remove(slot);
    }

    /// Cancels a resting order: releases what it reserved, reports it, removes it.
    pub(crate) fn cancel_resting(&mut self, slot: OrderSlot, reason: CancelReason, events: &mut Vec<Event>) {
        let order = *self.slab.get(slot);
        match order.action {
            Action::Buy => self.accounts[order.account].release(order.remaining * order.unit_reserve_micros),
            Action::Sell => self.positions[order.position].release(order.side, order.remaining),
        }
        events.push(Event::OrderCancelled {
            order: order.id,
            account: order.account_id,
            remaining_quantity: order.remaining,
            reason,
        });
        self.remove_resting(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affordable_finds_the_largest_quantity_within_budget() {
        let fee = FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 };
        for budget in [0u64, 1, 499_999, 520_000, 1_000_000, 5_555_555] {
            let quantity = affordable(budget, 500_000, &fee, 100);
            let cost = |q: u64| q * 500_000 + fee.fee_micros(q, 500_000);
            assert!(cost(quantity) <= budget);
            assert!(quantity == 100 || cost(quantity + 1) > budget);
        }
    }
}
