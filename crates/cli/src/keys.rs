//! `augury keys create`: API keys made from the data directory while the venue is stopped (the
//! directory is locked while it runs), including before its first start (the directory is made
//! then). This is where the first admin credential comes from; there is no default password. The
//! key is journaled like any command, and its public keys pass the same checks as `POST /v1/keys`.

use crate::serve::engine_config;
use crate::storage::{open_venue, StorageArgs};
use anyhow::{anyhow, bail, Context, Result};
use augury_core::{AccountId, Command, MICROS_PER_DOLLAR};
use augury_gateway::token;
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{VenueCommand, VenueOutcome};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Give the key the scopes read, trade and admin (not resolver: for that, use
    /// --scopes read,trade,admin,resolver).
    #[arg(long)]
    pub admin: bool,
    /// Scopes, comma-separated, of: read, trade, admin, resolver (proposes how markets resolved,
    /// with a bond, and votes as an arbiter). New keys are read-only unless told otherwise.
    #[arg(long, conflicts_with = "admin")]
    pub scopes: Option<String>,
    /// A file holding the Ed25519 public key (64 hex characters) that signs this key's requests;
    /// refused if no Ed25519 secret key could sign for it (small order, non-canonical, torsion).
    /// Without it (and without --rsa-public-key), a key pair is generated and its private half
    /// printed once.
    #[arg(long)]
    pub ed25519_public_key: Option<PathBuf>,
    /// A file holding an RSA public key (PEM or DER, SubjectPublicKeyInfo or PKCS#1; a modulus of
    /// 2,048 to 8,192 bits, an odd exponent from 65,537 to 2^32 - 1) for the Kalshi-compatible
    /// API, whose requests are signed with RSA-PSS. With it alone the key has no Ed25519 key (add
    /// --ed25519-public-key for both).
    #[arg(long)]
    pub rsa_public_key: Option<PathBuf>,
    /// Credit this many US dollars to the key's account.
    #[arg(long)]
    pub deposit: Option<String>,
    /// The account the key acts for; without it a new account is opened.
    #[arg(long)]
    pub account: Option<AccountId>,
    #[arg(long, default_value = "")]
    pub label: String,
    /// Milliseconds since the epoch after which the key stops working.
    #[arg(long)]
    pub expires_ms: Option<u64>,
    /// Addresses or CIDR blocks the key may be used from (repeatable).
    #[arg(long = "allow-ip")]
    pub allow_ip: Vec<String>,
    /// Print a one-time enrollment code instead of a key: whoever redeems it (POST
    /// /v1/enrollments/redeem, or "Enroll with a code" in the web app) with their own Ed25519
    /// public key gets a key with these scopes (default read,trade) on --account (default a new
    /// account). It works once, until --expires-ms (default 24 hours from now). The venue stores
    /// only the code's SHA-256.
    #[arg(long, conflicts_with_all = ["ed25519_public_key", "rsa_public_key", "deposit", "allow_ip"])]
    pub enroll: bool,
}

#[derive(Serialize)]
struct Created {
    key_id: String,
    /// Shown once; the venue stores only its SHA-256.
    token: String,
    account: AccountId,
    scopes: Vec<&'static str>,
    ed25519_public_key: Option<String>,
    /// Present only when the key pair was generated here; shown once, never stored.
    ed25519_private_key: Option<String>,
    /// SHA-256 of the RSA public key's SubjectPublicKeyInfo DER, when the key has one.
    rsa_public_key_sha256: Option<String>,
    deposited_micros: u64,
}

/// Parses a dollar amount such as "1000" or "12.50" into micro-dollars, exactly.
fn dollars_to_micros(text: &str) -> Result<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 6 {
        bail!("{text:?} is not an amount in dollars with at most 6 decimals");
    }
    let whole: u64 =
        if whole.is_empty() { 0 } else { whole.parse().map_err(|_| anyhow!("{text:?} is not a dollar amount"))? };
    let fraction_micros: u64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<6}").parse().map_err(|_| anyhow!("{text:?} is not a dollar amount"))?
    };
    whole
        .checked_mul(MICROS_PER_DOLLAR)
        .and_then(|m| m.checked_add(fraction_micros))
        .ok_or_else(|| anyhow!("{text:?} is too large"))
}

#[derive(Serialize)]
struct CreatedEnrollment {
    /// Shown once; the venue stores only its SHA-256.
    code: String,
    expires_ms: u64,
    /// None: a new account, opened when the code is redeemed.
    account: Option<AccountId>,
    scopes: Vec<&'static str>,
}

