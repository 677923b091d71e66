//! A bot written for the Kalshi Trade API v2 (clients/kalshi/bot_loop.py, using the official
//! `kalshi-python` SDK with only its host changed, and a `websockets` client following the order
//! book) against a live venue on a free loopback port: exchange status, markets, events, the order
//! book, placing, amending, decreasing and cancelling orders, a fill against a second account,
//! fills, positions, balances and settlements after the market resolves, and the WebSocket book
//! matching REST. The markets are listed with catalog entries, so the SDK's models read the
//! catalog's titles, rules and times too.
//!
//! Needs `python3` with `kalshi-python` and `websockets`. Without them the test is skipped with a
//! notice, unless AUGURY_REQUIRE_PYTHON=1 (CI sets it), which makes it fail.

mod common;

use augury_catalog::{Category, MarketInfo, OutcomeNames};
use augury_core::{AccountId, Command, FeeSchedule, MarketId, MarketKind, MarketSpec};
use augury_gateway::kalshi::rsa::parse_public_key;
use augury_gateway::{token, GatewayConfig};
use augury_sequencer::registry::{NewApiKey, Scopes};
use augury_sequencer::{Venue, VenueCommand, VenueOutcome};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A trader's key with an RSA public key (as `augury keys create --rsa-public-key` makes it).
fn rsa_key(venue: &mut Venue, public_pem: &Path) -> (u64, u64) {
    let spki = parse_public_key(&std::fs::read(public_pem).unwrap()).unwrap();
    let (id, _token, secret_sha256) = token::generate().unwrap();
    let key = NewApiKey {
        id,
        account: None,
        label: "kalshi bot".into(),
        scopes: Scopes::READ.union(Scopes::TRADE),
        secret_sha256,
        ed25519_public_key: None,
        created_ms: 0,
        expires_ms: None,
        ip_allowlist: Vec::new(),
    };
    let account = match venue.execute(&VenueCommand::CreateRsaKey { key, rsa_public_key: spki }).unwrap().unwrap() {
        VenueOutcome::KeyCreated { account, .. } => account,
        other => panic!("{other:?}"),
    };
    (id, account.get())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kalshi_python_bot_runs_unchanged_against_augury() {
    if !python_with(
        "kalshi_python, websockets, cryptography",
        "kalshi-python websockets",
        "the Kalshi bot was not exercised",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut venue, _) = Venue::open(options(dir.path()), &mut |_| {}).unwrap();
    let binary = MarketSpec {
        market: MarketId(1),
        kind: MarketKind::Binary,
        tick_micros: 10_000,
        fees: FeeSchedule::ZERO,
        close_time_ms: 0,
    };
    let categorical = MarketSpec { market: MarketId(2), kind: MarketKind::Categorical { outcomes: 3 }, ..binary };
    // Listed with catalog entries, so the SDK's models read the catalog's fields (times included)
    // as the venue serves them.
    venue.submit(&Command::AdvanceTime { now_ms: now_ms() }).unwrap().unwrap();
    let question = MarketInfo {
        title: "Will the <b>bot</b> & its \"peer\" trade?".into(),
        subtitle: "A Kalshi bot's market".into(),
        rules_primary: "Resolves YES when the operator says so.".into(),
        rules_secondary: "Nothing else counts.".into(),
        category: Category::Culture,
        slug: "bot-trades".into(),
        outcome_names: OutcomeNames::Binary { yes: "It trades".into(), no: "It does not".into() },
        expected_expiration_ms: Some(now_ms() + 86_400_000),
        ..MarketInfo::placeholder(&binary)
    };
    let choice = MarketInfo {
        title: "Which outcome wins?".into(),
        slug: "which-outcome".into(),
        outcome_names: OutcomeNames::Categorical { labels: vec!["Red".into(), "Green".into(), "Blue".into()] },
        expected_expiration_ms: None,
        ..question.clone()
    };
    for (spec, info) in [(binary, question), (categorical, choice)] {
        venue.execute(&VenueCommand::ListMarket { spec, info: Box::new(info) }).unwrap().unwrap();
    }
    let all = Scopes::READ.union(Scopes::TRADE).union(Scopes::ADMIN).union(Scopes::RESOLVER);
    let admin = create_key(&mut venue, all, None, 1);
    let (alice, alice_account) = rsa_key(&mut venue, &fixture("kalshi-test-rsa-1.pub.pem"));
    let (bob, bob_account) = rsa_key(&mut venue, &fixture("kalshi-test-rsa-2.pub.pem"));
    for account in [alice_account, bob_account] {
        venue.submit(&Command::Deposit { account: AccountId(account), amount_micros: 1_000_000_000 }).unwrap().unwrap();
    }
    venue.commit(0).unwrap();
    drop(venue);
    let server = serve_dir(dir, GatewayConfig::default()).await;

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../clients/kalshi/bot_loop.py");
    let url = server.url("");
    let args: Vec<String> = vec![
        "--url".into(),
        url,
        "--alice-key-id".into(),
        token::format_key_id(alice),
        "--alice-key-file".into(),
        fixture("kalshi-test-rsa-1.pem").display().to_string(),
        "--bob-key-id".into(),
        token::format_key_id(bob),
        "--bob-key-file".into(),
        fixture("kalshi-test-rsa-2.pem").display().to_string(),
        "--admin-key-id".into(),
        token::format_key_id(admin.key_id),
        "--admin-seed-hex".into(),
        token::hex(&admin.signing.to_bytes()),
    ];
    let output = tokio::task::spawn_blocking(move || {
        Process::new("python3")
            .arg(script)
            .args(&args)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("python3 runs")
    })
    .await
    .expect("the script finishes");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the Kalshi bot's checks failed:\n{text}");
    assert!(text.contains("all checks passed"), "{text}");
    eprintln!("{}", text.lines().last().unwrap_or_default());
    server.stop().await;
}
