//! The order book of one outcome: a dense array of price levels per side over the market's tick
//! grid, each level a FIFO of resting orders linked through the order slab, and a bitmap per side
//! so the next non-empty level is found a word at a time. Prices here are YES prices in ticks.
//!
//! The book owns only the queue structure (links, level totals, best prices); what an order is
//! worth to its owner is the engine's business.

use crate::slab::{OrderSlab, NIL};
use crate::table::OrderSlot;
use augury_core::{BookSide, Quantity};

/// A YES price in ticks of the market's grid: 1..ticks_per_dollar-1.
pub type Ticks = u32;

#[derive(Clone, Copy, Debug)]
pub struct Level {
    pub head: OrderSlot,
    pub tail: OrderSlot,
    pub quantity: Quantity,
    pub orders: u32,
}

const EMPTY_LEVEL: Level = Level { head: NIL, tail: NIL, quantity: 0, orders: 0 };

#[derive(Clone, Debug)]
pub struct Book {
    ticks_per_dollar: Ticks,
    bids: Vec<Level>,
    asks: Vec<Level>,
    bid_bits: Vec<u64>,
    ask_bits: Vec<u64>,
    /// Cached best prices, kept in step with the bitmaps; `None` when the side is empty.
    best_bid: Option<Ticks>,
    best_ask: Option<Ticks>,
}

impl Book {
    pub fn new(ticks_per_dollar: Ticks) -> Book {
        let levels = ticks_per_dollar as usize;
        let words = levels.div_ceil(64);
        Book {
            ticks_per_dollar,
            bids: vec![EMPTY_LEVEL; levels],
            asks: vec![EMPTY_LEVEL; levels],
            bid_bits: vec![0; words],
            ask_bits: vec![0; words],
            best_bid: None,
            best_ask: None,
        }
    }

    pub fn ticks_per_dollar(&self) -> Ticks {
        self.ticks_per_dollar
    }

    fn levels(&self, side: BookSide) -> &[Level] {
        match side {
            BookSide::Bid => &self.bids,
            BookSide::Ask => &self.asks,
        }
    }

    fn side_mut(&mut self, side: BookSide) -> (&mut Vec<Level>, &mut Vec<u64>, &mut Option<Ticks>) {
        match side {
            BookSide::Bid => (&mut self.bids, &mut self.bid_bits, &mut self.best_bid),
            BookSide::Ask => (&mut self.asks, &mut self.ask_bits, &mut self.best_ask),
        }
    }

    pub fn level(&self, side: BookSide, ticks: Ticks) -> &Level {
        &self.levels(side)[ticks as usize]
    }

    /// The highest bid, if any.
    pub fn best_bid(&self) -> Option<Ticks> {
        debug_assert_eq!(self.best_bid, highest_set_bit(&self.bid_bits));
        self.best_bid
    }

    /// The lowest ask, if any.
    pub fn best_ask(&self) -> Option<Ticks> {
        debug_assert_eq!(self.best_ask, lowest_set_bit(&self.ask_bits, 0));
        self.best_ask
    }

    pub fn best(&self, side: BookSide) -> Option<Ticks> {
        match side {
            BookSide::Bid => self.best_bid(),
            BookSide::Ask => self.best_ask(),
        }
    }

    /// The next non-empty level on `side` after `ticks`, moving away from the spread.
    pub fn next_level(&self, side: BookSide, ticks: Ticks) -> Option<Ticks> {
        match side {
            BookSide::Bid => highest_set_bit_below(&self.bid_bits, ticks),
            BookSide::Ask => lowest_set_bit(&self.ask_bits, ticks + 1),
        }
    }

    /// Appends the order in `slot` to the back of its level's queue.
    pub fn push_back(&mut self, slab: &mut OrderSlab, side: BookSide, ticks: Ticks, slot: OrderSlot) {
        let quantity = slab.get(slot).remaining;
        let (levels, bits, best) = self.side_mut(side);
        let level = &mut levels[ticks as usize];
        {
            let order = slab.get_mut(slot);
            order.prev = level.tail;
            order.next = NIL;
        }
        if level.tail == NIL {
            level.head = slot;
            bits[(ticks / 64) as usize] |= 1u64 << (ticks % 64);
            *best = Some(match (side, *best) {
                (_, None) => ticks,
                (BookSide::Bid, Some(current)) => current.max(ticks),
                (BookSide::Ask, Some(current)) => current.min(ticks),
            });
        } else {
            slab.get_mut(level.tail).next = slot;
        }
        level.tail = slot;
        level.quantity += quantity;
        level.orders += 1;
    }

