//! The engine's dense tables and the slot numbers that index them. Each table has a slot type of
//! its own, so an account's slot cannot index the positions, and `Position::new(account,
//! contract)` cannot be called with its arguments swapped: the compiler refuses. Slots are 32
//! bits (the records are bounded far below `u32::MAX`), which keeps the order slab's links and
//! the position keys small.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A position in one of the engine's tables.
pub trait Slot: Copy {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! slot {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl Slot for $name {
            #[inline]
            fn from_index(index: usize) -> $name {
                $name(u32::try_from(index).expect(concat!(stringify!($name), "s are bounded below u32::MAX")))
            }

            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

slot!(
    /// An account's row in the engine's accounts.
    AccountSlot
);
slot!(
    /// A position's row (one account in one outcome).
    PositionSlot
);
slot!(
    /// A market's row.
    MarketSlot
);
slot!(
    /// A contract's row: one outcome of one market, with its book.
    ContractSlot
);

slot!(
    /// A resting order's place in the order slab.
    OrderSlot
);

impl OrderSlot {
    /// No order: the end of a level's queue.
    pub const NIL: OrderSlot = OrderSlot(u32::MAX);
}

impl AccountSlot {
    /// No account: a quote's hypothetical taker, which never touches a balance.
    pub const NONE: AccountSlot = AccountSlot(u32::MAX);
}

impl PositionSlot {
    /// No position: as [`AccountSlot::NONE`].
    pub const NONE: PositionSlot = PositionSlot(u32::MAX);
}

impl ContractSlot {
    /// The contract `offset` rows after this one (a market's outcomes are consecutive).
    #[inline]
    pub fn offset(self, offset: u16) -> ContractSlot {
        ContractSlot(self.0 + u32::from(offset))
    }
}

/// Rows indexed by the slot type `S` only; rows are never removed.
#[derive(Clone, Debug)]
pub struct Table<S, T> {
    rows: Vec<T>,
    slot: PhantomData<S>,
}

impl<S, T> Default for Table<S, T> {
    fn default() -> Table<S, T> {
        Table { rows: Vec::new(), slot: PhantomData }
    }
}

impl<S: Slot, T> Table<S, T> {
    /// Appends a row; its slot.
    pub fn push(&mut self, row: T) -> S {
        let slot = S::from_index(self.rows.len());
        self.rows.push(row);
        slot
    }

    /// The slot the next [`Table::push`] returns.
    pub fn next_slot(&self) -> S {
        S::from_index(self.rows.len())
    }

    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn get(&self, slot: S) -> Option<&T> {
        self.rows.get(slot.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.rows.iter()
    }

    /// Rows with their slots, in slot order.
    pub fn slots(&self) -> impl Iterator<Item = (S, &T)> {
        self.rows.iter().enumerate().map(|(i, row)| (S::from_index(i), row))
    }
}

impl<S: Slot, T> Index<S> for Table<S, T> {
    type Output = T;

    #[inline]
    fn index(&self, slot: S) -> &T {
        &self.rows[slot.index()]
    }
}

impl<S: Slot, T> IndexMut<S> for Table<S, T> {
    #[inline]
    fn index_mut(&mut self, slot: S) -> &mut T {
        &mut self.rows[slot.index()]
    }
}

impl<S: Slot, T> FromIterator<T> for Table<S, T> {
    fn from_iter<I: IntoIterator<Item = T>>(rows: I) -> Table<S, T> {
        let rows: Vec<T> = rows.into_iter().collect();
        // Every row must be reachable by a slot.
        let _ = S::from_index(rows.len().saturating_sub(1));
        Table { rows, slot: PhantomData }
    }
}

impl<'a, S, T> IntoIterator for &'a Table<S, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_hands_out_its_slots_in_order() {
        let mut table: Table<AccountSlot, &str> = Table::default();
        assert_eq!(table.next_slot(), AccountSlot::from_index(0));
        let a = table.push("a");
        let b = table.push("b");
        assert_eq!((a.index(), b.index()), (0, 1));
        table[b] = "c";
        assert_eq!(table.slots().collect::<Vec<_>>(), [(a, &"a"), (b, &"c")]);
        assert_eq!(table.get(AccountSlot::from_index(2)), None);
        assert_eq!(ContractSlot::from_index(4).offset(3), ContractSlot::from_index(7));
    }
}
