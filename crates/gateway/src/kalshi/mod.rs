//! Wire compatibility with the Kalshi Trade API v2: REST under `/trade-api/v2` ([`rest`]) and the
//! WebSocket at `/trade-api/ws/v2` ([`ws`]), so a bot written for that API runs against Augury
//! with only its host changed. docs/kalshi-compat.md lists every endpoint and channel and how
//! far each is supported.
//!
//! This is a translation layer, not a second venue: requests are authenticated by the same
//! [`Authenticator`](crate::auth::Authenticator) (RSA-PSS signatures, [`rsa`]), orders go through
//! the same placement path as the native API ([`crate::api::orders::place`]) and every change is a
//! native engine command through the sequencer; reads come from the same engine queries and
//! [`History`](crate::history::History); the WebSocket follows the native hub's streams and
//! re-shapes their messages.
//!
//! # Names
//!
//! Augury markets have numbers, Kalshi's have tickers. Each order book is a Kalshi market:
//! `AUG-m` for a binary or scalar market (one book), `AUG-m-o` for outcome `o` of a categorical
//! market. These tickers are a market's identity and never change.
//!
//! Events and series come from the market catalog (`augury_catalog`): a binary or scalar market
//! listed in a catalog event is a market of that event (same ticker); a categorical market is
//! always its own event `AUG-m` (its outcomes are the event's mutually exclusive markets, as on
//! Kalshi), and so is a market in no catalog event. An event's series is its catalog series, or
//! `AUG` when it has none. Catalog events named like `AUG-7` are not served as events: those
//! names belong to the markets' own events. Titles, rules, categories and times are the
//! catalog's, served as they were written (JSON escapes them; nothing else does).
//!
//! # Units
//!
//! Kalshi prices are cents (1 to 99) and fixed-point dollar strings (`"0.4500"`, up to 6
//! decimals); counts are whole contracts and fixed-point count strings (`"10.00"`). Augury's are
//! integer micro-dollars and whole contracts, so every dollar string is exact. A legacy integer
//! cents field is given only when the value is a whole number of cents (balances are rounded down,
//! and the exact value is in the `_dollars` field); requests with prices off the market's tick
//! grid, fractional counts or more than 6 decimals are refused with a Kalshi-style error body.

pub mod rest;
pub mod rsa;
pub mod ws;

use crate::error::ApiError;
use crate::history::History;
use crate::AppState;
use augury_core::{MarketId, MarketKind, MarketStatus, Micros, OutcomeIndex, Quantity, Resolution, MICROS_PER_DOLLAR};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;
use std::sync::Arc;

pub const HEADER_KEY: &str = "kalshi-access-key";
pub const HEADER_TIMESTAMP: &str = "kalshi-access-timestamp";
pub const HEADER_SIGNATURE: &str = "kalshi-access-signature";

/// Where the REST surface lives (Kalshi clients sign paths with this prefix).
pub const REST_PREFIX: &str = "/trade-api/v2";
/// The WebSocket path (the handshake signs `timestamp + "GET" + WS_PATH`).
pub const WS_PATH: &str = "/trade-api/ws/v2";

/// The series of every event that has no catalog series (before the catalog, the one series).
pub const SERIES: &str = "AUG";

const MICROS_PER_CENT: Micros = 10_000;

/// The REST routes and the WebSocket, ready to merge into the gateway's router.
pub fn router(state: Arc<AppState>) -> Router {
    rest::router(Arc::clone(&state)).merge(ws::router(state))
}

// ---------------------------------------------------------------- errors

/// An error in Kalshi's shape: `{"error":{"code":..,"message":..,"details":..}}`. `details`
/// carries Augury's own error code, which is more specific.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KalshiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<&'static str>,
    pub retry_after: Option<u64>,
}

impl KalshiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> KalshiError {
        KalshiError { status, code, message: message.into(), details: None, retry_after: None }
    }

    pub fn invalid(message: impl Into<String>) -> KalshiError {
        KalshiError::new(StatusCode::BAD_REQUEST, "invalid_parameters", message)
    }

    pub fn not_found(message: impl Into<String>) -> KalshiError {
        KalshiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a str>,
}

impl KalshiError {
    /// The body as JSON (also used inside batch answers).
    pub fn body(&self) -> serde_json::Value {
        serde_json::to_value(ErrorInner { code: self.code, message: &self.message, details: self.details })
            .unwrap_or_default()
    }
}

impl IntoResponse for KalshiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorInner { code: self.code, message: &self.message, details: self.details } };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

