//! Tokens, 401s, and order reads: filters, sorting, paging, include, totalCount, subtotals.

use super::*;
use base64::Engine;

#[tokio::test]
async fn a_token_is_issued_for_form_json_and_basic_client_auth() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let url = format!("{}/oauth2-token", h.base);
    let (id, secret) = (h.emu.client_id(), h.emu.client_secret());

    let form = h
        .http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ])
        .send()
        .await
        .unwrap();
    let body =
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    let json = h.http.post(&url).json(&body).send().await.unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let basic = h
        .http
        .post(&url)
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    for resp in [form, json, basic] {
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    }

    let wrong = h
        .http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let missing = h
        .http
        .post(&url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn api_requests_without_a_valid_token_get_401_with_an_empty_body() {
    let h = Harness::start(&scenario("per_line", 60, false)).await;
    let resp = h
        .http
        .get(format!("{}/admin/api/orders", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    assert!(resp.text().await.unwrap().is_empty());
    let (status, _, body) = h.get("made-up", "/admin/api/orders").await;
    assert_eq!((status, body), (401, Value::Null));

    let token = h.token().await;
    assert_eq!(h.get(&token, "/admin/api/orders").await.0, 200);
    h.wait(61.0).await;
    let (status, _, body) = h.get(&token, "/admin/api/orders").await;
    assert_eq!(
        (status, body),
        (401, Value::Null),
        "a token expires after token_ttl_s of scenario time"
    );

    let log = h.emu.api_log();
    assert!(log
        .iter()
        .any(|e| e.path == "/admin/api/orders" && e.status == 401));
    assert!(log
        .iter()
        .any(|e| e.path == "/oauth2-token" && e.status == 200));
}

#[tokio::test]
async fn orders_filter_by_updated_at_sort_and_page_with_a_total_count() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    h.wait(5.0).await;
    h.emu.order_status(
        &serde_json::from_value(json!({"order_id": 902, "internal_status": "cancelled"})).unwrap(),
    );

    let (status, _, doc) = h
        .get(
            &token,
            "/admin/api/orders?filter[updatedAt][gt]=2026-11-02T08:00:01Z",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&doc), ["902"]);
    assert_eq!(
        doc["data"][0]["relationships"]["internalStatus"]["data"],
        json!({"type": "orderinternalstatuses", "id": "cancelled"})
    );
    let (_, _, doc) = h
        .get(
            &token,
            "/admin/api/orders?filter[updatedAt][gte]=2026-11-02T08:00:00Z&sort=-updatedAt",
        )
        .await;
    assert_eq!(ids(&doc)[0], "902", "descending updatedAt");
    let mut tied = ids(&doc)[1..].to_vec();
    tied.sort();
    assert_eq!(tied, ["901", "903"], "ties come in any order (§3.3)");
    let (_, _, doc) = h
        .get(
            &token,
            "/admin/api/orders?filter[updatedAt][gte]=2026-11-02T08:00:00Z&sort=-updatedAt,id",
        )
        .await;
    assert_eq!(ids(&doc), ["902", "901", "903"], "ties by id when asked");
    let (_, _, doc) = h
        .get(
            &token,
            "/admin/api/orders?filter[updatedAt][lt]=2026-11-02T08:00:01Z&sort=id",
        )
        .await;
    assert_eq!(ids(&doc), ["901", "903"]);
    let (_, _, doc) = h
        .get(&token, "/admin/api/orders?filter[identifier]=w-903")
        .await;
    assert_eq!(
        ids(&doc),
        ["903"],
        "identifier filters are case-insensitive"
    );

    let resp = h
        .http
        .get(format!(
            "{}/admin/api/orders?page[size]=2&page[number]=1&sort=id",
            h.base
        ))
        .bearer_auth(&token)
        .header("x-include", "totalCount")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-include-total-count"], "3");
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(ids(&doc), ["901", "902"]);
    assert!(doc["links"]["next"]
        .as_str()
        .unwrap()
        .contains("page%5Bnumber%5D=2"));
    let (_, headers, doc) = h
        .get(
            &token,
            "/admin/api/orders?page[size]=2&page[number]=2&sort=id",
        )
        .await;
    assert_eq!(ids(&doc), ["903"]);
    assert!(doc["links"].get("next").is_none() && doc["links"].get("prev").is_some());
    assert!(headers.get("x-include-total-count").is_none());
    assert_eq!(headers["content-type"], "application/vnd.api+json");

    let (status, _, doc) = h.get(&token, "/admin/api/orders?filter[nope]=1").await;
    assert_eq!(status, 400);
    assert_eq!(doc["errors"][0]["title"], "filter constraint");
    let (status, _, doc) = h
        .get(&token, "/admin/api/orders?filter[updatedAt][gt]=yesterday")
        .await;
    assert_eq!(
        (status, doc["errors"][0]["source"]["parameter"].as_str()),
        (400, Some("filter[updatedAt][gt]"))
    );
    let (status, _, doc) = h.get(&token, "/admin/api/orders/4242").await;
    assert_eq!(
        (status, doc["errors"][0]["status"].as_str()),
        (404, Some("404"))
    );
}

#[tokio::test]
async fn an_order_reads_like_the_fixture_with_included_line_items_customer_and_subtotals() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let (status, _, doc) = h
        .get(
            &token,
            "/admin/api/orders/901?include=lineItems,customer,orderSubtotals",
        )
        .await;
    assert_eq!(status, 200);
    let attrs = &doc["data"]["attributes"];
    assert_eq!(attrs["identifier"], "W-901");
    assert_eq!(attrs["poNumber"], "PO-901");
    assert_eq!(attrs["subtotalValue"], "246.0000");
    assert_eq!(attrs["totalValue"], "307.2000", "246 + 43.20 + 6 + 10 + 2");
    assert_eq!(attrs["estimatedShippingCostAmount"], "10.0000");
    assert_eq!(attrs["createdAt"], "2026-11-02T08:00:00Z");
    let rels = &doc["data"]["relationships"];
    assert_eq!(rels["shippingStatus"]["data"]["id"], "not_shipped");
    assert_eq!(rels["status"]["data"], Value::Null);
    assert_eq!(
        rels["customerUser"]["data"],
        json!({"type": "customerusers", "id": "10"})
    );
    let included = doc["included"].as_array().unwrap();
    let lines: Vec<&Value> = included
        .iter()
        .filter(|r| r["type"] == "orderlineitems")
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["attributes"]["productSku"], "TEE");
    assert_eq!(lines[0]["attributes"]["productUnitCode"], "case");
    assert_eq!(lines[0]["attributes"]["quantity"], json!(2));
    assert_eq!(lines[0]["attributes"]["value"], "108.0000");
    assert_eq!(lines[0]["relationships"]["orders"]["data"][0]["id"], "901");
    assert!(included
        .iter()
        .any(|r| r["type"] == "customers" && r["id"] == "2"));
    assert_eq!(
        included
            .iter()
            .filter(|r| r["type"] == "ordersubtotals")
            .count(),
        7
    );

    let (_, _, doc) = h.get(&token, "/admin/api/orders/903").await;
    assert_eq!(
        doc["data"]["attributes"]["totalValue"], "999.9900",
        "a scenario total is reported even when it does not add up"
    );
}

