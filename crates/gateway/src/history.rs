//! The venue's history as the API shows it (orders in every state, fills, the public trade tape,
//! candles, each market's resolution record and market maker, and what each account has posted
//! as bonds or put into market makers), derived from the journal's entries alone. It is rebuilt
//! from the first entry at startup and then follows each committed batch before that batch's
//! callers are answered, so a client always finds what it was just told about.
//!
//! The resolution record and the market maker's close-out live here rather than in the engine:
//! the engine forgets a proposal, its dispute and the votes when the market settles, and its market
//! maker when it closes (its state and state hash hold only what is still live), while the journal
//! keeps every event that made them, so the audit trail is read from there.

use crate::stats;
use augury_core::{
    payout, AccountId, Action, CancelReason, Event, MarketId, MarketKind, Micros, OrderId, OrderType, OutcomeIndex,
    Quantity, Resolution, ResolutionSource, Side, TimeInForce, TimestampMs, TradeId,
};
use augury_sequencer::{Observer, VenueCommand};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Resting in the book.
    Open,
    Filled,
    Cancelled,
    Expired,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrderRecord {
    pub order_id: OrderId,
    pub client_order_id: Option<String>,
    pub account: AccountId,
    pub market: MarketId,
    pub outcome: OutcomeIndex,
    pub side: Side,
    pub action: Action,
    pub order_type: OrderType,
    pub time_in_force: TimeInForce,
    pub post_only: bool,
    /// The limit price in the order's own side (None for market orders).
    pub price_micros: Option<Micros>,
    pub quantity: Quantity,
    pub filled_quantity: Quantity,
    pub remaining_quantity: Quantity,
    /// Collateral paid (buys) or received (sells) by the order's fills, before fees.
    pub filled_notional_micros: Micros,
    pub fees_micros: Micros,
    pub status: OrderStatus,
    pub cancel_reason: Option<CancelReason>,
    pub created_ms: TimestampMs,
    pub updated_ms: TimestampMs,
}

/// One side's view of a fill.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FillRecord {
    pub trade_id: TradeId,
    pub order_id: OrderId,
    pub account: AccountId,
    pub market: MarketId,
    pub outcome: OutcomeIndex,
    pub side: Side,
    pub action: Action,
    /// The price in this order's own side.
    pub price_micros: Micros,
    pub quantity: Quantity,
    pub fee_micros: Micros,
    /// What changed hands before fees: `price_micros x quantity` for a fill against the book;
    /// against the market maker, its exact LMSR amount (so `price_micros` is its average, rounded
    /// down).
    pub notional_micros: Micros,
    pub is_taker: bool,
    /// Who was on the other side.
    pub liquidity: Liquidity,
    pub time_ms: TimestampMs,
    /// The journal entry that holds the fill (its index from 0): `GET
    /// /v1/audit/fills/{trade_id}/proof` proves that entry is in the signed journal.
    pub journal_entry: u64,
}

/// Where a fill's other side came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Liquidity {
    /// An order resting in the book.
    Book,
    /// The market's LMSR market maker.
    Amm,
}

/// A payout received by redeeming contracts in a settled market.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SettlementRecord {
    pub market: MarketId,
    /// YES and NO contracts of every outcome, together.
    pub contracts: Quantity,
    pub payout_micros: Micros,
    pub time_ms: TimestampMs,
}

/// A public trade: the YES price and who took (no accounts).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TradeRecord {
    pub trade_id: TradeId,
    pub market: MarketId,
    pub outcome: OutcomeIndex,
    pub yes_price_micros: Micros,
    pub quantity: Quantity,
    /// The taker's side and action.
    pub taker_side: Side,
    pub taker_action: Action,
    pub time_ms: TimestampMs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Candle {
    pub start_ms: TimestampMs,
    pub open_micros: Micros,
    pub high_micros: Micros,
    pub low_micros: Micros,
    pub close_micros: Micros,
    pub volume: Quantity,
    pub trades: u64,
}

