//! Tax codes on Oro customers and products: the published `customertaxcodes` and `producttaxcodes`
//! fixtures decode, and `customers()`/`products()` resolve each record's own `taxCode` from the
//! records the page includes, reading a missing or unresolvable code as none.

use super::convert::{self, CUSTOMER_TAX_CODES, PRODUCT_TAX_CODES};
use super::models::{Document, Included, Resource};
use super::tests::{client, load, mount_token};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn resource(value: Value) -> Resource {
    serde_json::from_value(value).unwrap()
}

/// A fixture's records, and the id its placeholders gave the record with `code`.
fn fixture(name: &str, code: &str) -> (Vec<Resource>, String) {
    let doc: Document = serde_json::from_str(&load(name)).unwrap();
    let records = doc.data.into_vec();
    let id = records
        .iter()
        .find(|r| r.str("code").as_deref() == Some(code))
        .map(|r| r.id.clone())
        .unwrap_or_else(|| panic!("{name} has no {code}"));
    (records, id)
}

#[test]
fn the_published_tax_code_fixtures_resolve_a_customers_and_a_products_tax_code() {
    // Arrange
    let (customer_codes, customer_code_id) =
        fixture("customertaxcodes_get_list.json", "TAX_CODE_2");
    let (product_codes, product_code_id) = fixture("producttaxcodes_get_list.json", "TAX_CODE_1");
    assert!(customer_codes.iter().all(|r| r.kind == CUSTOMER_TAX_CODES));
    assert!(product_codes.iter().all(|r| r.kind == PRODUCT_TAX_CODES));
    let customer = resource(
        json!({"type": "customers", "id": "7", "attributes": {"name": "Acme"},
        "relationships": {"taxCode": {"data": {"type": CUSTOMER_TAX_CODES, "id": customer_code_id}}}}),
    );
    let product = resource(
        json!({"type": "products", "id": "3", "attributes": {"sku": "TEE"},
        "relationships": {"taxCode": {"data": {"type": PRODUCT_TAX_CODES, "id": product_code_id}}}}),
    );

    // Act
    let customer = convert::customer(&customer, &Included::new(customer_codes)).unwrap();
    let product = convert::product(&product, &Included::new(product_codes));

    // Assert
    assert_eq!(customer.tax_code.as_deref(), Some("TAX_CODE_2"));
    assert_eq!(product.tax_code.as_deref(), Some("TAX_CODE_1"));
}

#[test]
fn a_code_of_the_other_kind_or_a_blank_code_is_no_code() {
    // Arrange: the customer points at id 1, but only a product code 1 and a blank customer code 2
    // were included.
    let included = Included::new(vec![
        resource(json!({"type": PRODUCT_TAX_CODES, "id": "1", "attributes": {"code": "GOODS"}})),
        resource(json!({"type": CUSTOMER_TAX_CODES, "id": "2", "attributes": {"code": " "}})),
    ]);
    let pointing = |id: &str| {
        resource(json!({"type": "customers", "id": "7",
            "relationships": {"taxCode": {"data": {"type": CUSTOMER_TAX_CODES, "id": id}}}}))
    };

    // Act
    let wrong_kind = convert::customer(&pointing("1"), &included).unwrap();
    let blank = convert::customer(&pointing("2"), &included).unwrap();

    // Assert
    assert_eq!(wrong_kind.tax_code, None);
    assert_eq!(blank.tax_code, None);
}

#[tokio::test]
async fn customers_read_their_own_code_from_the_included_tax_codes() {
    // Arrange: a code, an explicit null, no relationship at all, and an id Oro did not include
    // (a code the API user may not see).
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let page = json!({
        "data": [
            {"type": "customers", "id": "1", "attributes": {"name": "Acme Group"},
             "relationships": {"parent": {"data": null}, "taxCode": {"data": {"type": "customertaxcodes", "id": "4"}}}},
            {"type": "customers", "id": "2", "attributes": {"name": "Acme Bristol"},
             "relationships": {"parent": {"data": {"type": "customers", "id": "1"}}, "taxCode": {"data": null}}},
            {"type": "customers", "id": "3", "attributes": {"name": "Old Oro"}, "relationships": {}},
            {"type": "customers", "id": "5", "attributes": {"name": "Hidden"},
             "relationships": {"taxCode": {"data": {"type": "customertaxcodes", "id": "99"}}}},
        ],
        "included": [{"type": "customertaxcodes", "id": "4", "attributes": {"code": "DOMESTIC", "description": null}}],
    });
    Mock::given(method("GET"))
        .and(path("/admin/api/customers"))
        .and(query_param("include", "taxCode"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;

    // Act
    let customers = c.customers().await.unwrap();

    // Assert
    let codes: Vec<(i64, Option<&str>)> = customers
        .iter()
        .map(|c| (c.id, c.tax_code.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [(1, Some("DOMESTIC")), (2, None), (3, None), (5, None)]
    );
    assert_eq!(
        customers[1].parent,
        Some(1),
        "inheritance is not the reader's"
    );
}

#[tokio::test]
async fn products_read_their_code_alongside_their_units() {
    // Arrange
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let page = json!({
        "data": [
            {"type": "products", "id": "1", "attributes": {"sku": "TEE"},
             "relationships": {"unitPrecisions": {"data": [{"type": "productunitprecisions", "id": "1"}]},
                               "primaryUnitPrecision": {"data": {"type": "productunitprecisions", "id": "1"}},
                               "taxCode": {"data": {"type": "producttaxcodes", "id": "1"}}}},
            {"type": "products", "id": "2", "attributes": {"sku": "MUG"},
             "relationships": {"unitPrecisions": {"data": []}, "taxCode": {"data": null}}},
        ],
        "included": [
            {"type": "productunitprecisions", "id": "1", "attributes": {"precision": 0, "conversionRate": 1},
             "relationships": {"unit": {"data": {"type": "productunits", "id": "each"}}}},
            {"type": "producttaxcodes", "id": "1", "attributes": {"code": "GOODS"}},
        ],
    });
    Mock::given(method("GET"))
        .and(path("/admin/api/products"))
        .and(query_param("include", "unitPrecisions,taxCode"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(&server)
        .await;
    let (c, _store, _dir) = client(&server).await;

    // Act
    let products = c.products().await.unwrap();

    // Assert
    assert_eq!(products[0].tax_code.as_deref(), Some("GOODS"));
    assert_eq!(products[0].units[0].unit, "each");
    assert_eq!(products[1].tax_code, None);
}

#[test]
fn a_persisted_customer_or_product_without_a_tax_code_still_loads() {
    // Records cached before tax codes existed have no `tax_code` key.
    let customer: crate::domain::OroCustomer =
        serde_json::from_value(json!({"id": 1, "name": "Acme", "parent": null})).unwrap();
    let product: crate::domain::OroProduct = serde_json::from_value(
        json!({"id": "1", "sku": "TEE", "inventory_status": null, "units": []}),
    )
    .unwrap();
    assert_eq!((customer.tax_code, product.tax_code), (None, None));
}
