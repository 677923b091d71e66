//! API keys: create (a key may create keys for its own account with at most its own scopes; an
//! admin for any account, or a new one), list, revoke. The secret token is shown once.

use super::{internal, ApiResult, Routes, Shared};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{NoQuery, ReadCall, TradeCall};
use crate::{now_ms, token};
use augury_core::AccountId;
use augury_sequencer::registry::{ApiKey, NewApiKey, Scopes};
use augury_sequencer::VenueCommand;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use utoipa::ToSchema;
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(list_keys, create_key)).routes(routes!(revoke_key))
}

#[derive(Serialize, ToSchema)]
struct KeyView {
    /// 16 hex digits.
    key_id: String,
    account: AccountId,
    label: String,
    /// Of read, trade, admin, resolver.
    scopes: Vec<&'static str>,
    /// 64 hex digits, when the key signs requests.
    ed25519_public_key: Option<String>,
    /// SHA-256 (64 hex) of the RSA public key's SubjectPublicKeyInfo DER, when the key signs
    /// Kalshi-compatible requests (docs/kalshi-compat.md).
    rsa_public_key_sha256: Option<String>,
    created_ms: u64,
    expires_ms: Option<u64>,
    revoked_ms: Option<u64>,
    ip_allowlist: Vec<String>,
}

impl From<&ApiKey> for KeyView {
    fn from(key: &ApiKey) -> KeyView {
        KeyView {
            key_id: token::format_key_id(key.id),
            account: key.account,
            label: key.label.clone(),
            scopes: key.scopes.names(),
            ed25519_public_key: key.ed25519_public_key.map(|k| token::hex(&k)),
            rsa_public_key_sha256: key.rsa_public_key.as_deref().map(|k| token::hex(&sha2::Sha256::digest(k))),
            created_ms: key.created_ms,
            expires_ms: key.expires_ms,
            revoked_ms: key.revoked_ms,
            ip_allowlist: key.ip_allowlist.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    #[serde(default)]
    label: String,
    /// Defaults to ["read"].
    scopes: Option<Vec<String>>,
    /// 64 hex characters; required for any scope beyond read (unless rsa_public_key is given),
    /// since only signed requests trade. Refused (400 `invalid_public_key`) unless it is a key
    /// some Ed25519 secret gives: canonically encoded, not of small order, no torsion component.
    ed25519_public_key: Option<String>,
    /// An RSA public key (PEM, `PUBLIC KEY` or `RSA PUBLIC KEY`) that signs requests to the
    /// Kalshi-compatible surface (docs/kalshi-compat.md): a modulus of 2,048 to 8,192 bits and an
    /// odd public exponent from 65,537 to 2^32 - 1.
    rsa_public_key: Option<String>,
    expires_ms: Option<u64>,
    #[serde(default)]
    ip_allowlist: Vec<String>,
    /// Admins only: the account the key acts for (default: the caller's own).
    account: Option<AccountId>,
    /// Admins only: open a new account for the key.
    #[serde(default)]
    new_account: bool,
}

#[derive(Serialize, ToSchema)]
struct CreatedKey {
    key: KeyView,
    /// Shown once; the venue keeps only its hash.
    token: String,
}

/// Creates a key. A key may create keys for its own account with at most its own scopes; an admin
/// key may create keys for any account, or for a new one.
#[utoipa::path(post, path = "/v1/keys", tag = "keys", request_body = CreateKey,
    security(("signed" = [])),
    responses((status = 201, body = CreatedKey), (status = 403, body = ErrorBody)))]
async fn create_key(State(state): Shared, call: TradeCall) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let request: CreateKey = call.json()?;
    let names = request.scopes.clone().unwrap_or_else(|| vec!["read".into()]);
    let scopes = Scopes::parse(&names.join(",")).map_err(|reason| ApiError::bad_request("invalid_scopes", reason))?;
    let is_admin = call.key.scopes.contains(Scopes::ADMIN);
    if !is_admin && (!call.key.scopes.contains(scopes) || request.account.is_some() || request.new_account) {
        return Err(ApiError::forbidden(
            "missing_scope",
            "only an admin key may create keys for other accounts or with scopes beyond its own",
        ));
    }
    // The same checks as `augury keys create`: a key that can never sign is refused here, not
    // discovered at its first request.
    let ed25519_public_key = request
        .ed25519_public_key
        .as_deref()
        .map(crate::verify::parse_ed25519_public_key)
        .transpose()
        .map_err(|reason| ApiError::bad_request("invalid_public_key", format!("ed25519_public_key: {reason}")))?;
    let rsa_public_key = match &request.rsa_public_key {
        Some(pem) => Some(
            crate::kalshi::rsa::parse_public_key(pem.as_bytes())
                .map_err(|reason| ApiError::bad_request("invalid_public_key", format!("rsa_public_key: {reason}")))?,
        ),
        None => None,
    };
    if ed25519_public_key.is_none() && rsa_public_key.is_none() && scopes != Scopes::READ {
        return Err(ApiError::bad_request(
            "invalid_public_key",
            "a key with scopes beyond read needs ed25519_public_key or rsa_public_key: only signed requests can trade",
        ));
    }
    crate::auth::check_key_fields(&request.label, &request.ip_allowlist)
        .map_err(|(code, reason)| ApiError::bad_request(code, reason))?;
    let now = now_ms();
    if request.expires_ms.is_some_and(|at| at <= now) {
        return Err(ApiError::bad_request("invalid_expiry", "expires_ms is in the past"));
    }
    let account = match (is_admin, request.account, request.new_account) {
        (_, Some(_), true) => {
            return Err(ApiError::bad_request("invalid_account", "give account or new_account, not both"))
        }
        (true, None, true) => None,
        (true, Some(account), false) => Some(account),
        _ => Some(call.key.account),
    };
    let (id, token, secret_sha256) = token::generate().map_err(|e| {
        tracing::error!(error = %e, "the operating system's random source failed");
        internal("no random source for a new key")
    })?;
    let new_key = NewApiKey {
        id,
        account,
        label: request.label.clone(),
        scopes,
        secret_sha256,
        ed25519_public_key,
        created_ms: now,
        expires_ms: request.expires_ms,
        ip_allowlist: request.ip_allowlist.clone(),
    };
    let command = match rsa_public_key {
        Some(rsa_public_key) => VenueCommand::CreateRsaKey { key: new_key, rsa_public_key },
        None => VenueCommand::CreateKey { key: new_key },
    };
    // One creation at a time, so that the count below cannot be raced past the cap.
    let _creating = state.key_creation.lock().await;
    if let Some(account) = account {
        check_key_cap(&state, account).await?;
    }
    state.sequencer.execute_async(command).await??;
    let key = state.auth.key(id).ok_or_else(|| internal("the created key is not in the key table"))?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key: KeyView::from(&key), token })))
}

