//! The WebSocket fan-out: which session listens to which stream, each stream's sequence number,
//! and the messages built from each committed batch.
//!
//! The sequencer's publisher drives it on the engine thread ([`Hub::begin_batch`], then
//! [`Batch::before`] / [`Batch::after`] around each entry's history update, then
//! [`Batch::finish`]), holding the hub's lock for the whole batch. Public subscriptions are
//! registered from a `sequencer.query` closure, which runs on the same thread between batches, so
//! a book snapshot and the `seq` it carries describe exactly the state after the last delta
//! published before it, and the next delta published to that stream is `seq + 1`.
//!
//! Every session has one bounded queue. The hub never waits for a session: a message that does
//! not fit drops the session (its socket is closed with [`CLOSE_SLOW_CONSUMER`]), so a slow reader
//! costs neither the sequencer's time nor unbounded memory. Messages are serialized once per
//! stream and shared between subscribers.

use crate::history::{own_price, FillRecord, History, OrderRecord, TradeRecord};
use crate::token;
use augury_core::{AccountId, Action, BookSide, Event, MarketId, Micros, OrderId, OutcomeIndex, Quantity, Side};
use augury_engine::Engine;
use augury_sequencer::registry::KeyId;
use augury_sequencer::VenueCommand;
use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::{mpsc, oneshot};

/// The key that logged a session in was revoked.
pub const CLOSE_REVOKED: u16 = 4001;
/// The key that logged a session in expired.
pub const CLOSE_EXPIRED: u16 = 4002;
/// The client sent nothing (not even a pong) for too long.
pub const CLOSE_IDLE: u16 = 4003;
/// The session fell too far behind its streams.
pub const CLOSE_SLOW_CONSUMER: u16 = 4008;
/// The server is stopping (the standard "going away").
pub const CLOSE_GOING_AWAY: u16 = 1001;

/// Limits on what one session may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WsLimits {
    /// Messages queued for one session before it counts as too slow and is dropped.
    pub queue_capacity: usize,
    /// Streams one session may subscribe to at once.
    pub max_subscriptions: usize,
    /// Sessions open at once; more upgrades are refused with 503.
    pub max_sessions: usize,
    /// Sessions open at once from one IP address; more upgrades are refused with 429.
    pub max_sessions_per_ip: usize,
}

impl Default for WsLimits {
    fn default() -> WsLimits {
        WsLimits { queue_capacity: 4_096, max_subscriptions: 64, max_sessions: 10_000, max_sessions_per_ip: 100 }
    }
}

pub type SessionId = u64;

/// One stream of messages with its own sequence numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Book(MarketId),
    Trades(MarketId),
    Ticker(MarketId),
    Orders(AccountId),
    Fills(AccountId),
}

impl Topic {
    pub fn channel(self) -> &'static str {
        match self {
            Topic::Book(_) => "book",
            Topic::Trades(_) => "trades",
            Topic::Ticker(_) => "ticker",
            Topic::Orders(_) => "orders",
            Topic::Fills(_) => "fills",
        }
    }

    /// The market of a public stream (private streams belong to the session's account and
    /// name no market).
    pub fn market(self) -> Option<MarketId> {
        match self {
            Topic::Book(m) | Topic::Trades(m) | Topic::Ticker(m) => Some(m),
            Topic::Orders(_) | Topic::Fills(_) => None,
        }
    }
}

/// Why the hub closed a session: sent as the WebSocket close frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: String,
}

/// A refusal of a subscription, sent to the client as an error message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct HubError {
    pub code: &'static str,
    pub message: String,
}

impl HubError {
    pub fn new(code: &'static str, message: impl Into<String>) -> HubError {
        HubError { code, message: message.into() }
    }
}

/// What a session task holds: its queue's receiving end and the signal that the hub closed it.
pub struct SessionEnds {
    pub id: SessionId,
    pub queue: mpsc::Receiver<Utf8Bytes>,
    pub closed: oneshot::Receiver<CloseReason>,
}

