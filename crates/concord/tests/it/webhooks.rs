//! Concord's webhook receivers: only deliveries that prove where they come from are let in.

use crate::helpers::{scenario_file, spawn_parts, Parts, SPEED};
use concord::engine::webhooks::{router, WebhookState};
use concord_store::{ExceptionFilter, JobFilter};
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use serde_json::json;
use sha2::Sha256;

const ORO_SECRET: &str = "oro-webhook-secret-4f9a1c7e2b";
const CIN7_TOKEN: &str = "cin7-webhook-token-8d3e6b0a5f";

/// Concord's webhook server on a free port, with known secrets; returns its base URL.
async fn serve_webhooks(parts: &Parts) -> String {
    let state = WebhookState::new(
        parts.ctx.clone(),
        Some(SecretString::from(ORO_SECRET)),
        Some(SecretString::from(CIN7_TOKEN)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(state)).await;
    });
    url
}

/// An `order.created` delivery as Oro sends it (reference §8: body, then HMAC-SHA256 hex of it).
fn order_created_body(order_id: i64) -> String {
    json!({ "topic": "order.created", "timestamp": 1_793_606_700, "messageId": "3f1c0e1a-test",
            "eventData": { "data": { "type": "orders", "id": order_id.to_string(),
                                     "attributes": { "updatedAt": "2026-11-02T08:05:00Z" } } } })
    .to_string()
}

fn sign(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn post_oro(url: &str, body: &str, signature: Option<&str>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/webhooks/oro"))
        .header("content-type", "application/json")
        .header("webhook-id", "3f1c0e1a-test")
        .header("webhook-topic", "order.created")
        .body(body.to_owned());
    if let Some(sig) = signature {
        req = req
            .header("webhook-signature", sig)
            .header("webhook-signature-algorithm", "HMAC-SHA256");
    }
    req.send()
        .await
        .expect("Concord answered")
        .status()
        .as_u16()
}

async fn rejections(parts: &Parts, subject: &str) -> Vec<concord_store::ExceptionRecord> {
    let all = parts
        .ctx
        .store
        .exceptions(&ExceptionFilter::default())
        .await
        .expect("exceptions");
    all.into_iter()
        .filter(|e| e.kind.as_str() == "webhook_rejected" && e.subject == subject)
        .collect()
}

async fn queued_order_syncs(parts: &Parts) -> usize {
    let filter = JobFilter {
        kind: Some("order.sync".into()),
        ..JobFilter::default()
    };
    parts
        .ctx
        .store
        .list_jobs(&filter)
        .await
        .expect("list_jobs")
        .len()
}

async fn parts() -> Parts {
    spawn_parts(&scenario_file("trade-shop.json").to_string(), SPEED).await
}

#[tokio::test]
async fn an_oro_webhook_with_a_wrong_signature_is_refused_and_raises_webhook_rejected() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let body = order_created_body(1001);

    // Act
    let status = post_oro(&url, &body, Some(&sign("not-the-secret", &body))).await;

    // Assert
    assert_eq!(status, 401);
    let raised = rejections(&parts, "webhook:oro").await;
    assert_eq!(raised.len(), 1, "one webhook_rejected for Oro");
    assert_eq!(raised[0].owner.as_str(), "operations");
    assert_eq!(
        queued_order_syncs(&parts).await,
        0,
        "a refused delivery must not queue work"
    );
}

#[tokio::test]
async fn an_oro_webhook_without_a_signature_is_refused_and_raises_webhook_rejected() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;

    // Act
    let status = post_oro(&url, &order_created_body(1001), None).await;

    // Assert
    assert_eq!(status, 401);
    assert_eq!(rejections(&parts, "webhook:oro").await.len(), 1);
    assert_eq!(queued_order_syncs(&parts).await, 0);
}

#[tokio::test]
async fn a_signature_over_a_different_body_is_refused() {
    // Arrange: a genuine signature replayed onto a tampered body.
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let signature = sign(ORO_SECRET, &order_created_body(1001));

    // Act
    let status = post_oro(&url, &order_created_body(1002), Some(&signature)).await;

    // Assert
    assert_eq!(status, 401);
    assert_eq!(queued_order_syncs(&parts).await, 0);
}

#[tokio::test]
async fn a_correctly_signed_oro_webhook_is_accepted_and_queues_the_order_once() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let body = order_created_body(1001);
    let signature = sign(ORO_SECRET, &body);

    // Act: Oro redelivers the same event.
    let first = post_oro(&url, &body, Some(&signature)).await;
    let again = post_oro(&url, &body, Some(&signature)).await;

    // Assert
    assert_eq!((first, again), (200, 200));
    assert_eq!(
        queued_order_syncs(&parts).await,
        1,
        "a redelivery must not queue the order twice"
    );
    assert!(rejections(&parts, "webhook:oro").await.is_empty());
}

