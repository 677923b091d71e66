//! The venue's whole state (the engine, the [`Registry`] and the [`Catalog`]) and the commands
//! that change it.
//! Like the engine, this is deterministic: ids, secrets' hashes and times all arrive inside the
//! command, so replaying the journal rebuilds the same state.

use crate::registry::{self, ApiKey, Enrollment, Enrollments, KeyId, NewApiKey, Registry, Scopes};
use augury_catalog::{
    Catalog, CatalogReject, EventChange, EventInfo, MarketChange, MarketInfo, SeriesChange, SeriesInfo,
};
use augury_core::{AccountId, Command, Event, MarketId, MarketSpec, NewOrder, OrderId, Reject, TimestampMs};
use augury_engine::{Engine, EngineSnapshot};
use serde::{Deserialize, Serialize};

/// Everything that can change the venue's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VenueCommand {
    /// A command for the engine.
    Engine(Command),
    /// An order with the client's own id, placed at most once per account and id: a retry of the
    /// same order gets the first answer again, a different order under the same id is refused.
    /// The id is journaled with the order, so this holds across crashes.
    PlaceClientOrder {
        order: NewOrder,
        client_order_id: String,
    },
    /// Opens a new account (the registry picks its id).
    OpenAccount,
    CreateKey {
        key: NewApiKey,
    },
    RevokeKey {
        key: KeyId,
        at_ms: TimestampMs,
    },
    /// A key that also (or only) signs with RSA-PSS: `rsa_public_key` is its SubjectPublicKeyInfo
    /// in DER, checked by the caller before submitting (the gateway and the CLI parse it). A
    /// variant of its own, after the others, so journals written before it still decode.
    CreateRsaKey {
        key: NewApiKey,
        rsa_public_key: Vec<u8>,
    },
    /// Creates a market and lists it in the catalog with what it asks, as one entry: both happen
    /// or neither does. (`Engine(CreateMarket)` still creates a market without a catalog entry;
    /// the catalog then shows a placeholder until an edit lists it.)
    ListMarket {
        spec: MarketSpec,
        info: Box<MarketInfo>,
    },
    /// Sets fields of a market's catalog entry; `by` is the account that asked (kept in the
    /// revision). Times come from the venue clock, so a replay rebuilds the same history.
    EditMarket {
        market: MarketId,
        changes: Vec<MarketChange>,
        by: AccountId,
    },
    CreateEvent {
        event: EventInfo,
    },
    EditEvent {
        ticker: String,
        changes: Vec<EventChange>,
        by: AccountId,
    },
    CreateSeries {
        series: SeriesInfo,
    },
    EditSeries {
        ticker: String,
        changes: Vec<SeriesChange>,
        by: AccountId,
    },
    /// A play-money account for a visitor of a demo venue, as one entry: a new account, its key
    /// (`key.account` is not read: the account is always a new one) and a deposit of
    /// `deposit_micros`. All of it happens or none of it.
    OpenDemoAccount {
        key: NewApiKey,
        deposit_micros: augury_core::Micros,
    },
    /// A one-time enrollment code: whoever holds the code (the venue stores only its SHA-256)
    /// may redeem it once, before `expires_ms`, for a key with `scopes` on `account` (`None`: a
    /// new account, opened when the code is redeemed).
    CreateEnrollment {
        code_sha256: [u8; 32],
        account: Option<AccountId>,
        scopes: Scopes,
        label: String,
        created_ms: TimestampMs,
        expires_ms: TimestampMs,
    },
    /// Redeems an enrollment code for a key, as one entry: the code is checked (known, unused,
    /// not expired at `key.created_ms`), then the key is made with the code's account and scopes
    /// (`key.account` and `key.scopes` are not read; an empty `key.label` takes the code's) and
    /// the code is spent. All of it happens or none of it.
    Enroll {
        code_sha256: [u8; 32],
        key: NewApiKey,
    },
}

/// What an accepted command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VenueOutcome {
    /// An engine command's events.
    Applied {
        events: Vec<Event>,
    },
    /// A client order: its id and events, `replay: true` when this is the answer to an earlier
    /// placement with the same client order id (nothing new happened).
    Order {
        order: OrderId,
        events: Vec<Event>,
        replay: bool,
    },
    AccountOpened {
        account: AccountId,
    },
    KeyCreated {
        key: KeyId,
        account: AccountId,
    },
    KeyRevoked {
        key: KeyId,
    },
    /// A market was created and listed: the engine's events (`MarketCreated`).
    MarketListed {
        market: MarketId,
        events: Vec<Event>,
    },
    /// A catalog entry (market, event or series) was created or edited.
    CatalogChanged,
    /// An enrollment code was stored.
    EnrollmentCreated {
        expires_ms: TimestampMs,
    },
}