#[tokio::test]
async fn the_tax_subtotal_carries_line_taxes_only_with_per_line_detail() {
    for (detail, has_items) in [("per_line", true), ("total_only", false)] {
        let h = Harness::start(&scenario(detail, 3600, false)).await;
        let token = h.token().await;
        let (status, _, doc) = h
            .get(&token, "/admin/api/ordersubtotals?filter[order]=901")
            .await;
        assert_eq!(status, 200);
        let rows = doc["data"].as_array().unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "901-subtotal-0",
                "901-discount-1",
                "901-shipping_cost-2",
                "901-discount-3",
                "901-tax-4",
                "901-tax-5",
                "901-tax-6"
            ]
        );
        let tax = &rows[4]["attributes"];
        assert_eq!(
            (
                tax["orderSubtotalType"].as_str(),
                tax["label"].as_str(),
                tax["amount"].as_str()
            ),
            (Some("tax"), Some("Subtotal Tax"), Some("49.2000"))
        );
        assert_eq!(rows[5]["attributes"]["amount"], "2.0000");
        assert_eq!(rows[6]["attributes"]["amount"], "51.2000");
        assert_eq!(rows[6]["attributes"]["data"]["total"]["taxAmount"], "51.2");
        assert_eq!(rows[2]["attributes"]["amount"], "10.0000");
        let items = tax["data"].get("items");
        assert_eq!(items.is_some(), has_items, "{detail}");
        if let Some(items) = items {
            assert_eq!(items[0]["row"]["taxAmount"], "43.2");
            assert_eq!(items[0]["row"]["excludingTax"], "216");
            assert_eq!(items[1]["row"]["taxAmount"], "6");
        }
    }
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let (status, _, doc) = h.get(&token, "/admin/api/ordersubtotals").await;
    assert_eq!(
        (status, doc["errors"][0]["detail"].as_str()),
        (400, Some("The \"order\" filter is required."))
    );
}

#[tokio::test]
async fn an_order_can_be_marked_shipped_which_bumps_updated_at() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    h.wait(3.0).await;
    let body = json!({"data": {"type": "orders", "id": "901", "relationships": {"shippingStatus": {"data": {"type": "ordershippingstatuses", "id": "shipped"}}}}});
    let (status, _, doc) = h
        .send(
            reqwest::Method::PATCH,
            &token,
            "/admin/api/orders/901",
            body,
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        doc["data"]["relationships"]["shippingStatus"]["data"]["id"],
        "shipped"
    );
    assert_ne!(
        doc["data"]["attributes"]["updatedAt"],
        "2026-11-02T08:00:00Z"
    );
    let bad = json!({"data": {"type": "orders", "id": "901", "relationships": {"shippingStatus": {"data": {"type": "ordershippingstatuses", "id": "lost"}}}}});
    assert_eq!(
        h.send(
            reqwest::Method::PATCH,
            &token,
            "/admin/api/orders/901",
            bad,
            &[]
        )
        .await
        .0,
        400
    );
    let mismatch = json!({"data": {"type": "orders", "id": "902"}});
    assert_eq!(
        h.send(
            reqwest::Method::PATCH,
            &token,
            "/admin/api/orders/901",
            mismatch,
            &[]
        )
        .await
        .0,
        409
    );
    assert_eq!(h.emu.state()["orders"][0]["shipping_status"], "shipped");
}