/// A proposal of how a market resolved, as it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProposalRecord {
    pub proposer: AccountId,
    pub resolution: Resolution,
    /// Posted from the proposer's available collateral; `bonds` says where it went.
    pub bond_micros: Micros,
    pub proposed_ms: TimestampMs,
    /// Final at this time unless disputed before.
    pub liveness_ends_ms: TimestampMs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct DisputeRecord {
    pub disputer: AccountId,
    pub bond_micros: Micros,
    pub disputed_ms: TimestampMs,
}

/// An arbiter's vote, as cast. It counts toward the quorum even if its arbiter is removed later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct VoteRecord {
    pub arbiter: AccountId,
    pub resolution: Resolution,
    /// Votes for this resolution with this one.
    pub tally: u32,
    pub time_ms: TimestampMs,
}

/// Who posted a bond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BondRole {
    Proposer,
    Disputer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BondOutcome {
    /// It went back to the account that posted it.
    Returned,
    /// It was lost: `paid_micros` to `paid_to` (the other side of the dispute), `fee_micros` to
    /// the venue's fee account (all of it when an administrator overruled an undisputed
    /// proposal: `paid_to` is then the fee account).
    Forfeited,
}

/// How a posted bond was paid out when the market settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BondRecord {
    /// Who posted it.
    pub account: AccountId,
    pub role: BondRole,
    pub amount_micros: Micros,
    pub outcome: BondOutcome,
    /// Who received `paid_micros`: the poster itself when returned.
    pub paid_to: AccountId,
    pub paid_micros: Micros,
    /// To the venue's fee account.
    pub fee_micros: Micros,
}

/// How a market's resolution was decided, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionRecord {
    pub resolution: Resolution,
    pub source: ResolutionSource,
    pub time_ms: TimestampMs,
}

/// A market's resolution as it happened: the proposal, the dispute, every vote in the order cast,
/// the decision and how the bonds were paid. Kept for good: the audit trail of a resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolutionRecord {
    pub proposal: Option<ProposalRecord>,
    pub dispute: Option<DisputeRecord>,
    pub votes: Vec<VoteRecord>,
    pub decision: Option<DecisionRecord>,
    /// Empty until the market settles (until then the bonds are held by the market).
    pub bonds: Vec<BondRecord>,
}

/// A market's LMSR market maker as its events tell it, kept after it closes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmmRecord {
    pub operator: AccountId,
    pub liquidity_micros: Micros,
    pub funded_micros: Micros,
    pub enabled_ms: TimestampMs,
    /// Net contracts of each LMSR state it has sold (only their differences matter: a full set
    /// sold or bought shifts every state alike and is merged or minted away).
    sold: Vec<i128>,
    /// Set at settlement.
    pub closed: Option<AmmCloseRecord>,
}

/// What a market maker held when its market settled, and what went back to its operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct AmmCloseRecord {
    pub closed_ms: TimestampMs,
    /// Its cash at the close, before the payout of its claims.
    pub cash_micros: Micros,
    /// The claims it held (YES, NO for binary and scalar markets; each outcome's YES for
    /// categorical ones).
    pub claims: Vec<Quantity>,
    /// What those claims were paid at the settlement's payout vector.
    pub claims_paid_micros: Micros,
    /// Cash plus claims paid, back to the operator's available collateral.
    pub returned_micros: Micros,
}

impl AmmRecord {
    /// The claims it holds (or held at its close): the engine's `plan` keeps the smallest at 0 by
    /// merging full sets, so each state's claims are the most sold of any state less its own.
    pub fn claims(&self) -> Vec<Quantity> {
        let most = self.sold.iter().copied().max().unwrap_or(0);
        self.sold.iter().map(|&sold| Quantity::try_from(most - sold).unwrap_or(Quantity::MAX)).collect()
    }

    /// A taker's trade with it: which state's sales it moves, and which way. A categorical NO of
    /// outcome i is the YES of every other outcome, so buying it sells every other state, the same
    /// as buying back state i up to a full set.
    fn trade(&mut self, categorical: bool, outcome: OutcomeIndex, side: Side, action: Action, quantity: Quantity) {
        let quantity = i128::from(quantity);
        let (state, sells) = match (side, categorical) {
            (Side::Yes, _) => (usize::from(outcome), action == Action::Buy),
            (Side::No, false) => (1, action == Action::Buy),
            (Side::No, true) => (usize::from(outcome), action == Action::Sell),
        };
        if let Some(sold) = self.sold.get_mut(state) {
            *sold += if sells { quantity } else { -quantity };
        }
    }
}

