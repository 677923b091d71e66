//! The REST API (v1). Every route authenticates through [`Call`](crate::extract::Call) (or is
//! public), parses strictly, refuses with [`ApiError`], and answers changes only once they are
//! durable. Prices are micro-dollars in the order's own side, quantities whole contracts.

use crate::error::ApiError;
use crate::extract::{parse_query, peer_ip, AdminCall, ReadCall, TradeCall};
use crate::history::{OrderRecord, OrderStatus, BASE_INTERVAL_MS};
use crate::{now_ms, token, AppState};
use augury_core::{
    AccountId, Action, BookSide, Command, FeeSchedule, MarketId, MarketKind, MarketSpec, Micros, NewOrder, OrderId,
    OrderType, OutcomeIndex, Quantity, SelfTradePrevention, Side, TimeInForce, TradeId,
};
use augury_sequencer::registry::{ApiKey, NewApiKey, Scopes};
use augury_sequencer::{VenueCommand, VenueOutcome};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

type ApiResult<T> = Result<Json<T>, ApiError>;
type Shared = State<Arc<AppState>>;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/v1/markets", get(list_markets).post(create_market))
        .route("/v1/markets/{market}", get(get_market))
        .route("/v1/markets/{market}/close", post(close_market))
        .route("/v1/markets/{market}/book", get(get_book))
        .route("/v1/markets/{market}/trades", get(list_trades))
        .route("/v1/markets/{market}/candles", get(list_candles))
        .route("/v1/accounts/{account}/deposit", post(deposit))
        .route("/v1/accounts/{account}/withdraw", post(withdraw))
        .route("/v1/portfolio/balance", get(balance))
        .route("/v1/portfolio/positions", get(positions))
        .route("/v1/portfolio/orders", get(list_orders).post(place_order))
        .route("/v1/portfolio/orders/{order}", get(get_order).delete(cancel_order).patch(amend_order))
        .route("/v1/portfolio/orders/by-client-id/{client_order_id}", get(get_order_by_client_id))
        .route("/v1/portfolio/fills", get(list_fills))
        .route("/v1/portfolio/split", post(split))
        .route("/v1/portfolio/merge", post(merge))
        .route("/v1/keys", get(list_keys).post(create_key))
        .route("/v1/keys/{key}", axum::routing::delete(revoke_key))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), edge))
        .with_state(state)
}

/// Per-IP rate limit, request metrics and a log line per request (never with credentials).
async fn edge(State(state): Shared, request: Request, next: Next) -> Response {
    let started = Instant::now();
    state.metrics.requests.inc();
    let ip = peer_ip(&request);
    if let Err(wait) = state.ip_limits.check(&ip, started) {
        state.metrics.rate_limited.inc();
        return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests from this address")
            .with_retry_after(wait)
            .into_response();
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    if status.is_client_error() {
        state.metrics.responses_4xx.inc();
    } else if status.is_server_error() {
        state.metrics.responses_5xx.inc();
    }
    let micros = started.elapsed().as_micros() as u64;
    state.metrics.request_latency.observe_us(micros);
    tracing::debug!(%method, %path, status = status.as_u16(), micros, "request");
    response
}

async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this route does not take that method")
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the sequencer answers.
async fn readyz(State(state): Shared) -> Result<&'static str, ApiError> {
    state.sequencer.query(|_| ()).await?;
    Ok("ready")
}

async fn metrics(State(state): Shared) -> impl IntoResponse {
    ([("content-type", "text/plain; version=0.0.4")], state.metrics.render(state.sequencer.stats()))
}

/// A broken promise inside the venue: logged, and answered as a 500 without detail.
fn internal(what: &str) -> ApiError {
    tracing::error!(what, "internal error");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "an internal error occurred; it has been logged")
}

fn parse_id<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T, ApiError> {
    text.parse().map_err(|_| ApiError::bad_request("invalid_path", format!("{text:?} is not a valid {what}")))
}

