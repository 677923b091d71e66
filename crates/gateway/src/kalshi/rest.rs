//! The Kalshi Trade API v2 REST surface under `/trade-api/v2`: each handler parses the Kalshi
//! request, calls what the native API calls (the sequencer with native commands, the shared
//! placement path, engine queries, the history), and shapes the answer as Kalshi does. Every
//! response carries Kalshi's current fixed-point fields (`*_dollars`, `*_fp`) and, where a value
//! is a whole number of cents, the legacy integer fields older clients (kalshi-python 2.x) read.

use super::{
    complement, count_fp, dollars, event_status, event_ticker, kalshi_event, market_result, market_stats,
    market_status, market_ticker, parse_count_fp, parse_dollars, parse_event_ticker, resolve_ticker, rfc3339,
    unknown_ticker, Book, KalshiError, KalshiResult, KalshiStats, HEADER_SIGNATURE, SERIES,
};
use crate::api::orders::{own_order, place};
use crate::api::{edge, engine_command};
use crate::error::ApiError;
use crate::extract::{check_key_rate, peer_ip, request_facts};
use crate::history::{FillRecord, OrderRecord, OrderStatus, SettlementRecord, TradeRecord};
use crate::AppState;
use augury_catalog::catalog::{ListedEvent, ListedSeries};
use augury_catalog::{Catalog, EventInfo, MarketInfo, OutcomeNames};
use augury_core::{
    AccountId, Action, BookSide, Command, MarketId, MarketKind, MarketSpec, MarketStatus, Micros, NewOrder, OrderId,
    OrderType, Quantity, Resolution, SelfTradePrevention, Side, TimeInForce, TimestampMs, TradeId, MICROS_PER_DOLLAR,
};
use augury_sequencer::registry::{ApiKey, Scopes};
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;
type Answer = KalshiResult<Json<Value>>;

/// At most this many orders in one batch (Kalshi's limit too).
const BATCH_MAX: usize = 20;
/// Pages hold 1 to 1,000 items, 100 by default.
const LIMIT_MAX: usize = 1_000;
const DEFAULT_LIMIT: usize = 100;
/// History pages read at a time while filtering.
const SCAN_CHUNK: usize = 1_000;

pub fn router(state: Arc<AppState>) -> Router {
    let p = |path: &str| format!("{}{path}", super::REST_PREFIX);
    Router::new()
        .route(&p("/exchange/status"), get(exchange_status))
        .route(&p("/series"), get(list_series))
        .route(&p("/series/{ticker}"), get(get_series))
        .route(&p("/events"), get(list_events))
        .route(&p("/events/{ticker}"), get(get_event))
        .route(&p("/markets"), get(list_markets))
        .route(&p("/markets/trades"), get(list_trades))
        .route(&p("/markets/{ticker}"), get(get_market))
        .route(&p("/markets/{ticker}/orderbook"), get(get_orderbook))
        .route(&p("/portfolio/balance"), get(balance))
        .route(&p("/portfolio/positions"), get(positions))
        .route(&p("/portfolio/fills"), get(fills))
        .route(&p("/portfolio/settlements"), get(settlements))
        .route(&p("/portfolio/orders"), get(list_orders).post(create_order))
        .route(&p("/portfolio/orders/batched"), post(batch_create).delete(batch_cancel))
        .route(&p("/portfolio/orders/{order_id}"), get(get_order).delete(cancel_order))
        .route(&p("/portfolio/orders/{order_id}/amend"), post(amend_order))
        .route(&p("/portfolio/orders/{order_id}/decrease"), post(decrease_order))
        .route(super::REST_PREFIX, any(unsupported))
        .route(&p("/{*rest}"), any(unsupported))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), edge))
        .with_state(state)
}

async fn unsupported() -> KalshiError {
    KalshiError::not_found(
        "this endpoint is not supported by Augury's Kalshi compatibility layer (see docs/kalshi-compat.md)",
    )
}

// ---------------------------------------------------------------- authentication

/// A request signed the Kalshi way, needing the scopes in `SCOPES` (bits of [`Scopes`]).
pub struct KalshiCall<const SCOPES: u8> {
    pub key: ApiKey,
    pub body: Bytes,
}

type ReadCall = KalshiCall<1>;
type TradeCall = KalshiCall<2>;

impl<const SCOPES: u8> FromRequest<Arc<AppState>> for KalshiCall<SCOPES> {
    type Rejection = KalshiError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, KalshiError> {
        let peer = peer_ip(&request);
        let (parts, body) = request.into_parts();
        let body = crate::server::read_body(state, body).await.map_err(body_error)?;
        if !parts.headers.contains_key(HEADER_SIGNATURE) {
            return Err(ApiError::unauthorized(
                "missing_credentials",
                "sign the request with KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP and KALSHI-ACCESS-SIGNATURE",
            )
            .into());
        }
        let facts = request_facts(&parts, &body, peer);
        let key = state.auth.authenticate_kalshi(&facts, Scopes::from_bits(SCOPES))?;
        check_key_rate(state, &key)?;
        Ok(KalshiCall { key, body })
    }
}

/// A body refusal in Kalshi's terms (Augury's code in `details`).
fn body_error(error: ApiError) -> KalshiError {
    let code = match error.status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        _ => return error.into(),
    };
    KalshiError { status: error.status, code, message: error.message, details: Some(error.code), retry_after: None }
}

impl<const SCOPES: u8> KalshiCall<SCOPES> {
    /// The body through the native parser (UTF-8 first, then JSON), refused in Kalshi's shape.
    fn json<T: DeserializeOwned>(&self) -> KalshiResult<T> {
        crate::extract::parse_json(&self.body).map_err(KalshiError::from)
    }
}

fn invalid(message: impl Into<String>) -> KalshiError {
    KalshiError::invalid(message)
}

fn query<T: DeserializeOwned + Default>(raw: Option<&str>) -> KalshiResult<T> {
    match raw.filter(|q| !q.is_empty()) {
        None => Ok(T::default()),
        Some(q) => serde_urlencoded::from_str(q)
            .map_err(|e| KalshiError::invalid(format!("the query string is not valid: {e}"))),
    }
}

fn page_limit(limit: Option<usize>) -> KalshiResult<usize> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(KalshiError::invalid("limit must be at least 1")),
        n if n > LIMIT_MAX => Err(KalshiError::invalid(format!("limit may be at most {LIMIT_MAX}"))),
        n => Ok(n),
    }
}

fn parse_cursor(cursor: Option<&str>) -> KalshiResult<Option<u64>> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| KalshiError::invalid(format!("cursor {text:?} is not one this API gave out"))),
    }
}

/// Kalshi's cursor: the next page's key, or empty on the last page.
fn next_cursor(count: usize, limit: usize, last: Option<impl std::fmt::Display>) -> String {
    match last {
        Some(last) if count == limit => last.to_string(),
        _ => String::new(),
    }
}

fn split_list(text: &str) -> Vec<&str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

// ---------------------------------------------------------------- markets

/// What the catalog says about one Augury market, in the Kalshi surface's terms: the fields
/// Kalshi has (copied on the sequencer thread, so not the description, tags or slug). Shared by
/// the market's books (each outcome of a categorical market is a Kalshi market of its own).
#[derive(Debug)]
struct MarketMeta {
    title: String,
    subtitle: String,
    rules_primary: String,
    rules_secondary: String,
    category: &'static str,
    outcome_names: OutcomeNames,
    expected_expiration_ms: Option<TimestampMs>,
    /// When the entry was made and last edited; None for a market created without one.
    listed: Option<(TimestampMs, TimestampMs)>,
    /// The Kalshi event and series the market belongs to.
    event: String,
    series: String,
}

impl MarketMeta {
    /// The market's catalog entry, or the placeholder the catalog shows for a market created
    /// without one.
    fn read(catalog: &Catalog, spec: &MarketSpec) -> MarketMeta {
        let listed = catalog.market(spec.market);
        let placeholder;
        let info = match listed {
            Some(listed) => &listed.info,
            None => {
                placeholder = MarketInfo::placeholder(spec);
                &placeholder
            }
        };
        MarketMeta {
            title: info.title.clone(),
            subtitle: info.subtitle.clone(),
            rules_primary: info.rules_primary.clone(),
            rules_secondary: info.rules_secondary.clone(),
            category: info.category.title(),
            outcome_names: info.outcome_names.clone(),
            expected_expiration_ms: info.expected_expiration_ms,
            listed: listed.map(|l| (l.created_ms, l.updated_ms())),
            event: kalshi_event(&spec.kind, spec.market, info.event.as_deref()),
            series: catalog.market_series(spec.market).unwrap_or(SERIES).to_string(),
        }
    }
}

/// A catalog event served as a Kalshi event.
#[derive(Debug)]
struct EventMeta {
    info: EventInfo,
    updated_ms: TimestampMs,
}

/// One order book as a Kalshi market, with what is needed to describe it.
#[derive(Clone, Debug)]
struct BookInfo {
    book: Book,
    kind: MarketKind,
    tick_micros: Micros,
    close_time_ms: u64,
    status: MarketStatus,
    resolution: Option<Resolution>,
    yes_bid: Option<Micros>,
    yes_ask: Option<Micros>,
    last: Option<Micros>,
    stats: KalshiStats,
    meta: Arc<MarketMeta>,
}

/// Which markets (and catalog events) a read needs.
enum Select {
    /// Every market.
    Markets,
    /// One market.
    Market(MarketId),
    /// Every market and every catalog event served as a Kalshi event.
    Events,
    /// The markets of one Kalshi event (a catalog event's, or a market's own `AUG-m`), and the
    /// catalog event when it is one.
    Event(String),
}

/// Books in market and outcome order, with the catalog events the selection asked for.
struct Listing {
    books: Vec<BookInfo>,
    events: BTreeMap<String, EventMeta>,
}

