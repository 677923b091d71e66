//! Who is calling, and may they: API key lookup, Ed25519 request signatures, bearer tokens for
//! reads, the replay window, nonces, expiry, revocation, IP allowlists and scopes.
//!
//! The signed message (docs/api-signing.md describes it for client authors):
//!
//! ```text
//! augury-v1 \n key id (16 hex) \n timestamp ms \n nonce \n METHOD \n path \n raw query \n hex SHA-256 of the raw body
//! ```
//!
//! Headers: `Augury-Key`, `Augury-Timestamp`, `Augury-Nonce`, `Augury-Signature` (base64 of the
//! 64-byte Ed25519 signature). A signed request may use every scope its key has; a bearer token
//! (`Authorization: Bearer aug_...`) alone may only read.

use crate::error::ApiError;
use crate::replay::{Refusal, SpentRequests};
use crate::token;
use crate::verify::{BatchVerifier, PublicKey};
use augury_sequencer::registry::{ApiKey, KeyId, Scopes};
use axum::http::StatusCode;
use axum::http::{HeaderMap, Method};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use subtle::ConstantTimeEq;

pub const SIGNATURE_VERSION: &str = "augury-v1";
pub const HEADER_KEY: &str = "augury-key";
pub const HEADER_TIMESTAMP: &str = "augury-timestamp";
pub const HEADER_NONCE: &str = "augury-nonce";
pub const HEADER_SIGNATURE: &str = "augury-signature";

/// Builds the exact bytes a client signs.
pub fn signing_message(
    key: KeyId,
    timestamp_ms: u64,
    nonce: &str,
    method: &str,
    path: &str,
    raw_query: &str,
    body: &[u8],
) -> String {
    let body_hash = token::hex(&Sha256::digest(body));
    format!(
        "{SIGNATURE_VERSION}\n{}\n{timestamp_ms}\n{nonce}\n{method}\n{path}\n{raw_query}\n{body_hash}",
        token::format_key_id(key)
    )
}

/// The request as authentication sees it.
pub struct RequestFacts<'a> {
    pub headers: &'a HeaderMap,
    pub method: &'a Method,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub body: &'a [u8],
    pub peer: IpAddr,
    pub now_ms: u64,
}

/// Live copies of the venue's keys (updated from the journal's committed entries before any
/// caller hears about a change, so a revocation is effective when its answer arrives), and the
/// requests spent inside the replay window ([`crate::replay`], across restarts too).
pub struct Authenticator {
    keys: RwLock<HashMap<KeyId, Arc<KnownKey>>>,
    spent: SpentRequests,
    verifier: BatchVerifier,
}

/// A key with its Ed25519 public key already decompressed: decompression is a field square root
/// (about 4 us), which would otherwise be paid again on every signed request.
/// It is also classified for batch verification then (see [`crate::verify`]).
struct KnownKey {
    key: ApiKey,
    verifying: Option<PublicKey>,
    /// The RSA public key in the PKCS#1 form ring verifies with (the registry keeps the
    /// SubjectPublicKeyInfo), for the Kalshi-compatible surface.
    rsa_pkcs1: Option<Vec<u8>>,
}

impl KnownKey {
    fn new(key: ApiKey) -> Arc<KnownKey> {
        let verifying = key
            .ed25519_public_key
            .and_then(|bytes| ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok())
            .map(PublicKey::new);
        let rsa_pkcs1 = key.rsa_public_key.as_deref().and_then(crate::kalshi::rsa::spki_to_pkcs1).map(<[u8]>::to_vec);
        Arc::new(KnownKey { key, verifying, rsa_pkcs1 })
    }
}

/// A signed request checked up to its signature.
struct PendingSignature<'a> {
    known: Arc<KnownKey>,
    public: PublicKey,
    message: String,
    signature: ed25519_dalek::Signature,
    nonce: &'a str,
    timestamp_ms: u64,
}

impl Authenticator {
    /// With one signature verifier thread, remembering spent nonces in memory only.
    pub fn new(keys: impl IntoIterator<Item = ApiKey>, window_ms: u64) -> Authenticator {
        Authenticator::with_spent(keys, SpentRequests::in_memory(window_ms), 1)
    }