struct Session {
    queue: mpsc::Sender<Utf8Bytes>,
    close: Option<oneshot::Sender<CloseReason>>,
    key: Option<KeyId>,
    peer: IpAddr,
    topics: BTreeSet<Topic>,
}

#[derive(Default)]
struct Stream {
    /// The seq of the last message published on this stream. Kept after the last subscriber
    /// leaves, so a stream's seq never goes back while the server runs.
    seq: u64,
    subscribers: BTreeSet<SessionId>,
}

/// The ticker state last published for one outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ticker {
    pub outcome: OutcomeIndex,
    /// Best bid and ask in YES prices; null when that side is empty.
    pub yes_bid_micros: Option<Micros>,
    pub yes_ask_micros: Option<Micros>,
    /// The YES price of the outcome's last trade; null before the first.
    pub last_yes_price_micros: Option<Micros>,
}

#[derive(Default)]
struct HubState {
    sessions: HashMap<SessionId, Session>,
    streams: HashMap<Topic, Stream>,
    by_key: HashMap<KeyId, BTreeSet<SessionId>>,
    per_ip: HashMap<IpAddr, usize>,
    tickers: HashMap<MarketId, Vec<Ticker>>,
    next_session: SessionId,
    closed: bool,
}

pub struct Hub {
    state: Mutex<HubState>,
    limits: WsLimits,
}

// ---------------------------------------------------------------- messages

/// Every stream message: `type`, `channel`, `market` (public streams), `seq`, then the body.
#[derive(Serialize)]
struct Envelope<T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    market: Option<MarketId>,
    seq: u64,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LevelMsg {
    pub yes_price_micros: Micros,
    pub quantity: Quantity,
    pub orders: u32,
}

#[derive(Serialize)]
struct BookOutcome {
    outcome: OutcomeIndex,
    bids: Vec<LevelMsg>,
    asks: Vec<LevelMsg>,
}

#[derive(Serialize)]
struct BookSnapshot {
    outcomes: Vec<BookOutcome>,
    journal_entries: u64,
}

#[derive(Serialize)]
struct LevelChange {
    outcome: OutcomeIndex,
    side: BookSide,
    yes_price_micros: Micros,
    /// The level's new total; 0 means the level is gone.
    quantity: Quantity,
    orders: u32,
}

#[derive(Serialize)]
struct BookDelta {
    changes: Vec<LevelChange>,
}

#[derive(Serialize)]
struct TradeMsg<'a> {
    trade: &'a TradeRecord,
}

#[derive(Serialize)]
struct TickerSnapshot<'a> {
    outcomes: &'a [Ticker],
}

#[derive(Serialize)]
struct OrderMsg<'a> {
    order: &'a OrderRecord,
}

#[derive(Serialize)]
struct FillMsg<'a> {
    fill: &'a FillRecord,
}

fn envelope<T: Serialize>(kind: &'static str, topic: Topic, seq: u64, body: T) -> Utf8Bytes {
    let envelope = Envelope { kind, channel: topic.channel(), market: topic.market(), seq, body };
    // Plain structs of integers, strings and enums: serializing them cannot fail.
    Utf8Bytes::from(serde_json::to_string(&envelope).unwrap_or_default())
}

/// The book side an order rests on: bids are buys of YES and sells of NO.
fn book_side(side: Side, action: Action) -> BookSide {
    match (side, action) {
        (Side::Yes, Action::Buy) | (Side::No, Action::Sell) => BookSide::Bid,
        (Side::Yes, Action::Sell) | (Side::No, Action::Buy) => BookSide::Ask,
    }
}

fn full_book(engine: &Engine, market: MarketId, outcomes: OutcomeIndex) -> Vec<BookOutcome> {
    let levels = |outcome, side| {
        engine
            .depth(market, outcome, side, usize::MAX)
            .into_iter()
            .map(|l| LevelMsg { yes_price_micros: l.yes_price_micros, quantity: l.quantity, orders: l.orders })
            .collect()
    };
    (0..outcomes)
        .map(|outcome| BookOutcome {
            outcome,
            bids: levels(outcome, BookSide::Bid),
            asks: levels(outcome, BookSide::Ask),
        })
        .collect()
}

