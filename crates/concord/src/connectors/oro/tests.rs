//! Oro connector tests: the published fixtures decode (placeholders substituted as the fixture
//! README explains), and wiremock pins token handling, filters, paging and batch bodies.

use super::client::OroClient;
use super::config::OroSettings;
use super::convert;
use super::models::{Document, Included};
use concord_core::Clock;
use concord_store::Store;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::collections::HashMap;
use std::time::Duration;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Replaces the Alice placeholders: ids become stable numbers, timestamps fixed instants.
pub(super) fn load(name: &str) -> String {
    let path = format!(
        "{}/../../../shared/fixtures/oro/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut ids: HashMap<String, usize> = HashMap::new();
    while let Some(start) = text.find("<toString(") {
        let end = start + text[start..].find(")>").unwrap() + 2;
        let key = text[start..end].to_owned();
        let next = ids.len() + 1;
        let n = *ids.entry(key.clone()).or_insert(next);
        text.replace_range(start..end, &n.to_string());
    }
    while let Some(start) = text.find("<(implode(\"-\", [") {
        let end = start + text[start..].find("]))>").unwrap() + 4;
        let inner = &text[start + 16..end - 4];
        let suffix = inner.rsplit('"').nth(1).unwrap_or("x").to_owned();
        text.replace_range(start..end, &format!("1-{suffix}"));
    }
    while let Some(start) = text.find("\"@") {
        let end = start
            + 1
            + text[start + 1..]
                .find("\")\"")
                .map(|i| i + 3)
                .unwrap_or_else(|| text[start + 1..].find('"').unwrap() + 1);
        let value = if text[start..end].contains("Y-m-d\\\\T") {
            "\"2025-01-31T09:15:00Z\""
        } else {
            "\"2025-02-15\""
        };
        text.replace_range(start..end, value);
    }
    text
}

pub(super) async fn client(server: &MockServer) -> (OroClient, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(
        &format!("sqlite://{}", dir.path().join("t.db").display()),
        Clock::real(),
    )
    .await
    .unwrap();
    let settings = OroSettings {
        base_url: server.uri(),
        client_id: "id".into(),
        client_secret: SecretString::from("s3cret"),
        timeout: Duration::from_secs(5),
    };
    (OroClient::new(settings, store.clone()).unwrap(), store, dir)
}

pub(super) async fn mount_token(server: &MockServer, expected_calls: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth2-token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "tok"}),
        ))
        .expect(expected_calls)
        .mount(server)
        .await;
}

#[test]
fn the_published_order_fixture_decodes_with_lines_and_statuses() {
    let doc: Document = serde_json::from_str(&load("order_get_include_lineitems.json")).unwrap();
    let mut included = doc.included;
    let subtotals: Document = serde_json::from_str(&load("ordersubtotals_get_list.json")).unwrap();
    included.extend(subtotals.data.into_vec());
    let order_res = doc.data.into_vec().remove(0);
    let order = convert::order(&order_res, &Included::new(included)).unwrap();
    assert_eq!(order.identifier, "simple_order");
    assert_eq!(order.total, dec!(1234));
    assert_eq!(order.internal_status.as_deref(), Some("open"));
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].unit, "bottle");
    assert_eq!(order.lines[0].price, dec!(15.7));
    assert_eq!(order.lines[0].tax, Some(dec!(0)));
}

#[test]
fn the_other_published_fixtures_decode() {
    for name in [
        "customer_get.json",
        "product_get.json",
        "inventorylevels_get_list_filter_by_product.json",
        "productprices_get_list.json",
        "pricelist_get.json",
        "asyncoperation_get_finished.json",
        "asyncoperation_errors_get_list.json",
        "webhook_get.json",
        "orderlineitem_get.json",
    ] {
        let doc: Result<Document, _> = serde_json::from_str(&load(name));
        assert!(doc.is_ok(), "{name}: {:?}", doc.err());
    }
    let levels: Document =
        serde_json::from_str(&load("inventorylevels_get_list_filter_by_product.json")).unwrap();
    let included = Included::new(levels.included);
    let parsed: Vec<_> = levels
        .data
        .into_vec()
        .iter()
        .filter_map(|r| convert::inventory_level(r, &included))
        .collect();
    assert!(
        !parsed.is_empty(),
        "levels resolve their unit through the included precision"
    );
    let prices: Document = serde_json::from_str(&load("productprices_get_list.json")).unwrap();
    assert!(prices
        .data
        .into_vec()
        .iter()
        .all(|r| convert::price(r).is_some()));
    let customer: Document = serde_json::from_str(&load("customer_get.json")).unwrap();
    let included = Included::new(customer.included);
    assert!(convert::customer(&customer.data.into_vec()[0], &included).is_some());
}

#[tokio::test]
async fn the_token_is_fetched_once_and_reused() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/customers"))
        .and(header("authorization", "Bearer tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .expect(2)
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    c.customers().await.unwrap();
    c.customers().await.unwrap();
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/customers"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/admin/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": [{"type": "customers", "id": "7", "attributes": {"name": "A"}, "relationships": {"parent": {"data": null}}}]})))
        .mount(&server).await;
    let (c, _store, _dir) = client(&server).await;
    assert_eq!(c.customers().await.unwrap()[0].id, 7);
}