pub fn create(args: &CreateArgs) -> Result<()> {
    let default_scopes = if args.enroll { "read,trade" } else { "read" };
    let scopes = if args.admin {
        Scopes::READ.union(Scopes::TRADE).union(Scopes::ADMIN)
    } else {
        Scopes::parse(args.scopes.as_deref().unwrap_or(default_scopes)).map_err(|e| anyhow!(e))?
    };
    if args.enroll {
        return create_enrollment(args, scopes);
    }
    augury_gateway::auth::check_key_fields(&args.label, &args.allow_ip).map_err(|(_, reason)| anyhow!(reason))?;
    let deposit = args.deposit.as_deref().map(dollars_to_micros).transpose()?.unwrap_or(0);
    let rsa_public_key = match &args.rsa_public_key {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let spki = augury_gateway::kalshi::rsa::parse_public_key(&bytes)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Some(spki)
        }
        None => None,
    };
    let (public_key, private_key) = match &args.ed25519_public_key {
        None if rsa_public_key.is_some() => (None, None),
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            // The check `POST /v1/keys` makes: the venue itself stores whatever 32 bytes it is
            // given (a replay must reproduce old keys), so the edges refuse unusable ones.
            let bytes = augury_gateway::verify::parse_ed25519_public_key(text.trim())
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            (Some(bytes), None)
        }
        None => {
            let mut seed = [0u8; 32];
            getrandom::getrandom(&mut seed).map_err(|e| anyhow!("no random source: {e}"))?;
            let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
            (Some(signing.verifying_key().to_bytes()), Some(token::hex(&seed)))
        }
    };

    let mut venue = open_venue(&args.storage, engine_config())?;
    if let Some(account) = args.account {
        let held = venue.state().registry().keys(Some(account)).filter(|k| k.revoked_ms.is_none()).count();
        if held >= augury_gateway::auth::KEYS_PER_ACCOUNT_MAX {
            bail!("account {account} holds {held} keys that are not revoked, the most allowed: revoke one first");
        }
    }
    let (id, secret_token, secret_sha256) = token::generate().map_err(|e| anyhow!("no random source: {e}"))?;
    let key = NewApiKey {
        id,
        account: args.account,
        label: args.label.clone(),
        scopes,
        secret_sha256,
        ed25519_public_key: public_key,
        created_ms: augury_gateway::now_ms(),
        expires_ms: args.expires_ms,
        ip_allowlist: args.allow_ip.clone(),
    };
    let rsa_public_key_sha256 = rsa_public_key.as_deref().map(|spki| token::hex(&Sha256::digest(spki)));
    let command = match rsa_public_key {
        Some(rsa_public_key) => VenueCommand::CreateRsaKey { key, rsa_public_key },
        None => VenueCommand::CreateKey { key },
    };
    let account = match venue.execute(&command)? {
        Ok(VenueOutcome::KeyCreated { account, .. }) => account,
        Ok(other) => bail!("unexpected outcome {other:?}"),
        Err(reject) => bail!("the key was refused: {reject}"),
    };
    if deposit > 0 {
        if let Err(reject) = venue.submit(&Command::Deposit { account, amount_micros: deposit })? {
            bail!("the deposit was refused: {reject}");
        }
    }
    venue.commit(augury_gateway::now_ms())?;
    let created = Created {
        key_id: token::format_key_id(id),
        token: secret_token,
        account,
        scopes: scopes.names(),
        ed25519_public_key: public_key.map(|k| token::hex(&k)),
        ed25519_private_key: private_key,
        rsa_public_key_sha256,
        deposited_micros: deposit,
    };
    println!("{}", serde_json::to_string(&created)?);
    Ok(())
}

/// `augury keys create --enroll`: a one-time code instead of a key.
fn create_enrollment(args: &CreateArgs, scopes: Scopes) -> Result<()> {
    if scopes == Scopes::default() {
        bail!("a code needs at least one scope");
    }
    let label = if args.label.is_empty() { "enrolled".to_string() } else { args.label.clone() };
    augury_gateway::auth::check_key_fields(&label, &[]).map_err(|(_, reason)| anyhow!(reason))?;
    let now = augury_gateway::now_ms();
    let expires_ms = args.expires_ms.unwrap_or(now + augury_gateway::api::enrollments::DEFAULT_LIFETIME_MS);
    if expires_ms <= now {
        bail!("--expires-ms is in the past");
    }
    let mut venue = open_venue(&args.storage, engine_config())?;
    let (code, code_sha256) = token::generate_enrollment_code().map_err(|e| anyhow!("no random source: {e}"))?;
    let command = VenueCommand::CreateEnrollment {
        code_sha256,
        account: args.account,
        scopes,
        label,
        created_ms: now,
        expires_ms,
    };
    match venue.execute(&command)? {
        Ok(VenueOutcome::EnrollmentCreated { .. }) => {}
        Ok(other) => bail!("unexpected outcome {other:?}"),
        Err(reject) => bail!("the enrollment code was refused: {reject}"),
    }
    venue.commit(now)?;
    let created = CreatedEnrollment { code, expires_ms, account: args.account, scopes: scopes.names() };
    println!("{}", serde_json::to_string(&created)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::dollars_to_micros;

    #[test]
    fn dollar_amounts_parse_exactly() {
        assert_eq!(dollars_to_micros("1000").unwrap(), 1_000_000_000);
        assert_eq!(dollars_to_micros("12.5").unwrap(), 12_500_000);
        assert_eq!(dollars_to_micros("0.000001").unwrap(), 1);
        assert!(dollars_to_micros("0.0000001").is_err());
        assert!(dollars_to_micros("-1").is_err());
        assert!(dollars_to_micros("1e3").is_err());
        assert!(dollars_to_micros("").is_err());
    }
}
