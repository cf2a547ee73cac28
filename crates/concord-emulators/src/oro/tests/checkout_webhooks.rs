//! The storefront checkout rule, timeline hooks, the dump, outages, and webhook delivery.

use super::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::Method;
use std::sync::{Arc, Mutex};

fn checkout(id: i64, lines: Value) -> concord_core::scenario::Order {
    parse_order(
        json!({"id": id, "identifier": format!("W-{id}"), "customer": 2, "customer_user": 10, "checkout": true, "lines": lines}),
    )
}

#[tokio::test]
async fn a_checkout_is_accepted_only_when_stock_covers_it_and_then_decrements_it() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    h.wait(2.0).await;
    let ok = checkout(
        1001,
        json!([{"sku": "TEE", "unit": "case", "quantity": "2", "price": "108.00"},
                                    {"sku": "MUG", "unit": "each", "quantity": "5", "price": "4.00"}]),
    );
    assert_eq!(h.emu.place_order(&ok), Ok(()));
    let refused = checkout(
        1002,
        json!([{"sku": "TEE", "unit": "case", "quantity": "1", "price": "108.00"}]),
    );
    assert_eq!(
        h.emu.place_order(&refused),
        Err("insufficient inventory for TEE case".to_owned())
    );
    let back_office = parse_order(
        json!({"id": 1003, "identifier": "W-1003", "customer": 2, "checkout": false,
        "lines": [{"sku": "TEE", "unit": "case", "quantity": "50", "price": "108.00"}]}),
    );
    assert_eq!(
        h.emu.place_order(&back_office),
        Ok(()),
        "back-office orders skip the stock check"
    );

    let state = h.emu.state();
    let levels: Vec<(String, String, String)> = state["inventory_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().unwrap().into(),
                l["unit"].as_str().unwrap().into(),
                l["quantity"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            ("TEE".into(), "each".into(), "30".into()),
            ("TEE".into(), "case".into(), "0".into()),
            ("MUG".into(), "each".into(), "0".into())
        ]
    );
    assert_eq!(
        state["refused_checkouts"],
        json!([{"order_id": 1002, "reason": "insufficient inventory for TEE case"}])
    );
    assert_eq!(
        state["products"],
        json!([{"sku": "TEE", "inventory_status": "in_stock"}, {"sku": "MUG", "inventory_status": "out_of_stock"}]),
        "only a primary unit at zero flips the status"
    );
    let orders: Vec<i64> = state["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, [901, 902, 903, 1001, 1003]);
    assert_eq!(state["orders"][3]["internal_status"], "open");
    assert_eq!(state["orders"][3]["status"], Value::Null);

    let token = h.token().await;
    let (_, _, doc) = h.get(&token, "/admin/api/orders/1001").await;
    assert_ne!(
        doc["data"]["attributes"]["createdAt"],
        "2026-11-02T08:00:00Z"
    );
    assert_eq!(h.get(&token, "/admin/api/orders/1002").await.0, 404);
}

