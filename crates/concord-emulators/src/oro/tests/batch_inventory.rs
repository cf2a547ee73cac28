//! Inventory levels (GET/PATCH/405) and the Batch API, sync and async.

use super::*;
use reqwest::Method;

/// Level ids of the test scenario: TEE each, TEE case, MUG each.
const TEE_EACH: &str = "1001";
const TEE_CASE: &str = "1002";
const MUG_EACH: &str = "1003";

fn level_patch(id: &str, quantity: &str) -> Value {
    json!({"type": "inventorylevels", "id": id, "attributes": {"quantity": quantity}, "meta": {"update": true}})
}

#[tokio::test]
async fn inventory_levels_are_read_by_product_and_patched_but_never_created_or_deleted() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let (status, _, doc) = h
        .get(
            &token,
            "/admin/api/inventorylevels?filter[product]=1&include=productUnitPrecision",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&doc), [TEE_EACH, TEE_CASE]);
    assert_eq!(doc["data"][0]["attributes"]["quantity"], "30");
    assert_eq!(
        doc["data"][1]["relationships"]["productUnitPrecision"]["data"],
        json!({"type": "productunitprecisions", "id": "2"})
    );
    let case = doc["included"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "2")
        .unwrap()
        .clone();
    assert_eq!(
        case["attributes"],
        json!({"precision": 0, "conversionRate": 12, "sell": true})
    );
    assert_eq!(case["relationships"]["unit"]["data"]["id"], "case");

    let body = json!({"data": {"type": "inventorylevels", "id": TEE_CASE, "attributes": {"quantity": "7"}}});
    let (status, _, doc) = h
        .send(
            Method::PATCH,
            &token,
            &format!("/admin/api/inventorylevels/{TEE_CASE}"),
            body,
            &[],
        )
        .await;
    assert_eq!(
        (status, doc["data"]["attributes"]["quantity"].as_str()),
        (200, Some("7"))
    );
    let (_, _, doc) = h
        .get(&token, &format!("/admin/api/inventorylevels/{TEE_CASE}"))
        .await;
    assert_eq!(doc["data"]["attributes"]["quantity"], "7");
    let fraction = json!({"data": {"type": "inventorylevels", "id": TEE_CASE, "attributes": {"quantity": "1.5"}}});
    let (status, _, doc) = h
        .send(
            Method::PATCH,
            &token,
            &format!("/admin/api/inventorylevels/{TEE_CASE}"),
            fraction,
            &[],
        )
        .await;
    assert_eq!(
        (status, doc["errors"][0]["source"]["pointer"].as_str()),
        (400, Some("/data/attributes/quantity"))
    );

    for (method, path) in [
        (Method::POST, "/admin/api/inventorylevels".to_owned()),
        (
            Method::DELETE,
            format!("/admin/api/inventorylevels/{TEE_CASE}"),
        ),
    ] {
        let (status, _, doc) = h
            .send(
                method,
                &token,
                &path,
                json!({"data": {"type": "inventorylevels"}}),
                &[],
            )
            .await;
        assert_eq!(
            (status, doc["errors"][0]["title"].as_str()),
            (405, Some("action not allowed exception"))
        );
    }

    // A primary unit at zero flips the product out of stock; restocking is the client's job.
    let zero =
        json!({"data": {"type": "inventorylevels", "id": MUG_EACH, "attributes": {"quantity": 0}}});
    assert_eq!(
        h.send(
            Method::PATCH,
            &token,
            &format!("/admin/api/inventorylevels/{MUG_EACH}"),
            zero,
            &[]
        )
        .await
        .0,
        200
    );
    let (_, _, doc) = h.get(&token, "/admin/api/products/2").await;
    assert_eq!(
        doc["data"]["relationships"]["inventory_status"]["data"]["id"],
        "out_of_stock"
    );
    let restock = json!({"data": {"type": "products", "id": "2", "relationships": {"inventory_status": {"data": {"type": "prodinventorystatuses", "id": "in_stock"}}}}});
    let (status, _, doc) = h
        .send(Method::PATCH, &token, "/admin/api/products/2", restock, &[])
        .await;
    assert_eq!(
        (
            status,
            doc["data"]["relationships"]["inventory_status"]["data"]["id"].as_str()
        ),
        (200, Some("in_stock"))
    );
}

