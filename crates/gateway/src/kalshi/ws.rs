//! The Kalshi WebSocket (placeholder while the REST surface builds).
use crate::AppState;
use axum::Router;
use std::sync::Arc;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new().with_state(state)
}
