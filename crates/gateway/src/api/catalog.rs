//! Events, series and categories: how markets are grouped. An event holds markets about one
//! happening, a series holds recurring events; both are created and edited by admins, every edit
//! kept with what it replaced. Markets join an event through their own `event` field.

use super::discovery::{self, Figures, Sort, TextQuery};
use super::markets::{market_views, MarketView};
use super::{internal, ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, AdminCall, NoQuery};
use crate::stats::MarketStats;
use crate::AppState;
use augury_catalog::{Category, EventChange, EventInfo, Revision, SeriesChange, SeriesInfo, CATEGORIES};
use augury_core::{MarketId, MarketStatus, Quantity};
use augury_sequencer::{VenueCommand, VenueOutcome, VenueState};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event, edit_event))
        .routes(routes!(event_revisions))
        .routes(routes!(list_series, create_series))
        .routes(routes!(get_series, edit_series))
        .routes(routes!(series_revisions))
        .routes(routes!(list_categories))
}

/// Where an event stands, from its markets.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum EventStatus {
    /// At least one of its markets trades (or it has none yet).
    Open,
    /// None trades; some are not settled yet.
    Closed,
    /// Every market is settled.
    Settled,
}

/// An event's figures: the sums of its markets'.
#[derive(Serialize, ToSchema, Clone, Debug, Default)]
struct EventStats {
    volume: Quantity,
    volume_24h: Quantity,
    notional_micros: u128,
    notional_24h_micros: u128,
    open_interest: Quantity,
    liquidity_micros: u128,
}

impl EventStats {
    fn add(&mut self, stats: &MarketStats) {
        self.volume += stats.volume;
        self.volume_24h += stats.volume_24h;
        self.notional_micros += stats.notional_micros;
        self.notional_24h_micros += stats.notional_24h_micros;
        self.open_interest += stats.open_interest;
        self.liquidity_micros += stats.liquidity_micros;
    }

    /// As a market's figures, for ranking with the markets' sort orders.
    fn as_market(&self) -> MarketStats {
        MarketStats {
            volume: self.volume,
            volume_24h: self.volume_24h,
            liquidity_micros: self.liquidity_micros,
            ..MarketStats::default()
        }
    }
}

#[derive(Serialize, ToSchema)]
struct EventView {
    #[serde(flatten)]
    info: EventInfo,
    /// The series' title, when it belongs to one.
    series_title: Option<String>,
    created_ms: u64,
    updated_ms: u64,
    /// Edits since creation.
    revisions: u32,
    status: EventStatus,
    /// The earliest close time of its markets; absent when none has one.
    close_time_ms: Option<u64>,
    /// Its markets' ids, ascending.
    markets: Vec<MarketId>,
    stats: EventStats,
    /// Its markets in full (with `with_markets=true`, and always on `GET /v1/events/{ticker}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    market_views: Option<Vec<MarketView>>,
}

/// An event as read on the sequencer thread, before its statistics.
fn read_event(venue: &VenueState, ticker: &str) -> Option<EventView> {
    let catalog = venue.catalog();
    let listed = catalog.event(ticker)?;
    let markets: Vec<MarketId> = catalog.event_markets(ticker).collect();
    let engine = venue.engine();
    let statuses: Vec<MarketStatus> = markets.iter().filter_map(|m| engine.market_status(*m)).collect();
    let status = if statuses.is_empty() || statuses.contains(&MarketStatus::Open) {
        EventStatus::Open
    } else if statuses.iter().all(|s| *s == MarketStatus::Settled) {
        EventStatus::Settled
    } else {
        EventStatus::Closed
    };
    let close_time_ms =
        markets.iter().filter_map(|m| engine.market_spec(*m)).map(|s| s.close_time_ms).filter(|c| *c != 0).min();
    let series_title = listed.info.series.as_deref().and_then(|s| catalog.series(s)).map(|s| s.info.title.clone());
    Some(EventView {
        info: listed.info.clone(),
        series_title,
        created_ms: listed.created_ms,
        updated_ms: listed.updated_ms(),
        revisions: listed.revisions.len() as u32,
        status,
        close_time_ms,
        markets,
        stats: EventStats::default(),
        market_views: None,
    })
}

