//! The venue's registry on disk: keys, accounts and client order ids are journaled, so they
//! survive restarts (from the journal or a snapshot) exactly like orders; the data directory is
//! locked against a second process.
// Test arithmetic on small, known values: casts cannot truncate here.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

use augury_core::{
    AccountId, Action, Command, FeeSchedule, MarketId, MarketKind, MarketSpec, NewOrder, OrderId, OrderType, Side,
    TimeInForce,
};
use augury_engine::EngineConfig;
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Sequencer, Venue, VenueCommand, VenueError, VenueOptions, VenueOutcome, VenueReject};
use std::path::Path;

fn options(dir: &Path) -> VenueOptions {
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: AccountId(1), ..EngineConfig::default() };
    options.snapshot_every = 0;
    options
}

fn new_key(id: u64, account: Option<u64>) -> NewApiKey {
    NewApiKey {
        id,
        account: account.map(AccountId),
        label: format!("key {id}"),
        scopes: Scopes::READ.union(Scopes::TRADE),
        secret_sha256: [id as u8; 32],
        ed25519_public_key: None,
        created_ms: 1_000,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    }
}

fn order(account: u64, quantity: u64) -> NewOrder {
    NewOrder {
        order: OrderId(0),
        account: AccountId(account),
        market: MarketId(1),
        outcome: 0,
        side: Side::Yes,
        action: Action::Buy,
        order_type: OrderType::Limit { price_micros: 400_000 },
        quantity,
        time_in_force: TimeInForce::Gtc,
        post_only: false,
        self_trade: Default::default(),
    }
}

fn setup(sequencer: &Sequencer) -> u64 {
    let handle = sequencer.handle();
    let spec = MarketSpec {
        market: MarketId(1),
        kind: MarketKind::Binary,
        tick_micros: 10_000,
        fees: FeeSchedule::ZERO,
        close_time_ms: 0,
    };
    handle.submit(Command::CreateMarket { spec }).unwrap().unwrap();
    let account = match handle.execute(VenueCommand::CreateKey { key: new_key(7, None) }).unwrap().unwrap() {
        VenueOutcome::KeyCreated { key: 7, account } => account,
        other => panic!("unexpected {other:?}"),
    };
    handle.submit(Command::Deposit { account, amount_micros: 100_000_000 }).unwrap().unwrap();
    account.get()
}

#[test]
fn client_order_ids_are_idempotent_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let sequencer = Sequencer::start(venue, 64);
    let account = setup(&sequencer);
    let handle = sequencer.handle();
    let place =
        |quantity| VenueCommand::PlaceClientOrder { order: order(account, quantity), client_order_id: "abc-1".into() };

    let first = handle.execute(place(5)).unwrap().unwrap();
    let VenueOutcome::Order { order: first_id, replay: false, ref events } = first else { panic!("{first:?}") };
    assert!(!events.is_empty());
    let again = handle.execute(place(5)).unwrap().unwrap();
    assert_eq!(again, VenueOutcome::Order { order: first_id, events: events.clone(), replay: true });
    let conflict = handle.execute(place(6)).unwrap().unwrap_err();
    assert_eq!(conflict.code(), "client_order_id_conflict");
    assert!(matches!(conflict, VenueReject::ClientOrderConflict { ref fields, .. } if fields == &vec!["quantity"]));
    let bad =
        handle.execute(VenueCommand::PlaceClientOrder { order: order(account, 1), client_order_id: "a b".into() });
    assert_eq!(bad.unwrap().unwrap_err().code(), "invalid_client_order_id");
    let venue = sequencer.stop();
    assert_eq!(venue.engine().open_order_count(), 1, "one order, however many retries");
    let hash = venue.engine().state_hash();
    drop(venue);

    // After a restart (journal replay only) the id is still taken, with the same answer.
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(venue.engine().state_hash(), hash);
    let replayed = venue.execute(&place(5)).unwrap().unwrap();
    assert_eq!(replayed, VenueOutcome::Order { order: first_id, events: events.clone(), replay: true });
    assert_eq!(venue.journal().len(), venue.journal().committed(), "a replayed answer writes nothing");

    // And after a snapshot.
    venue.snapshot().unwrap();
    drop(venue);
    let (mut venue, report) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert!(report.snapshot_entries > 0);
    assert!(matches!(venue.execute(&place(5)).unwrap().unwrap(), VenueOutcome::Order { replay: true, .. }));
    assert_eq!(venue.state().registry().key(7).unwrap().account, AccountId(account));
}

