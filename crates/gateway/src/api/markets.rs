//! Markets: finding them (filters, text, sort, pages), one market by id or slug, its order book,
//! trades and candles; creating markets with what they ask, editing that, its revisions, and
//! closing markets (admin).

use super::discovery::{self, Figures, Sort, TextQuery};
use super::{engine_command, internal, paged, parse_id, ApiResult, Page, Paged, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, AdminCall, NoQuery};
use crate::history::{Candle, History, TradeRecord, BASE_INTERVAL_MS};
use crate::stats::MarketStats;
use crate::AppState;
use augury_catalog::info::default_slug;
use augury_catalog::{Category, MarketChange, MarketInfo, OutcomeNames, Revision};
use augury_core::{
    BookSide, Command, FeeSchedule, MarketId, MarketKind, MarketSpec, MarketStatus, Micros, OutcomeIndex, Quantity,
    Resolution, TradeId,
};
use augury_sequencer::{VenueCommand, VenueOutcome, VenueState};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(list_markets, create_market))
        .routes(routes!(get_market, edit_market))
        .routes(routes!(get_market_by_slug))
        .routes(routes!(market_revisions))
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
    /// Whether an LMSR market maker trades beside the book now (`GET /v1/markets/{market}/amm`).
    pub amm: bool,
    /// What the market asks, from the catalog (a market created before the catalog, or by an
    /// engine command, shows a placeholder: "Market N", slug `market-N`, until an edit lists it).
    #[serde(flatten)]
    pub info: MarketInfo,
    /// The title of the market's event.
    pub event_title: Option<String>,
    /// The series of the market's event.
    pub series: Option<String>,
    /// When the market was listed, which is when it opened for trading (venue time, ms since the
    /// epoch); absent for a market without a catalog entry.
    pub open_time_ms: Option<u64>,
    /// When its catalog entry last changed.
    pub updated_ms: Option<u64>,
    /// Edits since listing (`GET /v1/markets/{market}/revisions` lists them).
    pub revisions: u32,
    /// Volume, open interest, prices and liquidity, from the trades and books.
    pub stats: MarketStats,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Quote {
    pub outcome: OutcomeIndex,
    /// Best bid, in YES prices.
    pub yes_bid_micros: Option<Micros>,
    /// Best ask, in YES prices.
    pub yes_ask_micros: Option<Micros>,
}

/// A market as the API shows it: the engine's state and the catalog's entry (read together on
/// the sequencer thread) and the statistics (from the history, after).
pub(super) fn market_view(venue: &VenueState, market: MarketId) -> Option<MarketView> {
    let engine = venue.engine();
    let spec = engine.market_spec(market)?;
    let outcomes = spec.kind.outcome_count();
    let catalog = venue.catalog();
    let listed = catalog.market(market);
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
        amm: engine.amm(market).is_some(),
        info: listed.map_or_else(|| MarketInfo::placeholder(&spec), |l| l.info.clone()),
        event_title: listed
            .and_then(|l| l.info.event.as_deref())
            .and_then(|e| catalog.event(e))
            .map(|e| e.info.title.clone()),
        series: catalog.market_series(market).map(str::to_string),
        open_time_ms: listed.map(|l| l.created_ms),
        updated_ms: listed.map(|l| l.updated_ms()),
        revisions: listed.map_or(0, |l| l.revisions.len() as u32),
        stats: MarketStats::default(),
    })
}

/// Fills in the statistics of views read from the venue.
pub(super) fn with_stats(history: &History, mut views: Vec<MarketView>) -> Vec<MarketView> {
    for view in &mut views {
        view.stats = history.stats(view.market).unwrap_or_default();
    }
    views
}

/// Reads markets' views, statistics included, in the order given (unknown ids are skipped).
pub(super) async fn market_views(state: &AppState, ids: Vec<MarketId>) -> Result<Vec<MarketView>, ApiError> {
    let views =
        state.sequencer.query(move |venue| ids.iter().filter_map(|m| market_view(venue.state(), *m)).collect()).await?;
    Ok(with_stats(&state.history(), views))
}

