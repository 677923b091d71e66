//! The `augury` binary end to end: the demo on disk, `verify`, proofs checked by the CLI and by
//! the standalone Python verifier, damage and missing keys reported clearly.
//!
//! The Python checks need `python3` with the `cryptography` package. Without them the checks are
//! skipped with a notice, unless AUGURY_REQUIRE_PYTHON=1 (CI sets it), which makes them fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn augury(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_augury"))
        .args(args)
        .env_remove("AUGURY_JOURNAL_KEY")
        .output()
        .expect("augury runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn succeeds(args: &[&str]) -> String {
    let output = augury(args);
    assert!(output.status.success(), "augury {args:?} failed:\n{}", text(&output));
    text(&output)
}

fn fails(args: &[&str]) -> String {
    let output = augury(args);
    assert_eq!(output.status.code(), Some(1), "augury {args:?} should fail:\n{}", text(&output));
    text(&output)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs tools/verify_proof.py; None when Python or `cryptography` is missing (and not required).
fn python_verifier(bundle: &Path, public_key: &Path) -> Option<bool> {
    let probe = Command::new("python3").args(["-c", "import cryptography"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var("AUGURY_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "python3 with the cryptography package is required (pip install cryptography)"
        );
        eprintln!("NOTICE: python3 with `cryptography` not found; the standalone verifier was not exercised");
        return None;
    }
    let script = repo_root().join("tools/verify_proof.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(bundle)
        .arg("--public-key")
        .arg(public_key)
        .output()
        .expect("python3 runs");
    Some(output.status.success())
}

fn write_json(path: &Path, value: &serde_json::Value) {
    std::fs::write(path, serde_json::to_vec(value).expect("json")).expect("write");
}

#[test]
fn demo_verify_and_proofs_round_trip() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let data_arg = data.to_str().expect("utf-8 path");
    let first = succeeds(&["demo", "--data-dir", data_arg, "--steps", "3000"]);
    assert!(first.contains("invariants: hold"), "{first}");
    let second = succeeds(&["demo", "--data-dir", data_arg, "--steps", "3000"]);
    assert!(second.contains("opened"), "the second run carries on from the first:\n{second}");
    let verified = succeeds(&["verify", data_arg]);
    assert!(verified.contains("verify: OK"), "{verified}");

    let public_key = data.join("keys/venue-signing.pub");
    let public_key_arg = public_key.to_str().expect("utf-8");

    // An inclusion proof: accepted by both verifiers; a changed payload is refused by both.
    let bundle = succeeds(&["journal", "prove", "--data-dir", data_arg, "--entry", "100"]);
    let inclusion = tmp.path().join("inclusion.json");
    std::fs::write(&inclusion, &bundle).expect("write");
    let inclusion_arg = inclusion.to_str().expect("utf-8");
    assert!(succeeds(&["journal", "verify-proof", inclusion_arg, "--public-key", public_key_arg]).contains("OK"));
    assert_ne!(python_verifier(&inclusion, &public_key), Some(false), "the Python verifier accepts a true proof");

    let mut tampered: serde_json::Value = serde_json::from_str(&bundle).expect("json bundle");
    let payload = tampered["payload_hex"].as_str().expect("payload").to_string();
    let flipped = if payload.ends_with('0') { "1" } else { "0" };
    tampered["payload_hex"] = format!("{}{flipped}", &payload[..payload.len() - 1]).into();
    let tampered_path = tmp.path().join("tampered.json");
    write_json(&tampered_path, &tampered);
    let tampered_arg = tampered_path.to_str().expect("utf-8");
    assert!(fails(&["journal", "verify-proof", tampered_arg, "--public-key", public_key_arg]).contains("NOT"));
    assert_ne!(python_verifier(&tampered_path, &public_key), Some(true), "the Python verifier refuses a false proof");

    // A consistency proof from the first signed checkpoint to the newest.
    let checkpoints = std::fs::read_to_string(data.join("journal/checkpoints.jsonl")).expect("checkpoints");
    let first_size = serde_json::from_str::<serde_json::Value>(checkpoints.lines().next().expect("a checkpoint"))
        .expect("json")["size"]
        .as_u64()
        .expect("size")
        .to_string();
    let bundle = succeeds(&["journal", "consistency", "--data-dir", data_arg, "--old", &first_size]);
    let consistency = tmp.path().join("consistency.json");
    std::fs::write(&consistency, &bundle).expect("write");
    let consistency_arg = consistency.to_str().expect("utf-8");
    assert!(succeeds(&["journal", "verify-proof", consistency_arg, "--public-key", public_key_arg]).contains("OK"));
    assert_ne!(python_verifier(&consistency, &public_key), Some(false));

    // A proof signed by someone else's key is refused.
    let other = tmp.path().join("other.pub");
    std::fs::write(&other, "11".repeat(32)).expect("write");
    fails(&["journal", "verify-proof", consistency_arg, "--public-key", other.to_str().expect("utf-8")]);

    // A consistency proof from a size that is not a checkpoint is refused with the nearest sizes.
    let message = fails(&["journal", "consistency", "--data-dir", data_arg, "--old", "1"]);
    assert!(message.contains("no signed checkpoint has size 1"), "{message}");
}

#[test]
fn verify_names_the_damaged_entry() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let data_arg = data.to_str().expect("utf-8 path");
    succeeds(&["demo", "--data-dir", data_arg, "--steps", "2000"]);
    let segment = std::fs::read_dir(data.join("journal"))
        .expect("journal dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "log"))
        .expect("a segment");
    let mut bytes = std::fs::read(&segment).expect("read");
    // The middle of the frames, not of the file: the file ends in preallocated zeros, where a
    // flipped byte reads as a torn write (nothing acknowledged lives there).
    let written = bytes.iter().rposition(|&b| b != 0).expect("frames") + 1;
    if cfg!(target_os = "linux") {
        assert!(written < bytes.len(), "the segment is preallocated past its frames");
    }
    let middle = written / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&segment, bytes).expect("write");
    let message = fails(&["verify", data_arg]);
    assert!(message.contains("entry") && message.contains("offset"), "{message}");
    // Startup refuses the damaged journal too, rather than trading on it.
    let message = fails(&["demo", "--data-dir", data_arg, "--steps", "10"]);
    assert!(message.contains("corrupt"), "{message}");
}

#[test]
fn an_encrypted_journal_needs_its_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let data_arg = data.to_str().expect("utf-8 path");
    let key = tmp.path().join("journal.key");
    std::fs::write(&key, "ab".repeat(32)).expect("write key");
    let key_arg = key.to_str().expect("utf-8");
    succeeds(&["demo", "--data-dir", data_arg, "--journal-key-file", key_arg, "--steps", "2000"]);
    assert!(succeeds(&["verify", data_arg, "--journal-key-file", key_arg]).contains("verify: OK"));
    let message = fails(&["verify", data_arg]);
    assert!(message.contains("key"), "verify without the key says so:\n{message}");
    let message = fails(&["demo", "--data-dir", data_arg, "--steps", "10"]);
    assert!(message.contains("key"), "startup without the key says so:\n{message}");
    let wrong = tmp.path().join("wrong.key");
    std::fs::write(&wrong, "cd".repeat(32)).expect("write key");
    fails(&["verify", data_arg, "--journal-key-file", wrong.to_str().expect("utf-8")]);
}