    /// Unlinks the order in `slot` from its level; the slot itself stays allocated.
    pub fn unlink(&mut self, slab: &mut OrderSlab, side: BookSide, ticks: Ticks, slot: OrderSlot) {
        let (prev, next, quantity) = {
            let order = slab.get(slot);
            (order.prev, order.next, order.remaining)
        };
        let (levels, bits, best) = self.side_mut(side);
        let level = &mut levels[ticks as usize];
        if prev == NIL {
            debug_assert_eq!(level.head, slot);
            level.head = next;
        } else {
            slab.get_mut(prev).next = next;
        }
        if next == NIL {
            debug_assert_eq!(level.tail, slot);
            level.tail = prev;
        } else {
            slab.get_mut(next).prev = prev;
        }
        assert!(level.quantity >= quantity, "level total below an order it holds");
        level.quantity -= quantity;
        level.orders -= 1;
        if level.head == NIL {
            debug_assert_eq!(level.quantity, 0);
            bits[(ticks / 64) as usize] &= !(1u64 << (ticks % 64));
            // Only emptying the best level moves the best price; the next one is found by bit scan.
            if *best == Some(ticks) {
                *best = match side {
                    BookSide::Bid => highest_set_bit_below(bits, ticks),
                    BookSide::Ask => lowest_set_bit(bits, ticks + 1),
                };
            }
        }
    }

    /// Records that an order on this level traded or shrank by `quantity` in place.
    pub fn reduce(&mut self, side: BookSide, ticks: Ticks, quantity: Quantity) {
        let (levels, _, _) = self.side_mut(side);
        let level = &mut levels[ticks as usize];
        assert!(level.quantity >= quantity, "level total below a reduction");
        level.quantity -= quantity;
    }
}

fn lowest_set_bit(bits: &[u64], from: Ticks) -> Option<Ticks> {
    let mut word = (from / 64) as usize;
    if word >= bits.len() {
        return None;
    }
    let mut current = bits[word] & (!0u64 << (from % 64));
    loop {
        if current != 0 {
            return Some(word_ticks(word) * 64 + current.trailing_zeros());
        }
        word += 1;
        if word == bits.len() {
            return None;
        }
        current = bits[word];
    }
}

fn highest_set_bit(bits: &[u64]) -> Option<Ticks> {
    for (word, &value) in bits.iter().enumerate().rev() {
        if value != 0 {
            return Some(word_ticks(word) * 64 + 63 - value.leading_zeros());
        }
    }
    None
}

fn highest_set_bit_below(bits: &[u64], below: Ticks) -> Option<Ticks> {
    if below == 0 {
        return None;
    }
    let last = below - 1;
    let mut word = (last / 64) as usize;
    let shift = 63 - (last % 64);
    let mut current = bits[word] & (!0u64 >> shift);
    loop {
        if current != 0 {
            return Some(word_ticks(word) * 64 + 63 - current.leading_zeros());
        }
        if word == 0 {
            return None;
        }
        word -= 1;
        current = bits[word];
    }
}

/// The first tick of bitmap word `word` divided by 64: words cover a grid of at most
/// `TICKS_PER_DOLLAR_MAX` ticks, so the index fits a `Ticks`.
fn word_ticks(word: usize) -> Ticks {
    Ticks::try_from(word).expect("a grid's bitmap has at most TICKS_PER_DOLLAR_MAX / 64 words")
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)] // small, known test values
mod tests {
    use super::*;

    #[test]
    fn bit_scans_find_neighbours() {
        let mut bits = vec![0u64; 3];
        for t in [3u32, 64, 130] {
            bits[(t / 64) as usize] |= 1 << (t % 64);
        }
        assert_eq!(lowest_set_bit(&bits, 0), Some(3));
        assert_eq!(lowest_set_bit(&bits, 4), Some(64));
        assert_eq!(lowest_set_bit(&bits, 65), Some(130));
        assert_eq!(lowest_set_bit(&bits, 131), None);
        assert_eq!(highest_set_bit(&bits), Some(130));
        assert_eq!(highest_set_bit_below(&bits, 130), Some(64));
        assert_eq!(highest_set_bit_below(&bits, 64), Some(3));
        assert_eq!(highest_set_bit_below(&bits, 3), None);
        assert_eq!(highest_set_bit_below(&bits, 0), None);
    }
}