/// Adds the statistics (and the markets, when asked) to events read from the venue.
async fn finish_events(
    state: &AppState,
    mut views: Vec<EventView>,
    with_markets: bool,
) -> Result<Vec<EventView>, ApiError> {
    {
        let history = state.history();
        for view in &mut views {
            for market in &view.markets {
                view.stats.add(&history.stats(*market).unwrap_or_default());
            }
        }
    }
    if with_markets {
        for view in &mut views {
            view.market_views = Some(market_views(state, view.markets.clone()).await?);
        }
    }
    Ok(views)
}

fn unknown_event(ticker: &str) -> ApiError {
    let shown: String = ticker.chars().take(64).collect();
    ApiError::not_found("unknown_event", format!("there is no event {shown:?}"))
}

fn unknown_series(ticker: &str) -> ApiError {
    let shown: String = ticker.chars().take(64).collect();
    ApiError::not_found("unknown_series", format!("there is no series {shown:?}"))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EventQuery {
    /// Only events in this state.
    status: Option<EventStatus>,
    category: Option<Category>,
    /// Only events with this tag (exactly as written).
    tag: Option<String>,
    /// Only the events of this series.
    series: Option<String>,
    /// Only events whose earliest close is at or after this time (ms since the epoch).
    close_after_ms: Option<u64>,
    /// Only events whose earliest close is before this time.
    close_before_ms: Option<u64>,
    /// Words that must all appear in the title, subtitle, tags or the series' title.
    q: Option<String>,
    /// id (ticker, the default), volume, volume_24h, close_time, newest or liquidity (sums over
    /// the event's markets).
    sort: Option<Sort>,
    /// Include every market of each event in full.
    with_markets: Option<bool>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// At most this many events (1 to 1,000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct EventPage {
    items: Vec<EventView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// Events, filtered, sorted and a page at a time.
#[utoipa::path(get, path = "/v1/events", tag = "events",
    params(EventQuery),
    responses((status = 200, body = EventPage)))]
async fn list_events(State(state): Shared, RawQuery(query): RawQuery) -> ApiResult<EventPage> {
    let query: EventQuery = parse_query(query.as_deref())?;
    let limit = super::page_limit(query.limit)?;
    let text = TextQuery::parse(query.q.as_deref())?;
    let (status, category, tag, series) = (query.status, query.category, query.tag.clone(), query.series.clone());
    let (after, before) = (query.close_after_ms, query.close_before_ms);
    let reads = state
        .sequencer
        .query(move |venue| {
            let catalog = venue.state().catalog();
            catalog
                .events()
                .filter(|e| category.is_none_or(|c| c == e.info.category))
                .filter(|e| tag.as_ref().is_none_or(|t| e.info.tags.contains(t)))
                .filter(|e| series.as_deref().is_none_or(|s| e.info.series.as_deref() == Some(s)))
                .filter_map(|e| read_event(venue.state(), &e.info.ticker))
                .filter(|r| status.is_none_or(|s| s == r.status))
                .filter(|r| {
                    let close = r.close_time_ms;
                    (after.is_none() && before.is_none())
                        || close.is_some_and(|c| after.is_none_or(|a| c >= a) && before.is_none_or(|b| c < b))
                })
                .filter(|r| {
                    text.as_ref().is_none_or(|q| {
                        let info = &r.info;
                        let texts = [info.title.as_str(), info.subtitle.as_str()]
                            .into_iter()
                            .chain(info.tags.iter().map(String::as_str))
                            .chain(r.series_title.as_deref());
                        q.matches(texts)
                    })
                })
                .collect::<Vec<_>>()
        })
        .await?;
    let mut views = finish_events(&state, reads, false).await?;
    let sort = query.sort.unwrap_or_default();
    let ranked: Vec<(i128, String)> = views
        .iter()
        .map(|v| {
            let stats = v.stats.as_market();
            let figures =
                Figures { stats: &stats, close_time_ms: v.close_time_ms.unwrap_or(0), created_ms: Some(v.created_ms) };
            (sort.key(&figures), v.info.ticker.clone())
        })
        .collect();
    let (tickers, next_cursor) = discovery::page(ranked, query.cursor.as_deref(), limit)?;
    let mut items = Vec::with_capacity(tickers.len());
    for ticker in tickers {
        let at = views.iter().position(|v| v.info.ticker == ticker).expect("ranked from these views");
        items.push(views.swap_remove(at));
    }
    if query.with_markets == Some(true) {
        for view in &mut items {
            view.market_views = Some(market_views(&state, view.markets.clone()).await?);
        }
    }
    Ok(Json(EventPage { items, next_cursor }))
}