/// Collateral that left an account's available balance without being spent: bonds it has posted
/// on markets not yet settled, and the funding of its market makers still running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    pub bonds_micros: Micros,
    pub amm_funding_micros: Micros,
}

/// The finest candle kept; coarser intervals are aggregated on request.
pub const BASE_INTERVAL_MS: u64 = 60_000;

#[derive(Default)]
pub struct History {
    now_ms: TimestampMs,
    /// A B-tree, not a hash map: it grows without ever rehashing everything at once. A hash map
    /// of every order ever placed stopped the publisher (and every reader waiting on the history
    /// lock) for 40-60 ms when it doubled past about 115,000 orders (`augury bench api`).
    orders: BTreeMap<OrderId, OrderRecord>,
    orders_by_account: HashMap<AccountId, Vec<OrderId>>,
    // A B-tree for the same reason as `orders`: it only grows, and a rehash would stall readers.
    client_orders: BTreeMap<(AccountId, String), OrderId>,
    fills_by_account: HashMap<AccountId, Vec<FillRecord>>,
    settlements_by_account: HashMap<AccountId, Vec<SettlementRecord>>,
    trades_by_market: HashMap<MarketId, Vec<TradeRecord>>,
    candles: HashMap<(MarketId, OutcomeIndex), BTreeMap<TimestampMs, Candle>>,
    markets: Vec<MarketId>,
    kinds: HashMap<MarketId, MarketKind>,
    resolutions: HashMap<MarketId, ResolutionRecord>,
    amms: HashMap<MarketId, AmmRecord>,
    committed: HashMap<AccountId, Committed>,
    /// Volume, open interest, prices, traders and liquidity per market and outcome.
    stats: stats::Stats,
    entries: u64,
}

impl History {
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Every market ever created, in creation order.
    pub fn markets(&self) -> Vec<MarketId> {
        self.markets.clone()
    }

    /// A market's resolution record (empty until something happens to it; None for a market never
    /// created).
    pub fn resolution(&self, market: MarketId) -> Option<ResolutionRecord> {
        self.kinds.contains_key(&market).then(|| self.resolutions.get(&market).cloned().unwrap_or_default())
    }

    /// A market's statistics and its outcomes' (None for a market never created).
    pub fn stats(&self, market: MarketId) -> Option<stats::MarketStats> {
        self.stats.market(market)
    }

    /// Every market's statistics, in market id order: what discovery sorts (no scan of the
    /// history: each market's figures are kept current, the liquidity band read from its books).
    pub fn all_stats(&self) -> Vec<stats::MarketStats> {
        self.stats.all()
    }

    /// A market's market maker, running or closed, if it ever had one.
    pub fn amm(&self, market: MarketId) -> Option<&AmmRecord> {
        self.amms.get(&market)
    }

    /// An account's posted bonds and market-maker funding.
    pub fn committed(&self, account: AccountId) -> Committed {
        self.committed.get(&account).copied().unwrap_or_default()
    }

    pub fn order(&self, id: OrderId) -> Option<&OrderRecord> {
        self.orders.get(&id)
    }

    pub fn order_by_client_id(&self, account: AccountId, client_order_id: &str) -> Option<&OrderRecord> {
        self.client_orders.get(&(account, client_order_id.to_string())).and_then(|id| self.orders.get(id))
    }

    /// An account's orders, newest first, with ids below `before` (cursor), filtered.
    pub fn orders(
        &self,
        account: AccountId,
        before: Option<OrderId>,
        limit: usize,
        keep: impl Fn(&OrderRecord) -> bool,
    ) -> Vec<OrderRecord> {
        let ids = self.orders_by_account.get(&account).map_or(&[][..], Vec::as_slice);
        let end = before.map_or(ids.len(), |b| ids.partition_point(|id| *id < b));
        ids[..end].iter().rev().filter_map(|id| self.orders.get(id)).filter(|o| keep(o)).take(limit).cloned().collect()
    }

