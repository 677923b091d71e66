//! The REST API (v1). Every route authenticates through [`Call`](crate::extract::Call) (or is
//! public), parses strictly, refuses with [`ApiError`], and answers changes only once they are
//! durable. Prices are micro-dollars in the order's own side, quantities whole contracts.
//!
//! Each module owns a group of routes and their OpenAPI description (`#[utoipa::path]` on the
//! handler itself, so the document cannot drift from the code): [`markets`] (with [`discovery`]:
//! filters, sort orders and cursors), [`catalog`] (events, series, categories), [`lifecycle`] (how
//! markets end), [`orders`], [`portfolio`], [`accounts`], [`keys`], [`ops`] (health, metrics),
//! [`intel`] (grades, signals, indicators, threshold probabilities per asset), [`treasury`] (the
//! venue's money as a whole, admin).
//! [`openapi`] assembles the document served at `/openapi.json`.

mod accounts;
pub(crate) mod audit;
mod catalog;
mod demo;
mod discovery;
pub mod enrollments;
mod intel;
mod keys;
mod lifecycle;
mod markets;
pub mod openapi;
mod ops;
pub(crate) mod orders;
mod portfolio;
mod treasury;

use crate::error::ApiError;
use crate::extract::peer_ip;
use crate::AppState;
use augury_core::Command;
use augury_sequencer::{VenueCommand, VenueOutcome};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

type ApiResult<T> = Result<Json<T>, ApiError>;
type Shared = State<Arc<AppState>>;
type Routes = OpenApiRouter<Arc<AppState>>;

/// Every route of the API, with the OpenAPI document that describes them.
fn routes() -> Routes {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(markets::routes())
        .merge(catalog::routes())
        .merge(demo::routes())
        .merge(audit::routes())
        .merge(enrollments::routes())
        .merge(lifecycle::routes())
        .merge(orders::routes())
        .merge(portfolio::routes())
        .merge(accounts::routes())
        .merge(keys::routes())
        .merge(ops::routes())
        .merge(intel::routes())
        .merge(treasury::routes())
}

/// The routes, and the finished OpenAPI 3.1 document.
fn parts() -> (Router<Arc<AppState>>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = routes().split_for_parts();
    openapi::finish(&mut document);
    (routes, document)
}

/// The OpenAPI 3.1 document of this API (as served at `/openapi.json`).
pub fn document() -> utoipa::openapi::OpenApi {
    parts().1
}

pub fn router(state: Arc<AppState>) -> Router {
    let (routes, document) = parts();
    let document: Arc<str> = document.to_pretty_json().expect("the OpenAPI document serializes").into();
    routes
        .route(
            "/openapi.json",
            get(move || {
                let document = Arc::clone(&document);
                async move { ([("content-type", "application/json")], document.to_string()) }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), edge))
        .with_state(state)
}

/// Per-IP rate limit, request metrics and a log line per request (never with credentials).
pub(crate) async fn edge(State(state): Shared, request: Request, next: Next) -> Response {
    let started = Instant::now();
    state.metrics.requests.inc();
    let ip = peer_ip(&request);
    if let Err(error) = crate::extract::check_ip_rate(&state, ip, started) {
        return error.into_response();
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

/// A broken promise inside the venue: logged, and answered as a 500 without detail.
pub(crate) fn internal(what: &str) -> ApiError {
    tracing::error!(what, "internal error");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "an internal error occurred; it has been logged")
}

fn parse_id<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T, ApiError> {
    text.parse().map_err(|_| {
        // Echo enough to recognise, not a whole oversized path.
        let shown: String = text.chars().take(40).collect();
        let more = if shown.len() < text.len() { "..." } else { "" };
        ApiError::bad_request("invalid_path", format!("{shown:?}{more} is not a valid {what}"))
    })
}

/// Cursor pagination: results come newest first; pass `next_cursor` back as `cursor`.
#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct Page {
    /// The `next_cursor` of the previous page.
    cursor: Option<u64>,
    /// At most this many items (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

const DEFAULT_LIMIT: usize = 100;
const LIMIT_MAX: usize = 1_000;

fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    in_range("limit", limit.unwrap_or(DEFAULT_LIMIT), 1, LIMIT_MAX)
}

/// A query parameter's value if it lies in `min..=max`, else 400 `invalid_query` naming the
/// parameter and its range: a value out of range is refused, never clamped, so a client never
/// gets silently less (or other) than it asked for.
fn in_range<T: PartialOrd + std::fmt::Display>(name: &str, value: T, min: T, max: T) -> Result<T, ApiError> {
    if min <= value && value <= max {
        Ok(value)
    } else {
        Err(ApiError::bad_request("invalid_query", format!("{name} must be {min} to {max}, not {value}")))
    }
}

/// One page of a list, newest first.
#[derive(Serialize, ToSchema)]
struct Paged<T> {
    items: Vec<T>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<u64>,
}

fn paged<T, Id: Into<u64>>(items: Vec<T>, limit: usize, id: impl Fn(&T) -> Id) -> Paged<T> {
    let next_cursor = if items.len() == limit { items.last().map(|item| id(item).into()) } else { None };
    Paged { items, next_cursor }
}

/// For an edit's nullable fields: present (even as `null`, which clears the field) is `Some`,
/// absent (left as it is) is `None` through `#[serde(default)]`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Runs an engine command and turns a refusal into an error.
pub(crate) async fn engine_command(state: &AppState, command: Command) -> Result<Vec<augury_core::Event>, ApiError> {
    match state.sequencer.execute_async(VenueCommand::Engine(command)).await?? {
        VenueOutcome::Applied { events } => Ok(events),
        other => Err(internal(&format!("an engine command gave {other:?} instead of its events"))),
    }
}