/// `keys create --rsa-public-key` registers an RSA key for the Kalshi-compatible API (and no
/// Ed25519 key unless one is given); a file that is not a usable RSA public key is refused.
#[test]
fn keys_create_takes_an_rsa_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let fixture = repo_root().join("crates/gateway/tests/fixtures/kalshi-test-rsa-1.pub.pem");
    let out = succeeds(&[
        "keys",
        "create",
        "--data-dir",
        data,
        "--scopes",
        "read,trade",
        "--rsa-public-key",
        fixture.to_str().unwrap(),
    ]);
    let created: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(created["rsa_public_key_sha256"].as_str().map(str::len), Some(64), "{out}");
    assert!(created["ed25519_public_key"].is_null(), "{out}");
    assert!(created["ed25519_private_key"].is_null(), "{out}");
    let private = repo_root().join("crates/gateway/tests/fixtures/kalshi-test-rsa-1.pem");
    let refused = fails(&["keys", "create", "--data-dir", data, "--rsa-public-key", private.to_str().unwrap()]);
    assert!(refused.contains("PUBLIC KEY"), "{refused}");
}

/// `keys create` refuses the keys `POST /v1/keys` refuses, by the same check: Ed25519 keys of
/// small order or not canonically encoded, RSA keys with an unusual exponent. Nothing is made.
#[test]
fn keys_create_refuses_keys_that_can_never_sign() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let file = |name: &str, contents: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    };
    let mut non_canonical = "f0".to_string() + &"ff".repeat(30) + "7f";
    non_canonical.push('\n');
    let cases = [
        (file("identity.hex", format!("01{}\n", "00".repeat(31)).as_bytes()), "small order"),
        (file("zero.hex", "00".repeat(32).as_bytes()), "small order"),
        (file("non-canonical.hex", non_canonical.as_bytes()), "canonical"),
    ];
    for (path, reason) in &cases {
        let refused = fails(&["keys", "create", "--data-dir", data, "--ed25519-public-key", path.to_str().unwrap()]);
        assert!(refused.contains(reason), "{reason}: {refused}");
    }
    // An RSA key (PKCS#1 DER) with e = 3 and a 2,048-bit modulus.
    let mut modulus = vec![0xc5u8; 256];
    modulus[0] = 0xff;
    modulus[255] |= 1;
    let mut pkcs1 = vec![0x30, 0x82, 0x01, 0x08, 0x02, 0x82, 0x01, 0x01, 0x00];
    pkcs1.extend_from_slice(&modulus);
    pkcs1.extend_from_slice(&[0x02, 0x01, 0x03]);
    let rsa = file("e3.der", &pkcs1);
    let refused = fails(&["keys", "create", "--data-dir", data, "--rsa-public-key", rsa.to_str().unwrap()]);
    assert!(refused.contains("exponent"), "{refused}");
    // None of them made a key: the first key made now opens the first registered account.
    let made = succeeds(&["keys", "create", "--data-dir", data]);
    let created: serde_json::Value = serde_json::from_str(made.lines().last().unwrap()).unwrap();
    assert_eq!(created["account"], 1_000, "{made}");
}