/// The books (prices, statuses) and their catalog entries, read in one query between batches so
/// they are one consistent picture; then each book's last price and statistics from the history.
async fn listing(state: &AppState, select: Select) -> KalshiResult<Listing> {
    let known = match select {
        Select::Markets | Select::Events => state.history().markets(),
        Select::Market(market) => vec![market],
        Select::Event(_) => Vec::new(),
    };
    let mut listing = state
        .sequencer
        .query(move |venue| {
            let (engine, catalog) = (venue.engine(), venue.state().catalog());
            let mut events = BTreeMap::new();
            // Catalog events named like a market's own event (`AUG-7`) are not served: the name
            // is taken.
            let mut serve = |listed: &ListedEvent| {
                if parse_event_ticker(&listed.info.ticker).is_none() {
                    let meta = EventMeta { info: listed.info.clone(), updated_ms: listed.updated_ms() };
                    events.insert(listed.info.ticker.clone(), meta);
                }
            };
            let markets = match select {
                Select::Events => {
                    catalog.events().for_each(&mut serve);
                    known
                }
                Select::Event(ticker) => match parse_event_ticker(&ticker) {
                    Some(market) => vec![market],
                    None => {
                        catalog.event(&ticker).into_iter().for_each(&mut serve);
                        catalog.event_markets(&ticker).collect()
                    }
                },
                Select::Markets | Select::Market(_) => known,
            };
            let mut books = Vec::new();
            for market in markets {
                let (Some(spec), Some(status)) = (engine.market_spec(market), engine.market_status(market)) else {
                    continue;
                };
                let resolution = engine.market_resolution(market);
                let meta = Arc::new(MarketMeta::read(catalog, &spec));
                for outcome in 0..spec.kind.outcome_count() {
                    let (yes_bid, yes_ask) = engine.best_prices(market, outcome);
                    books.push(BookInfo {
                        book: Book { market, outcome },
                        kind: spec.kind,
                        tick_micros: spec.tick_micros,
                        close_time_ms: spec.close_time_ms,
                        status,
                        resolution,
                        yes_bid,
                        yes_ask,
                        last: None,
                        stats: KalshiStats::default(),
                        meta: Arc::clone(&meta),
                    });
                }
            }
            Listing { books, events }
        })
        .await?;
    let history = state.history();
    for info in &mut listing.books {
        info.last = history.last_trade(info.book.market, info.book.outcome).map(|t| t.yes_price_micros);
        info.stats = market_stats(&history, info.book);
    }
    drop(history);
    listing.books.sort_by_key(|i| i.book);
    Ok(listing)
}

/// A price as both of Kalshi's fields: `{name}` in cents (when whole) and `{name}_dollars`.
fn put_price(object: &mut serde_json::Map<String, Value>, name: &str, micros: Option<Micros>, empty_cents: u64) {
    let (cents, text) = match micros {
        Some(m) => (super::cents(m).map(Value::from).unwrap_or(Value::Null), dollars(m)),
        None => (Value::from(empty_cents), dollars(empty_cents * 10_000)),
    };
    if !cents.is_null() {
        object.insert(name.to_string(), cents);
    }
    object.insert(format!("{name}_dollars"), Value::from(text));
}

/// A count as both of Kalshi's fields: `{name}` (the legacy integer) and `{name}_fp`.
fn put_count(object: &mut serde_json::Map<String, Value>, name: &str, quantity: Quantity) {
    object.insert(name.to_string(), quantity.into());
    object.insert(format!("{name}_fp"), count_fp(quantity).into());
}

/// A book's title and the names of its YES and NO sides, from the market's outcome names: a
/// categorical outcome is "<question>: <label>", YES is the label and NO its negation; a binary
/// market's sides are its YES and NO labels; a scalar market's are LONG and SHORT in its unit.
fn book_titles(info: &BookInfo) -> (String, String, String) {
    let entry = &info.meta;
    // The catalog checks the names against the market's kind; the defaults stand in otherwise.
    let fallback;
    let names = match (&info.kind, &entry.outcome_names) {
        (MarketKind::Binary, names @ OutcomeNames::Binary { .. })
        | (MarketKind::Categorical { .. }, names @ OutcomeNames::Categorical { .. })
        | (MarketKind::Scalar { .. }, names @ OutcomeNames::Scalar { .. }) => names,
        (kind, _) => {
            fallback = OutcomeNames::default_for(kind);
            &fallback
        }
    };
    match names {
        OutcomeNames::Binary { yes, no } => (entry.title.clone(), yes.clone(), no.clone()),
        OutcomeNames::Categorical { labels } => {
            let label = labels
                .get(usize::from(info.book.outcome))
                .cloned()
                .unwrap_or_else(|| format!("Outcome {}", u32::from(info.book.outcome) + 1));
            (format!("{}: {label}", entry.title), label.clone(), format!("Not {label}"))
        }
        OutcomeNames::Scalar { unit, .. } => {
            let side = |name: &str| if unit.is_empty() { name.to_string() } else { format!("{name} ({unit})") };
            (entry.title.clone(), side("Long"), side("Short"))
        }
    }
}

fn market_json(info: &BookInfo) -> Value {
    let meta = &info.meta;
    let ticker = market_ticker(&info.kind, info.book);
    let (title, yes_title, no_title) = book_titles(info);
    let mut m = serde_json::Map::new();
    m.insert("ticker".into(), ticker.into());
    m.insert("event_ticker".into(), meta.event.clone().into());
    m.insert("series_ticker".into(), meta.series.clone().into());
    m.insert(
        "market_type".into(),
        if matches!(info.kind, MarketKind::Scalar { .. }) { "scalar" } else { "binary" }.into(),
    );
    m.insert("title".into(), title.into());
    m.insert("subtitle".into(), meta.subtitle.clone().into());
    m.insert("yes_sub_title".into(), yes_title.into());
    m.insert("no_sub_title".into(), no_title.into());
    m.insert("category".into(), meta.category.into());
    // An Augury market trades from its creation, so it opens when it is listed. A market created
    // without a catalog entry has no recorded creation time: the times are left out.
    if let Some((created_ms, updated_ms)) = meta.listed {
        m.insert("created_time".into(), rfc3339(created_ms).into());
        m.insert("open_time".into(), rfc3339(created_ms).into());
        m.insert("updated_time".into(), rfc3339(updated_ms).into());
    }
    if info.close_time_ms > 0 {
        m.insert("close_time".into(), rfc3339(info.close_time_ms).into());
    }
    let expected = meta.expected_expiration_ms.or((info.close_time_ms > 0).then_some(info.close_time_ms));
    if let Some(expected_ms) = expected {
        m.insert("expected_expiration_time".into(), rfc3339(expected_ms).into());
    }
    m.insert("status".into(), market_status(info.status).into());
    // Kalshi quotes an empty side as a 0 bid and a 100 ask.
    put_price(&mut m, "yes_bid", info.yes_bid, 0);
    put_price(&mut m, "yes_ask", info.yes_ask, 100);
    put_price(&mut m, "no_bid", info.yes_ask.map(complement), 0);
    put_price(&mut m, "no_ask", info.yes_bid.map(complement), 100);
    put_price(&mut m, "last_price", info.last, 0);
    put_count(&mut m, "volume", info.stats.volume);
    put_count(&mut m, "volume_24h", info.stats.volume_24h);
    put_count(&mut m, "open_interest", info.stats.open_interest);
    // Cents rounded down, as balances are; liquidity_dollars is exact.
    m.insert("liquidity".into(), (info.stats.liquidity_micros / 10_000).into());
    m.insert("liquidity_dollars".into(), dollars(info.stats.liquidity_micros).into());
    m.insert("result".into(), market_result(&info.kind, info.book.outcome, info.resolution).into());
    if let Some(resolution) = info.resolution {
        let payout = augury_core::payout(&info.kind, &resolution, info.book.outcome);
        m.insert("settlement_value_dollars".into(), dollars(payout.yes_micros).into());
        if let Some(c) = super::cents(payout.yes_micros) {
            m.insert("settlement_value".into(), c.into());
        }
    }
    m.insert("can_close_early".into(), true.into());
    m.insert("notional_value".into(), 100.into());
    m.insert("notional_value_dollars".into(), dollars(MICROS_PER_DOLLAR).into());
    m.insert("tick_size".into(), super::cents(info.tick_micros).map_or(Value::Null, Value::from));
    m.insert(
        "price_level_structure".into(),
        if info.tick_micros == 10_000 { "linear_cent".into() } else { format!("tick_{}", dollars(info.tick_micros)) }
            .into(),
    );
    m.insert("rules_primary".into(), meta.rules_primary.clone().into());
    m.insert("rules_secondary".into(), meta.rules_secondary.clone().into());
    Value::Object(m)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MarketsQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    event_ticker: Option<String>,
    series_ticker: Option<String>,
    status: Option<String>,
    tickers: Option<String>,
    min_close_ts: Option<u64>,
    max_close_ts: Option<u64>,
}

/// The statuses a Kalshi status filter names (`unopened`, `open`, `closed`, `settled`).
fn status_filter(text: Option<&str>) -> KalshiResult<Option<Vec<&'static str>>> {
    let Some(text) = text else { return Ok(None) };
    let mut wanted = Vec::new();
    for status in split_list(text) {
        wanted.push(match status {
            "open" | "active" => "active",
            "closed" => "closed",
            "settled" | "determined" | "finalized" => "settled",
            "unopened" | "initialized" => "unopened",
            other => {
                return Err(KalshiError::invalid(format!("unknown status {other:?} (unopened, open, closed, settled)")))
            }
        });
    }
    Ok(Some(wanted))
}

