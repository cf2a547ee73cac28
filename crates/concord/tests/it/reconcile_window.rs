//! A reconciliation pass reads the Oro orders changed since the previous pass, not every order,
//! and still finds the order of a sale that changed when the order did not (read by id), or
//! reports the sale when Oro has no such order. Asserted from the reports and the Oro API log.

use crate::helpers::{line, order_event, scenario_file, spawn_parts, with_backlog, Parts};
use concord::reconcile::orders;
use serde_json::json;
use std::time::Duration;

/// Waits until the scenario clock has passed `at_s`.
async fn until(parts: &Parts, at_s: f64) {
    while parts.clock.elapsed_s() < at_s {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn order_reads(parts: &Parts, since_s: f64) -> Vec<String> {
    parts
        .emulators
        .oro
        .api_log()
        .into_iter()
        .filter(|e| e.at_s >= since_s && e.method == "GET")
        .filter(|e| e.path.starts_with("/admin/api/orders"))
        .map(|e| e.path)
        .collect()
}

fn kinds_for(report: &concord::reconcile::ReconcileReport, subject: &str) -> Vec<String> {
    report
        .discrepancies
        .iter()
        .filter(|d| d.subject == subject)
        .map(|d| d.kind.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_reads_orders_changed_since_the_last_and_still_finds_an_older_sales_order() {
    // Arrange: two orders in Oro; sales in Cin7 for one of them and for an order Oro never had.
    let mut scenario = scenario_file("trade-shop.json");
    let sale = |ext: &str| {
        json!({ "external_id": ext, "customer": "Kestrel Retail Group",
                "lines": [{ "sku": "CAP-RED", "quantity": "2", "price": "6.00", "tax": "2.40" }] })
    };
    scenario["cin7"]["sales"] = json!([sale("5001"), sale("9999")]);
    let text = with_backlog(
        scenario,
        [
            order_event(0, 5001, 1, 11, false, vec![line("CAP-RED", "each", 2, 600)]),
            order_event(0, 5002, 1, 11, false, vec![line("CAP-RED", "each", 1, 600)]),
        ],
    );
    let parts = spawn_parts(&text, 3600.0).await;
    let ctx = &parts.ctx;
    let first = orders::run(ctx).await.unwrap();
    until(&parts, 3700.0).await;
    let second = orders::run(ctx).await.unwrap();
    // Both sales change in Cin7 now; neither Oro order does.
    parts.emulators.cin7.ship(5001, &[], Some("T-1"));
    parts.emulators.cin7.ship(9999, &[], Some("T-2"));
    let third_at = parts.clock.elapsed_s();

    // Act
    let third = orders::run(ctx).await.unwrap();

    // Assert: the first pass read every order; the third, whose window starts after both
    // orders last changed, read only the one its changed sale names, by id.
    assert_eq!(first.orders_checked, 2);
    assert_eq!(second.orders_checked, 2, "the overlap still covers them");
    assert_eq!(third.orders_checked, 1);
    let reads = order_reads(&parts, third_at);
    assert!(
        reads.contains(&"/admin/api/orders/5001".to_owned()),
        "{reads:?}"
    );
    assert!(
        !reads.contains(&"/admin/api/orders/5002".to_owned()),
        "{reads:?}"
    );
    assert!(
        kinds_for(&third, "sale:5001").is_empty(),
        "{:?}",
        third.discrepancies
    );
    assert_eq!(kinds_for(&third, "sale:9999"), ["sale_without_order"]);
}
