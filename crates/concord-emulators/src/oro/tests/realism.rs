//! What a real Oro shows that a kind emulator would hide: translated subtotal labels and rows that
//! follow configuration, `updatedAt` ties in any order, a slow sync batch turning async, and the
//! WAF's 429/503 with `Retry-After`.

use super::*;
use reqwest::Method;

fn rows(doc: &Value) -> Vec<(String, String)> {
    doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let a = &r["attributes"];
            (
                a["orderSubtotalType"].as_str().unwrap().to_owned(),
                a["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn subtotal_labels_are_translated_and_rows_follow_the_configuration() {
    let mut s = scenario("per_line", 3600, false);
    s.oro.subtotals.locale = "de".into();
    s.oro.subtotals.split_tax = false;
    s.oro.subtotals.promotions = false;
    let h = Harness::start(&s).await;
    let token = h.token().await;
    let (status, _, doc) = h
        .get(&token, "/admin/api/ordersubtotals?filter[order]=901")
        .await;
    assert_eq!(status, 200);
    let kinds_and_labels = rows(&doc);
    assert_eq!(
        kinds_and_labels,
        [
            ("subtotal", "Zwischensumme"),
            ("shipping_cost", "Versand"),
            ("tax", "Steuer")
        ]
        .map(|(k, l)| (k.to_owned(), l.to_owned()))
    );
    let tax = &doc["data"][2];
    assert_eq!(tax["id"], "901-tax-2", "ids carry the row's position");
    assert_eq!(tax["attributes"]["amount"], "51.2000");
    assert_eq!(
        tax["attributes"]["data"]["items"].as_array().unwrap().len(),
        2
    );

    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let (_, _, doc) = h
        .get(&token, "/admin/api/ordersubtotals?filter[order]=901")
        .await;
    assert_eq!(rows(&doc).len(), 7, "Oro's default shape, as the fixture");
    assert_eq!(rows(&doc)[5].1, "Shipping Tax");
}

#[tokio::test]
async fn updated_at_ties_come_in_any_order_unless_the_sort_names_id() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    // The three seeded orders share one updatedAt second.
    let mut orders_seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let (_, _, doc) = h
            .get(
                &token,
                "/admin/api/orders?sort=updatedAt&fields[orders]=updatedAt",
            )
            .await;
        orders_seen.insert(ids(&doc));
    }
    assert!(
        orders_seen.len() > 1,
        "ties always came back as {orders_seen:?}"
    );
    for _ in 0..10 {
        let (_, _, doc) = h
            .get(
                &token,
                "/admin/api/orders?sort=updatedAt,id&fields[orders]=updatedAt",
            )
            .await;
        assert_eq!(ids(&doc), ["901", "902", "903"]);
    }
}

#[tokio::test]
async fn a_slow_sync_batch_answers_202_with_an_async_operation() {
    let mut s = scenario("per_line", 3600, false);
    s.oro.faults.slow_sync_batch_rate = 1.0;
    let h = Harness::start(&s).await;
    let token = h.token().await;
    let (_, _, levels) = h
        .get(&token, "/admin/api/inventorylevels?page[size]=1")
        .await;
    let level = levels["data"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({"data": [{"type": "inventorylevels", "id": level, "meta": {"update": true}, "attributes": {"quantity": "7"}}]});
    let (status, headers, doc) = h
        .send(
            Method::PATCH,
            &token,
            "/admin/api/inventorylevels",
            body,
            &[("x-mode", "sync")],
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(doc["data"]["type"], "asyncoperations");
    let location = headers["content-location"].to_str().unwrap().to_owned();
    assert!(location.ends_with(&format!(
        "/asyncoperations/{}",
        doc["data"]["id"].as_str().unwrap()
    )));
    h.wait(6.0).await;
    let path = location.split_once("/admin/api").unwrap().1;
    let (_, _, op) = h.get(&token, &format!("/admin/api{path}")).await;
    assert_eq!(op["data"]["attributes"]["status"], "success");
    assert_eq!(op["data"]["attributes"]["summary"]["writeCount"], 1);
}

#[tokio::test]
async fn the_firewall_refuses_with_429_or_503_retry_after_and_html() {
    let mut s = scenario("per_line", 3600, false);
    s.oro.faults.firewall = Some(
        serde_json::from_value(json!({"rate": 1.0, "retry_after_s": 864000, "html_body": true}))
            .unwrap(),
    );
    let h = Harness::start(&s).await;
    let token = h.token().await;
    let resp = h
        .http
        .get(format!("{}/admin/api/orders", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!([429, 503].contains(&resp.status().as_u16()));
    assert_eq!(resp.headers()["retry-after"], "864000");
    assert!(resp.text().await.unwrap().starts_with("<html>"));
}
