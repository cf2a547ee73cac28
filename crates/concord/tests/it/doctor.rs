//! `concord doctor` against the emulators, as a merchant runs it before go-live: a Cin7 missing
//! the shipping service product and a tax rule the tax map names fails, naming both, with a
//! non-zero exit; the same Cin7 with both present passes.

use crate::helpers::shared;
use crate::live::{self, concord};
use serde_json::Value;

fn finance_day() -> Value {
    let text = std::fs::read_to_string(shared("scenarios/finance-day.json")).expect("the scenario");
    serde_json::from_str(&text).expect("JSON")
}

/// Cin7 without the `Freight` service product and without the `5% VAT` tax rule.
fn without_freight_and_reduced_vat(mut scenario: Value) -> Value {
    let cin7 = &mut scenario["cin7"];
    if let Some(products) = cin7["products"].as_array_mut() {
        products.retain(|p| p["name"] != "Freight");
    }
    if let Some(rules) = cin7["tax_rules"].as_array_mut() {
        rules.retain(|r| r["name"] != "5% VAT");
    }
    scenario
}

fn failing(doc: &Value) -> Vec<String> {
    doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "FAIL")
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_fails_naming_the_missing_shipping_product_and_tax_rule() {
    let live = live::start(&without_freight_and_reduced_vat(finance_day()), 1.0).await;
    let (code, out, err) =
        concord(&["doctor", "--config", &live.config(), "--format", "json"]).await;
    assert_eq!(code, Some(1), "a FAIL exits 1\n{out}\n{err}");
    let doc: Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(doc["ok"], false);
    assert_eq!(
        failing(&doc),
        vec![
            "shipping service product \"Freight\"".to_owned(),
            "tax rule \"5% VAT\"".to_owned()
        ],
        "{out}"
    );
    let fixes: Vec<&str> = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "FAIL")
        .filter_map(|c| c["fix"].as_str())
        .collect();
    assert!(
        fixes[0].contains("type Service named \"Freight\""),
        "{fixes:?}"
    );
    assert!(fixes[1].contains("rules.tax_rule_map"), "{fixes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_passes_once_cin7_holds_every_reference() {
    let live = live::start(&finance_day(), 1.0).await;
    let (code, out, err) = concord(&["doctor", "--config", &live.config()]).await;
    assert_eq!(code, Some(0), "no FAIL exits 0\n{out}\n{err}");
    let line = |start: &str| {
        out.lines()
            .find(|l| l.contains(start))
            .unwrap_or_else(|| panic!("no line with {start:?} in\n{out}"))
            .to_owned()
    };
    assert!(line("shipping service product \"Freight\"").starts_with("OK"));
    assert!(line("discount service product \"Discount\"").starts_with("OK"));
    assert!(line("tax rule \"5% VAT\"").starts_with("OK"));
    assert!(line("location \"Main Warehouse\"").starts_with("OK"));
    assert!(line("payment term \"Proforma\"").starts_with("OK"));
    assert!(line("price tier \"Key Account\"").starts_with("OK"));
    assert!(line("price list \"2\"").starts_with("OK"));
    assert!(line("unit precisions").starts_with("OK"));
    // The emulator serves no chart of accounts: said, not guessed.
    assert!(line("payment account \"1200\"").starts_with("WARN"));
    // Nothing subscribed yet (Concord has not started): worth a warning, not a failure.
    assert!(line("webhook order.created").starts_with("WARN"));
    assert!(line("webhook Sale/ShipmentAuthorised").starts_with("WARN"));
    assert!(line("rate budget").starts_with("OK"));
    assert!(out.trim_end().ends_with("0 FAIL"), "{out}");
}