/// One market's view, or 404.
async fn one_market(state: &AppState, market: MarketId) -> ApiResult<MarketView> {
    let mut views = market_views(state, vec![market]).await?;
    views.pop().map(Json).ok_or_else(|| unknown_market(market))
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

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MarketQuery {
    /// Only markets in this state.
    status: Option<MarketStatus>,
    /// Only markets filed under this category.
    category: Option<Category>,
    /// Only markets with this tag (exactly as written).
    tag: Option<String>,
    /// Only markets whose event belongs to this series.
    series: Option<String>,
    /// Only the markets of this event.
    event: Option<String>,
    /// Only markets that close at or after this time (ms since the epoch); markets without a
    /// close time are left out when either bound is given.
    close_after_ms: Option<u64>,
    /// Only markets that close before this time.
    close_before_ms: Option<u64>,
    /// Words that must all appear, in any case, in the title, subtitle, tags, or the event's or
    /// series' title (at most 10 words, 200 characters).
    q: Option<String>,
    /// id (default), volume, volume_24h, close_time, newest or liquidity.
    sort: Option<Sort>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// At most this many markets (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// A page of markets.
#[derive(Serialize, ToSchema)]
pub(crate) struct MarketPage {
    pub items: Vec<MarketView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What a market is filtered and ranked by, read on the sequencer thread.
struct Candidate {
    market: MarketId,
    close_time_ms: u64,
    created_ms: Option<u64>,
}

/// Markets, filtered, sorted and a page at a time.
#[utoipa::path(get, path = "/v1/markets", tag = "markets",
    params(MarketQuery),
    responses((status = 200, body = MarketPage)))]
async fn list_markets(State(state): Shared, RawQuery(query): RawQuery) -> ApiResult<MarketPage> {
    let query: MarketQuery = parse_query(query.as_deref())?;
    let limit = super::page_limit(query.limit)?;
    let text = TextQuery::parse(query.q.as_deref())?;
    if let (Some(after), Some(before)) = (query.close_after_ms, query.close_before_ms) {
        if after >= before {
            return Err(ApiError::bad_request("invalid_query", "close_after_ms must be before close_before_ms"));
        }
    }
    let ids = state.history().markets();
    let filter = MarketFilter { query, text };
    let (candidates, query) = state
        .sequencer
        .query(move |venue| {
            let candidates: Vec<Candidate> = ids.iter().filter_map(|m| filter.candidate(venue.state(), *m)).collect();
            (candidates, filter.query)
        })
        .await?;
    let sort = query.sort.unwrap_or_default();
    let ranked: Vec<(i128, MarketId)> = {
        let history = state.history();
        candidates
            .iter()
            .map(|c| {
                let stats = history.stats(c.market).unwrap_or_default();
                let figures = Figures { stats: &stats, close_time_ms: c.close_time_ms, created_ms: c.created_ms };
                (sort.key(&figures), c.market)
            })
            .collect()
    };
    let (ids, next_cursor) = discovery::page(ranked, query.cursor.as_deref(), limit)?;
    let items = market_views(&state, ids).await?;
    Ok(Json(MarketPage { items, next_cursor }))
}

/// The filters of a market list, applied on the sequencer thread.
struct MarketFilter {
    query: MarketQuery,
    text: Option<TextQuery>,
}

impl MarketFilter {
    fn candidate(&self, venue: &VenueState, market: MarketId) -> Option<Candidate> {
        let q = &self.query;
        let engine = venue.engine();
        let spec = engine.market_spec(market)?;
        if q.status.is_some_and(|s| engine.market_status(market) != Some(s)) {
            return None;
        }
        let close = spec.close_time_ms;
        let bounded = q.close_after_ms.is_some() || q.close_before_ms.is_some();
        if bounded
            && (close == 0
                || q.close_after_ms.is_some_and(|a| close < a)
                || q.close_before_ms.is_some_and(|b| close >= b))
        {
            return None;
        }
        let catalog = venue.catalog();
        let listed = catalog.market(market);
        let placeholder;
        let info = match listed {
            Some(listed) => &listed.info,
            None => {
                placeholder = MarketInfo::placeholder(&spec);
                &placeholder
            }
        };
        let event = info.event.as_deref().and_then(|e| catalog.event(e));
        let series = catalog.market_series(market);
        if q.category.is_some_and(|c| c != info.category)
            || q.tag.as_ref().is_some_and(|t| !info.tags.contains(t))
            || q.event.as_deref().is_some_and(|e| info.event.as_deref() != Some(e))
            || q.series.as_deref().is_some_and(|s| series != Some(s))
        {
            return None;
        }
        if let Some(text) = &self.text {
            let series_title = series.and_then(|s| catalog.series(s)).map(|s| s.info.title.as_str());
            let texts = [info.title.as_str(), info.subtitle.as_str()]
                .into_iter()
                .chain(info.tags.iter().map(String::as_str))
                .chain(event.map(|e| e.info.title.as_str()))
                .chain(series_title);
            if !text.matches(texts) {
                return None;
            }
        }
        Some(Candidate { market, close_time_ms: close, created_ms: listed.map(|l| l.created_ms) })
    }
}

/// One market.
#[utoipa::path(get, path = "/v1/markets/{market}", tag = "markets",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = MarketView), (status = 404, body = ErrorBody)))]
async fn get_market(_: NoQuery, State(state): Shared, Path(market): Path<String>) -> ApiResult<MarketView> {
    let market: MarketId = parse_id(&market, "market id")?;
    one_market(&state, market).await
}

/// The market with this slug.
#[utoipa::path(get, path = "/v1/markets/by-slug/{slug}", tag = "markets",
    params(("slug" = String, Path, description = "The market's slug")),
    responses((status = 200, body = MarketView), (status = 404, body = ErrorBody)))]
