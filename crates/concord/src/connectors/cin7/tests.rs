//! Cin7 connector tests: every published fixture decodes through the connector's types, and
//! wiremock pins each request's shape and each error class.

use super::convert;
use super::models::*;
use super::*;
use crate::connectors::budget::{Priority, RateBudget};
use crate::domain::{NewSale, OrderStage, SaleCharge, SaleLine, SaleOrder};
use concord_core::Clock;
use concord_store::Store;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::time::Duration;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
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

#[test]
fn every_published_fixture_decodes() {
    let products: ProductList =
        serde_json::from_str(&fixture("product_list_response.json")).unwrap();
    assert!(!products.products.is_empty());
    assert!(products.products.iter().all(|p| !p.sku.is_empty()));
    let customers: CustomerList =
        serde_json::from_str(&fixture("customer_list_response.json")).unwrap();
    assert!(!customers.customer_list.is_empty());
    let sales: SaleListPage = serde_json::from_str(&fixture("sale_list_response.json")).unwrap();
    assert_eq!(sales.sale_list.len(), 2);
    let availability: AvailabilityPage =
        serde_json::from_str(&fixture("product_availability_list_response.json")).unwrap();
    assert_eq!(availability.total, Some(4));
    let sale: Sale = serde_json::from_str(&fixture("sale_get_response.json")).unwrap();
    let detail = convert::sale_detail(sale);
    assert!(!detail.lines.is_empty() && detail.total > rust_decimal::Decimal::ZERO);
    let rows = convert::stock_changed(
        fixture("webhook_stock_available_stock_level_changed.json").as_bytes(),
    )
    .unwrap();
    assert_eq!(rows[0].sku, "Bread");
    assert_eq!(rows[0].on_hand - rows[0].allocated, rows[0].available);
    assert!(error::error_message(&fixture("error_rate_limit_body.json")).contains("calls per"));
}