fn ticker(engine: &Engine, market: MarketId, outcome: OutcomeIndex, last: Option<Micros>) -> Ticker {
    let (yes_bid_micros, yes_ask_micros) = engine.best_prices(market, outcome);
    Ticker { outcome, yes_bid_micros, yes_ask_micros, last_yes_price_micros: last }
}

// ---------------------------------------------------------------- the hub

impl HubState {
    fn has_subscribers(&self, topic: Topic) -> bool {
        self.streams.get(&topic).is_some_and(|s| !s.subscribers.is_empty())
    }

    /// Publishes one message on `topic` if anyone listens (the seq moves only then), dropping
    /// subscribers whose queue is full or gone.
    fn emit(&mut self, topic: Topic, kind: &'static str, body: impl Serialize) {
        let Some(stream) = self.streams.get_mut(&topic) else { return };
        if stream.subscribers.is_empty() {
            return;
        }
        stream.seq += 1;
        let text = envelope(kind, topic, stream.seq, body);
        let mut lagging = Vec::new();
        for id in &stream.subscribers {
            match self.sessions.get(id) {
                Some(session) if session.queue.try_send(text.clone()).is_ok() => {}
                _ => lagging.push(*id),
            }
        }
        for id in lagging {
            self.drop_session(id, slow_consumer());
        }
    }

    /// Puts a message for one session in its queue; a full queue drops the session.
    fn send_to(&mut self, id: SessionId, text: Utf8Bytes) -> Result<(), HubError> {
        let session = self.sessions.get(&id).ok_or_else(gone)?;
        if session.queue.try_send(text).is_err() {
            self.drop_session(id, slow_consumer());
            return Err(gone());
        }
        Ok(())
    }

    /// Forgets a session and tells its task why (if it is still there to hear it).
    fn drop_session(&mut self, id: SessionId, reason: CloseReason) {
        let Some(mut session) = self.sessions.remove(&id) else { return };
        for topic in &session.topics {
            if let Some(stream) = self.streams.get_mut(topic) {
                stream.subscribers.remove(&id);
            }
        }
        if let Some(count) = self.per_ip.get_mut(&session.peer) {
            *count -= 1;
            if *count == 0 {
                self.per_ip.remove(&session.peer);
            }
        }
        if let Some(key) = session.key {
            if let Some(ids) = self.by_key.get_mut(&key) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.by_key.remove(&key);
                }
            }
        }
        if let Some(close) = session.close.take() {
            let _ = close.send(reason);
        }
    }

    /// Registers `id` on `topic` and queues the stream's first message for it, built from the
    /// stream's current seq. Subscribing again to a stream one already has just queues a fresh
    /// first message (the resync).
    fn subscribe(
        &mut self,
        id: SessionId,
        topic: Topic,
        max: usize,
        first: impl FnOnce(u64) -> Utf8Bytes,
    ) -> Result<(), HubError> {
        let session = self.sessions.get_mut(&id).ok_or_else(gone)?;
        if !session.topics.contains(&topic) && session.topics.len() >= max {
            return Err(HubError::new(
                "too_many_subscriptions",
                format!("a session may hold at most {max} subscriptions; unsubscribe from one first"),
            ));
        }
        session.topics.insert(topic);
        let stream = self.streams.entry(topic).or_default();
        stream.subscribers.insert(id);
        let text = first(stream.seq);
        self.send_to(id, text)
    }
}

fn gone() -> HubError {
    HubError::new("session_closed", "this session has been closed")
}

fn slow_consumer() -> CloseReason {
    CloseReason {
        code: CLOSE_SLOW_CONSUMER,
        reason: "slow consumer: too many messages queued; reconnect and resubscribe".into(),
    }
}