#[tokio::test]
async fn a_cin7_webhook_without_concords_bearer_token_is_refused() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let client = reqwest::Client::new();
    let body =
        json!([{ "ID": "x", "Name": "Kestrel Retail Group", "IsOnCreditHold": false }]).to_string();

    // Act
    let missing = client
        .post(format!("{url}/webhooks/cin7/customer"))
        .body(body.clone())
        .send()
        .await;
    let wrong = client
        .post(format!("{url}/webhooks/cin7/customer"))
        .bearer_auth("guessed-token")
        .body(body)
        .send()
        .await;

    // Assert
    assert_eq!(missing.expect("an answer").status().as_u16(), 401);
    assert_eq!(wrong.expect("an answer").status().as_u16(), 401);
    let raised = rejections(&parts, "webhook:cin7").await;
    assert_eq!(raised.len(), 1, "one exception, two occurrences");
    assert_eq!(raised[0].occurrences, 2);
}

/// Cin7 fires `Sale/ShipmentAuthorised` and `Sale/ShipmentTrackingNumberChanged` together for one
/// shipment: both prompt one `shipment.sync` job, and a body naming no sale is an invalid payload.
#[tokio::test]
async fn the_two_shipment_webhooks_of_one_shipment_queue_one_sync() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let client = reqwest::Client::new();
    let sale = "CB4A73EF-1682-46F5-A8C7-27ACCF6D3A7C";
    let bodies = [
        json!({"SaleTaskID": sale, "TenantID": "T", "OrderNumber": "SO-00001", "CustomerName": "C",
               "CustomerContactName": "", "CustomerContactEmail": "", "EventType": "Sale/ShipmentAuthorised"}),
        json!({"SaleID": sale, "TaskID": sale, "SaleOrderNumber": "SO-00001", "SaleOrderDate": "05/06/2018",
               "Shipments": [{"ShipmentDate": "12/06/2018", "TrackingNumber": "2412344123122", "TrackingUrl": "",
                              "Carrier": "DEFAULT Carrier"}], "EventType": "Sale/ShipmentTrackingNumberChanged"}),
        json!({"EventType": "Sale/ShipmentAuthorised"}),
    ];

    // Act
    let mut statuses = Vec::new();
    for body in bodies {
        let answer = client
            .post(format!("{url}/webhooks/cin7/shipment"))
            .bearer_auth(CIN7_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("an answer");
        statuses.push(answer.status().as_u16());
    }

    // Assert
    assert_eq!(statuses, vec![200, 200, 200]);
    let filter = JobFilter {
        kind: Some("shipment.sync".into()),
        ..JobFilter::default()
    };
    let jobs = parts.ctx.store.list_jobs(&filter).await.expect("list_jobs");
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].payload["id"], sale.to_lowercase());
    let invalid = parts
        .ctx
        .store
        .exceptions(&ExceptionFilter::default())
        .await
        .expect("exceptions")
        .into_iter()
        .filter(|e| e.kind.as_str() == "invalid_payload" && e.subject == "webhook:cin7")
        .count();
    assert_eq!(invalid, 1);
}

/// Concord's webhook server with only the receivers whose secret is given.
async fn serve_webhooks_with(parts: &Parts, oro: Option<&str>, cin7: Option<&str>) -> String {
    let state = WebhookState::new(
        parts.ctx.clone(),
        oro.map(SecretString::from),
        cin7.map(SecretString::from),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(state)).await;
    });
    url
}

async fn post_cin7(url: &str, authorization: Option<&str>, body: String) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/webhooks/cin7/customer"))
        .body(body);
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    req.send()
        .await
        .expect("Concord answered")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_receiver_without_a_strong_secret_is_not_mounted_and_accepts_nothing() {
    // Arrange: no Oro secret, a short Cin7 token.
    let parts = parts().await;
    let url = serve_webhooks_with(&parts, None, Some("short")).await;
    let body = order_created_body(1001);

    // Act
    let oro = post_oro(&url, &body, None).await;
    let cin7 = post_cin7(&url, Some("Bearer short"), "[]".into()).await;

    // Assert
    assert_eq!((oro, cin7), (404, 404));
    assert_eq!(queued_order_syncs(&parts).await, 0);
}

#[tokio::test]
async fn the_bearer_scheme_is_compared_case_insensitively() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let body =
        json!([{ "ID": "x", "Name": "Kestrel Retail Group", "IsOnCreditHold": false }]).to_string();

    // Act
    let status = post_cin7(&url, Some(&format!("bearer {CIN7_TOKEN}")), body).await;

    // Assert
    assert_eq!(status, 200);
    assert!(rejections(&parts, "webhook:cin7").await.is_empty());
}

