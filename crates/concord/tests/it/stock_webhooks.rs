//! Cin7 stock webhooks are applied as they come: the SKU a delivery names gets its Oro levels
//! without an availability snapshot and without reading every Oro level, and the periodic full
//! snapshot still corrects a change whose delivery was lost.

use crate::helpers::{scenario_file, spawn_parts, Parts, SPEED};
use concord::engine::webhooks::{router, WebhookState};
use concord::sync::inventory::{apply, sync};
use concord_store::{JobFilter, JobState};
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::Value;
use std::str::FromStr;
use std::time::Duration;

const CIN7_TOKEN: &str = "cin7-webhook-token-8d3e6b0a5f";
const MAIN: &str = "Main Warehouse";

async fn serve_webhooks(parts: &Parts) -> String {
    let state = WebhookState::new(
        parts.ctx.clone(),
        None,
        Some(SecretString::from(CIN7_TOKEN)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(state)).await;
    });
    url
}

/// A `Stock/AvailableStockLevelChanged` delivery of `sku`'s rows as Cin7 holds them now.
fn stock_body(parts: &Parts, sku: &str) -> String {
    let rows: Vec<Value> = parts.emulators.cin7.state()["availability"]
        .as_array()
        .expect("availability rows")
        .iter()
        .filter(|r| r["SKU"] == sku)
        .cloned()
        .collect();
    assert!(!rows.is_empty(), "{sku} has availability rows");
    Value::Array(rows).to_string()
}

async fn post_stock(url: &str, body: String) -> u16 {
    reqwest::Client::new()
        .post(format!("{url}/webhooks/cin7/stock"))
        .header("authorization", format!("Bearer {CIN7_TOKEN}"))
        .body(body)
        .send()
        .await
        .expect("Concord answered")
        .status()
        .as_u16()
}

/// Oro's level of `sku` in `unit`, from the emulator's state (no API call).
fn oro_level(parts: &Parts, sku: &str, unit: &str) -> Decimal {
    parts.emulators.oro.state()["inventory_levels"]
        .as_array()
        .expect("inventory levels")
        .iter()
        .find(|l| l["sku"] == sku && l["unit"] == unit)
        .and_then(|l| match &l["quantity"] {
            Value::String(s) => Decimal::from_str(s).ok(),
            Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Oro level for {sku} {unit}"))
}

/// Scenario time passes: a delivery describes a moment a minute before it arrives.
async fn let_scenario_time_pass(parts: &Parts, seconds: f64) {
    let until = parts.clock.elapsed_s() + seconds;
    while parts.clock.elapsed_s() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_webhook_updates_its_sku_without_a_snapshot_and_a_later_snapshot_catches_a_lost_one(
) {
    // Arrange: a first full sync, then two moves in Cin7; only one delivery reaches Concord.
    let parts = spawn_parts(&scenario_file("trade-shop.json").to_string(), SPEED).await;
    let url = serve_webhooks(&parts).await;
    sync::sync(&parts.ctx).await.expect("the first full sync");
    assert_eq!(oro_level(&parts, "TEE-GRN", "each"), Decimal::from(600));
    parts
        .emulators
        .cin7
        .stock_adjust("TEE-GRN", MAIN, Decimal::from(-120));
    parts
        .emulators
        .cin7
        .stock_adjust("MUG-BLU", MAIN, Decimal::from(-100)); // its delivery is lost
    let_scenario_time_pass(&parts, 90.0).await;
    let cin7_mark = parts.emulators.cin7.api_log().len();
    let oro_mark = parts.emulators.oro.api_log().len();

    // Act: the delivery for TEE-GRN arrives and its job runs.
    assert_eq!(post_stock(&url, stock_body(&parts, "TEE-GRN")).await, 200);
    apply::run(&parts.ctx)
        .await
        .expect("the webhook's changes apply");

    // Assert: TEE-GRN's levels in both units, from the delivery alone.
    assert_eq!(oro_level(&parts, "TEE-GRN", "each"), Decimal::from(480));
    assert_eq!(oro_level(&parts, "TEE-GRN", "case"), Decimal::from(40));
    assert_eq!(oro_level(&parts, "MUG-BLU", "each"), Decimal::from(600));
    let cin7_calls: Vec<String> = parts.emulators.cin7.api_log()[cin7_mark..]
        .iter()
        .map(|e| e.path.to_ascii_lowercase())
        .collect();
    assert!(
        !cin7_calls.iter().any(|p| p.contains("productavailability")),
        "no availability read for a delivery: {cin7_calls:?}"
    );
    let level_reads: Vec<String> = parts.emulators.oro.api_log()[oro_mark..]
        .iter()
        .filter(|e| e.method == "GET" && e.path.contains("inventorylevels"))
        .map(|e| e.query.clone().unwrap_or_default())
        .collect();
    assert!(
        !level_reads.is_empty(),
        "Oro's levels are read before writing"
    );
    assert!(
        level_reads
            .iter()
            .all(|q| q.contains("filter%5Bproduct%5D=") || q.contains("filter[product]=")),
        "only the changed product's levels are read: {level_reads:?}"
    );

    // Act: the next full snapshot.
    sync::sync(&parts.ctx)
        .await
        .expect("the safety-net snapshot");

    // Assert: the lost change is in Oro now, and the applied one stays.
    assert_eq!(oro_level(&parts, "MUG-BLU", "each"), Decimal::from(500));
    assert_eq!(oro_level(&parts, "MUG-BLU", "case"), Decimal::from(83));
    assert_eq!(oro_level(&parts, "TEE-GRN", "each"), Decimal::from(480));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_webhook_before_any_snapshot_asks_for_the_full_sync() {
    let parts = spawn_parts(&scenario_file("trade-shop.json").to_string(), SPEED).await;
    let url = serve_webhooks(&parts).await;

    assert_eq!(post_stock(&url, stock_body(&parts, "TEE-GRN")).await, 200);

    let queued = parts
        .ctx
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Queued),
            kind: None,
            limit: 0,
        })
        .await
        .expect("the queue");
    let kinds: Vec<&str> = queued.iter().map(|j| j.kind.as_str()).collect();
    assert_eq!(kinds, ["stock.sync"]);
}