#[test]
fn keys_are_created_and_revoked_durably() {
    let dir = tempfile::tempdir().unwrap();
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let sequencer = Sequencer::start(venue, 64);
    let account = setup(&sequencer);
    let handle = sequencer.handle();
    let duplicate = handle.execute(VenueCommand::CreateKey { key: new_key(7, None) }).unwrap().unwrap_err();
    assert_eq!(duplicate.code(), "duplicate_key");
    let unknown = handle.execute(VenueCommand::CreateKey { key: new_key(8, Some(999_999)) }).unwrap().unwrap_err();
    assert_eq!(unknown.code(), "unknown_account");
    let second = handle.execute(VenueCommand::CreateKey { key: new_key(8, Some(account)) }).unwrap().unwrap();
    assert_eq!(second, VenueOutcome::KeyCreated { key: 8, account: AccountId(account) });
    let mut no_scopes = new_key(9, None);
    no_scopes.scopes = Scopes::default();
    assert_eq!(handle.execute(VenueCommand::CreateKey { key: no_scopes }).unwrap().unwrap_err().code(), "no_scopes");
    assert_eq!(
        handle.execute(VenueCommand::RevokeKey { key: 8, at_ms: 5_000 }).unwrap().unwrap(),
        VenueOutcome::KeyRevoked { key: 8 }
    );
    let again = handle.execute(VenueCommand::RevokeKey { key: 8, at_ms: 6_000 }).unwrap().unwrap_err();
    assert_eq!(again.code(), "key_already_revoked");
    drop(sequencer.stop());

    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let registry = venue.state().registry();
    assert_eq!(registry.key(8).unwrap().revoked_ms, Some(5_000));
    assert_eq!(registry.key(7).unwrap().revoked_ms, None);
    assert_eq!(registry.keys(Some(AccountId(account))).count(), 2);
    assert!(registry.key(9).is_none());
}

#[test]
fn a_second_process_cannot_open_a_locked_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    match Venue::open(options(dir.path()), &mut |_| {}) {
        Err(VenueError::Locked { path }) => assert!(path.ends_with("LOCK")),
        Err(other) => panic!("expected Locked, got {other}"),
        Ok(_) => panic!("a locked data directory was opened twice"),
    }
    drop(venue);
    Venue::open(options(dir.path()), &mut |_| {}).expect("the lock is released with the venue");
}

/// Enrollment codes and the keys redeemed from them survive a restart, from the journal and from a
/// snapshot: a spent code stays spent.
#[test]
fn enrollment_codes_survive_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let create = |code: u8| VenueCommand::CreateEnrollment {
        code_sha256: [code; 32],
        account: None,
        scopes: Scopes::READ,
        label: "enrolled".into(),
        created_ms: 1_000,
        expires_ms: 1_000_000,
    };
    let enroll = |code: u8, id: u64| VenueCommand::Enroll { code_sha256: [code; 32], key: new_key(id, None) };
    venue.execute(&create(1)).unwrap().unwrap();
    venue.execute(&create(2)).unwrap().unwrap();
    let outcome = venue.execute(&enroll(1, 20)).unwrap().unwrap();
    assert!(matches!(outcome, VenueOutcome::KeyCreated { key: 20, .. }), "{outcome:?}");
    venue.commit(2_000).unwrap();
    drop(venue);

    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(venue.state().registry().key(20).unwrap().scopes, Scopes::READ);
    assert_eq!(venue.execute(&enroll(1, 21)).unwrap().unwrap_err().code(), "enrollment_used");
    venue.snapshot().unwrap();
    drop(venue);

    let (mut venue, report) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert!(report.snapshot_entries > 0);
    assert_eq!(venue.execute(&enroll(1, 21)).unwrap().unwrap_err().code(), "enrollment_used");
    assert!(matches!(venue.execute(&enroll(2, 21)).unwrap().unwrap(), VenueOutcome::KeyCreated { key: 21, .. }));
    assert!(matches!(venue.execute(&enroll(3, 22)).unwrap(), Err(VenueReject::UnknownEnrollment)));
}
