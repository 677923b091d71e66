//! Every error the API returns: an HTTP status and `{"error":{"code":..., "message":...}}`, with
//! a stable machine-readable code and a message for people. Nothing is ever changed by a request
//! that gets one of these (refusals happen before any state change).

use augury_catalog::CatalogReject;
use augury_sequencer::{SubmitError, VenueReject};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    /// Extra machine-readable detail (for example the fields that differ in a 422).
    pub details: Option<serde_json::Value>,
}

/// The body of every error response (for the OpenAPI document; [`ApiError`] writes it).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, for example `insufficient_funds` or `bad_signature`.
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// More machine-readable detail where a code has it (for example the differing fields of a
    /// reused client_order_id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after: None, details: None }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body { error: Inner { code: self.code, message: &self.message, details: self.details.as_ref() } };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}

impl From<SubmitError> for ApiError {
    fn from(error: SubmitError) -> ApiError {
        match error {
            SubmitError::QueueFull => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the venue is busy; retry shortly")
                    .with_retry_after(1)
            }
            // The sequencer logged why, once. A command that met a failed journal write may or
            // may not be in the journal: say so, so that a client checks before placing it again.
            SubmitError::Stopped(reason) => {
                tracing::debug!(%reason, "refused: the sequencer has stopped");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the venue has stopped taking commands; whether this request took effect is unknown until it \
                     restarts: retry an order with the same client_order_id, or look it up after the restart",
                )
                .with_retry_after(5)
            }
        }
    }
}

impl From<VenueReject> for ApiError {
    fn from(reject: VenueReject) -> ApiError {
        let status = match &reject {
            VenueReject::ClientOrderConflict { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            VenueReject::UnknownKey { .. } => StatusCode::NOT_FOUND,
            VenueReject::DuplicateKey { .. } | VenueReject::KeyAlreadyRevoked { .. } => StatusCode::CONFLICT,
            VenueReject::UnknownEnrollment => StatusCode::NOT_FOUND,
            VenueReject::EnrollmentUsed { .. } | VenueReject::DuplicateEnrollment => StatusCode::CONFLICT,
            VenueReject::EnrollmentExpired { .. } => StatusCode::GONE,
            VenueReject::Engine(reject) => engine_status(reject),
            VenueReject::Catalog(reject) => catalog_status(reject),
            _ => StatusCode::BAD_REQUEST,
        };
        let details = match &reject {
            VenueReject::ClientOrderConflict { fields, .. } => Some(serde_json::json!({ "differing_fields": fields })),
            VenueReject::Catalog(CatalogReject::TooLong { field, max, length }) => {
                Some(serde_json::json!({ "field": field, "max": max, "length": length }))
            }
            VenueReject::Catalog(
                CatalogReject::InvalidField { field, .. } | CatalogReject::RepeatedField { field },
            ) => Some(serde_json::json!({ "field": field })),
            _ => None,
        };
        ApiError { status, code: reject.code(), message: reject.to_string(), retry_after: None, details }
    }
}

fn catalog_status(reject: &CatalogReject) -> StatusCode {
    match reject {
        CatalogReject::UnknownEvent { .. } | CatalogReject::UnknownSeries { .. } => StatusCode::NOT_FOUND,
        CatalogReject::DuplicateSlug { .. }
        | CatalogReject::AlreadyListed { .. }
        | CatalogReject::DuplicateEvent { .. }
        | CatalogReject::DuplicateSeries { .. } => StatusCode::CONFLICT,
        CatalogReject::TooLong { .. }
        | CatalogReject::InvalidField { .. }
        | CatalogReject::NoChanges
        | CatalogReject::RepeatedField { .. } => StatusCode::BAD_REQUEST,
    }
}

fn engine_status(reject: &augury_core::Reject) -> StatusCode {
    use augury_core::Reject;
    match reject {
        Reject::UnknownMarket { .. } | Reject::UnknownOrder { .. } | Reject::UnknownAccount { .. } => {
            StatusCode::NOT_FOUND
        }
        // The request repeats something that already happened (or contradicts it).
        Reject::DuplicateMarket { .. }
        | Reject::DuplicateOrderId { .. }
        | Reject::RuleAlreadySet { .. }
        | Reject::AmmAlreadyEnabled { .. }
        | Reject::AlreadyVoted { .. }
        | Reject::ArbiterUnchanged { .. }
        | Reject::IndexValueConflict { .. } => StatusCode::CONFLICT,
        // Well-formed, but the venue's state does not allow it now.
        Reject::InsufficientFunds { .. }
        | Reject::InsufficientShares { .. }
        | Reject::MarketNotOpen { .. }
        | Reject::WrongMarketStatus { .. }
        | Reject::MarketNotSettled { .. }
        | Reject::NothingToRedeem { .. }
        | Reject::ResolvedByRule { .. }
        | Reject::BondTooSmall { .. }
        | Reject::BondMismatch { .. }
        | Reject::OwnProposal
        | Reject::NotAnArbiter { .. }
        | Reject::TooManyArbiters { .. }
        | Reject::IndexValueInFuture { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_REQUEST,
    }
}