#[tokio::test]
async fn a_flood_of_refused_deliveries_is_answered_429_without_reaching_the_store() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let limit = concord::engine::webhook_limits::REJECTIONS_PER_MINUTE;

    // Act
    let mut statuses = Vec::new();
    for _ in 0..limit + 5 {
        statuses.push(post_cin7(&url, Some("Bearer forged"), "[]".into()).await);
    }

    // Assert
    assert!(statuses[..limit as usize].iter().all(|s| *s == 401));
    assert!(statuses[limit as usize..].iter().all(|s| *s == 429));
    let raised = rejections(&parts, "webhook:cin7").await;
    assert_eq!(raised[0].occurrences, limit);
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    // Arrange
    let parts = parts().await;
    let url = serve_webhooks(&parts).await;
    let huge = "x".repeat(concord::engine::webhook_limits::MAX_WEBHOOK_BYTES + 1);

    // Act
    let status = post_cin7(&url, Some(&format!("Bearer {CIN7_TOKEN}")), huge).await;

    // Assert
    assert_eq!(status, 413);
}

#[tokio::test]
async fn concord_never_asks_oro_to_skip_tls_verification_and_never_logs_the_secret() {
    // Arrange
    let parts = parts().await;
    let url = "https://concord.example.com/webhooks/oro";

    // Act
    parts
        .ctx
        .oro
        .ensure_webhook("order.created", url, ORO_SECRET)
        .await
        .expect("the emulator accepts the subscription");

    // Assert: the request as logged (secret redacted) asks Oro to verify our certificate.
    let calls = parts
        .ctx
        .store
        .calls(&concord_store::CallFilter::default())
        .await
        .expect("calls");
    let create = calls
        .iter()
        .find(|c| c.method == "POST" && c.path.ends_with("/webhooks"))
        .expect("a POST /webhooks was logged");
    let request = create.request.as_deref().unwrap_or_default();
    assert!(request.contains("\"verifySsl\":true"), "{request}");
    assert!(!request.contains(ORO_SECRET), "{request}");
}
/// A `Customer/Updated` delivery in the documented shape (reference §15): no `IsOnCreditHold`.
fn customer_updated_body(id: &str, name: &str) -> String {
    json!({ "NumberOfCustomers": 1, "EventType": "Customer/Updated",
            "CustomerDetailsList": [ { "Customer": { "ID": id, "Name": name, "Currency": "GBP",
                "PaymentTerm": "30 days", "TaxRule": "20% VAT", "Status": "Active" },
                "Addresses": [], "Contacts": [] } ] })
    .to_string()
}

async fn post_cin7_customer(url: &str, body: String) -> u16 {
    reqwest::Client::new()
        .post(format!("{url}/webhooks/cin7/customer"))
        .bearer_auth(CIN7_TOKEN)
        .body(body)
        .send()
        .await
        .expect("Concord answered")
        .status()
        .as_u16()
}

async fn kestrel(parts: &Parts) -> concord::domain::ErpCustomer {
    parts
        .ctx
        .cin7_customers()
        .await
        .expect("the Cin7 customers")
        .into_iter()
        .find(|c| c.name == "Kestrel Retail Group")
        .expect("Kestrel in Cin7")
}

#[tokio::test]
async fn a_cin7_customer_webhook_without_a_credit_hold_field_does_not_lift_the_hold() {
    // Arrange: Kestrel is on credit hold in Cin7, and Concord knows it.
    let mut shop = scenario_file("trade-shop.json");
    shop["cin7"]["customers"][0]["on_credit_hold"] = json!(true);
    let parts = spawn_parts(&shop.to_string(), SPEED).await;
    let url = serve_webhooks(&parts).await;
    let before = kestrel(&parts).await;
    assert!(before.on_credit_hold);

    // Act: a genuine-looking delivery in Cin7's documented shape (it never carries the hold).
    let status = post_cin7_customer(&url, customer_updated_body(&before.id, &before.name)).await;

    // Assert: the body changed nothing; one read of that customer is queued instead.
    assert_eq!(status, 200);
    assert!(
        kestrel(&parts).await.on_credit_hold,
        "a webhook body must not clear a credit hold"
    );
    let filter = JobFilter {
        kind: Some("customer.read".into()),
        ..JobFilter::default()
    };
    let reads = parts.ctx.store.list_jobs(&filter).await.expect("list_jobs");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].payload["id"], json!(before.id));
    concord::engine::webhooks::read_customer(&parts.ctx, &before.id)
        .await
        .expect("the read");
    assert!(kestrel(&parts).await.on_credit_hold, "Cin7 still says held");
}

#[tokio::test]
async fn reading_back_a_customer_a_webhook_named_learns_what_cin7_holds() {
    // Arrange: finance lifts Kestrel's hold in Cin7 (Concord's copy still says held).
    let mut shop = scenario_file("trade-shop.json");
    shop["cin7"]["customers"][0]["on_credit_hold"] = json!(true);
    let parts = spawn_parts(&shop.to_string(), SPEED).await;
    let held = kestrel(&parts).await;
    parts
        .emulators
        .cin7
        .customer_update("Kestrel Retail Group", Some(false));

    // Act
    concord::engine::webhooks::read_customer(&parts.ctx, &held.id)
        .await
        .expect("the read");

    // Assert
    assert!(!kestrel(&parts).await.on_credit_hold);
}
