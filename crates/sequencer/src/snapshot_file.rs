//! Snapshot files: the engine state after the first `entries` journal entries, tied to the
//! journal by the chain value after entry `entries - 1`, so a snapshot from another journal (or a
//! rewritten one) is never used.
//!
//! ```text
//! magic 8 "AUGSNAP5" | entries u64 | chain 32 | encrypted u8 | payload_len u64 | crc32c u32 | payload
//! ```
//! The payload is the postcard-encoded `VenueSnapshot` (engine, registry, catalog and enrollment
//! codes), sealed with the journal key when the
//! journal is encrypted. Files are written to a temporary name, synced, and renamed.
//!
//! Older files are still read, so existing data directories open: `AUGSNAP4` (written before the
//! market catalog) loads with an empty catalog, and `AUGSNAP3` (before API keys could carry an RSA
//! public key) has its registry decoded in its old layout and converted as well. Both load with
//! no enrollment codes.

use crate::state::{VenueSnapshotV3, VenueSnapshotV4};
use crate::VenueSnapshot;
use augury_journal::{EncryptionKey, Hash};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"AUGSNAP5";
/// The format before the catalog; read, never written.
const MAGIC_V4: &[u8; 8] = b"AUGSNAP4";
/// The format before RSA keys; read, never written.
const MAGIC_V3: &[u8; 8] = b"AUGSNAP3";
const HEADER_LEN: usize = 8 + 8 + 32 + 1 + 8 + 4;
/// Snapshots kept; older ones are deleted after a new one is written.
const KEEP: usize = 3;

pub struct LoadedSnapshot {
    pub entries: u64,
    pub chain: Hash,
    pub snapshot: VenueSnapshot,
}

fn file_name(entries: u64) -> String {
    format!("snap-{entries:020}.bin")
}

/// Snapshot files in `dir`, newest first.
pub fn list(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name();
                let parsed = name.to_str().and_then(|n| n.strip_prefix("snap-")?.strip_suffix(".bin")?.parse().ok());
                if let Some(entries) = parsed {
                    found.push((entries, entry.path()));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    found.sort_by(|a, b| b.cmp(a));
    Ok(found)
}

pub fn write(
    dir: &Path,
    entries: u64,
    chain: &Hash,
    snapshot: &VenueSnapshot,
    key: Option<&EncryptionKey>,
) -> std::io::Result<PathBuf> {
    let plain = postcard::to_allocvec(snapshot).map_err(std::io::Error::other)?;
    write_payload(dir, MAGIC, entries, chain, &plain, key)
}

fn write_payload(
    dir: &Path,
    magic: &[u8; 8],
    entries: u64,
    chain: &Hash,
    plain: &[u8],
    key: Option<&EncryptionKey>,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let payload = match key {
        Some(key) => {
            let mut sealed = Vec::with_capacity(plain.len() + 40);
            key.seal(entries, plain, &mut sealed).map_err(std::io::Error::other)?;
            sealed
        }
        None => plain.to_vec(),
    };
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&entries.to_le_bytes());
    bytes.extend_from_slice(chain);
    bytes.push(u8::from(key.is_some()));
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32c::crc32c(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);

    let path = dir.join(file_name(entries));
    let temporary = dir.join(format!("{}.tmp", file_name(entries)));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, &path)?;
    std::fs::File::open(dir)?.sync_all()?;
    for (_, old) in list(dir)?.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
    Ok(path)
}

