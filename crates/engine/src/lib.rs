//! The Augury engine: a pure, deterministic state machine that runs prediction markets.
//!
//! `Engine::apply` takes a [`Command`] and either appends the resulting [`Event`]s or refuses with a
//! [`Reject`] and changes nothing. There is no clock (time moves by `Command::AdvanceTime`), no
//! randomness, no I/O and no floating point: the same commands give the same events and the same
//! [`Engine::state_hash`] on every machine, which is what makes replay, snapshots and simulation
//! testing possible.
//!
//! The one exception to "no floating point": the LMSR market maker computes its quotes with `f64`
//! (through the `libm` crate, so the same on every platform), and what it settles is always an
//! integer rounded in its favour, guarded by integer solvency checks.
//!
//! Module map: `ledger` (accounts, positions), `markets` (markets and their outcomes), `sets`
//! (split, merge, convert), `orders` (place, cancel, amend, expire), `matching` (the match loop and
//! the settlement of one fill), `book` and `slab` (the order book's data structure), `lifecycle`
//! (close times, rules and index values, the optimistic oracle, resolution, settlement and
//! redemption), `lmsr` (the market maker's cost function), `amm` (the market maker: funding,
//! trading beside the book, close-out), `audit` (the invariants, checked in full), `hash` (the
//! state hash), `snapshot` (the state as a value and back), `view` (read-only queries).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod amm;
mod audit;
mod book;
mod funds;
mod hash;
mod ledger;
mod lifecycle;
mod lmsr;
mod markets;
mod matching;
mod orders;
mod sets;
mod slab;
mod snapshot;
mod table;
mod view;

pub use amm::amm_yes_prices;
pub use audit::InvariantViolation;
pub use snapshot::{
    AccountSnapshot, AmmSnapshot, EngineSnapshot, MarketSnapshot, OrderSnapshot, OutcomeSnapshot, ProposalSnapshot,
    SettlementSnapshot,
};
pub use view::{
    AccountView, AmmQuote, AmmView, LevelView, LifecycleView, OrderView, PositionView, QuoteRefusal, SettlementView,
    TreasuryView,
};

use augury_core::{
    AccountId, Command, Event, IndexId, MarketId, MarketStatus, OracleConfig, OrderId, Reject, TimestampMs,
};
use book::Ticks;
use ledger::{Account, Position};
use markets::{Contract, Market};
use rustc_hash::FxHashMap;
use slab::OrderSlab;
use std::collections::BTreeSet;
use table::{AccountSlot, ContractSlot, MarketSlot, OrderSlot, PositionSlot, Slot, Table};

/// Settings fixed when the engine is created; part of the state hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// The account that receives every trading fee.
    pub fee_account: AccountId,
    /// The most orders that may rest in all books together.
    pub max_open_orders: u32,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig { fee_account: AccountId(0), max_open_orders: 16_000_000 }
    }
}

/// The whole state of the venue's markets.
#[derive(Clone, Debug)]
pub struct Engine {
    config: EngineConfig,
    clock_ms: TimestampMs,
    highest_order_id: OrderId,
    next_trade_id: u64,
    /// Collateral that came in by deposits and left by withdrawals, for the conservation check.
    deposited_micros: u128,
    withdrawn_micros: u128,

    accounts: Table<AccountSlot, Account>,
    account_index: FxHashMap<AccountId, AccountSlot>,
    fee_account: AccountSlot,
    positions: Table<PositionSlot, Position>,
    position_index: FxHashMap<(AccountSlot, ContractSlot), PositionSlot>,
    markets: Table<MarketSlot, Market>,
    market_index: FxHashMap<MarketId, MarketSlot>,
    contracts: Table<ContractSlot, Contract>,
    slab: OrderSlab,
    order_index: FxHashMap<OrderId, OrderSlot>,
    /// Good-till-date orders by expiry, so `AdvanceTime` finds the due ones in order.
    expiries: BTreeSet<(TimestampMs, OrderId)>,

