//! Placing, cancelling, amending and expiring orders. Every handler checks the whole command
//! before it changes anything, so a refusal leaves the engine exactly as it was.

use crate::book::Ticks;
use crate::matching::{crosses, opposite, Stop, Taker};
use crate::slab::RestingOrder;
use crate::table::OrderSlot;
use crate::{ticks_to_micros, Engine};
use augury_core::{
    AccountId, Action, BookSide, CancelReason, Event, MarketSpec, Micros, NewOrder, OrderId, OrderType, Quantity,
    Reject, Side, TimeInForce, MICROS_PER_DOLLAR, QUANTITY_MAX,
};

/// Checks an order's own-side price against the market grid and returns it as a YES price in ticks.
fn yes_ticks_of(spec: &MarketSpec, side: Side, price_micros: Micros) -> Result<Ticks, Reject> {
    if price_micros == 0 || price_micros >= MICROS_PER_DOLLAR {
        return Err(Reject::PriceOutOfRange { price_micros });
    }
    if !price_micros.is_multiple_of(spec.tick_micros) {
        return Err(Reject::PriceOffTick { price_micros, tick_micros: spec.tick_micros });
    }
    let own_ticks = crate::grid_ticks(price_micros / spec.tick_micros);
    Ok(match side {
        Side::Yes => own_ticks,
        Side::No => crate::grid_ticks(spec.ticks_per_dollar()) - own_ticks,
    })
}

/// The order's own price for a YES price in ticks.
fn own_price_of(spec: &MarketSpec, side: Side, yes_ticks: Ticks) -> Micros {
    crate::matching::own_price(side, ticks_to_micros(yes_ticks, spec.tick_micros))
}

/// The limit a market order trades to: any price on the grid, so the grid's last tick on its side
/// (the market maker's quote uses the same, so it prices exactly what a market order gets).
pub(crate) fn market_limit_ticks(spec: &MarketSpec, book_side: BookSide) -> Ticks {
    match book_side {
        BookSide::Bid => crate::grid_ticks(spec.ticks_per_dollar()) - 1,
        BookSide::Ask => 1,
    }
}

/// What a buy at `limit_ticks` reserves per contract: its own-side limit price plus the largest
/// fee any fill at or below it could cost.
pub(crate) fn buy_unit_reserve_micros(spec: &MarketSpec, side: Side, limit_ticks: Ticks) -> Micros {
    let limit_price = own_price_of(spec, side, limit_ticks);
    limit_price + spec.fees.unit_reserve_micros(limit_price)
}

pub(crate) fn check_quantity(quantity: Quantity) -> Result<(), Reject> {
    if quantity == 0 {
        return Err(Reject::QuantityNotPositive);
    }
    if quantity > QUANTITY_MAX {
        return Err(Reject::QuantityTooLarge { quantity, max: QUANTITY_MAX });
    }
    Ok(())
}

