//! Webhook subscriptions refused exactly where a real Oro refuses them (reference §16): `format`
//! required, GUID ids, unknown topics and formats, and no order topics unless Order is webhook
//! accessible.

use super::*;
use reqwest::Method;

const FIXTURE: &str =
    include_str!("../../../../../../shared/fixtures/oro/webhook_create_request.json");

/// The published create request, pointed at an order topic and stripped of what `drop` names.
fn request(topic: &str, drop: &[&str]) -> Value {
    let mut body: Value = serde_json::from_str(FIXTURE).unwrap();
    body["data"]["relationships"]["topic"]["data"]["id"] = json!(topic);
    for name in drop {
        body["data"]["relationships"]
            .as_object_mut()
            .unwrap()
            .remove(*name);
    }
    body
}

#[tokio::test]
async fn a_subscription_without_format_is_refused_with_oros_not_blank_error() {
    let h = Harness::start(&scenario("per_line", 3600, true)).await;
    let token = h.token().await;
    let (status, _, body) = h
        .send(
            Method::POST,
            &token,
            "/admin/api/webhooks",
            request("order.created", &["format"]),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"errors": [{"status": "400", "title": "not blank constraint",
            "detail": "This value should not be blank.",
            "source": {"pointer": "/data/relationships/format/data"}}]})
    );
    let (_, _, list) = h.get(&token, "/admin/api/webhooks").await;
    assert_eq!(list["data"], json!([]), "nothing was created");
}

#[tokio::test]
async fn a_subscription_with_format_gets_a_guid_id_and_unknown_values_are_named() {
    let h = Harness::start(&scenario("per_line", 3600, true)).await;
    let token = h.token().await;
    let (status, headers, body) = h
        .send(
            Method::POST,
            &token,
            "/admin/api/webhooks",
            request("order.created", &[]),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id} is not a GUID");
    assert!(headers["location"].to_str().unwrap().ends_with(&id));
    assert_eq!(
        body["data"]["relationships"]["format"]["data"]["id"],
        "default"
    );
    assert!(body["data"]["attributes"].get("secret").is_none());
    let (status, _, one) = h.get(&token, &format!("/admin/api/webhooks/{id}")).await;
    assert_eq!(
        (status, one["data"]["id"].as_str()),
        (200, Some(id.as_str()))
    );

    let mut bad_format = request("order.updated", &[]);
    bad_format["data"]["relationships"]["format"]["data"]["id"] = json!("xml");
    let (status, _, body) = h
        .send(Method::POST, &token, "/admin/api/webhooks", bad_format, &[])
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["title"],
        "valid webhook format constraint"
    );
    assert_eq!(
        body["errors"][0]["detail"],
        "This value is not a known webhook format."
    );
    let (status, _, body) = h
        .send(
            Method::POST,
            &token,
            "/admin/api/webhooks",
            request("order.nonsense", &[]),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["title"], "valid webhook topic constraint");
}

#[tokio::test]
async fn without_webhook_accessible_orders_there_are_no_order_topics() {
    let mut s = scenario("per_line", 3600, true);
    s.oro.orders_webhook_accessible = false;
    let h = Harness::start(&s).await;
    let token = h.token().await;
    let (status, _, topics) = h.get(&token, "/admin/api/webhooktopics").await;
    assert_eq!((status, topics["data"].clone()), (200, json!([])));
    let (status, _, body) = h
        .send(
            Method::POST,
            &token,
            "/admin/api/webhooks",
            request("order.created", &[]),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0],
        json!({"status": "400", "title": "valid webhook topic constraint",
               "detail": "This value is not a known webhook topic.",
               "source": {"pointer": "/data/relationships/topic/data"}})
    );
}
