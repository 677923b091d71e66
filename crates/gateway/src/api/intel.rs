//! Crypto intelligence per asset, public and read-only, from the candles the venue holds (the
//! candle store, plus the demo's replay as it runs): the assets and their candles; Trader and
//! Investor Grades (0-100) per day; the signal (+1 bullish, 0 neutral, -1 bearish) with the
//! strategy's return against holding; technical indicators by name; and the calibrated
//! probability that the price is at or above a strike after a horizon, with the model behind it.
//!
//! Every figure is computed by `augury-intel` (the method and its validation are in
//! docs/intel-validation.md); this module only chooses the series, validates the query and shapes
//! the answer. Figures are analytics (`f64`), never money; a value that is not a finite number is
//! `null`.

use super::{ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_query, NoQuery};
use crate::intel::AssetData;
use augury_core::{Comparison, MarketId, MarketStatus, Micros, Resolution, RuleMap};
use augury_intel::candle::{format_time, Candle, Interval, Series, MS_PER_DAY, MS_PER_HOUR};
use augury_intel::grades::{self, DailyGrade, GradeConfig, BEARISH_AT, BULLISH_AT};
use augury_intel::indicators;
use augury_intel::threshold::{ModelKind, ThresholdError, HORIZON_MS_MAX};
use augury_intel::volatility::VolModel;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new()
        .routes(routes!(list_assets))
        .routes(routes!(asset_candles))
        .routes(routes!(asset_grades))
        .routes(routes!(asset_signals))
        .routes(routes!(asset_indicators))
        .routes(routes!(asset_threshold))
        .routes(routes!(asset_validation))
        .routes(routes!(threshold_markets))
        .routes(routes!(market_model))
}

/// Items a list answers at most, and by default.
const ITEMS_MAX: usize = 5_000;
const ITEMS_DEFAULT: usize = 100;
/// Indicators one request may ask for.
const NAMES_MAX: usize = 16;
/// Indicator periods accepted.
const PERIOD_MIN: usize = 2;
const PERIOD_MAX: usize = 1_000;