/// Cursor pagination: results come newest first; pass `next_cursor` back as `cursor`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Page {
    cursor: Option<u64>,
    limit: Option<usize>,
}

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;

fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(ApiError::bad_request("invalid_query", "limit must be at least 1")),
        n if n > MAX_LIMIT => Err(ApiError::bad_request("invalid_query", format!("limit may be at most {MAX_LIMIT}"))),
        n => Ok(n),
    }
}

#[derive(Serialize)]
struct Paged<T> {
    items: Vec<T>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<u64>,
}

fn paged<T>(items: Vec<T>, limit: usize, id: impl Fn(&T) -> u64) -> Paged<T> {
    let next_cursor = if items.len() == limit { items.last().map(id) } else { None };
    Paged { items, next_cursor }
}

// ---------------------------------------------------------------- markets

#[derive(Serialize)]
struct MarketView {
    market: MarketId,
    kind: MarketKind,
    outcomes: OutcomeIndex,
    tick_micros: Micros,
    fees: FeeSchedule,
    status: String,
    backing_micros: Micros,
    best: Vec<Quote>,
}

#[derive(Serialize)]
struct Quote {
    outcome: OutcomeIndex,
    /// Best bid and ask, in YES prices.
    yes_bid_micros: Option<Micros>,
    yes_ask_micros: Option<Micros>,
}

fn market_view(engine: &augury_engine::Engine, market: MarketId) -> Option<MarketView> {
    let spec = engine.market_spec(market)?;
    let outcomes = spec.kind.outcome_count();
    Some(MarketView {
        market,
        kind: spec.kind,
        outcomes,
        tick_micros: spec.tick_micros,
        fees: spec.fees,
        status: format!("{:?}", engine.market_status(market)?).to_lowercase(),
        backing_micros: engine.market_backing_micros(market).unwrap_or(0),
        best: (0..outcomes)
            .map(|outcome| {
                let (yes_bid_micros, yes_ask_micros) = engine.best_prices(market, outcome);
                Quote { outcome, yes_bid_micros, yes_ask_micros }
            })
            .collect(),
    })
}

async fn list_markets(State(state): Shared) -> ApiResult<Vec<MarketView>> {
    let ids = state.history().markets();
    let views = state
        .sequencer
        .query(move |venue| ids.iter().filter_map(|m| market_view(venue.engine(), *m)).collect())
        .await?;
    Ok(Json(views))
}

