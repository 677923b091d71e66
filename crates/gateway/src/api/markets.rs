//! Markets: the public list, one market, its order book, trades and candles; creating and closing
//! markets (admin).

use super::{engine_command, internal, paged, parse_id, ApiResult, Page, Paged, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, AdminCall, NoQuery};
use crate::history::{Candle, TradeRecord, BASE_INTERVAL_MS};
use augury_core::{
    BookSide, Command, FeeSchedule, MarketId, MarketKind, MarketSpec, MarketStatus, Micros, OutcomeIndex, Quantity,
    Resolution,
};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(list_markets, create_market))
        .routes(routes!(get_market))
        .routes(routes!(close_market))
        .routes(routes!(get_book))
        .routes(routes!(list_trades))
        .routes(routes!(list_candles))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MarketView {
    pub market: MarketId,
    pub kind: MarketKind,
    /// Order books: 1 for binary and scalar markets, one per outcome for categorical ones.
    pub outcomes: OutcomeIndex,
    pub tick_micros: Micros,
    pub fees: FeeSchedule,
    pub status: MarketStatus,
    /// When trading stops by itself (ms since the epoch); absent when it has no close time.
    pub close_time_ms: Option<u64>,
    /// How the market resolved, once it is settled.
    pub resolution: Option<Resolution>,
    /// Collateral backing the market's outstanding contracts.
    pub backing_micros: Micros,
    /// The best prices of each outcome's book.
    pub best: Vec<Quote>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Quote {
    pub outcome: OutcomeIndex,
    /// Best bid, in YES prices.
    pub yes_bid_micros: Option<Micros>,
    /// Best ask, in YES prices.
    pub yes_ask_micros: Option<Micros>,
}

pub(super) fn market_view(engine: &augury_engine::Engine, market: MarketId) -> Option<MarketView> {
    let spec = engine.market_spec(market)?;
    let outcomes = spec.kind.outcome_count();
    Some(MarketView {
        market,
        kind: spec.kind,
        outcomes,
        tick_micros: spec.tick_micros,
        fees: spec.fees,
        status: engine.market_status(market)?,
        close_time_ms: (spec.close_time_ms != 0).then_some(spec.close_time_ms),
        resolution: engine.market_resolution(market),
        backing_micros: engine.market_backing_micros(market).unwrap_or(0),
        best: (0..outcomes)
            .map(|outcome| {
                let (yes_bid_micros, yes_ask_micros) = engine.best_prices(market, outcome);
                Quote { outcome, yes_bid_micros, yes_ask_micros }
            })
            .collect(),
    })
}

pub(super) fn unknown_market(market: MarketId) -> ApiError {
    ApiError::not_found("unknown_market", format!("unknown market {market}"))
}

/// `outcome` if the market has it, else 400 `unknown_outcome` naming the outcomes it has.
fn check_outcome(market: MarketId, spec: &MarketSpec, outcome: OutcomeIndex) -> Result<OutcomeIndex, ApiError> {
    let count = spec.kind.outcome_count();
    if outcome < count {
        return Ok(outcome);
    }
    Err(ApiError::bad_request(
        "unknown_outcome",
        format!("market {market} has no outcome {outcome} (outcome must be 0 to {})", count - 1),
    ))
}

/// Every market, in the order they were created.
#[utoipa::path(get, path = "/v1/markets", tag = "markets",
    responses((status = 200, body = Vec<MarketView>)))]
async fn list_markets(_: NoQuery, State(state): Shared) -> ApiResult<Vec<MarketView>> {
    let ids = state.history().markets();
    let views = state
        .sequencer
        .query(move |venue| ids.iter().filter_map(|m| market_view(venue.engine(), *m)).collect())
        .await?;
    Ok(Json(views))
}

/// One market.
#[utoipa::path(get, path = "/v1/markets/{market}", tag = "markets",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = MarketView), (status = 404, body = ErrorBody)))]
async fn get_market(_: NoQuery, State(state): Shared, Path(market): Path<String>) -> ApiResult<MarketView> {
    let market: MarketId = parse_id(&market, "market id")?;
    state
        .sequencer
        .query(move |venue| market_view(venue.engine(), market))
        .await?
        .map(Json)
        .ok_or_else(|| unknown_market(market))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateMarket {
    /// The new market's id (unused so far).
    market: MarketId,
    kind: MarketKind,
    /// The price grid: a divisor of a dollar, at least 100 micro-dollars.
    tick_micros: Micros,
    /// Maker and taker fee rules; absent for no fees.
    #[serde(default)]
    fees: Option<FeeSchedule>,
    /// Trading stops when the venue clock reaches this time (ms since the epoch); absent: no
    /// automatic close.
    close_time_ms: Option<u64>,
}

/// Creates a market (admin).
#[utoipa::path(post, path = "/v1/markets", tag = "markets", request_body = CreateMarket,
    security(("signed" = [])),
    responses((status = 201, body = MarketView)))]
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