impl Engine {
    pub(crate) fn place_order(&mut self, order: &NewOrder, events: &mut Vec<Event>) -> Result<(), Reject> {
        // Check everything first.
        let market_slot = self.open_market_slot(order.market)?;
        let spec = self.markets[market_slot].spec;
        if order.outcome >= spec.kind.outcome_count() {
            return Err(Reject::UnknownOutcome { market: order.market, outcome: order.outcome });
        }
        let account = self.account_slot(order.account)?;
        check_quantity(order.quantity)?;
        if order.order <= self.highest_order_id {
            return Err(Reject::DuplicateOrderId { order: order.order, highest: self.highest_order_id });
        }
        let book_side = BookSide::of(order.side, order.action);
        let is_market = matches!(order.order_type, OrderType::Market { .. });
        let can_rest = matches!(order.time_in_force, TimeInForce::Gtc | TimeInForce::Gtd { .. });
        if is_market && can_rest {
            return Err(Reject::InvalidOrder { reason: "a market order must be ioc or fok" });
        }
        if order.action == Action::Sell && matches!(order.order_type, OrderType::Market { cost_cap_micros: Some(_) }) {
            return Err(Reject::InvalidOrder { reason: "a cost cap applies to market buys only" });
        }
        if order.post_only && !can_rest {
            return Err(Reject::InvalidOrder { reason: "a post-only order must be gtc or gtd" });
        }
        let expires_at_ms = match order.time_in_force {
            TimeInForce::Gtd { expires_at_ms } if expires_at_ms <= self.clock_ms => {
                return Err(Reject::ExpiryNotInFuture { expires_at_ms, now_ms: self.clock_ms });
            }
            TimeInForce::Gtd { expires_at_ms } => expires_at_ms,
            _ => 0,
        };
        let limit_ticks = match order.order_type {
            OrderType::Limit { price_micros } => yes_ticks_of(&spec, order.side, price_micros)?,
            OrderType::Market { .. } => market_limit_ticks(&spec, book_side),
        };
        if can_rest && self.slab.len() >= self.config.max_open_orders as usize {
            return Err(Reject::TooManyOpenOrders { max: self.config.max_open_orders });
        }
        let contract = self.markets[market_slot].contract(order.outcome);
        let (unit_reserve_micros, reserve_micros) = match order.action {
            Action::Buy => {
                let unit = buy_unit_reserve_micros(&spec, order.side, limit_ticks);
                let full = order.quantity * unit;
                match order.order_type {
                    OrderType::Market { cost_cap_micros: Some(0) } => return Err(Reject::AmountNotPositive),
                    OrderType::Market { cost_cap_micros: Some(cap) } => (0, full.min(cap)),
                    OrderType::Market { cost_cap_micros: None } => (0, full),
                    OrderType::Limit { .. } => (unit, full),
                }
            }
            Action::Sell => (0, 0),
        };
        match order.action {
            Action::Buy => {
                let available_micros = self.accounts[account].available_micros;
                if reserve_micros > available_micros {
                    return Err(Reject::InsufficientFunds { needed_micros: reserve_micros, available_micros });
                }
            }
            Action::Sell => {
                let available = self.existing_position(account, contract).map_or(0, |p| p.free(order.side));
                if order.quantity > available {
                    return Err(Reject::InsufficientShares { needed: order.quantity, available });
                }
            }
        }
        let book = &self.contracts[contract].book;
        if order.post_only
            && (book.best(opposite(book_side)).is_some_and(|best| crosses(book_side, limit_ticks, best))
                || self.amm_would_trade(contract, book_side, limit_ticks))
        {
            return Err(Reject::PostOnlyWouldCross);
        }

        // Accepted: from here on the command changes state.
        self.highest_order_id = order.order;
        events.push(Event::OrderAccepted {
            order: order.order,
            account: order.account,
            market: order.market,
            outcome: order.outcome,
            side: order.side,
            action: order.action,
            order_type: order.order_type,
            quantity: order.quantity,
            time_in_force: order.time_in_force,
            post_only: order.post_only,
            self_trade: order.self_trade,
        });
        let position = self.position_slot(account, contract);
        let mut taker = Taker {
            id: order.order,
            account,
            account_id: order.account,
            position,
            contract,
            book_side,
            side: order.side,
            action: order.action,
            limit_ticks,
            remaining: order.quantity,
            unit_reserve_micros,
            reserved_micros: reserve_micros,
            is_market,
            self_trade: order.self_trade,
        };
        if order.time_in_force == TimeInForce::Fok && self.fillable(&taker) < order.quantity {
            events.push(Event::OrderCancelled {
                order: order.order,
                account: order.account,
                remaining_quantity: order.quantity,
                reason: CancelReason::FillOrKill,
            });
            return Ok(());
        }
        match order.action {
            Action::Buy => self.accounts[account].reserve(reserve_micros),
            Action::Sell => self.positions[position].reserve(order.side, order.quantity),
        }
        let stop = self.match_taker(&mut taker, events);
        self.finish_taker(taker, stop, can_rest, expires_at_ms, order.post_only, events);
        Ok(())
    }

