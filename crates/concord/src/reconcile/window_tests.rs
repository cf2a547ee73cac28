//! Table tests of a reconciliation pass's window and of the orders it reads one by one.

use super::*;
use chrono::TimeZone;

/// (case, last pass at h, last full pass at h, now at h, window starts at h).
type WindowCase = (&'static str, Option<i64>, Option<i64>, i64, Option<i64>);
/// (case, sales in the window, overdue records, orders to read by id).
type OutsideCase = (
    &'static str,
    Vec<SaleSummary>,
    &'static [i64],
    &'static [i64],
);

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + Duration::hours(h)
}

#[test]
fn a_pass_reads_since_the_last_one_less_the_overlap_and_everything_once_a_day() {
    let cases: &[WindowCase] = &[
        ("no pass yet", None, None, 5, None),
        ("a full pass an hour ago", Some(4), Some(4), 5, Some(3)),
        ("last full pass 23 h ago", Some(26), Some(4), 27, Some(25)),
        ("last full pass a day ago", Some(27), Some(4), 28, None),
        ("passes but never a full one", Some(4), None, 5, None),
    ];
    for (name, last, full, now, want) in cases {
        let got = window_start(last.map(at), full.map(at), at(*now));
        assert_eq!(got, want.map(at), "{name}");
    }
}

fn order(id: i64) -> OroOrder {
    OroOrder {
        id,
        identifier: format!("SO-{id}"),
        po_number: None,
        customer_id: 1,
        currency: "GBP".into(),
        internal_status: None,
        status: None,
        shipping_status: None,
        updated_at: "2026-11-02T00:00:00Z".into(),
        total: rust_decimal::Decimal::ZERO,
        shipping_amount: rust_decimal::Decimal::ZERO,
        shipping_tax: None,
        tax_total: None,
        lines: Vec::new(),
        discounts: Vec::new(),
    }
}

fn sale(ext: Option<&str>, status: &str) -> SaleSummary {
    SaleSummary {
        id: "s".into(),
        external_id: ext.map(str::to_owned),
        status: status.into(),
        order_status: None,
        customer: None,
        shipping_status: None,
        tracking_numbers: None,
        paid: None,
    }
}

#[test]
fn orders_named_by_a_sale_or_an_overdue_record_outside_the_window_are_read_by_id() {
    let window: HashMap<i64, OroOrder> = [order(1), order(2)]
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let cases: &[OutsideCase] = &[
        (
            "every sale's order is in the window",
            vec![sale(Some("1"), "ORDERED")],
            &[],
            &[],
        ),
        (
            "a sale of an older order",
            vec![sale(Some("7"), "ORDERED")],
            &[],
            &[7],
        ),
        (
            "a voided sale of an older order",
            vec![sale(Some("8"), "VOIDED")],
            &[],
            &[8],
        ),
        (
            "no external id, or not a number",
            vec![sale(None, "ORDERED"), sale(Some("x"), "ORDERED")],
            &[],
            &[],
        ),
        (
            "an overdue record and a sale, deduplicated",
            vec![sale(Some("9"), "ORDERED")],
            &[9, 2, 3],
            &[3, 9],
        ),
    ];
    for (name, sales, overdue, want) in cases {
        assert_eq!(orders_outside(&window, sales, overdue), *want, "{name}");
    }
}
