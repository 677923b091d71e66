//! Accounts and positions: who holds what. Collateral is split into available (free to spend or
//! withdraw) and reserved (held by resting buy orders); contracts likewise into free and reserved
//! (held by resting sell orders). Every debit is checked: a balance never goes below zero.

use crate::table::{AccountSlot, ContractSlot};
use augury_core::{AccountId, Micros, Quantity, Side};

#[derive(Clone, Copy, Debug)]
pub struct Account {
    pub id: AccountId,
    pub available_micros: Micros,
    pub reserved_micros: Micros,
}

impl Account {
    pub fn reserve(&mut self, amount_micros: Micros) {
        debit(&mut self.available_micros, amount_micros, "available collateral");
        self.reserved_micros += amount_micros;
    }

    pub fn release(&mut self, amount_micros: Micros) {
        debit(&mut self.reserved_micros, amount_micros, "reserved collateral");
        self.available_micros += amount_micros;
    }

    /// Spends `consumed` from the reservation: `cost` leaves the account, the rest becomes
    /// available again.
    pub fn settle_reserved(&mut self, consumed_micros: Micros, cost_micros: Micros) {
        debit(&mut self.reserved_micros, consumed_micros, "reserved collateral");
        assert!(cost_micros <= consumed_micros, "a fill cost more than its reservation");
        self.available_micros += consumed_micros - cost_micros;
    }
}

/// One account's holding in one outcome.
#[derive(Clone, Copy, Debug)]
pub struct Position {
    pub account: AccountSlot,
    pub contract: ContractSlot,
    pub yes_free: Quantity,
    pub yes_reserved: Quantity,
    pub no_free: Quantity,
    pub no_reserved: Quantity,
}

impl Position {
    pub fn new(account: AccountSlot, contract: ContractSlot) -> Position {
        Position { account, contract, yes_free: 0, yes_reserved: 0, no_free: 0, no_reserved: 0 }
    }

    pub fn free(&self, side: Side) -> Quantity {
        match side {
            Side::Yes => self.yes_free,
            Side::No => self.no_free,
        }
    }

    fn parts(&mut self, side: Side) -> (&mut Quantity, &mut Quantity) {
        match side {
            Side::Yes => (&mut self.yes_free, &mut self.yes_reserved),
            Side::No => (&mut self.no_free, &mut self.no_reserved),
        }
    }

    pub fn credit(&mut self, side: Side, quantity: Quantity) {
        *self.parts(side).0 += quantity;
    }

    pub fn debit_free(&mut self, side: Side, quantity: Quantity) {
        debit(self.parts(side).0, quantity, "free contracts");
    }

    pub fn reserve(&mut self, side: Side, quantity: Quantity) {
        let (free, reserved) = self.parts(side);
        debit(free, quantity, "free contracts");
        *reserved += quantity;
    }

    pub fn release(&mut self, side: Side, quantity: Quantity) {
        let (free, reserved) = self.parts(side);
        debit(reserved, quantity, "reserved contracts");
        *free += quantity;
    }

    /// Contracts a resting sell order delivered in a fill.
    pub fn deliver_reserved(&mut self, side: Side, quantity: Quantity) {
        debit(self.parts(side).1, quantity, "reserved contracts");
    }
}

/// Subtracts with a release-mode check: an accounting bug must stop the engine, not wrap around.
#[inline]
pub fn debit(balance: &mut u64, amount: u64, what: &str) {
    assert!(*balance >= amount, "{what} would go negative: {balance} - {amount}");
    *balance -= amount;
}
