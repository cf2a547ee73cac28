//! Webhook subscriptions and delivery to a local receiver, on a clock where a scenario minute
//! lasts a few milliseconds.

use super::{scenario, Harness};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(super) type Received = Arc<Mutex<Vec<(String, Option<String>, Value)>>>;

/// A receiver recording (path, Authorization, body); `/fail` always answers 500.
pub(super) async fn receiver() -> (String, Received) {
    let seen: Received = Arc::default();
    let record = seen.clone();
    let handler =
        move |uri: axum::http::Uri, headers: HeaderMap, axum::Json(body): axum::Json<Value>| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                record
                    .lock()
                    .expect("lock")
                    .push((uri.path().to_owned(), auth, body));
                if uri.path() == "/fail" {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        };
    let app = Router::new().route("/{hook}", post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        axum::serve(listener, app).await.ok();
    });
    (base, seen)
}

pub(super) async fn wait_for(mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn events_are_delivered_with_basic_auth_about_a_scenario_minute_later() {
    // Arrange: 6000x, so a scenario minute is 10 ms.
    let h = Harness::start(&super::default_scenario(), 6000.0).await;
    let (hooks, seen) = receiver().await;
    let subscribe = |kind: &str, path: &str| {
        json!({"Type": kind, "IsActive": true, "ExternalURL": format!("{hooks}/{path}"),
        "ExternalAuthorizationType": "basicauth", "ExternalUserName": "concord", "ExternalPassword": "s3cret"})
    };
    let (status, created) = h
        .post("/webhooks", subscribe("Sale/OrderAuthorised", "sale"))
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["Webhooks"][0]["Type"], "Sale/OrderAuthorised");
    h.post(
        "/webhooks",
        subscribe("Stock/AvailableStockLevelChanged", "stock"),
    )
    .await;
    h.post("/webhooks", subscribe("Customer/Updated", "customer"))
        .await;
    assert_eq!(
        h.get("/webhooks").await.1["Webhooks"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let background = h.emu.spawn_background();
    // Act
    let id = h.new_sale("Acme Retail Group", "3001").await;
    h.post("/sale/order", json!({"SaleID": id, "Status": "AUTHORISED", "Lines": [{"SKU": "TEE-BLK-M", "Name": "Tee black M", "TaxRule": "20% VAT", "Quantity": 4, "Price": 10, "Total": 40}]})).await;
    h.emu.customer_update("Harbour & Co", Some(false));
    // Queued, not sent: the first attempt waits about a scenario minute.
    assert!(h.emu.pending_webhooks() >= 1);
    wait_for(|| seen.lock().expect("lock").len() >= 3).await;
    background.abort();
    // Assert
    let seen = seen.lock().expect("lock").clone();
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "concord:s3cret")
    );
    assert!(seen
        .iter()
        .all(|(_, auth, _)| auth.as_deref() == Some(basic.as_str())));
    let sale = seen
        .iter()
        .find(|(p, _, _)| p == "/sale")
        .map(|s| s.2.clone())
        .unwrap_or_default();
    assert_eq!(
        (sale["EventType"].as_str(), sale["SaleID"].as_str()),
        (
            Some("Sale/OrderAuthorised"),
            Some(id.to_uppercase().as_str())
        )
    );
    let stock = seen
        .iter()
        .find(|(p, _, _)| p == "/stock")
        .map(|s| s.2.clone())
        .unwrap_or_default();
    assert_eq!(
        (stock[0]["SKU"].as_str(), stock[0]["Available"].as_f64()),
        (Some("TEE-BLK-M"), Some(86.0))
    );
    assert!(stock[0].get("EventType").is_none());
    let customer = seen
        .iter()
        .find(|(p, _, _)| p == "/customer")
        .map(|s| s.2.clone())
        .unwrap_or_default();
    assert_eq!(
        customer["CustomerDetailsList"][0]["Customer"]["Name"],
        "Harbour & Co"
    );
    assert_eq!(customer["EventType"], "Customer/Updated");
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_gets_six_attempts_then_its_webhook_is_deactivated() {
    // 60000x: the whole schedule (1 + 5 + 10 + 15 + 20 + 25 minutes) takes about 76 ms.
    let h = Harness::start(&super::default_scenario(), 60000.0).await;
    let (hooks, seen) = receiver().await;
    h.post("/webhooks", json!({"Type": "Sale/Voided", "IsActive": "true", "ExternalURL": format!("{hooks}/fail"), "ExternalAuthorizationType": "bearerauth", "ExternalBearerToken": "tok"})).await;
    let background = h.emu.spawn_background();
    let id = h.new_sale("Acme Retail Group", "3002").await;
    h.call(Method::DELETE, &format!("/sale?ID={id}&Void=true"), None)
        .await;
    wait_for(|| h.emu.pending_webhooks() == 0).await;
    background.abort();
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[0].1.as_deref(), Some("Bearer tok"));
    assert_eq!(h.get("/webhooks").await.1["Webhooks"][0]["IsActive"], false);
}

#[tokio::test]
async fn without_the_automation_module_webhook_calls_are_refused() {
    let h = Harness::start(
        &scenario(json!({"calls_per_minute": 1000}), json!({}), false),
        1.0,
    )
    .await;
    let (status, body) = h.get("/webhooks").await;
    assert_eq!(status, 400);
    assert!(body[0]["Exception"]
        .as_str()
        .is_some_and(|e| e.contains("Automation module")));
}
