//! Grouping open exceptions into root causes: one entry per cause, its orders, its money.

use super::*;
use chrono::TimeZone;
use concord_core::catalogue::{ExceptionKind, Owner};
use rust_decimal_macros::dec;

fn exc(
    id: i64,
    kind: ExceptionKind,
    order: i64,
    detail: &str,
    status: ExceptionStatus,
) -> ExceptionRecord {
    let subject = format!("order:{order}");
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + chrono::Duration::minutes(id);
    ExceptionRecord {
        id,
        kind,
        owner: Owner::Ecommerce,
        fingerprint: format!("{}|{subject}|{detail}", kind.as_str()),
        subject,
        status,
        occurrences: 1,
        first_seen: at,
        last_seen: at,
        explanation: String::new(),
        suggested_action: String::new(),
        payload_refs: Vec::new(),
        resolution_note: None,
    }
}

fn held(total: Decimal) -> OrderFacts {
    OrderFacts {
        held: true,
        total: Some(total),
        currency: Some("GBP".into()),
    }
}

#[test]
fn forty_exceptions_behind_one_sku_are_one_cause() {
    let open = ExceptionStatus::Open;
    let exceptions: Vec<_> = (1..=40)
        .map(|i| exc(i, ExceptionKind::SkuUnknown, 1000 + i, "sku:MUG", open))
        .collect();
    let facts = (1..=40).map(|i| (1000 + i, held(dec!(100.25)))).collect();
    let report = group(&exceptions, &facts);
    assert_eq!(report.causes.len(), 1);
    let c = &report.causes[0];
    assert_eq!(
        (c.key.as_str(), c.kind.as_str()),
        ("sku:MUG", "sku_unknown")
    );
    assert_eq!(c.subjects.len(), 40);
    assert_eq!(c.orders_held, 40);
    assert_eq!(c.money_held["GBP"], dec!(4010));
    assert!(c.explanation.contains("40 orders"), "{}", c.explanation);
    assert!(
        c.explanation.contains("2026-11-30 08:01 UTC"),
        "{}",
        c.explanation
    );
    assert_eq!(
        report.headline,
        "1 thing to fix, holding 40 orders, £4,010.00"
    );
}

#[test]
fn an_order_with_two_causes_is_listed_by_both_and_counted_once() {
    let open = ExceptionStatus::Open;
    let exceptions = vec![
        exc(1, ExceptionKind::SkuUnknown, 7, "sku:A", open),
        exc(
            2,
            ExceptionKind::UnitUnmapped,
            7,
            "unit:B:pallet",
            ExceptionStatus::Acknowledged,
        ),
        exc(3, ExceptionKind::SkuUnknown, 8, "sku:A", open),
        // Two lines of one order in different units: one cause, the order listed once.
        exc(4, ExceptionKind::SkuUnknown, 8, "sku:A", open),
        exc(5, ExceptionKind::PriceMismatch, 9, "price:2:C:case", open),
    ];
    let facts = BTreeMap::from([
        (7, held(dec!(10))),
        (8, held(dec!(5))),
        (
            9,
            OrderFacts {
                held: false,
                total: Some(dec!(99)),
                currency: Some("GBP".into()),
            },
        ),
    ]);
    let report = group(&exceptions, &facts);
    let keys: Vec<_> = report.causes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, vec!["sku:A", "unit:B:pallet", "price:2:C:case"]);
    assert_eq!(report.causes[0].subjects, vec!["order:7", "order:8"]);
    assert_eq!(report.causes[2].orders_held, 0, "a flag holds nothing");
    assert_eq!(report.orders_held, 2);
    assert_eq!(report.money_held["GBP"], dec!(15));
    assert!(
        report
            .headline
            .starts_with("3 things to fix, holding 2 orders, £15.00"),
        "{}",
        report.headline
    );
}

#[test]
fn resolved_unkeyed_and_non_order_exceptions_make_no_cause() {
    let mut other = exc(
        3,
        ExceptionKind::SkuUnknown,
        1,
        "sku:X",
        ExceptionStatus::Open,
    );
    other.subject = "sku:X".into();
    let exceptions = vec![
        exc(
            1,
            ExceptionKind::SkuUnknown,
            1,
            "sku:X",
            ExceptionStatus::Resolved,
        ),
        exc(
            2,
            ExceptionKind::TaxMismatch,
            1,
            "total",
            ExceptionStatus::Open,
        ),
        other,
        exc(
            4,
            ExceptionKind::SkuUnknown,
            2,
            "X:each",
            ExceptionStatus::Ignored,
        ),
    ];
    let report = group(&exceptions, &BTreeMap::new());
    assert!(report.causes.is_empty(), "{:?}", report.causes);
    assert_eq!(
        report.headline,
        "Nothing to fix: no open exception shares a cause."
    );
}