/// Reads and checks one snapshot file.
pub fn read(path: &Path, key: Option<&EncryptionKey>) -> Result<LoadedSnapshot, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes.len() < HEADER_LEN || ![MAGIC, MAGIC_V4, MAGIC_V3].contains(&&bytes[..8].try_into().expect("8 bytes")) {
        return Err("not a snapshot file".into());
    }
    let magic: &[u8; 8] = bytes[..8].try_into().expect("8 bytes");
    let entries = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    let chain: Hash = bytes[16..48].try_into().expect("32 bytes");
    let encrypted = bytes[48] == 1;
    // A damaged length that does not fit fails the length check below.
    let len = usize::try_from(u64::from_le_bytes(bytes[49..57].try_into().expect("8 bytes"))).unwrap_or(usize::MAX);
    let crc = u32::from_le_bytes(bytes[57..61].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER_LEN..];
    if payload.len() != len || crc32c::crc32c(payload) != crc {
        return Err("the snapshot is truncated or fails its CRC".into());
    }
    let plain = match (encrypted, key) {
        (true, Some(key)) => key.open(entries, payload).ok_or("the snapshot does not open with the journal key")?,
        (true, None) => return Err("the snapshot is encrypted and no key was given".into()),
        (false, Some(_)) => return Err("the snapshot is not encrypted but the journal is".into()),
        (false, None) => payload.to_vec(),
    };
    let undecodable = |e: postcard::Error| format!("undecodable snapshot: {e}");
    let snapshot = match magic {
        MAGIC_V3 => postcard::from_bytes::<VenueSnapshotV3>(&plain).map_err(undecodable)?.into(),
        MAGIC_V4 => postcard::from_bytes::<VenueSnapshotV4>(&plain).map_err(undecodable)?.into(),
        _ => postcard::from_bytes(&plain).map_err(undecodable)?,
    };
    Ok(LoadedSnapshot { entries, chain, snapshot })
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)] // small, known test values
mod tests {
    use super::*;
    use crate::registry::{NewApiKey, RegistryV3, Scopes};
    use crate::{VenueCommand, VenueState};
    use augury_core::AccountId;
    use augury_core::MarketId;
    use augury_engine::{Engine, EngineConfig};

    fn key(id: u64) -> NewApiKey {
        NewApiKey {
            id,
            account: None,
            label: "old".into(),
            scopes: Scopes::READ,
            secret_sha256: [id as u8; 32],
            ed25519_public_key: Some([7; 32]),
            created_ms: 1,
            expires_ms: None,
            ip_allowlist: vec!["10.0.0.0/8".into()],
        }
    }

    /// A data directory written before RSA keys existed holds `AUGSNAP3` snapshots: they still
    /// load, with every key as it was and no RSA key; new snapshots are `AUGSNAP4` and carry one.
    #[test]
    fn snapshots_written_before_rsa_keys_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = VenueState::new(Engine::new(EngineConfig::default()));
        let mut events = Vec::new();
        state.apply(&VenueCommand::CreateKey { key: key(5) }, &mut events).unwrap();
        let old = state.snapshot();
        let plain = postcard::to_allocvec(&VenueSnapshotV3 {
            engine: old.engine.clone(),
            registry: RegistryV3::from_current(&old.registry),
        })
        .unwrap();
        let path = write_payload(dir.path(), MAGIC_V3, 1, &[3; 32], &plain, None).unwrap();
        let loaded = read(&path, None).unwrap();
        assert_eq!(loaded.snapshot.registry, old.registry);
        assert_eq!(loaded.snapshot.registry.key(5).unwrap().rsa_public_key, None);
        assert_eq!(loaded.chain, [3; 32]);