async fn get_market(State(state): Shared, Path(market): Path<String>) -> ApiResult<MarketView> {
    let market: MarketId = parse_id(&market, "market id")?;
    state
        .sequencer
        .query(move |venue| market_view(venue.engine(), market))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("unknown_market", format!("unknown market {market}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateMarket {
    market: MarketId,
    kind: MarketKind,
    tick_micros: Micros,
    #[serde(default)]
    fees: Option<FeeSchedule>,
    /// Trading stops when the venue clock reaches this time (ms since the epoch); absent: no
    /// automatic close.
    close_time_ms: Option<u64>,
}

async fn create_market(State(state): Shared, call: AdminCall) -> Result<(StatusCode, Json<MarketView>), ApiError> {
    let request: CreateMarket = call.json()?;
    let spec = MarketSpec {
        market: request.market,
        kind: request.kind,
        tick_micros: request.tick_micros,
        fees: request.fees.unwrap_or(FeeSchedule::ZERO),
        close_time_ms: request.close_time_ms.unwrap_or(0),
    };
    engine_command(&state, Command::CreateMarket { spec }).await?;
    let view = state.sequencer.query(move |venue| market_view(venue.engine(), spec.market)).await?;
    let view = view.ok_or_else(|| internal("the market just created is not there"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn close_market(
    State(state): Shared,
    Path(market): Path<String>,
    _call: AdminCall,
) -> ApiResult<serde_json::Value> {
    let market: MarketId = parse_id(&market, "market id")?;
    engine_command(&state, Command::CloseMarket { market }).await?;
    Ok(Json(serde_json::json!({ "market": market, "status": "closed" })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BookQuery {
    outcome: Option<OutcomeIndex>,
    depth: Option<usize>,
}

#[derive(Serialize)]
struct Level {
    yes_price_micros: Micros,
    quantity: Quantity,
    orders: u32,
}

#[derive(Serialize)]
struct BookView {
    market: MarketId,
    outcome: OutcomeIndex,
    /// Bids (buy YES or sell NO), best first, in YES prices.
    bids: Vec<Level>,
    /// Asks (sell YES or buy NO), best first, in YES prices.
    asks: Vec<Level>,
    /// Journal entries applied when the book was read.
    journal_entries: u64,
}

async fn get_book(State(state): Shared, Path(market): Path<String>, RawQuery(query): RawQuery) -> ApiResult<BookView> {
    let market: MarketId = parse_id(&market, "market id")?;
    let query: BookQuery = parse_query(query.as_deref())?;
    let outcome = query.outcome.unwrap_or(0);
    let depth = query.depth.unwrap_or(50).clamp(1, 10_000);
    let view = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            let spec = engine.market_spec(market)?;
            if outcome >= spec.kind.outcome_count() {
                return Some(Err(ApiError::bad_request(
                    "unknown_outcome",
                    format!("market {market} has no outcome {outcome}"),
                )));
            }
            let levels = |side| {
                engine
                    .depth(market, outcome, side, depth)
                    .into_iter()
                    .map(|l| Level { yes_price_micros: l.yes_price_micros, quantity: l.quantity, orders: l.orders })
                    .collect()
            };
            Some(Ok(BookView {
                market,
                outcome,
                bids: levels(BookSide::Bid),
                asks: levels(BookSide::Ask),
                journal_entries: venue.journal().committed(),
            }))
        })
        .await?;
    view.ok_or_else(|| ApiError::not_found("unknown_market", format!("unknown market {market}")))?.map(Json)
}

async fn list_trades(
    State(state): Shared,
    Path(market): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Paged<crate::history::TradeRecord>> {
    let market: MarketId = parse_id(&market, "market id")?;
    let page: Page = parse_query(query.as_deref())?;
    let limit = page_limit(page.limit)?;
    let trades = state.history().trades(market, page.cursor, limit);
    Ok(Json(paged(trades, limit, |t| t.trade_id)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CandleQuery {
    outcome: Option<OutcomeIndex>,
    /// 1m, 5m, 15m, 1h, 4h or 1d.
    interval: Option<String>,
    start_ms: Option<u64>,
    end_ms: Option<u64>,
}

async fn list_candles(
    State(state): Shared,
    Path(market): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Vec<crate::history::Candle>> {
    let market: MarketId = parse_id(&market, "market id")?;
    let query: CandleQuery = parse_query(query.as_deref())?;
    let interval_ms = match query.interval.as_deref().unwrap_or("1m") {
        "1m" => BASE_INTERVAL_MS,
        "5m" => 5 * BASE_INTERVAL_MS,
        "15m" => 15 * BASE_INTERVAL_MS,
        "1h" => 60 * BASE_INTERVAL_MS,
        "4h" => 240 * BASE_INTERVAL_MS,
        "1d" => 1_440 * BASE_INTERVAL_MS,
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("unknown interval {other:?} (1m, 5m, 15m, 1h, 4h, 1d)"),
            ))
        }
    };
    let end = query.end_ms.unwrap_or(u64::MAX);
    let start = query.start_ms.unwrap_or(0);
    if start >= end {
        return Err(ApiError::bad_request("invalid_query", "start_ms must be before end_ms"));
    }
    let history = state.history();
    Ok(Json(history.candles(market, query.outcome.unwrap_or(0), interval_ms, start, end)))
}

// ---------------------------------------------------------------- accounts (admin)

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Amount {
    amount_micros: Micros,
}

async fn deposit(State(state): Shared, Path(account): Path<String>, call: AdminCall) -> ApiResult<BalanceView> {
    let account: AccountId = parse_id(&account, "account id")?;
    let Amount { amount_micros } = call.json()?;
    engine_command(&state, Command::Deposit { account, amount_micros }).await?;
    balance_of(&state, account).await
}

async fn withdraw(State(state): Shared, Path(account): Path<String>, call: AdminCall) -> ApiResult<BalanceView> {
    let account: AccountId = parse_id(&account, "account id")?;
    let Amount { amount_micros } = call.json()?;
    engine_command(&state, Command::Withdraw { account, amount_micros }).await?;
    balance_of(&state, account).await
}

/// Runs an engine command and turns a refusal into an error.
async fn engine_command(state: &AppState, command: Command) -> Result<Vec<augury_core::Event>, ApiError> {
    match state.sequencer.execute_async(VenueCommand::Engine(command)).await?? {
        VenueOutcome::Applied { events } => Ok(events),
        other => unreachable!("an engine command gives its events, not {other:?}"),
    }
}

// ---------------------------------------------------------------- portfolio

#[derive(Serialize)]
struct BalanceView {
    account: AccountId,
    available_micros: Micros,
    /// Held by resting buy orders.
    reserved_micros: Micros,
}

async fn balance_of(state: &AppState, account: AccountId) -> ApiResult<BalanceView> {
    let view = state.sequencer.query(move |venue| venue.engine().account(account)).await?;
    let (available_micros, reserved_micros) = view.map_or((0, 0), |v| (v.available_micros, v.reserved_micros));
    Ok(Json(BalanceView { account, available_micros, reserved_micros }))
}

async fn balance(State(state): Shared, call: ReadCall) -> ApiResult<BalanceView> {
    balance_of(&state, call.key.account).await
}

#[derive(Serialize)]
struct PositionRow {
    market: MarketId,
    outcome: OutcomeIndex,
    yes: Quantity,
    no: Quantity,
    /// Held by resting sell orders.
    yes_reserved: Quantity,
    no_reserved: Quantity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionQuery {
    market: Option<MarketId>,
}

async fn positions(State(state): Shared, RawQuery(query): RawQuery, call: ReadCall) -> ApiResult<Vec<PositionRow>> {
    let query: PositionQuery = parse_query(query.as_deref())?;
    let markets = match query.market {
        Some(market) => vec![market],
        None => state.history().markets(),
    };
    let account = call.key.account;
    let rows = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            let mut rows = Vec::new();
            for market in markets {
                let Some(spec) = engine.market_spec(market) else { continue };
                for outcome in 0..spec.kind.outcome_count() {
                    let p = engine.position(account, market, outcome);
                    if p.yes + p.no > 0 {
                        rows.push(PositionRow {
                            market,
                            outcome,
                            yes: p.yes,
                            no: p.no,
                            yes_reserved: p.yes_reserved,
                            no_reserved: p.no_reserved,
                        });
                    }
                }
            }
            rows
        })
        .await?;
    Ok(Json(rows))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum OrderKind {
    Limit,
    Market,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum Tif {
    Gtc,
    Gtd,
    Ioc,
    Fok,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct PlaceOrder {
    market: MarketId,
    #[serde(default)]
    outcome: OutcomeIndex,
    side: Side,
    action: Action,
    #[serde(rename = "type", default = "default_kind")]
    kind: OrderKind,
    /// Required for limit orders, in the order's own side.
    price_micros: Option<Micros>,
    quantity: Quantity,
    #[serde(default = "default_tif")]
    time_in_force: Tif,
    /// Required for GTD.
    expires_at_ms: Option<u64>,
    #[serde(default)]
    post_only: bool,
    #[serde(default)]
    self_trade: SelfTradePrevention,
    /// Market buys only: the most to spend, fees included.
    cost_cap_micros: Option<Micros>,
    client_order_id: Option<String>,
}

fn default_kind() -> OrderKind {
    OrderKind::Limit
}

fn default_tif() -> Tif {
    Tif::Gtc
}

impl PlaceOrder {
    fn to_new_order(&self, account: AccountId) -> Result<NewOrder, ApiError> {
        let invalid = |message: &str| ApiError::bad_request("invalid_order", message.to_string());
        let order_type = match (self.kind, self.price_micros, self.cost_cap_micros) {
            (OrderKind::Limit, Some(price_micros), None) => OrderType::Limit { price_micros },
            (OrderKind::Limit, None, _) => return Err(invalid("a limit order needs price_micros")),
            (OrderKind::Limit, Some(_), Some(_)) => return Err(invalid("cost_cap_micros is for market orders")),
            (OrderKind::Market, None, cost_cap_micros) => OrderType::Market { cost_cap_micros },
            (OrderKind::Market, Some(_), _) => return Err(invalid("a market order takes no price_micros")),
        };
        let time_in_force = match (self.time_in_force, self.expires_at_ms) {
            (Tif::Gtd, Some(expires_at_ms)) => TimeInForce::Gtd { expires_at_ms },
            (Tif::Gtd, None) => return Err(invalid("a GTD order needs expires_at_ms")),
            (_, Some(_)) => return Err(invalid("expires_at_ms is for GTD orders")),
            (Tif::Gtc, None) => TimeInForce::Gtc,
            (Tif::Ioc, None) => TimeInForce::Ioc,
            (Tif::Fok, None) => TimeInForce::Fok,
        };
        Ok(NewOrder {
            order: 0,
            account,
            market: self.market,
            outcome: self.outcome,
            side: self.side,
            action: self.action,
            order_type,
            quantity: self.quantity,
            time_in_force,
            post_only: self.post_only,
            self_trade: self.self_trade,
        })
    }
}

#[derive(Serialize)]
struct PlacedOrder {
    order: OrderRecord,
    /// The fills this placement made at once.
    fills: Vec<crate::history::FillRecord>,
    /// True when this answers a retry: the order was placed by an earlier request with the same
    /// client_order_id, and nothing new happened.
    replay: bool,
}

/// Removes an in-flight mark when the placement is answered (or abandoned).
struct InFlight<'a> {
    state: &'a AppState,
    key: (AccountId, String),
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.state.end_placement(&self.key);
    }
}

async fn place_order(State(state): Shared, call: TradeCall) -> Result<(StatusCode, Json<PlacedOrder>), ApiError> {
    let started = Instant::now();
    let request: PlaceOrder = call.json()?;
    let account = call.key.account;
    let order = request.to_new_order(account)?;
    let (command, _guard) = match &request.client_order_id {
        Some(client_order_id) => {
            augury_sequencer::registry::check_client_order_id(client_order_id)
                .map_err(|reason| ApiError::bad_request("invalid_client_order_id", reason))?;
            let key = (account, client_order_id.clone());
            if !state.begin_placement(key.clone()) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "order_in_flight",
                    "an order with this client_order_id is being placed; retry after it is answered",
                )
                .with_retry_after(1));
            }
            let guard = InFlight { state: &state, key };
            (VenueCommand::PlaceClientOrder { order, client_order_id: client_order_id.clone() }, Some(guard))
        }
        None => (VenueCommand::Engine(Command::PlaceOrder { order }), None),
    };
    let outcome = match state.sequencer.execute_async(command.clone()).await? {
        Ok(outcome) => outcome,
        Err(reject) => {
            state.metrics.orders_refused.inc();
            return Err(reject.into());
        }
    };
    let (events, replay) = match outcome {
        VenueOutcome::Order { events, replay, .. } => (events, replay),
        VenueOutcome::Applied { events } => (events, false),
        other => unreachable!("an order gives an order outcome, not {other:?}"),
    };
    if replay {
        state.metrics.orders_replayed.inc();
    } else {
        state.metrics.orders_placed.inc();
    }
    state.metrics.order_latency.observe_us(started.elapsed().as_micros() as u64);
    let placed = summarize(&state, &command, &events, replay, account)?;
    Ok((if replay { StatusCode::OK } else { StatusCode::CREATED }, Json(placed)))
}

/// The order as its placement left it, and the fills it made, from that entry's events.
fn summarize(
    state: &AppState,
    command: &VenueCommand,
    events: &[augury_core::Event],
    replay: bool,
    account: AccountId,
) -> Result<PlacedOrder, ApiError> {
    let mut alone = crate::history::History::default();
    alone.apply(command, events);
    let order_id = events.iter().find_map(|e| match e {
        augury_core::Event::OrderAccepted { order, .. } => Some(*order),
        _ => None,
    });
    let order_id = order_id
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "no order was accepted"))?;
    let mut order = alone.order(order_id).cloned().ok_or_else(|| internal("the accepted order is not in its entry"))?;
    if let Some(recorded) = state.history().order(order_id) {
        order.created_ms = recorded.created_ms;
        order.updated_ms = order.created_ms;
    }
    let fills = alone.fills(account, None, usize::MAX).into_iter().rev().collect();
    Ok(PlacedOrder { order, fills, replay })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderQuery {
    status: Option<String>,
    market: Option<MarketId>,
    cursor: Option<u64>,
    limit: Option<usize>,
}

async fn list_orders(State(state): Shared, RawQuery(query): RawQuery, call: ReadCall) -> ApiResult<Paged<OrderRecord>> {
    let query: OrderQuery = parse_query(query.as_deref())?;
    let limit = page_limit(query.limit)?;
    let status = match query.status.as_deref() {
        None => None,
        Some("open") => Some(OrderStatus::Open),
        Some("filled") => Some(OrderStatus::Filled),
        Some("cancelled") => Some(OrderStatus::Cancelled),
        Some("expired") => Some(OrderStatus::Expired),
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("unknown status {other:?} (open, filled, cancelled, expired)"),
            ))
        }
    };
    let orders = state.history().orders(call.key.account, query.cursor, limit, |o| {
        status.is_none_or(|s| o.status == s) && query.market.is_none_or(|m| o.market == m)
    });
    Ok(Json(paged(orders, limit, |o| o.order_id)))
}

fn own_order(state: &AppState, account: AccountId, order: OrderId) -> Result<OrderRecord, ApiError> {
    state
        .history()
        .order(order)
        .filter(|o| o.account == account)
        .cloned()
        .ok_or_else(|| ApiError::not_found("unknown_order", format!("no order {order} for this account")))
}

async fn get_order(State(state): Shared, Path(order): Path<String>, call: ReadCall) -> ApiResult<OrderRecord> {
    let order: OrderId = parse_id(&order, "order id")?;
    own_order(&state, call.key.account, order).map(Json)
}

async fn get_order_by_client_id(
    State(state): Shared,
    Path(client_order_id): Path<String>,
    call: ReadCall,
) -> ApiResult<OrderRecord> {
    state.history().order_by_client_id(call.key.account, &client_order_id).cloned().map(Json).ok_or_else(|| {
        ApiError::not_found("unknown_order", format!("no order with client_order_id {client_order_id:?}"))
    })
}

async fn cancel_order(State(state): Shared, Path(order): Path<String>, call: TradeCall) -> ApiResult<OrderRecord> {
    let order: OrderId = parse_id(&order, "order id")?;
    let account = call.key.account;
    engine_command(&state, Command::CancelOrder { account, order }).await?;
    own_order(&state, account, order).map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmendOrder {
    price_micros: Option<Micros>,
    remaining_quantity: Option<Quantity>,
}

async fn amend_order(State(state): Shared, Path(order): Path<String>, call: TradeCall) -> ApiResult<OrderRecord> {
    let order: OrderId = parse_id(&order, "order id")?;
    let request: AmendOrder = call.json()?;
    if request.price_micros.is_none() && request.remaining_quantity.is_none() {
        return Err(ApiError::bad_request(
            "invalid_order",
            "an amendment changes price_micros, remaining_quantity or both",
        ));
    }
    let account = call.key.account;
    engine_command(
        &state,
        Command::AmendOrder {
            account,
            order,
            price_micros: request.price_micros,
            remaining_quantity: request.remaining_quantity,
        },
    )
    .await?;
    own_order(&state, account, order).map(Json)
}

async fn list_fills(
    State(state): Shared,
    RawQuery(query): RawQuery,
    call: ReadCall,
) -> ApiResult<Paged<crate::history::FillRecord>> {
    let page: Page = parse_query(query.as_deref())?;
    let limit = page_limit(page.limit)?;
    let fills = state.history().fills(call.key.account, page.cursor.map(|c| c as TradeId), limit);
    Ok(Json(paged(fills, limit, |f| f.trade_id)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sets {
    market: MarketId,
    /// A categorical outcome's YES/NO pair; absent for the market's full set.
    outcome: Option<OutcomeIndex>,
    quantity: Quantity,
}

async fn split(State(state): Shared, call: TradeCall) -> ApiResult<serde_json::Value> {
    let Sets { market, outcome, quantity } = call.json()?;
    engine_command(&state, Command::Split { account: call.key.account, market, outcome, quantity }).await?;
    Ok(Json(serde_json::json!({ "market": market, "outcome": outcome, "quantity": quantity })))
}

async fn merge(State(state): Shared, call: TradeCall) -> ApiResult<serde_json::Value> {
    let Sets { market, outcome, quantity } = call.json()?;
    engine_command(&state, Command::Merge { account: call.key.account, market, outcome, quantity }).await?;
    Ok(Json(serde_json::json!({ "market": market, "outcome": outcome, "quantity": quantity })))
}

// ---------------------------------------------------------------- keys

#[derive(Serialize)]
struct KeyView {
    key_id: String,
    account: AccountId,
    label: String,
    scopes: Vec<&'static str>,
    ed25519_public_key: Option<String>,
    created_ms: u64,
    expires_ms: Option<u64>,
    revoked_ms: Option<u64>,
    ip_allowlist: Vec<String>,
}

impl From<&ApiKey> for KeyView {
    fn from(key: &ApiKey) -> KeyView {
        KeyView {
            key_id: token::format_key_id(key.id),
            account: key.account,
            label: key.label.clone(),
            scopes: key.scopes.names(),
            ed25519_public_key: key.ed25519_public_key.map(|k| token::hex(&k)),
            created_ms: key.created_ms,
            expires_ms: key.expires_ms,
            revoked_ms: key.revoked_ms,
            ip_allowlist: key.ip_allowlist.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    #[serde(default)]
    label: String,
    /// Defaults to ["read"].
    scopes: Option<Vec<String>>,
    /// 64 hex characters; required for any scope beyond read, since only signed requests trade.
    ed25519_public_key: Option<String>,
    expires_ms: Option<u64>,
    #[serde(default)]
    ip_allowlist: Vec<String>,
    /// Admins only: the account the key acts for, or "new" semantics when absent for admins
    /// (a new account); other callers always get a key for their own account.
    account: Option<AccountId>,
    #[serde(default)]
    new_account: bool,
}

#[derive(Serialize)]
struct CreatedKey {
    key: KeyView,
    /// Shown once; the venue keeps only its hash.
    token: String,
}

/// Creates a key. A key may create keys for its own account with at most its own scopes; an admin
/// key may create keys for any account, or for a new one.
async fn create_key(State(state): Shared, call: TradeCall) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let request: CreateKey = call.json()?;
    let names = request.scopes.clone().unwrap_or_else(|| vec!["read".into()]);
    let scopes = Scopes::parse(&names.join(",")).map_err(|reason| ApiError::bad_request("invalid_scopes", reason))?;
    let is_admin = call.key.scopes.contains(Scopes::ADMIN);
    if !is_admin && (!call.key.scopes.contains(scopes) || request.account.is_some() || request.new_account) {
        return Err(ApiError::forbidden(
            "missing_scope",
            "only an admin key may create keys for other accounts or with scopes beyond its own",
        ));
    }
    let ed25519_public_key = match &request.ed25519_public_key {
        Some(text) => Some(
            token::unhex(text)
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .filter(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_ok())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_public_key",
                        "ed25519_public_key is 64 hex characters of a valid Ed25519 key",
                    )
                })?,
        ),
        None => None,
    };
    if ed25519_public_key.is_none() && scopes != Scopes::READ {
        return Err(ApiError::bad_request(
            "invalid_public_key",
            "a key with scopes beyond read needs ed25519_public_key: only signed requests can trade",
        ));
    }
    for entry in &request.ip_allowlist {
        crate::auth::check_allowlist_entry(entry)
            .map_err(|reason| ApiError::bad_request("invalid_ip_allowlist", reason))?;
    }
    let now = now_ms();
    if request.expires_ms.is_some_and(|at| at <= now) {
        return Err(ApiError::bad_request("invalid_expiry", "expires_ms is in the past"));
    }
    let account = match (is_admin, request.account, request.new_account) {
        (_, Some(_), true) => {
            return Err(ApiError::bad_request("invalid_account", "give account or new_account, not both"))
        }
        (true, None, true) => None,
        (true, Some(account), false) => Some(account),
        _ => Some(call.key.account),
    };
    let (id, token, secret_sha256) = token::generate().map_err(|e| {
        tracing::error!(error = %e, "the operating system's random source failed");
        internal("no random source for a new key")
    })?;
    let new_key = NewApiKey {
        id,
        account,
        label: request.label.clone(),
        scopes,
        secret_sha256,
        ed25519_public_key,
        created_ms: now,
        expires_ms: request.expires_ms,
        ip_allowlist: request.ip_allowlist.clone(),
    };
    state.sequencer.execute_async(VenueCommand::CreateKey { key: new_key }).await??;
    let key = state.auth.key(id).ok_or_else(|| internal("the created key is not in the key table"))?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key: KeyView::from(&key), token })))
}