    /// After matching: rest what is left of a resting order, or release and cancel it.
    fn finish_taker(
        &mut self,
        taker: Taker,
        stop: Stop,
        can_rest: bool,
        expires_at_ms: u64,
        post_only: bool,
        events: &mut Vec<Event>,
    ) {
        if taker.remaining > 0 && stop == Stop::NoMatch && can_rest {
            debug_assert_eq!(taker.reserved_micros, taker.remaining * taker.unit_reserve_micros);
            let slot = self.slab.insert(RestingOrder {
                id: taker.id,
                account_id: taker.account_id,
                account: taker.account,
                position: taker.position,
                contract: taker.contract,
                yes_ticks: taker.limit_ticks,
                book_side: taker.book_side,
                side: taker.side,
                action: taker.action,
                self_trade: taker.self_trade,
                post_only,
                remaining: taker.remaining,
                unit_reserve_micros: taker.unit_reserve_micros,
                expires_at_ms,
                prev: crate::slab::NIL,
                next: crate::slab::NIL,
            });
            self.rest(slot, events);
            return;
        }
        // Whatever is still reserved goes back: a limit buy's unfilled contracts, or the unspent
        // part of a market buy's cap.
        match taker.action {
            Action::Buy => self.accounts[taker.account].release(taker.reserved_micros),
            Action::Sell => self.positions[taker.position].release(taker.side, taker.remaining),
        }
        if taker.remaining > 0 {
            let reason = match stop {
                Stop::SelfTrade => CancelReason::SelfTrade,
                Stop::CostCap => CancelReason::CostCap,
                Stop::Filled | Stop::NoMatch => CancelReason::Unfilled,
            };
            events.push(Event::OrderCancelled {
                order: taker.id,
                account: taker.account_id,
                remaining_quantity: taker.remaining,
                reason,
            });
        }
    }

    /// Puts the order in `slot` at the back of its level and indexes it.
    fn rest(&mut self, slot: OrderSlot, events: &mut Vec<Event>) {
        let order = *self.slab.get(slot);
        let contract = order.contract;
        self.contracts[contract].book.push_back(&mut self.slab, order.book_side, order.yes_ticks, slot);
        self.order_index.insert(order.id, slot);
        if order.expires_at_ms != 0 {
            self.expiries.insert((order.expires_at_ms, order.id));
        }
        let spec = &self.markets[self.contracts[contract].market].spec;
        events.push(Event::OrderRested {
            order: order.id,
            book_side: order.book_side,
            price_micros: own_price_of(spec, order.side, order.yes_ticks),
            remaining_quantity: order.remaining,
        });
    }

    fn owned_order(&self, account: AccountId, order: OrderId) -> Result<OrderSlot, Reject> {
        match self.order_index.get(&order) {
            Some(&slot) if self.slab.get(slot).account_id == account => Ok(slot),
            // Someone else's order is reported as unknown: ids of other accounts are not disclosed.
            _ => Err(Reject::UnknownOrder { order }),
        }
    }

    pub(crate) fn cancel_order(
        &mut self,
        account: AccountId,
        order: OrderId,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.owned_order(account, order)?;
        self.cancel_resting(slot, CancelReason::Requested, events);
        Ok(())
    }