async fn get_market_by_slug(_: NoQuery, State(state): Shared, Path(slug): Path<String>) -> ApiResult<MarketView> {
    let wanted = slug.clone();
    let market = state
        .sequencer
        .query(move |venue| {
            let catalog = venue.state().catalog();
            catalog.market_by_slug(&wanted).or_else(|| {
                // A market without a catalog entry answers to its default slug.
                let market: MarketId = wanted.strip_prefix("market-")?.parse().ok()?;
                let unlisted = catalog.market(market).is_none() && venue.engine().market_spec(market).is_some();
                (unlisted && default_slug(market) == wanted).then_some(market)
            })
        })
        .await?;
    let shown: String = slug.chars().take(100).collect();
    let market =
        market.ok_or_else(|| ApiError::not_found("unknown_market", format!("no market has the slug {shown:?}")))?;
    one_market(&state, market).await
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
    /// The question (at most 200 characters). Absent: "Market N".
    title: Option<String>,
    /// At most 200 characters.
    subtitle: Option<String>,
    /// At most 5,000 characters.
    description: Option<String>,
    /// What decides the market (at most 5,000 characters).
    rules_primary: Option<String>,
    /// Edge cases (at most 5,000 characters).
    rules_secondary: Option<String>,
    /// Where the answer comes from (at most 500 characters).
    resolution_source: Option<String>,
    /// Absent: other.
    category: Option<Category>,
    /// At most 10 tags of at most 40 characters.
    tags: Option<Vec<String>>,
    /// Unique; `a-z 0-9 -`, at most 96 characters. Absent: `market-N`.
    slug: Option<String>,
    /// Absent: Yes/No, "Outcome 1".., or the scalar's bare bounds.
    outcome_names: Option<OutcomeNames>,
    /// An http(s) URL of an illustration (never fetched by the venue).
    image_url: Option<String>,
    /// The ticker of the event the market belongs to (create the event first).
    event: Option<String>,
    /// When the answer is expected (ms since the epoch), at or after the close time.
    expected_expiration_ms: Option<u64>,
}

impl CreateMarket {
    /// The engine's spec and the catalog's entry; absent catalog fields take their defaults.
    fn split(self) -> (MarketSpec, MarketInfo) {
        let spec = MarketSpec {
            market: self.market,
            kind: self.kind,
            tick_micros: self.tick_micros,
            fees: self.fees.unwrap_or(FeeSchedule::ZERO),
            close_time_ms: self.close_time_ms.unwrap_or(0),
        };
        let defaults = MarketInfo::placeholder(&spec);
        let info = MarketInfo {
            title: self.title.unwrap_or(defaults.title),
            subtitle: self.subtitle.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            rules_primary: self.rules_primary.unwrap_or_default(),
            rules_secondary: self.rules_secondary.unwrap_or_default(),
            resolution_source: self.resolution_source.unwrap_or_default(),
            category: self.category.unwrap_or_default(),
            tags: self.tags.unwrap_or_default(),
            slug: self.slug.unwrap_or(defaults.slug),
            outcome_names: self.outcome_names.unwrap_or(defaults.outcome_names),
            image_url: self.image_url,
            event: self.event,
            expected_expiration_ms: self.expected_expiration_ms,
        };
        (spec, info)
    }
}

/// Creates a market and lists it with what it asks (admin). The engine's checks and the
/// catalog's run before anything changes: a refusal by either creates nothing.
#[utoipa::path(post, path = "/v1/markets", tag = "markets", request_body = CreateMarket,
    security(("signed" = [])),
    responses((status = 201, body = MarketView)))]