impl Hub {
    pub fn new(limits: WsLimits) -> Hub {
        Hub { state: Mutex::new(HubState::default()), limits }
    }

    pub fn limits(&self) -> WsLimits {
        self.limits
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        // Every change to the state is a few map operations that leave it consistent, so a
        // panic elsewhere while holding the lock does not make it unreadable.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn session_count(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Whether a session from `peer` would be admitted now (checked before the upgrade, so a
    /// refusal is a plain HTTP error).
    pub fn admits(&self, peer: IpAddr) -> Result<(), HubError> {
        let state = self.lock();
        if state.closed {
            return Err(HubError::new("unavailable", "the server is shutting down"));
        }
        if state.sessions.len() >= self.limits.max_sessions {
            return Err(HubError::new("overloaded", "too many WebSocket sessions; try again later"));
        }
        if state.per_ip.get(&peer).is_some_and(|n| *n >= self.limits.max_sessions_per_ip) {
            return Err(HubError::new(
                "rate_limited",
                format!("at most {} WebSocket sessions per address", self.limits.max_sessions_per_ip),
            ));
        }
        Ok(())
    }

    /// A new session from `peer`, unless the hub is full or shutting down.
    pub fn open_session(&self, peer: IpAddr) -> Result<SessionEnds, HubError> {
        self.admits(peer)?;
        let mut state = self.lock();
        *state.per_ip.entry(peer).or_default() += 1;
        state.next_session += 1;
        let id = state.next_session;
        let (queue, queue_receiver) = mpsc::channel(self.limits.queue_capacity.max(1));
        let (close, closed) = oneshot::channel();
        state.sessions.insert(id, Session { queue, close: Some(close), key: None, peer, topics: BTreeSet::new() });
        Ok(SessionEnds { id, queue: queue_receiver, closed })
    }

    /// The session's task has ended.
    pub fn close_session(&self, id: SessionId) {
        let mut state = self.lock();
        if let Some(session) = state.sessions.get_mut(&id) {
            // Nobody listens for the reason any more.
            session.close = None;
        }
        state.drop_session(id, CloseReason { code: 1000, reason: String::new() });
    }

    /// Closes every session (the server is stopping) and refuses new ones.
    pub fn close_all(&self, reason: &str) {
        let mut state = self.lock();
        state.closed = true;
        let ids: Vec<SessionId> = state.sessions.keys().copied().collect();
        for id in ids {
            state.drop_session(id, CloseReason { code: CLOSE_GOING_AWAY, reason: reason.into() });
        }
    }

    /// Records that `id` is logged in with `key`, so revoking the key closes it.
    pub fn login(&self, id: SessionId, key: KeyId) -> Result<(), HubError> {
        let mut state = self.lock();
        let session = state.sessions.get_mut(&id).ok_or_else(gone)?;
        session.key = Some(key);
        state.by_key.entry(key).or_default().insert(id);
        Ok(())
    }

    /// Closes a session from its own side (for example when its key expires).
    pub fn close(&self, id: SessionId, reason: CloseReason) {
        self.lock().drop_session(id, reason);
    }

    /// Subscribes to a private stream of `account` (no engine state needed, so this runs on the
    /// caller's thread; the hub's lock orders it against batches).
    pub fn subscribe_private(&self, id: SessionId, topic: Topic) -> Result<(), HubError> {
        debug_assert!(topic.market().is_none());
        self.lock()
            .subscribe(id, topic, self.limits.max_subscriptions, |seq| envelope("subscribed", topic, seq, Empty {}))
    }

    /// Subscribes to a public stream. Call only on the sequencer thread (from a query): the
    /// snapshot is read from `engine` and must sit between two batches.
    pub fn subscribe_public(
        &self,
        id: SessionId,
        topic: Topic,
        engine: &Engine,
        history: &History,
        journal_entries: u64,
    ) -> Result<(), HubError> {
        let Some(market) = topic.market() else {
            return Err(HubError::new("invalid_message", "private channels are subscribed without a market"));
        };
        let spec = engine
            .market_spec(market)
            .ok_or_else(|| HubError::new("unknown_market", format!("unknown market {market}")))?;
        let outcomes = spec.kind.outcome_count();
        let mut state = self.lock();
        let max = self.limits.max_subscriptions;
        match topic {
            Topic::Book(_) => state.subscribe(id, topic, max, |seq| {
                let body = BookSnapshot { outcomes: full_book(engine, market, outcomes), journal_entries };
                envelope("snapshot", topic, seq, body)
            }),
            Topic::Ticker(_) => {
                let tickers: Vec<Ticker> = (0..outcomes)
                    .map(|o| ticker(engine, market, o, history.last_trade(market, o).map(|t| t.yes_price_micros)))
                    .collect();
                let text = |seq| envelope("snapshot", topic, seq, TickerSnapshot { outcomes: &tickers });
                let result = state.subscribe(id, topic, max, text);
                // What the subscriber now knows: later changes are measured against it.
                state.tickers.insert(market, tickers);
                result
            }
            _ => state.subscribe(id, topic, max, |seq| envelope("subscribed", topic, seq, Empty {})),
        }
    }

    /// Leaves a stream; the answer goes through the session's queue, after everything already
    /// queued for that stream.
    pub fn unsubscribe(&self, id: SessionId, topic: Topic) -> Result<(), HubError> {
        let mut state = self.lock();
        let session = state.sessions.get_mut(&id).ok_or_else(gone)?;
        if !session.topics.remove(&topic) {
            return Err(HubError::new("not_subscribed", format!("not subscribed to {}", describe(topic))));
        }
        let seq = state.streams.get_mut(&topic).map_or(0, |stream| {
            stream.subscribers.remove(&id);
            stream.seq
        });
        state.send_to(id, envelope("unsubscribed", topic, seq, Empty {}))
    }

    /// Starts publishing a committed batch; the hub stays locked until the batch is dropped.
    pub fn begin_batch(&self) -> Batch<'_> {
        Batch { state: self.lock(), levels: BTreeMap::new(), tickers: BTreeMap::new(), entry_orders: HashMap::new() }
    }
}

