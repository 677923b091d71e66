//! The venue's own state beside the engine's: which accounts exist, the API keys that act for
//! them, and the client order ids already used. It changes only through journaled
//! [`VenueCommand`](crate::VenueCommand)s, so a restart or a replay rebuilds it exactly, and a
//! key or an idempotency record is as durable (and as tamper-evident) as an order.

use augury_core::{AccountId, Event, NewOrder, TimestampMs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Accounts the registry hands out start here; lower ids are the operator's (the fee account,
/// demo and simulated traders).
pub const FIRST_REGISTERED_ACCOUNT: AccountId = AccountId(1_000);

/// Longest client order id accepted.
pub const CLIENT_ORDER_ID_MAX_LEN: usize = 64;

pub type KeyId = u64;

/// What a key may do. `admin` does not imply the others: a key gets exactly what it is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scopes(u8);

impl Scopes {
    pub const READ: Scopes = Scopes(1);
    pub const TRADE: Scopes = Scopes(2);
    pub const ADMIN: Scopes = Scopes(4);
    /// Proposes how markets resolved (posting a bond), and votes as an arbiter.
    pub const RESOLVER: Scopes = Scopes(8);
    pub const NAMES: [(&'static str, Scopes); 4] =
        [("read", Scopes::READ), ("trade", Scopes::TRADE), ("admin", Scopes::ADMIN), ("resolver", Scopes::RESOLVER)];

    pub const fn from_bits(bits: u8) -> Scopes {
        Scopes(bits & 15)
    }

    pub const fn union(self, other: Scopes) -> Scopes {
        Scopes(self.0 | other.0)
    }

    pub const fn contains(self, other: Scopes) -> bool {
        self.0 & other.0 == other.0
    }

    /// Parses "read,trade" (names from [`Scopes::NAMES`]).
    pub fn parse(text: &str) -> Result<Scopes, String> {
        let mut scopes = Scopes::default();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let (_, scope) = Scopes::NAMES
                .iter()
                .find(|(known, _)| *known == name)
                .ok_or_else(|| format!("unknown scope {name:?} (known: read, trade, admin, resolver)"))?;
            scopes = scopes.union(*scope);
        }
        Ok(scopes)
    }

    pub fn names(self) -> Vec<&'static str> {
        Scopes::NAMES.iter().filter(|(_, s)| self.contains(*s)).map(|(n, _)| *n).collect()
    }
}

/// An API key as the venue stores it: never the secret, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: KeyId,
    pub account: AccountId,
    pub label: String,
    pub scopes: Scopes,
    pub secret_sha256: [u8; 32],
    /// Requests signed by this key's holder verify against it.
    pub ed25519_public_key: Option<[u8; 32]>,
    pub created_ms: TimestampMs,
    pub expires_ms: Option<TimestampMs>,
    pub revoked_ms: Option<TimestampMs>,
    /// Addresses or CIDR blocks the key may be used from; empty means anywhere.
    pub ip_allowlist: Vec<String>,
    /// An RSA public key (SubjectPublicKeyInfo, DER) for the Kalshi-compatible surface, whose
    /// requests are signed with RSA-PSS. The algorithm is bound to the key here, at registration;
    /// a request never names it.
    pub rsa_public_key: Option<Vec<u8>>,
}

/// The longest RSA public key (SubjectPublicKeyInfo DER) a key may carry: an 8,192-bit modulus
/// takes about 1,060 bytes.
pub const RSA_PUBLIC_KEY_MAX_BYTES: usize = 2_048;

/// A new key: like [`ApiKey`] but the account may be left for the venue to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub id: KeyId,
    /// `None`: open a new account for the key.
    pub account: Option<AccountId>,
    pub label: String,
    pub scopes: Scopes,
    pub secret_sha256: [u8; 32],
    pub ed25519_public_key: Option<[u8; 32]>,
    pub created_ms: TimestampMs,
    pub expires_ms: Option<TimestampMs>,
    pub ip_allowlist: Vec<String>,
}

