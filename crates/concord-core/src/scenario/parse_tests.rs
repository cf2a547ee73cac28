//! Tests of scenario parsing: the public example parses, and bad files name the bad field.

use super::*;
use crate::scenario::TimelineEvent;

const WHOLESALE_DAY: &str = include_str!("../../../../../shared/scenarios/wholesale-day.json");
const FINANCE_DAY: &str = include_str!("../../../../../shared/scenarios/finance-day.json");

fn with_timeline_event(event: &str) -> String {
    format!(
        r#"{{"name":"t","clock":{{"start":"2026-11-02T08:00:00Z","speed":60}},
        "cin7":{{}},"oro":{{"customers":[{{"id":1,"name":"A","parent":null}}]}},
        "timeline":[{{"at_s":1,"event":"concord_crash"}},{event}]}}"#
    )
}

#[test]
fn the_public_wholesale_day_scenario_parses() {
    let s = parse_scenario(WHOLESALE_DAY).unwrap();
    assert_eq!(s.name, "wholesale-day");
    assert!(s.timeline.len() > 40);
    assert!(s.timeline.windows(2).all(|w| w[0].at_s <= w[1].at_s));
    assert!(s
        .timeline
        .iter()
        .any(|e| matches!(e.event, TimelineEvent::ConcordCrash)));
}

#[test]
fn the_public_finance_day_scenario_parses_with_all_of_section_4() {
    use crate::scenario::InvoiceOn;
    let s = parse_scenario(FINANCE_DAY).unwrap();
    assert_eq!(s.settings.tax_rule_map[0].customer_tax_code, "DOMESTIC");
    assert_eq!(s.settings.shipping_tax_code.as_deref(), Some("SHIPPING"));
    assert_eq!(s.settings.discount_charge.as_deref(), Some("Discount"));
    let postings = s.settings.postings.as_ref().unwrap();
    assert_eq!(postings.invoice_on, InvoiceOn::Authorise);
    assert_eq!(postings.payment_account.as_deref(), Some("1200"));
    assert!(s.cin7.tax_rules.iter().any(|t| !t.active));
    assert_eq!(s.oro.customers[0].tax_code.as_deref(), Some("DOMESTIC"));
    assert!(s.oro.products.iter().all(|p| p.tax_code.is_some()));
    let has = |f: fn(&TimelineEvent) -> bool| s.timeline.iter().any(|e| f(&e.event));
    assert!(has(
        |e| matches!(e, TimelineEvent::OroOrder { order } if !order.discounts.is_empty())
    ));
    assert!(has(
        |e| matches!(e, TimelineEvent::OroPayment(p) if p.method.is_some())
    ));
    assert!(has(|e| matches!(e, TimelineEvent::Cin7Payment(_))));
    assert!(has(|e| matches!(e, TimelineEvent::Cin7Product { .. })));
    assert!(has(
        |e| matches!(e, TimelineEvent::Cin7Ship { lines, tracking_number: Some(_), .. } if !lines.is_empty())
    ));
}

#[test]
fn a_payment_for_an_order_the_scenario_does_not_have_is_refused() {
    let payment =
        r#"{"at_s":5,"event":"oro_payment","order_id":99,"amount":"1.00","reference":"R"}"#;
    let err = parse_scenario(&with_timeline_event(payment)).unwrap_err();
    assert_eq!(err.path, "timeline[1].order_id");
}

#[test]
fn a_negative_discount_is_refused_with_its_path() {
    let order = r#"{"at_s":5,"event":"oro_order","order":{"id":7,"identifier":"W-7","customer":1,
        "lines":[{"sku":"A","unit":"each","quantity":"1","price":"1.00"}],
        "discounts":[{"description":"x","amount":"-1.00"}]}}"#;
    let err = parse_scenario(&with_timeline_event(order)).unwrap_err();
    assert_eq!(err.path, "timeline[1].order.discounts[0].amount");
}

#[test]
fn an_unknown_top_level_key_is_refused_by_name() {
    let text = WHOLESALE_DAY.replacen("\"name\"", "\"surprise\": 1, \"name\"", 1);
    let err = parse_scenario(&text).unwrap_err();
    assert!(err.to_string().contains("surprise"), "{err}");
}

#[test]
fn a_quantity_of_lots_is_refused_with_its_path() {
    let order = r#"{"at_s":5,"event":"oro_order","order":{"id":7,"identifier":"W-7","customer":1,
        "lines":[{"sku":"A","unit":"each","quantity":"lots","price":"1.00"}]}}"#;
    let err = parse_scenario(&with_timeline_event(order)).unwrap_err();
    assert_eq!(err.path, "timeline[1].order.lines[0].quantity");
    assert!(err.message.contains("\"lots\" is not a decimal"), "{err}");
}

#[test]
fn an_unknown_event_kind_is_refused() {
    let err = parse_scenario(&with_timeline_event(r#"{"at_s":2,"event":"meteor"}"#)).unwrap_err();
    assert_eq!(err.path, "timeline[1].event");
}

#[test]
fn an_unknown_key_inside_an_event_is_refused() {
    let err = parse_scenario(&with_timeline_event(
        r#"{"at_s":2,"event":"cin7_ship","order_id":1,"x":1}"#,
    ))
    .unwrap_err();
    assert!(err.path.starts_with("timeline[1]"), "{err}");
    assert!(err.message.contains('x'), "{err}");
}

#[test]
fn an_approval_clears_the_status_while_an_absent_status_leaves_it() {
    let text =
        with_timeline_event(r#"{"at_s":2,"event":"oro_order_status","order_id":9,"status":null}"#);
    let s = parse_scenario(&text).unwrap();
    let TimelineEvent::OroOrderStatus(change) = &s.timeline[1].event else {
        panic!("wrong event")
    };
    assert_eq!(change.status, Some(None));
    let text = with_timeline_event(
        r#"{"at_s":2,"event":"oro_order_status","order_id":9,"internal_status":"cancelled"}"#,
    );
    let s = parse_scenario(&text).unwrap();
    let TimelineEvent::OroOrderStatus(change) = &s.timeline[1].event else {
        panic!("wrong event")
    };
    assert_eq!(change.status, None);
}

#[test]
fn an_order_for_an_unknown_customer_is_refused() {
    let order = r#"{"at_s":5,"event":"oro_order","order":{"id":7,"identifier":"W-7","customer":42,
        "lines":[{"sku":"A","unit":"each","quantity":"1","price":"1.00"}]}}"#;
    let err = parse_scenario(&with_timeline_event(order)).unwrap_err();
    assert_eq!(err.path, "timeline[1].order.customer");
}

#[test]
fn malformed_json_names_the_line() {
    let err = parse_scenario("{\"name\": ").unwrap_err();
    assert!(err.path.contains("line 1"), "{err}");
}
