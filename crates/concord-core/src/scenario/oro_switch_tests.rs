//! Tests of the scenario switches that make the Oro emulator as strict as a real Oro.

use super::*;

fn with_oro(oro: &str) -> Result<Scenario, ScenarioError> {
    parse_scenario(&format!(
        r#"{{"name":"t","clock":{{"start":"2026-11-02T08:00:00Z","speed":60}},"cin7":{{}},"oro":{oro}}}"#
    ))
}

#[test]
fn a_scenario_without_the_switches_keeps_order_webhooks_and_english_split_rows() {
    let s = with_oro("{}").unwrap();
    assert!(s.oro.orders_webhook_accessible);
    assert_eq!(s.oro.subtotals.locale, "en");
    assert!(s.oro.subtotals.split_tax && s.oro.subtotals.promotions);
    assert!(s.oro.faults.firewall.is_none());
    assert_eq!(s.oro.faults.slow_sync_batch_rate, 0.0);
}

#[test]
fn the_switches_are_read() {
    let s = with_oro(
        r#"{"webhooks": true, "orders_webhook_accessible": false,
            "subtotals": {"locale": "de", "split_tax": false, "promotions": false},
            "faults": {"slow_sync_batch_rate": 1, "firewall": {"rate": 0.5, "retry_after_s": 864000, "html_body": true}}}"#,
    )
    .unwrap();
    assert!(!s.oro.orders_webhook_accessible);
    assert_eq!(s.oro.subtotals.locale, "de");
    let firewall = s.oro.faults.firewall.unwrap();
    assert_eq!(firewall.retry_after_s, Some(864_000));
    assert!(firewall.html_body);
}

#[test]
fn bad_switch_values_name_their_field() {
    let err = with_oro(r#"{"subtotals": {"locale": "xx"}}"#).unwrap_err();
    assert!(err.to_string().contains("oro.subtotals.locale"), "{err}");
    let err = with_oro(r#"{"faults": {"firewall": {"rate": 2}}}"#).unwrap_err();
    assert!(
        err.to_string().contains("oro.faults.firewall.rate"),
        "{err}"
    );
}