async fn list_markets(State(state): Shared, RawQuery(raw): RawQuery) -> Answer {
    let q: MarketsQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?;
    let statuses = status_filter(q.status.as_deref())?;
    let listing = match q.event_ticker.as_deref() {
        Some(event) => {
            let listing = listing(&state, Select::Event(event.to_string())).await?;
            if parse_event_ticker(event).is_none() && !listing.events.contains_key(event) {
                return Err(unknown_event(event));
            }
            listing
        }
        None => listing(&state, Select::Markets).await?,
    };
    let tickers = q.tickers.as_deref().map(split_list);
    let after = q.cursor.filter(|c| !c.is_empty());
    let mut started = after.is_none();
    let mut out = Vec::new();
    let mut last = None;
    for info in &listing.books {
        let ticker = market_ticker(&info.kind, info.book);
        if !started {
            started = after.as_deref() == Some(ticker.as_str());
            continue;
        }
        let close_s = info.close_time_ms / 1_000;
        // A categorical market in a catalog event is an event by itself: the catalog event's
        // listing includes it, and this leaves it out.
        let keep = q.event_ticker.as_deref().is_none_or(|e| e == info.meta.event)
            && q.series_ticker.as_deref().is_none_or(|s| s == info.meta.series)
            && statuses.as_ref().is_none_or(|s| s.contains(&market_status(info.status)))
            && tickers.as_ref().is_none_or(|t| t.contains(&ticker.as_str()))
            && q.min_close_ts.is_none_or(|min| info.close_time_ms > 0 && close_s >= min)
            && q.max_close_ts.is_none_or(|max| info.close_time_ms > 0 && close_s <= max);
        if keep {
            out.push(market_json(info));
            last = Some(ticker);
            if out.len() == limit {
                break;
            }
        }
    }
    let cursor = if out.len() == limit { last.unwrap_or_default() } else { String::new() };
    Ok(Json(json!({ "markets": out, "cursor": cursor })))
}

async fn get_market(State(state): Shared, Path(ticker): Path<String>) -> Answer {
    let info = book_info(&state, &ticker).await?;
    Ok(Json(json!({ "market": market_json(&info) })))
}

async fn book_info(state: &AppState, ticker: &str) -> KalshiResult<BookInfo> {
    let (market, _) = super::parse_market_ticker(ticker).ok_or_else(|| unknown_ticker(ticker))?;
    let listing = listing(state, Select::Market(market)).await?;
    listing.books.into_iter().find(|i| market_ticker(&i.kind, i.book) == ticker).ok_or_else(|| unknown_ticker(ticker))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BookQuery {
    depth: Option<usize>,
}

/// Kalshi's book: bids only, on both sides. YES bids are Augury's bids; NO bids are Augury's
/// asks seen from the NO side (a YES ask at p is a NO bid at $1 - p). Levels run from the worst
/// price to the best, as Kalshi lists them.
async fn get_orderbook(State(state): Shared, Path(ticker): Path<String>, RawQuery(raw): RawQuery) -> Answer {
    let q: BookQuery = query(raw.as_deref())?;
    let depth = match q.depth {
        None | Some(0) => usize::MAX,
        Some(d) if d > 100 => return Err(KalshiError::invalid("depth may be at most 100")),
        Some(d) => d,
    };
    let resolved = state.sequencer.query({
        let ticker = ticker.clone();
        move |venue| {
            let engine = venue.engine();
            let (book, _) = resolve_ticker(engine, &ticker)?;
            let bids = engine.depth(book.market, book.outcome, BookSide::Bid, depth);
            let asks = engine.depth(book.market, book.outcome, BookSide::Ask, depth);
            Some((bids, asks))
        }
    });
    let (bids, asks) = resolved.await?.ok_or_else(|| unknown_ticker(&ticker))?;
    let yes: Vec<(Micros, Quantity)> = bids.iter().rev().map(|l| (l.yes_price_micros, l.quantity)).collect();
    let no: Vec<(Micros, Quantity)> = asks.iter().rev().map(|l| (complement(l.yes_price_micros), l.quantity)).collect();
    Ok(Json(orderbook_json(&yes, &no)))
}

fn orderbook_json(yes: &[(Micros, Quantity)], no: &[(Micros, Quantity)]) -> Value {
    let cents = |levels: &[(Micros, Quantity)]| -> Vec<Value> {
        levels.iter().filter_map(|(p, q)| super::cents(*p).map(|c| json!([c, q]))).collect()
    };
    let in_dollars =
        |levels: &[(Micros, Quantity)]| -> Vec<Value> { levels.iter().map(|(p, q)| json!([dollars(*p), q])).collect() };
    let fp = |levels: &[(Micros, Quantity)]| -> Vec<Value> {
        levels.iter().map(|(p, q)| json!([dollars(*p), count_fp(*q)])).collect()
    };
    json!({
        "orderbook": { "yes": cents(yes), "no": cents(no), "yes_dollars": in_dollars(yes), "no_dollars": in_dollars(no) },
        "orderbook_fp": { "yes_dollars": fp(yes), "no_dollars": fp(no) },
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TradesQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    ticker: Option<String>,
    min_ts: Option<u64>,
    max_ts: Option<u64>,
}

fn trade_json(kind: &MarketKind, t: &TradeRecord) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("trade_id".into(), t.trade_id.to_string().into());
    m.insert("ticker".into(), market_ticker(kind, Book { market: t.market, outcome: t.outcome }).into());
    m.insert("count".into(), t.quantity.into());
    m.insert("count_fp".into(), count_fp(t.quantity).into());
    put_price(&mut m, "yes_price", Some(t.yes_price_micros), 0);
    put_price(&mut m, "no_price", Some(complement(t.yes_price_micros)), 0);
    if let Some(c) = super::cents(t.yes_price_micros) {
        m.insert("price".into(), c.into());
    }
    let outcome_side = outcome_side(t.taker_side, t.taker_action);
    m.insert("taker_side".into(), outcome_side.into());
    m.insert("taker_outcome_side".into(), outcome_side.into());
    m.insert("taker_book_side".into(), book_side(t.taker_side, t.taker_action).into());
    m.insert("created_time".into(), rfc3339(t.time_ms).into());
    m.insert("is_block_trade".into(), false.into());
    Value::Object(m)
}

async fn list_trades(State(state): Shared, RawQuery(raw): RawQuery) -> Answer {
    let q: TradesQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?;
    let before = parse_cursor(q.cursor.as_deref())?;
    let kinds = market_kinds(&state).await?;
    let only = match q.ticker.as_deref() {
        Some(ticker) => {
            let (market, outcome) = super::parse_market_ticker(ticker).ok_or_else(|| unknown_ticker(ticker))?;
            let kind = kinds.get(&market).ok_or_else(|| unknown_ticker(ticker))?;
            let outcome = match (kind, outcome) {
                (MarketKind::Categorical { outcomes }, Some(o)) if o < *outcomes => o,
                (MarketKind::Binary | MarketKind::Scalar { .. }, None) => 0,
                _ => return Err(unknown_ticker(ticker)),
            };
            Some(Book { market, outcome })
        }
        None => None,
    };
    let keep = |t: &TradeRecord| {
        only.is_none_or(|b| b.outcome == t.outcome)
            && q.min_ts.is_none_or(|min| t.time_ms / 1_000 >= min)
            && q.max_ts.is_none_or(|max| t.time_ms / 1_000 <= max)
    };
    let markets: Vec<MarketId> = match only {
        Some(book) => vec![book.market],
        None => kinds.keys().copied().collect(),
    };
    // Trade ids are venue-wide, so the newest `limit` across markets are the newest of each
    // market's newest `limit`.
    let history = state.history();
    let mut trades: Vec<TradeRecord> = Vec::new();
    for market in markets {
        let mut cursor = before.map(TradeId);
        let mut taken = 0;
        loop {
            let chunk = history.trades(market, cursor, SCAN_CHUNK);
            let done = chunk.len() < SCAN_CHUNK;
            cursor = chunk.last().map(|t| t.trade_id);
            for t in chunk.into_iter().filter(|t| keep(t)) {
                trades.push(t);
                taken += 1;
                if taken == limit {
                    break;
                }
            }
            if done || taken == limit {
                break;
            }
        }
    }
    drop(history);
    trades.sort_by_key(|t| std::cmp::Reverse(t.trade_id));
    trades.truncate(limit);
    let cursor = next_cursor(trades.len(), limit, trades.last().map(|t| t.trade_id));
    let out: Vec<Value> = trades.iter().filter_map(|t| Some(trade_json(kinds.get(&t.market)?, t))).collect();
    Ok(Json(json!({ "trades": out, "cursor": cursor })))
}

async fn market_kinds(state: &AppState) -> KalshiResult<BTreeMap<MarketId, MarketKind>> {
    let markets = state.history().markets();
    Ok(state
        .sequencer
        .query(move |venue| {
            markets.into_iter().filter_map(|m| Some((m, venue.engine().market_spec(m)?.kind))).collect()
        })
        .await?)
}

/// Each market's kind and Kalshi event (from the catalog), for reads that name events.
async fn market_events(state: &AppState) -> KalshiResult<BTreeMap<MarketId, (MarketKind, String)>> {
    let markets = state.history().markets();
    Ok(state
        .sequencer
        .query(move |venue| {
            let catalog = venue.state().catalog();
            let event_of = |market: MarketId, kind: MarketKind| {
                let catalog_event = catalog.market(market).and_then(|l| l.info.event.as_deref());
                (kind, kalshi_event(&kind, market, catalog_event))
            };
            markets.into_iter().filter_map(|m| Some((m, event_of(m, venue.engine().market_spec(m)?.kind)))).collect()
        })
        .await?)
}

// ---------------------------------------------------------------- exchange, series, events

async fn exchange_status(State(state): Shared) -> Answer {
    // The sequencer answering is what "the exchange is active" means here.
    let active = state.sequencer.query(|_| ()).await.is_ok();
    Ok(Json(json!({ "exchange_active": active, "trading_active": active })))
}

/// A series as the Kalshi surface serves it: a catalog series, or `AUG`, the series of every event
/// without one.
struct SeriesView {
    ticker: String,
    title: String,
    category: &'static str,
    tags: Vec<String>,
    frequency: String,
    updated_ms: Option<TimestampMs>,
}

impl SeriesView {
    /// `AUG` as it was before the catalog (kept for the clients that name it).
    fn default_series() -> SeriesView {
        SeriesView {
            ticker: SERIES.into(),
            title: "Augury".into(),
            category: "Augury",
            tags: Vec::new(),
            frequency: "custom".into(),
            updated_ms: None,
        }
    }

    fn from_catalog(listed: &ListedSeries) -> SeriesView {
        SeriesView {
            ticker: listed.info.ticker.clone(),
            title: listed.info.title.clone(),
            category: listed.info.category.title(),
            tags: listed.info.tags.clone(),
            frequency: listed.info.frequency.clone(),
            updated_ms: Some(listed.updated_ms()),
        }
    }

    fn json(&self) -> Value {
        let mut series = json!({
            "ticker": self.ticker,
            "title": self.title,
            "category": self.category,
            "categories": [self.category],
            "frequency": self.frequency,
            "tags": self.tags,
            "settlement_sources": [],
            "contract_url": "",
            "contract_terms_url": "",
            "additional_prohibitions": [],
        });
        if let Some(updated_ms) = self.updated_ms {
            series["last_updated_ts"] = rfc3339(updated_ms).into();
        }
        series
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SeriesQuery {
    category: Option<String>,
    tags: Option<String>,
    status: Option<String>,
}

async fn list_series(State(state): Shared, RawQuery(raw): RawQuery) -> Answer {
    let q: SeriesQuery = query(raw.as_deref())?;
    let all: BTreeMap<String, SeriesView> = state
        .sequencer
        .query(|venue| {
            let mut all = BTreeMap::from([(SERIES.to_string(), SeriesView::default_series())]);
            // A catalog series named `AUG` describes the default series better than the
            // placeholder does, and takes its place.
            for listed in venue.state().catalog().all_series() {
                all.insert(listed.info.ticker.clone(), SeriesView::from_catalog(listed));
            }
            all
        })
        .await?;
    let tags = q.tags.as_deref().map(split_list);
    // Series have no status on Augury: a status filter matches every series. A category matches
    // exactly (as on Kalshi, case and all); tags match a series carrying any of them.
    let _ = q.status;
    let series: Vec<Value> = all
        .values()
        .filter(|s| {
            q.category.as_deref().is_none_or(|c| c == s.category)
                && tags.as_ref().is_none_or(|wanted| wanted.iter().any(|t| s.tags.iter().any(|have| have == t)))
        })
        .map(SeriesView::json)
        .collect();
    Ok(Json(json!({ "series": series })))
}

async fn get_series(State(state): Shared, Path(ticker): Path<String>) -> Answer {
    let wanted = ticker.clone();
    let found = state
        .sequencer
        .query(move |venue| venue.state().catalog().series(&wanted).map(SeriesView::from_catalog))
        .await?;
    match found {
        Some(series) => Ok(Json(json!({ "series": series.json() }))),
        None if ticker == SERIES => Ok(Json(json!({ "series": SeriesView::default_series().json() }))),
        None => Err(KalshiError::not_found(format!("no series with ticker {ticker:?}"))),
    }
}

fn unknown_event(ticker: &str) -> KalshiError {
    KalshiError::not_found(format!("no event with ticker {ticker:?}"))
}

/// Where an event comes in a list: the markets' own events (`AUG-m`) by market number, as they
/// came before the catalog, then catalog events by ticker.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum EventKey {
    Own(MarketId),
    Catalog(String),
}

/// Catalog events with names of the form `AUG-m` are never served, so a name is one or the other.
fn event_key(ticker: &str) -> EventKey {
    parse_event_ticker(ticker).map_or_else(|| EventKey::Catalog(ticker.to_string()), EventKey::Own)
}

/// What an event says of itself: a catalog event's entry, or (for a market's own event) the
/// market's.
enum EventHead<'a> {
    Catalog(&'a EventMeta),
    Own(&'a BookInfo),
}

/// A Kalshi event and its markets.
struct KalshiEvent<'a> {
    ticker: &'a str,
    head: EventHead<'a>,
    books: Vec<&'a BookInfo>,
}

impl KalshiEvent<'_> {
    fn series(&self) -> &str {
        match self.head {
            EventHead::Catalog(event) => event.info.series.as_deref().unwrap_or(SERIES),
            EventHead::Own(book) => &book.meta.series,
        }
    }

    /// Open while any of its markets is open, settled once all are settled, closed in between;
    /// an event with no markets yet is open.
    fn status(&self) -> &'static str {
        let statuses: Vec<&str> = self.books.iter().map(|b| event_status(b.status)).collect();
        if statuses.is_empty() || statuses.contains(&"open") {
            "open"
        } else if statuses.iter().all(|s| *s == "settled") {
            "settled"
        } else {
            "closed"
        }
    }

    fn json(&self, nested: bool) -> Value {
        let (title, sub_title, category, mutually_exclusive, updated_ms) = match self.head {
            EventHead::Catalog(event) => (
                &event.info.title,
                &event.info.subtitle,
                event.info.category.title(),
                event.info.mutually_exclusive,
                Some(event.updated_ms),
            ),
            EventHead::Own(book) => (
                &book.meta.title,
                &book.meta.subtitle,
                book.meta.category,
                matches!(book.kind, MarketKind::Categorical { .. }),
                book.meta.listed.map(|(_, updated_ms)| updated_ms),
            ),
        };
        // Only a categorical market's outcomes share collateral (Kalshi's "MECNET"); the markets of
        // a catalog event each hold their own, mutually exclusive or not.
        let netted = matches!(self.head, EventHead::Own(book) if matches!(book.kind, MarketKind::Categorical { .. }));
        let mut event = json!({
            "event_ticker": self.ticker,
            "series_ticker": self.series(),
            "title": title,
            "sub_title": sub_title,
            "mutually_exclusive": mutually_exclusive,
            "collateral_return_type": if netted { "MECNET" } else { "binary" },
            "status": self.status(),
            "category": category,
            "settlement_sources": [],
        });
        if let Some(updated_ms) = updated_ms {
            event["last_updated_ts"] = rfc3339(updated_ms).into();
        }
        if nested {
            event["markets"] = self.books.iter().map(|b| market_json(b)).collect();
        }
        event
    }
}

/// The listing's books grouped into Kalshi events, with the catalog events it holds (those with no
/// binary or scalar market yet included).
fn kalshi_events(listing: &Listing) -> BTreeMap<EventKey, KalshiEvent<'_>> {
    let mut events: BTreeMap<EventKey, KalshiEvent<'_>> = listing
        .events
        .iter()
        .map(|(ticker, event)| {
            let head = EventHead::Catalog(event);
            (EventKey::Catalog(ticker.clone()), KalshiEvent { ticker, head, books: Vec::new() })
        })
        .collect();
    for book in &listing.books {
        events
            .entry(event_key(&book.meta.event))
            .or_insert_with(|| KalshiEvent { ticker: &book.meta.event, head: EventHead::Own(book), books: Vec::new() })
            .books
            .push(book);
    }
    events
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    with_nested_markets: Option<bool>,
    status: Option<String>,
    series_ticker: Option<String>,
    min_close_ts: Option<u64>,
}