/// Refuses a new key for an account that already holds the most unrevoked keys allowed. Call it
/// holding `AppState::key_creation`, so that two creations cannot both pass the count.
pub(super) async fn check_key_cap(state: &crate::AppState, account: AccountId) -> Result<(), ApiError> {
    let held = state
        .sequencer
        .query(move |venue| venue.state().registry().keys(Some(account)).filter(|k| k.revoked_ms.is_none()).count())
        .await?;
    if held >= crate::auth::KEYS_PER_ACCOUNT_MAX {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_keys",
            format!("account {account} holds {held} keys that are not revoked, the most allowed: revoke one first"),
        ));
    }
    Ok(())
}

/// A key for a browser that made its own Ed25519 key pair (demo accounts, enrollment codes): the
/// public key and label checked as `POST /v1/keys` checks them, a fresh id and secret (the token
/// is returned once), no account yet (the venue command decides it).
pub(super) fn browser_key(
    ed25519_public_key: &str,
    label: String,
    scopes: Scopes,
) -> Result<(NewApiKey, String), ApiError> {
    let ed25519_public_key = crate::verify::parse_ed25519_public_key(ed25519_public_key)
        .map_err(|reason| ApiError::bad_request("invalid_public_key", format!("ed25519_public_key: {reason}")))?;
    crate::auth::check_key_fields(&label, &[]).map_err(|(code, reason)| ApiError::bad_request(code, reason))?;
    let (id, token, secret_sha256) = token::generate().map_err(|e| {
        tracing::error!(error = %e, "the operating system's random source failed");
        internal("no random source for a new key")
    })?;
    let key = NewApiKey {
        id,
        account: None,
        label,
        scopes,
        secret_sha256,
        ed25519_public_key: Some(ed25519_public_key),
        created_ms: now_ms(),
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    Ok((key, token))
}

/// The caller's account's keys (an admin sees every key). Secrets are never shown again.
#[utoipa::path(get, path = "/v1/keys", tag = "keys",
    security(("signed" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<KeyView>)))]
async fn list_keys(_: NoQuery, State(state): Shared, call: ReadCall) -> ApiResult<Vec<KeyView>> {
    let account = call.key.account;
    let all = call.key.scopes.contains(Scopes::ADMIN);
    let keys = state
        .sequencer
        .query(move |venue| {
            venue.state().registry().keys((!all).then_some(account)).map(KeyView::from).collect::<Vec<_>>()
        })
        .await?;
    Ok(Json(keys))
}

/// Revokes a key at once: its next request is refused. A key may revoke itself or another key of
/// its account; an admin key may revoke any key.
#[utoipa::path(delete, path = "/v1/keys/{key}", tag = "keys",
    params(("key" = String, Path, description = "Key id (16 hex digits)")),
    security(("signed" = [])),
    responses((status = 200, body = KeyView), (status = 404, body = ErrorBody)))]
async fn revoke_key(State(state): Shared, Path(key): Path<String>, call: TradeCall) -> ApiResult<KeyView> {
    let id =
        token::parse_key_id(&key).ok_or_else(|| ApiError::bad_request("invalid_path", "a key id is 16 hex digits"))?;
    let target = state.auth.key(id).ok_or_else(|| ApiError::not_found("unknown_key", "no such key"))?;
    if target.account != call.key.account && !call.key.scopes.contains(Scopes::ADMIN) {
        return Err(ApiError::not_found("unknown_key", "no such key"));
    }
    state.sequencer.execute_async(VenueCommand::RevokeKey { key: id, at_ms: now_ms() }).await??;
    let key = state.auth.key(id).ok_or_else(|| internal("the revoked key is not in the key table"))?;
    Ok(Json(KeyView::from(&key)))
}