/// Native refusals in Kalshi's terms: Kalshi answers a refused order with 400 where Augury says
/// 422, and names the common cases with its own codes.
impl From<ApiError> for KalshiError {
    fn from(error: ApiError) -> KalshiError {
        let (status, code) = match (error.status.as_u16(), error.code) {
            (_, "insufficient_funds") => (StatusCode::BAD_REQUEST, "insufficient_balance"),
            (_, "insufficient_shares") => (StatusCode::BAD_REQUEST, "insufficient_position"),
            (_, "market_not_open") => (StatusCode::BAD_REQUEST, "market_closed"),
            (_, "unknown_order") => (StatusCode::NOT_FOUND, "order_not_found"),
            (_, "unknown_market") => (StatusCode::NOT_FOUND, "market_not_found"),
            (_, "client_order_id_conflict") => (StatusCode::CONFLICT, "order_already_exists"),
            (400, _) => (StatusCode::BAD_REQUEST, "invalid_parameters"),
            (401, _) => (StatusCode::UNAUTHORIZED, "authentication_error"),
            (403, _) => (StatusCode::FORBIDDEN, "forbidden"),
            (404, _) => (StatusCode::NOT_FOUND, "not_found"),
            (409, _) => (StatusCode::CONFLICT, "conflict"),
            (413, _) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            (422, _) => (StatusCode::BAD_REQUEST, "invalid_order"),
            (429, _) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            (503, _) => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error"),
        };
        KalshiError { status, code, message: error.message, details: Some(error.code), retry_after: error.retry_after }
    }
}

impl From<augury_sequencer::SubmitError> for KalshiError {
    fn from(error: augury_sequencer::SubmitError) -> KalshiError {
        ApiError::from(error).into()
    }
}

pub type KalshiResult<T> = Result<T, KalshiError>;

// ---------------------------------------------------------------- names

/// Which Augury order book a Kalshi market ticker names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Book {
    pub market: MarketId,
    pub outcome: OutcomeIndex,
}

pub fn event_ticker(market: MarketId) -> String {
    format!("{SERIES}-{market}")
}

pub fn market_ticker(kind: &MarketKind, book: Book) -> String {
    match kind {
        MarketKind::Categorical { .. } => format!("{SERIES}-{}-{}", book.market, book.outcome),
        MarketKind::Binary | MarketKind::Scalar { .. } => format!("{SERIES}-{}", book.market),
    }
}

/// The Kalshi event of a market listed in the catalog event `catalog_event` (if any): that event
/// for a binary or scalar market, the market's own `AUG-m` for a categorical one (an event by
/// itself) or when the catalog event's ticker has the form reserved for the markets' own events.
pub fn kalshi_event(kind: &MarketKind, market: MarketId, catalog_event: Option<&str>) -> String {
    match (kind, catalog_event) {
        (MarketKind::Binary | MarketKind::Scalar { .. }, Some(event)) if parse_event_ticker(event).is_none() => {
            event.to_string()
        }
        _ => event_ticker(market),
    }
}

/// Parses `AUG-m` (an event, or a binary or scalar market) into the market number.
pub fn parse_event_ticker(ticker: &str) -> Option<MarketId> {
    let rest = ticker.strip_prefix(SERIES)?.strip_prefix('-')?;
    canonical_number(rest)
}

/// Parses `AUG-m` or `AUG-m-o` into the market and (for the second) outcome; whether that form
/// fits the market's kind is checked against the engine by [`resolve_ticker`].
pub fn parse_market_ticker(ticker: &str) -> Option<(MarketId, Option<OutcomeIndex>)> {
    let rest = ticker.strip_prefix(SERIES)?.strip_prefix('-')?;
    match rest.split_once('-') {
        None => Some((canonical_number(rest)?, None)),
        Some((market, outcome)) => Some((canonical_number(market)?, Some(canonical_number(outcome)?))),
    }
}

/// A decimal number written the one way (no sign, no leading zeros), so each book has one ticker.
fn canonical_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

/// The book a market ticker names, checked against the market's kind.
pub fn resolve_ticker(engine: &augury_engine::Engine, ticker: &str) -> Option<(Book, MarketKind)> {
    let (market, outcome) = parse_market_ticker(ticker)?;
    let spec = engine.market_spec(market)?;
    let outcome = match (spec.kind, outcome) {
        (MarketKind::Categorical { outcomes }, Some(o)) if o < outcomes => o,
        (MarketKind::Binary | MarketKind::Scalar { .. }, None) => 0,
        _ => return None,
    };
    Some((Book { market, outcome }, spec.kind))
}

pub fn unknown_ticker(ticker: &str) -> KalshiError {
    KalshiError::new(StatusCode::NOT_FOUND, "market_not_found", format!("no market with ticker {ticker:?}"))
}

// ---------------------------------------------------------------- units

/// A price as whole cents, when it is one.
pub fn cents(micros: Micros) -> Option<u64> {
    micros.is_multiple_of(MICROS_PER_CENT).then_some(micros / MICROS_PER_CENT)
}