/// `YYYY-MM-DD HH:MM`, midnight included.
fn format_minute(time_ms: i64) -> String {
    let text = format_time(time_ms);
    if text.len() == 10 {
        format!("{text} 00:00")
    } else {
        text
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn unknown_asset(symbol: &str) -> ApiError {
    ApiError::not_found("unknown_asset", format!("no candles are held for {symbol:?} (see GET /v1/intel/assets)"))
}

fn asset_of(state: &crate::AppState, symbol: &str) -> Result<AssetData, ApiError> {
    state.intel.asset(symbol).ok_or_else(|| unknown_asset(symbol))
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_query", message)
}

fn item_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit.unwrap_or(ITEMS_DEFAULT) {
        n if (1..=ITEMS_MAX).contains(&n) => Ok(n),
        _ => Err(invalid(format!("limit must be 1 to {ITEMS_MAX}"))),
    }
}

/// The last `limit` elements whose time is in `[start, end)`.
fn window<T>(items: &[T], time: impl Fn(&T) -> i64, start: Option<i64>, end: Option<i64>, limit: usize) -> &[T] {
    let from = start.map_or(0, |s| items.partition_point(|x| time(x) < s));
    let to = end.map_or(items.len(), |e| items.partition_point(|x| time(x) < e)).max(from);
    &items[to.saturating_sub(limit).max(from)..to]
}

fn check_range(start_ms: Option<i64>, end_ms: Option<i64>) -> Result<(), ApiError> {
    match (start_ms, end_ms) {
        (Some(s), Some(e)) if s >= e => Err(invalid("start_ms must be before end_ms")),
        _ => Ok(()),
    }
}

fn parse_interval(label: Option<&str>, asset: &AssetData) -> Result<Option<Interval>, ApiError> {
    let Some(label) = label else { return Ok(None) };
    let interval = Interval::parse_label(label).ok_or_else(|| invalid(format!("{label:?} is not an interval")))?;
    if !asset.intervals().contains(&interval) {
        return Err(ApiError::not_found(
            "unknown_interval",
            format!(
                "{} has no {label} candles (it has {})",
                asset.symbol,
                asset.intervals().iter().map(|i| i.label()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(Some(interval))
}

// ---------------------------------------------------------------- assets

#[derive(Serialize, ToSchema)]
struct SeriesView {
    /// `1h`, `1d`, ...
    interval: String,
    candles: u64,
    /// Open time of the first candle (ms since the epoch).
    first_open_ms: Option<i64>,
    /// Close time of the last candle: the moment the series is known to.
    last_close_ms: Option<i64>,
    last_close: Option<f64>,
}

#[derive(Serialize, ToSchema)]
struct AssetView {
    symbol: String,
    /// The series held (a `1d` series resampled from intraday candles is not listed here).
    series: Vec<SeriesView>,
    /// Intervals the candle and indicator endpoints take (`1d` also when resampled).
    intervals: Vec<String>,
    /// The interval daily grades are built from, if any.
    grades_from: Option<String>,
}

fn series_view(s: &Series) -> SeriesView {
    SeriesView {
        interval: s.interval.label(),
        candles: s.candles.len() as u64,
        first_open_ms: s.candles.first().map(|c| c.open_time_ms),
        last_close_ms: s.candles.last().map(|c| c.open_time_ms + s.interval.ms()),
        last_close: s.candles.last().and_then(|c| finite(c.close)),
    }
}

/// The assets with candles, and what is held for each.
#[utoipa::path(get, path = "/v1/intel/assets", tag = "intel",
    responses((status = 200, body = Vec<AssetView>)))]
async fn list_assets(_: NoQuery, State(state): Shared) -> ApiResult<Vec<AssetView>> {
    let views = state
        .intel
        .symbols()
        .into_iter()
        .filter_map(|symbol| state.intel.asset(&symbol))
        .map(|asset| AssetView {
            symbol: asset.symbol.clone(),
            series: asset.series.iter().map(|s| series_view(s)).collect(),
            intervals: asset.intervals().iter().map(|i| i.label()).collect(),
            grades_from: asset.daily_source().map(|i| i.label()),
        })
        .collect();
    Ok(Json(views))
}

// ---------------------------------------------------------------- candles

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CandlesQuery {
    /// An interval the asset has (see `intervals` in the asset list); default its finest.
    interval: Option<String>,
    /// Candles opening at or after this time (ms since the epoch).
    start_ms: Option<i64>,
    /// Candles opening before this time.
    end_ms: Option<i64>,
    /// At most this many, the latest in the range (1 to 5,000; default 100).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct CandleView {
    open_time_ms: i64,
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    close: Option<f64>,
    volume: Option<f64>,
}

fn candle_view(c: &Candle) -> CandleView {
    CandleView {
        open_time_ms: c.open_time_ms,
        open: finite(c.open),
        high: finite(c.high),
        low: finite(c.low),
        close: finite(c.close),
        volume: finite(c.volume),
    }
}

#[derive(Serialize, ToSchema)]
struct CandlesView {
    symbol: String,
    interval: String,
    /// Oldest first.
    items: Vec<CandleView>,
}

/// The asset's price candles, oldest first.
#[utoipa::path(get, path = "/v1/intel/assets/{symbol}/candles", tag = "intel",
    params(("symbol" = String, Path, description = "Asset symbol, e.g. BTCUSDT", example = "BTCUSDT"), CandlesQuery),
    responses((status = 200, body = CandlesView), (status = 404, body = ErrorBody)))]
async fn asset_candles(
    State(state): Shared,
    Path(symbol): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<CandlesView> {
    let query: CandlesQuery = parse_query(query.as_deref())?;
    let asset = asset_of(&state, &symbol)?;
    let limit = item_limit(query.limit)?;
    check_range(query.start_ms, query.end_ms)?;
    let series = match parse_interval(query.interval.as_deref(), &asset)? {
        Some(interval) => asset.at(interval),
        None => asset.series.first().cloned(),
    }
    .ok_or_else(|| unknown_asset(&symbol))?;
    let items = window(&series.candles, |c| c.open_time_ms, query.start_ms, query.end_ms, limit);
    Ok(Json(CandlesView { symbol, interval: series.interval.label(), items: items.iter().map(candle_view).collect() }))
}

// ---------------------------------------------------------------- grades

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct GradesQuery {
    /// Days opening at or after this time (ms since the epoch).
    start_ms: Option<i64>,
    /// Days opening before this time.
    end_ms: Option<i64>,
    /// At most this many days, the latest in the range (1 to 5,000; default 100).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct GradeView {
    /// `YYYY-MM-DD` (UTC).
    date: String,
    open_time_ms: i64,
    /// The day's close (the grade is known at that moment).
    close: Option<f64>,
    /// 0-100: short-term momentum against the asset's own past year.
    trader_grade: Option<f64>,
    /// 0-100: long-term quality against the asset's own past year.
    investor_grade: Option<f64>,
    /// `strongly bullish`, `bullish`, `neutral`, `bearish`, `strongly bearish`.
    trader_band: Option<String>,
    investor_band: Option<String>,
    /// +1 bullish (Trader Grade at or above 60), -1 bearish (at or below 40), else 0.
    signal: i8,
}

#[derive(Serialize, ToSchema)]
struct GradesView {
    symbol: String,
    /// The candles the days come from (`1d`, stored or resampled from this interval).
    source_interval: String,
    /// Days with at least one grade, oldest first.
    items: Vec<GradeView>,
}

fn grade_view(g: &DailyGrade) -> GradeView {
    GradeView {
        date: format_time(g.open_time_ms),
        open_time_ms: g.open_time_ms,
        close: finite(g.close),
        trader_grade: g.trader.and_then(finite),
        investor_grade: g.investor.and_then(finite),
        trader_band: g.trader.map(|t| grades::band(t).to_string()),
        investor_band: g.investor.map(|i| grades::band(i).to_string()),
        signal: g.signal,
    }
}

/// Grades every day of the asset's daily candles (the published baseline method).
fn daily_grades(asset: &AssetData) -> Result<(Interval, Vec<DailyGrade>), ApiError> {
    let source = asset.daily_source();
    let daily = asset.daily();
    let (Some(source), Some(daily)) = (source, daily) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_daily_candles",
            format!("{} has no candles that make whole days", asset.symbol),
        ));
    };
    Ok((source, grades::grade_series(&daily, GradeConfig::default())))
}

/// Trader and Investor Grades (0-100) per day, and the signal they give.
#[utoipa::path(get, path = "/v1/intel/assets/{symbol}/grades", tag = "intel",
    params(("symbol" = String, Path, description = "Asset symbol, e.g. BTCUSDT", example = "BTCUSDT"), GradesQuery),
    responses((status = 200, body = GradesView), (status = 404, body = ErrorBody)))]
