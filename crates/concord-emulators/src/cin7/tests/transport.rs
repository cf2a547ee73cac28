//! The transport as the real Cin7 shows it: documented webhook shapes (checked against the
//! published samples), availability per bin, per-endpoint limit signals, an absent `Retry-After`,
//! gateway failures, and the five-webhooks-per-type cap.

use super::webhooks::{receiver, wait_for};
use super::{scenario, Harness};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../../shared/fixtures/cin7/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn with_cin7(extra: Value, rate_limit: Value, faults: Value, webhooks: bool) -> String {
    let mut s: Value =
        serde_json::from_str(&scenario(rate_limit, faults, webhooks)).expect("scenario");
    if let (Some(cin7), Some(extra)) = (s["cin7"].as_object_mut(), extra.as_object()) {
        cin7.extend(extra.clone());
    }
    s.to_string()
}

#[tokio::test]
async fn every_webhook_sent_has_the_keys_of_its_published_sample() {
    let text = with_cin7(
        json!({"availability_bins": ["Bin 1", "Bin 2"]}),
        json!({"calls_per_minute": 1000}),
        json!({}),
        true,
    );
    let h = Harness::start(&text, 6000.0).await;
    let (hooks, seen) = receiver().await;
    for (kind, at) in [
        ("Sale/OrderAuthorised", "sale"),
        ("Stock/AvailableStockLevelChanged", "stock"),
        ("Customer/Updated", "customer"),
    ] {
        let body = json!({"Type": kind, "IsActive": true, "ExternalURL": format!("{hooks}/{at}")});
        assert_eq!(h.post("/webhooks", body).await.0, 200);
    }
    let background = h.emu.spawn_background();
    let id = h.new_sale("Acme Retail Group", "3001").await;
    h.post("/sale/order", json!({"SaleID": id, "Status": "AUTHORISED", "Lines": [{"SKU": "TEE-BLK-M", "Name": "Tee black M", "TaxRule": "20% VAT", "Quantity": 4, "Price": 10, "Tax": 8, "Total": 40}]})).await;
    h.emu.customer_update("Harbour & Co", Some(false));
    wait_for(|| seen.lock().expect("lock").len() >= 3).await;
    background.abort();
    let seen = seen.lock().expect("lock").clone();
    let body = |at: &str| {
        seen.iter()
            .find(|(p, _, _)| p == at)
            .map(|s| s.2.clone())
            .unwrap_or_else(|| panic!("no delivery to {at}"))
    };
    let sale = body("/sale");
    assert_eq!(
        keys(&sale),
        keys(&fixture("webhook_sale_order_authorised.json"))
    );
    let sample = fixture("webhook_customer_updated.json");
    let customer = body("/customer");
    assert_eq!(keys(&customer), keys(&sample));
    assert_eq!(
        keys(&customer["CustomerDetailsList"][0]["Customer"]),
        keys(&sample["CustomerDetailsList"][0]["Customer"]),
        "IsOnCreditHold is not in Cin7's customer webhook"
    );
    let stock = body("/stock");
    let sample = fixture("webhook_stock_available_stock_level_changed.json");
    let rows = stock.as_array().expect("a bare array");
    assert_eq!(rows.len(), 3, "one row per bin: {stock}");
    assert!(rows.iter().all(|r| keys(r) == keys(&sample[0])));
    assert!(rows.iter().all(|r| r["MaxRows"] == json!(3)));
    let available: f64 = rows.iter().filter_map(|r| r["Available"].as_f64()).sum();
    assert_eq!(available, 86.0);
}

