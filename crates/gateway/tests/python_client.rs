//! The Python client (clients/python) against a live venue on a free loopback port: it places an
//! order, finds it in the book, cancels it, and sees a bad signature and a reused nonce refused.
//!
//! Needs `python3` with the `cryptography` package. Without them the test is skipped with a
//! notice, unless AUGURY_REQUIRE_PYTHON=1 (CI sets it), which makes it fail.

mod common;

use augury_gateway::{token, GatewayConfig};
use common::*;
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_places_finds_and_cancels_an_order() {
    if !python_with("cryptography", "cryptography", "the Python client was not exercised") {
        return;
    }
    let (server, _admin, alice, _bob) = start(GatewayConfig::default()).await;
    let client_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../clients/python");
    let url = server.url("");
    let key_id = token::format_key_id(alice.key_id);
    let seed = token::hex(&alice.signing.to_bytes());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(client_dir.join("smoke_test.py"))
            .args(["--url", &url, "--key-id", &key_id, "--private-key-hex", &seed, "--market"])
            .arg(MARKET.to_string())
            .current_dir(&client_dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("python3 runs")
    })
    .await
    .expect("the script finishes");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the Python client's checks failed:\n{text}");
    assert!(text.contains("all checks passed"), "{text}");
    server.stop().await;
}