async fn list_events(State(state): Shared, RawQuery(raw): RawQuery) -> Answer {
    let q: EventsQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?.min(200);
    let statuses = match q.status.as_deref() {
        None => None,
        Some(text) => Some(
            split_list(text)
                .into_iter()
                .map(|s| match s {
                    "open" | "closed" | "settled" => Ok(s),
                    other => {
                        Err(KalshiError::invalid(format!("unknown event status {other:?} (open, closed, settled)")))
                    }
                })
                .collect::<KalshiResult<Vec<_>>>()?,
        ),
    };
    // The cursor is the last event's ticker; the page goes on after it.
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Bound::Excluded(event_key(cursor)),
        None => Bound::Unbounded,
    };
    let listing = listing(&state, Select::Events).await?;
    let events = kalshi_events(&listing);
    let mut out = Vec::new();
    let mut last = None;
    for event in events.range((after, Bound::Unbounded)).map(|(_, e)| e) {
        // Kalshi's min_close_ts: events with at least one market closing at or after it.
        let keep = statuses.as_ref().is_none_or(|s| s.contains(&event.status()))
            && q.series_ticker.as_deref().is_none_or(|s| s == event.series())
            && q.min_close_ts
                .is_none_or(|min| event.books.iter().any(|b| b.close_time_ms > 0 && b.close_time_ms / 1_000 >= min));
        if keep {
            out.push(event.json(q.with_nested_markets.unwrap_or(false)));
            last = Some(event.ticker);
            if out.len() == limit {
                break;
            }
        }
    }
    let cursor = match last {
        Some(ticker) if out.len() == limit => ticker.to_string(),
        _ => String::new(),
    };
    Ok(Json(json!({ "events": out, "cursor": cursor })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    with_nested_markets: Option<bool>,
}

async fn get_event(State(state): Shared, Path(ticker): Path<String>, RawQuery(raw): RawQuery) -> Answer {
    let q: EventQuery = query(raw.as_deref())?;
    let listing = listing(&state, Select::Event(ticker.clone())).await?;
    let events = kalshi_events(&listing);
    // `AUG-m` of a market that joined a catalog event is no longer an event: its book is grouped
    // under the catalog event, and this finds nothing.
    let event = events.get(&event_key(&ticker)).filter(|e| e.ticker == ticker).ok_or_else(|| unknown_event(&ticker))?;
    let markets: Vec<Value> = event.books.iter().map(|b| market_json(b)).collect();
    Ok(Json(json!({ "event": event.json(q.with_nested_markets.unwrap_or(false)), "markets": markets })))
}

// ---------------------------------------------------------------- orders

fn outcome_side(side: Side, action: Action) -> &'static str {
    match (side, action) {
        (Side::Yes, Action::Buy) | (Side::No, Action::Sell) => "yes",
        (Side::No, Action::Buy) | (Side::Yes, Action::Sell) => "no",
    }
}