#[tokio::test]
async fn availability_is_one_row_per_bin_and_the_rows_add_up() {
    let text = with_cin7(
        json!({"availability_bins": ["Bin 1", "Bin 2"]}),
        json!({"calls_per_minute": 1000}),
        json!({}),
        false,
    );
    let h = Harness::start(&text, 1.0).await;
    let (status, page) = h.get("/ref/productavailability?Sku=TEE-BLK-M").await;
    assert_eq!(status, 200);
    assert_eq!(page["Total"], json!(3));
    let rows = page["ProductAvailabilityList"].as_array().expect("rows");
    let bins: Vec<&Value> = rows.iter().map(|r| &r["Bin"]).collect();
    assert_eq!(bins, [&Value::Null, &json!("Bin 1"), &json!("Bin 2")]);
    let sum = |key: &str| rows.iter().filter_map(|r| r[key].as_f64()).sum::<f64>();
    // 100 on hand; the seeded sale allocated 10.
    assert_eq!(
        (sum("OnHand"), sum("Allocated"), sum("Available")),
        (100.0, 10.0, 90.0)
    );
    for r in rows {
        let (h, a, av) = (
            r["OnHand"].as_f64(),
            r["Allocated"].as_f64(),
            r["Available"].as_f64(),
        );
        assert_eq!(av, h.zip(a).map(|(h, a)| h - a), "{r}");
    }
    let dumped = h.emu.state()["availability"].as_array().map(Vec::len);
    assert_eq!(dumped, Some(3));
}

async fn call_raw(h: &Harness, path: &str) -> Result<reqwest::Response, reqwest::Error> {
    h.http
        .get(format!("{}{path}", h.base))
        .header("api-auth-accountid", h.emu.account_id())
        .header("api-auth-applicationkey", h.emu.application_key())
        .send()
        .await
}

#[tokio::test]
async fn the_limit_signal_differs_per_endpoint_and_retry_after_may_be_absent() {
    let limit = json!({"calls_per_minute": 2, "signal": "429", "retry_after_absent_rate": 1.0,
        "by_endpoint": {"/saleList": "503", "/purchase": "400"}});
    let h = Harness::start(&with_cin7(json!({}), limit, json!({}), false), 1.0).await;
    for _ in 0..2 {
        assert_eq!(h.get("/me").await.0, 200);
    }
    let me = call_raw(&h, "/me").await.expect("answered");
    assert_eq!(me.status().as_u16(), 429);
    assert!(me.headers().get("Retry-After").is_none());
    let (status, body) = h.get("/SaleList?Page=1").await;
    assert_eq!(status, 503, "prefixes match case-insensitively");
    assert!(body[0]["Exception"]
        .as_str()
        .is_some_and(|m| m.contains("calls per 60 seconds")));
    assert_eq!(h.get("/purchase").await.0, 400);
}

#[tokio::test]
async fn gateway_failures_are_an_html_503_or_a_reset_connection() {
    let html = json!({"gateway_html_rate": 1.0});
    let h = Harness::start(&with_cin7(json!({}), json!({}), html, false), 1.0).await;
    let page = call_raw(&h, "/me").await.expect("answered");
    assert_eq!(page.status().as_u16(), 503);
    assert_eq!(
        page.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/html")
    );
    assert!(page
        .text()
        .await
        .unwrap_or_default()
        .starts_with("<!DOCTYPE html>"));
    let reset = json!({"connection_reset_rate": 1.0});
    let h = Harness::start(&with_cin7(json!({}), json!({}), reset, false), 1.0).await;
    let outcome = match call_raw(&h, "/me").await {
        Ok(response) => response.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "no complete answer arrives");
    assert_eq!(h.emu.api_log().last().map(|e| e.status), Some(0));
}

#[tokio::test]
async fn a_sixth_webhook_of_one_type_is_refused_with_cin7s_error_body() {
    let h = Harness::default().await;
    let subscribe = |i: usize| json!({"Type": "Customer/Updated", "IsActive": true, "ExternalURL": format!("http://x/{i}")});
    for i in 0..5 {
        assert_eq!(h.post("/webhooks", subscribe(i)).await.0, 200);
    }
    let (status, body) = h.post("/webhooks", subscribe(5)).await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["ErrorCode"], json!(400));
    assert!(body[0]["Exception"]
        .as_str()
        .is_some_and(|m| m.contains("at most 5")));
}
