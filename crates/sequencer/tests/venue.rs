//! The venue on disk: restart gives back the same state, from the journal alone or from a
//! snapshot plus the tail; foreign snapshots are ignored; encrypted venues need their key.

use augury_core::{AccountId, Command};
use augury_engine::EngineConfig;
use augury_journal::{EncryptionKey, JournalError};
use augury_sequencer::{Sequencer, Venue, VenueClock, VenueError, VenueOptions};
use augury_sim::{Simulation, FEE_ACCOUNT};
use std::path::Path;

fn options(dir: &Path) -> VenueOptions {
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() };
    options.snapshot_every = 0;
    options
}

/// Runs the demo setup and `steps` simulated commands, committing every `batch`.
fn trade(venue: &mut Venue, simulation: &mut Simulation, setup: bool, steps: usize, batch: usize) {
    let mut commands: Vec<Command> = if setup { simulation.setup() } else { Vec::new() };
    commands.extend((0..steps).map(|_| simulation.next_command()));
    for (i, command) in commands.iter().enumerate() {
        venue.submit(command).unwrap().ok();
        if (i + 1) % batch == 0 {
            venue.commit(0).unwrap();
        }
    }
    venue.commit(0).unwrap();
}

#[test]
fn restart_replays_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut simulation = Simulation::new(3);
    let (mut venue, report) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(report.recovery.entries, 0);
    trade(&mut venue, &mut simulation, true, 5_000, 64);
    let hash = venue.engine().state_hash();
    let entries = venue.journal().committed();
    drop(venue);

    let (venue, report) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(report.replayed, entries);
    assert_eq!(report.snapshot_entries, 0);
    assert_eq!(venue.engine().state_hash(), hash);
    venue.engine().check_invariants().unwrap();
}

#[test]
fn restart_from_a_snapshot_replays_only_the_tail() {
    let dir = tempfile::tempdir().unwrap();
    let mut simulation = Simulation::new(4);
    let mut with_snapshots = options(dir.path());
    with_snapshots.snapshot_every = 1_000;
    let (mut venue, _) = Venue::open(with_snapshots.clone(), &mut |_| {}).unwrap();
    trade(&mut venue, &mut simulation, true, 6_000, 100);
    let hash = venue.engine().state_hash();
    let entries = venue.journal().committed();
    drop(venue);

    let (venue, report) = Venue::open(with_snapshots, &mut |_| {}).unwrap();
    assert!(report.snapshot_entries >= entries - 1_100, "{report:?}");
    assert_eq!(report.replayed, entries - report.snapshot_entries);
    assert_eq!(venue.engine().state_hash(), hash);
}

#[test]
fn a_snapshot_from_another_journal_is_ignored() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let (mut a, _) = Venue::open(options(first.path()), &mut |_| {}).unwrap();
    trade(&mut a, &mut Simulation::new(5), true, 2_000, 50);
    a.snapshot().unwrap();
    let (mut b, _) = Venue::open(options(second.path()), &mut |_| {}).unwrap();
    trade(&mut b, &mut Simulation::new(6), true, 3_000, 50);
    let hash = b.engine().state_hash();
    drop((a, b));
    std::fs::create_dir_all(second.path().join("snapshots")).unwrap();
    for entry in std::fs::read_dir(first.path().join("snapshots")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), second.path().join("snapshots").join(entry.file_name())).unwrap();
    }
    let (venue, report) = Venue::open(options(second.path()), &mut |_| {}).unwrap();
    assert_eq!(report.snapshot_entries, 0);
    assert_eq!(report.snapshots_skipped.len(), 1, "{report:?}");
    assert_eq!(venue.engine().state_hash(), hash);
}

#[test]
fn an_encrypted_venue_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut encrypted = options(dir.path());
    encrypted.journal.encryption = Some(EncryptionKey::generate().unwrap());
    encrypted.snapshot_every = 500;
    let (mut venue, _) = Venue::open(encrypted.clone(), &mut |_| {}).unwrap();
    trade(&mut venue, &mut Simulation::new(7), true, 2_000, 50);
    let hash = venue.engine().state_hash();
    drop(venue);
    match Venue::open(options(dir.path()), &mut |_| {}) {
        Err(VenueError::Journal(JournalError::KeyRequired(_))) => {}
        Err(other) => panic!("expected a missing-key error, got {other}"),
        Ok(_) => panic!("an encrypted venue opened without its key"),
    }
    let (venue, report) = Venue::open(encrypted, &mut |_| {}).unwrap();
    assert!(report.snapshot_entries > 0);
    assert_eq!(venue.engine().state_hash(), hash);
}

#[test]
fn the_sequencer_answers_after_commit_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut simulation = Simulation::new(8);
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let sequencer = Sequencer::start(venue, 1_024);
    // The sequencer owns the clock: the simulation's own time steps stay out.
    let owns_time = |c: &Command| !matches!(c, Command::AdvanceTime { .. });
    for command in simulation.setup().into_iter().filter(owns_time) {
        sequencer.handle().submit(command).unwrap().unwrap();
    }
    let commands: Vec<Command> = (0..4_000).map(|_| simulation.next_command()).filter(owns_time).collect();
    let chunks: Vec<Vec<Command>> = commands.chunks(500).map(<[Command]>::to_vec).collect();
    std::thread::scope(|scope| {
        for chunk in chunks {
            let handle = sequencer.handle();
            scope.spawn(move || {
                for command in chunk {
                    // Refusals are fine (threads race); a stopped sequencer is not.
                    let _ = handle.submit(command).expect("the sequencer answers");
                }
            });
        }
    });
    let venue = sequencer.stop();
    let hash = venue.engine().state_hash();
    assert_eq!(venue.journal().committed(), venue.journal().len(), "everything answered is durable");
    drop(venue);
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(venue.engine().state_hash(), hash);
}

