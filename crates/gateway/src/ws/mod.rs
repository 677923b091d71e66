//! The WebSocket API at `GET /v1/ws`: public market streams (book, trades, ticker) and, after a
//! login, the account's own orders and fills. This module owns the protocol and the session
//! task; [`hub`] owns the fan-out from the sequencer to the sessions.
//!
//! # Frames
//!
//! JSON text frames in both directions. A client message is at most 4,096 bytes (a longer one
//! gets an error; one over 64 KiB closes the connection); binary frames get an error. Unknown
//! fields are refused. Every client message counts against the per-IP rate limit.
//!
//! # Client messages
//!
//! ```text
//! {"op":"subscribe","channel":"book"|"trades"|"ticker","market":1}
//! {"op":"unsubscribe","channel":"book"|"trades"|"ticker","market":1}
//! {"op":"subscribe","channel":"orders"|"fills"}          (after login; no market)
//! {"op":"unsubscribe","channel":"orders"|"fills"}
//! {"op":"login","key_id":"<16 hex>","timestamp_ms":<ms>,"nonce":"<1-64 printable ASCII>","signature":"<base64>"}
//! {"op":"login","token":"aug_..."}                       (a bearer token: the streams are read-only)
//! {"op":"ping"}
//! ```
//!
//! The signed login is the REST signature scheme (see [`crate::auth`]) applied to a fixed request,
//! `GET /v1/ws/login` with an empty query and an empty body ([`login_message`]):
//!
//! ```text
//! augury-v1 \n key id \n timestamp ms \n nonce \n GET \n /v1/ws/login \n (empty) \n SHA-256 of the empty body
//! ```
//!
//! It goes through the same checks as a signed REST request: the timestamp window, the nonce
//! (spent, shared with REST), revocation, expiry, the IP allowlist, and the `read` scope. A
//! session logs in once. No REST route has that path, so a login signature is useless for REST
//! and a REST signature is useless for login.
//!
//! # Server messages
//!
//! Answers to one's own messages, not part of any stream:
//!
//! ```text
//! {"type":"logged_in","key_id":"<16 hex>","account":7,"scopes":["read","trade"]}
//! {"type":"pong","time_ms":<server clock>}
//! {"type":"error","code":"<code>","message":"<for people>","op":"subscribe","channel":"book","market":9}
//! ```
//!
//! (`op`, `channel`, `market` are echoed when the failed message had them.) Error codes:
//! `invalid_json`, `invalid_message`, `unknown_op`, `unknown_channel`, `unknown_market`,
//! `login_required`, `already_logged_in`, `not_subscribed`, `too_many_subscriptions` (64 per
//! session), `message_too_large`, `binary_not_supported`, `rate_limited`, `overloaded`,
//! `unavailable`, and the REST authentication codes for a failed login (`bad_signature`,
//! `stale_timestamp`, `replayed_nonce`, `unknown_key`, `revoked_key`, `expired_key`,
//! `ip_not_allowed`, `missing_scope`, `malformed_token`, `bad_token`, `bad_nonce`). The session
//! stays open after every error.
//!
//! Stream messages carry `type`, `channel`, `market` (public streams only) and `seq`:
//!
//! ```text
//! book    {"type":"snapshot","channel":"book","market":1,"seq":S,"journal_entries":E,
//!          "outcomes":[{"outcome":0,"bids":[{"yes_price_micros":400000,"quantity":10,"orders":1}],"asks":[...]}]}
//!         {"type":"delta","channel":"book","market":1,"seq":S+1,
//!          "changes":[{"outcome":0,"side":"bid","yes_price_micros":400000,"quantity":4,"orders":1}]}
//! trades  {"type":"subscribed","channel":"trades","market":1,"seq":S}
//!         {"type":"trade","channel":"trades","market":1,"seq":S+1,"trade":{<the REST trade record>}}
//! ticker  {"type":"snapshot","channel":"ticker","market":1,"seq":S,"outcomes":[<ticker>...]}
//!         {"type":"ticker","channel":"ticker","market":1,"seq":S+1,<ticker>}
//!         where <ticker> = "outcome":0,"yes_bid_micros":400000|null,"yes_ask_micros":null,"last_yes_price_micros":400000|null
//! orders  {"type":"subscribed","channel":"orders","seq":S}
//!         {"type":"order","channel":"orders","seq":S+1,"order":{<the REST order record>}}
//! fills   {"type":"subscribed","channel":"fills","seq":S}
//!         {"type":"fill","channel":"fills","seq":S+1,"fill":{<the REST fill record>}}
//! any     {"type":"unsubscribed","channel":...,"market":...,"seq":S}
//! ```
//!
//! Book snapshots hold every level of every outcome, best first, in YES prices, as
//! `GET /v1/markets/{market}/book` shows them. A delta holds, for every level a committed batch
//! touched, the level's new total `quantity` and `orders` (0 = the level is gone); apply the
//! changes in order, replacing each level. Ticker messages come when an outcome's best bid, best
//! ask or last trade price changes. An order message is the order as one journal entry left it
//! (accepted, rested, partly or wholly filled, amended, cancelled or expired, with its remaining
//! quantity), one per order per entry; a fill message is one's own side of one trade. Trade, order
//! and fill records are exactly those the REST API lists.
//!
//! # Sequence numbers and resync
//!
//! Every stream (a channel and market, or a private channel of one account) has its own `seq`.
//! The first message of a subscription (`snapshot` or `subscribed`) carries the stream's current
//! `seq` S; each later message on that stream carries exactly the previous one plus 1. A client
//! that sees any other number has missed something: it sends `subscribe` again (no need to
//! unsubscribe) and gets a fresh first message; anything still queued from before has a `seq` not
//! above the new S and is to be ignored. A stream's `seq` never goes back while the server runs
//! (resubscribing continues the numbering; it only advances while someone listens) and starts
//! from 0 when the server restarts.
//!
//! # Closing
//!
//! The server closes a session with a close frame: 4001 when its key is revoked (before the
//! revoking call is answered), 4002 when its key expires, 4008 when the session falls more than
//! 4,096 messages behind (a slow consumer is dropped, never waited for: reconnect and
//! resubscribe), 4003 when nothing (not even a pong to the server's ping every 30 s) came from
//! the client for 90 s, 1001 when the server stops.
//!
//! The upgrade counts against the per-IP rate limit; at most 100 sessions per address (429) and
//! 10,000 in all (503) are open at once.

