//! Request extractors that fail with the API's own errors: an authenticated call (credentials,
//! rate limit, body size) and strict JSON and query parsing (unknown fields are refused).

use crate::auth::RequestFacts;
use crate::error::ApiError;
use crate::AppState;
use augury_sequencer::registry::{ApiKey, Scopes};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// The largest request body accepted.
pub const BODY_BYTES_MAX: usize = 64 * 1024;

/// An authenticated call needing the scopes in `SCOPES` (bits of [`Scopes`]), with its raw body.
pub struct Call<const SCOPES: u8> {
    pub key: ApiKey,
    pub body: Bytes,
}

pub type ReadCall = Call<1>;
pub type TradeCall = Call<2>;
pub type AdminCall = Call<4>;
pub type ResolverCall = Call<8>;

impl<const SCOPES: u8> Call<SCOPES> {
    /// Parses the body as JSON, refusing unknown fields (the types say `deny_unknown_fields`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(&self.body)
    }
}

/// Parses a request body as JSON. The whole body must be UTF-8 (RFC 8259 section 8.1) before the
/// parser sees it: serde_json checks the strings it keeps, but skips the bytes of strings it
/// ignores (a field a nested type passes over), so a Latin-1 or UTF-16 body could otherwise get
/// through in part.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request("invalid_json", "the request needs a JSON body"));
    }
    let text = utf8_body(body)?;
    serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("the JSON body is not valid: {e}")))
}

/// The body as text, or `invalid_json` naming where it stops being UTF-8.
fn utf8_body(body: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|e| {
        let at = e.valid_up_to();
        ApiError::bad_request(
            "invalid_json",
            format!("the body is not UTF-8, as JSON must be, from offset {at} (byte 0x{:02x})", body[at]),
        )
    })
}

/// For routes that take no query parameters: a query string is refused (400 `invalid_query`)
/// rather than ignored, so a misspelt parameter is never silently dropped.
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match parts.uri.query().filter(|query| !query.is_empty()) {
            None => Ok(NoQuery),
            Some(query) => Err(ApiError::bad_request(
                "invalid_query",
                format!("this route takes no query parameters (got {query:?})"),
            )),
        }
    }
}

/// Parses a raw query string strictly.
pub fn parse_query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_request("invalid_query", format!("the query string is not valid: {e}")))
}

pub fn peer_ip(request: &Request) -> std::net::IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(std::net::IpAddr::from([127, 0, 0, 1]), |ConnectInfo(addr)| addr.ip())
}

impl<const SCOPES: u8> FromRequest<Arc<AppState>> for Call<SCOPES> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let peer = peer_ip(&request);
        let (parts, body) = request.into_parts();
        let body = crate::server::read_body(state, body).await?;
        let facts = request_facts(&parts, &body, peer);
        let needed = Scopes::from_bits(SCOPES);
        let key = if state.config.verifier_threads == 0 {
            state.auth.authenticate(&facts, needed)?
        } else {
            state.auth.authenticate_batched(&facts, needed).await?
        };
        check_key_rate(state, &key)?;
        Ok(Call { key, body })
    }
}

/// The request as authentication sees it, at the venue's clock now.
pub(crate) fn request_facts<'a>(parts: &'a Parts, body: &'a [u8], peer: std::net::IpAddr) -> RequestFacts<'a> {
    RequestFacts {
        headers: &parts.headers,
        method: &parts.method,
        path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        body,
        peer,
        now_ms: crate::now_ms(),
    }
}

/// The per-IP rate limit, before anything else (429 with Retry-After).
pub(crate) fn check_ip_rate(state: &AppState, ip: std::net::IpAddr, now: Instant) -> Result<(), ApiError> {
    state.ip_limits.check(&ip, now).map_err(|wait| {
        state.metrics.rate_limited.inc();
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests from this address")
            .with_retry_after(wait)
    })
}

/// The per-key rate limit, after authentication (429 with Retry-After).
pub(crate) fn check_key_rate(state: &AppState, key: &ApiKey) -> Result<(), ApiError> {
    state.key_limits.check(&key.id, Instant::now()).map_err(|wait| {
        state.metrics.rate_limited.inc();
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests for this API key")
            .with_retry_after(wait)
    })
}
