//! The web app in headless Chromium: `tools/web/browser_test.mjs` (Playwright) against `augury
//! serve --demo` on a free loopback port. It finds a market by search, watches the book and trades
//! update live, views the pages on a phone in dark mode, fails on any console error, runs axe-core
//! on every page, and saves a screenshot of each step under `target/web-screenshots/`.
//!
//! Needs `node`, Debian's `chromium` and `npm ci` in `tools/web`; without them the test says what
//! it could not exercise and passes, unless AUGURY_REQUIRE_BROWSER=1 (CI sets it), which fails it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Whether the browser test can run here; if not, why.
fn missing(root: &Path) -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("no Chromium at {chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node (apt-get install nodejs)".into());
    }
    if !root.join("tools/web/node_modules/playwright-core").exists() {
        return Some("no playwright-core (cd tools/web && npm ci)".into());
    }
    None
}

#[test]
fn a_visitor_finds_a_market_and_watches_it_live_in_a_browser() {
    let root = workspace_root();
    if let Some(reason) = missing(&root) {
        assert!(std::env::var("AUGURY_REQUIRE_BROWSER").as_deref() != Ok("1"), "the browser test cannot run: {reason}");
        eprintln!("NOT EXERCISED: the web app in a browser ({reason})");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // The operator's console needs an admin: a one-time enrollment code, made while the venue is
    // stopped (as an operator would), which the browser redeems with its own WebCrypto key.
    let enroll = Command::new(env!("CARGO_BIN_EXE_augury"))
        .args(["keys", "create", "--enroll", "--admin", "--label", "operator", "--data-dir"])
        .arg(&data)
        .output()
        .expect("augury keys create runs");
    assert!(enroll.status.success(), "keys create --enroll: {}", String::from_utf8_lossy(&enroll.stderr));
    let created: serde_json::Value = serde_json::from_slice(&enroll.stdout).expect("keys create prints JSON");
    let admin_code = created["code"].as_str().expect("an enrollment code").to_string();
    assert_eq!(created["scopes"], serde_json::json!(["read", "trade", "admin"]), "{created}");
    // A replayed hour every 1.5 s: the market maker requotes each open listing every hour, so its
    // book changes while the page watches, and a day's listings stay open for 36 s.
    let venue = common::serve(&data, &["--demo", "--replay-hour-ms", "1500"]);
    let shots = root.join("target/web-screenshots");
    let output = Command::new("node")
        .arg(root.join("tools/web/browser_test.mjs"))
        .arg(format!("http://{}", venue.address))
        .arg(&shots)
        .env("AUGURY_ADMIN_CODE", &admin_code)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the browser test failed:\n{stderr}\n{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("a JSON summary");
    assert!(summary["cards"].as_u64() > Some(0), "{summary}");
    assert!(summary["search_results"].as_u64() > Some(0), "{summary}");
    assert_eq!(summary["live_update"], true, "{summary}");
    assert!(summary["model"].as_str().is_some_and(|m| m.starts_with("Model: ")), "{summary}");
    assert_eq!(summary["expected_refusals"], 1, "{summary}");
    assert_eq!(summary["problems"].as_array().map(Vec::len), Some(0), "{summary}");
    for step in summary["steps"].as_array().unwrap() {
        assert_eq!(step["axe"]["serious_or_critical"], 0, "{step}");
    }
    eprintln!("screenshots in {}", shots.display());
    drop(venue);
}
