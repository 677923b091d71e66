//! `augury bench api` with a tiny load: the report has every field and no order failed. A check
//! of the bench's bookkeeping, never of its timing.

use std::process::Command;

#[test]
fn bench_api_reports_every_figure_without_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_augury"))
        .args(["bench", "api", "--json", "--orders", "200", "--warmup-ms", "0", "--duration-ms", "20000"])
        .args(["--connections", "4", "--accounts", "4", "--open-connections", "4"])
        .args(["--rate", "200", "--open-duration-ms", "500", "--dir"])
        .arg(tmp.path())
        .output()
        .expect("augury runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    for field in ["orders_per_sec", "p50_ms", "p99_ms", "p999_ms", "p99_ms_at_10k"] {
        assert!(report[field].as_f64().is_some_and(|v| v > 0.0), "{field} in {report}");
    }
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["saturation"]["orders"], 200, "the order budget is honoured: {report}");
    assert_eq!(report["open_loop"]["orders"], 100, "200/s for 0.5 s: {report}");
    assert_eq!(report["invariants_hold"], true, "{report}");
    assert!(report["saturation"]["orders_with_fills"].as_u64().is_some_and(|n| n > 0), "orders match: {report}");
    assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 0, "the data directory is removed");
}