    /// With `spent` (its window is the signature window) and `verifier_threads` verifiers.
    pub fn with_spent(
        keys: impl IntoIterator<Item = ApiKey>,
        spent: SpentRequests,
        verifier_threads: usize,
    ) -> Authenticator {
        Authenticator {
            verifier: BatchVerifier::start(verifier_threads),
            keys: RwLock::new(keys.into_iter().map(|k| (k.id, KnownKey::new(k))).collect()),
            spent,
        }
    }

    /// The spent requests, for the gateway's lease renewal and clean stop.
    pub fn spent(&self) -> &SpentRequests {
        &self.spent
    }

    pub fn upsert_key(&self, key: ApiKey) {
        let known = KnownKey::new(key);
        self.keys.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(known.key.id, known);
    }

    pub fn key_count(&self) -> usize {
        self.keys.read().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    pub fn key(&self, id: KeyId) -> Option<ApiKey> {
        self.known(id).map(|known| known.key.clone())
    }

    fn known(&self, id: KeyId) -> Option<Arc<KnownKey>> {
        self.keys.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id).cloned()
    }

    /// Authenticates a request and checks it may use `needed`, verifying a signature on the
    /// calling thread.
    pub fn authenticate(&self, facts: &RequestFacts<'_>, needed: Scopes) -> Result<ApiKey, ApiError> {
        if facts.headers.contains_key(HEADER_SIGNATURE) {
            let pending = self.prepare_signature(facts)?;
            let verified = pending.public.key.verify_strict(pending.message.as_bytes(), &pending.signature).is_ok();
            return Self::check_scope(self.finish_signature(pending, verified, facts.now_ms)?, needed);
        }
        self.authenticate_unsigned(facts, needed)
    }

    /// Like [`Authenticator::authenticate`], but a signature is verified by the verifier threads,
    /// in a batch with other requests' (see [`crate::verify`]): the request's task waits without
    /// holding its worker thread.
    pub async fn authenticate_batched(&self, facts: &RequestFacts<'_>, needed: Scopes) -> Result<ApiKey, ApiError> {
        if facts.headers.contains_key(HEADER_SIGNATURE) {
            let mut pending = self.prepare_signature(facts)?;
            let message = std::mem::take(&mut pending.message).into_bytes();
            let verified = self.verifier.verify(pending.public, message, pending.signature).await;
            return Self::check_scope(self.finish_signature(pending, verified, facts.now_ms)?, needed);
        }
        self.authenticate_unsigned(facts, needed)
    }