        let rsa = VenueCommand::CreateRsaKey { key: key(6), rsa_public_key: vec![0x30, 0x01, 0x00] };
        state.apply(&rsa, &mut events).unwrap();
        let path = write(dir.path(), 2, &[4; 32], &state.snapshot(), None).unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[..8], MAGIC);
        let loaded = read(&path, None).unwrap();
        assert_eq!(loaded.snapshot.registry.key(6).unwrap().rsa_public_key.as_deref(), Some(&[0x30, 0x01, 0x00][..]));
        assert_eq!(loaded.snapshot.registry, state.registry().clone());
    }

    /// A data directory written before the catalog holds `AUGSNAP4` snapshots: they load with
    /// an empty catalog; new snapshots carry the catalog.
    #[test]
    fn snapshots_written_before_the_catalog_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = VenueState::new(Engine::new(EngineConfig::default()));
        let mut events = Vec::new();
        state.apply(&VenueCommand::CreateKey { key: key(5) }, &mut events).unwrap();
        let old = state.snapshot();
        let plain =
            postcard::to_allocvec(&VenueSnapshotV4 { engine: old.engine.clone(), registry: old.registry.clone() })
                .unwrap();
        let path = write_payload(dir.path(), MAGIC_V4, 1, &[3; 32], &plain, None).unwrap();
        let loaded = read(&path, None).unwrap();
        assert_eq!(loaded.snapshot.registry, old.registry);
        assert_eq!(loaded.snapshot.catalog, augury_catalog::Catalog::new());
        assert!(loaded.snapshot.enrollments.is_empty());

        let spec = augury_core::MarketSpec { market: MarketId(4), ..Default::default() };
        let info = augury_catalog::MarketInfo { slug: "four".into(), ..augury_catalog::MarketInfo::placeholder(&spec) };
        state.apply(&VenueCommand::ListMarket { spec, info: Box::new(info) }, &mut events).unwrap();
        let path = write(dir.path(), 2, &[4; 32], &state.snapshot(), None).unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[..8], MAGIC);
        let loaded = read(&path, None).unwrap();
        assert_eq!(loaded.snapshot.catalog, *state.catalog());
        assert_eq!(loaded.snapshot.catalog.market_by_slug("four"), Some(MarketId(4)));
    }

    /// A demo account is a new account, its key and its deposit, or nothing: a deposit the engine
    /// refuses leaves no account and no key behind.
    #[test]
    fn a_demo_account_opens_with_its_key_and_deposit_or_not_at_all() {
        let mut state = VenueState::new(Engine::new(EngineConfig::default()));
        let mut events = Vec::new();
        let too_much =
            VenueCommand::OpenDemoAccount { key: key(7), deposit_micros: augury_core::VENUE_COLLATERAL_MAX_MICROS + 1 };
        assert_eq!(state.apply(&too_much, &mut events).unwrap_err().code(), "amount_too_large");
        assert!(state.registry().key(7).is_none());
        assert!(!state.registry().is_registered_account(crate::registry::FIRST_REGISTERED_ACCOUNT));

        let open = VenueCommand::OpenDemoAccount { key: key(7), deposit_micros: 1_000_000_000 };
        let outcome = state.apply(&open, &mut events).unwrap();
        let account = crate::registry::FIRST_REGISTERED_ACCOUNT;
        assert_eq!(outcome, crate::VenueOutcome::KeyCreated { key: 7, account });
        assert_eq!(state.registry().key(7).unwrap().account, account);
        assert_eq!(state.engine().account(account).unwrap().available_micros, 1_000_000_000);
        assert_eq!(state.apply(&open, &mut events).unwrap_err().code(), "duplicate_key", "a key id is used once");
        // The next account opened is the one after.
        let next = state.apply(&VenueCommand::OpenAccount, &mut events).unwrap();
        assert_eq!(next, crate::VenueOutcome::AccountOpened { account: account.next() });
    }

    fn enrollment(code: u8, account: Option<u64>, expires_ms: u64) -> VenueCommand {
        VenueCommand::CreateEnrollment {
            code_sha256: [code; 32],
            account: account.map(AccountId),
            scopes: Scopes::READ.union(Scopes::TRADE),
            label: "code".into(),
            created_ms: 1,
            expires_ms,
        }
    }

    fn enroll(code: u8, id: u64, at_ms: u64) -> VenueCommand {
        // The key's own account and scopes are not read: the code's are used.
        let key = NewApiKey {
            created_ms: at_ms,
            label: String::new(),
            scopes: Scopes::ADMIN,
            account: Some(AccountId(1)),
            ..key(id)
        };
        VenueCommand::Enroll { code_sha256: [code; 32], key }
    }

    /// A code works once, before it expires, for a key with its own scopes and account; every
    /// refusal (unknown, used, expired, a taken key id) changes nothing.
    #[test]
    fn an_enrollment_code_works_once_before_it_expires() {
        let mut state = VenueState::new(Engine::new(EngineConfig::default()));
        let mut events = Vec::new();
        assert_eq!(state.apply(&enrollment(1, Some(999_999), 100), &mut events).unwrap_err().code(), "unknown_account");
        assert_eq!(state.apply(&enrollment(1, None, 1), &mut events).unwrap_err().code(), "invalid_expiry");
        assert!(state.enrollments().is_empty());
        let created = state.apply(&enrollment(1, None, 100), &mut events).unwrap();
        assert_eq!(created, crate::VenueOutcome::EnrollmentCreated { expires_ms: 100 });
        assert_eq!(state.apply(&enrollment(1, None, 100), &mut events).unwrap_err().code(), "duplicate_enrollment");
        state.apply(&enrollment(2, None, 50), &mut events).unwrap();

        let before = (state.registry().clone(), state.enrollments().clone());
        assert_eq!(state.apply(&enroll(3, 10, 10), &mut events).unwrap_err().code(), "unknown_enrollment");
        assert_eq!(state.apply(&enroll(2, 10, 50), &mut events).unwrap_err().code(), "enrollment_expired");
        state.apply(&VenueCommand::CreateKey { key: key(11) }, &mut events).unwrap();
        let with_key = (state.registry().clone(), state.enrollments().clone());
        assert_eq!(state.apply(&enroll(1, 11, 10), &mut events).unwrap_err().code(), "duplicate_key");
        assert_eq!((state.registry().clone(), state.enrollments().clone()), with_key, "refusals change nothing");
        assert_ne!(before.0, with_key.0);

        let account = crate::registry::FIRST_REGISTERED_ACCOUNT.next(); // key 11 opened the first
        let outcome = state.apply(&enroll(1, 10, 99), &mut events).unwrap();
        assert_eq!(outcome, crate::VenueOutcome::KeyCreated { key: 10, account });
        let made = state.registry().key(10).unwrap();
        assert_eq!(
            (made.account, made.scopes, made.label.as_str()),
            (account, Scopes::READ.union(Scopes::TRADE), "code")
        );
        assert_eq!(state.enrollments().get(&[1; 32]).unwrap().redeemed, Some((10, 99)));
        let spent = (state.registry().clone(), state.enrollments().clone());
        assert_eq!(state.apply(&enroll(1, 12, 99), &mut events).unwrap_err().code(), "enrollment_used");
        assert_eq!((state.registry().clone(), state.enrollments().clone()), spent);
        assert!(state.registry().key(12).is_none());

        // A code for an existing account makes a key on it; snapshots carry the codes.
        state.apply(&enrollment(4, Some(account.get()), 100), &mut events).unwrap();
        let outcome = state.apply(&enroll(4, 13, 20), &mut events).unwrap();
        assert_eq!(outcome, crate::VenueOutcome::KeyCreated { key: 13, account });
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), 9, &[5; 32], &state.snapshot(), None).unwrap();
        let loaded = read(&path, None).unwrap();
        assert_eq!(loaded.snapshot.enrollments, *state.enrollments());
        let mut restored = VenueState::restore(&loaded.snapshot).unwrap();
        assert_eq!(restored.apply(&enroll(4, 14, 20), &mut events).unwrap_err().code(), "enrollment_used");
        assert_eq!(restored.enrollments().len(), 3);
    }

    #[test]
    fn an_empty_or_oversized_rsa_key_is_refused() {
        let mut state = VenueState::new(Engine::new(EngineConfig::default()));
        let mut events = Vec::new();
        for bad in [Vec::new(), vec![0; crate::registry::RSA_PUBLIC_KEY_MAX_BYTES + 1]] {
            let command = VenueCommand::CreateRsaKey { key: key(9), rsa_public_key: bad };
            assert_eq!(state.apply(&command, &mut events).unwrap_err().code(), "bad_rsa_key");
        }
        assert!(state.registry().key(9).is_none());
    }
}