/// The first answer to an order placed with a client order id, kept to answer retries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientOrder {
    pub order: NewOrder,
    pub events: Vec<Event>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    next_account: AccountId,
    keys: BTreeMap<KeyId, ApiKey>,
    /// Every client_order_id ever used, for good (ids are never reusable). A B-tree, not a hash
    /// map: doubling a hash table of millions of ids would stall the sequencer for tens of ms.
    #[serde(with = "client_orders_sorted")]
    client_orders: BTreeMap<(AccountId, String), ClientOrder>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry { next_account: FIRST_REGISTERED_ACCOUNT, ..Registry::default() }
    }

    pub fn key(&self, id: KeyId) -> Option<&ApiKey> {
        self.keys.get(&id)
    }

    /// Keys in id order, optionally only one account's.
    pub fn keys(&self, account: Option<AccountId>) -> impl Iterator<Item = &ApiKey> {
        self.keys.values().filter(move |k| account.is_none_or(|a| k.account == a))
    }

    pub fn client_order(&self, account: AccountId, client_order_id: &str) -> Option<&ClientOrder> {
        self.client_orders.get(&(account, client_order_id.to_string()))
    }

    pub fn client_order_count(&self) -> usize {
        self.client_orders.len()
    }

    /// Whether `account` was opened by the registry.
    pub fn is_registered_account(&self, account: AccountId) -> bool {
        (FIRST_REGISTERED_ACCOUNT..self.next_account).contains(&account)
    }

    /// The account the next [`Registry::open_account`] will open.
    pub(crate) fn next_account(&self) -> AccountId {
        self.next_account
    }

    pub(crate) fn open_account(&mut self) -> AccountId {
        let account = self.next_account;
        self.next_account = account.next();
        account
    }

    pub(crate) fn insert_key(&mut self, key: ApiKey) {
        debug_assert!(!self.keys.contains_key(&key.id));
        self.keys.insert(key.id, key);
    }

    pub(crate) fn revoke_key(&mut self, id: KeyId, at_ms: TimestampMs) {
        if let Some(key) = self.keys.get_mut(&id) {
            key.revoked_ms = Some(at_ms);
        }
    }

    pub(crate) fn record_client_order(&mut self, client_order_id: String, order: NewOrder, events: Vec<Event>) {
        let previous = self.client_orders.insert((order.account, client_order_id), ClientOrder { order, events });
        debug_assert!(previous.is_none(), "a client order id is recorded once");
    }
}

/// A one-time enrollment code as the venue stores it: never the code, only its SHA-256. Whoever
/// holds the code may redeem it once, before it expires, for a key with these scopes on this
/// account (or on a new one), registering their own Ed25519 public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// `None`: the key opens a new account when the code is redeemed.
    pub account: Option<AccountId>,
    pub scopes: Scopes,
    /// The key's label, unless the redeemer gives one.
    pub label: String,
    pub created_ms: TimestampMs,
    pub expires_ms: TimestampMs,
    /// Set when the code was redeemed: the key it made and when.
    pub redeemed: Option<(KeyId, TimestampMs)>,
}

/// The enrollment codes, by the SHA-256 of the code. Kept beside the [`Registry`] (its own field
/// of the snapshot) so the registry's serialized layout stays as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollments {
    codes: BTreeMap<[u8; 32], Enrollment>,
}

impl Enrollments {
    pub fn new() -> Enrollments {
        Enrollments::default()
    }

    pub fn get(&self, code_sha256: &[u8; 32]) -> Option<&Enrollment> {
        self.codes.get(code_sha256)
    }

    /// Every code's hash and record, in hash order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8; 32], &Enrollment)> {
        self.codes.iter()
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub(crate) fn insert(&mut self, code_sha256: [u8; 32], enrollment: Enrollment) {
        debug_assert!(!self.codes.contains_key(&code_sha256));
        self.codes.insert(code_sha256, enrollment);
    }

    pub(crate) fn mark_redeemed(&mut self, code_sha256: &[u8; 32], key: KeyId, at_ms: TimestampMs) {
        if let Some(enrollment) = self.codes.get_mut(code_sha256) {
            enrollment.redeemed = Some((key, at_ms));
        }
    }
}

/// An API key as snapshots before RSA keys (`AUGSNAP3`) stored it. Postcard is positional, so
/// the old layout is kept as its own type and converted when such a snapshot is read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ApiKeyV3 {
    id: KeyId,
    account: AccountId,
    label: String,
    scopes: Scopes,
    secret_sha256: [u8; 32],
    ed25519_public_key: Option<[u8; 32]>,
    created_ms: TimestampMs,
    expires_ms: Option<TimestampMs>,
    revoked_ms: Option<TimestampMs>,
    ip_allowlist: Vec<String>,
}

/// The registry as `AUGSNAP3` snapshots stored it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RegistryV3 {
    next_account: AccountId,
    keys: BTreeMap<KeyId, ApiKeyV3>,
    #[serde(with = "client_orders_sorted")]
    client_orders: BTreeMap<(AccountId, String), ClientOrder>,
}

impl From<RegistryV3> for Registry {
    fn from(old: RegistryV3) -> Registry {
        let keys = old
            .keys
            .into_iter()
            .map(|(id, k)| {
                let key = ApiKey {
                    id: k.id,
                    account: k.account,
                    label: k.label,
                    scopes: k.scopes,
                    secret_sha256: k.secret_sha256,
                    ed25519_public_key: k.ed25519_public_key,
                    created_ms: k.created_ms,
                    expires_ms: k.expires_ms,
                    revoked_ms: k.revoked_ms,
                    ip_allowlist: k.ip_allowlist,
                    rsa_public_key: None,
                };
                (id, key)
            })
            .collect();
        Registry { next_account: old.next_account, keys, client_orders: old.client_orders }
    }
}

