//! Read-only queries over the engine state, for the gateway's read paths and for tests.

use crate::matching::own_price;
use crate::slab::NIL;
use crate::{ticks_to_micros, Engine};
use augury_core::{
    AccountId, Action, BookSide, MarketId, MarketSpec, MarketStatus, Micros, OrderId, OutcomeIndex, Quantity, Side,
    TimestampMs,
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

impl Engine {
    pub fn account(&self, id: AccountId) -> Option<AccountView> {
        let slot = *self.account_index.get(&id)?;
        let account = &self.accounts[slot as usize];
        Some(AccountView { available_micros: account.available_micros, reserved_micros: account.reserved_micros })
    }

    /// The account's holding in one outcome; zero when it holds nothing there.
    pub fn position(&self, account: AccountId, market: MarketId, outcome: OutcomeIndex) -> PositionView {
        let (Some(&account_slot), Some(&market_slot)) =
            (self.account_index.get(&account), self.market_index.get(&market))
        else {
            return PositionView::default();
        };
        let market = &self.markets[market_slot as usize];
        if outcome >= market.outcome_count() {
            return PositionView::default();
        }
        self.existing_position(account_slot, market.contract(outcome)).map_or_else(PositionView::default, |p| {
            PositionView { yes: p.yes_free, yes_reserved: p.yes_reserved, no: p.no_free, no_reserved: p.no_reserved }
        })
    }

    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        let order = self.slab.get(*self.order_index.get(&id)?);
        let contract = &self.contracts[order.contract as usize];
        let spec = &self.markets[contract.market as usize].spec;
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
        Some(self.markets[*self.market_index.get(&market)? as usize].spec)
    }

    pub fn market_status(&self, market: MarketId) -> Option<MarketStatus> {
        Some(self.markets[*self.market_index.get(&market)? as usize].status)
    }

    /// Collateral held against the market's outstanding contracts.
    pub fn market_backing_micros(&self, market: MarketId) -> Option<Micros> {
        Some(self.markets[*self.market_index.get(&market)? as usize].backing_micros)
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

    fn book_of(&self, market: MarketId, outcome: OutcomeIndex) -> Option<(&crate::book::Book, Micros)> {
        let market = &self.markets[*self.market_index.get(&market)? as usize];
        if outcome >= market.outcome_count() {
            return None;
        }
        Some((&self.contracts[market.contract(outcome) as usize].book, market.spec.tick_micros))
    }
}
