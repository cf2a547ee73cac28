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