impl RegistryV3 {
    /// The old layout of a registry without RSA keys (for tests that write old snapshots).
    #[cfg(test)]
    pub(crate) fn from_current(registry: &Registry) -> RegistryV3 {
        let keys = registry
            .keys
            .iter()
            .map(|(id, k)| {
                assert!(k.rsa_public_key.is_none(), "an AUGSNAP3 snapshot cannot hold RSA keys");
                let key = ApiKeyV3 {
                    id: k.id,
                    account: k.account,
                    label: k.label.clone(),
                    scopes: k.scopes,
                    secret_sha256: k.secret_sha256,
                    ed25519_public_key: k.ed25519_public_key,
                    created_ms: k.created_ms,
                    expires_ms: k.expires_ms,
                    revoked_ms: k.revoked_ms,
                    ip_allowlist: k.ip_allowlist.clone(),
                };
                (*id, key)
            })
            .collect();
        RegistryV3 { next_account: registry.next_account, keys, client_orders: registry.client_orders.clone() }
    }
}

/// Checks a client order id: 1 to 64 characters from `A-Z a-z 0-9 - _ . :`.
pub fn check_client_order_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > CLIENT_ORDER_ID_MAX_LEN {
        return Err(format!("client_order_id must be 1 to {CLIENT_ORDER_ID_MAX_LEN} characters"));
    }
    if let Some(bad) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))) {
        return Err(format!("client_order_id may not contain {bad:?} (allowed: letters, digits, - _ . :)"));
    }
    Ok(())
}

/// The fields of two orders (ids aside) that differ, by their API names.
pub fn differing_fields(first: &NewOrder, retry: &NewOrder) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut check = |same: bool, name: &'static str| {
        if !same {
            fields.push(name);
        }
    };
    check(first.market == retry.market, "market");
    check(first.outcome == retry.outcome, "outcome");
    check(first.side == retry.side, "side");
    check(first.action == retry.action, "action");
    check(first.order_type == retry.order_type, "order_type");
    check(first.quantity == retry.quantity, "quantity");
    check(first.time_in_force == retry.time_in_force, "time_in_force");
    check(first.post_only == retry.post_only, "post_only");
    check(first.self_trade == retry.self_trade, "self_trade");
    fields
}

/// Snapshots store the client-order table as a list of rows sorted by key (the encoding a hash
/// map used to need; kept so existing snapshots still load).
mod client_orders_sorted {
    use super::ClientOrder;
    use augury_core::AccountId;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    type Table = BTreeMap<(AccountId, String), ClientOrder>;

    pub fn serialize<S: Serializer>(table: &Table, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(table.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Table, D::Error> {
        let rows: Vec<((AccountId, String), ClientOrder)> = Vec::deserialize(deserializer)?;
        Ok(rows.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augury_core::MarketId;
    use augury_core::{Action, OrderId, OrderType, SelfTradePrevention, Side, TimeInForce};

    fn order(account: AccountId, order: OrderId) -> NewOrder {
        NewOrder {
            order,
            account,
            market: MarketId(1),
            outcome: 0,
            side: Side::Yes,
            action: Action::Buy,
            order_type: OrderType::Limit { price_micros: 500_000 },
            quantity: 1,
            time_in_force: TimeInForce::Gtc,
            post_only: false,
            self_trade: SelfTradePrevention::CancelTaker,
        }
    }

    /// Snapshots written when the table was a hash map (rows sorted by key) still load, and the
    /// table encodes to exactly those bytes whatever the insertion order.
    #[test]
    fn client_orders_encode_as_rows_sorted_by_key() {
        let mut registry = Registry::new();
        for (account, id, n) in [(2, "b", 1), (1, "z", 2), (2, "a", 3), (1, "y", 4)] {
            registry.record_client_order(id.to_string(), order(AccountId(account), OrderId(n)), Vec::new());
        }
        let bytes = postcard::to_allocvec(&registry).expect("encodes");

        let mut rows: Vec<((AccountId, String), ClientOrder)> = registry
            .client_orders
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .rev() // scrambled, then sorted as the old encoder did
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let old_layout = postcard::to_allocvec(&(registry.next_account, &registry.keys, &rows)).expect("encodes");
        assert_eq!(bytes, old_layout);
        assert_eq!(
            rows.iter().map(|r| (r.0 .0, r.0 .1.as_str())).collect::<Vec<_>>(),
            [(AccountId(1), "y"), (AccountId(1), "z"), (AccountId(2), "a"), (AccountId(2), "b")]
        );

        let decoded: Registry = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(decoded, registry);
        assert_eq!(decoded.client_order(AccountId(2), "a").map(|c| c.order.order), Some(OrderId(3)));
    }
}