impl VenueOutcome {
    /// Whether the command changed anything (and so was journaled).
    pub fn is_new(&self) -> bool {
        !matches!(self, VenueOutcome::Order { replay: true, .. })
    }
}

/// Why a command was refused; a refusal changes nothing and is not journaled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VenueReject {
    #[error(transparent)]
    Engine(#[from] Reject),
    #[error("client_order_id {client_order_id:?} was already used for a different order (differs in: {})", fields.join(", "))]
    ClientOrderConflict { client_order_id: String, fields: Vec<&'static str> },
    #[error("{reason}")]
    InvalidClientOrderId { reason: String },
    #[error("key {key} already exists")]
    DuplicateKey { key: KeyId },
    #[error("no key {key}")]
    UnknownKey { key: KeyId },
    #[error("key {key} is already revoked")]
    KeyAlreadyRevoked { key: KeyId },
    #[error("account {account} does not exist")]
    UnknownAccount { account: AccountId },
    #[error("a key needs at least one scope")]
    NoScopes,
    #[error("the RSA public key must be 1 to {max} bytes of DER", max = registry::RSA_PUBLIC_KEY_MAX_BYTES)]
    BadRsaKey,
    #[error(transparent)]
    Catalog(#[from] CatalogReject),
    #[error("this enrollment code already exists")]
    DuplicateEnrollment,
    #[error("no such enrollment code (check that it was copied whole)")]
    UnknownEnrollment,
    #[error("this enrollment code was already used (at {at_ms} ms): a code works once")]
    EnrollmentUsed { at_ms: TimestampMs },
    #[error("this enrollment code expired (at {expires_ms} ms): ask for a new one")]
    EnrollmentExpired { expires_ms: TimestampMs },
    #[error("an enrollment code must expire after it is created")]
    InvalidEnrollmentExpiry,
}

impl VenueReject {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            VenueReject::Engine(reject) => reject.code(),
            VenueReject::ClientOrderConflict { .. } => "client_order_id_conflict",
            VenueReject::InvalidClientOrderId { .. } => "invalid_client_order_id",
            VenueReject::DuplicateKey { .. } => "duplicate_key",
            VenueReject::UnknownKey { .. } => "unknown_key",
            VenueReject::KeyAlreadyRevoked { .. } => "key_already_revoked",
            VenueReject::UnknownAccount { .. } => "unknown_account",
            VenueReject::NoScopes => "no_scopes",
            VenueReject::BadRsaKey => "bad_rsa_key",
            VenueReject::Catalog(reject) => reject.code(),
            VenueReject::DuplicateEnrollment => "duplicate_enrollment",
            VenueReject::UnknownEnrollment => "unknown_enrollment",
            VenueReject::EnrollmentUsed { .. } => "enrollment_used",
            VenueReject::EnrollmentExpired { .. } => "enrollment_expired",
            VenueReject::InvalidEnrollmentExpiry => "invalid_expiry",
        }
    }
}

/// The state a snapshot holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VenueSnapshot {
    pub engine: EngineSnapshot,
    pub registry: Registry,
    pub catalog: Catalog,
    /// The enrollment codes (beside the registry, whose layout older snapshots share).
    pub enrollments: Enrollments,
}

/// The state an `AUGSNAP4` snapshot holds (no catalog).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct VenueSnapshotV4 {
    pub engine: EngineSnapshot,
    pub registry: Registry,
}

impl From<VenueSnapshotV4> for VenueSnapshot {
    fn from(old: VenueSnapshotV4) -> VenueSnapshot {
        VenueSnapshot {
            engine: old.engine,
            registry: old.registry,
            catalog: Catalog::new(),
            enrollments: Enrollments::new(),
        }
    }
}

/// The state an `AUGSNAP3` snapshot holds (keys without RSA public keys, no catalog).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct VenueSnapshotV3 {
    pub engine: EngineSnapshot,
    pub registry: registry::RegistryV3,
}

impl From<VenueSnapshotV3> for VenueSnapshot {
    fn from(old: VenueSnapshotV3) -> VenueSnapshot {
        VenueSnapshot {
            engine: old.engine,
            registry: old.registry.into(),
            catalog: Catalog::new(),
            enrollments: Enrollments::new(),
        }
    }
}

pub struct VenueState {
    pub(crate) engine: Engine,
    pub(crate) registry: Registry,
    pub(crate) catalog: Catalog,
    pub(crate) enrollments: Enrollments,
}