/// Micro-dollars as Kalshi's fixed-point dollar string: at least 4 decimals, up to 6 (exact).
pub fn dollars(micros: Micros) -> String {
    let whole = micros / MICROS_PER_DOLLAR;
    let mut fraction = format!("{:06}", micros % MICROS_PER_DOLLAR);
    while fraction.len() > 4 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{whole}.{fraction}")
}

/// A whole count as Kalshi's fixed-point count string (2 decimals).
pub fn count_fp(quantity: Quantity) -> String {
    format!("{quantity}.00")
}

/// Parses a fixed-point dollar string (digits, an optional point and up to 6 decimals) exactly.
pub fn parse_dollars(text: &str) -> Result<Micros, String> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(format!("{text:?} is not a dollar amount such as \"0.4500\""));
    }
    if fraction.len() > 6 {
        return Err(format!("{text:?} has more than 6 decimals (a micro-dollar is the smallest unit)"));
    }
    let whole: Micros =
        if whole.is_empty() { 0 } else { whole.parse().map_err(|_| format!("{text:?} is too large"))? };
    let fraction: Micros = format!("{fraction:0<6}").parse().unwrap_or(0);
    whole
        .checked_mul(MICROS_PER_DOLLAR)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Parses a fixed-point count string: whole contracts only ("10", "10.0", "10.00").
pub fn parse_count_fp(text: &str) -> Result<Quantity, String> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return Err(format!("{text:?} is not a count such as \"10.00\""));
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err(format!("{text:?}: only whole contracts can be traded"));
    }
    whole.parse().map_err(|_| format!("{text:?} is too large"))
}

/// A Kalshi price in cents (1 to 99) as micro-dollars.
pub fn cents_to_micros(cents: u64) -> Result<Micros, String> {
    if !(1..=99).contains(&cents) {
        return Err(format!("a price in cents is from 1 to 99, not {cents}"));
    }
    Ok(cents * MICROS_PER_CENT)
}

/// The other side's price of a contract pair: `$1 - price`.
pub fn complement(micros: Micros) -> Micros {
    MICROS_PER_DOLLAR.saturating_sub(micros)
}

// ---------------------------------------------------------------- states

/// A market's status in Kalshi's words (the values kalshi-python's model accepts).
pub fn market_status(status: MarketStatus) -> &'static str {
    match status {
        MarketStatus::Open => "active",
        MarketStatus::Closed | MarketStatus::Resolving | MarketStatus::Disputed => "closed",
        MarketStatus::Settled => "settled",
    }
}

/// An event's status: `open`, `closed` or `settled`.
pub fn event_status(status: MarketStatus) -> &'static str {
    match status {
        MarketStatus::Open => "open",
        MarketStatus::Closed | MarketStatus::Resolving | MarketStatus::Disputed => "closed",
        MarketStatus::Settled => "settled",
    }
}

/// How one book settled: `yes`, `no`, `scalar`, `void` (invalid), or empty before settlement.
pub fn market_result(kind: &MarketKind, outcome: OutcomeIndex, resolution: Option<Resolution>) -> &'static str {
    match (kind, resolution) {
        (_, None) => "",
        (_, Some(Resolution::Invalid)) => "void",
        (MarketKind::Binary, Some(Resolution::Yes)) => "yes",
        (MarketKind::Binary, Some(Resolution::No)) => "no",
        (MarketKind::Categorical { .. }, Some(Resolution::Outcome { outcome: winner })) => {
            if winner == outcome {
                "yes"
            } else {
                "no"
            }
        }
        (MarketKind::Scalar { .. }, Some(_)) => "scalar",
        _ => "",
    }
}

// ---------------------------------------------------------------- statistics

/// A Kalshi market's trading statistics (Kalshi's `volume`, `volume_24h`, `open_interest` and
/// `liquidity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KalshiStats {
    /// Contracts traded since the market opened.
    pub volume: Quantity,
    /// Contracts traded in the 24 hours before now.
    pub volume_24h: Quantity,
    /// Contracts outstanding.
    pub open_interest: Quantity,
    /// What the resting offers are worth, in micro-dollars.
    pub liquidity_micros: Micros,
}

/// A book's statistics: the one place the Kalshi surface reads them. A Kalshi market is one
/// Augury outcome's book, so its figures are the outcome's from the statistics read model (which
/// counts the 24 hours in venue time, to the minute).
pub fn market_stats(history: &History, book: Book) -> KalshiStats {
    let stats = history.stats(book.market).and_then(|s| s.outcomes.into_iter().find(|o| o.outcome == book.outcome));
    stats.map_or_else(KalshiStats::default, |o| KalshiStats {
        volume: o.volume,
        volume_24h: o.volume_24h,
        open_interest: o.open_interest,
        liquidity_micros: Micros::try_from(o.liquidity_micros).unwrap_or(Micros::MAX),
    })
}

