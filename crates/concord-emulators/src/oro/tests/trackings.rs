//! `ordershippingtrackings` (reference §15): Oro's own request fixture is accepted, required fields
//! and a missing order are refused with Oro's error document, and the order lists its trackings.

use super::{scenario, Harness};
use reqwest::Method;
use serde_json::{json, Value};

fn fixture_request(order_id: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/oro/ordershippingtracking_create_request.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture readable");
    serde_json::from_str(&text.replace("<toString(@order1->id)>", order_id)).expect("fixture JSON")
}

#[tokio::test]
async fn a_tracking_record_is_created_from_oros_fixture_and_listed_on_its_order() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    // Act
    let (status, headers, doc) = h
        .send(
            Method::POST,
            &token,
            "/admin/api/ordershippingtrackings",
            fixture_request("901"),
            &[],
        )
        .await;
    // Assert
    assert_eq!(status, 201, "{doc}");
    assert!(headers.get("location").is_some());
    assert_eq!(
        doc["data"]["attributes"],
        json!({"method": "method 3", "number": "number 3"})
    );
    let (status, _, listed) = h
        .get(&token, "/admin/api/orders/901/shippingTrackings")
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"][0]["attributes"]["number"], "number 3");
    let (_, _, order) = h.get(&token, "/admin/api/orders/901").await;
    assert_eq!(
        order["data"]["relationships"]["shippingTrackings"]["data"][0]["id"],
        doc["data"]["id"]
    );
    assert_eq!(
        h.emu.state()["orders"][0]["tracking_numbers"],
        json!(["number 3"])
    );
    let (_, _, other) = h
        .get(&token, "/admin/api/orders/902/shippingTrackings")
        .await;
    assert_eq!(other["data"], json!([]));
}

#[tokio::test]
async fn oro_refuses_a_tracking_without_number_method_or_an_existing_order() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let cases = [
        (
            "/data/attributes/number",
            json!({"method": "DPD"}),
            json!([{"type": "orders", "id": "901"}]),
        ),
        (
            "/data/attributes/method",
            json!({"number": "X1", "method": " "}),
            json!([{"type": "orders", "id": "901"}]),
        ),
        (
            "/data/attributes/number",
            json!({"method": "DPD", "number": "N".repeat(256)}),
            json!([{"type": "orders", "id": "901"}]),
        ),
        (
            "/data/relationships/orders/data",
            json!({"method": "DPD", "number": "X1"}),
            json!([]),
        ),
        (
            "/data/relationships/orders/data/0",
            json!({"method": "DPD", "number": "X1"}),
            json!([{"type": "orders", "id": "4242"}]),
        ),
    ];
    for (pointer, attributes, orders) in cases {
        let body = json!({"data": {"type": "ordershippingtrackings", "attributes": attributes,
                                   "relationships": {"orders": {"data": orders}}}});
        let (status, _, doc) = h
            .send(
                Method::POST,
                &token,
                "/admin/api/ordershippingtrackings",
                body,
                &[],
            )
            .await;
        assert_eq!(
            (status, doc["errors"][0]["source"]["pointer"].as_str()),
            (400, Some(pointer)),
            "{doc}"
        );
    }
    let (_, _, listed) = h.get(&token, "/admin/api/ordershippingtrackings").await;
    assert_eq!(listed["data"], json!([]), "nothing refused was stored");
}