/// `keys create --help` names every scope.
#[test]
fn keys_create_help_names_every_scope() {
    let help = succeeds(&["keys", "create", "--help"]);
    for scope in ["read", "trade", "admin", "resolver"] {
        assert!(help.contains(scope), "{scope}: {help}");
    }
    assert!(help.contains("before the first"), "{help}");
}

/// `keys create --enroll` prints a one-time code (not a key): for a new account with the scopes
/// asked (read and trade by default), or for an account that exists; an unknown account, or a
/// time already past, is refused.
#[test]
fn keys_create_enroll_prints_a_one_time_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let refused = fails(&["keys", "create", "--enroll", "--data-dir", data, "--account", "999999"]);
    assert!(refused.contains("does not exist"), "{refused}");
    let refused = fails(&["keys", "create", "--enroll", "--data-dir", data, "--expires-ms", "1"]);
    assert!(refused.contains("past"), "{refused}");
    let usage = augury(&["keys", "create", "--enroll", "--data-dir", data, "--deposit", "10"]);
    assert!(!usage.status.success() && text(&usage).contains("cannot be used with"), "{}", text(&usage));

    // The JSON on stdout (stderr says which directory was opened).
    let json = |args: &[&str]| -> (serde_json::Value, String) {
        let output = augury(args);
        assert!(output.status.success(), "augury {args:?} failed:\n{}", text(&output));
        (serde_json::from_slice(&output.stdout).unwrap(), text(&output))
    };
    let (code, made) = json(&["keys", "create", "--enroll", "--admin", "--data-dir", data]);
    let text = code["code"].as_str().unwrap();
    assert!(text.starts_with("augenroll_") && text.len() == 50, "{made}");
    assert_eq!(code["scopes"], serde_json::json!(["read", "trade", "admin"]));
    assert_eq!(code["account"], serde_json::Value::Null);
    assert!(code.get("token").is_none(), "no secret is printed but the code: {made}");

    let (key, _) = json(&["keys", "create", "--data-dir", data]);
    assert_eq!(key["account"], 1_000, "a code opens no account until it is redeemed");
    let (code, _) = json(&["keys", "create", "--enroll", "--data-dir", data, "--account", "1000"]);
    assert_eq!((code["account"].clone(), code["scopes"].clone()), (1_000.into(), serde_json::json!(["read", "trade"])));
}