pub fn describe(topic: Topic) -> String {
    match topic.market() {
        Some(market) => format!("{} of market {market}", topic.channel()),
        None => topic.channel().to_string(),
    }
}

/// What one order's book position is, for naming the level an event touches.
#[derive(Clone, Copy)]
struct OrderInfo {
    market: MarketId,
    outcome: OutcomeIndex,
    side: Side,
    action: Action,
    price_micros: Option<Micros>,
}

impl From<&OrderRecord> for OrderInfo {
    fn from(o: &OrderRecord) -> OrderInfo {
        OrderInfo { market: o.market, outcome: o.outcome, side: o.side, action: o.action, price_micros: o.price_micros }
    }
}

/// One committed batch being published (the hub is locked meanwhile).
pub struct Batch<'a> {
    state: MutexGuard<'a, HubState>,
    /// Book levels the batch touched, per market with book subscribers: (outcome, side, YES price).
    levels: BTreeMap<MarketId, BTreeSet<(OutcomeIndex, BookSide, Micros)>>,
    /// Outcomes whose ticker may have moved, with the last trade price the batch saw.
    tickers: BTreeMap<(MarketId, OutcomeIndex), Option<Micros>>,
    /// Orders accepted in the current entry (not yet in the history when `before` runs).
    entry_orders: HashMap<OrderId, OrderInfo>,
}

