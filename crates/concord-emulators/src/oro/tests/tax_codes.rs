//! Tax codes (reference §13.1): the scenario's customer and product codes are `customertaxcodes`
//! and `producttaxcodes` records, linked from customers and products by `taxCode`.

use super::{ids, scenario, Harness};
use concord_core::scenario::OroCustomer;
use serde_json::{json, Value};

/// The test scenario with codes on the parent customer and on TEE only: the child customer and
/// MUG have none of their own.
fn with_codes() -> concord_core::scenario::Scenario {
    let mut s = scenario("per_line", 3600, false);
    s.oro.customers[0].tax_code = Some("DOMESTIC".to_owned());
    s.oro.products[0].tax_code = Some("GOODS".to_owned());
    s
}

fn included_of(doc: &Value, kind: &str) -> Vec<Value> {
    doc["included"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|r| r["type"] == kind)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn seeded_codes_are_listed_in_the_fixtures_shape() {
    // Arrange
    let h = Harness::start(&with_codes()).await;
    let token = h.token().await;

    // Act
    let (status, _, customer_codes) = h.get(&token, "/admin/api/customertaxcodes").await;
    let (one_status, _, product_code) = h.get(&token, "/admin/api/producttaxcodes/1").await;
    let (missing, _, _) = h.get(&token, "/admin/api/producttaxcodes/2").await;

    // Assert
    assert_eq!(status, 200, "{customer_codes}");
    let record = &customer_codes["data"][0];
    assert_eq!(ids(&customer_codes), ["1"]);
    assert_eq!(record["type"], "customertaxcodes");
    assert_eq!(
        record["attributes"],
        json!({"code": "DOMESTIC", "description": null,
               "createdAt": "2026-11-02T08:00:00Z", "updatedAt": "2026-11-02T08:00:00Z"})
    );
    assert_eq!(
        record["relationships"],
        json!({"owner": {"data": {"type": "users", "id": "1"}},
               "organization": {"data": {"type": "organizations", "id": "1"}}})
    );
    assert_eq!(one_status, 200, "{product_code}");
    assert_eq!(product_code["data"]["type"], "producttaxcodes");
    assert_eq!(product_code["data"]["attributes"]["code"], "GOODS");
    assert_eq!(
        product_code["data"]["relationships"],
        json!({"organization": {"data": {"type": "organizations", "id": "1"}}}),
        "product codes have no owner"
    );
    assert_eq!(missing, 404);
}

#[tokio::test]
async fn customers_and_products_link_their_own_code_or_none() {
    // Arrange
    let h = Harness::start(&with_codes()).await;
    let token = h.token().await;

    // Act
    let (_, _, parent) = h.get(&token, "/admin/api/customers/1").await;
    let (_, _, child) = h.get(&token, "/admin/api/customers/2").await;
    let (_, _, tee) = h.get(&token, "/admin/api/products/1").await;
    let (_, _, mug) = h.get(&token, "/admin/api/products/2").await;
    let (_, _, coded) = h
        .get(&token, "/admin/api/customers?filter[taxCode]=1")
        .await;
    let (status, _, related) = h.get(&token, "/admin/api/products/1/taxCode").await;

    // Assert
    assert_eq!(
        parent["data"]["relationships"]["taxCode"],
        json!({"data": {"type": "customertaxcodes", "id": "1"}})
    );
    assert_eq!(
        child["data"]["relationships"]["taxCode"],
        json!({"data": null}),
        "the child inherits in Concord, not in Oro"
    );
    assert_eq!(
        tee["data"]["relationships"]["taxCode"],
        json!({"data": {"type": "producttaxcodes", "id": "1"}})
    );
    assert_eq!(
        mug["data"]["relationships"]["taxCode"],
        json!({"data": null})
    );
    assert_eq!(ids(&coded), ["1"]);
    assert_eq!(status, 200, "{related}");
    assert_eq!(related["data"]["attributes"]["code"], "GOODS");
}

#[tokio::test]
async fn include_tax_code_brings_each_code_once() {
    // Arrange: both customers on one code, so `included` must not repeat it.
    let mut s = with_codes();
    s.oro.customers[1].tax_code = Some("DOMESTIC".to_owned());
    let h = Harness::start(&s).await;
    let token = h.token().await;

    // Act
    let (status, _, customers) = h.get(&token, "/admin/api/customers?include=taxCode").await;
    let (_, _, products) = h
        .get(&token, "/admin/api/products?include=unitPrecisions,taxCode")
        .await;

    // Assert
    assert_eq!(status, 200, "{customers}");
    let codes = included_of(&customers, "customertaxcodes");
    assert_eq!(codes.len(), 1, "{customers}");
    assert_eq!(codes[0]["attributes"]["code"], "DOMESTIC");
    let codes = included_of(&products, "producttaxcodes");
    assert_eq!(codes.len(), 1, "{products}");
    assert_eq!(codes[0]["id"], "1");
    assert_eq!(included_of(&products, "productunitprecisions").len(), 3);
}

#[tokio::test]
async fn a_customer_event_naming_a_new_code_creates_it_and_relinks_the_customer() {
    // Arrange
    let h = Harness::start(&with_codes()).await;
    let token = h.token().await;
    let change = OroCustomer {
        id: 1,
        name: "Acme Group".to_owned(),
        parent: None,
        tax_code: Some("EXPORT".to_owned()),
    };

    // Act
    h.emu.upsert_customer(&change);
    let (_, _, customer) = h.get(&token, "/admin/api/customers/1").await;
    let (_, _, first_page) = h
        .get(&token, "/admin/api/customertaxcodes?page[size]=1")
        .await;
    let (_, _, by_code) = h
        .get(&token, "/admin/api/customertaxcodes?filter[code]=EXPORT")
        .await;

    // Assert
    assert_eq!(
        customer["data"]["relationships"]["taxCode"]["data"]["id"],
        "2"
    );
    assert_eq!(ids(&first_page), ["1"], "the old code stays, as in Oro");
    assert!(
        first_page["links"]["next"].is_string(),
        "a second page: {first_page}"
    );
    assert_eq!(ids(&by_code), ["2"]);
}
