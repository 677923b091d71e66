//! The setup `augury serve --demo` runs, through a real venue on disk: the demo markets and every
//! real question are listed with their catalog entries (titles, categories, close times, slugs,
//! events) in the journal, the warm-up's simulated traders trade six of the questions, and a
//! restart rebuilds the same catalog from the journal alone.

use augury_core::{BookSide, Event, MarketId, OrderId};
use augury_engine::EngineConfig;
use augury_sequencer::{Venue, VenueCommand, VenueOptions, VenueOutcome};
use augury_sim::questions::{self, QUESTION_MARKET_BASE};
use augury_sim::utc::parse_utc;
use augury_sim::{Simulation, FEE_ACCOUNT};
use std::collections::BTreeMap;
use std::path::Path;

/// What `augury serve --demo` runs after the setup (its `DEMO_WARMUP_STEPS`).
const WARMUP_STEPS: usize = 5_000;

fn options(dir: &Path) -> VenueOptions {
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() };
    options.snapshot_every = 0;
    options
}

fn events_of(outcome: &VenueOutcome) -> &[Event] {
    match outcome {
        VenueOutcome::Applied { events } | VenueOutcome::MarketListed { events, .. } => events,
        VenueOutcome::Order { events, .. } => events,
        _ => &[],
    }
}

#[test]
fn the_serve_demo_setup_lists_every_question_and_trades_six() {
    let dir = tempfile::tempdir().unwrap();
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    // As the demo starts with the price replay: an hour before 2019-06-01.
    let start = parse_utc("2019-06-01T00:00:00Z").unwrap() - 3_600_000;
    let import = questions::shipped();
    let mut simulation = Simulation::starting_at(1, start, OrderId(0)).with_real_questions(&import.questions);
    let setup = simulation.venue_setup();
    let events_created = setup.iter().filter(|c| matches!(c, VenueCommand::CreateEvent { .. })).count();
    let listed = setup.iter().filter(|c| matches!(c, VenueCommand::ListMarket { .. })).count();
    assert_eq!((events_created, listed), (questions::EVENTS.len(), 3 + import.questions.len()));
    assert!(!setup.iter().any(|c| matches!(c, VenueCommand::Engine(augury_core::Command::CreateMarket { .. }))));
    for command in &setup {
        venue.execute(command).unwrap().unwrap_or_else(|reject| panic!("{command:?}: {reject}"));
    }

    let mut fills: BTreeMap<MarketId, u64> = BTreeMap::new();
    for _ in 0..WARMUP_STEPS {
        let command = VenueCommand::Engine(simulation.next_command());
        if let Ok(outcome) = venue.execute(&command).unwrap() {
            for event in events_of(&outcome) {
                if let Event::Fill { market, .. } = *event {
                    *fills.entry(market).or_default() += 1;
                }
            }
        }
    }
    venue.commit(0).unwrap();
    venue.engine().check_invariants().unwrap();

    let catalog = venue.state().catalog();
    for demo in augury_sim::demo_markets() {
        let listed = catalog.market(demo.spec.market).expect("the demo markets are listed");
        assert_eq!(listed.info, demo.info);
    }
    for q in &import.questions {
        let listed = catalog.market(q.market).unwrap_or_else(|| panic!("{} is not listed", q.question));
        assert_eq!(listed.info.title, q.question);
        assert_eq!(listed.info.category, q.category);
        assert_eq!(listed.info.event.as_deref(), q.event);
        assert_eq!(listed.info.expected_expiration_ms, Some(q.expected_expiration_ms));
        assert_eq!(listed.created_ms, start, "listed at the venue clock, before the warm-up");
        assert_eq!(catalog.market_by_slug(&q.slug), Some(q.market));
        let spec = venue.engine().market_spec(q.market).unwrap();
        assert_eq!(spec.close_time_ms, q.close_time_ms);
        assert!(spec.close_time_ms > venue.engine().clock_ms(), "still open after the warm-up");
    }
    for event in questions::EVENTS {
        let markets: Vec<MarketId> = catalog.event_markets(event.ticker).collect();
        let expected: Vec<MarketId> =
            import.questions.iter().filter(|q| q.event == Some(event.ticker)).map(|q| q.market).collect();
        assert_eq!(markets, expected, "{}", event.ticker);
        assert!(markets.len() >= 2, "{}: an event groups several markets", event.ticker);
    }

    // The six traded questions have trades and resting orders; the others are listed, untouched.
    let traded: Vec<MarketId> = import.questions.iter().filter(|q| q.traded).map(|q| q.market).collect();
    assert_eq!(traded.len(), 6);
    for q in &import.questions {
        let engine = venue.engine();
        let resting = [BookSide::Bid, BookSide::Ask].iter().any(|&side| !engine.depth(q.market, 0, side, 1).is_empty());
        if q.traded {
            assert!(fills.get(&q.market).copied().unwrap_or(0) >= 10, "{}: {fills:?}", q.question);
            assert!(resting, "{}: no resting orders", q.question);
        } else {
            assert!(!fills.contains_key(&q.market) && !resting, "{} is not traded", q.question);
        }
    }
    assert!(fills.keys().all(|&m| m <= MarketId(3) || m > QUESTION_MARKET_BASE));
    assert!(fills.get(&MarketId(1)).is_some_and(|&n| n > 0), "the demo markets still trade");

    // The catalog is in the journal: a restart rebuilds it exactly.
    let (catalog, hash) = (venue.state().catalog().clone(), venue.engine().state_hash());
    drop(venue);
    let (venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    assert_eq!(venue.state().catalog(), &catalog);
    assert_eq!(venue.engine().state_hash(), hash);
}

/// Questions that closed before the simulation's clock are left out (a market cannot be created
/// closed), with any event only they would have used.
#[test]
fn questions_already_closed_are_not_listed() {
    let import = questions::shipped();
    let clock = parse_utc("2026-07-01T00:00:00Z").unwrap();
    let simulation = Simulation::starting_at(1, clock, OrderId(0)).with_real_questions(&import.questions);
    let listed: Vec<MarketId> = simulation.listed_markets().iter().map(|m| m.spec.market).collect();
    let open: Vec<MarketId> = import.questions.iter().filter(|q| q.close_time_ms > clock).map(|q| q.market).collect();
    assert_eq!(listed, [vec![MarketId(1), MarketId(2), MarketId(3)], open.clone()].concat());
    assert!(open.len() < import.questions.len() && !open.is_empty());
    let setup = simulation.venue_setup();
    let events: Vec<&str> = setup
        .iter()
        .filter_map(|c| match c {
            VenueCommand::CreateEvent { event } => Some(event.ticker.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(events, ["WEINSTEIN-SENTENCE-2026", "MI-GOVERNOR-2026"]);
    // The plain simulation (the benchmark's, `augury demo`'s) is the three demo markets only.
    let plain = Simulation::new(1);
    assert_eq!(plain.listed_markets().len(), 3);
    assert_eq!(plain.venue_setup().len(), plain.setup().len(), "one venue command per engine command");
}
