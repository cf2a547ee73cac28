//! A cold start: an order's validation reads its own slice of Oro's reference data with filtered
//! requests, while the full load (held back here) has not finished.

use crate::domain::{OroLine, OroOrder};
use crate::sync::context::{Context, FlowError};
use rust_decimal_macros::dec;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn context(server: &MockServer, dir: &tempfile::TempDir) -> Context {
    crate::sync::test_context::against(server, dir, crate::config::Rules::default()).await
}

fn doc(data: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/vnd.api+json")
        .set_body_json(json!({"data": data}))
}

fn order() -> OroOrder {
    OroOrder {
        id: 900,
        identifier: "900".into(),
        po_number: None,
        customer_id: 7,
        currency: "GBP".into(),
        internal_status: Some("open".into()),
        status: None,
        shipping_status: None,
        updated_at: "2026-11-02T08:00:00Z".into(),
        total: dec!(10),
        shipping_amount: dec!(0),
        shipping_tax: None,
        tax_total: None,
        lines: vec![OroLine {
            id: "1".into(),
            sku: "TEE".into(),
            unit: "each".into(),
            quantity: dec!(1),
            price: dec!(10),
            tax: None,
        }],
        discounts: vec![],
    }
}

/// Mounts the order's own reads, and a full product read that never answers within the test.
async fn mount_oro(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth2-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "tok"}),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/api/products"))
        .and(query_param("filter[sku]", "TEE"))
        .respond_with(doc(
            json!([{"type": "products", "id": "1", "attributes": {"sku": "TEE"},
            "relationships": {"unitPrecisions": {"data": []}}}]),
        ))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/api/products"))
        .and(query_param("sort", "id"))
        .respond_with(doc(json!([])).set_delay(Duration::from_secs(20)))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/api/customers"))
        .and(query_param("filter[id]", "7"))
        .respond_with(doc(
            json!([{"type": "customers", "id": "7", "attributes": {"name": "Acme"},
            "relationships": {"parent": {"data": null}}}]),
        ))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/api/pricelisttocustomers"))
        .and(query_param("filter[customer]", "7"))
        .respond_with(doc(json!([{"type": "pricelisttocustomers", "id": "1",
            "relationships": {"priceList": {"data": {"type": "pricelists", "id": "3"}}}}])))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/api/productprices"))
        .and(query_param("filter[priceList]", "3"))
        .and(query_param("filter[product]", "1"))
        .respond_with(doc(json!([{"type": "productprices", "id": "u-3",
            "attributes": {"quantity": 1, "value": "9.5000", "currency": "GBP"},
            "relationships": {"product": {"data": {"type": "products", "id": "1"}},
                "unit": {"data": {"type": "productunits", "id": "each"}}}}])))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_cold_order_reads_its_products_customer_and_prices_without_waiting_for_the_full_load() {
    let server = MockServer::start().await;
    mount_oro(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&server, &dir).await;
    let order = order();
    let read = tokio::time::timeout(Duration::from_secs(10), ctx.oro_reference_for(&order));
    read.await
        .expect("the order's reads do not wait for the full load")
        .unwrap();
    // A second order of the same customer and SKU finds everything held: no request repeats.
    ctx.oro_reference_for(&order).await.unwrap();
    let cache = ctx.cache.read().await;
    assert!(
        !cache.oro_loaded,
        "the full load is still running behind the order"
    );
    assert_eq!(cache.oro_products["TEE"].id, "1");
    assert_eq!(cache.oro_customers[&7].name, "Acme");
    assert_eq!(cache.assignments.get(&7), Some(&3));
    let tiers: Option<Vec<_>> = cache.prices[&3].tiers("TEE", "each").map(Iterator::collect);
    assert_eq!(tiers, Some(vec![(dec!(1), dec!(9.5))]));
    drop(cache);
    // While the full load runs, a refresh is told to come back rather than start a second one.
    assert!(matches!(ctx.refresh_oro().await, Err(FlowError::Busy(_))));
}

mod incremental_reads {
    use crate::connectors::oro::Since;
    use crate::sync::oro_reference::next_read;

    fn at(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn nothing_held_means_a_full_read() {
        assert_eq!(next_read(None, at("2026-11-02T09:00:00Z")), None);
    }

    #[test]
    fn the_newest_second_is_read_again_until_a_read_began_well_after_it() {
        let stamp = "2026-11-02T08:00:00Z";
        let inclusive = |began| next_read(Some(stamp), began).map(|s: Since| s.inclusive);
        assert_eq!(inclusive(None), Some(true), "no read began yet");
        assert_eq!(inclusive(at("2026-11-02T08:00:30Z")), Some(true));
        assert_eq!(inclusive(at("2026-11-02T08:01:00Z")), Some(false));
        assert_eq!(inclusive(at("2026-11-02T12:00:00Z")), Some(false));
    }

    #[test]
    fn a_stamp_that_is_not_a_time_is_read_inclusively() {
        let since = next_read(Some("yesterday"), at("2026-11-02T12:00:00Z"));
        assert_eq!(
            since,
            Some(Since {
                stamp: "yesterday".into(),
                inclusive: true
            })
        );
    }
}
