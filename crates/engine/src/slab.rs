//! The order slab: every resting order lives in one slot of a growable array, reused through a free
//! list, so the book can link orders by 32-bit slot numbers instead of pointers.

use augury_core::{AccountId, Action, BookSide, Micros, OrderId, Quantity, SelfTradePrevention, Side, TimestampMs};

pub type SlotId = u32;
pub const NIL: SlotId = SlotId::MAX;

/// A resting order and its links in its level's queue.
#[derive(Clone, Copy, Debug)]
pub struct RestingOrder {
    pub id: OrderId,
    pub account_id: AccountId,
    pub account: u32,
    pub position: u32,
    pub contract: u32,
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
    pub prev: SlotId,
    pub next: SlotId,
}

#[derive(Clone, Debug, Default)]
pub struct OrderSlab {
    slots: Vec<RestingOrder>,
    free: Vec<SlotId>,
}

impl OrderSlab {
    pub fn insert(&mut self, order: RestingOrder) -> SlotId {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = order;
                slot
            }
            None => {
                let slot = SlotId::try_from(self.slots.len()).expect("open orders are bounded below u32::MAX");
                self.slots.push(order);
                slot
            }
        }
    }

    pub fn remove(&mut self, slot: SlotId) {
        self.free.push(slot);
    }

    #[inline]
    pub fn get(&self, slot: SlotId) -> &RestingOrder {
        &self.slots[slot as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, slot: SlotId) -> &mut RestingOrder {
        &mut self.slots[slot as usize]
    }

    /// Slots in use.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
