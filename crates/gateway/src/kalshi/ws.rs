//! The Kalshi WebSocket at `/trade-api/ws/v2`: Kalshi's handshake, commands and message shapes
//! over the native hub's streams.
//!
//! A session is a native hub session: it subscribes to the native streams a Kalshi subscription
//! needs (book, ticker, trades of a market; the account's fills) and translates each native
//! message as it comes off the session's queue. Nothing here reads the engine on its own: book
//! snapshots are the hub's (taken between batches), and deltas are the hub's level totals turned
//! into Kalshi's signed changes against a copy of the book kept per session.
//!
//! # Handshake
//!
//! `KALSHI-ACCESS-KEY`, `KALSHI-ACCESS-TIMESTAMP` and `KALSHI-ACCESS-SIGNATURE` headers, the
//! signature over `timestamp + "GET" + "/trade-api/ws/v2"`, checked like a REST request (window,
//! replay, revocation, expiry, allowlist, the `read` scope). Without them the session may follow
//! only the public channels (`ticker`, `trade`); a bad signature refuses the upgrade (401).
//!
//! # Commands
//!
//! ```text
//! {"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_ticker":"AUG-1"}}
//! {"id":2,"cmd":"subscribe","params":{"channels":["ticker","trade"],"market_tickers":["AUG-1","AUG-2-0"]}}
//! {"id":3,"cmd":"subscribe","params":{"channels":["fill"]}}
//! {"id":4,"cmd":"unsubscribe","params":{"sids":[1,2]}}
//! ```
//!
//! Each channel of a subscribe gets a subscription id (`sid`), answered with
//! `{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}`. Order book messages
//! carry `seq`, per `sid`, from 1 (the snapshot) up by one: a gap cannot happen without the
//! session being closed (the venue drops a session that falls behind rather than skip messages).
//! Errors: `{"id":1,"type":"error","msg":{"code":8,"msg":"..."}}` with Kalshi's numeric codes.

use super::{complement, count_fp, dollars, market_ticker, resolve_ticker, rfc3339, Book, KalshiError, WS_PATH};
use crate::auth::RequestFacts;
use crate::error::ApiError;
use crate::extract::peer_ip;
use crate::ws::hub::{self, CloseReason, SessionEnds, Topic};
use crate::{now_ms, AppState};
use augury_core::{AccountId, MarketId, MarketKind, Micros, OutcomeIndex, Quantity};
use augury_sequencer::registry::Scopes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

const CLIENT_MESSAGE_BYTES_MAX: usize = 4_096;
const FRAME_BYTES_MAX: usize = 64 * 1024;
const PING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);
const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);
/// Tickers one subscribe command may name.
const TICKERS_MAX: usize = 64;

// Kalshi's WebSocket error codes.
const E_PROCESSING: u32 = 1;
const E_PARAMS_REQUIRED: u32 = 2;
const E_CHANNELS_REQUIRED: u32 = 3;
const E_SIDS_REQUIRED: u32 = 4;
const E_UNKNOWN_COMMAND: u32 = 5;
const E_UNKNOWN_SID: u32 = 7;
const E_UNKNOWN_CHANNEL: u32 = 8;
const E_AUTH_REQUIRED: u32 = 9;
const E_CHANNEL: u32 = 10;
const E_INVALID_PARAMETER: u32 = 11;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new().route(WS_PATH, get(upgrade)).with_state(state)
}