/// Stops trading in a market now (admin): resting orders are cancelled and their reserves
/// released. The market then waits for its resolution.
#[utoipa::path(post, path = "/v1/markets/{market}/close", tag = "markets",
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = MarketView)))]
async fn close_market(State(state): Shared, Path(market): Path<String>, _call: AdminCall) -> ApiResult<MarketView> {
    let market: MarketId = parse_id(&market, "market id")?;
    engine_command(&state, Command::CloseMarket { market }).await?;
    let view = state.sequencer.query(move |venue| market_view(venue.engine(), market)).await?;
    view.map(Json).ok_or_else(|| internal("the market just closed is not there"))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct BookQuery {
    /// Which outcome's book: 0 to the market's `outcomes` - 1 (default 0).
    outcome: Option<OutcomeIndex>,
    /// Price levels per side (1 to 10,000; default 50).
    #[param(minimum = 1, maximum = 10000)]
    depth: Option<usize>,
}

const DEFAULT_DEPTH: usize = 50;
/// A dollar holds at most 10,000 ticks, so no side of a book has more levels.
const MAX_DEPTH: usize = 10_000;

#[derive(Serialize, ToSchema, Clone, PartialEq, Eq, Debug)]
pub(crate) struct Level {
    pub yes_price_micros: Micros,
    pub quantity: Quantity,
    pub orders: u32,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BookView {
    pub market: MarketId,
    pub outcome: OutcomeIndex,
    /// Bids (buy YES or sell NO), best first, in YES prices.
    pub bids: Vec<Level>,
    /// Asks (sell YES or buy NO), best first, in YES prices.
    pub asks: Vec<Level>,
    /// Journal entries applied when the book was read.
    pub journal_entries: u64,
}

/// One outcome's order book, aggregated by price level.
#[utoipa::path(get, path = "/v1/markets/{market}/book", tag = "markets",
    params(("market" = u32, Path, description = "Market id"), BookQuery),
    responses((status = 200, body = BookView), (status = 404, body = ErrorBody)))]
async fn get_book(State(state): Shared, Path(market): Path<String>, RawQuery(query): RawQuery) -> ApiResult<BookView> {
    let market: MarketId = parse_id(&market, "market id")?;
    let query: BookQuery = parse_query(query.as_deref())?;
    let outcome = query.outcome.unwrap_or(0);
    let depth = super::in_range("depth", query.depth.unwrap_or(DEFAULT_DEPTH), 1, MAX_DEPTH)?;
    let view = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            let spec = engine.market_spec(market)?;
            if let Err(error) = check_outcome(market, &spec, outcome) {
                return Some(Err(error));
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
    view.ok_or_else(|| unknown_market(market))?.map(Json)
}

/// The market's trades, newest first.
#[utoipa::path(get, path = "/v1/markets/{market}/trades", tag = "markets",
    params(("market" = u32, Path, description = "Market id"), Page),
    responses((status = 200, body = Paged<TradeRecord>)))]
async fn list_trades(
    State(state): Shared,
    Path(market): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Paged<TradeRecord>> {
    let market: MarketId = parse_id(&market, "market id")?;
    let page: Page = parse_query(query.as_deref())?;
    let limit = super::page_limit(page.limit)?;
    let trades = state.history().trades(market, page.cursor, limit);
    Ok(Json(paged(trades, limit, |t| t.trade_id)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CandleQuery {
    /// Which outcome: 0 to the market's `outcomes` - 1 (default 0).
    outcome: Option<OutcomeIndex>,
    /// 1m (default), 5m, 15m, 1h, 4h or 1d.
    interval: Option<CandleInterval>,
    /// From this time (ms since the epoch, inclusive).
    start_ms: Option<u64>,
    /// Up to this time (exclusive).
    end_ms: Option<u64>,
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
enum CandleInterval {
    #[serde(rename = "1m")]
    OneMinute,
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "15m")]
    FifteenMinutes,
    #[serde(rename = "1h")]
    OneHour,
    #[serde(rename = "4h")]
    FourHours,
    #[serde(rename = "1d")]
    OneDay,
}

impl CandleInterval {
    fn millis(self) -> u64 {
        BASE_INTERVAL_MS
            * match self {
                CandleInterval::OneMinute => 1,
                CandleInterval::FiveMinutes => 5,
                CandleInterval::FifteenMinutes => 15,
                CandleInterval::OneHour => 60,
                CandleInterval::FourHours => 240,
                CandleInterval::OneDay => 1_440,
            }
    }
}

/// Candles of one outcome's YES price, oldest first.
#[utoipa::path(get, path = "/v1/markets/{market}/candles", tag = "markets",
    params(("market" = u32, Path, description = "Market id"), CandleQuery),
    responses((status = 200, body = Vec<Candle>), (status = 404, body = ErrorBody)))]
async fn list_candles(
    State(state): Shared,
    Path(market): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Vec<Candle>> {
    let market: MarketId = parse_id(&market, "market id")?;
    let query: CandleQuery = parse_query(query.as_deref())?;
    let interval_ms = query.interval.unwrap_or(CandleInterval::OneMinute).millis();
    let end = query.end_ms.unwrap_or(u64::MAX);
    let start = query.start_ms.unwrap_or(0);
    if start >= end {
        return Err(ApiError::bad_request("invalid_query", "start_ms must be before end_ms"));
    }
    // An outcome the market does not have is refused, as on the book, rather than answered with
    // no candles.
    let spec = state.sequencer.query(move |venue| venue.engine().market_spec(market)).await?;
    let spec = spec.ok_or_else(|| unknown_market(market))?;
    let outcome = check_outcome(market, &spec, query.outcome.unwrap_or(0))?;
    let history = state.history();
    Ok(Json(history.candles(market, outcome, interval_ms, start, end)))
}