/// One event with its markets.
#[utoipa::path(get, path = "/v1/events/{ticker}", tag = "events",
    params(("ticker" = String, Path, description = "The event's ticker")),
    responses((status = 200, body = EventView), (status = 404, body = ErrorBody)))]
async fn get_event(_: NoQuery, State(state): Shared, Path(ticker): Path<String>) -> ApiResult<EventView> {
    one_event(&state, ticker).await
}

async fn one_event(state: &AppState, ticker: String) -> ApiResult<EventView> {
    let wanted = ticker.clone();
    let view = state.sequencer.query(move |venue| read_event(venue.state(), &wanted)).await?;
    let view = view.ok_or_else(|| unknown_event(&ticker))?;
    let mut views = finish_events(state, vec![view], true).await?;
    views.pop().map(Json).ok_or_else(|| internal("an event read is missing"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateEvent {
    /// Unique: `A-Z 0-9 - _ .`, at most 64 characters.
    ticker: String,
    /// At most 200 characters.
    title: String,
    subtitle: Option<String>,
    /// Absent: other.
    category: Option<Category>,
    tags: Option<Vec<String>>,
    /// At most one of its markets resolves YES (default false).
    mutually_exclusive: Option<bool>,
    /// The series' ticker (create the series first).
    series: Option<String>,
}

/// Runs a catalog command and checks it was taken.
async fn catalog_command(state: &AppState, command: VenueCommand) -> Result<(), ApiError> {
    match state.sequencer.execute_async(command).await?? {
        VenueOutcome::CatalogChanged => Ok(()),
        other => Err(internal(&format!("a catalog command gave {other:?}"))),
    }
}

/// Creates an event (admin). Markets join it through their `event` field.
#[utoipa::path(post, path = "/v1/events", tag = "events", request_body = CreateEvent,
    security(("signed" = [])),
    responses((status = 201, body = EventView)))]
async fn create_event(State(state): Shared, call: AdminCall) -> Result<(StatusCode, Json<EventView>), ApiError> {
    let request: CreateEvent = call.json()?;
    let event = EventInfo {
        ticker: request.ticker,
        title: request.title,
        subtitle: request.subtitle.unwrap_or_default(),
        category: request.category.unwrap_or_default(),
        tags: request.tags.unwrap_or_default(),
        mutually_exclusive: request.mutually_exclusive.unwrap_or(false),
        series: request.series,
    };
    let ticker = event.ticker.clone();
    catalog_command(&state, VenueCommand::CreateEvent { event }).await?;
    Ok((StatusCode::CREATED, one_event(&state, ticker).await?))
}

/// An edit of an event: only the fields given change; `series: null` takes it out of its series.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EditEvent {
    title: Option<String>,
    subtitle: Option<String>,
    category: Option<Category>,
    tags: Option<Vec<String>>,
    mutually_exclusive: Option<bool>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    series: Option<Option<String>>,
}

/// Edits an event (admin); the edit is kept with what it replaced.
#[utoipa::path(patch, path = "/v1/events/{ticker}", tag = "events", request_body = EditEvent,
    params(("ticker" = String, Path, description = "The event's ticker")),
    security(("signed" = [])),
    responses((status = 200, body = EventView), (status = 404, body = ErrorBody)))]
async fn edit_event(State(state): Shared, Path(ticker): Path<String>, call: AdminCall) -> ApiResult<EventView> {
    let edit: EditEvent = call.json()?;
    let mut changes = Vec::new();
    changes.extend(edit.title.map(EventChange::Title));
    changes.extend(edit.subtitle.map(EventChange::Subtitle));
    changes.extend(edit.category.map(EventChange::Category));
    changes.extend(edit.tags.map(EventChange::Tags));
    changes.extend(edit.mutually_exclusive.map(EventChange::MutuallyExclusive));
    changes.extend(edit.series.map(EventChange::Series));
    let command = VenueCommand::EditEvent { ticker: ticker.clone(), changes, by: call.key.account };
    catalog_command(&state, command).await?;
    one_event(&state, ticker).await
}