impl Batch<'_> {
    fn idle(&self) -> bool {
        self.state.sessions.is_empty()
    }

    fn touch(&mut self, market: MarketId, outcome: OutcomeIndex, side: BookSide, yes_price_micros: Micros) {
        if self.state.has_subscribers(Topic::Book(market)) {
            self.levels.entry(market).or_default().insert((outcome, side, yes_price_micros));
        }
        if self.state.has_subscribers(Topic::Ticker(market)) {
            self.tickers.entry((market, outcome)).or_insert(None);
        }
    }

    /// Before the history applies an entry: notes the book levels its events touch (an amended
    /// or cancelled order's old level is only known from the history as it was).
    pub fn before(&mut self, history: &History, events: &[Event]) {
        if self.idle() {
            return;
        }
        self.entry_orders.clear();
        // Orders that rested during this entry: a cancellation of any other order accepted in
        // it (an IOC remainder, say) touches no level.
        let mut rested_here = BTreeSet::new();
        let info = |entry_orders: &HashMap<OrderId, OrderInfo>, order: OrderId| {
            entry_orders.get(&order).copied().or_else(|| history.order(order).map(OrderInfo::from))
        };
        for event in events {
            match *event {
                Event::OrderAccepted { order, market, outcome, side, action, order_type, .. } => {
                    let price_micros = match order_type {
                        augury_core::OrderType::Limit { price_micros } => Some(price_micros),
                        augury_core::OrderType::Market { .. } => None,
                    };
                    self.entry_orders.insert(order, OrderInfo { market, outcome, side, action, price_micros });
                }
                Event::OrderRested { order, book_side, price_micros, .. } => {
                    if let Some(o) = info(&self.entry_orders, order) {
                        rested_here.insert(order);
                        self.touch(o.market, o.outcome, book_side, own_price(o.side, price_micros));
                    }
                }
                Event::Fill { market, outcome, yes_price_micros, maker_side, maker_action, .. } => {
                    self.touch(market, outcome, book_side(maker_side, maker_action), yes_price_micros);
                }
                Event::OrderCancelled { order, .. } => {
                    let resting = rested_here.contains(&order) || !self.entry_orders.contains_key(&order);
                    if let Some(o) = info(&self.entry_orders, order).filter(|_| resting) {
                        if let Some(price) = o.price_micros {
                            self.touch(o.market, o.outcome, book_side(o.side, o.action), own_price(o.side, price));
                        }
                    }
                }
                Event::OrderAmended { order, price_micros, .. } => {
                    if let Some(o) = info(&self.entry_orders, order) {
                        let side = book_side(o.side, o.action);
                        if let Some(old) = o.price_micros {
                            self.touch(o.market, o.outcome, side, own_price(o.side, old));
                        }
                        self.touch(o.market, o.outcome, side, own_price(o.side, price_micros));
                    }
                }
                _ => {}
            }
        }
    }

    /// After the history applied an entry: trades, and the private order and fill updates. Trades
    /// and fills are the history's own records (found by trade id), so a stream shows exactly
    /// what the REST API lists, for fills against the book and the market maker alike.
    pub fn after(&mut self, history: &History, events: &[Event]) {
        if self.idle() {
            return;
        }
        let mut orders: Vec<OrderId> = Vec::new();
        for event in events {
            let (trade, market, parties) = match *event {
                Event::OrderAccepted { order, .. }
                | Event::OrderRested { order, .. }
                | Event::OrderCancelled { order, .. }
                | Event::OrderAmended { order, .. } => {
                    orders.push(order);
                    continue;
                }
                Event::Fill { trade, market, maker_order, maker_account, taker_order, taker_account, .. } => {
                    orders.extend([maker_order, taker_order]);
                    (trade, market, [Some(maker_account), (taker_account != maker_account).then_some(taker_account)])
                }
                Event::AmmFill { trade, market, taker_order, taker_account, .. } => {
                    orders.push(taker_order);
                    (trade, market, [Some(taker_account), None])
                }
                _ => continue,
            };
            let watched = [Topic::Trades(market), Topic::Ticker(market)];
            if watched.iter().any(|t| self.state.has_subscribers(*t)) {
                let record = history.trades(market, Some(trade.next()), 1).into_iter().find(|t| t.trade_id == trade);
                if let Some(record) = record {
                    self.state.emit(Topic::Trades(market), "trade", TradeMsg { trade: &record });
                    if self.state.has_subscribers(Topic::Ticker(market)) {
                        self.tickers.insert((market, record.outcome), Some(record.yes_price_micros));
                    }
                }
            }
            for account in parties.into_iter().flatten() {
                if !self.state.has_subscribers(Topic::Fills(account)) {
                    continue;
                }
                // A self-trade gives the account both sides: two fills with one trade id.
                let mut fills = history.fills(account, Some(trade.next()), 2);
                fills.retain(|f| f.trade_id == trade);
                for fill in fills.iter().rev() {
                    self.state.emit(Topic::Fills(account), "fill", FillMsg { fill });
                }
            }
        }
        // One update per order per entry: the order as the entry left it.
        let mut seen = BTreeSet::new();
        for order in orders {
            if !seen.insert(order) {
                continue;
            }
            if let Some(record) = history.order(order) {
                if self.state.has_subscribers(Topic::Orders(record.account)) {
                    self.state.emit(Topic::Orders(record.account), "order", OrderMsg { order: record });
                }
            }
        }
    }

    /// A key was revoked (the authenticator already refuses it): its sessions close now.
    pub fn revoke(&mut self, key: KeyId) {
        let ids = self.state.by_key.remove(&key).unwrap_or_default();
        let reason =
            CloseReason { code: CLOSE_REVOKED, reason: format!("API key {} was revoked", token::format_key_id(key)) };
        for id in ids {
            self.state.drop_session(id, reason.clone());
        }
    }

    /// Handles the venue commands the hub cares about beyond their events.
    pub fn command(&mut self, command: &VenueCommand) {
        if let VenueCommand::RevokeKey { key, .. } = command {
            self.revoke(*key);
        }
    }

    /// After the whole batch: one book delta per market (each touched level's new total, read
    /// from the engine) and the tickers that changed.
    pub fn finish(mut self, engine: &Engine) {
        for (market, levels) in std::mem::take(&mut self.levels) {
            let changes: Vec<LevelChange> = levels
                .into_iter()
                .filter_map(|(outcome, side, price)| {
                    let level = engine.level_at(market, outcome, side, price)?;
                    Some(LevelChange {
                        outcome,
                        side,
                        yes_price_micros: price,
                        quantity: level.quantity,
                        orders: level.orders,
                    })
                })
                .collect();
            if !changes.is_empty() {
                self.state.emit(Topic::Book(market), "delta", BookDelta { changes });
            }
        }
        for ((market, outcome), traded) in std::mem::take(&mut self.tickers) {
            let Some(known) = self.state.tickers.get(&market).and_then(|t| t.get(usize::from(outcome))).copied() else {
                continue;
            };
            let now = ticker(engine, market, outcome, traded.or(known.last_yes_price_micros));
            if now != known {
                if let Some(slot) = self.state.tickers.get_mut(&market).and_then(|t| t.get_mut(usize::from(outcome))) {
                    *slot = now;
                }
                self.state.emit(Topic::Ticker(market), "ticker", now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn hub(queue_capacity: usize) -> Hub {
        Hub::new(WsLimits { queue_capacity, max_subscriptions: 2, max_sessions: 2, max_sessions_per_ip: 2 })
    }

    #[test]
    fn a_full_queue_drops_the_session_with_a_reason_and_never_blocks() {
        let hub = hub(2);
        let mut ends = hub.open_session(PEER).unwrap();
        hub.subscribe_private(ends.id, Topic::Orders(AccountId(7))).unwrap();
        let mut state = hub.lock();
        state.emit(Topic::Orders(AccountId(7)), "order", Empty {});
        // The queue holds the subscribed answer and one message; the next does not fit.
        state.emit(Topic::Orders(AccountId(7)), "order", Empty {});
        assert!(state.sessions.is_empty());
        assert!(!state.has_subscribers(Topic::Orders(AccountId(7))));
        drop(state);
        let reason = ends.closed.try_recv().unwrap();
        assert_eq!(reason.code, CLOSE_SLOW_CONSUMER);
        assert!(reason.reason.contains("slow consumer"));
        // What was queued is still there for the task to discard; nothing more arrives.
        assert!(ends.queue.try_recv().unwrap().as_str().contains(r#""type":"subscribed""#));
        assert!(ends.queue.try_recv().unwrap().as_str().contains(r#""seq":1"#));
        assert!(ends.queue.try_recv().is_err());
    }

    #[test]
    fn sessions_per_address_are_limited_and_freed_when_they_end() {
        let hub = Hub::new(WsLimits { max_sessions_per_ip: 1, ..WsLimits::default() });
        let first = hub.open_session(PEER).unwrap();
        assert_eq!(hub.open_session(PEER).err().unwrap().code, "rate_limited");
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
        assert!(hub.open_session(other).is_ok());
        hub.close_session(first.id);
        assert!(hub.open_session(PEER).is_ok());
    }

    #[test]
    fn seq_counts_only_published_messages_and_survives_resubscription() {
        let hub = hub(16);
        let mut ends = hub.open_session(PEER).unwrap();
        let topic = Topic::Fills(AccountId(3));
        hub.lock().emit(topic, "fill", Empty {});
        hub.subscribe_private(ends.id, topic).unwrap();
        hub.lock().emit(topic, "fill", Empty {});
        hub.lock().emit(topic, "fill", Empty {});
        hub.unsubscribe(ends.id, topic).unwrap();
        hub.lock().emit(topic, "fill", Empty {});
        hub.subscribe_private(ends.id, topic).unwrap();
        let texts: Vec<String> = std::iter::from_fn(|| ends.queue.try_recv().ok()).map(|t| t.to_string()).collect();
        let seqs: Vec<(String, u64)> = texts
            .iter()
            .map(|t| {
                let v: serde_json::Value = serde_json::from_str(t).unwrap();
                (v["type"].as_str().unwrap().to_string(), v["seq"].as_u64().unwrap())
            })
            .collect();
        let expected = [("subscribed", 0), ("fill", 1), ("fill", 2), ("unsubscribed", 2), ("subscribed", 2)];
        assert_eq!(seqs, expected.map(|(t, s)| (t.to_string(), s)));
    }

    #[test]
    fn limits_sessions_and_subscriptions_and_revocation_closes_sessions_of_that_key() {
        let hub = hub(16);
        let mut a = hub.open_session(PEER).unwrap();
        let b = hub.open_session(PEER).unwrap();
        assert_eq!(hub.open_session(PEER).err().unwrap().code, "overloaded");
        hub.subscribe_private(a.id, Topic::Orders(AccountId(1))).unwrap();
        hub.subscribe_private(a.id, Topic::Fills(AccountId(1))).unwrap();
        // Subscribing again to a held stream is a resync, not a new subscription.
        hub.subscribe_private(a.id, Topic::Fills(AccountId(1))).unwrap();
        assert_eq!(
            hub.subscribe_private(a.id, Topic::Orders(AccountId(2))).unwrap_err().code,
            "too_many_subscriptions"
        );
        assert_eq!(hub.unsubscribe(b.id, Topic::Orders(AccountId(1))).unwrap_err().code, "not_subscribed");
        hub.login(a.id, 42).unwrap();
        hub.login(b.id, 43).unwrap();
        let mut batch = hub.begin_batch();
        batch.command(&VenueCommand::RevokeKey { key: 42, at_ms: 1 });
        drop(batch);
        assert_eq!(a.closed.try_recv().unwrap().code, CLOSE_REVOKED);
        assert_eq!(hub.session_count(), 1);
        assert!(!hub.lock().has_subscribers(Topic::Orders(AccountId(1))));
        hub.close_all("stopping");
        assert_eq!(hub.open_session(PEER).err().unwrap().code, "unavailable");
        assert_eq!(b.closed.blocking_recv().unwrap().code, CLOSE_GOING_AWAY);
    }
}
