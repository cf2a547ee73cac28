//! Recurring patterns: repeated drift of one SKU, one customer's orders held again and again.

use super::*;
use chrono::TimeZone;
use concord_core::catalogue::Owner;

fn drift(sku: &str, occurrences: u32, hour: u32) -> ExceptionRecord {
    let at = Utc.with_ymd_and_hms(2026, 11, 30, hour, 0, 0).unwrap();
    ExceptionRecord {
        id: 1,
        kind: ExceptionKind::StockDrift,
        owner: Owner::Operations,
        subject: format!("sku:{sku}"),
        fingerprint: format!("stock_drift|sku:{sku}|each"),
        status: ExceptionStatus::Resolved,
        occurrences,
        first_seen: at,
        last_seen: at,
        explanation: String::new(),
        suggested_action: String::new(),
        payload_refs: Vec::new(),
        resolution_note: None,
    }
}

fn held(order_id: i64, customer: i64, kind: &str) -> OrderRecord {
    let mut r = OrderRecord::new(order_id, 0.0);
    r.state = OrderState::Held;
    r.oro_customer = Some(customer);
    r.held_for = vec![kind.to_owned()];
    r
}

#[test]
fn a_sku_drifting_again_and_again_is_one_pattern() {
    let since = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
    let drifts = vec![
        drift("TEE", 2, 8),
        drift("TEE", 1, 9),
        drift("MUG", 2, 9),
        drift("CAP", 5, 0),
    ];
    let old = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
    let found = drifting_skus(&drifts, since);
    let subjects: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        subjects,
        vec!["pattern:drift:sku:CAP", "pattern:drift:sku:TEE"]
    );
    assert!(
        found[1].1.contains("changed outside Concord 3 times"),
        "{}",
        found[1].1
    );
    assert!(
        drifting_skus(&drifts, old)
            .iter()
            .all(|(s, _)| !s.ends_with("CAP")),
        "old drifts age out"
    );
}

#[test]
fn one_customers_orders_failing_repeatedly_is_one_pattern() {
    let mut records = vec![
        held(1, 7, "customer_unmapped"),
        held(2, 7, "customer_unmapped"),
        held(3, 7, "currency_mismatch"),
        held(9, 9, "sku_unknown"),
        held(10, 9, "sku_unknown"),
        held(11, 9, "unit_unmapped"),
        held(4, 8, "currency_mismatch"),
        held(5, 8, "currency_mismatch"),
    ];
    let mut cancelled = held(6, 8, "currency_mismatch");
    cancelled.cancelled = true;
    records.push(cancelled);
    let found = failing_customers(&records);
    assert_eq!(
        found.len(),
        1,
        "catalogue holds are their SKU's pattern: {found:?}"
    );
    assert_eq!(found[0].0, "pattern:customer:7");
    assert!(
        found[0]
            .1
            .contains("3 held (currency_mismatch x1, customer_unmapped x2)"),
        "{}",
        found[0].1
    );
}