async fn create_market(State(state): Shared, call: AdminCall) -> Result<(StatusCode, Json<MarketView>), ApiError> {
    let request: CreateMarket = call.json()?;
    let (spec, info) = request.split();
    let command = VenueCommand::ListMarket { spec, info: Box::new(info) };
    match state.sequencer.execute_async(command).await?? {
        VenueOutcome::MarketListed { .. } => {}
        other => return Err(internal(&format!("a listing gave {other:?}"))),
    }
    let view = market_views(&state, vec![spec.market]).await?.pop();
    let view = view.ok_or_else(|| internal("the market just created is not there"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// An edit of a market's catalog entry: only the fields given change. `image_url`, `event` and
/// `expected_expiration_ms` are cleared with `null`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EditMarket {
    title: Option<String>,
    subtitle: Option<String>,
    description: Option<String>,
    rules_primary: Option<String>,
    rules_secondary: Option<String>,
    resolution_source: Option<String>,
    category: Option<Category>,
    tags: Option<Vec<String>>,
    slug: Option<String>,
    outcome_names: Option<OutcomeNames>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    image_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    event: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<u64>)]
    expected_expiration_ms: Option<Option<u64>>,
}

impl EditMarket {
    /// The changes, in the catalog's field order.
    fn changes(self) -> Vec<MarketChange> {
        let mut changes = Vec::new();
        let mut push = |change: Option<MarketChange>| changes.extend(change);
        push(self.title.map(MarketChange::Title));
        push(self.subtitle.map(MarketChange::Subtitle));
        push(self.description.map(MarketChange::Description));
        push(self.rules_primary.map(MarketChange::RulesPrimary));
        push(self.rules_secondary.map(MarketChange::RulesSecondary));
        push(self.resolution_source.map(MarketChange::ResolutionSource));
        push(self.category.map(MarketChange::Category));
        push(self.tags.map(MarketChange::Tags));
        push(self.slug.map(MarketChange::Slug));
        push(self.outcome_names.map(MarketChange::OutcomeNames));
        push(self.image_url.map(MarketChange::ImageUrl));
        push(self.event.map(MarketChange::Event));
        push(self.expected_expiration_ms.map(MarketChange::ExpectedExpirationMs));
        changes
    }
}

/// Edits what a market asks (admin). Every edit is journaled and kept with the values it
/// replaced (`GET /v1/markets/{market}/revisions`). The market's terms (kind, grid, fees, close
/// time) are the engine's and cannot be edited.
#[utoipa::path(patch, path = "/v1/markets/{market}", tag = "markets", request_body = EditMarket,
    params(("market" = u32, Path, description = "Market id")),
    security(("signed" = [])),
    responses((status = 200, body = MarketView), (status = 404, body = ErrorBody)))]
async fn edit_market(State(state): Shared, Path(market): Path<String>, call: AdminCall) -> ApiResult<MarketView> {
    let market: MarketId = parse_id(&market, "market id")?;
    let edit: EditMarket = call.json()?;
    let command = VenueCommand::EditMarket { market, changes: edit.changes(), by: call.key.account };
    state.sequencer.execute_async(command).await??;
    one_market(&state, market).await
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MarketRevisions {
    pub market: MarketId,
    /// When the market was listed; absent for a market without a catalog entry.
    pub created_ms: Option<u64>,
    /// Oldest first.
    pub revisions: Vec<Revision<MarketChange>>,
}

/// Every edit of a market's catalog entry, oldest first: the fields set, what they held before,
/// when and by which account.
#[utoipa::path(get, path = "/v1/markets/{market}/revisions", tag = "markets",
    params(("market" = u32, Path, description = "Market id")),
    responses((status = 200, body = MarketRevisions), (status = 404, body = ErrorBody)))]
async fn market_revisions(_: NoQuery, State(state): Shared, Path(market): Path<String>) -> ApiResult<MarketRevisions> {
    let market: MarketId = parse_id(&market, "market id")?;
    let answer = state
        .sequencer
        .query(move |venue| {
            venue.engine().market_spec(market)?;
            let listed = venue.state().catalog().market(market);
            Some(MarketRevisions {
                market,
                created_ms: listed.map(|l| l.created_ms),
                revisions: listed.map(|l| l.revisions.clone()).unwrap_or_default(),
            })
        })
        .await?;
    answer.map(Json).ok_or_else(|| unknown_market(market))
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
    one_market(&state, market).await
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
const DEPTH_MAX: usize = 10_000;

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
    let depth = super::in_range("depth", query.depth.unwrap_or(DEFAULT_DEPTH), 1, DEPTH_MAX)?;
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
    let trades = state.history().trades(market, page.cursor.map(TradeId), limit);
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