async fn upgrade(State(state): State<Arc<AppState>>, request: Request) -> Response {
    state.metrics.requests.inc();
    let peer = peer_ip(&request);
    if let Err(error) = crate::extract::check_ip_rate(&state, peer, Instant::now()) {
        return KalshiError::from(error).into_response();
    }
    let (mut parts, _) = request.into_parts();
    let key = if parts.headers.contains_key(super::HEADER_SIGNATURE) {
        let facts = RequestFacts {
            headers: &parts.headers,
            method: &parts.method,
            path: parts.uri.path(),
            raw_query: "",
            body: b"",
            peer,
            now_ms: now_ms(),
        };
        match state.auth.authenticate_kalshi(&facts, Scopes::READ) {
            Ok(key) => Some(key),
            Err(error) => return KalshiError::from(error).into_response(),
        }
    } else {
        None
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return KalshiError::invalid(format!("this route speaks WebSocket: {rejection}")).into_response();
        }
    };
    if let Err(refused) = state.ws.admits(peer) {
        let status = if refused.code == "rate_limited" {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        return KalshiError::from(ApiError::new(status, refused.code, refused.message).with_retry_after(5))
            .into_response();
    }
    upgrade.max_message_size(FRAME_BYTES_MAX).max_frame_size(FRAME_BYTES_MAX).on_upgrade(move |mut socket| async move {
        let ends = match state.ws.open_session(peer) {
            Ok(ends) => ends,
            Err(refused) => {
                let frame = CloseFrame { code: 1013, reason: refused.message.into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
                return;
            }
        };
        let account = match &key {
            // Registered with the hub so a revocation closes the session.
            Some(key) if state.ws.login(ends.id, key.id).is_ok() => Some((key.account, key.expires_ms)),
            _ => None,
        };
        let session = Session {
            state,
            id: ends.id,
            peer,
            account,
            next_sid: 1,
            subs: BTreeMap::new(),
            native: HashMap::new(),
            books: HashMap::new(),
            kinds: HashMap::new(),
        };
        session.run(socket, ends).await;
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    Orderbook,
    Ticker,
    Trade,
    Fill,
}

impl Channel {
    fn parse(name: &str) -> Option<Channel> {
        match name {
            "orderbook_delta" => Some(Channel::Orderbook),
            "ticker" | "ticker_v2" => Some(Channel::Ticker),
            "trade" => Some(Channel::Trade),
            "fill" => Some(Channel::Fill),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Channel::Orderbook => "orderbook_delta",
            Channel::Ticker => "ticker",
            Channel::Trade => "trade",
            Channel::Fill => "fill",
        }
    }

    fn topic(self, market: MarketId, account: AccountId) -> Topic {
        match self {
            Channel::Orderbook => Topic::Book(market),
            Channel::Ticker => Topic::Ticker(market),
            Channel::Trade => Topic::Trades(market),
            Channel::Fill => Topic::Fills(account),
        }
    }
}

/// One Kalshi subscription.
struct Sub {
    channel: Channel,
    /// The books it follows; empty for a fill subscription that follows every market.
    books: BTreeSet<Book>,
    /// Books whose snapshot this subscription has not sent yet (order book only).
    pending: BTreeSet<Book>,
    seq: u64,
}

/// A native stream this session listens to, and who needs it.
struct Native {
    users: usize,
    /// Until the stream's first message after subscribing arrives, anything queued from an
    /// earlier subscription to it is stale and dropped.
    awaiting_first: bool,
}

/// One book as Kalshi shows it: YES bids and NO bids, price to quantity.
#[derive(Default, Clone)]
struct LocalBook {
    yes: BTreeMap<Micros, Quantity>,
    no: BTreeMap<Micros, Quantity>,
}

struct Session {
    state: Arc<AppState>,
    id: hub::SessionId,
    peer: IpAddr,
    /// The logged-in account and when its key expires.
    account: Option<(AccountId, Option<u64>)>,
    next_sid: u64,
    subs: BTreeMap<u64, Sub>,
    native: HashMap<Topic, Native>,
    /// Per market: its books (by outcome) as of the last native message handled.
    books: HashMap<MarketId, Vec<LocalBook>>,
    kinds: HashMap<MarketId, MarketKind>,
}

fn text(value: &Value) -> Message {
    Message::Text(Utf8Bytes::from(value.to_string()))
}

fn error(id: Option<u64>, code: u32, message: impl Into<String>) -> Value {
    let mut value = json!({ "type": "error", "msg": { "code": code, "msg": message.into() } });
    if let Some(id) = id {
        value["id"] = id.into();
    }
    value
}

impl Session {
    async fn run(mut self, mut socket: WebSocket, mut ends: SessionEnds) {
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        let expiry = self.account.and_then(|(_, expires)| expires);
        let expired = async move {
            match expiry {
                Some(at) => tokio::time::sleep(std::time::Duration::from_millis(at.saturating_sub(now_ms()))).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(expired);
        let close = loop {
            tokio::select! {
                biased;
                reason = &mut ends.closed => break reason.ok(),
                () = &mut expired => {
                    let reason = CloseReason { code: hub::CLOSE_EXPIRED, reason: "the API key expired".into() };
                    self.state.ws.close(self.id, reason.clone());
                    break Some(reason);
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > IDLE_TIMEOUT {
                        break Some(CloseReason { code: hub::CLOSE_IDLE, reason: "nothing heard for 90 s".into() });
                    }
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        break None;
                    }
                }
                queued = ends.queue.recv() => match queued {
                    Some(native) => {
                        let mut failed = false;
                        for message in self.translate(native.as_str()).await {
                            if socket.send(text(&message)).await.is_err() {
                                failed = true;
                                break;
                            }
                        }
                        if failed {
                            break None;
                        }
                    }
                    None => break None,
                },
                incoming = socket.recv() => {
                    last_heard = Instant::now();
                    let replies = match incoming {
                        Some(Ok(Message::Text(message))) => self.handle(message.as_str()).await,
                        Some(Ok(Message::Binary(_))) => vec![error(None, E_PROCESSING, "send JSON in text frames")],
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Vec::new(),
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                    };
                    let mut failed = false;
                    for reply in replies {
                        if socket.send(text(&reply)).await.is_err() {
                            failed = true;
                            break;
                        }
                    }
                    if failed {
                        break None;
                    }
                }
            }
        };
        self.state.ws.close_session(self.id);
        if let Some(reason) = close {
            let frame = CloseFrame { code: reason.code, reason: reason.reason.into() };
            let _ = socket.send(Message::Close(Some(frame))).await;
        }
    }

    /// A client command and its answers.
    async fn handle(&mut self, message: &str) -> Vec<Value> {
        if message.len() > CLIENT_MESSAGE_BYTES_MAX {
            return vec![error(None, E_PROCESSING, format!("a command is at most {CLIENT_MESSAGE_BYTES_MAX} bytes"))];
        }
        if self.state.ip_limits.check(&self.peer, Instant::now()).is_err() {
            self.state.metrics.rate_limited.inc();
            return vec![error(None, E_PROCESSING, "too many messages from this address")];
        }
        let Ok(command) = serde_json::from_str::<Value>(message) else {
            return vec![error(None, E_PROCESSING, "a command is a JSON object")];
        };
        let id = command.get("id").and_then(Value::as_u64);
        let params = command.get("params");
        match command.get("cmd").and_then(Value::as_str) {
            Some("subscribe") => match params {
                Some(params) => self.subscribe(id, params).await,
                None => vec![error(id, E_PARAMS_REQUIRED, "subscribe needs params")],
            },
            Some("unsubscribe") => match params {
                Some(params) => self.unsubscribe(id, params),
                None => vec![error(id, E_PARAMS_REQUIRED, "unsubscribe needs params")],
            },
            Some("list_subscriptions") => {
                let subs: Vec<Value> =
                    self.subs.iter().map(|(sid, s)| json!({ "channel": s.channel.name(), "sid": sid })).collect();
                vec![json!({ "id": id, "type": "ok", "msg": subs })]
            }
            Some(other) => vec![error(id, E_UNKNOWN_COMMAND, format!("unknown or unsupported command {other:?}"))],
            None => vec![error(id, E_UNKNOWN_COMMAND, "a command has a string \"cmd\"")],
        }
    }

    async fn kind(&mut self, market: MarketId) -> Option<MarketKind> {
        if let Some(kind) = self.kinds.get(&market) {
            return Some(*kind);
        }
        let kind = self.state.sequencer.query(move |venue| venue.engine().market_spec(market).map(|s| s.kind)).await;
        let kind = kind.ok().flatten()?;
        self.kinds.insert(market, kind);
        Some(kind)
    }

    async fn subscribe(&mut self, id: Option<u64>, params: &Value) -> Vec<Value> {
        let Some(channels) = params.get("channels").and_then(Value::as_array).filter(|c| !c.is_empty()) else {
            return vec![error(id, E_CHANNELS_REQUIRED, "subscribe needs params.channels")];
        };
        let mut tickers: Vec<String> = Vec::new();
        if let Some(one) = params.get("market_ticker") {
            match one.as_str() {
                Some(t) => tickers.push(t.to_string()),
                None => return vec![error(id, E_INVALID_PARAMETER, "market_ticker is a string")],
            }
        }
        if let Some(many) = params.get("market_tickers") {
            match many.as_array().map(|a| a.iter().map(|t| t.as_str().map(str::to_string)).collect::<Option<Vec<_>>>())
            {
                Some(Some(list)) => tickers.extend(list),
                _ => return vec![error(id, E_INVALID_PARAMETER, "market_tickers is a list of strings")],
            }
        }
        if tickers.len() > TICKERS_MAX {
            return vec![error(id, E_INVALID_PARAMETER, format!("at most {TICKERS_MAX} tickers per command"))];
        }
        let mut parsed = Vec::new();
        for channel in channels {
            match channel.as_str().and_then(Channel::parse) {
                Some(c) => parsed.push(c),
                None => return vec![error(id, E_UNKNOWN_CHANNEL, format!("unknown or unsupported channel {channel}"))],
            }
        }
        // Resolve every ticker first: a bad one refuses the whole command, changing nothing.
        let mut books = BTreeSet::new();
        for ticker in &tickers {
            let resolved = {
                let ticker = ticker.clone();
                self.state.sequencer.query(move |venue| resolve_ticker(venue.engine(), &ticker)).await
            };
            match resolved {
                Ok(Some((book, kind))) => {
                    self.kinds.insert(book.market, kind);
                    books.insert(book);
                }
                Ok(None) => return vec![error(id, E_INVALID_PARAMETER, format!("no market with ticker {ticker:?}"))],
                Err(e) => return vec![error(id, E_PROCESSING, ApiError::from(e).message)],
            }
        }
        let mut answers = Vec::new();
        for channel in parsed {
            match self.add(channel, &books).await {
                Ok(sid) => answers
                    .push(json!({ "id": id, "type": "subscribed", "msg": { "channel": channel.name(), "sid": sid } })),
                Err((code, message)) => answers.push(error(id, code, message)),
            }
        }
        answers
    }

    /// Adds one subscription and the native streams it needs.
    async fn add(&mut self, channel: Channel, books: &BTreeSet<Book>) -> Result<u64, (u32, String)> {
        let account = match (channel, self.account) {
            (Channel::Orderbook | Channel::Fill, None) => {
                return Err((
                    E_AUTH_REQUIRED,
                    format!("the {} channel needs an authenticated connection", channel.name()),
                ))
            }
            (_, account) => account.map_or(AccountId(0), |(a, _)| a),
        };
        if books.is_empty() && channel != Channel::Fill {
            return Err((E_INVALID_PARAMETER, format!("the {} channel needs market_ticker(s)", channel.name())));
        }
        let topics: BTreeSet<Topic> = match channel {
            Channel::Fill => [Topic::Fills(account)].into(),
            _ => books.iter().map(|b| channel.topic(b.market, account)).collect(),
        };
        if channel != Channel::Fill {
            for sub in self.subs.values().filter(|s| s.channel == channel) {
                if let Some(book) = sub.books.intersection(books).next() {
                    return Err((E_CHANNEL, format!("already subscribed to {} for this market", channel.name())))
                        .map_err(|(c, m)| (c, format!("{m} ({}-{})", book.market, book.outcome)));
                }
            }
        }
        let mut added: Vec<Topic> = Vec::new();
        for topic in &topics {
            if let Some(native) = self.native.get_mut(topic) {
                native.users += 1;
                added.push(*topic);
                continue;
            }
            let result = match topic.market() {
                None => self.state.ws.subscribe_private(self.id, *topic).map_err(|e| e.message),
                Some(_) => {
                    let hub = Arc::clone(&self.state.ws);
                    let history = Arc::clone(&self.state.history);
                    let (id, topic) = (self.id, *topic);
                    match self
                        .state
                        .sequencer
                        .query(move |venue| {
                            let history = history.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                            hub.subscribe_public(id, topic, venue.engine(), &history, venue.journal().committed())
                        })
                        .await
                    {
                        Ok(result) => result.map_err(|e| e.message),
                        Err(e) => Err(ApiError::from(e).message),
                    }
                }
            };
            if let Err(message) = result {
                for topic in added {
                    self.release(topic);
                }
                return Err((E_CHANNEL, message));
            }
            self.native.insert(*topic, Native { users: 1, awaiting_first: true });
            added.push(*topic);
        }
        let sid = self.next_sid;
        self.next_sid += 1;
        let mut sub = Sub { channel, books: books.clone(), pending: BTreeSet::new(), seq: 0 };
        if channel == Channel::Orderbook {
            sub.pending = books.clone();
        }
        self.subs.insert(sid, sub);
        Ok(sid)
    }

    /// One fewer user of a native stream; the last one leaves it.
    fn release(&mut self, topic: Topic) {
        let Some(native) = self.native.get_mut(&topic) else { return };
        native.users -= 1;
        if native.users == 0 {
            self.native.remove(&topic);
            let _ = self.state.ws.unsubscribe(self.id, topic);
            if let Topic::Book(market) = topic {
                self.books.remove(&market);
            }
        }
    }

    fn unsubscribe(&mut self, id: Option<u64>, params: &Value) -> Vec<Value> {
        let Some(sids) = params.get("sids").and_then(Value::as_array).filter(|s| !s.is_empty()) else {
            return vec![error(id, E_SIDS_REQUIRED, "unsubscribe needs params.sids")];
        };
        let mut answers = Vec::new();
        for sid in sids {
            let Some(sid) = sid.as_u64() else {
                answers.push(error(id, E_INVALID_PARAMETER, "sids are numbers"));
                continue;
            };
            let Some(sub) = self.subs.remove(&sid) else {
                answers.push(error(id, E_UNKNOWN_SID, format!("no subscription {sid}")));
                continue;
            };
            let account = self.account.map_or(AccountId(0), |(a, _)| a);
            let topics: BTreeSet<Topic> = match sub.channel {
                Channel::Fill => [Topic::Fills(account)].into(),
                c => sub.books.iter().map(|b| c.topic(b.market, account)).collect(),
            };
            for topic in topics {
                self.release(topic);
            }
            answers.push(json!({ "id": id, "sid": sid, "seq": sub.seq, "type": "unsubscribed" }));
        }
        answers
    }

    /// A native stream message as the Kalshi messages it makes (none, one, or several).
    async fn translate(&mut self, native: &str) -> Vec<Value> {
        let Ok(message) = serde_json::from_str::<Value>(native) else { return Vec::new() };
        let kind = message["type"].as_str().unwrap_or("");
        let market = message["market"].as_u64().and_then(MarketId::from_u64);
        let account = self.account.map_or(AccountId(0), |(a, _)| a);
        let topic = match (message["channel"].as_str(), market) {
            (Some("book"), Some(m)) => Topic::Book(m),
            (Some("ticker"), Some(m)) => Topic::Ticker(m),
            (Some("trades"), Some(m)) => Topic::Trades(m),
            (Some("fills"), None) => Topic::Fills(account),
            _ => return Vec::new(),
        };
        let Some(native_state) = self.native.get_mut(&topic) else { return Vec::new() };
        if native_state.awaiting_first {
            if kind != "snapshot" && kind != "subscribed" {
                return Vec::new();
            }
            native_state.awaiting_first = false;
        }
        match (topic, kind) {
            (Topic::Book(m), "snapshot") => self.book_snapshot(m, &message).await,
            (Topic::Book(m), "delta") => self.book_delta(m, &message).await,
            (Topic::Ticker(m), "snapshot") => {
                let mut out = Vec::new();
                for t in message["outcomes"].as_array().cloned().unwrap_or_default() {
                    out.extend(self.ticker(m, &t).await);
                }
                out
            }
            (Topic::Ticker(m), "ticker") => self.ticker(m, &message).await,
            (Topic::Trades(m), "trade") => self.trade(m, &message["trade"]).await,
            (Topic::Fills(_), "fill") => self.fill(&message["fill"]).await,
            _ => Vec::new(),
        }
    }

    /// The subscriptions of `channel` following `book`, with snapshots already sent.
    fn followers(&self, channel: Channel, book: Book) -> Vec<u64> {
        self.subs
            .iter()
            .filter(|(_, s)| s.channel == channel && s.books.contains(&book) && !s.pending.contains(&book))
            .map(|(sid, _)| *sid)
            .collect()
    }

    fn next_seq(&mut self, sid: u64) -> u64 {
        let sub = self.subs.get_mut(&sid).expect("a live subscription");
        sub.seq += 1;
        sub.seq
    }

    async fn book_snapshot(&mut self, market: MarketId, message: &Value) -> Vec<Value> {
        let level = |l: &Value| Some((l["yes_price_micros"].as_u64()?, l["quantity"].as_u64()?));
        let mut books = Vec::new();
        for outcome in message["outcomes"].as_array().cloned().unwrap_or_default() {
            let mut local = LocalBook::default();
            for l in outcome["bids"].as_array().into_iter().flatten().filter_map(level) {
                local.yes.insert(l.0, l.1);
            }
            for l in outcome["asks"].as_array().into_iter().flatten().filter_map(level) {
                local.no.insert(complement(l.0), l.1);
            }
            books.push(local);
        }
        self.books.insert(market, books);
        let Some(kind) = self.kind(market).await else { return Vec::new() };
        let waiting: Vec<(u64, Book)> = self
            .subs
            .iter()
            .flat_map(|(sid, s)| s.pending.iter().filter(|b| b.market == market).map(move |b| (*sid, *b)))
            .collect();
        let mut out = Vec::new();
        for (sid, book) in waiting {
            let Some(local) = self.books.get(&market).and_then(|b| b.get(usize::from(book.outcome))).cloned() else {
                continue;
            };
            if let Some(sub) = self.subs.get_mut(&sid) {
                sub.pending.remove(&book);
            }
            let seq = self.next_seq(sid);
            out.push(snapshot_json(sid, seq, &market_ticker(&kind, book), &local));
        }
        out
    }

    async fn book_delta(&mut self, market: MarketId, message: &Value) -> Vec<Value> {
        let Some(kind) = self.kind(market).await else { return Vec::new() };
        let mut out = Vec::new();
        for change in message["changes"].as_array().cloned().unwrap_or_default() {
            let (Some(outcome), Some(yes_price), Some(quantity)) = (
                change["outcome"].as_u64().and_then(|o| OutcomeIndex::try_from(o).ok()),
                change["yes_price_micros"].as_u64(),
                change["quantity"].as_u64(),
            ) else {
                continue;
            };
            let (side, price) = match change["side"].as_str() {
                Some("bid") => ("yes", yes_price),
                Some("ask") => ("no", complement(yes_price)),
                _ => continue,
            };
            let Some(local) = self.books.get_mut(&market).and_then(|b| b.get_mut(usize::from(outcome))) else {
                continue;
            };
            let levels = if side == "yes" { &mut local.yes } else { &mut local.no };
            let old = levels.get(&price).copied().unwrap_or(0);
            if quantity == 0 {
                levels.remove(&price);
            } else {
                levels.insert(price, quantity);
            }
            if quantity == old {
                continue;
            }
            let book = Book { market, outcome };
            let ticker = market_ticker(&kind, book);
            for sid in self.followers(Channel::Orderbook, book) {
                let seq = self.next_seq(sid);
                out.push(delta_json(sid, seq, &ticker, side, price, old, quantity));
            }
        }
        out
    }

    async fn ticker(&mut self, market: MarketId, t: &Value) -> Vec<Value> {
        let Some(outcome) = t["outcome"].as_u64().and_then(|o| OutcomeIndex::try_from(o).ok()) else {
            return Vec::new();
        };
        let book = Book { market, outcome };
        let sids = self.followers(Channel::Ticker, book);
        if sids.is_empty() {
            return Vec::new();
        }
        let Some(kind) = self.kind(market).await else { return Vec::new() };
        let mut msg = serde_json::Map::new();
        msg.insert("market_ticker".into(), market_ticker(&kind, book).into());
        for (name, field) in
            [("yes_bid", "yes_bid_micros"), ("yes_ask", "yes_ask_micros"), ("price", "last_yes_price_micros")]
        {
            let value = t[field].as_u64();
            let empty = if name == "yes_ask" { 1_000_000 } else { 0 };
            let micros = value.unwrap_or(empty);
            if let Some(c) = super::cents(micros) {
                msg.insert(name.into(), c.into());
            }
            msg.insert(format!("{name}_dollars"), dollars(micros).into());
        }
        msg.insert("ts".into(), (now_ms() / 1_000).into());
        let msg = Value::Object(msg);
        sids.into_iter().map(|sid| json!({ "type": "ticker", "sid": sid, "msg": msg })).collect()
    }

    async fn trade(&mut self, market: MarketId, t: &Value) -> Vec<Value> {
        let Some(outcome) = t["outcome"].as_u64().and_then(|o| OutcomeIndex::try_from(o).ok()) else {
            return Vec::new();
        };
        let book = Book { market, outcome };
        let sids = self.followers(Channel::Trade, book);
        if sids.is_empty() {
            return Vec::new();
        }
        let Some(kind) = self.kind(market).await else { return Vec::new() };
        let yes = t["yes_price_micros"].as_u64().unwrap_or(0);
        let quantity = t["quantity"].as_u64().unwrap_or(0);
        let taker = match (t["taker_side"].as_str(), t["taker_action"].as_str()) {
            (Some("yes"), Some("buy")) | (Some("no"), Some("sell")) => "yes",
            _ => "no",
        };
        let mut msg = json!({
            "trade_id": t["trade_id"].as_u64().unwrap_or(0).to_string(),
            "market_ticker": market_ticker(&kind, book),
            "yes_price_dollars": dollars(yes),
            "no_price_dollars": dollars(complement(yes)),
            "count": quantity,
            "count_fp": count_fp(quantity),
            "taker_side": taker,
            "taker_outcome_side": taker,
            "ts": t["time_ms"].as_u64().unwrap_or(0) / 1_000,
        });
        if let (Some(y), Some(n)) = (super::cents(yes), super::cents(complement(yes))) {
            msg["yes_price"] = y.into();
            msg["no_price"] = n.into();
        }
        sids.into_iter().map(|sid| json!({ "type": "trade", "sid": sid, "msg": msg })).collect()
    }

    async fn fill(&mut self, f: &Value) -> Vec<Value> {
        let (Some(market), Some(outcome)) = (
            f["market"].as_u64().and_then(MarketId::from_u64),
            f["outcome"].as_u64().and_then(|o| OutcomeIndex::try_from(o).ok()),
        ) else {
            return Vec::new();
        };
        let book = Book { market, outcome };
        let sids: Vec<u64> = self
            .subs
            .iter()
            .filter(|(_, s)| s.channel == Channel::Fill && (s.books.is_empty() || s.books.contains(&book)))
            .map(|(sid, _)| *sid)
            .collect();
        if sids.is_empty() {
            return Vec::new();
        }
        let Some(kind) = self.kind(market).await else { return Vec::new() };
        let side = f["side"].as_str().unwrap_or("yes");
        let action = f["action"].as_str().unwrap_or("buy");
        let own = f["price_micros"].as_u64().unwrap_or(0);
        let yes = if side == "yes" { own } else { complement(own) };
        let quantity = f["quantity"].as_u64().unwrap_or(0);
        let trade_id = f["trade_id"].as_u64().unwrap_or(0);
        let order_id = f["order_id"].as_u64().unwrap_or(0);
        let mut msg = json!({
            "trade_id": trade_id.to_string(),
            "fill_id": format!("{trade_id}-{order_id}"),
            "order_id": order_id.to_string(),
            "market_ticker": market_ticker(&kind, book),
            "is_taker": f["is_taker"].as_bool().unwrap_or(false),
            "side": side,
            "action": action,
            "yes_price_dollars": dollars(yes),
            "no_price_dollars": dollars(complement(yes)),
            "count": quantity,
            "count_fp": count_fp(quantity),
            "fee_cost": dollars(f["fee_micros"].as_u64().unwrap_or(0)),
            "ts": f["time_ms"].as_u64().unwrap_or(0) / 1_000,
            "created_time": rfc3339(f["time_ms"].as_u64().unwrap_or(0)),
        });
        if let Some(c) = super::cents(yes) {
            msg["yes_price"] = c.into();
        }
        sids.into_iter().map(|sid| json!({ "type": "fill", "sid": sid, "msg": msg })).collect()
    }
}

/// Levels from the worst price to the best, as Kalshi lists them.
fn snapshot_json(sid: u64, seq: u64, ticker: &str, book: &LocalBook) -> Value {
    let cents = |levels: &BTreeMap<Micros, Quantity>| -> Vec<Value> {
        levels.iter().filter_map(|(p, q)| super::cents(*p).map(|c| json!([c, q]))).collect()
    };
    let fp = |levels: &BTreeMap<Micros, Quantity>| -> Vec<Value> {
        levels.iter().map(|(p, q)| json!([dollars(*p), count_fp(*q)])).collect()
    };
    let in_dollars = |levels: &BTreeMap<Micros, Quantity>| -> Vec<Value> {
        levels.iter().map(|(p, q)| json!([dollars(*p), q])).collect()
    };
    json!({
        "type": "orderbook_snapshot",
        "sid": sid,
        "seq": seq,
        "msg": {
            "market_ticker": ticker,
            "yes": cents(&book.yes),
            "no": cents(&book.no),
            "yes_dollars": in_dollars(&book.yes),
            "no_dollars": in_dollars(&book.no),
            "yes_dollars_fp": fp(&book.yes),
            "no_dollars_fp": fp(&book.no),
        }
    })
}

fn delta_json(sid: u64, seq: u64, ticker: &str, side: &str, price: Micros, old: Quantity, new: Quantity) -> Value {
    let delta = i128::from(new) - i128::from(old);
    let delta_fp = if delta < 0 { format!("-{}", count_fp(old - new)) } else { count_fp(new - old) };
    let mut msg = json!({
        "market_ticker": ticker,
        "price_dollars": dollars(price),
        "delta": delta,
        "delta_fp": delta_fp,
        "side": side,
        "ts": rfc3339(now_ms()),
    });
    if let Some(c) = super::cents(price) {
        msg["price"] = c.into();
    }
    json!({ "type": "orderbook_delta", "sid": sid, "seq": seq, "msg": msg })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_messages_have_kalshis_shape() {
        let mut book = LocalBook::default();
        book.yes.insert(400_000, 10);
        book.yes.insert(450_000, 5);
        book.no.insert(500_000, 7);
        let snapshot = snapshot_json(3, 1, "AUG-1", &book);
        assert_eq!(snapshot["type"], "orderbook_snapshot");
        assert_eq!(snapshot["msg"]["yes"], json!([[40, 10], [45, 5]]));
        assert_eq!(snapshot["msg"]["no"], json!([[50, 7]]));
        assert_eq!(snapshot["msg"]["yes_dollars_fp"], json!([["0.4000", "10.00"], ["0.4500", "5.00"]]));
        let delta = delta_json(3, 2, "AUG-1", "no", 500_000, 7, 2);
        assert_eq!(delta["msg"]["delta"], -5);
        assert_eq!(delta["msg"]["delta_fp"], "-5.00");
        assert_eq!(delta["msg"]["price"], 50);
        assert_eq!(delta["seq"], 2);
        // A price off the cent grid has no legacy cents field, only the exact dollars.
        let odd = delta_json(3, 3, "AUG-1", "yes", 455_500, 0, 1);
        assert!(odd["msg"].get("price").is_none());
        assert_eq!(odd["msg"]["price_dollars"], "0.4555");
    }
}