async fn asset_grades(
    State(state): Shared,
    Path(symbol): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<GradesView> {
    let query: GradesQuery = parse_query(query.as_deref())?;
    let asset = asset_of(&state, &symbol)?;
    let limit = item_limit(query.limit)?;
    check_range(query.start_ms, query.end_ms)?;
    let (source, days) = daily_grades(&asset)?;
    let graded: Vec<&DailyGrade> = days.iter().filter(|g| g.trader.is_some() || g.investor.is_some()).collect();
    let items = window(&graded, |g| g.open_time_ms, query.start_ms, query.end_ms, limit);
    Ok(Json(GradesView {
        symbol,
        source_interval: source.label(),
        items: items.iter().map(|g| grade_view(g)).collect(),
    }))
}

// ---------------------------------------------------------------- signals

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SignalsQuery {
    /// At most this many signal changes, the latest (1 to 5,000; default 100).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct SignalChange {
    date: String,
    open_time_ms: i64,
    /// +1, 0 or -1 from this day's close.
    signal: i8,
    label: String,
    trader_grade: Option<f64>,
}

#[derive(Serialize, ToSchema)]
struct SignalsView {
    symbol: String,
    source_interval: String,
    /// The latest day's signal: +1 bullish, 0 neutral, -1 bearish.
    signal: i8,
    label: String,
    /// The latest graded day (`YYYY-MM-DD`) and its Trader Grade.
    as_of: Option<String>,
    as_of_ms: Option<i64>,
    trader_grade: Option<f64>,
    /// The day the current signal began.
    since: Option<String>,
    /// 1 when the strategy is long after the latest close, else 0.
    position: u8,
    /// Growth of one unit since the first graded day's close: the strategy (long after a bullish
    /// signal, flat after a bearish one, a neutral day keeps the position; fees per change) and
    /// buy-and-hold over the same days.
    strategy_return: Option<f64>,
    hold_return: Option<f64>,
    /// strategy_return - hold_return.
    excess_return: Option<f64>,
    fee_bps: f64,
    first_graded: Option<String>,
    graded_days: u64,
    bullish_at: f64,
    bearish_at: f64,
    /// Days the signal changed, oldest first (the first graded day counts as a change).
    changes: Vec<SignalChange>,
}

fn signal_label(signal: i8) -> &'static str {
    match signal {
        1 => "bullish",
        -1 => "bearish",
        _ => "neutral",
    }
}

/// The signal from the Trader Grade, its history, and the strategy's return against holding.
#[utoipa::path(get, path = "/v1/intel/assets/{symbol}/signals", tag = "intel",
    params(("symbol" = String, Path, description = "Asset symbol, e.g. BTCUSDT", example = "BTCUSDT"), SignalsQuery),
    responses((status = 200, body = SignalsView), (status = 404, body = ErrorBody)))]
async fn asset_signals(
    State(state): Shared,
    Path(symbol): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<SignalsView> {
    let query: SignalsQuery = parse_query(query.as_deref())?;
    let asset = asset_of(&state, &symbol)?;
    let limit = item_limit(query.limit)?;
    let (source, days) = daily_grades(&asset)?;
    let graded: Vec<&DailyGrade> = days.iter().filter(|g| g.trader.is_some()).collect();
    let mut changes = Vec::new();
    let mut previous: Option<i8> = None;
    for g in &graded {
        if previous != Some(g.signal) {
            changes.push(SignalChange {
                date: format_time(g.open_time_ms),
                open_time_ms: g.open_time_ms,
                signal: g.signal,
                label: signal_label(g.signal).to_string(),
                trader_grade: g.trader.and_then(finite),
            });
            previous = Some(g.signal);
        }
    }
    let changes = changes.split_off(changes.len().saturating_sub(limit));
    let last = graded.last();
    let signal = last.map_or(0, |g| g.signal);
    Ok(Json(SignalsView {
        symbol,
        source_interval: source.label(),
        signal,
        label: signal_label(signal).to_string(),
        as_of: last.map(|g| format_time(g.open_time_ms)),
        as_of_ms: last.map(|g| g.open_time_ms),
        trader_grade: last.and_then(|g| g.trader).and_then(finite),
        since: changes.last().map(|c| c.date.clone()),
        position: last.map_or(0, |g| g.position),
        strategy_return: last.and_then(|g| finite(g.strategy_return)),
        hold_return: last.and_then(|g| finite(g.hold_return)),
        excess_return: last.and_then(|g| finite(g.strategy_return - g.hold_return)),
        fee_bps: GradeConfig::default().fee_bps,
        first_graded: graded.first().map(|g| format_time(g.open_time_ms)),
        graded_days: graded.len() as u64,
        bullish_at: BULLISH_AT,
        bearish_at: BEARISH_AT,
        changes,
    }))
}

// ---------------------------------------------------------------- indicators

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct IndicatorsQuery {
    /// Comma-separated, at most 16: `sma_N`, `ema_N`, `rsi_N`, `roc_N`, `atr_N`, `adx_N` (adds
    /// `plus_di_N`, `minus_di_N`), `bollinger_N` (`_upper`, `_middle`, `_lower`; 2 deviations),
    /// `volatility_N` (sd of N log returns), `macd` (12, 26, 9: `macd`, `macd_signal`,
    /// `macd_histogram`), `obv`, `drawdown`; N from 2 to 1,000.
    names: String,
    /// An interval the asset has; default its finest.
    interval: Option<String>,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
    /// At most this many candles, the latest in the range (1 to 5,000; default 100).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct IndicatorRow {
    open_time_ms: i64,
    close: Option<f64>,
    /// Each requested value at this candle's close; null while the indicator warms up.
    values: BTreeMap<String, Option<f64>>,
}

#[derive(Serialize, ToSchema)]
struct IndicatorsView {
    symbol: String,
    interval: String,
    /// The value names in each row.
    names: Vec<String>,
    /// Oldest first.
    items: Vec<IndicatorRow>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Indicator {
    Sma(usize),
    Ema(usize),
    Rsi(usize),
    Roc(usize),
    Atr(usize),
    Adx(usize),
    Bollinger(usize),
    Volatility(usize),
    Macd,
    Obv,
    Drawdown,
}

fn parse_indicator(name: &str) -> Result<Indicator, ApiError> {
    match name {
        "macd" => return Ok(Indicator::Macd),
        "obv" => return Ok(Indicator::Obv),
        "drawdown" => return Ok(Indicator::Drawdown),
        _ => {}
    }
    let unknown = || invalid(format!("unknown indicator {name:?}"));
    let (kind, period) = name.rsplit_once('_').ok_or_else(unknown)?;
    let period: usize = period
        .parse()
        .ok()
        .filter(|p| (PERIOD_MIN..=PERIOD_MAX).contains(p))
        .ok_or_else(|| invalid(format!("{name:?}: the period must be {PERIOD_MIN} to {PERIOD_MAX}")))?;
    Ok(match kind {
        "sma" => Indicator::Sma(period),
        "ema" => Indicator::Ema(period),
        "rsi" => Indicator::Rsi(period),
        "roc" => Indicator::Roc(period),
        "atr" => Indicator::Atr(period),
        "adx" => Indicator::Adx(period),
        "bollinger" => Indicator::Bollinger(period),
        "volatility" => Indicator::Volatility(period),
        _ => return Err(unknown()),
    })
}

/// The named columns of one indicator over the whole series (NaN while warming up).
fn compute(indicator: Indicator, candles: &[Candle]) -> Vec<(String, Vec<f64>)> {
    let closes: Vec<f64> = candles.iter().map(|c| c.close).collect();
    let highs = || candles.iter().map(|c| c.high).collect::<Vec<f64>>();
    let lows = || candles.iter().map(|c| c.low).collect::<Vec<f64>>();
    match indicator {
        Indicator::Sma(n) => vec![(format!("sma_{n}"), indicators::sma(&closes, n))],
        Indicator::Ema(n) => vec![(format!("ema_{n}"), indicators::ema(&closes, n))],
        Indicator::Rsi(n) => vec![(format!("rsi_{n}"), indicators::rsi(&closes, n))],
        Indicator::Roc(n) => vec![(format!("roc_{n}"), indicators::roc(&closes, n))],
        Indicator::Atr(n) => vec![(format!("atr_{n}"), indicators::atr(&highs(), &lows(), &closes, n))],
        Indicator::Volatility(n) => vec![(format!("volatility_{n}"), indicators::rolling_volatility(&closes, n))],
        Indicator::Adx(n) => {
            let a = indicators::adx(&highs(), &lows(), &closes, n);
            vec![
                (format!("adx_{n}"), a.adx),
                (format!("plus_di_{n}"), a.plus_di),
                (format!("minus_di_{n}"), a.minus_di),
            ]
        }
        Indicator::Bollinger(n) => {
            let b = indicators::bollinger(&closes, n, 2.0);
            vec![
                (format!("bollinger_{n}_upper"), b.upper),
                (format!("bollinger_{n}_middle"), b.middle),
                (format!("bollinger_{n}_lower"), b.lower),
            ]
        }
        Indicator::Macd => {
            let m = indicators::macd(&closes, 12, 26, 9);
            vec![("macd".into(), m.macd), ("macd_signal".into(), m.signal), ("macd_histogram".into(), m.histogram)]
        }
        Indicator::Obv => {
            let volumes: Vec<f64> = candles.iter().map(|c| c.volume).collect();
            vec![("obv".into(), indicators::obv(&closes, &volumes))]
        }
        Indicator::Drawdown => {
            vec![("drawdown".into(), indicators::drawdown(&closes).iter().map(|d| d.drawdown).collect())]
        }
    }
}

/// Technical indicators at each candle's close (TA-Lib's definitions, checked against it), over
/// the whole series so the values in the answer are warmed up as far as the data allows.
#[utoipa::path(get, path = "/v1/intel/assets/{symbol}/indicators", tag = "intel",
    params(("symbol" = String, Path, description = "Asset symbol, e.g. BTCUSDT", example = "BTCUSDT"), IndicatorsQuery),
    responses((status = 200, body = IndicatorsView), (status = 404, body = ErrorBody)))]