pub mod hub;

use crate::auth::{RequestFacts, HEADER_KEY, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use crate::error::ApiError;
use crate::extract::peer_ip;
use crate::{now_ms, token, AppState};
use augury_core::{AccountId, MarketId};
use augury_sequencer::registry::{KeyId, Scopes};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hub::{CloseReason, HubError, SessionEnds, Topic, CLOSE_EXPIRED};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

pub use hub::{Hub, WsLimits};

/// The path a login signature covers.
pub const LOGIN_PATH: &str = "/v1/ws/login";
/// The largest client message answered; longer ones get `message_too_large`.
pub const CLIENT_MESSAGE_BYTES_MAX: usize = 4_096;
/// The largest frame the transport accepts at all; a longer one closes the connection.
const FRAME_BYTES_MAX: usize = 64 * 1024;
/// How often the server pings; a client's pong (or any frame) shows the connection is alive.
const PING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
/// A session that sends nothing, not even a pong, for this long is closed (half-open TCP
/// connections would otherwise hold their slot forever).
const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// The exact text a client signs to log in.
pub fn login_message(key: KeyId, timestamp_ms: u64, nonce: &str) -> String {
    crate::auth::signing_message(key, timestamp_ms, nonce, "GET", LOGIN_PATH, "", b"")
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new().route("/v1/ws", get(upgrade)).with_state(state)
}

async fn upgrade(State(state): State<Arc<AppState>>, request: Request) -> Response {
    state.metrics.requests.inc();
    let peer = peer_ip(&request);
    if let Err(error) = crate::extract::check_ip_rate(&state, peer, Instant::now()) {
        return error.into_response();
    }
    let (mut parts, _) = request.into_parts();
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return ApiError::bad_request("websocket_required", format!("this route speaks WebSocket: {rejection}"))
                .into_response()
        }
    };
    if let Err(refused) = state.ws.admits(peer) {
        let status = if refused.code == "rate_limited" {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        return ApiError::new(status, refused.code, refused.message).with_retry_after(5).into_response();
    }
    upgrade.max_message_size(FRAME_BYTES_MAX).max_frame_size(FRAME_BYTES_MAX).on_upgrade(move |socket| async move {
        // The session is opened only once the upgrade happened, so an abandoned handshake
        // leaves nothing behind in the hub.
        match state.ws.open_session(peer) {
            Ok(ends) => Session { state, peer, id: ends.id, key: None }.run(socket, ends).await,
            Err(refused) => {
                let mut socket = socket;
                let frame = CloseFrame { code: 1013, reason: refused.message.into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
            }
        }
    })
}

/// A client message.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum ClientMessage {
    Subscribe {
        channel: String,
        market: Option<MarketId>,
    },
    Unsubscribe {
        channel: String,
        market: Option<MarketId>,
    },
    Login {
        key_id: Option<String>,
        timestamp_ms: Option<u64>,
        nonce: Option<String>,
        signature: Option<String>,
        token: Option<String>,
    },
    Ping,
}

