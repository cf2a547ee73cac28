//! The report's building blocks: how a name is found in a book, and how the report reads.

use super::cin7_refs::named_in;
use super::*;
use crate::domain::BookEntry;

fn entry(name: &str, active: bool) -> BookEntry {
    BookEntry {
        name: name.to_owned(),
        label: None,
        active,
    }
}

#[test]
fn a_name_is_found_exactly_loosely_retired_or_not_at_all() {
    let book = [entry("20% VAT", true), entry("17.5% VAT", false)];
    let found = |name: &str| named_in("cin7", "tax rule", name, &book, "add it").status;
    assert_eq!(found("20% VAT"), Status::Ok);
    assert_eq!(found("20% vat"), Status::Warn);
    assert_eq!(found("17.5% VAT"), Status::Fail);
    let missing = named_in("cin7", "tax rule", "5% VAT", &book, "add it");
    assert_eq!(missing.status, Status::Fail);
    assert_eq!(missing.name, "tax rule \"5% VAT\"");
    assert_eq!(missing.fix.as_deref(), Some("add it"));
}

fn report() -> Report {
    Report {
        checks: vec![
            Check::ok("store", "store", "open"),
            Check::warn("cin7", "webhooks", "polling only", "set a token"),
            Check::fail("cin7", "tax rule \"5% VAT\"", "does not exist", "create it"),
        ],
    }
}

#[test]
fn the_text_report_has_a_line_per_check_a_fix_under_each_problem_and_the_counts() {
    let mut out = Vec::new();
    write_text(&report(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "OK    store  store: open");
    assert!(lines[1].starts_with("WARN  cin7   webhooks: polling only"));
    assert_eq!(lines[2].trim(), "fix: set a token");
    assert!(lines[3].starts_with("FAIL  cin7   tax rule \"5% VAT\": does not exist"));
    assert_eq!(lines[4].trim(), "fix: create it");
    assert_eq!(lines[5], "doctor: 1 OK, 1 WARN, 1 FAIL");
}

#[test]
fn the_json_report_says_whether_it_passed_and_keeps_every_check() {
    let mut out = Vec::new();
    write_json(&report(), &mut out).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["counts"]["fail"], 1);
    assert_eq!(doc["checks"][2]["status"], "FAIL");
    assert_eq!(doc["checks"][2]["fix"], "create it");
    assert!(doc["checks"][0].get("fix").is_none());
    assert!(report().failed());
}

#[tokio::test]
async fn a_read_is_tried_again_after_a_transient_failure_but_not_after_a_refusal() {
    use crate::connectors::cin7::Cin7Error;
    use std::sync::atomic::{AtomicU32, Ordering};
    let calls = AtomicU32::new(0);
    let flaky = || async {
        match calls.fetch_add(1, Ordering::SeqCst) {
            0 => Err(Cin7Error::Transient("HTTP 502".into())),
            _ => Ok("read"),
        }
    };
    assert_eq!(read_patiently(flaky).await.unwrap(), "read");
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let refusals = AtomicU32::new(0);
    let refused = || async {
        refusals.fetch_add(1, Ordering::SeqCst);
        Err::<(), _>(Cin7Error::Permanent {
            status: 403,
            message: "no".into(),
        })
    };
    assert!(read_patiently(refused).await.is_err());
    assert_eq!(refusals.load(Ordering::SeqCst), 1, "a refusal is final");

    let outages = AtomicU32::new(0);
    let down = || async {
        outages.fetch_add(1, Ordering::SeqCst);
        Err::<(), _>(Cin7Error::Transient("HTTP 503".into()))
    };
    assert!(read_patiently(down).await.is_err());
    assert_eq!(
        outages.load(Ordering::SeqCst),
        3,
        "three tries, then the failure"
    );
}