    /// Authenticates a request signed the Kalshi way (RSA-PSS over timestamp + method + path, see
    /// [`crate::kalshi`]) and checks it may use `needed`: the same key table, time window,
    /// revocation, expiry, allowlist and scopes as a native request. Kalshi's signature has no
    /// nonce; an exact repeat of (key, timestamp, signature) inside the remembered span is refused
    /// through the nonce cache, so a captured request cannot be replayed as it was.
    pub fn authenticate_kalshi(&self, facts: &RequestFacts<'_>, needed: Scopes) -> Result<ApiKey, ApiError> {
        use crate::kalshi::{HEADER_KEY as K_KEY, HEADER_SIGNATURE as K_SIGNATURE, HEADER_TIMESTAMP as K_TIMESTAMP};
        let missing = |name: &str| {
            ApiError::unauthorized("missing_credentials", format!("a signed request needs the {name} header"))
        };
        let key_text = header(facts.headers, K_KEY)?.ok_or_else(|| missing("KALSHI-ACCESS-KEY"))?;
        let timestamp_text = header(facts.headers, K_TIMESTAMP)?.ok_or_else(|| missing("KALSHI-ACCESS-TIMESTAMP"))?;
        let signature_text = header(facts.headers, K_SIGNATURE)?.ok_or_else(|| missing("KALSHI-ACCESS-SIGNATURE"))?;
        let id = token::parse_key_id(key_text.trim()).ok_or_else(|| {
            ApiError::unauthorized("unknown_key", "KALSHI-ACCESS-KEY is an Augury key id of 16 hex digits")
        })?;
        let timestamp_ms = parse_timestamp(timestamp_text, "KALSHI-ACCESS-TIMESTAMP")?;
        self.check_time(timestamp_ms, facts.now_ms)?;
        let known = self.usable(id, facts)?;
        let pkcs1 = known.rsa_pkcs1.as_deref().ok_or_else(|| {
            ApiError::unauthorized(
                "bad_signature",
                "this key has no RSA public key (augury keys create --rsa-public-key)",
            )
        })?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature_text)
            .map_err(|_| ApiError::unauthorized("bad_signature", "KALSHI-ACCESS-SIGNATURE is not base64"))?;
        let message = crate::kalshi::rsa::signing_message(timestamp_text, facts.method.as_str(), facts.path);
        if !crate::kalshi::rsa::verify_pss(pkcs1, message.as_bytes(), &signature) {
            return Err(ApiError::unauthorized("bad_signature", "the signature does not verify for this request"));
        }
        // PSS signatures are salted, so two honest requests in one millisecond differ; only a
        // replayed one repeats. The digest keeps the cache entry short whatever the key size.
        let replay_mark = format!("kalshi:{timestamp_ms}:{}", token::hex(&Sha256::digest(&signature)[..16]));
        self.spent.spend(id, &replay_mark, timestamp_ms, facts.now_ms).map_err(|refusal| match refusal {
            Refusal::Replayed => {
                ApiError::unauthorized("replayed_signature", "this exact signed request was already used")
            }
            refusal => refused(refusal, timestamp_ms, facts.now_ms),
        })?;
        Self::check_scope(known.key.clone(), needed)
    }

    fn authenticate_unsigned(&self, facts: &RequestFacts<'_>, needed: Scopes) -> Result<ApiKey, ApiError> {
        let key = if let Some(bearer) = header(facts.headers, "authorization")?.and_then(bearer_credentials) {
            let key = self.check_bearer(bearer.trim(), facts)?;
            if needed != Scopes::READ {
                return Err(ApiError::unauthorized(
                    "signature_required",
                    "this request changes state: sign it with the key's Ed25519 key (a bearer token may only read)",
                ));
            }
            key
        } else {
            return Err(ApiError::unauthorized(
                "missing_credentials",
                "sign the request (Augury-Key, Augury-Timestamp, Augury-Nonce, Augury-Signature) or send Authorization: Bearer <token> for reads",
            ));
        };
        Self::check_scope(key, needed)
    }

    fn check_scope(key: ApiKey, needed: Scopes) -> Result<ApiKey, ApiError> {
        if !key.scopes.contains(needed) {
            return Err(ApiError::forbidden(
                "missing_scope",
                format!(
                    "this key has scopes [{}] but the request needs {}",
                    key.scopes.names().join(", "),
                    needed.names().join(", ")
                ),
            ));
        }
        Ok(key)
    }

    fn usable(&self, id: KeyId, facts: &RequestFacts<'_>) -> Result<Arc<KnownKey>, ApiError> {
        let known = self.known(id).ok_or_else(|| ApiError::unauthorized("unknown_key", "no such API key"))?;
        let key = &known.key;
        if key.revoked_ms.is_some() {
            return Err(ApiError::unauthorized("revoked_key", "this API key has been revoked"));
        }
        if key.expires_ms.is_some_and(|at| facts.now_ms >= at) {
            return Err(ApiError::unauthorized("expired_key", "this API key has expired"));
        }
        if !key.ip_allowlist.is_empty() && !key.ip_allowlist.iter().any(|entry| ip_matches(entry, facts.peer)) {
            return Err(ApiError::forbidden("ip_not_allowed", format!("this key may not be used from {}", facts.peer)));
        }
        Ok(known)
    }

    fn check_bearer(&self, bearer: &str, facts: &RequestFacts<'_>) -> Result<ApiKey, ApiError> {
        let parsed = token::parse(bearer).map_err(|reason| ApiError::unauthorized("malformed_token", reason))?;
        let known = self.usable(parsed.key, facts)?;
        if !bool::from(known.key.secret_sha256.ct_eq(&parsed.secret_sha256)) {
            return Err(ApiError::unauthorized("bad_token", "the token does not match the key"));
        }
        Ok(known.key.clone())
    }

    /// Every check of a signed request but the signature itself, in the documented order.
    fn prepare_signature<'a>(&self, facts: &RequestFacts<'a>) -> Result<PendingSignature<'a>, ApiError> {
        let missing = |name: &str| {
            ApiError::unauthorized("missing_credentials", format!("a signed request needs the {name} header"))
        };
        let key_text = header(facts.headers, HEADER_KEY)?.ok_or_else(|| missing("Augury-Key"))?;
        let timestamp_text = header(facts.headers, HEADER_TIMESTAMP)?.ok_or_else(|| missing("Augury-Timestamp"))?;
        let nonce = header(facts.headers, HEADER_NONCE)?.ok_or_else(|| missing("Augury-Nonce"))?;
        let signature_text = header(facts.headers, HEADER_SIGNATURE)?.ok_or_else(|| missing("Augury-Signature"))?;
        let id = token::parse_key_id(key_text)
            .ok_or_else(|| ApiError::unauthorized("unknown_key", "Augury-Key is a key id of 16 hex digits"))?;
        let timestamp_ms = parse_timestamp(timestamp_text, "Augury-Timestamp")?;
        self.check_time(timestamp_ms, facts.now_ms)?;
        if nonce.is_empty() || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::unauthorized("bad_nonce", "Augury-Nonce is 1 to 64 printable ASCII characters"));
        }
        let known = self.usable(id, facts)?;
        let public = known.verifying.as_ref().ok_or_else(|| {
            ApiError::unauthorized("bad_signature", "this key has no Ed25519 public key to verify against")
        })?;
        let signature_bytes = base64::engine::general_purpose::STANDARD
            .decode(signature_text)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or_else(|| ApiError::unauthorized("bad_signature", "Augury-Signature is the base64 of 64 bytes"))?;
        let message =
            signing_message(id, timestamp_ms, nonce, facts.method.as_str(), facts.path, facts.raw_query, facts.body);
        let public = *public;
        Ok(PendingSignature {
            known,
            public,
            message,
            signature: ed25519_dalek::Signature::from_bytes(&signature_bytes),
            nonce,
            timestamp_ms,
        })
    }

    /// After the signature's verdict: refuse, or spend the nonce.
    fn finish_signature(&self, pending: PendingSignature<'_>, verified: bool, now_ms: u64) -> Result<ApiKey, ApiError> {
        if !verified {
            return Err(ApiError::unauthorized("bad_signature", "the signature does not verify for this request"));
        }
        // Only a verified request may spend a nonce, so nobody can fill the cache for others.
        self.spend(pending.known.key.id, pending.nonce, pending.timestamp_ms, now_ms)?;
        Ok(pending.known.key.clone())
    }

    /// The time checks of a signed request, before its signature: inside the window, after the
    /// floor a crash left, and under the lease on disk ([`crate::replay`]).
    fn check_time(&self, timestamp_ms: u64, now_ms: u64) -> Result<(), ApiError> {
        let window_ms = self.spent.window_ms();
        if timestamp_ms.abs_diff(now_ms) > window_ms {
            return Err(ApiError::unauthorized(
                "stale_timestamp",
                format!(
                    "the request timestamp is {} ms from the venue's clock; the window is {} ms",
                    timestamp_ms.abs_diff(now_ms),
                    window_ms
                ),
            ));
        }
        self.spent.check(timestamp_ms, now_ms).map_err(|refusal| refused(refusal, timestamp_ms, now_ms))
    }

    /// Spends a verified request's mark (its nonce, or the Kalshi surface's timestamp and
    /// signature).
    fn spend(&self, key: KeyId, mark: &str, timestamp_ms: u64, now_ms: u64) -> Result<(), ApiError> {
        self.spent.spend(key, mark, timestamp_ms, now_ms).map_err(|refusal| refused(refusal, timestamp_ms, now_ms))
    }
}