const OPS: [&str; 4] = ["subscribe", "unsubscribe", "login", "ping"];

/// An error answer (the session stays open).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
struct WsError {
    code: &'static str,
    message: String,
}

impl WsError {
    fn new(code: &'static str, message: impl Into<String>) -> WsError {
        WsError { code, message: message.into() }
    }
}

impl From<ApiError> for WsError {
    fn from(error: ApiError) -> WsError {
        WsError { code: error.code, message: error.message }
    }
}

impl From<HubError> for WsError {
    fn from(error: HubError) -> WsError {
        WsError { code: error.code, message: error.message }
    }
}

#[derive(Serialize)]
struct ErrorMsg<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    op: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    market: Option<MarketId>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Reply {
    LoggedIn { key_id: String, account: AccountId, scopes: Vec<&'static str> },
    Pong { time_ms: u64 },
}

fn text(value: &impl Serialize) -> Message {
    Message::Text(Utf8Bytes::from(serde_json::to_string(value).unwrap_or_default()))
}

struct Session {
    state: Arc<AppState>,
    peer: IpAddr,
    id: hub::SessionId,
    /// The key the session logged in with, and when it expires.
    key: Option<(KeyId, AccountId, Option<u64>)>,
}

impl Session {
    async fn run(mut self, mut socket: WebSocket, mut ends: SessionEnds) {
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        let close = loop {
            let expiry = self.key.and_then(|(_, _, expires)| expires);
            let expired = async move {
                match expiry {
                    Some(at) => tokio::time::sleep(std::time::Duration::from_millis(at.saturating_sub(now_ms()))).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                // The hub's verdict first: once a session is closed (revoked, too slow), nothing
                // queued before is worth sending.
                biased;
                reason = &mut ends.closed => break reason.ok(),
                () = expired => {
                    let reason = CloseReason { code: CLOSE_EXPIRED, reason: "the API key expired".into() };
                    self.state.ws.close(self.id, reason.clone());
                    break Some(reason);
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > IDLE_TIMEOUT {
                        let reason = CloseReason {
                            code: hub::CLOSE_IDLE,
                            reason: format!("nothing heard for {} s", IDLE_TIMEOUT.as_secs()),
                        };
                        break Some(reason);
                    }
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        break None;
                    }
                }
                queued = ends.queue.recv() => match queued {
                    Some(message) => {
                        if socket.send(Message::Text(message)).await.is_err() {
                            break None;
                        }
                    }
                    None => break None,
                },
                incoming = socket.recv() => {
                    last_heard = Instant::now();
                    let reply = match incoming {
                        Some(Ok(Message::Text(message))) => self.handle(message.as_str()).await,
                        Some(Ok(Message::Binary(_))) => Some(error_msg(
                            &WsError::new("binary_not_supported", "send JSON in text frames"),
                            None,
                        )),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                    };
                    if let Some(reply) = reply {
                        if socket.send(reply).await.is_err() {
                            break None;
                        }
                    }
                }
            }
        };
        self.state.ws.close_session(self.id);
        if let Some(CloseReason { code, reason }) = close {
            let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
        }
    }