async fn asset_indicators(
    State(state): Shared,
    Path(symbol): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<IndicatorsView> {
    let query: IndicatorsQuery = parse_query(query.as_deref())?;
    let asset = asset_of(&state, &symbol)?;
    let limit = item_limit(query.limit)?;
    check_range(query.start_ms, query.end_ms)?;
    let mut wanted = Vec::new();
    for name in query.names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let indicator = parse_indicator(name)?;
        if !wanted.contains(&indicator) {
            wanted.push(indicator);
        }
    }
    if wanted.is_empty() || wanted.len() > NAMES_MAX {
        return Err(invalid(format!("names must list 1 to {NAMES_MAX} indicators")));
    }
    let series = match parse_interval(query.interval.as_deref(), &asset)? {
        Some(interval) => asset.at(interval),
        None => asset.series.first().cloned(),
    }
    .ok_or_else(|| unknown_asset(&symbol))?;
    let candles = &series.candles;
    let from = query.start_ms.map_or(0, |s| candles.partition_point(|c| c.open_time_ms < s));
    let to = query.end_ms.map_or(candles.len(), |e| candles.partition_point(|c| c.open_time_ms < e)).max(from);
    let first = to.saturating_sub(limit).max(from);
    // Indicators run over everything up to the window's end (never past it: no look-ahead).
    let columns: Vec<(String, Vec<f64>)> = wanted.iter().flat_map(|&i| compute(i, &candles[..to])).collect();
    let items = (first..to)
        .map(|k| IndicatorRow {
            open_time_ms: candles[k].open_time_ms,
            close: finite(candles[k].close),
            values: columns.iter().map(|(name, values)| (name.clone(), finite(values[k]))).collect(),
        })
        .collect();
    Ok(Json(IndicatorsView {
        symbol,
        interval: series.interval.label(),
        names: columns.into_iter().map(|(name, _)| name).collect(),
        items,
    }))
}

// ---------------------------------------------------------------- threshold probabilities

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ThresholdQuery {
    /// The price threshold K (the asset's quote currency), above zero.
    strike: f64,
    /// Hours after the last candle's close (1 to 720, and at least the candle interval).
    #[param(minimum = 1, maximum = 720)]
    horizon_hours: i64,
}

#[derive(Serialize, ToSchema)]
struct CalibrationView {
    /// The horizon in bars it was fitted at.
    bars: f64,
    /// Multiplies the horizon's standard deviation.
    scale: Option<f64>,
    /// Student-t degrees of freedom.
    df: Option<f64>,
    samples: u64,
}