/// The API's answer to a refusal of [`crate::replay`].
fn refused(refusal: Refusal, timestamp_ms: u64, now_ms: u64) -> ApiError {
    match refusal {
        Refusal::Replayed => ApiError::unauthorized("replayed_nonce", "this nonce was already used with this key"),
        // 503, not 401: for an honest client this passes once the clock is past the floor.
        Refusal::BeforeRestart { floor_ms } => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timestamp_before_restart",
            format!(
                "the venue restarted after an unclean stop, so a request timestamped at or before {floor_ms} \
                 could repeat one it accepted before; this one is timestamped {timestamp_ms}: sign it again \
                 with the current time once the clock has passed {floor_ms}"
            ),
        )
        .with_retry_after(floor_ms.saturating_sub(now_ms) / 1_000 + 1),
        Refusal::LeaseExpired => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "replay_guard_unavailable",
            "the venue cannot record spent requests on disk just now, so it takes no signed requests; retry shortly",
        )
        .with_retry_after(1),
        Refusal::Closed => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", "the venue is stopping").with_retry_after(5)
        }
    }
}

/// A timestamp header: milliseconds since the epoch in canonical decimal (digits only, no sign,
/// no leading zero), because the signed message carries the number in that form.
fn parse_timestamp(text: &str, header_name: &str) -> Result<u64, ApiError> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse::<u64>().ok()).flatten().ok_or_else(|| {
        ApiError::unauthorized(
            "invalid_timestamp",
            format!("{header_name} is milliseconds since the Unix epoch in decimal digits, with no sign, spaces or leading zeros"),
        )
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ApiError> {
    headers
        .get(name)
        .map(|v| v.to_str().map_err(|_| ApiError::bad_request("bad_header", format!("the {name} header is not text"))))
        .transpose()
}

/// The credentials of an `Authorization: Bearer ...` header. The scheme name is case-insensitive
/// (RFC 9110, section 11.1) and is followed by one or more spaces.
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| credentials.trim_start_matches(' '))
}