    pub(crate) fn amend_order(
        &mut self,
        account: AccountId,
        order: OrderId,
        price_micros: Option<Micros>,
        remaining_quantity: Option<Quantity>,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.owned_order(account, order)?;
        let resting = *self.slab.get(slot);
        let market = self.contracts[resting.contract].market;
        let spec = self.markets[market].spec;
        let new_quantity = remaining_quantity.unwrap_or(resting.remaining);
        check_quantity(new_quantity)?;
        let new_ticks = match price_micros {
            Some(price) => yes_ticks_of(&spec, resting.side, price)?,
            None => resting.yes_ticks,
        };
        if new_ticks == resting.yes_ticks && new_quantity == resting.remaining {
            return Err(Reject::AmendUnchanged);
        }
        let new_price = own_price_of(&spec, resting.side, new_ticks);
        let new_unit = match resting.action {
            Action::Buy => new_price + spec.fees.unit_reserve_micros(new_price),
            Action::Sell => 0,
        };
        match resting.action {
            Action::Buy => {
                let old_total = resting.remaining * resting.unit_reserve_micros;
                let new_total = new_quantity * new_unit;
                let available_micros = self.accounts[resting.account].available_micros;
                if new_total > old_total && new_total - old_total > available_micros {
                    return Err(Reject::InsufficientFunds { needed_micros: new_total - old_total, available_micros });
                }
            }
            Action::Sell => {
                let available = self.positions[resting.position].free(resting.side);
                if new_quantity > resting.remaining && new_quantity - resting.remaining > available {
                    return Err(Reject::InsufficientShares { needed: new_quantity - resting.remaining, available });
                }
            }
        }
        let book = &self.contracts[resting.contract].book;
        let would_cross =
            book.best(opposite(resting.book_side)).is_some_and(|best| crosses(resting.book_side, new_ticks, best))
                || self.amm_would_trade(resting.contract, resting.book_side, new_ticks);
        if resting.post_only && would_cross {
            return Err(Reject::PostOnlyWouldCross);
        }

        let kept_priority = new_ticks == resting.yes_ticks && new_quantity < resting.remaining;
        events.push(Event::OrderAmended {
            order,
            price_micros: new_price,
            remaining_quantity: new_quantity,
            kept_priority,
        });
        if kept_priority {
            let shrink = resting.remaining - new_quantity;
            self.contracts[resting.contract].book.reduce(resting.book_side, resting.yes_ticks, shrink);
            self.slab.get_mut(slot).remaining = new_quantity;
            match resting.action {
                Action::Buy => self.accounts[resting.account].release(shrink * resting.unit_reserve_micros),
                Action::Sell => self.positions[resting.position].release(resting.side, shrink),
            }
            return Ok(());
        }

        // Losing priority: out of the queue, re-reserve for the new terms, trade if it now
        // crosses, and rest what is left at the back of its (possibly new) level.
        self.remove_resting(slot);
        match resting.action {
            Action::Buy => {
                let account = &mut self.accounts[resting.account];
                account.release(resting.remaining * resting.unit_reserve_micros);
                account.reserve(new_quantity * new_unit);
            }
            Action::Sell => {
                let position = &mut self.positions[resting.position];
                position.release(resting.side, resting.remaining);
                position.reserve(resting.side, new_quantity);
            }
        }
        let mut taker = Taker {
            id: resting.id,
            account: resting.account,
            account_id: resting.account_id,
            position: resting.position,
            contract: resting.contract,
            book_side: resting.book_side,
            side: resting.side,
            action: resting.action,
            limit_ticks: new_ticks,
            remaining: new_quantity,
            unit_reserve_micros: new_unit,
            reserved_micros: match resting.action {
                Action::Buy => new_quantity * new_unit,
                Action::Sell => 0,
            },
            is_market: false,
            self_trade: resting.self_trade,
        };
        let stop = if would_cross { self.match_taker(&mut taker, events) } else { Stop::NoMatch };
        self.finish_taker(taker, stop, true, resting.expires_at_ms, resting.post_only, events);
        Ok(())
    }

    /// Cancels every good-till-date order whose expiry is at or before the clock, earliest first.
    pub(crate) fn expire_due_orders(&mut self, events: &mut Vec<Event>) {
        while let Some(&(expires_at_ms, order)) = self.expiries.first() {
            if expires_at_ms > self.clock_ms {
                break;
            }
            let slot = self.order_index[&order];
            self.cancel_resting(slot, CancelReason::Expired, events);
        }
    }
}