#[derive(Serialize, ToSchema)]
struct EventRevisions {
    ticker: String,
    created_ms: u64,
    /// Oldest first.
    revisions: Vec<Revision<EventChange>>,
}

/// Every edit of an event, oldest first.
#[utoipa::path(get, path = "/v1/events/{ticker}/revisions", tag = "events",
    params(("ticker" = String, Path, description = "The event's ticker")),
    responses((status = 200, body = EventRevisions), (status = 404, body = ErrorBody)))]
async fn event_revisions(_: NoQuery, State(state): Shared, Path(ticker): Path<String>) -> ApiResult<EventRevisions> {
    let wanted = ticker.clone();
    let answer = state
        .sequencer
        .query(move |venue| {
            let listed = venue.state().catalog().event(&wanted)?;
            Some(EventRevisions { ticker: wanted, created_ms: listed.created_ms, revisions: listed.revisions.clone() })
        })
        .await?;
    answer.map(Json).ok_or_else(|| unknown_event(&ticker))
}

#[derive(Serialize, ToSchema)]
struct EventSeriesView {
    #[serde(flatten)]
    info: SeriesInfo,
    created_ms: u64,
    updated_ms: u64,
    revisions: u32,
    /// Its events' tickers, ascending.
    events: Vec<String>,
}

fn series_view(venue: &VenueState, ticker: &str) -> Option<EventSeriesView> {
    let catalog = venue.catalog();
    let listed = catalog.series(ticker)?;
    Some(EventSeriesView {
        info: listed.info.clone(),
        created_ms: listed.created_ms,
        updated_ms: listed.updated_ms(),
        revisions: listed.revisions.len() as u32,
        events: catalog.series_events(ticker).map(str::to_string).collect(),
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SeriesQuery {
    category: Option<Category>,
    /// Only series with this tag.
    tag: Option<String>,
}

/// Every series, by ticker.
#[utoipa::path(get, path = "/v1/series", tag = "events",
    params(SeriesQuery),
    responses((status = 200, body = Vec<EventSeriesView>)))]
async fn list_series(State(state): Shared, RawQuery(query): RawQuery) -> ApiResult<Vec<EventSeriesView>> {
    let query: SeriesQuery = parse_query(query.as_deref())?;
    let views = state
        .sequencer
        .query(move |venue| {
            venue
                .state()
                .catalog()
                .all_series()
                .filter(|s| query.category.is_none_or(|c| c == s.info.category))
                .filter(|s| query.tag.as_ref().is_none_or(|t| s.info.tags.contains(t)))
                .filter_map(|s| series_view(venue.state(), &s.info.ticker))
                .collect()
        })
        .await?;
    Ok(Json(views))
}

/// One series with its events' tickers.
#[utoipa::path(get, path = "/v1/series/{ticker}", tag = "events",
    params(("ticker" = String, Path, description = "The series' ticker")),
    responses((status = 200, body = EventSeriesView), (status = 404, body = ErrorBody)))]
async fn get_series(_: NoQuery, State(state): Shared, Path(ticker): Path<String>) -> ApiResult<EventSeriesView> {
    one_series(&state, ticker).await
}

async fn one_series(state: &AppState, ticker: String) -> ApiResult<EventSeriesView> {
    let wanted = ticker.clone();
    let view = state.sequencer.query(move |venue| series_view(venue.state(), &wanted)).await?;
    view.map(Json).ok_or_else(|| unknown_series(&ticker))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateSeries {
    /// Unique: `A-Z 0-9 - _ .`, at most 64 characters.
    ticker: String,
    /// At most 200 characters.
    title: String,
    /// Absent: other.
    category: Option<Category>,
    tags: Option<Vec<String>>,
    /// How often its events come ("daily", "weekly"...), at most 32 characters.
    frequency: Option<String>,
}

/// Creates a series (admin). Events join it through their `series` field.
#[utoipa::path(post, path = "/v1/series", tag = "events", request_body = CreateSeries,
    security(("signed" = [])),
    responses((status = 201, body = EventSeriesView)))]
