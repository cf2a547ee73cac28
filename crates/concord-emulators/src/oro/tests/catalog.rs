//! Prices, customers, products and the generic subresource / relationship reads.

use super::*;

#[tokio::test]
async fn product_prices_need_the_price_list_filter() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let (status, _, doc) = h.get(&token, "/admin/api/productprices").await;
    assert_eq!(status, 400);
    assert_eq!(
        doc["errors"][0],
        json!({"status": "400", "title": "filter constraint", "detail": "The \"priceList\" filter is required."})
    );
    let (status, _, doc) = h
        .get(&token, "/admin/api/productprices?filter[priceList]=1")
        .await;
    assert_eq!(status, 200);
    let prices = doc["data"].as_array().unwrap();
    assert_eq!(prices.len(), 2);
    assert!(prices[0]["id"].as_str().unwrap().ends_with("-1"));
    assert_eq!(
        prices[1]["attributes"],
        json!({"quantity": 1, "value": "108.0000", "currency": "GBP"})
    );
    assert_eq!(prices[1]["relationships"]["unit"]["data"]["id"], "case");

    h.emu.set_price(
        1,
        "TEE",
        "case",
        rust_decimal::Decimal::ONE,
        "99.5".parse().unwrap(),
    );
    let (_, _, doc) = h
        .get(
            &token,
            "/admin/api/productprices?filter[priceList]=1&filter[product]=1",
        )
        .await;
    assert!(doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["attributes"]["value"] == "99.5000"));
    let (_, _, doc) = h
        .get(&token, "/admin/api/pricelisttocustomers?filter[customer]=2")
        .await;
    assert_eq!(
        doc["data"][0]["relationships"]["priceList"]["data"]["id"],
        "1"
    );
    let (_, _, doc) = h.get(&token, "/admin/api/customers/1").await;
    assert_eq!(
        doc["data"]["relationships"]["children"]["data"][0]["id"],
        "2"
    );
}

#[tokio::test]
async fn related_records_and_linkage_are_readable_through_subresource_urls() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let (status, _, doc) = h.get(&token, "/admin/api/orders/901/lineItems").await;
    assert_eq!(status, 200);
    assert_eq!(doc["data"].as_array().unwrap().len(), 2);
    assert_eq!(doc["data"][0]["type"], "orderlineitems");
    let (status, _, doc) = h
        .get(&token, "/admin/api/orders/901/relationships/internalStatus")
        .await;
    assert_eq!(
        (status, doc["data"].clone()),
        (200, json!({"type": "orderinternalstatuses", "id": "open"}))
    );
    let (status, _, doc) = h.get(&token, "/admin/api/products/1/unitPrecisions").await;
    assert_eq!(status, 200);
    assert_eq!(doc["data"][1]["attributes"]["conversionRate"], 12);
    assert_eq!(h.get(&token, "/admin/api/orders/901/nothing").await.0, 404);
    assert_eq!(h.get(&token, "/admin/api/nonsense").await.0, 404);

    let (_, _, doc) = h
        .get(&token, "/admin/api/customerusers?filter[customer]=2")
        .await;
    assert_eq!(doc["data"][0]["attributes"]["email"], "buyer@acme.example");
    let (_, _, doc) = h
        .get(&token, "/admin/api/orderlineitems?page[size]=-1")
        .await;
    assert_eq!(doc["data"].as_array().unwrap().len(), 6);
    let (_, _, doc) = h
        .get(
            &token,
            "/admin/api/products?filter[sku]=MUG,TEE&fields[products]=sku",
        )
        .await;
    assert_eq!(ids(&doc), ["1", "2"]);
    assert!(doc["data"][0]
        .get("relationships")
        .is_none_or(|r| r.as_object().unwrap().is_empty()));
    let resp = h
        .http
        .get(format!("{}/admin/api/products/MUG", h.base))
        .bearer_auth(&token)
        .header("x-integration-type", "ext_id")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap()["data"]["id"], "2");
}

/// What an incremental refresh reads: a product changed later is the only one `updatedAt[gte]`
/// returns; a price change, as in Oro, moves neither its list's nor its product's `updatedAt`.
#[tokio::test]
async fn changed_products_are_found_by_updated_at_but_a_price_change_moves_no_timestamp() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    h.wait(2.0).await;
    let since = h.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let changed = |path: &str| format!("{path}?filter[updatedAt][gte]={since}");
    assert!(ids(&h.get(&token, &changed("/admin/api/products")).await.2).is_empty());
    let body = json!({"data": {"type": "products", "id": "2", "relationships": {
        "inventory_status": {"data": {"type": "prodinventorystatuses", "id": "out_of_stock"}}}}});
    let (status, _, _) = h
        .send(
            reqwest::Method::PATCH,
            &token,
            "/admin/api/products/2",
            body,
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&h.get(&token, &changed("/admin/api/products")).await.2),
        ["2"]
    );

    assert!(ids(&h.get(&token, &changed("/admin/api/pricelists")).await.2).is_empty());
    h.emu.set_price(
        1,
        "TEE",
        "case",
        rust_decimal::Decimal::ONE,
        "99".parse().unwrap(),
    );
    assert!(ids(&h.get(&token, &changed("/admin/api/pricelists")).await.2).is_empty());
    assert_eq!(
        ids(&h.get(&token, &changed("/admin/api/products")).await.2),
        ["2"],
        "the price change must not mark TEE (product 1) changed"
    );
    let (_, _, doc) = h
        .get(
            &token,
            "/admin/api/productprices?filter[priceList]=1&filter[product]=1,2&sort=-quantity",
        )
        .await;
    assert_eq!(doc["data"].as_array().unwrap().len(), 2);
}
