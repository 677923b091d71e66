//! A demo venue's one-click accounts: a visitor's browser makes an Ed25519 key pair, keeps the
//! private half to itself, and sends the public half here; the venue opens a play-money account
//! with a key for it (read and trade). From then on the browser signs every request exactly as a
//! bot does. Only a venue started with `--demo` serves this (`GatewayConfig::demo_deposit_micros`).

use super::{internal, ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_json, NoQuery};
use crate::token;
use augury_core::{AccountId, Micros};
use augury_sequencer::registry::Scopes;
use augury_sequencer::{VenueCommand, VenueOutcome};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(demo_status)).routes(routes!(open_demo_account))
}

#[derive(Serialize, ToSchema)]
struct DemoStatus {
    /// Whether this venue opens play-money accounts.
    enabled: bool,
    /// What each new account is credited with.
    deposit_micros: Option<Micros>,
}

/// Whether this venue opens play-money accounts (a venue started with `--demo` does).
#[utoipa::path(get, path = "/v1/demo", tag = "keys", responses((status = 200, body = DemoStatus)))]
async fn demo_status(_: NoQuery, State(state): Shared) -> ApiResult<DemoStatus> {
    let deposit_micros = state.config.demo_deposit_micros;
    Ok(Json(DemoStatus { enabled: deposit_micros.is_some(), deposit_micros }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OpenDemoAccount {
    /// The visitor's Ed25519 public key, 64 hex digits; the private key never leaves the browser.
    ed25519_public_key: String,
    /// A name for the key (at most 200 bytes); default "web".
    label: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct DemoAccount {
    key_id: String,
    account: AccountId,
    deposit_micros: Micros,
    /// The key's bearer token for reads, shown once (a browser that signs every request does not
    /// need it).
    token: String,
}

/// Opens a play-money account with a key for the given public key (demo venues only; no
/// authentication: the per-address rate limit applies). The account, its key and its deposit are
/// one journal entry.
#[utoipa::path(post, path = "/v1/demo/accounts", tag = "keys", request_body = OpenDemoAccount,
    responses((status = 201, body = DemoAccount), (status = 404, body = ErrorBody)))]
async fn open_demo_account(
    _: NoQuery,
    State(state): Shared,
    body: Bytes,
) -> Result<(StatusCode, Json<DemoAccount>), ApiError> {
    let Some(deposit_micros) = state.config.demo_deposit_micros else {
        return Err(ApiError::not_found("demo_disabled", "this venue does not open demo accounts"));
    };
    let request: OpenDemoAccount = parse_json(&body)?;
    let label = request.label.unwrap_or_else(|| "web".into());
    let (key, token) = super::keys::browser_key(&request.ed25519_public_key, label, Scopes::READ.union(Scopes::TRADE))?;
    let id = key.id;
    match state.sequencer.execute_async(VenueCommand::OpenDemoAccount { key, deposit_micros }).await?? {
        VenueOutcome::KeyCreated { account, .. } => Ok((
            StatusCode::CREATED,
            Json(DemoAccount { key_id: token::format_key_id(id), account, deposit_micros, token }),
        )),
        other => Err(internal(&format!("a demo account gave {other:?}"))),
    }
}