    /// The optimistic oracle's settings and the venue's arbiters.
    oracle: OracleConfig,
    arbiters: BTreeSet<AccountId>,
    /// Open markets with a close time, by (close time, market): `AdvanceTime` closes due ones.
    closings: BTreeSet<(TimestampMs, MarketId)>,
    /// Resolving markets by (end of liveness, market): `AdvanceTime` finalizes due proposals.
    liveness_ends: BTreeSet<(TimestampMs, MarketId)>,
    /// Unsettled markets with a rule, by (index, market): where an index value is recorded.
    rule_watch: BTreeSet<(IndexId, MarketId)>,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Engine {
        let mut engine = Engine {
            config,
            clock_ms: 0,
            highest_order_id: OrderId(0),
            next_trade_id: 1,
            deposited_micros: 0,
            withdrawn_micros: 0,
            accounts: Table::default(),
            account_index: FxHashMap::default(),
            fee_account: AccountSlot::from_index(0),
            positions: Table::default(),
            position_index: FxHashMap::default(),
            markets: Table::default(),
            market_index: FxHashMap::default(),
            contracts: Table::default(),
            slab: OrderSlab::default(),
            order_index: FxHashMap::default(),
            expiries: BTreeSet::new(),
            oracle: OracleConfig::default(),
            arbiters: BTreeSet::new(),
            closings: BTreeSet::new(),
            liveness_ends: BTreeSet::new(),
            rule_watch: BTreeSet::new(),
        };
        engine.fee_account = engine.open_account(config.fee_account);
        engine
    }

    pub fn config(&self) -> EngineConfig {
        self.config
    }

    /// The engine clock: the time of the last `AdvanceTime`.
    pub fn clock_ms(&self) -> TimestampMs {
        self.clock_ms
    }

    /// Applies one command. On success the events it caused are appended to `events`; on refusal
    /// nothing changes, `events` included.
    pub fn apply(&mut self, command: &Command, events: &mut Vec<Event>) -> Result<(), Reject> {
        let events_before = events.len();
        let result = match *command {
            Command::AdvanceTime { now_ms } => self.advance_time(now_ms, events),
            Command::Deposit { account, amount_micros } => self.deposit(account, amount_micros, events),
            Command::Withdraw { account, amount_micros } => self.withdraw(account, amount_micros, events),
            Command::CreateMarket { ref spec } => self.create_market(spec, events),
            Command::CloseMarket { market } => self.close_market(market, events),
            Command::Split { account, market, outcome, quantity } => {
                self.split(account, market, outcome, quantity, events)
            }
            Command::Merge { account, market, outcome, quantity } => {
                self.merge(account, market, outcome, quantity, events)
            }
            Command::Convert { account, market, outcomes, quantity } => {
                self.convert(account, market, outcomes, quantity, events)
            }
            Command::PlaceOrder { ref order } => self.place_order(order, events),
            Command::CancelOrder { account, order } => self.cancel_order(account, order, events),
            Command::AmendOrder { account, order, price_micros, remaining_quantity } => {
                self.amend_order(account, order, price_micros, remaining_quantity, events)
            }
            Command::SetMarketRule { market, ref rule } => self.set_market_rule(market, rule, events),
            Command::RecordIndexValue { index, at_ms, value } => self.record_index_value(index, at_ms, value, events),
            Command::ConfigureOracle { ref config } => self.configure_oracle(config, events),
            Command::SetArbiter { account, active } => self.set_arbiter(account, active, events),
            Command::ProposeOutcome { account, market, resolution, bond_micros } => {
                self.propose_outcome(account, market, resolution, bond_micros, events)
            }
            Command::DisputeProposal { account, market, bond_micros } => {
                self.dispute_proposal(account, market, bond_micros, events)
            }
            Command::CastArbiterVote { arbiter, market, resolution } => {
                self.cast_arbiter_vote(arbiter, market, resolution, events)
            }
            Command::ResolveMarket { market, resolution } => self.resolve_market(market, resolution, events),
            Command::Redeem { account, market } => self.redeem(account, market, events),
            Command::EnableAmm { market, operator, liquidity_micros } => {
                self.enable_amm(market, operator, liquidity_micros, events)
            }
        };
        // Handlers validate everything before the first mutation, so a refusal emitted nothing.
        debug_assert!(result.is_ok() || events.len() == events_before);
        result
    }