// ---------------------------------------------------------------- time

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds, e.g. `2024-05-01T12:00:00.250Z`.
pub fn rfc3339(ms: u64) -> String {
    let seconds = ms / 1_000;
    let days = (seconds / 86_400) as i64;
    let second_of_day = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3_600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        ms % 1_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickers_name_each_book_one_way() {
        let binary = MarketKind::Binary;
        let categorical = MarketKind::Categorical { outcomes: 3 };
        assert_eq!(market_ticker(&binary, Book { market: MarketId(7), outcome: 0 }), "AUG-7");
        assert_eq!(market_ticker(&categorical, Book { market: MarketId(7), outcome: 2 }), "AUG-7-2");
        assert_eq!(parse_market_ticker("AUG-7"), Some((MarketId(7), None)));
        assert_eq!(parse_market_ticker("AUG-7-2"), Some((MarketId(7), Some(2))));
        for bad in ["AUG-07", "AUG-7-02", "AUG--7", "AUG-7-", "aug-7", "AUG-+7", "KX-7", "AUG-7-2-1", "AUG-"] {
            assert_eq!(parse_market_ticker(bad), None, "{bad}");
        }
        assert_eq!(parse_event_ticker("AUG-12"), Some(MarketId(12)));
        assert_eq!(parse_event_ticker("AUG-12-1"), None);
    }

    #[test]
    fn markets_join_catalog_events_except_categorical_ones() {
        let binary = MarketKind::Binary;
        let scalar = MarketKind::Scalar { floor: 0, cap: 10 };
        let categorical = MarketKind::Categorical { outcomes: 3 };
        assert_eq!(kalshi_event(&binary, MarketId(7), Some("BTC-2026-12-02")), "BTC-2026-12-02");
        assert_eq!(kalshi_event(&scalar, MarketId(7), Some("FED")), "FED");
        assert_eq!(kalshi_event(&categorical, MarketId(7), Some("BTC-2026-12-02")), "AUG-7", "an event by itself");
        assert_eq!(kalshi_event(&binary, MarketId(7), None), "AUG-7");
        // A catalog event may not take the name of a market's own event.
        assert_eq!(kalshi_event(&binary, MarketId(7), Some("AUG-3")), "AUG-7");
        assert_eq!(kalshi_event(&binary, MarketId(7), Some("AUG-3-1")), "AUG-3-1", "not an own event's name");
    }

    #[test]
    fn money_and_counts_convert_exactly() {
        assert_eq!(dollars(450_000), "0.4500");
        assert_eq!(dollars(455_500), "0.4555");
        assert_eq!(dollars(455_550), "0.45555");
        assert_eq!(dollars(1), "0.000001");
        assert_eq!(dollars(1_000_000_000), "1000.0000");
        assert_eq!(parse_dollars("0.45"), Ok(450_000));
        assert_eq!(parse_dollars("0.4500"), Ok(450_000));
        assert_eq!(parse_dollars(".5"), Ok(500_000));
        assert_eq!(parse_dollars("12"), Ok(12_000_000));
        assert_eq!(parse_dollars("0.000001"), Ok(1));
        for bad in ["", ".", "0.0000001", "-0.5", "1e2", "0,5", " 0.5", "0.5.1"] {
            assert!(parse_dollars(bad).is_err(), "{bad}");
        }
        assert_eq!(cents(450_000), Some(45));
        assert_eq!(cents(455_000), None);
        assert_eq!(cents_to_micros(45), Ok(450_000));
        assert!(cents_to_micros(0).is_err() && cents_to_micros(100).is_err());
        assert_eq!(count_fp(10), "10.00");
        assert_eq!(parse_count_fp("10"), Ok(10));
        assert_eq!(parse_count_fp("10.00"), Ok(10));
        assert!(parse_count_fp("10.50").unwrap_err().contains("whole contracts"));
        assert!(parse_count_fp("10.000").is_err());
        assert!(parse_count_fp("-1").is_err());
        assert_eq!(complement(450_000), 550_000);
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn native_refusals_become_kalshi_errors() {
        let native = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "insufficient_funds", "not enough");
        let kalshi = KalshiError::from(native);
        assert_eq!(
            (kalshi.status, kalshi.code, kalshi.details),
            (StatusCode::BAD_REQUEST, "insufficient_balance", Some("insufficient_funds"))
        );
        let body = kalshi.body();
        assert_eq!(body["code"], "insufficient_balance");
        assert_eq!(body["message"], "not enough");
        let auth = KalshiError::from(ApiError::unauthorized("bad_signature", "no"));
        assert_eq!((auth.status, auth.code), (StatusCode::UNAUTHORIZED, "authentication_error"));
    }
}
