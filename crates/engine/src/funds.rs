//! Deposits and withdrawals: the only ways collateral enters or leaves the venue.

use crate::ledger::debit;
use crate::Engine;
use augury_core::{AccountId, Event, Micros, Reject, VENUE_COLLATERAL_MAX_MICROS};

impl Engine {
    pub(crate) fn deposit(
        &mut self,
        account: AccountId,
        amount_micros: Micros,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        if amount_micros == 0 {
            return Err(Reject::AmountNotPositive);
        }
        // The venue as a whole holds at most VENUE_COLLATERAL_MAX_MICROS, so no balance, backing or sum of
        // them can overflow 64 bits.
        let outstanding = self.deposited_micros - self.withdrawn_micros;
        let room = u128::from(VENUE_COLLATERAL_MAX_MICROS).saturating_sub(outstanding);
        if u128::from(amount_micros) > room {
            return Err(Reject::AmountTooLarge {
                amount_micros,
                max_micros: u64::try_from(room).unwrap_or(VENUE_COLLATERAL_MAX_MICROS),
            });
        }
        let slot = self.open_account(account);
        self.accounts[slot].available_micros += amount_micros;
        self.deposited_micros += u128::from(amount_micros);
        events.push(Event::Deposited {
            account,
            amount_micros,
            available_micros: self.accounts[slot].available_micros,
        });
        Ok(())
    }

    pub(crate) fn withdraw(
        &mut self,
        account: AccountId,
        amount_micros: Micros,
        events: &mut Vec<Event>,
    ) -> Result<(), Reject> {
        let slot = self.account_slot(account)?;
        if amount_micros == 0 {
            return Err(Reject::AmountNotPositive);
        }
        let available_micros = self.accounts[slot].available_micros;
        if amount_micros > available_micros {
            return Err(Reject::InsufficientFunds { needed_micros: amount_micros, available_micros });
        }
        debit(&mut self.accounts[slot].available_micros, amount_micros, "available collateral");
        self.withdrawn_micros += u128::from(amount_micros);
        events.push(Event::Withdrawn {
            account,
            amount_micros,
            available_micros: self.accounts[slot].available_micros,
        });
        Ok(())
    }
}