    /// Answers one client message: a direct reply, or None when the answer comes through the
    /// session's queue (subscriptions), in order with the stream.
    async fn handle(&mut self, message: &str) -> Option<Message> {
        if message.len() > CLIENT_MESSAGE_BYTES_MAX {
            let error = WsError::new(
                "message_too_large",
                format!("a client message is at most {CLIENT_MESSAGE_BYTES_MAX} bytes"),
            );
            return Some(error_msg(&error, None));
        }
        if let Err(wait) = self.state.ip_limits.check(&self.peer, Instant::now()) {
            self.state.metrics.rate_limited.inc();
            let error = WsError::new("rate_limited", format!("too many messages from this address; wait {wait} s"));
            return Some(error_msg(&error, None));
        }
        let value: serde_json::Value = match serde_json::from_str(message) {
            Ok(value) => value,
            Err(e) => return Some(error_msg(&WsError::new("invalid_json", format!("not valid JSON: {e}")), None)),
        };
        let context = Context {
            op: value.get("op").and_then(|v| v.as_str()).map(str::to_string),
            channel: value.get("channel").and_then(|v| v.as_str()).map(str::to_string),
            market: value.get("market").and_then(|v| v.as_u64()).and_then(MarketId::from_u64),
        };
        match context.op.as_deref() {
            None => {
                let error = WsError::new("invalid_message", "a client message is a JSON object with a string \"op\"");
                return Some(error_msg(&error, Some(&context)));
            }
            Some(op) if !OPS.contains(&op) => {
                let error =
                    WsError::new("unknown_op", format!("unknown op {op:?} (subscribe, unsubscribe, login, ping)"));
                return Some(error_msg(&error, Some(&context)));
            }
            Some(_) => {}
        }
        let parsed: ClientMessage = match serde_json::from_value(value) {
            Ok(parsed) => parsed,
            Err(e) => {
                let error = WsError::new("invalid_message", format!("the message is not valid: {e}"));
                return Some(error_msg(&error, Some(&context)));
            }
        };
        let result = match parsed {
            ClientMessage::Ping => Ok(Some(text(&Reply::Pong { time_ms: now_ms() }))),
            ClientMessage::Login { key_id, timestamp_ms, nonce, signature, token } => {
                self.login(key_id, timestamp_ms, nonce, signature, token).map(Some)
            }
            ClientMessage::Subscribe { channel, market } => self.subscribe(&channel, market).await.map(|()| None),
            ClientMessage::Unsubscribe { channel, market } => match self.topic(&channel, market) {
                Ok(topic) => self.state.ws.unsubscribe(self.id, topic).map(|()| None).map_err(WsError::from),
                Err(e) => Err(e),
            },
        };
        result.unwrap_or_else(|error| Some(error_msg(&error, Some(&context))))
    }

    /// The stream a channel (and market) names for this session.
    fn topic(&self, channel: &str, market: Option<MarketId>) -> Result<Topic, WsError> {
        let need_market = |make: fn(MarketId) -> Topic| {
            market
                .map(make)
                .ok_or_else(|| WsError::new("invalid_message", format!("the {channel} channel needs a market")))
        };
        let account = || {
            if market.is_some() {
                return Err(WsError::new(
                    "invalid_message",
                    format!("the {channel} channel is the logged-in account's; it takes no market"),
                ));
            }
            self.key.map(|(_, account, _)| account).ok_or_else(|| {
                WsError::new("login_required", format!("the {channel} channel is private: log in first"))
            })
        };
        match channel {
            "book" => need_market(Topic::Book),
            "trades" => need_market(Topic::Trades),
            "ticker" => need_market(Topic::Ticker),
            "orders" => account().map(Topic::Orders),
            "fills" => account().map(Topic::Fills),
            other => Err(WsError::new(
                "unknown_channel",
                format!("unknown channel {other:?} (book, trades, ticker, orders, fills)"),
            )),
        }
    }