    /// `apply` into a fresh vector: convenient where speed does not matter.
    pub fn apply_collect(&mut self, command: &Command) -> Result<Vec<Event>, Reject> {
        let mut events = Vec::new();
        self.apply(command, &mut events).map(|()| events)
    }

    fn advance_time(&mut self, now_ms: TimestampMs, events: &mut Vec<Event>) -> Result<(), Reject> {
        if now_ms < self.clock_ms {
            return Err(Reject::TimeWentBackwards { now_ms, clock_ms: self.clock_ms });
        }
        self.clock_ms = now_ms;
        events.push(Event::TimeAdvanced { now_ms });
        // In a fixed order: due orders expire, then due markets close, then undisputed proposals
        // whose liveness ended become final (each in (time, id) order).
        self.expire_due_orders(events);
        self.close_due_markets(events);
        self.finalize_due_proposals(events);
        Ok(())
    }

    fn open_account(&mut self, id: AccountId) -> AccountSlot {
        if let Some(&slot) = self.account_index.get(&id) {
            return slot;
        }
        let slot = self.accounts.push(Account { id, available_micros: 0, reserved_micros: 0 });
        self.account_index.insert(id, slot);
        slot
    }

    fn account_slot(&self, id: AccountId) -> Result<AccountSlot, Reject> {
        self.account_index.get(&id).copied().ok_or(Reject::UnknownAccount { account: id })
    }

    fn market_slot(&self, id: MarketId) -> Result<MarketSlot, Reject> {
        self.market_index.get(&id).copied().ok_or(Reject::UnknownMarket { market: id })
    }

    fn open_market_slot(&self, id: MarketId) -> Result<MarketSlot, Reject> {
        let slot = self.market_slot(id)?;
        if self.markets[slot].status != MarketStatus::Open {
            return Err(Reject::MarketNotOpen { market: id });
        }
        Ok(slot)
    }

    fn position_slot(&mut self, account: AccountSlot, contract: ContractSlot) -> PositionSlot {
        if let Some(&slot) = self.position_index.get(&(account, contract)) {
            return slot;
        }
        let slot = self.positions.push(Position::new(account, contract));
        self.position_index.insert((account, contract), slot);
        slot
    }

    fn existing_position(&self, account: AccountSlot, contract: ContractSlot) -> Option<&Position> {
        self.position_index.get(&(account, contract)).map(|&slot| &self.positions[slot])
    }
}

/// An outcome's index from its position in a market's outcomes (at most
/// `CATEGORICAL_OUTCOMES_MAX`, which fits an `OutcomeIndex`).
fn outcome_at(position: usize) -> augury_core::OutcomeIndex {
    augury_core::OutcomeIndex::try_from(position).expect("a market has at most CATEGORICAL_OUTCOMES_MAX outcomes")
}

/// A count of ticks on a market's grid (at most `TICKS_PER_DOLLAR_MAX`, checked to fit a `u32` in
/// `augury_core::limits`).
fn grid_ticks(ticks: u64) -> Ticks {
    Ticks::try_from(ticks).expect("a grid has at most TICKS_PER_DOLLAR_MAX ticks")
}

/// Converts a YES price in ticks to micro-dollars.
fn ticks_to_micros(ticks: Ticks, tick_micros: u64) -> u64 {
    u64::from(ticks) * tick_micros
}