#[derive(Serialize, ToSchema)]
struct VolatilityView {
    /// `garch`, `ewma` or `constant`.
    model: String,
    omega: Option<f64>,
    alpha: Option<f64>,
    beta: Option<f64>,
    lambda: Option<f64>,
    /// Degrees of freedom of one bar's innovation (null: normal).
    df: Option<f64>,
    variance: Option<f64>,
}

#[derive(Serialize, ToSchema)]
struct ModelView {
    /// `garch_t`: GARCH(1,1), Student-t, calibrated per horizon.
    kind: String,
    /// The candles the model runs on.
    interval: String,
    /// The UTC day the fit serves: fitted on candles closed by then, refitted each day.
    fit_day: String,
    fit_day_ms: i64,
    train_from_ms: i64,
    train_to_ms: i64,
    train_bars: u64,
    volatility: VolatilityView,
    /// Expected standard deviation of the next bar's log return.
    next_bar_volatility: Option<f64>,
    calibration: Vec<CalibrationView>,
    /// Where the method and its out-of-sample scores are published.
    validation: String,
}

#[derive(Serialize, ToSchema)]
struct ThresholdView {
    symbol: String,
    /// The last candle's close time: the forecast uses candles closed by then only.
    as_of_ms: i64,
    as_of: String,
    /// The last close.
    spot: f64,
    strike: f64,
    horizon_hours: i64,
    /// as_of_ms + horizon_hours.
    expires_at_ms: i64,
    /// P(price at expiry >= strike).
    probability: f64,
    model: ModelView,
}

fn volatility_view(vol: &VolModel) -> VolatilityView {
    let none = VolatilityView {
        model: String::new(),
        omega: None,
        alpha: None,
        beta: None,
        lambda: None,
        df: None,
        variance: None,
    };
    match *vol {
        VolModel::Constant { variance } => {
            VolatilityView { model: "constant".into(), variance: finite(variance), ..none }
        }
        VolModel::Ewma { lambda, df } => {
            VolatilityView { model: "ewma".into(), lambda: finite(lambda), df: finite(df), ..none }
        }
        VolModel::Garch { omega, alpha, beta, df } => VolatilityView {
            model: "garch".into(),
            omega: finite(omega),
            alpha: finite(alpha),
            beta: finite(beta),
            df: finite(df),
            ..none
        },
    }
}

/// The calibrated probability that the price is at or above `strike` `horizon_hours` after the
/// last candle's close: the model the demo's market maker quotes the daily threshold markets
/// around (fitted once a UTC day on the year before, then filtered candle by candle).
#[utoipa::path(get, path = "/v1/intel/assets/{symbol}/threshold", tag = "intel",
    params(("symbol" = String, Path, description = "Asset symbol, e.g. BTCUSDT", example = "BTCUSDT"), ThresholdQuery),
    responses((status = 200, body = ThresholdView), (status = 404, body = ErrorBody)))]
async fn asset_threshold(
    State(state): Shared,
    Path(symbol): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<ThresholdView> {
    let ThresholdQuery { strike, horizon_hours } = parse_query(query.as_deref())?;
    if !(strike.is_finite() && strike > 0.0) {
        return Err(invalid("strike must be a number above zero"));
    }
    let horizon_ms = horizon_hours.checked_mul(MS_PER_HOUR).filter(|h| (MS_PER_HOUR..=HORIZON_MS_MAX).contains(h));
    let Some(horizon_ms) = horizon_ms else {
        return Err(invalid("horizon_hours must be 1 to 720"));
    };
    let asset = asset_of(&state, &symbol)?;
    let series = asset.threshold_series().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_candles",
            format!("{symbol} has no candles of a day or less"),
        )
    })?;
    let Some(last) = series.candles.last() else { return Err(unknown_asset(&symbol)) };
    let bar_ms = series.interval.ms();
    if horizon_ms < bar_ms {
        return Err(invalid(format!(
            "horizon_hours must be at least the candles' interval ({})",
            series.interval.label()
        )));
    }
    let as_of_ms = last.open_time_ms + bar_ms;
    // A fit takes tens of milliseconds: off the request threads.
    let hub = Arc::clone(&state.intel);
    let (fit_asset, fit_series) = (asset.clone(), Arc::clone(&series));
    let fitted = tokio::task::spawn_blocking(move || hub.fit(&fit_asset, &fit_series, as_of_ms))
        .await
        .map_err(|_| super::internal("a threshold fit panicked"))?;
    let fit = fitted.map_err(|e| match e {
        ThresholdError::TooFewReturns(..) | ThresholdError::NoData => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "insufficient_data", format!("{symbol}: {e}"))
        }
        other => invalid(other.to_string()),
    })?;
    let forecaster = augury_intel::live::forecaster_at(&series, &fit, as_of_ms);
    let probability = forecaster.probability_at_or_above(strike, horizon_ms).map_err(|e| invalid(e.to_string()))?;
    if !probability.is_finite() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "model_failed",
            format!("the model gives no probability for {symbol} at this strike"),
        ));
    }
    let model = fit.model.clone();
    Ok(Json(ThresholdView {
        symbol,
        as_of_ms,
        as_of: format_time(as_of_ms),
        spot: last.close,
        strike,
        horizon_hours,
        expires_at_ms: as_of_ms + horizon_ms,
        probability,
        model: ModelView {
            kind: match model.kind {
                ModelKind::GarchT => "garch_t",
                ModelKind::EwmaT => "ewma_t",
                ModelKind::ConstantNormal => "constant_normal",
            }
            .into(),
            interval: series.interval.label(),
            fit_day: format_time(fit.fit_day_ms),
            fit_day_ms: fit.fit_day_ms,
            train_from_ms: fit.train_from_ms,
            train_to_ms: fit.train_to_ms,
            train_bars: fit.train_bars,
            volatility: volatility_view(&model.vol),
            next_bar_volatility: finite(forecaster.next_variance().sqrt()),
            calibration: model
                .calibration
                .iter()
                .map(|c| CalibrationView { bars: c.bars, scale: finite(c.scale), df: finite(c.df), samples: c.samples })
                .collect(),
            validation: "docs/intel-validation.md".into(),
        },
    }))
}