    /// An account's fills, newest first, with trade ids below `before`.
    pub fn fills(&self, account: AccountId, before: Option<TradeId>, limit: usize) -> Vec<FillRecord> {
        self.fills_in(account, None, before, limit)
    }

    /// One of an account's fills, by trade id (a trade has two fills: each party's own).
    pub fn fill(&self, account: AccountId, trade: TradeId) -> Option<&FillRecord> {
        let fills = self.fills_by_account.get(&account)?;
        let at = fills.partition_point(|f| f.trade_id < trade);
        fills[at..].iter().take_while(|f| f.trade_id == trade).next()
    }

    /// An account's fills in one market (or in all), newest first, with trade ids below `before`.
    pub fn fills_in(
        &self,
        account: AccountId,
        market: Option<MarketId>,
        before: Option<TradeId>,
        limit: usize,
    ) -> Vec<FillRecord> {
        let fills = self.fills_by_account.get(&account).map_or(&[][..], Vec::as_slice);
        let end = before.map_or(fills.len(), |b| fills.partition_point(|f| f.trade_id < b));
        fills[..end].iter().rev().filter(|f| market.is_none_or(|m| f.market == m)).take(limit).cloned().collect()
    }

    /// An account's settlements (redemptions), newest first, skipping the first `skip`.
    pub fn settlements(&self, account: AccountId, skip: usize, limit: usize) -> Vec<SettlementRecord> {
        let all = self.settlements_by_account.get(&account).map_or(&[][..], Vec::as_slice);
        all.iter().rev().skip(skip).take(limit).cloned().collect()
    }

    /// A market's trades, newest first, with trade ids below `before`.
    pub fn trades(&self, market: MarketId, before: Option<TradeId>, limit: usize) -> Vec<TradeRecord> {
        let trades = self.trades_by_market.get(&market).map_or(&[][..], Vec::as_slice);
        let end = before.map_or(trades.len(), |b| trades.partition_point(|t| t.trade_id < b));
        trades[..end].iter().rev().take(limit).cloned().collect()
    }

    pub fn last_trade(&self, market: MarketId, outcome: OutcomeIndex) -> Option<&TradeRecord> {
        self.trades_by_market.get(&market)?.iter().rev().find(|t| t.outcome == outcome)
    }

    /// Candles of `interval_ms` (a multiple of a minute) starting in `[start_ms, end_ms)`.
    pub fn candles(
        &self,
        market: MarketId,
        outcome: OutcomeIndex,
        interval_ms: u64,
        start_ms: TimestampMs,
        end_ms: TimestampMs,
    ) -> Vec<Candle> {
        debug_assert!(interval_ms.is_multiple_of(BASE_INTERVAL_MS));
        let Some(series) = self.candles.get(&(market, outcome)) else { return Vec::new() };
        let mut out: Vec<Candle> = Vec::new();
        for candle in series.range(start_ms..end_ms).map(|(_, c)| c) {
            let start = candle.start_ms - candle.start_ms % interval_ms;
            match out.last_mut() {
                Some(last) if last.start_ms == start => {
                    last.high_micros = last.high_micros.max(candle.high_micros);
                    last.low_micros = last.low_micros.min(candle.low_micros);
                    last.close_micros = candle.close_micros;
                    last.volume += candle.volume;
                    last.trades += candle.trades;
                }
                _ => out.push(Candle { start_ms: start, ..*candle }),
            }
        }
        out
    }

    /// Follows one journal entry.
    pub fn apply(&mut self, command: &VenueCommand, events: &[Event]) {
        self.entries += 1;
        let client_order_id = match command {
            VenueCommand::PlaceClientOrder { order, client_order_id } => {
                self.client_orders.insert((order.account, client_order_id.clone()), order.order);
                Some(client_order_id)
            }
            _ => None,
        };
        for event in events {
            self.apply_event(event, client_order_id);
            // After the history's own update, so it sees the venue's time as the history does.
            self.stats.apply(event, self.now_ms);
        }
    }