#[tokio::test]
async fn orders_are_polled_by_updated_at_with_includes_and_paging() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/orders"))
        .and(query_param(
            "filter[updatedAt][gte]",
            "2026-11-02T08:00:00Z",
        ))
        .and(query_param("sort", "updatedAt,id"))
        .and(query_param("include", "lineItems,orderSubtotals,discounts"))
        .and(query_param("page[size]", "100"))
        .and(query_param("page[number]", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    assert!(c
        .orders_since(Some("2026-11-02T08:00:00Z"))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn levels_are_written_through_the_synchronous_batch_api_in_hundreds() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("PATCH"))
        .and(path("/admin/api/inventorylevels"))
        .and(header("x-mode", "sync"))
        .and(header("content-type", "application/vnd.api+json"))
        .and(body_string_contains("\"update\":true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .expect(2)
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    let levels: Vec<_> = (0..150).map(|i| (i.to_string(), dec!(5))).collect();
    c.update_levels(&levels).await.unwrap();
}

#[tokio::test]
async fn prices_handed_over_one_by_one_are_the_prices_collected() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/admin/api/productprices"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/vnd.api+json")
                .set_body_string(load("productprices_get_list.json")),
        )
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;
    let collected = c.prices(1).await.unwrap();
    let mut each = Vec::new();
    c.prices_each(1, |p| each.push(p)).await.unwrap();
    assert!(!collected.is_empty());
    assert_eq!(each, collected);
}

#[tokio::test]
async fn a_missing_price_list_filter_is_a_permanent_error_naming_the_parameter() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let body = serde_json::json!({"errors": [{"status": "400", "title": "filter constraint", "detail": "The \"priceList\" filter is required.", "source": {"parameter": "filter[priceList]"}}]});
    Mock::given(method("GET"))
        .and(path("/admin/api/productprices"))
        .respond_with(ResponseTemplate::new(400).set_body_json(body))
        .mount(&server)
        .await;
    let (c, store, _dir) = client(&server).await;
    match c.prices(1).await {
        Err(super::OroError::Permanent { pointer, .. }) => assert_eq!(pointer, "filter[priceList]"),
        other => panic!("{other:?}"),
    }
    let calls = store
        .calls(&concord_store::CallFilter::default())
        .await
        .unwrap();
    assert!(
        calls.iter().all(|c| !format!("{c:?}").contains("s3cret")),
        "the client secret never reaches the log"
    );
}

#[test]
fn an_order_webhook_names_its_order() {
    let body = br#"{"topic":"order.created","timestamp":1,"messageId":"m","eventData":{"data":{"type":"orders","id":"1001","attributes":{"updatedAt":"2026-11-02T08:05:00Z"}}}}"#;
    assert_eq!(
        convert::order_webhook(body),
        Some((1001, Some("2026-11-02T08:05:00Z".into())))
    );
    assert_eq!(convert::order_webhook(b"{}"), None);
}

#[test]
fn an_order_whose_line_total_overflows_is_a_decode_error_not_a_panic() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&load("order_get_include_lineitems.json")).unwrap();
    let huge = rust_decimal::Decimal::MAX.to_string();
    for item in doc["included"].as_array_mut().unwrap() {
        if item["type"] == "orderlineitems" {
            item["attributes"]["quantity"] = serde_json::json!(huge);
        }
    }
    let doc: Document = serde_json::from_value(doc).unwrap();
    let order_res = doc.data.into_vec().remove(0);
    let err = convert::order(&order_res, &Included::new(doc.included)).unwrap_err();
    assert!(err.to_string().contains("overflows"), "{err}");
}

#[test]
fn a_payment_status_webhook_reads_as_a_capture() {
    // The shape reference §14 documents: an integer order id and the transaction's attributes.
    let body = br#"{"topic":"order.payment_status_updated","timestamp":1,"messageId":"m","eventData":{"data":{"type":"orders","id":7004,"attributes":{"paymentStatus":"partially","paymentStatusLabel":"Paid partially","transactionAmount":75.88,"transactionType":"capture","transactionDate":"2026-11-30 07:27:17","amountPaid":"75.88","amountDue":"113.82","currency":"GBP"}}}}"#;
    assert_eq!(
        convert::webhook_topic(body).as_deref(),
        Some("order.payment_status_updated")
    );
    let capture = convert::payment_webhook(body).unwrap();
    assert_eq!(capture.order_id, 7004);
    assert_eq!(capture.amount, rust_decimal::Decimal::new(7588, 2));
    assert_eq!(capture.transaction_type, "capture");
    assert_eq!(capture.transaction_date, "2026-11-30 07:27:17");
    assert_eq!(
        capture.amount_due,
        Some(rust_decimal::Decimal::new(11382, 2))
    );
    let no_amount = br#"{"eventData":{"data":{"type":"orders","id":7004,"attributes":{}}}}"#;
    assert_eq!(convert::payment_webhook(no_amount), None);
}