async fn list_keys(State(state): Shared, call: ReadCall) -> ApiResult<Vec<KeyView>> {
    let account = call.key.account;
    let all = call.key.scopes.contains(Scopes::ADMIN);
    let keys = state
        .sequencer
        .query(move |venue| {
            venue.state().registry().keys((!all).then_some(account)).map(KeyView::from).collect::<Vec<_>>()
        })
        .await?;
    Ok(Json(keys))
}

/// Revokes a key at once: its next request is refused. A key may revoke itself or another key of
/// its account; an admin key may revoke any key.
async fn revoke_key(State(state): Shared, Path(key): Path<String>, call: TradeCall) -> ApiResult<KeyView> {
    let id =
        token::parse_key_id(&key).ok_or_else(|| ApiError::bad_request("invalid_path", "a key id is 16 hex digits"))?;
    let target = state.auth.key(id).ok_or_else(|| ApiError::not_found("unknown_key", "no such key"))?;
    if target.account != call.key.account && !call.key.scopes.contains(Scopes::ADMIN) {
        return Err(ApiError::not_found("unknown_key", "no such key"));
    }
    state.sequencer.execute_async(VenueCommand::RevokeKey { key: id, at_ms: now_ms() }).await??;
    let key = state.auth.key(id).ok_or_else(|| internal("the revoked key is not in the key table"))?;
    Ok(Json(KeyView::from(&key)))
}