    fn apply_event(&mut self, event: &Event, client_order_id: Option<&String>) {
        let now = self.now_ms;
        match *event {
            Event::TimeAdvanced { now_ms } => self.now_ms = self.now_ms.max(now_ms),
            Event::MarketCreated { spec } => {
                self.markets.push(spec.market);
                self.kinds.insert(spec.market, spec.kind);
            }
            Event::OutcomeProposed { market, proposer, resolution, bond_micros, liveness_ends_ms } => {
                self.committed.entry(proposer).or_default().bonds_micros += bond_micros;
                self.resolutions.entry(market).or_default().proposal =
                    Some(ProposalRecord { proposer, resolution, bond_micros, proposed_ms: now, liveness_ends_ms });
            }
            Event::ProposalDisputed { market, disputer, bond_micros } => {
                self.committed.entry(disputer).or_default().bonds_micros += bond_micros;
                self.resolutions.entry(market).or_default().dispute =
                    Some(DisputeRecord { disputer, bond_micros, disputed_ms: now });
            }
            Event::ArbiterVoted { market, arbiter, resolution, votes } => {
                let vote = VoteRecord { arbiter, resolution, tally: votes, time_ms: now };
                self.resolutions.entry(market).or_default().votes.push(vote);
            }
            Event::MarketResolved { market, resolution, source } => {
                self.resolutions.entry(market).or_default().decision =
                    Some(DecisionRecord { resolution, source, time_ms: now });
            }
            Event::BondReturned { market, account, amount_micros } => {
                let paid = (account, amount_micros, 0);
                self.settle_bond(market, account, amount_micros, BondOutcome::Returned, paid);
            }
            Event::BondForfeited { market, account, amount_micros, to, paid_micros, fee_micros } => {
                let paid = (to, paid_micros, fee_micros);
                self.settle_bond(market, account, amount_micros, BondOutcome::Forfeited, paid);
            }
            Event::AmmEnabled { market, operator, liquidity_micros, funded_micros } => {
                let states = match self.kinds.get(&market) {
                    Some(MarketKind::Categorical { outcomes }) => usize::from(*outcomes),
                    _ => 2,
                };
                self.committed.entry(operator).or_default().amm_funding_micros += funded_micros;
                self.amms.insert(
                    market,
                    AmmRecord {
                        operator,
                        liquidity_micros,
                        funded_micros,
                        enabled_ms: now,
                        sold: vec![0; states],
                        closed: None,
                    },
                );
            }
            Event::AmmClosed { market, operator, returned_micros } => self.close_amm(market, operator, returned_micros),
            Event::OrderAccepted {
                order,
                account,
                market,
                outcome,
                side,
                action,
                order_type,
                quantity,
                time_in_force,
                post_only,
                ..
            } => {
                let price_micros = match order_type {
                    OrderType::Limit { price_micros } => Some(price_micros),
                    OrderType::Market { .. } => None,
                };
                self.orders.insert(
                    order,
                    OrderRecord {
                        order_id: order,
                        client_order_id: client_order_id.cloned(),
                        account,
                        market,
                        outcome,
                        side,
                        action,
                        order_type,
                        time_in_force,
                        post_only,
                        price_micros,
                        quantity,
                        filled_quantity: 0,
                        remaining_quantity: quantity,
                        filled_notional_micros: 0,
                        fees_micros: 0,
                        // Until it rests, fills or is cancelled, which the same entry says.
                        status: OrderStatus::Open,
                        cancel_reason: None,
                        created_ms: now,
                        updated_ms: now,
                    },
                );
                self.orders_by_account.entry(account).or_default().push(order);
            }
            Event::Fill {
                trade,
                market,
                outcome,
                yes_price_micros,
                quantity,
                maker_order,
                maker_account,
                maker_side,
                maker_action,
                maker_fee_micros,
                maker_remaining,
                taker_order,
                taker_account,
                taker_side,
                taker_action,
                taker_fee_micros,
                taker_remaining,
                ..
            } => {
                let parties = [
                    (maker_order, maker_account, maker_side, maker_action, maker_fee_micros, maker_remaining, false),
                    (taker_order, taker_account, taker_side, taker_action, taker_fee_micros, taker_remaining, true),
                ];
                for (order, account, side, action, fee, remaining, is_taker) in parties {
                    let price_micros = own_price(side, yes_price_micros);
                    let fill = FillRecord {
                        trade_id: trade,
                        order_id: order,
                        account,
                        market,
                        outcome,
                        side,
                        action,
                        price_micros,
                        quantity,
                        fee_micros: fee,
                        notional_micros: price_micros * quantity,
                        is_taker,
                        liquidity: Liquidity::Book,
                        time_ms: now,
                        journal_entry: self.entries - 1,
                    };
                    self.record_fill(fill, remaining);
                }
                self.record_trade(TradeRecord {
                    trade_id: trade,
                    market,
                    outcome,
                    yes_price_micros,
                    quantity,
                    taker_side,
                    taker_action,
                    time_ms: now,
                });
            }
            Event::AmmFill {
                trade,
                market,
                outcome,
                quantity,
                value_micros,
                taker_order,
                taker_account,
                taker_side,
                taker_action,
                taker_fee_micros,
                taker_remaining,
            } => {
                let price_micros = value_micros / quantity.max(1);
                let categorical = matches!(self.kinds.get(&market), Some(MarketKind::Categorical { .. }));
                if let Some(amm) = self.amms.get_mut(&market) {
                    amm.trade(categorical, outcome, taker_side, taker_action, quantity);
                }
                self.record_fill(
                    FillRecord {
                        trade_id: trade,
                        order_id: taker_order,
                        account: taker_account,
                        market,
                        outcome,
                        side: taker_side,
                        action: taker_action,
                        price_micros,
                        quantity,
                        fee_micros: taker_fee_micros,
                        notional_micros: value_micros,
                        is_taker: true,
                        liquidity: Liquidity::Amm,
                        time_ms: now,
                        journal_entry: self.entries - 1,
                    },
                    taker_remaining,
                );
                self.record_trade(TradeRecord {
                    trade_id: trade,
                    market,
                    outcome,
                    yes_price_micros: own_price(taker_side, price_micros),
                    quantity,
                    taker_side,
                    taker_action,
                    time_ms: now,
                });
            }
            Event::Redeemed { account, market, contracts, payout_micros } => {
                let record = SettlementRecord { market, contracts, payout_micros, time_ms: now };
                self.settlements_by_account.entry(account).or_default().push(record);
            }
            Event::OrderRested { order, remaining_quantity, .. } => {
                if let Some(record) = self.orders.get_mut(&order) {
                    record.status = OrderStatus::Open;
                    record.remaining_quantity = remaining_quantity;
                }
            }
            Event::OrderCancelled { order, remaining_quantity, reason, .. } => {
                if let Some(record) = self.orders.get_mut(&order) {
                    record.status =
                        if reason == CancelReason::Expired { OrderStatus::Expired } else { OrderStatus::Cancelled };
                    record.cancel_reason = Some(reason);
                    record.remaining_quantity = remaining_quantity;
                    record.updated_ms = now;
                }
            }
            Event::OrderAmended { order, price_micros, remaining_quantity, .. } => {
                if let Some(record) = self.orders.get_mut(&order) {
                    record.price_micros = Some(price_micros);
                    record.order_type = OrderType::Limit { price_micros };
                    record.remaining_quantity = remaining_quantity;
                    record.updated_ms = now;
                }
            }
            _ => {}
        }
    }
}

