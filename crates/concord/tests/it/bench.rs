//! `concord bench` with the emulators in a child process: the engine's own CPU and memory are
//! reported apart, the run is the same run (a state dump the checker can read), and a scenario
//! the child cannot load is refused with the child's own error.

use std::path::Path;
use std::process::Command;

fn bench(scenario: &Path, extra: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .arg("bench")
        .arg("--scenario")
        .arg(scenario)
        .args(["--format", "json", "--speed", "240"])
        .args(extra)
        .output()
        .expect("the concord binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn quick_scenario() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/scenarios/wholesale-day-quick.json")
}

#[test]
fn a_bench_run_reports_the_engine_apart_from_the_emulator_child() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dump_path = dir.path().join("dump.json");
    let dump_arg = dump_path.display().to_string();
    let (ok, stdout, stderr) = bench(&quick_scenario(), &["--dump-state", &dump_arg]);
    assert!(ok, "bench failed: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let figure = |key: &str| {
        report[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} missing: {report}"))
    };
    assert!(figure("engine_peak_rss_mb") > 1.0);
    assert!(figure("engine_cpu_seconds") > 0.0);
    assert!(figure("engine_cpu_seconds_per_1000_orders") > 0.0);
    // The child loaded the scenario and answered every call, so it used CPU of its own.
    assert!(figure("emulators_cpu_seconds") > 0.0);
    assert!(figure("emulators_peak_rss_mb") > 1.0);
    let synced = figure("orders_synced");
    assert!(synced > 0.0, "no order reached Cin7: {report}");
    let dump: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&dump_path).expect("the dump was written"))
            .expect("the dump is JSON");
    let sales = dump["cin7"]["sales"].as_array().map_or(0, Vec::len);
    assert!(
        sales as f64 >= synced,
        "{sales} sales in the dump, {synced} synced"
    );
    assert!(dump["api_log"]["oro"]
        .as_array()
        .is_some_and(|calls| !calls.is_empty()));
    assert_eq!(dump["scenario"], "wholesale-day-quick");
}

#[test]
fn a_scenario_the_emulator_child_refuses_is_reported_with_its_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(quick_scenario()).expect("the quick scenario");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    // The head (clock, settings) is fine; only a full load of the timeline finds this.
    value["timeline"][0]["event"] = serde_json::json!("no_such_event");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, value.to_string()).expect("write");
    let (ok, _, stderr) = bench(&path, &[]);
    assert!(!ok, "a bad scenario must fail the bench");
    assert!(stderr.contains("The emulators did not start"), "{stderr}");
    assert!(stderr.contains("timeline[0]"), "{stderr}");
}
