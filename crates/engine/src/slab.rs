//! The order slab: every resting order lives in one slot of a growable array, reused through a free
//! list, so the book can link orders by 32-bit slot numbers ([`OrderSlot`]) instead of pointers.

use crate::table::{AccountSlot, ContractSlot, OrderSlot, PositionSlot, Slot};
use augury_core::{AccountId, Action, BookSide, Micros, OrderId, Quantity, SelfTradePrevention, Side, TimestampMs};

pub const NIL: OrderSlot = OrderSlot::NIL;

/// A resting order and its links in its level's queue.
#[derive(Clone, Copy, Debug)]
pub struct RestingOrder {
    pub id: OrderId,
    pub account_id: AccountId,
    pub account: AccountSlot,
    pub position: PositionSlot,
    pub contract: ContractSlot,
    pub yes_ticks: u32,
    pub book_side: BookSide,
    pub side: Side,
    pub action: Action,
    pub self_trade: SelfTradePrevention,
    pub post_only: bool,
    pub remaining: Quantity,
    /// Collateral reserved per remaining contract (price plus worst-case fee) for a buy; 0 for a sell,
    /// which reserves contracts instead.
    pub unit_reserve_micros: Micros,
    /// 0 for an order without expiry.
    pub expires_at_ms: TimestampMs,
    pub prev: OrderSlot,
    pub next: OrderSlot,
}

#[derive(Clone, Debug, Default)]
pub struct OrderSlab {
    slots: Vec<RestingOrder>,
    free: Vec<OrderSlot>,
}

impl OrderSlab {
    pub fn insert(&mut self, order: RestingOrder) -> OrderSlot {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot.index()] = order;
                slot
            }
            None => {
                let slot = OrderSlot::from_index(self.slots.len());
                self.slots.push(order);
                slot
            }
        }
    }

    pub fn remove(&mut self, slot: OrderSlot) {
        self.free.push(slot);
    }

    #[inline]
    pub fn get(&self, slot: OrderSlot) -> &RestingOrder {
        &self.slots[slot.index()]
    }

    #[inline]
    pub fn get_mut(&mut self, slot: OrderSlot) -> &mut RestingOrder {
        &mut self.slots[slot.index()]
    }

    /// Slots in use.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