// ---------------------------------------------------------------- threshold markets

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MarketsQuery {
    /// Also list markets that are closed or settled (default: open ones only).
    all: Option<bool>,
    /// At most this many, the most recently created (1 to 5,000; default 100).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct ThresholdMarketView {
    market: MarketId,
    /// For example "BTCUSDT at or above 8600 at 2019-06-02 00:00 UTC".
    title: String,
    symbol: String,
    index: u32,
    comparison: Comparison,
    /// The threshold in the asset's price (the rule's threshold is in index units).
    strike: f64,
    /// The rule's threshold, in index units.
    threshold: i64,
    /// When the index value decides it (ms since the epoch); trading stops then.
    expires_at_ms: u64,
    status: MarketStatus,
    resolution: Option<Resolution>,
    yes_bid_micros: Option<Micros>,
    yes_ask_micros: Option<Micros>,
    /// The model's probability that the market resolves YES, from the asset's candles held now
    /// (open markets whose expiry is at least a candle after the last close; else null).
    model_probability: Option<f64>,
    /// The candles' last close time the probability is as of.
    model_as_of_ms: Option<i64>,
}

/// Markets that resolve by rule from a price index the venue knows to follow an asset (the
/// demo's replay registers BTCUSDT and ETHUSD): each as a question about the asset's price, with
/// the book's best prices and the model's probability beside them.
#[utoipa::path(get, path = "/v1/intel/markets", tag = "intel", params(MarketsQuery),
    responses((status = 200, body = Vec<ThresholdMarketView>)))]
async fn threshold_markets(State(state): Shared, RawQuery(query): RawQuery) -> ApiResult<Vec<ThresholdMarketView>> {
    let query: MarketsQuery = parse_query(query.as_deref())?;
    let limit = item_limit(query.limit)?;
    let all = query.all.unwrap_or(false);
    let indices = state.intel.indices();
    if indices.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let ids = state.history().markets();
    let known: Vec<u32> = indices.keys().copied().collect();
    let rows = state
        .sequencer
        .query(move |venue| {
            let engine = venue.engine();
            let mut rows = Vec::new();
            for &market in ids.iter().rev() {
                let Some(life) = engine.market_lifecycle(market) else { continue };
                let Some(rule) = life.rule else { continue };
                let RuleMap::Threshold { comparison, threshold } = rule.map else { continue };
                if !known.contains(&rule.index) || (!all && life.status != MarketStatus::Open) {
                    continue;
                }
                let (bid, ask) = engine.best_prices(market, 0);
                let resolution = engine.market_resolution(market);
                rows.push((market, rule.index, comparison, threshold, rule.at_ms, life.status, bid, ask, resolution));
                if rows.len() == limit {
                    break;
                }
            }
            rows.reverse();
            rows
        })
        .await?;
    // One forecaster per asset, from the candles held now.
    let mut forecasters = BTreeMap::new();
    let mut views = Vec::with_capacity(rows.len());
    for (market, index, comparison, threshold, at_ms, status, bid, ask, resolution) in rows {
        let info = &indices[&index];
        let strike = threshold as f64 / info.units_per_price;
        let forecast = if status == MarketStatus::Open {
            if let std::collections::btree_map::Entry::Vacant(slot) = forecasters.entry(index) {
                slot.insert(model_now(&state, &info.symbol).await);
            }
            forecasters[&index].as_ref().and_then(|(f, as_of_ms)| {
                let p = f.probability_at_or_above(strike, at_ms as i64 - as_of_ms).ok()?;
                finite(yes_probability(comparison, p)).map(|p| (p, *as_of_ms))
            })
        } else {
            None
        };
        views.push(ThresholdMarketView {
            market,
            title: question(&info.symbol, comparison, strike, at_ms),
            symbol: info.symbol.clone(),
            index,
            comparison,
            strike,
            threshold,
            expires_at_ms: at_ms,
            status,
            resolution,
            yes_bid_micros: bid,
            yes_ask_micros: ask,
            model_probability: forecast.map(|(p, _)| p),
            model_as_of_ms: forecast.map(|(_, t)| t),
        });
    }
    Ok(Json(views))
}

/// The market's question about the asset: "BTCUSDT at or above 8600 at 2019-06-02 00:00 UTC".
fn question(symbol: &str, comparison: Comparison, strike: f64, at_ms: u64) -> String {
    let words = match comparison {
        Comparison::AtOrAbove => "at or above",
        Comparison::Above => "above",
        Comparison::AtOrBelow => "at or below",
        Comparison::Below => "below",
    };
    format!("{symbol} {words} {strike} at {} UTC", format_minute(at_ms as i64))
}

/// The probability of YES from the model's probability that the price ends at or above the
/// strike (a continuous price makes "above" and "at or above" the same question).
fn yes_probability(comparison: Comparison, at_or_above: f64) -> f64 {
    match comparison {
        Comparison::AtOrAbove | Comparison::Above => at_or_above,
        Comparison::AtOrBelow | Comparison::Below => 1.0 - at_or_above,
    }
}

#[derive(Serialize, ToSchema)]
struct ModelPoint {
    /// The candle close the probability is as of (ms since the epoch).
    time_ms: i64,
    /// The model's probability that the market resolves YES, as it stood then.
    probability: f64,
}

#[derive(Serialize, ToSchema)]
struct ModelPathView {
    market: MarketId,
    title: String,
    symbol: String,
    /// The interval of the candles the model reads (one point per close).
    interval: String,
    strike: f64,
    expires_at_ms: u64,
    /// When the market was listed: the path starts at the first close from then.
    listed_ms: Option<u64>,
    /// Oldest first, one per candle close from listing until one bar before expiry or the last
    /// close held (at most 1,000, thinned evenly beyond). Each is what
    /// `GET /v1/intel/markets` answered at that moment; a day whose fit failed has no points.
    points: Vec<ModelPoint>,
}

