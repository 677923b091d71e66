//! What operators and load balancers poll: liveness, readiness and Prometheus metrics.

use super::{Routes, Shared};
use crate::error::ApiError;
use axum::extract::State;
use axum::response::IntoResponse;
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}

/// The sequencer answers (the venue can take orders).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain")))]
async fn readyz(State(state): Shared) -> Result<&'static str, ApiError> {
    state.sequencer.query(|_| ()).await?;
    Ok("ready")
}

/// Prometheus metrics: requests, orders, latency histograms, queue depth, journal commit time,
/// WebSocket sessions.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain")))]
async fn metrics(State(state): Shared) -> impl IntoResponse {
    let mut text = state.metrics.render(state.sequencer.stats());
    let sessions = state.ws.session_count();
    text.push_str(&format!(
        "# HELP augury_ws_sessions open WebSocket sessions\n# TYPE augury_ws_sessions gauge\naugury_ws_sessions {sessions}\n"
    ));
    ([("content-type", "text/plain; version=0.0.4")], text)
}