fn book_side(side: Side, action: Action) -> &'static str {
    if outcome_side(side, action) == "yes" {
        "bid"
    } else {
        "ask"
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Yes => "yes",
        Side::No => "no",
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Buy => "buy",
        Action::Sell => "sell",
    }
}

fn order_status(o: &OrderRecord) -> &'static str {
    match o.status {
        OrderStatus::Open => "resting",
        OrderStatus::Filled => "executed",
        OrderStatus::Cancelled | OrderStatus::Expired => "canceled",
    }
}

fn order_json(kind: &MarketKind, o: &OrderRecord) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("order_id".into(), o.order_id.to_string().into());
    m.insert("user_id".into(), o.account.to_string().into());
    m.insert("client_order_id".into(), o.client_order_id.clone().unwrap_or_default().into());
    m.insert("ticker".into(), market_ticker(kind, Book { market: o.market, outcome: o.outcome }).into());
    m.insert("side".into(), side_name(o.side).into());
    m.insert("action".into(), action_name(o.action).into());
    m.insert("outcome_side".into(), outcome_side(o.side, o.action).into());
    m.insert("book_side".into(), book_side(o.side, o.action).into());
    m.insert(
        "type".into(),
        match o.order_type {
            OrderType::Limit { .. } => "limit",
            OrderType::Market { .. } => "market",
        }
        .into(),
    );
    m.insert("status".into(), order_status(o).into());
    if let Some(own) = o.price_micros {
        let yes = if o.side == Side::Yes { own } else { complement(own) };
        put_price(&mut m, "yes_price", Some(yes), 0);
        put_price(&mut m, "no_price", Some(complement(yes)), 0);
    }
    for (name, value) in [
        ("count", o.quantity),
        ("initial_count", o.quantity),
        ("fill_count", o.filled_quantity),
        ("remaining_count", o.remaining_quantity),
    ] {
        m.insert(name.into(), value.into());
        m.insert(format!("{name}_fp"), count_fp(value).into());
    }
    m.insert("fill_cost_dollars".into(), dollars(o.filled_notional_micros).into());
    m.insert("fees_dollars".into(), dollars(o.fees_micros).into());
    if let TimeInForce::Gtd { expires_at_ms } = o.time_in_force {
        m.insert("expiration_time".into(), rfc3339(expires_at_ms).into());
    }
    m.insert("created_time".into(), rfc3339(o.created_ms).into());
    m.insert("last_update_time".into(), rfc3339(o.updated_ms).into());
    Value::Object(m)
}

/// The order as Kalshi shows it (needs the market's kind for the ticker).
async fn order_value(state: &AppState, o: &OrderRecord) -> KalshiResult<Value> {
    let market = o.market;
    let kind = state.sequencer.query(move |venue| venue.engine().market_spec(market).map(|s| s.kind)).await?;
    let kind = kind.ok_or_else(|| KalshiError::from(crate::api::internal("an order's market is unknown")))?;
    Ok(order_json(&kind, o))
}

/// Either the legacy integer or the fixed-point string form of a count.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum CountValue {
    Whole(u64),
    Text(String),
}

impl CountValue {
    fn quantity(&self) -> Result<Quantity, String> {
        match self {
            CountValue::Whole(n) => Ok(*n),
            CountValue::Text(t) => parse_count_fp(t),
        }
    }
}

/// A count given as `count` and/or `count_fp` (which must agree).
fn count_of(count: Option<u64>, count_fp: Option<&str>, what: &str) -> KalshiResult<Option<Quantity>> {
    let fp = count_fp.map(parse_count_fp).transpose().map_err(invalid)?;
    match (count, fp) {
        (Some(a), Some(b)) if a != b => Err(KalshiError::invalid(format!("{what}: count {a} and count_fp {b} differ"))),
        (Some(0), _) | (_, Some(0)) => Err(KalshiError::invalid(format!("{what}: count must be at least 1"))),
        (a, b) => Ok(a.or(b)),
    }
}

/// The YES price named by `yes_price`/`no_price` (cents) and their `_dollars` forms, which must
/// all agree; None when none is given.
fn yes_price_of(
    yes_cents: Option<u64>,
    no_cents: Option<u64>,
    yes_dollars: Option<&str>,
    no_dollars: Option<&str>,
) -> KalshiResult<Option<Micros>> {
    let mut candidates: Vec<(&str, Micros)> = Vec::new();
    if let Some(c) = yes_cents {
        candidates.push(("yes_price", super::cents_to_micros(c).map_err(invalid)?));
    }
    if let Some(c) = no_cents {
        candidates.push(("no_price", complement(super::cents_to_micros(c).map_err(invalid)?)));
    }
    for (name, text) in [("yes_price_dollars", yes_dollars), ("no_price_dollars", no_dollars)] {
        if let Some(text) = text {
            let micros = parse_dollars(text).map_err(invalid)?;
            if micros == 0 || micros >= MICROS_PER_DOLLAR {
                return Err(invalid(format!("{name} must be between 0 and 1 dollar, exclusive")));
            }
            candidates.push((name, if name.starts_with("yes") { micros } else { complement(micros) }));
        }
    }
    match candidates.split_first() {
        None => Ok(None),
        Some(((_, first), rest)) => match rest.iter().find(|(_, p)| p != first) {
            Some((name, _)) => Err(invalid(format!("{name} disagrees with {}", candidates[0].0))),
            None => Ok(Some(*first)),
        },
    }
}

fn parse_side(text: &str) -> KalshiResult<Side> {
    match text {
        "yes" => Ok(Side::Yes),
        "no" => Ok(Side::No),
        other => Err(KalshiError::invalid(format!("side must be yes or no, not {other:?}"))),
    }
}