/// How the model's probability for one market moved since the market was listed: at each candle
/// close, from that day's fit and the candles closed by then (no look-ahead), for markets that
/// resolve by rule from a price index following an asset.
#[utoipa::path(get, path = "/v1/intel/markets/{market}/model", tag = "intel",
    params(("market" = u32, Path, description = "The market")),
    responses((status = 200, body = ModelPathView),
        (status = 400, description = "the market id is not a number", body = ErrorBody),
        (status = 404, description = "no such market, or it does not resolve from an asset's price", body = ErrorBody)))]
async fn market_model(_: NoQuery, State(state): Shared, Path(market): Path<String>) -> ApiResult<ModelPathView> {
    let market: MarketId = super::parse_id(&market, "market id")?;
    let not_modelled = || {
        ApiError::not_found(
            "not_modelled",
            format!(
                "market {market} does not exist or does not resolve from an asset's price (see GET /v1/intel/markets)"
            ),
        )
    };
    let indices = state.intel.indices();
    let (rule, listed_ms) = state
        .sequencer
        .query(move |venue| {
            let rule = venue.engine().market_lifecycle(market)?.rule?;
            Some((rule, venue.state().catalog().market(market).map(|l| l.created_ms)))
        })
        .await?
        .ok_or_else(not_modelled)?;
    let RuleMap::Threshold { comparison, threshold } = rule.map else { return Err(not_modelled()) };
    let info = indices.get(&rule.index).ok_or_else(not_modelled)?;
    let asset = asset_of(&state, &info.symbol)?;
    let series = asset.threshold_series().ok_or_else(|| unknown_asset(&info.symbol))?;
    let strike = threshold as f64 / info.units_per_price;
    let from_ms = listed_ms.map_or(rule.at_ms as i64 - MS_PER_DAY, |t| t as i64);
    let hub = Arc::clone(&state.intel);
    let walked = Arc::clone(&series);
    let path = tokio::task::spawn_blocking(move || {
        augury_intel::live::path_at_or_above(&walked, strike, rule.at_ms as i64, from_ms, i64::MAX, |day| {
            hub.fit(&asset, &walked, day)
        })
    })
    .await
    .map_err(|_| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the model path could not be computed")
    })?;
    Ok(Json(ModelPathView {
        market,
        title: question(&info.symbol, comparison, strike, rule.at_ms),
        symbol: info.symbol.clone(),
        interval: series.interval.label(),
        strike,
        expires_at_ms: rule.at_ms,
        listed_ms,
        points: path
            .into_iter()
            .map(|(time_ms, p)| ModelPoint { time_ms, probability: yes_probability(comparison, p) })
            .collect(),
    }))
}

/// The asset's threshold forecaster as of its last candle, if a model can be fitted.
async fn model_now(
    state: &crate::AppState,
    symbol: &str,
) -> Option<(augury_intel::threshold::ThresholdForecaster, i64)> {
    let asset = state.intel.asset(symbol)?;
    let series = asset.threshold_series()?;
    let last = series.candles.last()?;
    let as_of_ms = last.open_time_ms + series.interval.ms();
    let hub = Arc::clone(&state.intel);
    let fit_series = Arc::clone(&series);
    let fit = tokio::task::spawn_blocking(move || hub.fit(&asset, &fit_series, as_of_ms)).await.ok()?.ok()?;
    Some((augury_intel::live::forecaster_at(&series, &fit, as_of_ms), as_of_ms))
}

// ---------------------------------------------------------------- validation

/// Validations kept: the latest per hub, asset, interval and history (a new day replaces it).
const VALIDATIONS_MAX: usize = 64;

/// The hub (its address: tests run several venues in one process), the symbol, the interval,
/// the asset's generation (it changes when history is replaced) and the first candle's open.
type ValidationKey = (usize, String, i64, u64, i64);

/// The latest validation per key, with the day it was computed to (`as_of_ms`).
type Validations = std::sync::Mutex<BTreeMap<ValidationKey, (i64, Arc<ValidationView>)>>;

fn validations() -> &'static Validations {
    static CACHE: std::sync::OnceLock<Validations> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// One validation at a time: it is the costliest thing the API computes.
fn validation_lock() -> &'static std::sync::Mutex<()> {
    static LOCK: std::sync::OnceLock<std::sync::Mutex<()>> = std::sync::OnceLock::new();
    LOCK.get_or_init(Default::default)
}

#[derive(Clone, Serialize, ToSchema)]
struct ScoresView {
    /// Questions answered (the horizon's candle is in the data).
    questions: u64,
    /// Share of them that resolved YES.
    yes_rate: Option<f64>,
    /// Brier score per model, in `models` order.
    brier: Vec<Option<f64>>,
    log_loss: Vec<Option<f64>>,
    /// 1 - Brier(garch_t) / Brier(base_rate): above 0, better than the base rate.
    skill_vs_base_rate: Option<f64>,
    /// 1 - Brier(garch_t) / Brier(constant_vol).
    skill_vs_constant_vol: Option<f64>,
}

#[derive(Clone, Serialize, ToSchema)]
struct HorizonScoresView {
    /// `1h`, `4h`, `1d`, `7d`, `30d`.
    horizon: String,
    #[serde(flatten)]
    scores: ScoresView,
}

#[derive(Clone, Serialize, ToSchema)]
struct ReliabilityView {
    /// The bin of forecast probabilities `[from, to)` (the last bin includes 1).
    from: f64,
    to: f64,
    questions: u64,
    /// The mean forecast in the bin (null when empty).
    mean_forecast: Option<f64>,
    /// The frequency of YES in the bin (null when empty).
    observed: Option<f64>,
}