    async fn subscribe(&self, channel: &str, market: Option<MarketId>) -> Result<(), WsError> {
        let topic = self.topic(channel, market)?;
        if topic.market().is_none() {
            return Ok(self.state.ws.subscribe_private(self.id, topic)?);
        }
        // Public streams start from engine state: registered on the sequencer thread between
        // batches, so the snapshot and its seq match the deltas that follow.
        let hub = Arc::clone(&self.state.ws);
        let history = Arc::clone(&self.state.history);
        let id = self.id;
        let subscribed = self
            .state
            .sequencer
            .query(move |venue| {
                let history = history.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                hub.subscribe_public(id, topic, venue.engine(), &history, venue.journal().committed())
            })
            .await
            .map_err(ApiError::from)?;
        Ok(subscribed?)
    }

    fn login(
        &mut self,
        key_id: Option<String>,
        timestamp_ms: Option<u64>,
        nonce: Option<String>,
        signature: Option<String>,
        token: Option<String>,
    ) -> Result<Message, WsError> {
        if self.key.is_some() {
            return Err(WsError::new("already_logged_in", "this session is already logged in"));
        }
        let header = |value: &str, code: &'static str, what: &str| {
            HeaderValue::from_str(value)
                .map_err(|_| WsError::new(code, format!("{what} has characters it may not have")))
        };
        let mut headers = HeaderMap::new();
        match (key_id, timestamp_ms, nonce, signature, token) {
            (None, None, None, None, Some(token)) => {
                headers.insert("authorization", header(&format!("Bearer {token}"), "malformed_token", "token")?);
            }
            (Some(key_id), Some(timestamp_ms), Some(nonce), Some(signature), None) => {
                headers.insert(HEADER_KEY, header(&key_id, "unknown_key", "key_id")?);
                headers.insert(HEADER_TIMESTAMP, HeaderValue::from(timestamp_ms));
                headers.insert(HEADER_NONCE, header(&nonce, "bad_nonce", "nonce")?);
                headers.insert(HEADER_SIGNATURE, header(&signature, "bad_signature", "signature")?);
            }
            _ => {
                return Err(WsError::new(
                    "invalid_message",
                    "a login carries key_id, timestamp_ms, nonce and signature, or only token",
                ))
            }
        }
        let facts = RequestFacts {
            headers: &headers,
            method: &Method::GET,
            path: LOGIN_PATH,
            raw_query: "",
            body: b"",
            peer: self.peer,
            now_ms: now_ms(),
        };
        let key = self.state.auth.authenticate(&facts, Scopes::READ)?;
        self.state.ws.login(self.id, key.id)?;
        // A revocation published between the check above and the registration found no session
        // to close; the authenticator was updated before it looked, so this sees it.
        if self.state.auth.key(key.id).is_none_or(|k| k.revoked_ms.is_some()) {
            self.state
                .ws
                .close(self.id, CloseReason { code: hub::CLOSE_REVOKED, reason: "the API key was revoked".into() });
            return Err(WsError::new("revoked_key", "this API key has been revoked"));
        }
        self.key = Some((key.id, key.account, key.expires_ms));
        Ok(text(&Reply::LoggedIn {
            key_id: token::format_key_id(key.id),
            account: key.account,
            scopes: key.scopes.names(),
        }))
    }
}

/// What a failed message said, echoed in its error.
struct Context {
    op: Option<String>,
    channel: Option<String>,
    market: Option<MarketId>,
}

fn error_msg(error: &WsError, context: Option<&Context>) -> Message {
    text(&ErrorMsg {
        kind: "error",
        code: error.code,
        message: &error.message,
        op: context.and_then(|c| c.op.as_deref()),
        channel: context.and_then(|c| c.channel.as_deref()),
        market: context.and_then(|c| c.market),
    })
}
