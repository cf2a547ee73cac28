//! Tests of scenario parsing: the public example parses, and bad files name the bad field.

use super::*;
use crate::scenario::TimelineEvent;

const WHOLESALE_DAY: &str = include_str!("../../../../../shared/scenarios/wholesale-day.json");

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