fn parse_action(text: &str) -> KalshiResult<Action> {
    match text {
        "buy" => Ok(Action::Buy),
        "sell" => Ok(Action::Sell),
        other => Err(KalshiError::invalid(format!("action must be buy or sell, not {other:?}"))),
    }
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct CreateOrder {
    ticker: String,
    client_order_id: Option<String>,
    side: String,
    action: String,
    count: Option<u64>,
    count_fp: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    yes_price: Option<u64>,
    no_price: Option<u64>,
    yes_price_dollars: Option<String>,
    no_price_dollars: Option<String>,
    expiration_ts: Option<u64>,
    time_in_force: Option<String>,
    buy_max_cost: Option<u64>,
    post_only: Option<bool>,
    reduce_only: Option<bool>,
    sell_position_floor: Option<u64>,
    self_trade_prevention_type: Option<String>,
    order_group_id: Option<String>,
    /// Augury has no trading pauses, so this flag changes nothing.
    #[serde(rename = "cancel_order_on_pause")]
    _cancel_order_on_pause: Option<bool>,
    subaccount: Option<u64>,
    exchange_index: Option<i64>,
}

impl CreateOrder {
    /// The native order this Kalshi order is, or why it cannot be one.
    fn to_new_order(&self, account: AccountId, book: Book) -> KalshiResult<NewOrder> {
        let side = parse_side(&self.side)?;
        let action = parse_action(&self.action)?;
        let quantity = count_of(self.count, self.count_fp.as_deref(), "the order")?
            .ok_or_else(|| invalid("an order needs count (or count_fp)"))?;
        if self.subaccount.is_some_and(|s| s != 0) {
            return Err(invalid("subaccounts are not supported: use another API key (account) instead"));
        }
        if self.exchange_index.is_some_and(|i| i != 0 && i != -1) {
            return Err(invalid("Augury has one exchange index, 0"));
        }
        if self.order_group_id.is_some() {
            return Err(invalid("order groups are not supported"));
        }
        // Augury never sells contracts one does not hold, so every sell is reduce-only already.
        if (self.reduce_only == Some(true) || self.sell_position_floor.is_some()) && action == Action::Buy {
            return Err(invalid("reduce_only (or sell_position_floor) applies to sells only"));
        }
        if self.sell_position_floor.is_some_and(|f| f != 0) {
            return Err(invalid("sell_position_floor only accepts 0"));
        }
        let self_trade = match self.self_trade_prevention_type.as_deref() {
            None | Some("taker_at_cross") => SelfTradePrevention::CancelTaker,
            Some("maker") => SelfTradePrevention::CancelMaker,
            Some(other) => {
                return Err(invalid(format!(
                    "self_trade_prevention_type must be taker_at_cross or maker, not {other:?}"
                )))
            }
        };
        let yes_price = yes_price_of(
            self.yes_price,
            self.no_price,
            self.yes_price_dollars.as_deref(),
            self.no_price_dollars.as_deref(),
        )?;
        let own_price = yes_price.map(|yes| if side == Side::Yes { yes } else { complement(yes) });
        let is_market = match self.kind.as_deref() {
            None | Some("limit") => false,
            Some("market") => true,
            Some(other) => return Err(invalid(format!("type must be limit or market, not {other:?}"))),
        };
        let cost_cap = self.buy_max_cost.map(|c| c.saturating_mul(10_000));
        if cost_cap.is_some() && action == Action::Sell {
            return Err(invalid("buy_max_cost is for buys"));
        }
        let order_type = match (is_market, own_price, cost_cap) {
            (false, Some(price_micros), None) => OrderType::Limit { price_micros },
            (false, None, _) => return Err(invalid("a limit order needs yes_price or no_price")),
            (false, Some(_), Some(_)) => return Err(invalid("buy_max_cost is for market orders")),
            // A market order with a price trades at that price or better, now.
            (true, Some(price_micros), None) => OrderType::Limit { price_micros },
            (true, None, cost_cap_micros) => OrderType::Market { cost_cap_micros },
            (true, Some(_), Some(_)) => return Err(invalid("give a market order a price or buy_max_cost, not both")),
        };
        let time_in_force = match (self.time_in_force.as_deref(), self.expiration_ts) {
            (Some("fill_or_kill"), None) => TimeInForce::Fok,
            (Some("immediate_or_cancel"), None) => TimeInForce::Ioc,
            (Some("good_till_canceled") | None, Some(ts)) => TimeInForce::Gtd {
                expires_at_ms: ts.checked_mul(1_000).ok_or_else(|| invalid("expiration_ts is too large"))?,
            },
            (Some("good_till_canceled"), None) => TimeInForce::Gtc,
            // Kalshi: buy_max_cost makes an order fill-or-kill.
            (None, None) if cost_cap.is_some() => TimeInForce::Fok,
            (None, None) if is_market => TimeInForce::Ioc,
            (None, None) => TimeInForce::Gtc,
            (Some("fill_or_kill" | "immediate_or_cancel"), Some(_)) => {
                return Err(invalid("expiration_ts is for good_till_canceled orders"))
            }
            (Some(other), _) => {
                return Err(invalid(format!(
                    "time_in_force must be fill_or_kill, good_till_canceled or immediate_or_cancel, not {other:?}"
                )))
            }
        };
        if is_market && matches!(time_in_force, TimeInForce::Gtc | TimeInForce::Gtd { .. }) {
            return Err(invalid("a market order cannot rest: use immediate_or_cancel or fill_or_kill"));
        }
        Ok(NewOrder {
            order: OrderId(0),
            account,
            market: book.market,
            outcome: book.outcome,
            side,
            action,
            order_type,
            quantity,
            time_in_force,
            post_only: self.post_only.unwrap_or(false),
            self_trade,
        })
    }
}

/// Places one Kalshi order through the native placement path.
async fn place_one(state: &AppState, account: AccountId, request: &CreateOrder) -> KalshiResult<Value> {
    let ticker = request.ticker.clone();
    let resolved = state.sequencer.query(move |venue| resolve_ticker(venue.engine(), &ticker)).await?;
    let (book, kind) = resolved.ok_or_else(|| unknown_ticker(&request.ticker))?;
    let order = request.to_new_order(account, book)?;
    let placed = place(state, order, request.client_order_id.as_deref()).await?;
    Ok(order_json(&kind, &placed.order))
}

async fn create_order(State(state): Shared, call: TradeCall) -> KalshiResult<(StatusCode, Json<Value>)> {
    let request: CreateOrder = call.json()?;
    let order = place_one(&state, call.key.account, &request).await?;
    // A retry with the same client_order_id gets the original order, also as 201 (Kalshi
    // clients accept only 201 here).
    Ok((StatusCode::CREATED, Json(json!({ "order": order }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchCreate {
    orders: Vec<CreateOrder>,
}

/// Places up to 20 orders one after another; each gets its order or its error.
async fn batch_create(State(state): Shared, call: TradeCall) -> KalshiResult<(StatusCode, Json<Value>)> {
    let request: BatchCreate = call.json()?;
    if request.orders.is_empty() || request.orders.len() > BATCH_MAX {
        return Err(KalshiError::invalid(format!("a batch holds 1 to {BATCH_MAX} orders")));
    }
    let mut answers = Vec::new();
    for order in &request.orders {
        let mut answer = json!({ "client_order_id": order.client_order_id.clone().unwrap_or_default() });
        match place_one(&state, call.key.account, order).await {
            Ok(placed) => answer["order"] = placed,
            Err(error) => answer["error"] = error.body(),
        }
        answers.push(answer);
    }
    Ok((StatusCode::CREATED, Json(json!({ "orders": answers }))))
}

fn parse_order_id(text: &str) -> KalshiResult<OrderId> {
    text.parse().map_err(|_| KalshiError::new(StatusCode::NOT_FOUND, "order_not_found", format!("no order {text:?}")))
}

async fn get_order(State(state): Shared, Path(order_id): Path<String>, call: ReadCall) -> Answer {
    let order = own_order(&state, call.key.account, parse_order_id(&order_id)?)?;
    Ok(Json(json!({ "order": order_value(&state, &order).await? })))
}

/// Cancels the rest of an order: the native cancel, answered with the order and how many
/// contracts the cancel took off the book.
async fn cancel_one(state: &AppState, account: AccountId, order: OrderId) -> KalshiResult<(Value, Quantity)> {
    let before = own_order(state, account, order)?;
    engine_command(state, Command::CancelOrder { account, order }).await?;
    let after = own_order(state, account, order)?;
    Ok((order_value(state, &after).await?, before.remaining_quantity))
}

async fn cancel_order(State(state): Shared, Path(order_id): Path<String>, call: TradeCall) -> Answer {
    let (order, reduced_by) = cancel_one(&state, call.key.account, parse_order_id(&order_id)?).await?;
    Ok(Json(json!({ "order": order, "reduced_by": reduced_by, "reduced_by_fp": count_fp(reduced_by) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelEntry {
    order_id: String,
    subaccount: Option<u64>,
    exchange_index: Option<i64>,
    /// Only used by Kalshi to route between exchange indexes; Augury has one.
    #[serde(rename = "market_ticker")]
    _market_ticker: Option<String>,
}

/// `ids` (Kalshi), `order_ids` (kalshi-python 2.x) or `orders` with one object per order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchCancel {
    ids: Option<Vec<String>>,
    order_ids: Option<Vec<String>>,
    orders: Option<Vec<CancelEntry>>,
}

async fn batch_cancel(State(state): Shared, call: TradeCall) -> Answer {
    let request: BatchCancel = call.json()?;
    let ids: Vec<String> = match (request.ids, request.order_ids, request.orders) {
        (Some(ids), None, None) | (None, Some(ids), None) => ids,
        (None, None, Some(orders)) => {
            if orders.iter().any(|o| o.subaccount.is_some_and(|s| s != 0) || o.exchange_index.is_some_and(|i| i > 0)) {
                return Err(KalshiError::invalid("subaccounts and exchange indexes other than 0 are not supported"));
            }
            orders.into_iter().map(|o| o.order_id).collect()
        }
        _ => return Err(KalshiError::invalid("give the orders to cancel as ids, order_ids or orders (one of them)")),
    };
    if ids.is_empty() || ids.len() > BATCH_MAX {
        return Err(KalshiError::invalid(format!("a batch holds 1 to {BATCH_MAX} orders")));
    }
    let mut answers = Vec::new();
    for id in ids {
        let mut answer = json!({ "order_id": id });
        let result = match parse_order_id(&id) {
            Ok(order) => cancel_one(&state, call.key.account, order).await,
            Err(e) => Err(e),
        };
        match result {
            Ok((order, reduced_by)) => {
                answer["order"] = order;
                answer["reduced_by"] = reduced_by.into();
                answer["reduced_by_fp"] = count_fp(reduced_by).into();
            }
            Err(error) => answer["error"] = error.body(),
        }
        answers.push(answer);
    }
    Ok(Json(json!({ "orders": answers })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Amend {
    ticker: Option<String>,
    side: Option<String>,
    action: Option<String>,
    client_order_id: Option<String>,
    updated_client_order_id: Option<String>,
    yes_price: Option<u64>,
    no_price: Option<u64>,
    yes_price_dollars: Option<String>,
    no_price_dollars: Option<String>,
    count: Option<u64>,
    count_fp: Option<String>,
    subaccount: Option<u64>,
    exchange_index: Option<i64>,
}

/// Changes a resting order's price and/or total count (`count` is the order's new size, filled
/// contracts included, as on Kalshi): the native amend of price and remaining quantity.
async fn amend_order(State(state): Shared, Path(order_id): Path<String>, call: TradeCall) -> Answer {
    let request: Amend = call.json()?;
    let account = call.key.account;
    let order = parse_order_id(&order_id)?;
    let old = own_order(&state, account, order)?;
    let old_value = order_value(&state, &old).await?;
    if request.subaccount.is_some_and(|s| s != 0) || request.exchange_index.is_some_and(|i| i > 0) {
        return Err(invalid("subaccounts and exchange indexes other than 0 are not supported"));
    }
    for (field, given, actual) in [
        ("ticker", request.ticker.as_deref(), old_value["ticker"].as_str()),
        ("side", request.side.as_deref(), Some(side_name(old.side))),
        ("action", request.action.as_deref(), Some(action_name(old.action))),
        ("client_order_id", request.client_order_id.as_deref(), old.client_order_id.as_deref()),
    ] {
        if given.is_some() && given != actual {
            return Err(invalid(format!("{field} does not match order {order}")));
        }
    }
    if request.updated_client_order_id.is_some() && request.updated_client_order_id != old.client_order_id {
        return Err(invalid("an order's client_order_id cannot change on Augury (updated_client_order_id)"));
    }
    let yes_price = yes_price_of(
        request.yes_price,
        request.no_price,
        request.yes_price_dollars.as_deref(),
        request.no_price_dollars.as_deref(),
    )?;
    let price_micros = yes_price.map(|yes| if old.side == Side::Yes { yes } else { complement(yes) });
    let remaining_quantity = match count_of(request.count, request.count_fp.as_deref(), "the amendment")? {
        None => None,
        Some(total) if total <= old.filled_quantity => {
            return Err(invalid(format!(
                "count {total} is not above the {} contracts already filled",
                old.filled_quantity
            )))
        }
        Some(total) => Some(total - old.filled_quantity),
    };
    if price_micros.is_none() && remaining_quantity.is_none() {
        return Err(invalid("an amendment changes the price, the count or both"));
    }
    engine_command(&state, Command::AmendOrder { account, order, price_micros, remaining_quantity }).await?;
    let new = own_order(&state, account, order)?;
    Ok(Json(json!({ "old_order": old_value, "order": order_value(&state, &new).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decrease {
    reduce_by: Option<CountValue>,
    reduce_to: Option<CountValue>,
    exchange_index: Option<i64>,
    /// Only used by Kalshi to route between exchange indexes; Augury has one.
    #[serde(rename = "market_ticker")]
    _market_ticker: Option<String>,
}

/// Takes contracts off a resting order, keeping its place in the queue (a native amend of the
/// remaining quantity alone); down to zero, it is a cancel.
async fn decrease_order(State(state): Shared, Path(order_id): Path<String>, call: TradeCall) -> Answer {
    let request: Decrease = call.json()?;
    let account = call.key.account;
    let order = parse_order_id(&order_id)?;
    let old = own_order(&state, account, order)?;
    if request.exchange_index.is_some_and(|i| i > 0) {
        return Err(invalid("Augury has one exchange index, 0"));
    }
    let remaining = match (&request.reduce_by, &request.reduce_to) {
        (Some(by), None) => {
            let by = by.quantity().map_err(invalid)?;
            if by == 0 {
                return Err(invalid("reduce_by must be at least 1"));
            }
            old.remaining_quantity.saturating_sub(by)
        }
        (None, Some(to)) => {
            let to = to.quantity().map_err(invalid)?;
            if to >= old.remaining_quantity {
                return Err(invalid(format!("reduce_to must be below the remaining {}", old.remaining_quantity)));
            }
            to
        }
        _ => return Err(invalid("give reduce_by or reduce_to (one of them)")),
    };
    if remaining == 0 {
        engine_command(&state, Command::CancelOrder { account, order }).await?;
    } else {
        engine_command(
            &state,
            Command::AmendOrder { account, order, price_micros: None, remaining_quantity: Some(remaining) },
        )
        .await?;
    }
    let new = own_order(&state, account, order)?;
    Ok(Json(json!({ "order": order_value(&state, &new).await? })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OrdersQuery {
    ticker: Option<String>,
    event_ticker: Option<String>,
    min_ts: Option<u64>,
    max_ts: Option<u64>,
    status: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
    subaccount: Option<u64>,
}

async fn list_orders(State(state): Shared, RawQuery(raw): RawQuery, call: ReadCall) -> Answer {
    let q: OrdersQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?;
    let before = parse_cursor(q.cursor.as_deref())?.map(OrderId);
    if q.subaccount.is_some_and(|s| s != 0) {
        return Err(KalshiError::invalid("subaccounts are not supported"));
    }
    let status = match q.status.as_deref() {
        None => None,
        Some(s @ ("resting" | "canceled" | "executed")) => Some(s),
        Some(other) => {
            return Err(KalshiError::invalid(format!("status must be resting, canceled or executed, not {other:?}")))
        }
    };
    let markets = market_events(&state).await?;
    if let Some(t) = q.ticker.as_deref() {
        super::parse_market_ticker(t).ok_or_else(|| unknown_ticker(t))?;
    }
    let ticker = q.ticker.clone();
    let keep = |o: &OrderRecord| {
        let known = markets.get(&o.market);
        let named = known.map(|(k, _)| market_ticker(k, Book { market: o.market, outcome: o.outcome }));
        status.is_none_or(|s| s == order_status(o))
            && ticker.as_deref().is_none_or(|t| named.as_deref() == Some(t))
            && q.event_ticker.as_deref().is_none_or(|e| known.is_some_and(|(_, event)| event == e))
            && q.min_ts.is_none_or(|min| o.created_ms / 1_000 >= min)
            && q.max_ts.is_none_or(|max| o.created_ms / 1_000 <= max)
    };
    let orders = state.history().orders(call.key.account, before, limit, keep);
    let cursor = next_cursor(orders.len(), limit, orders.last().map(|o| o.order_id));
    let out: Vec<Value> = orders.iter().filter_map(|o| Some(order_json(&markets.get(&o.market)?.0, o))).collect();
    Ok(Json(json!({ "orders": out, "cursor": cursor })))
}

// ---------------------------------------------------------------- portfolio

/// Kalshi pays settled markets out by itself; Augury pays on `Redeem`. Before answering a
/// portfolio read, the caller's contracts in settled markets are redeemed (native `Redeem`
/// commands, journaled as usual), so balance, positions and settlements read as on Kalshi.
async fn settle_owed(state: &AppState, account: AccountId) -> KalshiResult<()> {
    let markets = state.history().markets();
    let owed: Vec<MarketId> = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            markets
                .into_iter()
                .filter(|m| engine.market_status(*m) == Some(MarketStatus::Settled))
                .filter(|m| {
                    let outcomes = engine.market_spec(*m).map_or(0, |s| s.kind.outcome_count());
                    (0..outcomes).any(|o| {
                        let p = engine.position(account, *m, o);
                        p.yes + p.no > 0
                    })
                })
                .collect()
        })
        .await?;
    for market in owed {
        match engine_command(state, Command::Redeem { account, market }).await {
            // Another request redeemed it meanwhile: nothing is lost.
            Err(e) if e.code == "nothing_to_redeem" => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}

async fn balance(State(state): Shared, call: ReadCall) -> Answer {
    let account = call.key.account;
    settle_owed(&state, account).await?;
    let view = state.sequencer.query(move |venue| venue.engine().account(account)).await?;
    let (available, reserved) = view.map_or((0, 0), |v| (v.available_micros, v.reserved_micros));
    Ok(Json(json!({
        // Cents rounded down: never more than can be spent. The exact amount is in balance_dollars.
        "balance": available / 10_000,
        "balance_dollars": dollars(available),
        "portfolio_value": reserved / 10_000,
        "portfolio_value_dollars": dollars(reserved),
        "updated_ts": crate::now_ms() / 1_000,
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PositionsQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    ticker: Option<String>,
    event_ticker: Option<String>,
    count_filter: Option<String>,
    settlement_status: Option<String>,
    subaccount: Option<u64>,
}

#[derive(Default)]
struct Traded {
    notional_micros: Micros,
    fees_micros: Micros,
    last_ms: u64,
}

/// The caller's positions, netted as Kalshi shows them: `position` is YES held minus NO held
/// (Augury keeps both until they are merged).
async fn positions(State(state): Shared, RawQuery(raw): RawQuery, call: ReadCall) -> Answer {
    let q: PositionsQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?;
    let after = q.cursor.filter(|c| !c.is_empty());
    if q.subaccount.is_some_and(|s| s != 0) {
        return Err(KalshiError::invalid("subaccounts are not supported"));
    }
    if let Some(filter) = q.count_filter.as_deref() {
        for name in split_list(filter) {
            if !matches!(name, "position" | "total_traded" | "resting_order_count") {
                return Err(KalshiError::invalid(format!("unknown count_filter {name:?}")));
            }
        }
    }
    if q.settlement_status.as_deref().is_some_and(|s| !matches!(s, "all" | "unsettled" | "settled")) {
        return Err(KalshiError::invalid("settlement_status must be all, unsettled or settled"));
    }
    let account = call.key.account;
    settle_owed(&state, account).await?;
    let all = listing(&state, Select::Markets).await?.books;
    let wanted: Vec<Book> = all.iter().map(|i| i.book).collect();
    let held: HashMap<Book, (Quantity, Quantity)> = state
        .sequencer
        .query(move |venue| {
            wanted
                .into_iter()
                .map(|b| {
                    // Kalshi counts a contract offered by a resting sell as still held: the
                    // engine's free and reserved contracts together.
                    let p = venue.engine().position(account, b.market, b.outcome);
                    (b, (p.yes + p.yes_reserved, p.no + p.no_reserved))
                })
                .collect()
        })
        .await?;
    let (traded, resting) = {
        let history = state.history();
        let mut traded: HashMap<Book, Traded> = HashMap::new();
        let mut before = None;
        loop {
            let chunk = history.fills(account, before, SCAN_CHUNK);
            before = chunk.last().map(|f| f.trade_id);
            for f in &chunk {
                let t = traded.entry(Book { market: f.market, outcome: f.outcome }).or_default();
                t.notional_micros += f.notional_micros;
                t.fees_micros += f.fee_micros;
                t.last_ms = t.last_ms.max(f.time_ms);
            }
            if chunk.len() < SCAN_CHUNK {
                break;
            }
        }
        let mut resting: HashMap<Book, u64> = HashMap::new();
        for o in history.orders(account, None, usize::MAX, |o| o.status == OrderStatus::Open) {
            *resting.entry(Book { market: o.market, outcome: o.outcome }).or_default() += 1;
        }
        (traded, resting)
    };
    let mut market_positions = Vec::new();
    let mut events: BTreeMap<EventKey, (&str, Micros, Micros)> = BTreeMap::new();
    let mut started = after.is_none();
    let mut last = None;
    for info in &all {
        let ticker = market_ticker(&info.kind, info.book);
        if !started {
            started = after.as_deref() == Some(ticker.as_str());
            continue;
        }
        if q.ticker.as_deref().is_some_and(|t| t != ticker)
            || q.event_ticker.as_deref().is_some_and(|e| e != info.meta.event)
        {
            continue;
        }
        let settled = info.status == MarketStatus::Settled;
        match q.settlement_status.as_deref() {
            Some("settled") if !settled => continue,
            Some("unsettled") | None if settled => continue,
            _ => {}
        }
        let (yes, no) = held.get(&info.book).copied().unwrap_or_default();
        let traded_here = traded.get(&info.book);
        let resting_here = resting.get(&info.book).copied().unwrap_or(0);
        if yes == 0 && no == 0 && traded_here.is_none() && resting_here == 0 {
            continue;
        }
        let net = i128::from(yes) - i128::from(no);
        let (notional, fees, last_ms) =
            traded_here.map_or((0, 0, 0), |t| (t.notional_micros, t.fees_micros, t.last_ms));
        let entry = events.entry(event_key(&info.meta.event)).or_insert((&info.meta.event, 0, 0));
        entry.1 += notional;
        entry.2 += fees;
        market_positions.push(json!({
            "ticker": ticker,
            "event_ticker": info.meta.event,
            "position": net,
            "position_fp": if net < 0 { format!("-{}", count_fp(no - yes)) } else { count_fp(yes - no) },
            "total_traded": notional / 10_000,
            "total_traded_dollars": dollars(notional),
            "fees_paid": fees / 10_000,
            "fees_paid_dollars": dollars(fees),
            "resting_orders_count": resting_here,
            "market_result": market_result(&info.kind, info.book.outcome, info.resolution),
            "last_updated_ts": rfc3339(last_ms),
        }));
        last = Some(ticker);
        if market_positions.len() == limit {
            break;
        }
    }
    let event_positions: Vec<Value> = events
        .into_values()
        .map(|(event, notional, fees)| {
            json!({
                "event_ticker": event,
                "total_cost": notional / 10_000,
                "total_cost_dollars": dollars(notional),
                "fees_paid": fees / 10_000,
                "fees_paid_dollars": dollars(fees),
            })
        })
        .collect();
    let cursor = if market_positions.len() == limit { last.unwrap_or_default() } else { String::new() };
    Ok(Json(json!({ "market_positions": market_positions, "event_positions": event_positions, "cursor": cursor })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FillsQuery {
    ticker: Option<String>,
    order_id: Option<String>,
    min_ts: Option<u64>,
    max_ts: Option<u64>,
    limit: Option<usize>,
    cursor: Option<String>,
    subaccount: Option<u64>,
}

fn fill_json(kind: &MarketKind, f: &FillRecord) -> Value {
    let yes = if f.side == Side::Yes { f.price_micros } else { complement(f.price_micros) };
    let ticker = market_ticker(kind, Book { market: f.market, outcome: f.outcome });
    let mut m = serde_json::Map::new();
    // One trade has two fills (three ids would collide on a self-trade): the fill id names both.
    m.insert("fill_id".into(), format!("{}-{}", f.trade_id, f.order_id).into());
    m.insert("trade_id".into(), f.trade_id.to_string().into());
    m.insert("order_id".into(), f.order_id.to_string().into());
    m.insert("ticker".into(), ticker.clone().into());
    m.insert("market_ticker".into(), ticker.into());
    m.insert("side".into(), side_name(f.side).into());
    m.insert("action".into(), action_name(f.action).into());
    m.insert("outcome_side".into(), outcome_side(f.side, f.action).into());
    m.insert("book_side".into(), book_side(f.side, f.action).into());
    m.insert("count".into(), f.quantity.into());
    m.insert("count_fp".into(), count_fp(f.quantity).into());
    put_price(&mut m, "yes_price", Some(yes), 0);
    put_price(&mut m, "no_price", Some(complement(yes)), 0);
    if let Some(c) = super::cents(yes) {
        m.insert("price".into(), c.into());
    }
    m.insert("is_taker".into(), f.is_taker.into());
    m.insert("fee_cost".into(), dollars(f.fee_micros).into());
    m.insert("created_time".into(), rfc3339(f.time_ms).into());
    m.insert("ts".into(), (f.time_ms / 1_000).into());
    m.insert("exchange_index".into(), 0.into());
    Value::Object(m)
}

async fn fills(State(state): Shared, RawQuery(raw): RawQuery, call: ReadCall) -> Answer {
    let q: FillsQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?;
    let mut before = parse_cursor(q.cursor.as_deref())?.map(TradeId);
    if q.subaccount.is_some_and(|s| s != 0) {
        return Err(KalshiError::invalid("subaccounts are not supported"));
    }
    let order = q.order_id.as_deref().map(parse_order_id).transpose()?;
    let kinds = market_kinds(&state).await?;
    let keep = |f: &FillRecord| {
        let named = kinds.get(&f.market).map(|k| market_ticker(k, Book { market: f.market, outcome: f.outcome }));
        q.ticker.as_deref().is_none_or(|t| named.as_deref() == Some(t))
            && order.is_none_or(|o| o == f.order_id)
            && q.min_ts.is_none_or(|min| f.time_ms / 1_000 >= min)
            && q.max_ts.is_none_or(|max| f.time_ms / 1_000 <= max)
    };
    let mut found: Vec<FillRecord> = Vec::new();
    {
        let history = state.history();
        loop {
            let chunk = history.fills(call.key.account, before, SCAN_CHUNK);
            let done = chunk.len() < SCAN_CHUNK;
            before = chunk.last().map(|f| f.trade_id);
            found.extend(chunk.into_iter().filter(|f| keep(f)));
            if done || found.len() >= limit {
                break;
            }
        }
    }
    // A self-trade's two fills share a trade id, and the cursor is a trade id: keep them together.
    found.truncate(limit);
    let cursor = next_cursor(found.len(), limit, found.last().map(|f| f.trade_id));
    let out: Vec<Value> = found.iter().filter_map(|f| Some(fill_json(kinds.get(&f.market)?, f))).collect();
    Ok(Json(json!({ "fills": out, "cursor": cursor })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SettlementsQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    ticker: Option<String>,
    event_ticker: Option<String>,
    min_ts: Option<u64>,
    max_ts: Option<u64>,
    subaccount: Option<u64>,
}

fn settlement_json(kind: &MarketKind, event: &str, resolution: Option<Resolution>, s: &SettlementRecord) -> Value {
    // A settlement pays a whole Augury market: for a categorical one that is the event.
    let ticker = match kind {
        MarketKind::Categorical { .. } => event_ticker(s.market),
        _ => market_ticker(kind, Book { market: s.market, outcome: 0 }),
    };
    let mut m = serde_json::Map::new();
    m.insert("ticker".into(), ticker.into());
    m.insert("event_ticker".into(), event.into());
    let result = match (kind, resolution) {
        (MarketKind::Categorical { .. }, Some(Resolution::Outcome { outcome })) => {
            market_ticker(kind, Book { market: s.market, outcome })
        }
        _ => market_result(kind, 0, resolution).to_string(),
    };
    m.insert("market_result".into(), result.into());
    // A binary market's payout splits its contracts into YES and NO exactly.
    let winners = s.payout_micros / MICROS_PER_DOLLAR;
    let counts = match (kind, resolution) {
        (MarketKind::Binary, Some(Resolution::Yes)) => Some((winners, s.contracts - winners)),
        (MarketKind::Binary, Some(Resolution::No)) => Some((s.contracts - winners, winners)),
        _ => None,
    };
    if let Some((yes, no)) = counts {
        m.insert("yes_count".into(), yes.into());
        m.insert("yes_count_fp".into(), count_fp(yes).into());
        m.insert("no_count".into(), no.into());
        m.insert("no_count_fp".into(), count_fp(no).into());
    }
    m.insert("revenue".into(), (s.payout_micros / 10_000).into());
    m.insert("revenue_dollars".into(), dollars(s.payout_micros).into());
    if let (Some(resolution), false) = (resolution, matches!(kind, MarketKind::Categorical { .. })) {
        let payout = augury_core::payout(kind, &resolution, 0);
        if let Some(c) = super::cents(payout.yes_micros) {
            m.insert("value".into(), c.into());
        }
    }
    m.insert("fee_cost".into(), dollars(0).into());
    m.insert("settled_time".into(), rfc3339(s.time_ms).into());
    Value::Object(m)
}

async fn settlements(State(state): Shared, RawQuery(raw): RawQuery, call: ReadCall) -> Answer {
    let q: SettlementsQuery = query(raw.as_deref())?;
    let limit = page_limit(q.limit)?;
    let skip = parse_cursor(q.cursor.as_deref())?.unwrap_or(0);
    if q.subaccount.is_some_and(|s| s != 0) {
        return Err(KalshiError::invalid("subaccounts are not supported"));
    }
    let account = call.key.account;
    settle_owed(&state, account).await?;
    let markets = state.history().markets();
    let facts: HashMap<MarketId, (MarketKind, String, Option<Resolution>)> = state
        .sequencer
        .query(move |venue| {
            let (engine, catalog) = (venue.engine(), venue.state().catalog());
            let facts = |market: MarketId| {
                let kind = engine.market_spec(market)?.kind;
                let catalog_event = catalog.market(market).and_then(|l| l.info.event.as_deref());
                Some((kind, kalshi_event(&kind, market, catalog_event), engine.market_resolution(market)))
            };
            markets.into_iter().filter_map(|m| Some((m, facts(m)?))).collect()
        })
        .await?;
    let all = state.history().settlements(account, 0, usize::MAX);
    let keep = |s: &&SettlementRecord| {
        let fact = facts.get(&s.market);
        let names = fact.map(|(k, e, r)| settlement_json(k, e, *r, s));
        let ticker = names.as_ref().and_then(|v| v["ticker"].as_str().map(str::to_string));
        q.ticker.as_deref().is_none_or(|t| ticker.as_deref() == Some(t))
            && q.event_ticker.as_deref().is_none_or(|e| fact.is_some_and(|(_, event, _)| event == e))
            && q.min_ts.is_none_or(|min| s.time_ms / 1_000 >= min)
            && q.max_ts.is_none_or(|max| s.time_ms / 1_000 <= max)
    };
    let page: Vec<&SettlementRecord> =
        all.iter().filter(keep).skip(usize::try_from(skip).unwrap_or(usize::MAX)).take(limit).collect();
    let cursor = if page.len() == limit { (skip + limit as u64).to_string() } else { String::new() };
    let out: Vec<Value> = page
        .iter()
        .filter_map(|s| {
            let (kind, event, resolution) = facts.get(&s.market)?;
            Some(settlement_json(kind, event, *resolution, s))
        })
        .collect();
    Ok(Json(json!({ "settlements": out, "cursor": cursor })))
}