#[tokio::test]
async fn create_sale_sends_auth_headers_and_the_idempotency_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sale"))
        .and(header("api-auth-accountid", "acc"))
        .and(header("api-auth-applicationkey", "key"))
        .and(body_partial_json(serde_json::json!({"ExternalID": "1001", "CustomerReference": "PO-1", "SkipQuote": true, "Location": "Main"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ID": "sale-1", "Status": "ESTIMATED"})))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let sale = NewSale {
        customer_id: "c1".into(),
        location: "Main".into(),
        external_id: "1001".into(),
        customer_reference: "PO-1".into(),
    };
    assert_eq!(c.create_sale(&sale, "order:1001").await.unwrap(), "sale-1");
}

#[tokio::test]
async fn post_order_sends_numbers_and_the_stage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sale/order"))
        .and(body_partial_json(serde_json::json!({"SaleID": "s1", "Status": "AUTHORISED", "Lines": [{"ProductID": "p1", "SKU": "TEE", "Name": "Tee", "TaxRule": "20% VAT", "Quantity": 2.0, "Price": 108.0, "Tax": 43.2, "Total": 216.0}],
            "AdditionalCharges": [{"Description": "Freight", "TaxRule": "20% VAT", "Price": 10.0, "Tax": 2.0}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let order = SaleOrder {
        lines: vec![SaleLine {
            sku: "TEE".into(),
            product_id: Some("p1".into()),
            name: "Tee".into(),
            tax_rule: "20% VAT".into(),
            quantity: dec!(2),
            price: dec!(108),
            discount: dec!(0),
            tax: dec!(43.2),
            total: dec!(216),
        }],
        charges: vec![SaleCharge {
            description: "Freight".into(),
            tax_rule: "20% VAT".into(),
            quantity: dec!(1),
            price: dec!(10),
            tax: dec!(2),
            total: dec!(10),
            comment: None,
        }],
        memo: "m".into(),
    };
    c.post_order("s1", OrderStage::Authorised, &order, "order:1")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_429_is_rate_limited_with_its_retry_after_and_a_5xx_write_is_ambiguous() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/customer"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7 Seconds")
                .set_body_string(fixture("error_rate_limit_body.json")),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/sale"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/sale"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_string(r#"[{"ErrorCode":400,"Exception":"Sale has been shipped"}]"#),
        )
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let err = c.customers(Priority::Orders).await.unwrap_err();
    assert!(
        matches!(err, Cin7Error::RateLimited { retry_after } if retry_after == Duration::from_secs(7)),
        "{err:?}"
    );
    let sale = NewSale {
        customer_id: "c".into(),
        location: "L".into(),
        external_id: "1".into(),
        customer_reference: "r".into(),
    };
    // The budget is paused for the Retry-After above; wait it out on the real clock is too slow,
    // so use a fresh client for the write.
    let (c2, _dir2) = client(&server).await;
    assert!(matches!(
        c2.create_sale(&sale, "order:1").await,
        Err(Cin7Error::Ambiguous(_))
    ));
    assert!(matches!(
        c2.void_sale("s", "order:1").await,
        Err(Cin7Error::Permanent { status: 400, .. })
    ));
}

#[tokio::test]
async fn sale_list_pages_until_short_and_keeps_only_exact_external_ids() {
    let server = MockServer::start().await;
    let row = |id: &str, ext: &str| serde_json::json!({"SaleID": id, "ExternalID": ext, "Status": "ORDERED"});
    let page1: Vec<_> = (0..1000)
        .map(|i| row(&format!("s{i}"), if i == 5 { "42" } else { "420" }))
        .collect();
    Mock::given(method("GET"))
        .and(path("/saleList"))
        .and(query_param("Page", "1"))
        .and(query_param("ExternalID", "42"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"Total": 1001, "Page": 1, "SaleList": page1})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/saleList"))
        .and(query_param("Page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"Total": 1001, "Page": 2, "SaleList": [row("last", "42")]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let filter = SaleListFilter {
        external_id: Some("42".into()),
        ..Default::default()
    };
    let found = c.sale_list(&filter, Priority::Orders).await.unwrap();
    assert_eq!(
        found.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        vec!["s5", "last"]
    );
}

#[tokio::test]
async fn a_pack_product_carries_its_bill_of_materials() {
    let server = MockServer::start().await;
    let body = serde_json::json!({"Total": 2, "Page": 1, "Products": [
        {"ID": "a", "SKU": "TEE", "Name": "Tee", "PriceTiers": {"Trade": 9.5, "Tier 3": 0}},
        {"ID": "b", "SKU": "TEE-C12", "Name": "Tee x12", "BillOfMaterial": "true", "BillOfMaterialsProducts": [{"ProductCode": "TEE", "Quantity": "12.0000"}]}]});
    Mock::given(method("GET"))
        .and(path("/product"))
        .and(query_param("IncludeBOM", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let products = c.products(&["Trade".into()], Priority::Bulk).await.unwrap();
    let pack = products
        .iter()
        .find(|p| p.sku == "TEE-C12")
        .and_then(|p| p.pack.clone())
        .unwrap();
    assert_eq!((pack.base_sku.as_str(), pack.size), ("TEE", dec!(12)));
    assert_eq!(products[0].price_tiers.get("Trade"), Some(&dec!(9.5)));
    assert_eq!(
        products[0].price_tiers.len(),
        1,
        "only the tiers asked for are kept"
    );
}

#[tokio::test]
async fn every_call_lands_in_the_payload_log_without_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"Company": "Acme"})),
        )
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    assert!(c.healthcheck().await.ok);
    let calls = c
        .store
        .calls(&concord_store::CallFilter::default())
        .await
        .unwrap();
    assert_eq!(calls.len(), 1);
    assert!(!format!("{:?}", calls[0]).contains("\"key\""));
}

#[tokio::test]
async fn subscribing_to_several_webhook_types_reads_the_list_once_and_skips_existing_ones() {
    let server = MockServer::start().await;
    let existing = serde_json::json!({"Webhooks": [{"Type": "Customer/Updated", "ExternalURL": "http://c/customer", "IsActive": true}]});
    Mock::given(method("GET"))
        .and(path("/webhooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(existing))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/webhooks"))
        .and(body_partial_json(serde_json::json!({"Type": "Stock/AvailableStockLevelChanged", "ExternalBearerToken": "tok"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"Webhooks": []})))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _dir) = client(&server).await;
    let wanted = [
        (
            "Stock/AvailableStockLevelChanged",
            "http://c/stock".to_owned(),
        ),
        ("Customer/Updated", "http://c/customer".to_owned()),
    ];
    c.ensure_webhooks(&wanted, "tok").await.unwrap();
}
