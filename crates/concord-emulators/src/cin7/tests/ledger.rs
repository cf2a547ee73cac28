//! Invoices and payments: an invoice copies the authorised order, payments and prepayments follow
//! Cin7's rules, an overpayment is refused with Cin7's message, and the published fixtures parse.

use super::Harness;
use serde_json::{json, Value};

/// A sale for 10 × 10.00 + 20.00 tax (total 120.00), authorised; answers its id.
async fn authorised_sale(h: &Harness, external_id: &str) -> String {
    let id = h.new_sale("Acme Retail Group", external_id).await;
    let line = json!({"SKU": "TEE-BLK-M", "Name": "Tee", "Quantity": 10, "Price": 10, "Discount": 0, "Tax": 20, "TaxRule": "20% VAT", "Total": 100});
    let (status, body) = h
        .post(
            "/sale/order",
            json!({"SaleID": id, "Status": "AUTHORISED", "Lines": [line]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

async fn invoice_task(h: &Harness, id: &str) -> String {
    let (status, body) = h.get(&format!("/sale/invoice?SaleID={id}")).await;
    assert_eq!(status, 200, "{body}");
    body["Invoices"][0]["TaskID"]
        .as_str()
        .expect("task")
        .to_owned()
}

fn payment(task: &str, kind: &str, amount: f64, reference: &str) -> Value {
    json!({"TaskID": task, "Type": kind, "Reference": reference, "Amount": amount,
           "DatePaid": "2026-11-02T00:00:00", "Account": "1200", "CurrencyRate": 1})
}

#[tokio::test]
async fn an_authorised_invoice_copies_the_order_and_payments_settle_it() {
    let h = Harness::default().await;
    let id = authorised_sale(&h, "2001").await;
    let task = invoice_task(&h, &id).await;
    let (status, body) = h
        .post(
            "/sale/invoice",
            json!({"SaleID": id, "TaskID": task, "Status": "AUTHORISED",
            "InvoiceDate": "2026-11-02T00:00:00", "InvoiceDueDate": "2026-12-02T00:00:00"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let invoice = &body["Invoices"][0];
    assert_eq!(invoice["Status"], "AUTHORISED");
    assert_eq!(invoice["InvoiceNumber"], "INV-00001");
    assert_eq!(invoice["Lines"][0]["TaxRule"], "20% VAT");
    let (status, again) = h
        .post(
            "/sale/invoice",
            json!({"SaleID": id, "TaskID": task, "Status": "AUTHORISED"}),
        )
        .await;
    assert_eq!(
        status, 400,
        "an authorised invoice cannot be written again: {again}"
    );
    let (status, paid) = h
        .post("/sale/payment", payment(&task, "PAYMENT", 50.0, "R1"))
        .await;
    assert_eq!(
        (status, paid["Type"].as_str()),
        (200, Some("Payment")),
        "{paid}"
    );
    let (status, over) = h
        .post("/sale/payment", payment(&task, "PAYMENT", 70.01, "R2"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(over[0]["Exception"], "Payment exceeds the document amount");
    h.post("/sale/payment", payment(&task, "PAYMENT", 70.0, "R3"))
        .await;
    let (_, sale) = h.get(&format!("/sale?ID={id}")).await;
    assert_eq!(sale["Invoices"][0]["Status"], "PAID");
    assert_eq!(sale["Invoices"][0]["Total"].as_f64(), Some(120.0));
    assert_eq!(sale["CombinedPaymentStatus"], "PAID");
    let (_, list) = h.get(&format!("/sale/payment?SaleID={id}")).await;
    let refs: Vec<&str> = list
        .as_array()
        .expect("bare array")
        .iter()
        .filter_map(|p| p["Reference"].as_str())
        .collect();
    assert_eq!(refs, ["R1", "R3"]);
    let dump = h.emu.state();
    let sale = dump["sales"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["ExternalID"] == "2001"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(sale["Invoices"][0]["Status"], "PAID");
    assert_eq!(sale["Payments"][1]["Type"], "PAYMENT");
}

#[tokio::test]
async fn a_prepayment_comes_before_the_invoice_and_a_payment_needs_one() {
    let h = Harness::default().await;
    let id = authorised_sale(&h, "2002").await;
    let task = invoice_task(&h, &id).await;
    let (status, refused) = h
        .post("/sale/payment", payment(&task, "PAYMENT", 10.0, "P"))
        .await;
    assert_eq!(status, 400, "no authorised invoice yet: {refused}");
    let (status, pre) = h
        .post("/sale/payment", payment(&id, "Prepayment", 10.0, "P"))
        .await;
    assert_eq!(
        (status, pre["Type"].as_str()),
        (200, Some("Prepayment")),
        "{pre}"
    );
    let (status, over) = h
        .post("/sale/payment", payment(&id, "PREPAYMENT", 110.01, "Q"))
        .await;
    assert_eq!(status, 400, "{over}");
}

#[tokio::test]
async fn no_invoice_on_an_order_that_is_not_authorised() {
    let h = Harness::default().await;
    let id = h.new_sale("Acme Retail Group", "2003").await;
    let (status, body) = h
        .post(
            "/sale/invoice",
            json!({"SaleID": id, "TaskID": id, "Status": "AUTHORISED"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[test]
fn the_published_invoice_and_payment_fixtures_parse() {
    for text in [
        include_str!("../../../../../../shared/fixtures/cin7/sale_invoice_create_request.json"),
        include_str!("../../../../../../shared/fixtures/cin7/sale_payment_create_request.json"),
        include_str!("../../../../../../shared/fixtures/cin7/sale_payment_list_response.json"),
    ] {
        let v: Value = serde_json::from_str(text).expect("fixture parses");
        assert!(!v.is_null());
    }
}
