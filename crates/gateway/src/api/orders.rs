//! Orders: place (idempotent by client_order_id), list, get, get by client_order_id, cancel and
//! amend. Placement answers only once the order's journal entry is durable.

use super::{engine_command, internal, page_limit, paged, parse_id, ApiResult, Paged, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, NoQuery, ReadCall, TradeCall};
use crate::history::{FillRecord, OrderRecord, OrderStatus};
use crate::AppState;
use augury_core::{
    AccountId, Action, Command, MarketId, Micros, NewOrder, OrderId, OrderType, OutcomeIndex, Quantity,
    SelfTradePrevention, Side, TimeInForce,
};
use augury_sequencer::{VenueCommand, VenueOutcome, VenueReject};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(list_orders, place_order))
        .routes(routes!(get_order, cancel_order, amend_order))
        .routes(routes!(get_order_by_client_id))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, ToSchema)]
#[serde(rename_all = "snake_case")]
enum OrderKind {
    Limit,
    Market,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Tif {
    Gtc,
    Gtd,
    Ioc,
    Fok,
}

#[derive(Deserialize, Debug, ToSchema)]
#[serde(deny_unknown_fields)]
struct PlaceOrder {
    market: MarketId,
    #[serde(default)]
    outcome: OutcomeIndex,
    side: Side,
    action: Action,
    /// limit (default) or market.
    #[serde(rename = "type", default = "default_kind")]
    kind: OrderKind,
    /// Required for limit orders, in the order's own side.
    price_micros: Option<Micros>,
    #[schema(minimum = 1)]
    quantity: Quantity,
    /// gtc, gtd, ioc or fok; by default gtc for limit orders and ioc for market orders.
    time_in_force: Option<Tif>,
    /// Required for GTD.
    expires_at_ms: Option<u64>,
    #[serde(default)]
    post_only: bool,
    #[serde(default)]
    self_trade: SelfTradePrevention,
    /// Market buys only: the most to spend, fees included.
    cost_cap_micros: Option<Micros>,
    /// Makes placement idempotent: 1 to 64 characters of [A-Za-z0-9._:-], unique per account.
    client_order_id: Option<String>,
}

fn default_kind() -> OrderKind {
    OrderKind::Limit
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
        let default_tif = match self.kind {
            OrderKind::Limit => Tif::Gtc,
            OrderKind::Market => Tif::Ioc,
        };
        let time_in_force = match (self.time_in_force.unwrap_or(default_tif), self.expires_at_ms) {
            (Tif::Gtd, Some(expires_at_ms)) => TimeInForce::Gtd { expires_at_ms },
            (Tif::Gtd, None) => return Err(invalid("a GTD order needs expires_at_ms")),
            (_, Some(_)) => return Err(invalid("expires_at_ms is for GTD orders")),
            (Tif::Gtc, None) => TimeInForce::Gtc,
            (Tif::Ioc, None) => TimeInForce::Ioc,
            (Tif::Fok, None) => TimeInForce::Fok,
        };
        Ok(NewOrder {
            order: OrderId(0),
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

#[derive(Serialize, ToSchema)]
pub(crate) struct PlacedOrder {
    /// The order as its placement left it (on a replay too: the original answer, whatever has
    /// happened to the order since).
    pub(crate) order: OrderRecord,
    /// The fills this placement made at once.
    pub(crate) fills: Vec<FillRecord>,
    /// True when this answers a retry: the order was placed by an earlier request with the same
    /// client_order_id, and nothing new happened.
    pub(crate) replay: bool,
    /// The order's status now, when this answer was made: on a replay it may have filled, been
    /// cancelled or expired since its placement (`GET /v1/portfolio/orders/{order_id}` has the
    /// rest of it).
    pub(crate) current_status: OrderStatus,
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

/// Places an order. With a client_order_id, a retry returns the original result (200, `replay`:
/// true: `order` as the placement left it, `current_status` as it is now); the same id with a
/// different order is refused (422, the body fields that differ in `details.differing_fields`);
/// a retry while the first is still being placed gets 409.
#[utoipa::path(post, path = "/v1/portfolio/orders", tag = "orders", request_body = PlaceOrder,
    security(("signed" = [])),
    responses((status = 201, body = PlacedOrder), (status = 200, description = "A replay", body = PlacedOrder),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn place_order(State(state): Shared, call: TradeCall) -> Result<(StatusCode, Json<PlacedOrder>), ApiError> {
    let request: PlaceOrder = call.json()?;
    let order = request.to_new_order(call.key.account)?;
    let placed = place(&state, order, request.client_order_id.as_deref()).await?;
    Ok((if placed.replay { StatusCode::OK } else { StatusCode::CREATED }, Json(placed)))
}

/// Places an order through the sequencer, idempotently when it has a client order id: the one
/// path every API surface (native and Kalshi-compatible) places orders by.
pub(crate) async fn place(
    state: &AppState,
    order: NewOrder,
    client_order_id: Option<&str>,
) -> Result<PlacedOrder, ApiError> {
    let started = Instant::now();
    let account = order.account;
    let (command, _guard) = match client_order_id {
        Some(client_order_id) => {
            augury_sequencer::registry::check_client_order_id(client_order_id)
                .map_err(|reason| ApiError::bad_request("invalid_client_order_id", reason))?;
            let key = (account, client_order_id.to_string());
            if !state.begin_placement(key.clone()) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "order_in_flight",
                    "an order with this client_order_id is being placed; retry after it is answered",
                )
                .with_retry_after(1));
            }
            let guard = InFlight { state, key };
            (VenueCommand::PlaceClientOrder { order, client_order_id: client_order_id.to_string() }, Some(guard))
        }
        None => (VenueCommand::Engine(Command::PlaceOrder { order }), None),
    };
    let outcome = match state.sequencer.execute_async(command.clone()).await? {
        Ok(outcome) => outcome,
        Err(reject) => {
            state.metrics.orders_refused.inc();
            return Err(match reject {
                VenueReject::ClientOrderConflict { .. } => conflict(state, &command, reject).await,
                reject => reject.into(),
            });
        }
    };
    let (events, replay) = match outcome {
        VenueOutcome::Order { events, replay, .. } => (events, replay),
        VenueOutcome::Applied { events } => (events, false),
        other => return Err(internal(&format!("an order gave {other:?}"))),
    };
    if replay {
        state.metrics.orders_replayed.inc();
    } else {
        state.metrics.orders_placed.inc();
    }
    state.metrics.order_latency.observe_us(started.elapsed().as_micros() as u64);
    summarize(state, &command, &events, replay, account)
}

/// The 422 for a client order id already used by a different order, naming the fields of the
/// request body that differ. The sequencer's list compares engine fields (`order_type` covers
/// the kind, the price and the cost cap; `time_in_force` the expiry too), so the first order is
/// read back and compared field by field as the body spells them. It never changes once
/// recorded, so reading it after the refusal is reading what was compared.
async fn conflict(state: &AppState, command: &VenueCommand, reject: VenueReject) -> ApiError {
    let VenueCommand::PlaceClientOrder { order, client_order_id } = command else { return reject.into() };
    let (retry, account, id) = (*order, order.account, client_order_id.clone());
    let first = state
        .sequencer
        .query(move |venue| venue.state().registry().client_order(account, &id).map(|first| first.order))
        .await;
    let mut error = ApiError::from(reject);
    if let Ok(Some(first)) = first {
        error.details = Some(serde_json::json!({ "differing_fields": differing_fields(&first, &retry) }));
    }
    error
}

/// The fields of a placement's body (in the body's order and spelling) in which two orders
/// differ; ids aside.
fn differing_fields(first: &NewOrder, retry: &NewOrder) -> Vec<&'static str> {
    let kind = |o: &NewOrder| matches!(o.order_type, OrderType::Market { .. });
    let price = |o: &NewOrder| match o.order_type {
        OrderType::Limit { price_micros } => Some(price_micros),
        OrderType::Market { .. } => None,
    };
    let cost_cap = |o: &NewOrder| match o.order_type {
        OrderType::Market { cost_cap_micros } => cost_cap_micros,
        OrderType::Limit { .. } => None,
    };
    let tif = |o: &NewOrder| match o.time_in_force {
        TimeInForce::Gtc => Tif::Gtc,
        TimeInForce::Gtd { .. } => Tif::Gtd,
        TimeInForce::Ioc => Tif::Ioc,
        TimeInForce::Fok => Tif::Fok,
    };
    let expiry = |o: &NewOrder| match o.time_in_force {
        TimeInForce::Gtd { expires_at_ms } => Some(expires_at_ms),
        _ => None,
    };
    [
        ("market", first.market != retry.market),
        ("outcome", first.outcome != retry.outcome),
        ("side", first.side != retry.side),
        ("action", first.action != retry.action),
        ("type", kind(first) != kind(retry)),
        ("price_micros", price(first) != price(retry)),
        ("quantity", first.quantity != retry.quantity),
        ("time_in_force", tif(first) != tif(retry)),
        ("expires_at_ms", expiry(first) != expiry(retry)),
        ("post_only", first.post_only != retry.post_only),
        ("self_trade", first.self_trade != retry.self_trade),
        ("cost_cap_micros", cost_cap(first) != cost_cap(retry)),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
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
    let order_id = order_id.ok_or_else(|| internal("no order was accepted"))?;
    let mut order = alone.order(order_id).cloned().ok_or_else(|| internal("the accepted order is not in its entry"))?;
    // The history has followed the entry before its caller is answered, so it knows the order.
    let recorded = state.history().order(order_id).map(|recorded| (recorded.created_ms, recorded.status));
    let (created_ms, current_status) = recorded.ok_or_else(|| internal("a placed order is not in the history"))?;
    order.created_ms = created_ms;
    order.updated_ms = created_ms;
    let fills = alone.fills(account, None, usize::MAX).into_iter().rev().collect();
    Ok(PlacedOrder { order, fills, replay, current_status })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OrderQuery {
    /// Only orders in this state.
    status: Option<OrderStatus>,
    /// Only orders in this market.
    market: Option<MarketId>,
    /// The `next_cursor` of the previous page.
    cursor: Option<OrderId>,
    /// At most this many orders (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/v1/portfolio/orders", tag = "orders", params(OrderQuery),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = Paged<OrderRecord>)))]
async fn list_orders(State(state): Shared, RawQuery(query): RawQuery, call: ReadCall) -> ApiResult<Paged<OrderRecord>> {
    let query: OrderQuery = parse_query(query.as_deref())?;
    let limit = page_limit(query.limit)?;
    let status = query.status;
    let orders = state.history().orders(call.key.account, query.cursor, limit, |o| {
        status.is_none_or(|s| o.status == s) && query.market.is_none_or(|m| o.market == m)
    });
    Ok(Json(paged(orders, limit, |o| o.order_id)))
}

pub(crate) fn own_order(state: &AppState, account: AccountId, order: OrderId) -> Result<OrderRecord, ApiError> {
    state
        .history()
        .order(order)
        .filter(|o| o.account == account)
        .cloned()
        .ok_or_else(|| ApiError::not_found("unknown_order", format!("no order {order} for this account")))
}

/// One of the caller's orders.
#[utoipa::path(get, path = "/v1/portfolio/orders/{order}", tag = "orders",
    params(("order" = u64, Path, description = "Order id")),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = OrderRecord), (status = 404, body = ErrorBody)))]
async fn get_order(
    _: NoQuery,
    State(state): Shared,
    Path(order): Path<String>,
    call: ReadCall,
) -> ApiResult<OrderRecord> {
    let order: OrderId = parse_id(&order, "order id")?;
    own_order(&state, call.key.account, order).map(Json)
}

/// One of the caller's orders, by its client_order_id.
#[utoipa::path(get, path = "/v1/portfolio/orders/by-client-id/{client_order_id}", tag = "orders",
    params(("client_order_id" = String, Path)),
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = OrderRecord), (status = 404, body = ErrorBody)))]
async fn get_order_by_client_id(
    _: NoQuery,
    State(state): Shared,
    Path(client_order_id): Path<String>,
    call: ReadCall,
) -> ApiResult<OrderRecord> {
    state.history().order_by_client_id(call.key.account, &client_order_id).cloned().map(Json).ok_or_else(|| {
        ApiError::not_found("unknown_order", format!("no order with client_order_id {client_order_id:?}"))
    })
}

/// Cancels the rest of an order; answers the order as the cancel left it.
#[utoipa::path(delete, path = "/v1/portfolio/orders/{order}", tag = "orders",
    params(("order" = u64, Path, description = "Order id")),
    security(("signed" = [])),
    responses((status = 200, body = OrderRecord)))]
async fn cancel_order(State(state): Shared, Path(order): Path<String>, call: TradeCall) -> ApiResult<OrderRecord> {
    let order: OrderId = parse_id(&order, "order id")?;
    let account = call.key.account;
    engine_command(&state, Command::CancelOrder { account, order }).await?;
    own_order(&state, account, order).map(Json)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AmendOrder {
    price_micros: Option<Micros>,
    remaining_quantity: Option<Quantity>,
}

/// Changes a resting order's price or remaining quantity. A smaller quantity at the same price
/// keeps the order's place in the queue; anything else moves it to the back.
#[utoipa::path(patch, path = "/v1/portfolio/orders/{order}", tag = "orders", request_body = AmendOrder,
    params(("order" = u64, Path, description = "Order id")),
    security(("signed" = [])),
    responses((status = 200, body = OrderRecord)))]
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