#[tokio::test]
async fn an_outage_answers_503_to_everything_and_the_state_endpoint_reports_both_halves() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    h.emu.outage(5.0);
    assert_eq!(h.get(&token, "/admin/api/orders").await.0, 503);
    let resp = h
        .http
        .post(format!("{}/oauth2-token", h.base))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let dump: Value = h
        .http
        .get(format!("{}/_emulator/state", h.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dump["oro"]["orders"].as_array().unwrap().len(), 3);
    let statuses: Vec<i64> = dump["api_log"]["oro"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_i64().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [200, 503, 503],
        "the state endpoint itself is not logged"
    );
    h.wait(6.0).await;
    assert_eq!(h.get(&token, "/admin/api/orders").await.0, 200);
}

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver that answers 500 to its first `fail_first` deliveries, then 200.
async fn receiver(fail_first: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app =
        axum::Router::new()
            .route(
                "/hook",
                post(
                    |State((seen, fail)): State<(Seen, usize)>,
                     headers: HeaderMap,
                     body: String| async move {
                        let mut seen = seen.lock().unwrap();
                        seen.push((headers, body));
                        if seen.len() <= fail {
                            StatusCode::INTERNAL_SERVER_ERROR
                        } else {
                            StatusCode::OK
                        }
                    },
                ),
            )
            .with_state((seen.clone(), fail_first));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn subscribe(h: &Harness, token: &str, url: &str, topic: &str) -> u16 {
    let body = json!({"data": {"type": "webhooks", "attributes": {"notificationUrl": url, "secret": "s3cret", "enabled": true},
        "relationships": {"topic": {"data": {"type": "webhooktopics", "id": topic}},
                          "format": {"data": {"type": "webhookformats", "id": "default"}}}}});
    h.send(Method::POST, token, "/admin/api/webhooks", body, &[])
        .await
        .0
}

#[tokio::test]
async fn webhooks_are_signed_with_hmac_and_retried_on_500_with_a_stable_id() {
    let h = Harness::start(&scenario("per_line", 3600, true)).await;
    let background = h.emu.spawn_background();
    let token = h.token().await;
    let (url, seen) = receiver(1).await;
    assert_eq!(subscribe(&h, &token, &url, "order.created").await, 201);
    assert_eq!(subscribe(&h, &token, &url, "order.nonsense").await, 400);
    let (_, _, list) = h.get(&token, "/admin/api/webhooks").await;
    assert_eq!(
        list["data"][0]["attributes"]["notificationUrl"],
        url.as_str()
    );
    assert!(
        list["data"][0]["attributes"].get("secret").is_none(),
        "the secret is write-only"
    );

    let order = checkout(
        1001,
        json!([{"sku": "TEE", "unit": "each", "quantity": "1", "price": "10.00"}]),
    );
    h.emu.place_order(&order).unwrap();
    assert_eq!(h.emu.pending_webhooks(), 1);
    for _ in 0..100 {
        if seen.lock().unwrap().len() >= 2 && h.emu.pending_webhooks() == 0 {
            break;
        }
        h.wait(0.5).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one 500, then a successful retry");
    let (headers, body) = &seen[1];
    assert_eq!(headers["webhook-topic"], "order.created");
    assert_eq!(
        headers["webhook-id"], seen[0].0["webhook-id"],
        "a retry keeps the Webhook-Id"
    );
    assert_eq!(
        headers["webhook-signature"].to_str().unwrap(),
        crate::oro::webhook_signature("s3cret", body.as_bytes())
    );
    assert_eq!(headers["webhook-signature-algorithm"], "HMAC-SHA256");
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["topic"], "order.created");
    assert_eq!(
        payload["messageId"],
        headers["webhook-id"].to_str().unwrap()
    );
    assert_eq!(payload["eventData"]["data"]["type"], "orders");
    assert_eq!(payload["eventData"]["data"]["id"], "1001");
    assert_eq!(
        payload["eventData"]["data"]["attributes"]["totalValue"],
        "10.0000"
    );
    assert_eq!(h.emu.pending_webhooks(), 0);
    background.abort();
}

#[tokio::test]
async fn a_410_removes_the_subscription_and_webhooks_are_absent_when_the_scenario_has_none() {
    let h = Harness::start(&scenario("per_line", 3600, true)).await;
    let background = h.emu.spawn_background();
    let token = h.token().await;
    let gone = axum::Router::new().route("/hook", post(|| async { StatusCode::GONE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, gone).await });
    assert_eq!(subscribe(&h, &token, &url, "order.updated").await, 201);
    h.emu.order_status(
        &serde_json::from_value(json!({"order_id": 901, "status": "wait_for_approval"})).unwrap(),
    );
    for _ in 0..100 {
        if h.emu.pending_webhooks() == 0 {
            break;
        }
        h.wait(0.5).await;
    }
    let (_, _, list) = h.get(&token, "/admin/api/webhooks").await;
    assert_eq!(list["data"], json!([]));
    background.abort();

    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    assert_eq!(h.get(&token, "/admin/api/webhooks").await.0, 404);
    h.emu
        .place_order(&checkout(
            1001,
            json!([{"sku": "TEE", "unit": "each", "quantity": "1", "price": "10.00"}]),
        ))
        .unwrap();
    assert_eq!(h.emu.pending_webhooks(), 0);
}

#[tokio::test]
async fn the_wholesale_day_scenario_loads() {
    let text = include_str!("../../../../../../shared/scenarios/wholesale-day.json");
    let mut scenario = parse_scenario(text).unwrap();
    // The day's 1 % of injected errors would answer this one read 500 now and then.
    scenario.oro.faults.error_rate = 0.0;
    let h = Harness::start(&scenario).await;
    let state = h.emu.state();
    assert_eq!(
        state["orders"].as_array().unwrap().len(),
        scenario.oro.orders.len()
    );
    let token = h.token().await;
    let (status, _, doc) = h
        .get(
            &token,
            "/admin/api/products?filter[sku]=TEE-BLK-M&include=unitPrecisions",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(doc["data"][0]["attributes"]["sku"], "TEE-BLK-M");
}