impl VenueState {
    pub fn new(engine: Engine) -> VenueState {
        VenueState { engine, registry: Registry::new(), catalog: Catalog::new(), enrollments: Enrollments::new() }
    }

    pub fn enrollments(&self) -> &Enrollments {
        &self.enrollments
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn snapshot(&self) -> VenueSnapshot {
        VenueSnapshot {
            engine: self.engine.snapshot(),
            registry: self.registry.clone(),
            catalog: self.catalog.clone(),
            enrollments: self.enrollments.clone(),
        }
    }

    pub fn restore(snapshot: &VenueSnapshot) -> Result<VenueState, String> {
        let engine = Engine::restore(&snapshot.engine).map_err(|v| v.to_string())?;
        Ok(VenueState {
            engine,
            registry: snapshot.registry.clone(),
            catalog: snapshot.catalog.clone(),
            enrollments: snapshot.enrollments.clone(),
        })
    }

    /// Whether an account exists: opened by the registry, or known to the engine.
    pub fn account_exists(&self, account: AccountId) -> bool {
        self.registry.is_registered_account(account) || self.engine.account(account).is_some()
    }

    /// Applies a command. Engine events go into `events` (cleared first); a refusal changes
    /// nothing.
    pub fn apply(&mut self, command: &VenueCommand, events: &mut Vec<Event>) -> Result<VenueOutcome, VenueReject> {
        events.clear();
        match command {
            VenueCommand::Engine(command) => {
                self.engine.apply(command, events)?;
                Ok(VenueOutcome::Applied { events: events.clone() })
            }
            VenueCommand::PlaceClientOrder { order, client_order_id } => {
                registry::check_client_order_id(client_order_id)
                    .map_err(|reason| VenueReject::InvalidClientOrderId { reason })?;
                if let Some(first) = self.registry.client_order(order.account, client_order_id) {
                    let fields = registry::differing_fields(&first.order, order);
                    if !fields.is_empty() {
                        return Err(VenueReject::ClientOrderConflict {
                            client_order_id: client_order_id.clone(),
                            fields,
                        });
                    }
                    return Ok(VenueOutcome::Order {
                        order: first.order.order,
                        events: first.events.clone(),
                        replay: true,
                    });
                }
                self.engine.apply(&Command::PlaceOrder { order: *order }, events)?;
                self.registry.record_client_order(client_order_id.clone(), *order, events.clone());
                Ok(VenueOutcome::Order { order: order.order, events: events.clone(), replay: false })
            }
            VenueCommand::OpenAccount => Ok(VenueOutcome::AccountOpened { account: self.registry.open_account() }),
            VenueCommand::CreateKey { key } => self.create_key(key, None),
            VenueCommand::CreateRsaKey { key, rsa_public_key } => {
                if rsa_public_key.is_empty() || rsa_public_key.len() > registry::RSA_PUBLIC_KEY_MAX_BYTES {
                    return Err(VenueReject::BadRsaKey);
                }
                self.create_key(key, Some(rsa_public_key.clone()))
            }
            VenueCommand::RevokeKey { key, at_ms } => {
                match self.registry.key(*key) {
                    None => return Err(VenueReject::UnknownKey { key: *key }),
                    Some(k) if k.revoked_ms.is_some() => return Err(VenueReject::KeyAlreadyRevoked { key: *key }),
                    Some(_) => {}
                }
                self.registry.revoke_key(*key, *at_ms);
                Ok(VenueOutcome::KeyRevoked { key: *key })
            }
            VenueCommand::ListMarket { spec, info } => {
                // The catalog's checks first (they change nothing), then the engine's: a refusal
                // by either leaves both as they were.
                self.catalog.check_listing(spec, info)?;
                self.engine.apply(&Command::CreateMarket { spec: *spec }, events)?;
                self.catalog.list_market(spec, (**info).clone(), self.engine.clock_ms());
                Ok(VenueOutcome::MarketListed { market: spec.market, events: events.clone() })
            }
            VenueCommand::EditMarket { market, changes, by } => {
                let spec = self.engine.market_spec(*market).ok_or(Reject::UnknownMarket { market: *market })?;
                self.catalog.edit_market(&spec, changes, *by, self.engine.clock_ms())?;
                Ok(VenueOutcome::CatalogChanged)
            }
            VenueCommand::CreateEvent { event } => {
                self.catalog.create_event(event.clone(), self.engine.clock_ms())?;
                Ok(VenueOutcome::CatalogChanged)
            }
            VenueCommand::EditEvent { ticker, changes, by } => {
                self.catalog.edit_event(ticker, changes, *by, self.engine.clock_ms())?;
                Ok(VenueOutcome::CatalogChanged)
            }
            VenueCommand::CreateSeries { series } => {
                self.catalog.create_series(series.clone(), self.engine.clock_ms())?;
                Ok(VenueOutcome::CatalogChanged)
            }
            VenueCommand::EditSeries { ticker, changes, by } => {
                self.catalog.edit_series(ticker, changes, *by, self.engine.clock_ms())?;
                Ok(VenueOutcome::CatalogChanged)
            }
            VenueCommand::OpenDemoAccount { key, deposit_micros } => {
                // Every check before any change: the key's, then the engine's deposit into the
                // account about to be opened (a refused deposit changes nothing), then the key.
                self.check_new_key(key)?;
                let account = self.registry.next_account();
                self.engine.apply(&Command::Deposit { account, amount_micros: *deposit_micros }, events)?;
                let opened = self.registry.open_account();
                debug_assert_eq!(opened, account);
                let outcome = self.create_key(&NewApiKey { account: Some(account), ..key.clone() }, None)?;
                debug_assert_eq!(outcome, VenueOutcome::KeyCreated { key: key.id, account });
                Ok(VenueOutcome::KeyCreated { key: key.id, account })
            }
            VenueCommand::CreateEnrollment { code_sha256, account, scopes, label, created_ms, expires_ms } => {
                if self.enrollments.get(code_sha256).is_some() {
                    return Err(VenueReject::DuplicateEnrollment);
                }
                if *scopes == Scopes::default() {
                    return Err(VenueReject::NoScopes);
                }
                if expires_ms <= created_ms {
                    return Err(VenueReject::InvalidEnrollmentExpiry);
                }
                if let Some(account) = account.filter(|a| !self.account_exists(*a)) {
                    return Err(VenueReject::UnknownAccount { account });
                }
                self.enrollments.insert(
                    *code_sha256,
                    Enrollment {
                        account: *account,
                        scopes: *scopes,
                        label: label.clone(),
                        created_ms: *created_ms,
                        expires_ms: *expires_ms,
                        redeemed: None,
                    },
                );
                Ok(VenueOutcome::EnrollmentCreated { expires_ms: *expires_ms })
            }
            VenueCommand::Enroll { code_sha256, key } => {
                // Every check before any change: the code's, then the key's (inside create_key,
                // which checks before it changes anything); the code is spent only after.
                let enrollment = self.enrollments.get(code_sha256).ok_or(VenueReject::UnknownEnrollment)?;
                if let Some((_, at_ms)) = enrollment.redeemed {
                    return Err(VenueReject::EnrollmentUsed { at_ms });
                }
                if key.created_ms >= enrollment.expires_ms {
                    return Err(VenueReject::EnrollmentExpired { expires_ms: enrollment.expires_ms });
                }
                let label = if key.label.is_empty() { enrollment.label.clone() } else { key.label.clone() };
                let key = NewApiKey { account: enrollment.account, scopes: enrollment.scopes, label, ..key.clone() };
                let outcome = self.create_key(&key, None)?;
                self.enrollments.mark_redeemed(code_sha256, key.id, key.created_ms);
                Ok(outcome)
            }
        }
    }

    /// A new key's own checks: its id is free and it has a scope.
    fn check_new_key(&self, key: &NewApiKey) -> Result<(), VenueReject> {
        if self.registry.key(key.id).is_some() {
            return Err(VenueReject::DuplicateKey { key: key.id });
        }
        if key.scopes == registry::Scopes::default() {
            return Err(VenueReject::NoScopes);
        }
        Ok(())
    }

    fn create_key(&mut self, key: &NewApiKey, rsa_public_key: Option<Vec<u8>>) -> Result<VenueOutcome, VenueReject> {
        self.check_new_key(key)?;
        if let Some(account) = key.account.filter(|a| !self.account_exists(*a)) {
            return Err(VenueReject::UnknownAccount { account });
        }
        let account = key.account.unwrap_or_else(|| self.registry.open_account());
        self.registry.insert_key(ApiKey {
            id: key.id,
            account,
            label: key.label.clone(),
            scopes: key.scopes,
            secret_sha256: key.secret_sha256,
            ed25519_public_key: key.ed25519_public_key,
            created_ms: key.created_ms,
            expires_ms: key.expires_ms,
            revoked_ms: None,
            ip_allowlist: key.ip_allowlist.clone(),
            rsa_public_key,
        });
        Ok(VenueOutcome::KeyCreated { key: key.id, account })
    }
}