impl ResolutionRecord {
    /// Whether `account` posted the proposal's bond or the dispute's (never both: a proposer
    /// cannot dispute its own proposal).
    fn role_of(&self, account: AccountId) -> BondRole {
        match self.dispute {
            Some(dispute) if dispute.disputer == account => BondRole::Disputer,
            _ => BondRole::Proposer,
        }
    }
}

impl History {
    /// A bond leaves the market: no longer held by the account that posted it, and recorded with
    /// whom it paid, `(paid_to, paid_micros, fee_micros)`.
    fn settle_bond(
        &mut self,
        market: MarketId,
        account: AccountId,
        amount_micros: Micros,
        outcome: BondOutcome,
        (paid_to, paid_micros, fee_micros): (AccountId, Micros, Micros),
    ) {
        let committed = self.committed.entry(account).or_default();
        committed.bonds_micros = committed.bonds_micros.saturating_sub(amount_micros);
        let record = self.resolutions.entry(market).or_default();
        let role = record.role_of(account);
        record.bonds.push(BondRecord { account, role, amount_micros, outcome, paid_to, paid_micros, fee_micros });
    }

    /// The market maker's close-out: the claims it held, what they were paid at the settlement's
    /// payout vector (`MarketResolved` came before in the same entry), and so its cash at the
    /// close (what went back less what its claims were paid).
    fn close_amm(&mut self, market: MarketId, operator: AccountId, returned_micros: Micros) {
        let now = self.now_ms;
        let resolution = self.resolutions.get(&market).and_then(|r| r.decision).map(|d| d.resolution);
        let (Some(amm), Some(kind), Some(resolution)) =
            (self.amms.get_mut(&market), self.kinds.get(&market), resolution)
        else {
            tracing::error!(%market, "a market maker closed without its market, its enabling or its resolution");
            return;
        };
        let claims = amm.claims();
        let claims_paid_micros: Micros = match kind {
            MarketKind::Categorical { .. } => {
                (0..).zip(&claims).map(|(outcome, &held)| held * payout(kind, &resolution, outcome).yes_micros).sum()
            }
            MarketKind::Binary | MarketKind::Scalar { .. } => {
                let p = payout(kind, &resolution, 0);
                claims[0] * p.yes_micros + claims[1] * p.no_micros
            }
        };
        let cash_micros = returned_micros.checked_sub(claims_paid_micros).unwrap_or_else(|| {
            tracing::error!(%market, returned_micros, claims_paid_micros, "a market maker's close-out does not add up");
            0
        });
        amm.closed = Some(AmmCloseRecord { closed_ms: now, cash_micros, claims, claims_paid_micros, returned_micros });
        let funded_micros = amm.funded_micros;
        let committed = self.committed.entry(operator).or_default();
        committed.amm_funding_micros = committed.amm_funding_micros.saturating_sub(funded_micros);
    }

