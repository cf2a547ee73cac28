//! The `concord` binary as a user meets it: a bad scenario is refused by field, and the inbox and
//! report commands read what a run left in the store.

use crate::helpers::{shared, spawn_app};
use std::process::Command;

fn concord(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .output()
        .expect("the concord binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_scenario(dir: &tempfile::TempDir, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let text = std::fs::read_to_string(shared("scenarios/wholesale-day.json"))
        .expect("the public scenario");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    edit(&mut value);
    let path = dir.path().join("s.json");
    std::fs::write(&path, value.to_string()).expect("write");
    path.display().to_string()
}

#[test]
fn a_scenario_with_an_unknown_top_level_key_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write_scenario(&dir, |v| v["surprise"] = serde_json::json!(true));
    let (ok, _, err) = concord(&[
        "demo",
        "--scenario",
        &path,
        "--exit-when-idle",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!ok, "a bad scenario must exit non-zero");
    assert!(err.contains("surprise"), "{err}");
}

#[test]
fn a_quantity_of_lots_is_refused_with_its_field_path() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write_scenario(&dir, |v| {
        v["timeline"][0]["order"]["lines"][0]["quantity"] = serde_json::json!("lots")
    });
    let (ok, _, err) = concord(&[
        "demo",
        "--scenario",
        &path,
        "--exit-when-idle",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!ok);
    assert!(
        err.contains("timeline[0].order.lines[0].quantity")
            && err.contains("\"lots\" is not a decimal"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_run_the_inbox_lists_every_kind_raised_and_the_report_prints_as_csv() {
    let text = std::fs::read_to_string(shared("scenarios/wholesale-day.json"))
        .expect("the public scenario");
    let app = spawn_app(&text).await;
    let (ok, out, err) = concord(&[
        "exceptions",
        "list",
        "--store",
        &app.store_url,
        "--format",
        "json",
        "--status",
        "all",
    ]);
    assert!(ok, "{err}");
    let listed: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    let kinds: std::collections::BTreeSet<String> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|e| e["kind"].as_str().map(str::to_owned))
        .collect();
    let raised: std::collections::BTreeSet<String> = app
        .stored_exceptions()
        .await
        .iter()
        .map(|e| e.kind.as_str().to_owned())
        .collect();
    assert_eq!(kinds, raised);
    for kind in [
        "sku_unknown",
        "unit_unmapped",
        "order_total_mismatch",
        "sale_without_order",
        "customer_pending_approval",
    ] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
    let (ok, csv, err) = concord(&["report", "--store", &app.store_url, "--format", "csv"]);
    assert!(ok, "{err}");
    assert!(
        csv.lines().count() > 3 && csv.contains("sale_without_order"),
        "{csv}"
    );
}