#[tokio::test]
async fn a_sync_batch_is_all_or_nothing_and_capped_at_100_records() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let sync = [("x-mode", "sync")];
    let good = json!({"data": [level_patch(TEE_EACH, "11"), level_patch(TEE_CASE, "1")]});
    let (status, _, doc) = h
        .send(
            Method::PATCH,
            &token,
            "/admin/api/inventorylevels",
            good,
            &sync,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&doc), [TEE_EACH, TEE_CASE]);
    assert_eq!(doc["data"][0]["attributes"]["quantity"], "11");

    let bad = json!({"data": [level_patch(TEE_EACH, "99"), level_patch("4242", "1"), level_patch(MUG_EACH, "x")]});
    let (status, _, doc) = h
        .send(
            Method::PATCH,
            &token,
            "/admin/api/inventorylevels",
            bad,
            &sync,
        )
        .await;
    assert_eq!(status, 400, "{doc}");
    let pointers: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/data/1/id", "/data/2/attributes/quantity"]);
    let (_, _, doc) = h
        .get(&token, &format!("/admin/api/inventorylevels/{TEE_EACH}"))
        .await;
    assert_eq!(
        doc["data"]["attributes"]["quantity"], "11",
        "nothing of a failed sync batch is written"
    );

    let many: Vec<Value> = (0..101).map(|_| level_patch(TEE_EACH, "1")).collect();
    let (status, _, doc) = h
        .send(
            Method::PATCH,
            &token,
            "/admin/api/inventorylevels",
            json!({"data": many}),
            &sync,
        )
        .await;
    assert_eq!(
        (status, doc["errors"][0]["title"].as_str()),
        (400, Some("request data constraint"))
    );
}

#[tokio::test]
async fn an_async_batch_finishes_later_and_reports_per_record_errors() {
    let h = Harness::start(&scenario("per_line", 3600, false)).await;
    let token = h.token().await;
    let body = json!({"data": [level_patch(TEE_EACH, "12"), level_patch(MUG_EACH, "nope"),
        {"type": "products", "id": "1", "relationships": {"inventory_status": {"data": {"type": "prodinventorystatuses", "id": "in_stock"}}}, "meta": {"update": true}}]});
    let (status, headers, doc) = h
        .send(
            Method::PATCH,
            &token,
            "/admin/api/inventorylevels",
            body,
            &[],
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(doc["data"]["type"], "asyncoperations");
    assert_eq!(doc["data"]["attributes"]["status"], "new");
    let location = headers["content-location"].to_str().unwrap().to_owned();
    let path = location.trim_start_matches(&h.base).to_owned();
    assert!(path.starts_with("/admin/api/asyncoperations/"));
    let (_, _, level) = h
        .get(&token, &format!("/admin/api/inventorylevels/{TEE_EACH}"))
        .await;
    assert_eq!(
        level["data"]["attributes"]["quantity"], "30",
        "not applied before the job runs"
    );

    h.wait(crate::oro::batch::ASYNC_DELAY_S + 1.0).await;
    let (_, _, op) = h.get(&token, &path).await;
    let attrs = &op["data"]["attributes"];
    assert_eq!(
        (attrs["status"].as_str(), attrs["progress"].as_i64()),
        (Some("success"), Some(1))
    );
    assert_eq!(attrs["summary"]["readCount"], 3);
    assert_eq!(attrs["summary"]["writeCount"], 1);
    assert_eq!(attrs["summary"]["errorCount"], 2);
    let (_, _, errors) = h.get(&token, &format!("{path}/errors")).await;
    let errors = errors["data"].as_array().unwrap();
    assert_eq!(errors[0]["type"], "asyncoperationerrors");
    assert_eq!(
        errors[0]["attributes"]["status"], 400,
        "status is an integer here"
    );
    assert_eq!(
        errors[0]["attributes"]["source"]["pointer"],
        "/data/1/attributes/quantity"
    );
    assert_eq!(errors[1]["attributes"]["source"]["pointer"], "/data/2/type");
    let (_, _, level) = h
        .get(&token, &format!("/admin/api/inventorylevels/{TEE_EACH}"))
        .await;
    assert_eq!(level["data"]["attributes"]["quantity"], "12");
}
