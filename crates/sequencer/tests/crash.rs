//! The crash test: a child process places orders through the sequencer and journal, printing each
//! order id once its answer (which comes only after fsync) arrives; the parent kills it with
//! SIGKILL at random moments, over and over. After every kill the venue must reopen with every
//! acknowledged order present exactly once, every invariant holding, and `verify` passing.
//!
//! This is a test binary without the libtest harness: run with no environment it is the parent;
//! with `AUGURY_CRASH_CHILD` set to a data directory it is the child.

use augury_core::{
    AccountId, Action, Command, Event, MarketId, MarketKind, MarketSpec, NewOrder, OrderId, OrderType, Side,
    TimeInForce,
};
use augury_core::{FeeSchedule, SelfTradePrevention};
use augury_engine::EngineConfig;
use augury_journal::{Journal, JournalOptions};
use augury_sequencer::{record, Sequencer, Venue, VenueOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "AUGURY_CRASH_CHILD";
const KILLS: usize = 24;
const TRADER: AccountId = AccountId(100);
const MARKET: MarketId = MarketId(1);

fn options(dir: &Path) -> VenueOptions {
    let mut options = VenueOptions::new(dir);
    options.engine = EngineConfig { fee_account: AccountId(1), ..EngineConfig::default() };
    // Small segments and frequent snapshots, so kills land in every phase.
    options.journal.segment_bytes = 64 << 10;
    options.snapshot_every = 700;
    options
}

fn main() {
    match std::env::var(CHILD_ENV) {
        Ok(dir) => child(Path::new(&dir)),
        Err(_) => parent(),
    }
}

/// Opens the venue, sets it up on first run, and places orders from several threads until killed.
fn child(dir: &Path) {
    let (venue, _) = Venue::open(options(dir), &mut |_| {}).expect("the child opens the venue");
    let fresh = venue.engine().market_spec(MARKET).is_none();
    let sequencer = Sequencer::start(venue, 4_096);
    println!("OPEN");
    if fresh {
        let spec = MarketSpec {
            market: MARKET,
            kind: MarketKind::Binary,
            tick_micros: 10_000,
            fees: FeeSchedule::ZERO,
            close_time_ms: 0,
        };
        for command in [
            Command::CreateMarket { spec },
            Command::Deposit { account: TRADER, amount_micros: 1_000_000_000_000_000 },
            Command::Deposit { account: TRADER.next(), amount_micros: 1_000_000_000_000_000 },
        ] {
            sequencer.handle().submit(command).expect("answered").expect("setup accepted");
        }
    }
    let stdout = Arc::new(Mutex::new(std::io::stdout()));
    std::thread::scope(|scope| {
        for thread in 0..4u64 {
            let handle = sequencer.handle();
            let stdout = Arc::clone(&stdout);
            scope.spawn(move || {
                let mut n = thread;
                loop {
                    n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    // Two traders buying YES and NO around the middle: some rest, some mint sets.
                    let side = if n >> 33 & 1 == 0 { Side::Yes } else { Side::No };
                    let price_micros = (40 + (n >> 40) % 21) * 10_000;
                    let order = NewOrder {
                        order: OrderId(0),
                        account: AccountId(TRADER.get() + (n >> 50 & 1)),
                        market: MARKET,
                        outcome: 0,
                        side,
                        action: Action::Buy,
                        order_type: OrderType::Limit { price_micros },
                        quantity: 1 + (n >> 20) % 5,
                        time_in_force: TimeInForce::Gtc,
                        post_only: false,
                        self_trade: SelfTradePrevention::CancelMaker,
                    };
                    let events = handle.submit(Command::PlaceOrder { order }).expect("answered").expect("accepted");
                    let Some(Event::OrderAccepted { order, .. }) = events.first() else { panic!("{events:?}") };
                    let mut out = stdout.lock().expect("stdout");
                    writeln!(out, "ACK {order}").and_then(|()| out.flush()).expect("the parent reads");
                }
            });
        }
    });
}

fn parent() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let executable = std::env::current_exe().expect("the test binary knows its path");
    let mut acknowledged = BTreeSet::new();
    let mut random = 0x2545_F491_4F6C_DD1Du64;
    let mut torn_tails = 0;
    let mut lives_with_acks = 0;
    for kill in 0..KILLS {
        let mut child = Process::new(&executable)
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the child starts");
        let acks = Arc::new(Mutex::new(Vec::new()));
        let (opened, wait_open) = std::sync::mpsc::channel();
        let reader = {
            let acks = Arc::clone(&acks);
            let stdout = child.stdout.take().expect("piped");
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if line == "OPEN" {
                        let _ = opened.send(());
                    } else if let Some(id) = line.strip_prefix("ACK ") {
                        acks.lock().expect("acks").push(id.parse::<u64>().expect("an order id"));
                    }
                }
            })
        };
        // Kill only once recovery is done and trading has begun, at a random moment after.
        wait_open.recv_timeout(Duration::from_secs(120)).expect("the child opens the venue");
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        std::thread::sleep(Duration::from_millis(20 + random % 300));
        child.kill().expect("SIGKILL the child");
        child.wait().expect("reap the child");
        reader.join().expect("the reader ends with the child's stdout");
        let acks = std::mem::take(&mut *acks.lock().expect("acks"));
        lives_with_acks += usize::from(!acks.is_empty());
        acknowledged.extend(acks.iter().copied());

        let (counts, report) = check(dir.path());
        if report.recovery.torn_tail.is_some() {
            torn_tails += 1;
        }
        let missing: Vec<_> = acknowledged.iter().filter(|id| !counts.contains_key(&OrderId(**id))).collect();
        assert!(missing.is_empty(), "kill {kill}: acknowledged orders lost: {missing:?}");
        let repeated: Vec<_> = counts.iter().filter(|(_, &n)| n != 1).collect();
        assert!(repeated.is_empty(), "kill {kill}: orders journaled more than once: {repeated:?}");
        println!(
            "kill {kill:2}: {} acknowledged in this life, {} in all, {} orders journaled",
            acks.len(),
            acknowledged.len(),
            counts.len()
        );
    }
    assert!(lives_with_acks >= KILLS * 3 / 4, "only {lives_with_acks} of {KILLS} lives acknowledged anything");
    println!(
        "{KILLS} kills, {torn_tails} torn tails cut, {} acknowledged orders all present once, in {:.1?}",
        acknowledged.len(),
        started.elapsed()
    );
    println!("1 passed, 0 failed");
}

/// Reopens the venue (recovery), audits it, verifies the journal and counts every journaled order.
fn check(dir: &Path) -> (BTreeMap<OrderId, u32>, augury_sequencer::OpenReport) {
    let (venue, report) = Venue::open(options(dir), &mut |_| {}).expect("the venue reopens after SIGKILL");
    venue.engine().check_invariants().expect("invariants hold after recovery");
    drop(venue);
    augury_journal::verify(&dir.join("journal"), None).expect("verify passes after recovery");
    let mut counts = BTreeMap::new();
    let mut visit = |_: u64, payload: &[u8], _: &augury_journal::Hash| {
        let record = record::decode(payload).expect("every entry decodes");
        for event in record.events {
            if let Event::OrderAccepted { order, .. } = event {
                *counts.entry(order).or_insert(0) += 1;
            }
        }
        Ok(())
    };
    Journal::open(&dir.join("journal"), JournalOptions::default(), &mut visit).expect("the journal reads");
    (counts, report)
}
