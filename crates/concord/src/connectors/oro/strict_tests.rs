//! Wiremock tests of what a strict Oro demands: the webhook `format`, and firewall answers (429
//! or 503 with a huge `Retry-After`, HTML or empty bodies) classified and capped, never a decode
//! error.

use super::error::MAX_RETRY_AFTER;
use super::tests::{client, mount_token};
use super::OroError;
use crate::connectors::RetryAction;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WAF_PAGE: &str = "<html><body><h1>429 Too Many Requests</h1></body></html>";

#[tokio::test]
async fn a_webhook_subscription_names_its_format() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/webhooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/admin/api/webhooks"))
        .and(body_string_contains(
            r#""format":{"data":{"id":"default","type":"webhookformats"}}"#,
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(serde_json::json!({"data":
            {"type": "webhooks", "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    c.ensure_webhook("order.created", "http://concord/webhooks/oro", "s")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_firewall_page_with_a_huge_retry_after_is_throttling_capped_not_a_decode_error() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/customers"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "864000")
                .insert_header("content-type", "text/html")
                .set_body_string(WAF_PAGE),
        )
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    let err = c.customers().await.unwrap_err();
    assert!(
        matches!(err, OroError::RateLimited { status: 429, .. }),
        "{err:?}"
    );
    assert_eq!(err.retry_action(), RetryAction::RetryAfter(MAX_RETRY_AFTER));
}

#[tokio::test]
async fn the_token_endpoint_behind_the_firewall_keeps_its_capped_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2-token"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "864000")
                .set_body_string(""),
        )
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    let err = c.customers().await.unwrap_err();
    assert_eq!(
        err.retry_action(),
        RetryAction::RetryAfter(MAX_RETRY_AFTER),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_html_page_with_200_is_a_transient_outage_not_an_undecodable_record() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>Maintenance</html>"))
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    let err = c.customers().await.unwrap_err();
    assert!(matches!(err, OroError::Transient(_)), "{err:?}");
}
