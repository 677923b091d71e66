//! Schemathesis (from PyPI) against the running venue's /openapi.json: every operation gets
//! generated requests, signed with an admin key that has every scope, and no response may be a
//! 5xx or break the document (tools/api_fuzz.py holds the checks).
//!
//! Needs `python3` with `schemathesis` and `cryptography`. Without them the test is skipped with
//! a notice, unless AUGURY_REQUIRE_PYTHON=1 (CI sets it), which makes it fail.

mod common;

use augury_gateway::{token, GatewayConfig};
use common::python_with;
use std::path::PathBuf;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    if !python_with("schemathesis, cryptography, pytest", "schemathesis cryptography", "the API was not fuzzed") {
        return;
    }
    let config = GatewayConfig { per_key: common::unlimited(), per_ip: common::unlimited(), ..Default::default() };
    let (server, admin, _, _) = common::start(config).await;
    // Real candles for the intelligence endpoints (the demo's BTC slice), and an index that
    // follows them, so those routes answer more than 404s.
    let candles = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crypto/data/binance-BTCUSDT-1h-2018-2020.csv");
    let series = augury_intel::csv::parse_str(&std::fs::read_to_string(candles).unwrap()).unwrap().series;
    server.gateway.state.intel.insert_series("BTCUSDT", series).unwrap();
    let info = augury_gateway::intel::IndexInfo { symbol: "BTCUSDT".into(), units_per_price: 100.0 };
    server.gateway.state.intel.set_index(1, info);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let url = server.url("");
    let key_id = token::format_key_id(admin.key_id);
    let seed = token::hex(&admin.signing.to_bytes());
    let statuses = server.dir.path().join("fuzz-statuses.json");
    let report_path = statuses.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tools/api_fuzz.py"])
            .current_dir(root)
            .env("AUGURY_URL", url)
            .env("AUGURY_KEY_ID", key_id)
            .env("AUGURY_SIGNING_KEY", seed)
            .env("AUGURY_FUZZ_REPORT", report_path)
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "schemathesis found problems:\n{report}");
    // It really ran, signed: many requests succeeded and no signature was refused.
    let statuses: std::collections::BTreeMap<String, u64> =
        serde_json::from_slice(&std::fs::read(&statuses).expect("the fuzzer wrote its report")).unwrap();
    eprintln!("responses by status: {statuses:?}");
    let successes: u64 = statuses.iter().filter(|(code, _)| code.starts_with('2')).map(|(_, n)| n).sum();
    assert!(successes >= 100, "too few successful requests: {statuses:?}");
    assert!(!statuses.contains_key("401"), "some signed requests were refused: {statuses:?}");
    assert!(!statuses.keys().any(|code| code.starts_with('5')), "server errors: {statuses:?}");
    server.stop().await;
}
