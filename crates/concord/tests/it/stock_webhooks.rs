//! Cin7 stock webhooks: rows that move no Oro level cost no availability snapshot; rows that do,
//! rows nobody here can vouch for, and an unreadable body each take one.

use crate::helpers::{scenario_file, spawn_parts, Parts, SPEED};
use concord::domain::StockRow;
use concord::sync::inventory::sync::{after_webhooks, sync};
use rust_decimal::Decimal;
use serde_json::json;

/// The trade shop with nothing happening, so only the test moves anything.
async fn quiet() -> Parts {
    let mut scenario = scenario_file("trade-shop.json");
    scenario["timeline"] = json!([]);
    spawn_parts(&scenario.to_string(), SPEED).await
}

fn snapshots_taken(parts: &Parts) -> usize {
    let log = parts.emulators.cin7.api_log();
    log.iter()
        .filter(|e| e.path.contains("/ref/productavailability"))
        .count()
}

/// A row of the last snapshot for a SKU Oro sells, as a webhook would carry it.
fn a_sold_row(parts: &Parts) -> StockRow {
    let last = parts.ctx.last_snapshot.lock().expect("the snapshot lock");
    let (_, rows) = last.as_ref().expect("a snapshot after the first sync");
    rows.all()
        .iter()
        .find(|r| r.sku == "TEE-GRN")
        .cloned()
        .expect("TEE-GRN in the snapshot")
}

fn hint(parts: &Parts, row: StockRow) {
    let now = parts.ctx.clock.elapsed_s();
    let mut hints = parts.ctx.stock_hints.lock().expect("the hints lock");
    hints.record(now, &[row]);
}

#[tokio::test]
async fn a_webhook_repeating_what_concord_knows_takes_no_snapshot() {
    let parts = quiet().await;
    let ctx = &parts.ctx;
    sync(ctx).await.expect("the first full sync");
    let before = snapshots_taken(&parts);

    hint(&parts, a_sold_row(&parts));
    after_webhooks(ctx, Some(&*ctx.instance))
        .await
        .expect("the look after the webhook");
    assert_eq!(snapshots_taken(&parts), before, "no availability read");
}

#[tokio::test]
async fn a_webhook_that_moves_a_level_takes_a_snapshot() {
    let parts = quiet().await;
    let ctx = &parts.ctx;
    sync(ctx).await.expect("the first full sync");
    let before = snapshots_taken(&parts);

    let mut moved = a_sold_row(&parts);
    moved.available += Decimal::from(50);
    hint(&parts, moved);
    after_webhooks(ctx, Some(&*ctx.instance))
        .await
        .expect("the look after the webhook");
    assert!(snapshots_taken(&parts) > before, "a snapshot was taken");

    // The snapshot took the hint in: the same look again has nothing left to explain.
    let after = snapshots_taken(&parts);
    after_webhooks(ctx, Some(&*ctx.instance))
        .await
        .expect("a second look");
    assert_eq!(snapshots_taken(&parts), after);
}

#[tokio::test]
async fn hints_held_by_another_process_or_unreadable_take_a_snapshot() {
    let parts = quiet().await;
    let ctx = &parts.ctx;
    sync(ctx).await.expect("the first full sync");

    // Received by another process: only it holds the rows, so this one cannot vouch for them.
    let before = snapshots_taken(&parts);
    after_webhooks(ctx, Some("another-process"))
        .await
        .expect("the look");
    assert!(snapshots_taken(&parts) > before);

    let before = snapshots_taken(&parts);
    hint(&parts, a_sold_row(&parts));
    ctx.stock_hints
        .lock()
        .expect("the hints lock")
        .record_unreadable(ctx.clock.elapsed_s());
    after_webhooks(ctx, Some(&*ctx.instance))
        .await
        .expect("the look");
    assert!(snapshots_taken(&parts) > before, "an unreadable body");
}