#[derive(Clone, Serialize, ToSchema)]
struct ValidationView {
    symbol: String,
    /// The candles validated on (the threshold model's: the finest of at most a day).
    interval: String,
    candles: u64,
    /// First and last candle open (`YYYY-MM-DD HH:MM`).
    data_from: String,
    data_to: String,
    /// The candles are those closed by this time: the start of the UTC day of the latest close.
    as_of_ms: i64,
    /// The same computation on the command line, on these candles in a file.
    command: String,
    /// The threshold models scored, in the order of the `brier` and `log_loss` lists.
    models: Vec<String>,
    /// Held-out years with at least one answered question (each predicted by a model fitted on
    /// the years before it only).
    test_years: Vec<i64>,
    /// Distance of the strikes from the spot, in standard deviations of the horizon's return.
    z_grid: Vec<f64>,
    overall: ScoresView,
    per_horizon: Vec<HorizonScoresView>,
    /// Reliability of the primary model (garch_t): ten bins of forecast probability.
    reliability: Vec<ReliabilityView>,
    /// Everything recomputed on data truncated at several cuts must not change.
    look_ahead_passed: bool,
    look_ahead_values_compared: u64,
    look_ahead_mismatches: u64,
    /// Wall-clock time the computation took when it ran (it is cached per asset and day).
    compute_ms: u64,
}

fn scores_view(s: &augury_intel::validate::Scores) -> ScoresView {
    ScoresView {
        questions: s.questions,
        yes_rate: finite(s.yes_rate),
        brier: s.brier.iter().map(|&b| finite(b)).collect(),
        log_loss: s.log_loss.iter().map(|&l| finite(l)).collect(),
        skill_vs_base_rate: finite(s.skill(augury_intel::validate::PRIMARY, 3)),
        skill_vs_constant_vol: finite(s.skill(augury_intel::validate::PRIMARY, 2)),
    }
}

/// `augury intel validate --candles FILE` on the asset's candles closed by `as_of_ms`.
fn run_validation(symbol: &str, series: &Series, as_of_ms: i64) -> ValidationView {
    use augury_intel::validate::{validate, Asset, ValidateConfig, THRESHOLD_MODELS};
    let started = std::time::Instant::now();
    let known = Series { interval: series.interval, candles: series.known_at(as_of_ms).to_vec() };
    let asset = Asset { name: symbol.to_string(), series: known, in_cross_section: false };
    let report = validate(&asset, std::slice::from_ref(&asset), &ValidateConfig::default());
    let t = &report.threshold;
    let candles = &asset.series.candles;
    ValidationView {
        symbol: symbol.to_string(),
        interval: series.interval.label(),
        candles: candles.len() as u64,
        data_from: candles.first().map(|c| format_minute(c.open_time_ms)).unwrap_or_default(),
        data_to: candles.last().map(|c| format_minute(c.open_time_ms)).unwrap_or_default(),
        as_of_ms,
        command: format!("augury intel validate --candles {symbol}-{}.csv", series.interval.label()),
        models: THRESHOLD_MODELS.iter().map(|m| m.to_string()).collect(),
        test_years: report.threshold_test_years.clone(),
        z_grid: t.z_grid.clone(),
        overall: scores_view(&t.overall),
        per_horizon: t
            .per_horizon
            .iter()
            .map(|(horizon, s)| HorizonScoresView { horizon: horizon.clone(), scores: scores_view(s) })
            .collect(),
        reliability: t
            .reliability
            .iter()
            .map(|b| ReliabilityView {
                from: b.from,
                to: b.to,
                questions: b.questions,
                mean_forecast: finite(b.mean_forecast),
                observed: finite(b.observed),
            })
            .collect(),
        look_ahead_passed: report.look_ahead.passed,
        look_ahead_values_compared: report.look_ahead.values_compared,
        look_ahead_mismatches: report.look_ahead.mismatches,
        compute_ms: started.elapsed().as_millis() as u64,
    }
}

/// The walk-forward validation `augury intel validate` runs, on the asset's candles closed by
/// the start of the UTC day of its latest close: the threshold model's Brier and log scores
/// against the base rate and constant volatility, per horizon, its reliability diagram, and the
/// look-ahead check. Computed on first request (it can take seconds) and kept for the day.
#[utoipa::path(get, path = "/v1/intel/assets/{symbol}/validation", tag = "intel",
    params(("symbol" = String, Path, description = "Asset symbol, e.g. BTCUSDT", example = "BTCUSDT")),
    responses((status = 200, body = ValidationView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn asset_validation(_: NoQuery, State(state): Shared, Path(symbol): Path<String>) -> ApiResult<ValidationView> {
    let asset = asset_of(&state, &symbol)?;
    let series = asset.threshold_series().ok_or_else(|| unknown_asset(&symbol))?;
    let Some(last) = series.candles.last() else { return Err(unknown_asset(&symbol)) };
    let as_of_ms = augury_intel::live::day_of(last.open_time_ms + series.interval.ms());
    let first_ms = series.candles.first().map_or(0, |c| c.open_time_ms);
    let key = (Arc::as_ptr(&state.intel) as usize, symbol.clone(), series.interval.ms(), asset.generation, first_ms);
    let cached = move |key: &ValidationKey| {
        let cache = validations().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.get(key).filter(|(at, _)| *at == as_of_ms).map(|(_, v)| Arc::clone(v))
    };
    let view = match cached(&key) {
        Some(view) => view,
        None => tokio::task::spawn_blocking(move || {
            let _one_at_a_time = validation_lock().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(view) = cached(&key) {
                return view;
            }
            let view = Arc::new(run_validation(&key.1, &series, as_of_ms));
            let mut cache = validations().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if cache.len() >= VALIDATIONS_MAX && !cache.contains_key(&key) {
                cache.clear();
            }
            cache.insert(key, (as_of_ms, Arc::clone(&view)));
            view
        })
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the validation failed"))?,
    };
    if view.overall.questions == 0 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_data",
            format!("{symbol} has too little history to validate on (a year of candles before a held-out year)"),
        ));
    }
    Ok(Json((*view).clone()))
}
