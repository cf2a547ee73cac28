//! What Cin7 requires and the emulator therefore refuses (reference §5.4, §5.6, §16.1): sale lines
//! without `Name` or `TaxRule`, rules that are unknown or inactive, charges that name no Service
//! product, and customers created without their accounts and tax rule.

use super::Harness;
use serde_json::{json, Value};

fn good_line() -> Value {
    json!({"SKU": "TEE-BLK-M", "Name": "Tee black M", "Quantity": 1, "Price": 10, "Tax": 2, "TaxRule": "20% VAT", "Total": 10})
}

fn good_charge() -> Value {
    json!({"Description": "Freight", "Quantity": 1, "Price": 5, "Tax": 1, "TaxRule": "20% VAT", "Total": 5})
}

/// Posts one order with `line` and `charge`; returns the status and Cin7's first error message.
async fn post_order(h: &Harness, line: Value, charge: Value) -> (u16, i64, String) {
    let id = h.new_sale("Acme Retail Group", "3001").await;
    let (status, body) = h
        .post(
            "/sale/order",
            json!({"SaleID": id, "Status": "DRAFT", "Lines": [line], "AdditionalCharges": [charge]}),
        )
        .await;
    let code = body[0]["ErrorCode"].as_i64().unwrap_or_default();
    let message = body[0]["Exception"].as_str().unwrap_or_default().to_owned();
    (status, code, message)
}

fn without(mut item: Value, key: &str) -> Value {
    item.as_object_mut().map(|o| o.remove(key));
    item
}

fn with(mut item: Value, key: &str, value: &str) -> Value {
    item[key] = json!(value);
    item
}

#[tokio::test]
async fn a_complete_order_is_accepted() {
    let h = Harness::default().await;
    let (status, _, message) = post_order(&h, good_line(), good_charge()).await;
    assert_eq!(status, 200, "{message}");
}

#[tokio::test]
async fn sale_lines_and_charges_missing_what_cin7_requires_are_refused_with_its_error_body() {
    let h = Harness::default().await;
    let cases = [
        (
            "line without Name",
            without(good_line(), "Name"),
            good_charge(),
            400,
            "required attribute Name",
        ),
        (
            "line without TaxRule",
            without(good_line(), "TaxRule"),
            good_charge(),
            400,
            "required attribute TaxRule",
        ),
        (
            "line with an unknown rule",
            with(good_line(), "TaxRule", "Zero"),
            good_charge(),
            404,
            "Tax Rules reference book",
        ),
        (
            "line with an inactive rule",
            with(good_line(), "TaxRule", "17.5% VAT"),
            good_charge(),
            400,
            "is not active",
        ),
        (
            "charge without TaxRule",
            good_line(),
            without(good_charge(), "TaxRule"),
            400,
            "required attribute TaxRule",
        ),
        (
            "charge with an inactive rule",
            good_line(),
            with(good_charge(), "TaxRule", "17.5% VAT"),
            400,
            "is not active",
        ),
        (
            "charge naming a stock product",
            good_line(),
            with(good_charge(), "Description", "Tee black M"),
            404,
            "Service product",
        ),
        (
            "charge naming nothing known",
            good_line(),
            with(good_charge(), "Description", "Shipping"),
            404,
            "Service product",
        ),
    ];
    for (case, line, charge, code, fragment) in cases {
        let (status, got_code, message) = post_order(&h, line, charge).await;
        assert_eq!((status, got_code), (400, code), "{case}: {message}");
        assert!(message.contains(fragment), "{case}: {message}");
    }
}

#[tokio::test]
async fn a_customer_created_without_a_required_field_is_refused_naming_it() {
    let h = Harness::default().await;
    let full = json!({"Name": "Newco Ltd", "Status": "Active", "Currency": "GBP", "PaymentTerm": "Proforma",
                      "AccountReceivable": "610", "RevenueAccount": "200", "TaxRule": "20% VAT"});
    for field in [
        "Name",
        "Status",
        "Currency",
        "PaymentTerm",
        "AccountReceivable",
        "RevenueAccount",
        "TaxRule",
    ] {
        let (status, body) = h.post("/customer", without(full.clone(), field)).await;
        assert_eq!(
            (status, body[0]["ErrorCode"].as_i64()),
            (400, Some(400)),
            "{field}"
        );
        assert_eq!(
            body[0]["Exception"],
            format!("Required attribute {field} is not provided."),
            "{field}"
        );
    }
    let (status, created) = h.post("/customer", full).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["CustomerList"][0]["AccountReceivable"], "610");
}
