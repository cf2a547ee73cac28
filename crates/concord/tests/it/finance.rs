//! The public finance-day scenario (spec section 4: tax codes and rates, discounts, invoices and
//! payments, shipments, catalogue fixes, root causes), end to end, judged by the acceptance checker.

use crate::helpers::{check, shared, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finance_day_passes_every_area_the_checker_knows() {
    // Arrange
    let text = std::fs::read_to_string(shared("scenarios/finance-day.json"))
        .expect("the shared finance-day scenario");

    // Act
    let app = spawn_app(&text).await;

    // Assert: every area, the call budget included (its allowance, 4 calls per order, leaves
    // room for the drafts, voids and faults of the day).
    let (passed, failed, output) = check(&app, &[]);
    assert_eq!(failed, 0, "{output}");
    assert!(passed > 900, "suspiciously few checks ran:\n{output}");
    for area in ["tax", "discounts", "postings", "shipments", "root_causes"] {
        let (ran, failed, output) = check(&app, &[area]);
        assert_eq!(failed, 0, "{area}: {output}");
        assert!(ran > 0, "no {area} check ran:\n{output}");
    }
}

/// Lost answers on a fifth of Cin7 calls, errors on one in twenty, and three crashes timed into
/// posting slots: every capture is still posted exactly once and every invoice once (the checker's
/// postings area), and the ledger matches Oro. The call budget is left out: retries spend it.
/// (At a third lost and a tenth failed it passes too, but now and then an order's own sync backs
/// off past the end of the day after five failures in a row, which is the orders flow's policy,
/// not a posting defect; this test is about postings.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_and_crashes_in_posting_slots_never_post_a_payment_twice() {
    // Arrange
    let text = std::fs::read_to_string(shared("scenarios/finance-day.json"))
        .expect("the shared finance-day scenario");
    let mut scenario: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    scenario["cin7"]["faults"] =
        serde_json::json!({ "error_rate": 0.05, "lost_response_rate": 0.2, "latency_ms": [5, 30] });
    let timeline = scenario["timeline"].as_array_mut().expect("a timeline");
    for at_s in [1810, 2710, 3610] {
        timeline.push(serde_json::json!({ "at_s": at_s, "event": "concord_crash" }));
    }
    timeline.sort_by_key(|e| e["at_s"].as_i64());

    // Act
    let app = spawn_app(&scenario.to_string()).await;

    // Assert
    let areas = [
        "orders",
        "tax",
        "discounts",
        "postings",
        "exceptions",
        "reconcile",
    ];
    let (passed, failed, output) = check(&app, &areas);
    assert_eq!(failed, 0, "{output}");
    assert!(passed > 500, "suspiciously few checks ran:\n{output}");
    for sale in app.sales() {
        let references: Vec<&str> = sale["Payments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["Reference"].as_str())
            .collect();
        let unique: std::collections::BTreeSet<&&str> = references.iter().collect();
        assert_eq!(
            unique.len(),
            references.len(),
            "a payment posted twice: {sale}"
        );
        let invoices = sale["Invoices"].as_array().map_or(0, Vec::len);
        assert!(invoices <= 1, "{invoices} invoices on one sale: {sale}");
    }
}