/// Whether `peer` matches an allowlist entry: an address or a CIDR block.
pub fn ip_matches(entry: &str, peer: IpAddr) -> bool {
    let (address, bits) = match entry.split_once('/') {
        Some((address, bits)) => (address, bits.parse::<u32>().ok()),
        None => (entry, None),
    };
    let Ok(address) = address.parse::<IpAddr>() else { return false };
    let peer = match (address, peer) {
        (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(peer),
        _ => peer,
    };
    match (address, peer) {
        (IpAddr::V4(a), IpAddr::V4(p)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(a) & mask == u32::from(p) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(p)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(a) & mask == u128::from(p) & mask
        }
        _ => false,
    }
}

/// The longest label a key may carry.
pub const KEY_LABEL_MAX_BYTES: usize = 200;
/// The most addresses or blocks in one key's allowlist (each request scans it).
pub const KEY_ALLOWLIST_MAX: usize = 64;
/// The most keys one account may hold that are not revoked (every key is kept in memory and
/// journaled): revoke one to make another.
pub const KEYS_PER_ACCOUNT_MAX: usize = 100;

/// Why a new key's own fields are refused: the API code and the reason.
pub fn check_key_fields(label: &str, ip_allowlist: &[String]) -> Result<(), (&'static str, String)> {
    if label.len() > KEY_LABEL_MAX_BYTES {
        let reason = format!("the label is {} bytes; at most {KEY_LABEL_MAX_BYTES}", label.len());
        return Err(("invalid_label", reason));
    }
    if ip_allowlist.len() > KEY_ALLOWLIST_MAX {
        let reason = format!("the allowlist has {} entries; at most {KEY_ALLOWLIST_MAX}", ip_allowlist.len());
        return Err(("invalid_ip_allowlist", reason));
    }
    for entry in ip_allowlist {
        check_allowlist_entry(entry).map_err(|reason| ("invalid_ip_allowlist", reason))?;
    }
    Ok(())
}

/// Checks allowlist entries when a key is created.
pub fn check_allowlist_entry(entry: &str) -> Result<(), String> {
    let (address, bits) = entry.split_once('/').map_or((entry, None), |(a, b)| (a, Some(b)));
    let parsed: IpAddr = address.parse().map_err(|_| format!("{entry:?} is not an IP address or CIDR block"))?;
    if let Some(bits) = bits {
        let max = if parsed.is_ipv4() { 32 } else { 128 };
        match bits.parse::<u32>() {
            Ok(b) if b <= max => {}
            _ => return Err(format!("{entry:?} has a bad prefix length")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of docs/api-signing.md (RFC 8032's first test key), byte for byte.
    #[test]
    fn the_documented_example_signs_and_verifies() {
        use augury_core::AccountId;
        use ed25519_dalek::Signer;
        let seed = token::unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap());
        assert_eq!(
            token::hex(&signing.verifying_key().to_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let body = br#"{"market":1,"side":"yes","action":"buy","price_micros":450000,"quantity":10,"client_order_id":"example-1"}"#;
        let message = signing_message(
            0x00c0_ffee_00c0_ffee,
            1_700_000_000_000,
            "example-nonce-1",
            "POST",
            "/v1/portfolio/orders",
            "",
            body,
        );
        assert_eq!(
            message,
            "augury-v1\n00c0ffee00c0ffee\n1700000000000\nexample-nonce-1\nPOST\n/v1/portfolio/orders\n\na015b1b12c60c02a297a0cfc6e5b08fdc7316795f7326734a3eb0230036a0401"
        );
        let signature = base64::engine::general_purpose::STANDARD.encode(signing.sign(message.as_bytes()).to_bytes());
        assert_eq!(
            signature,
            "F0kj6lmEWil9ZzqtD5gKc/IT7DG1NUjsFkUo8pedWnlRl597sBwMoXIEgUGKXTooI4Z8isT1hFP1gaiUuWnHDg=="
        );

        let key = ApiKey {
            id: 0x00c0_ffee_00c0_ffee,
            account: AccountId(1_000),
            label: String::new(),
            scopes: Scopes::READ.union(Scopes::TRADE),
            secret_sha256: [0; 32],
            ed25519_public_key: Some(signing.verifying_key().to_bytes()),
            created_ms: 0,
            expires_ms: None,
            revoked_ms: None,
            ip_allowlist: Vec::new(),
            rsa_public_key: None,
        };
        let auth = Authenticator::new([key], 5_000);
        let mut headers = HeaderMap::new();
        headers.insert(HEADER_KEY, "00c0ffee00c0ffee".parse().unwrap());
        headers.insert(HEADER_TIMESTAMP, "1700000000000".parse().unwrap());
        headers.insert(HEADER_NONCE, "example-nonce-1".parse().unwrap());
        headers.insert(HEADER_SIGNATURE, signature.parse().unwrap());
        let facts = |now_ms, body: &'static [u8]| RequestFacts {
            headers: &headers,
            method: &Method::POST,
            path: "/v1/portfolio/orders",
            raw_query: "",
            body,
            peer: IpAddr::from([127, 0, 0, 1]),
            now_ms,
        };
        let code = |result: Result<ApiKey, ApiError>| result.err().map(|e| e.code);
        assert_eq!(code(auth.authenticate(&facts(1_700_000_005_001, body), Scopes::TRADE)), Some("stale_timestamp"));
        assert_eq!(code(auth.authenticate(&facts(1_700_000_001_000, b"{}"), Scopes::TRADE)), Some("bad_signature"));
        assert_eq!(code(auth.authenticate(&facts(1_700_000_001_000, body), Scopes::TRADE)), None);
        assert_eq!(code(auth.authenticate(&facts(1_700_000_001_000, body), Scopes::TRADE)), Some("replayed_nonce"));
    }

    #[test]
    fn timestamps_are_canonical_decimals() {
        assert_eq!(parse_timestamp("1700000000000", "T"), Ok(1_700_000_000_000));
        assert_eq!(parse_timestamp("0", "T"), Ok(0));
        for bad in ["+1700000000000", "01700000000000", "", " 1", "1 ", "-1", "1e3", "99999999999999999999999"] {
            assert_eq!(parse_timestamp(bad, "T").err().map(|e| e.code), Some("invalid_timestamp"), "{bad:?}");
        }
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in ["Bearer aug_x", "bearer aug_x", "BEARER  aug_x"] {
            assert_eq!(bearer_credentials(value), Some("aug_x"), "{value:?}");
        }
        assert_eq!(bearer_credentials("Basic aug_x"), None);
        assert_eq!(bearer_credentials("Beareraug_x"), None);
    }

    #[test]
    fn allowlists_match_addresses_and_blocks() {
        let peer: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(ip_matches("10.1.2.3", peer));
        assert!(ip_matches("10.0.0.0/8", peer));
        assert!(!ip_matches("10.1.3.0/24", peer));
        assert!(ip_matches("0.0.0.0/0", peer));
        assert!(ip_matches("127.0.0.1", "::ffff:127.0.0.1".parse().unwrap()));
        assert!(ip_matches("::1", "::1".parse().unwrap()));
        assert!(!ip_matches("nonsense", peer));
        assert!(check_allowlist_entry("10.0.0.0/33").is_err());
        assert!(check_allowlist_entry("fe80::/10").is_ok());
    }
}