#[test]
fn an_external_clock_drives_the_venue_time() {
    let dir = tempfile::tempdir().unwrap();
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    // A replayed day in 2019, long before the wall clock.
    let start = 1_559_347_200_000;
    let clock = VenueClock::external(start);
    let sequencer = Sequencer::start_with_clock(venue, 64, None, clock.clone());
    let handle = sequencer.handle();
    let deposit = Command::Deposit { account: AccountId(7), amount_micros: 1 };
    handle.submit(deposit).unwrap().unwrap();
    clock.set(start + 3_600_000);
    clock.set(start);
    assert_eq!(clock.now_ms(), start + 3_600_000, "an external clock never goes back");
    handle.submit(deposit).unwrap().unwrap();
    let venue = sequencer.stop();
    assert_eq!(venue.engine().clock_ms(), start + 3_600_000);

    // Back on the wall clock, time jumps to now.
    clock.follow_wall();
    assert!(!clock.is_external());
    let sequencer = Sequencer::start_with_clock(venue, 64, None, clock);
    sequencer.handle().submit(deposit).unwrap().unwrap();
    let venue = sequencer.stop();
    assert!(venue.engine().clock_ms() > 1_700_000_000_000);
}

/// The catalog is journaled like everything else: listings, events, series and every edit with
/// its revision come back after a restart, from the journal alone and from a snapshot; a refused
/// change is not journaled.
#[test]
fn the_catalog_survives_a_restart() {
    use augury_catalog::{Category, EventInfo, MarketChange, MarketInfo, SeriesInfo};
    use augury_core::AccountId;
    use augury_core::MarketId;
    use augury_core::{MarketSpec, TimestampMs};
    use augury_sequencer::VenueCommand;

    let dir = tempfile::tempdir().unwrap();
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let now: TimestampMs = 1_700_000_000_000;
    venue.submit(&Command::AdvanceTime { now_ms: now }).unwrap().unwrap();
    let series = SeriesInfo {
        ticker: "BTC-DAILY".into(),
        title: "Bitcoin daily".into(),
        category: Category::Crypto,
        tags: vec!["bitcoin".into()],
        frequency: "daily".into(),
    };
    let event = EventInfo {
        ticker: "BTC-DAILY-2023-11-15".into(),
        title: "Bitcoin on 15 November 2023".into(),
        subtitle: String::new(),
        category: Category::Crypto,
        tags: vec![],
        mutually_exclusive: false,
        series: Some("BTC-DAILY".into()),
    };
    let spec = MarketSpec { market: MarketId(1), close_time_ms: now + 3_600_000, ..MarketSpec::default() };
    let info = MarketInfo {
        title: "Will <b>BTC</b> close at or above $40,000?".into(),
        rules_primary: "Resolves YES if the index is at or above 40,000 at 00:00 UTC.".into(),
        slug: "btc-40k".into(),
        event: Some(event.ticker.clone()),
        ..MarketInfo::placeholder(&spec)
    };
    let commands = [
        VenueCommand::CreateSeries { series },
        VenueCommand::CreateEvent { event },
        VenueCommand::ListMarket { spec, info: Box::new(info) },
        VenueCommand::EditMarket {
            market: MarketId(1),
            changes: vec![MarketChange::Title("Edited".into())],
            by: AccountId(1_000),
        },
    ];
    for command in &commands {
        venue.execute(command).unwrap().unwrap();
    }
    // Refused: a duplicate slug (market 2 is not created either) and an over-long title.
    let duplicate = VenueCommand::ListMarket {
        spec: MarketSpec { market: MarketId(2), ..spec },
        info: Box::new(MarketInfo { slug: "btc-40k".into(), ..MarketInfo::placeholder(&spec) }),
    };
    assert_eq!(venue.execute(&duplicate).unwrap().unwrap_err().code(), "duplicate_slug");
    assert!(venue.engine().market_spec(MarketId(2)).is_none());
    let long = VenueCommand::EditMarket {
        market: MarketId(1),
        changes: vec![MarketChange::Title("x".repeat(201))],
        by: AccountId(1),
    };
    assert_eq!(venue.execute(&long).unwrap().unwrap_err().code(), "field_too_long");
    venue.commit(0).unwrap();
    let catalog = venue.state().catalog().clone();
    assert_eq!(catalog.market(MarketId(1)).unwrap().created_ms, now);
    assert_eq!(catalog.market(MarketId(1)).unwrap().revisions.len(), 1);
    let entries = venue.journal().committed();
    assert_eq!(entries, 5, "the clock and four catalog commands; refusals are not journaled");
    drop(venue);

    let (mut venue, report) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(report.replayed, entries);
    assert_eq!(*venue.state().catalog(), catalog);
    venue.snapshot().unwrap();
    drop(venue);
    let (venue, report) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(report.snapshot_entries, entries);
    assert_eq!(*venue.state().catalog(), catalog);
    assert_eq!(venue.state().catalog().market_by_slug("btc-40k"), Some(MarketId(1)));
    assert_eq!(venue.state().catalog().market_series(MarketId(1)), Some("BTC-DAILY"));
}