    /// A fill's effect on its order, and the fill in its account's list.
    fn record_fill(&mut self, fill: FillRecord, remaining: Quantity) {
        if let Some(record) = self.orders.get_mut(&fill.order_id) {
            record.filled_quantity += fill.quantity;
            record.remaining_quantity = remaining;
            record.filled_notional_micros += fill.notional_micros;
            record.fees_micros += fill.fee_micros;
            record.updated_ms = fill.time_ms;
            if remaining == 0 {
                record.status = OrderStatus::Filled;
            }
        }
        self.fills_by_account.entry(fill.account).or_default().push(fill);
    }

    /// A public trade, and its place in the market's one-minute candles.
    fn record_trade(&mut self, trade: TradeRecord) {
        let price = trade.yes_price_micros;
        let start = trade.time_ms - trade.time_ms % BASE_INTERVAL_MS;
        let candle = self.candles.entry((trade.market, trade.outcome)).or_default().entry(start).or_insert(Candle {
            start_ms: start,
            open_micros: price,
            high_micros: price,
            low_micros: price,
            close_micros: price,
            volume: 0,
            trades: 0,
        });
        candle.high_micros = candle.high_micros.max(price);
        candle.low_micros = candle.low_micros.min(price);
        candle.close_micros = price;
        candle.volume += trade.quantity;
        candle.trades += 1;
        self.trades_by_market.entry(trade.market).or_default().push(trade);
    }
}

/// A price in the given side's terms from the YES price.
pub fn own_price(side: Side, yes_price_micros: Micros) -> Micros {
    match side {
        Side::Yes => yes_price_micros,
        Side::No => augury_core::MICROS_PER_DOLLAR - yes_price_micros,
    }
}

impl Observer for History {
    fn reset(&mut self) {
        *self = History::default();
    }

    fn entry(&mut self, _index: u64, command: &VenueCommand, events: &[Event]) {
        self.apply(command, events);
    }
}
