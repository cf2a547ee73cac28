//! Order polls skip what the caller already holds: such orders are not built (a held order that
//! could not even be built does not fail the poll), yet they still count for the paging.

use super::super::tests::{client, mount_token};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn order(id: i64, updated_at: &str, line_ids: &[&str]) -> Value {
    let lines: Vec<Value> = line_ids
        .iter()
        .map(|l| json!({"type": "orderlineitems", "id": l}))
        .collect();
    json!({
        "type": "orders",
        "id": id.to_string(),
        "attributes": {"updatedAt": updated_at, "identifier": format!("SO-{id}"), "currency": "USD"},
        "relationships": {
            "customer": {"data": {"type": "customers", "id": "7"}},
            "lineItems": {"data": lines}
        }
    })
}

async fn serve_page(orders: Vec<Value>) -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": orders})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn held_orders_are_neither_built_nor_returned() {
    // Order 1 names a line item the page does not include: built, it would fail the poll.
    let server = serve_page(vec![
        order(1, "2026-11-02T08:00:00Z", &["99"]),
        order(2, "2026-11-02T08:00:01Z", &[]),
    ])
    .await;
    let (c, _store, _dir) = client(&server).await;
    let held = |id: i64, at: &str| id == 1 && at == "2026-11-02T08:00:00Z";
    let orders = c.orders_since_unheld(None, &held).await.unwrap();
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![2]);
    assert_eq!(orders[0].updated_at, "2026-11-02T08:00:01Z");
    // Without the caller's knowledge the broken order is built, and the poll says why it failed.
    let err = c.orders_since(None).await.unwrap_err().to_string();
    assert!(err.contains("line item 99"), "{err}");
}

#[tokio::test]
async fn an_order_held_at_an_older_version_is_built_again() {
    let server = serve_page(vec![order(1, "2026-11-02T08:05:00Z", &[])]).await;
    let (c, _store, _dir) = client(&server).await;
    let held = |id: i64, at: &str| id == 1 && at == "2026-11-02T08:00:00Z";
    let orders = c.orders_since_unheld(None, &held).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].updated_at, "2026-11-02T08:05:00Z");
}

#[tokio::test]
async fn a_page_of_held_orders_returns_nothing() {
    let server = serve_page(vec![
        order(1, "2026-11-02T08:00:00Z", &[]),
        order(2, "2026-11-02T08:00:00Z", &[]),
    ])
    .await;
    let (c, _store, _dir) = client(&server).await;
    let orders = c.orders_since_unheld(None, &|_, _| true).await.unwrap();
    assert!(orders.is_empty());
}

#[tokio::test]
async fn a_page_whose_ids_cannot_be_read_is_never_skipped() {
    let mut broken = order(1, "2026-11-02T08:00:00Z", &[]);
    broken["id"] = json!("SO-1");
    let server = serve_page(vec![broken]).await;
    let (c, _store, _dir) = client(&server).await;
    let err = c
        .orders_since_unheld(None, &|_, _| true)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a number"), "{err}");
}
