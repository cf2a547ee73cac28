//! `concord scenario capture` against the emulators as if they were the merchant's systems: the
//! wholesale day runs for an hour with Concord syncing it, the capture reads both systems, and the
//! captured scenario replays under `concord demo` and passes the acceptance checker. An
//! anonymised capture names nobody from the original but keeps every SKU and price.

use crate::helpers::{check, shared, spawn_app};
use crate::live::{self, concord};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

fn wholesale_day() -> Value {
    let text = std::fs::read_to_string(shared("scenarios/wholesale-day.json")).expect("scenario");
    serde_json::from_str(&text).expect("JSON")
}

/// Runs `concord scenario capture` on the live systems; the scenario it wrote, parsed.
async fn capture(live: &live::Live, name: &str, extra: &[&str]) -> Value {
    let out = live.dir().join(name);
    let (out_text, config) = (out.display().to_string(), live.config());
    let mut args = vec![
        "scenario", "capture", "--config", &config, "--out", &out_text,
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = concord(&args).await;
    assert_eq!(code, Some(0), "the capture failed:\n{err}");
    let text = std::fs::read_to_string(&out).expect("the capture wrote its scenario");
    serde_json::from_str(&text).expect("the captured scenario is JSON")
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|x| strings(x, out)),
        Value::Object(map) => map.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_day_replays_under_the_demo_and_passes_the_checker() {
    // Arrange: an hour of the wholesale day (before its Cin7 outage) with Concord syncing it.
    let live = live::start(&wholesale_day(), 240.0).await;
    let log = std::fs::File::create(live.dir().join("run.log")).expect("a log file");
    let mut run = tokio::process::Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["run", "--config", &live.config()])
        .env_remove("CONCORD_CONFIG")
        .env_remove("CONCORD_STORE__URL")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("concord run starts");
    tokio::time::sleep(Duration::from_secs(14)).await;
    run.kill().await.expect("concord run stops");

    // Act
    let captured = capture(&live, "captured.json", &[]).await;
    let app = spawn_app(&captured.to_string()).await;

    // Assert: the merchant's day came across, and replays cleanly.
    let placed = captured["timeline"].as_array().expect("a timeline");
    assert!(
        placed.len() >= 10,
        "too few orders captured: {}",
        placed.len()
    );
    assert!(placed.iter().all(|e| e["event"] == "oro_order"));
    assert_eq!(captured["settings"]["shipping_charge"], "Freight");
    let customers: Vec<&str> = captured["cin7"]["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        customers.contains(&"Northwind Trading Group"),
        "{customers:?}"
    );
    let (passed, failed, output) = check(&app, &[]);
    assert_eq!(failed, 0, "{output}");
    assert!(passed > 100, "suspiciously few checks ran:\n{output}");
    assert!(app.summary.orders_in_cin7 >= 10, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymised_capture_names_nobody_but_keeps_every_sku_and_price() {
    // Arrange: the day as it opens, with its backlog of orders (a clock at real speed, so
    // nothing changes between the captures compared).
    let original = wholesale_day();
    let live = live::start(&original, 1.0).await;

    // Act
    let plain = capture(&live, "plain.json", &[]).await;
    let hidden = capture(&live, "hidden.json", &["--anonymise"]).await;
    let keyed = capture(&live, "keyed.json", &["--anonymise-key", "k1"]).await;
    let keyed_again = capture(&live, "keyed-again.json", &["--anonymise-key", "k1"]).await;

    // Assert: no name or e-mail of the original appears anywhere.
    let mut text = Vec::new();
    strings(&hidden, &mut text);
    let secrets: BTreeSet<String> = ["customers", "customer_users"]
        .iter()
        .flat_map(|k| original["oro"][*k].as_array().cloned().unwrap_or_default())
        .chain(
            original["cin7"]["customers"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        )
        .filter_map(|c| {
            c.get("name")
                .or(c.get("email"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    assert!(secrets.len() >= 8, "{secrets:?}");
    for secret in &secrets {
        assert!(
            !text.iter().any(|s| s.contains(secret.as_str())),
            "{secret:?} survived the anonymisation"
        );
    }
    // The same SKUs, prices, stock and orders as the plain capture.
    for part in [
        &["cin7", "products"][..],
        &["cin7", "availability"],
        &["oro", "price_lists"],
        &["oro", "products"],
        &["timeline"],
    ] {
        let at = |v: &Value| part.iter().fold(v.clone(), |v, k| v[*k].clone());
        assert_eq!(at(&hidden), at(&plain), "{part:?} differs");
        assert!(
            at(&plain).as_array().is_some_and(|a| !a.is_empty()),
            "{part:?} is empty"
        );
    }
    // One pseudonym per customer, the same in Oro and Cin7; a given key gives the same ones again.
    let oro_names: BTreeSet<&str> = hidden["oro"]["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        oro_names.len(),
        plain["oro"]["customers"].as_array().map_or(0, Vec::len)
    );
    for c in hidden["cin7"]["customers"].as_array().expect("customers") {
        let name = c["name"].as_str().expect("a name");
        assert!(
            oro_names.contains(name),
            "{name} is not an Oro customer's pseudonym"
        );
    }
    assert_eq!(keyed["oro"]["customers"], keyed_again["oro"]["customers"]);
    assert_ne!(keyed["oro"]["customers"], hidden["oro"]["customers"]);
    // Still a scenario the demo accepts.
    concord_core::scenario::parse_scenario(&hidden.to_string()).expect("a valid scenario");
}
