//! One-time enrollment codes: an admin issues a code for an account (or a new one) with scopes and
//! an expiry; whoever holds it sends it once, with an Ed25519 public key, and that public key
//! becomes a key with those scopes. No password and no secret crosses the wire: the code is
//! random (160 bits), shown once, and the venue stores only its SHA-256; the private key never
//! leaves the browser (or bot) that made it.

use super::{internal, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_json, AdminCall, NoQuery};
use crate::{now_ms, token};
use augury_core::AccountId;
use augury_sequencer::registry::Scopes;
use augury_sequencer::{VenueCommand, VenueOutcome};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

/// How long a code works unless told otherwise: 24 hours.
pub const DEFAULT_LIFETIME_MS: u64 = 24 * 3_600_000;
/// The longest a code may work: 30 days.
pub const LIFETIME_MAX_MS: u64 = 30 * 24 * 3_600_000;

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(create_enrollment)).routes(routes!(redeem_enrollment))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateEnrollment {
    /// The account the key will act for; omitted, a new account is opened when the code is
    /// redeemed.
    account: Option<AccountId>,
    /// Of read, trade, admin, resolver; default ["read", "trade"].
    scopes: Option<Vec<String>>,
    /// The key's label (at most 200 bytes), unless the redeemer gives one; default "enrolled".
    label: Option<String>,
    /// Milliseconds since the epoch after which the code no longer works; default 24 hours from
    /// now, at most 30 days from now.
    expires_ms: Option<u64>,
}

#[derive(Serialize, ToSchema)]
struct CreatedEnrollment {
    /// The one-time code, shown once: `augenroll_` and 40 hex digits. The venue keeps only its
    /// SHA-256.
    code: String,
    expires_ms: u64,
    /// The account the key will act for; null: a new account, opened when the code is redeemed.
    account: Option<AccountId>,
    scopes: Vec<&'static str>,
}

/// Issues a one-time enrollment code (admin). Whoever redeems it (`POST /v1/enrollments/redeem`)
/// with an Ed25519 public key gets a key with these scopes on this account (or a new one). The
/// code works once and until it expires.
#[utoipa::path(post, path = "/v1/enrollments", tag = "keys", request_body = CreateEnrollment,
    security(("signed" = [])),
    responses((status = 201, body = CreatedEnrollment), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn create_enrollment(
    State(state): Shared,
    call: AdminCall,
) -> Result<(StatusCode, Json<CreatedEnrollment>), ApiError> {
    let request: CreateEnrollment = call.json()?;
    let names = request.scopes.clone().unwrap_or_else(|| vec!["read".into(), "trade".into()]);
    let scopes = Scopes::parse(&names.join(",")).map_err(|reason| ApiError::bad_request("invalid_scopes", reason))?;
    if scopes == Scopes::default() {
        return Err(ApiError::bad_request("invalid_scopes", "a code needs at least one scope"));
    }
    let label = request.label.unwrap_or_else(|| "enrolled".into());
    crate::auth::check_key_fields(&label, &[]).map_err(|(code, reason)| ApiError::bad_request(code, reason))?;
    let now = now_ms();
    let expires_ms = request.expires_ms.unwrap_or(now + DEFAULT_LIFETIME_MS);
    if expires_ms <= now {
        return Err(ApiError::bad_request("invalid_expiry", "expires_ms is in the past"));
    }
    if expires_ms > now + LIFETIME_MAX_MS {
        return Err(ApiError::bad_request("invalid_expiry", "a code may work for at most 30 days"));
    }
    let (code, code_sha256) = token::generate_enrollment_code().map_err(|e| {
        tracing::error!(error = %e, "the operating system's random source failed");
        internal("no random source for an enrollment code")
    })?;
    let command = VenueCommand::CreateEnrollment {
        code_sha256,
        account: request.account,
        scopes,
        label,
        created_ms: now,
        expires_ms,
    };
    state.sequencer.execute_async(command).await??;
    Ok((
        StatusCode::CREATED,
        Json(CreatedEnrollment { code, expires_ms, account: request.account, scopes: scopes.names() }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RedeemEnrollment {
    /// The code as issued.
    code: String,
    /// The redeemer's Ed25519 public key, 64 hex digits; the private key never leaves its holder.
    ed25519_public_key: String,
    /// A name for the key (at most 200 bytes); default the code's label.
    label: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Enrolled {
    /// The new key's id (16 hex digits): sign requests with it and the private key.
    key_id: String,
    account: AccountId,
    scopes: Vec<&'static str>,
}

/// Redeems a one-time enrollment code for a key on the given public key (no authentication: the
/// code is the credential; the per-address rate limit applies). The key is made and the code spent
/// as one journal entry. Refused, changing nothing: 404 `unknown_enrollment`, 409
/// `enrollment_used`, 410 `enrollment_expired`.
#[utoipa::path(post, path = "/v1/enrollments/redeem", tag = "keys", request_body = RedeemEnrollment,
    responses((status = 201, body = Enrolled), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn redeem_enrollment(
    _: NoQuery,
    State(state): Shared,
    body: Bytes,
) -> Result<(StatusCode, Json<Enrolled>), ApiError> {
    let request: RedeemEnrollment = parse_json(&body)?;
    // The code's scopes and account win over what the key says (the venue command sets them).
    let (key, _token) =
        super::keys::browser_key(&request.ed25519_public_key, request.label.unwrap_or_default(), Scopes::READ)?;
    let id = key.id;
    let code_sha256 = token::enrollment_code_sha256(&request.code);
    // One creation at a time, so that the count below cannot be raced past the cap.
    let _creating = state.key_creation.lock().await;
    let account = state
        .sequencer
        .query(move |venue| venue.state().enrollments().get(&code_sha256).and_then(|e| e.account))
        .await?;
    if let Some(account) = account {
        super::keys::check_key_cap(&state, account).await?;
    }
    match state.sequencer.execute_async(VenueCommand::Enroll { code_sha256, key }).await?? {
        VenueOutcome::KeyCreated { account, .. } => {
            let scopes = state.auth.key(id).map(|k| k.scopes.names()).unwrap_or_default();
            Ok((StatusCode::CREATED, Json(Enrolled { key_id: token::format_key_id(id), account, scopes })))
        }
        other => Err(internal(&format!("an enrollment gave {other:?}"))),
    }
}
