//! The Cin7 transport as the real one behaves: huge or absent `Retry-After`, HTML pages from
//! gateways, availability split per bin, and webhooks Cin7 deactivated. Each against wiremock.

use super::*;
use crate::connectors::budget::{Priority, RateBudget, DEFAULT_MAX_PAUSE};
use crate::domain::ErpProduct;
use crate::sync::catalogue::Catalogue;
use concord_core::Clock;
use concord_store::Store;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../../shared/fixtures/cin7/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn client(server: &MockServer) -> (Cin7Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(
        &format!("sqlite://{}", dir.path().join("t.db").display()),
        Clock::real(),
    )
    .await
    .unwrap();
    let settings = Cin7Settings {
        base_url: server.uri(),
        account_id: "acc".into(),
        application_key: SecretString::from("key"),
        timeout: Duration::from_secs(5),
    };
    let budget = RateBudget::new(store.clone(), "test", 55);
    (Cin7Client::new(settings, budget, store).unwrap(), dir)
}

async fn answer(server: &MockServer, at: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_huge_retry_after_is_capped_and_an_absent_one_waits_one_window() {
    let server = MockServer::start().await;
    let limit = fixture("error_rate_limit_body.json");
    answer(
        &server,
        "/customer",
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "864000 Seconds")
            .set_body_string(limit.clone()),
    )
    .await;
    answer(
        &server,
        "/saleList",
        ResponseTemplate::new(503).set_body_string(limit),
    )
    .await;
    let (c, _dir) = client(&server).await;
    let err = c.customers(Priority::Orders).await.unwrap_err();
    assert!(
        matches!(err, Cin7Error::RateLimited { retry_after } if retry_after == DEFAULT_MAX_PAUSE),
        "ten days asked, the cap waited: {err:?}"
    );
    let (c, _dir) = client(&server).await;
    let err = c
        .sale_list(&SaleListFilter::default(), Priority::Orders)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Cin7Error::RateLimited { retry_after } if retry_after == Duration::from_secs(60)),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_html_page_or_an_empty_body_is_retried_never_a_decode_failure() {
    let server = MockServer::start().await;
    let page = "<html><head><title>Cin7 Core</title></head><body>Sign in</body></html>";
    answer(
        &server,
        "/ref/productavailability",
        ResponseTemplate::new(200).set_body_string(page),
    )
    .await;
    answer(&server, "/customer", ResponseTemplate::new(200)).await;
    answer(
        &server,
        "/product",
        ResponseTemplate::new(503)
            .set_body_string("<html><title>503 Service Unavailable</title></html>"),
    )
    .await;
    let (c, _dir) = client(&server).await;
    let err = c.availability(None).await.unwrap_err();
    assert!(
        matches!(&err, Cin7Error::Transient(m) if m.contains("HTML page: Cin7 Core")),
        "{err:?}"
    );
    let err = c.customers(Priority::Orders).await.unwrap_err();
    assert!(
        matches!(&err, Cin7Error::Transient(m) if m.contains("empty body")),
        "{err:?}"
    );
    let err = c.products(&[], Priority::Bulk).await.unwrap_err();
    assert_eq!(
        err.retry_action(),
        crate::connectors::RetryAction::Retry,
        "{err:?}"
    );
}

#[tokio::test]
async fn availability_split_per_bin_is_summed_per_sku() {
    let server = MockServer::start().await;
    let rows: serde_json::Value =
        serde_json::from_str(&fixture("webhook_stock_available_stock_level_changed.json")).unwrap();
    answer(
        &server,
        "/ref/productavailability",
        ResponseTemplate::new(200)
            .set_body_json(json!({"Total": 3, "Page": 1, "ProductAvailabilityList": rows})),
    )
    .await;
    let (c, _dir) = client(&server).await;
    let rows = c.availability(None).await.unwrap();
    assert_eq!(rows.len(), 3, "one row per bin, none merged or dropped");
    let catalogue = Catalogue::new(vec![ErpProduct {
        id: "p".into(),
        sku: "Bread".into(),
        name: "Baked Bread".into(),
        pack: None,
        price_tiers: Default::default(),
        is_service: false,
    }]);
    let available = crate::sync::inventory::formula::available_by_base_sku(
        &rows,
        Some(&["Main Warehouse".to_owned()]),
        &catalogue,
    );
    assert_eq!(available.get("Bread"), Some(&dec!(504)));
}

fn hook(id: &str, kind: &str, url: &str, active: bool) -> serde_json::Value {
    json!({"ID": id, "Type": kind, "ExternalURL": url, "IsActive": active})
}

#[tokio::test]
async fn a_deactivated_webhook_is_deleted_and_created_again_within_the_cap() {
    let server = MockServer::start().await;
    let kind = "Stock/AvailableStockLevelChanged";
    let mut hooks: Vec<_> = (0..4)
        .map(|i| {
            hook(
                &format!("other-{i}"),
                kind,
                &format!("http://other/{i}"),
                true,
            )
        })
        .collect();
    hooks.push(hook("ours", kind, "http://c/stock", false));
    answer(
        &server,
        "/webhooks",
        ResponseTemplate::new(200).set_body_json(json!({ "Webhooks": hooks })),
    )
    .await;
    Mock::given(method("DELETE"))
        .and(path("/webhooks"))
        .and(query_param("ID", "ours"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Webhooks": []})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/webhooks"))
        .and(body_partial_json(
            json!({"Type": kind, "ExternalURL": "http://c/stock", "IsActive": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Webhooks": []})))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    c.ensure_webhooks(&[(kind, "http://c/stock".to_owned())], "tok")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_type_full_of_other_subscriptions_is_refused_before_posting() {
    let server = MockServer::start().await;
    let kind = "Customer/Updated";
    let hooks: Vec<_> = (0..5)
        .map(|i| hook(&format!("o{i}"), kind, &format!("http://other/{i}"), i != 0))
        .collect();
    answer(
        &server,
        "/webhooks",
        ResponseTemplate::new(200).set_body_json(json!({ "Webhooks": hooks })),
    )
    .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400))
        .expect(0)
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let err = c
        .ensure_webhooks(&[(kind, "http://c/customer".to_owned())], "tok")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Cin7Error::Permanent { message, .. } if message.contains("limit is 5")),
        "{err:?}"
    );
}