async fn create_series(State(state): Shared, call: AdminCall) -> Result<(StatusCode, Json<EventSeriesView>), ApiError> {
    let request: CreateSeries = call.json()?;
    let series = SeriesInfo {
        ticker: request.ticker,
        title: request.title,
        category: request.category.unwrap_or_default(),
        tags: request.tags.unwrap_or_default(),
        frequency: request.frequency.unwrap_or_default(),
    };
    let ticker = series.ticker.clone();
    catalog_command(&state, VenueCommand::CreateSeries { series }).await?;
    Ok((StatusCode::CREATED, one_series(&state, ticker).await?))
}

/// An edit of a series: only the fields given change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EditSeries {
    title: Option<String>,
    category: Option<Category>,
    tags: Option<Vec<String>>,
    frequency: Option<String>,
}

/// Edits a series (admin); the edit is kept with what it replaced.
#[utoipa::path(patch, path = "/v1/series/{ticker}", tag = "events", request_body = EditSeries,
    params(("ticker" = String, Path, description = "The series' ticker")),
    security(("signed" = [])),
    responses((status = 200, body = EventSeriesView), (status = 404, body = ErrorBody)))]
async fn edit_series(State(state): Shared, Path(ticker): Path<String>, call: AdminCall) -> ApiResult<EventSeriesView> {
    let edit: EditSeries = call.json()?;
    let mut changes = Vec::new();
    changes.extend(edit.title.map(SeriesChange::Title));
    changes.extend(edit.category.map(SeriesChange::Category));
    changes.extend(edit.tags.map(SeriesChange::Tags));
    changes.extend(edit.frequency.map(SeriesChange::Frequency));
    let command = VenueCommand::EditSeries { ticker: ticker.clone(), changes, by: call.key.account };
    catalog_command(&state, command).await?;
    one_series(&state, ticker).await
}

#[derive(Serialize, ToSchema)]
struct SeriesRevisions {
    ticker: String,
    created_ms: u64,
    /// Oldest first.
    revisions: Vec<Revision<SeriesChange>>,
}

/// Every edit of a series, oldest first.
#[utoipa::path(get, path = "/v1/series/{ticker}/revisions", tag = "events",
    params(("ticker" = String, Path, description = "The series' ticker")),
    responses((status = 200, body = SeriesRevisions), (status = 404, body = ErrorBody)))]
async fn series_revisions(_: NoQuery, State(state): Shared, Path(ticker): Path<String>) -> ApiResult<SeriesRevisions> {
    let wanted = ticker.clone();
    let answer = state
        .sequencer
        .query(move |venue| {
            let listed = venue.state().catalog().series(&wanted)?;
            Some(SeriesRevisions { ticker: wanted, created_ms: listed.created_ms, revisions: listed.revisions.clone() })
        })
        .await?;
    answer.map(Json).ok_or_else(|| unknown_series(&ticker))
}

#[derive(Serialize, ToSchema)]
struct CategoryView {
    /// The name the API uses (`science_technology`).
    id: Category,
    /// The name people read.
    title: &'static str,
    /// Markets filed under it, in any state.
    markets: u64,
    /// Of those, the ones trading now.
    open_markets: u64,
}

/// Every category, with how many markets it holds.
#[utoipa::path(get, path = "/v1/categories", tag = "events",
    responses((status = 200, body = Vec<CategoryView>)))]
async fn list_categories(_: NoQuery, State(state): Shared) -> ApiResult<Vec<CategoryView>> {
    let ids = state.history().markets();
    let counts = state
        .sequencer
        .query(move |venue| {
            let catalog = venue.state().catalog();
            let mut counts = [(0u64, 0u64); CATEGORIES.len()];
            for market in ids {
                let category = catalog.market(market).map_or(Category::Other, |l| l.info.category);
                let at = CATEGORIES.iter().position(|c| *c == category).expect("every category is listed");
                counts[at].0 += 1;
                if venue.engine().market_status(market) == Some(MarketStatus::Open) {
                    counts[at].1 += 1;
                }
            }
            counts
        })
        .await?;
    let views = CATEGORIES
        .iter()
        .zip(counts)
        .map(|(id, (markets, open_markets))| CategoryView { id: *id, title: id.title(), markets, open_markets })
        .collect();
    Ok(Json(views))
}
