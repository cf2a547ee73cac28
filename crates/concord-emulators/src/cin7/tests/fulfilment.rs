//! Pick, pack and ship (reference §14): partial shipments as fulfilment tasks, the combined
//! statuses of §14.5, tracking numbers, stock leaving the warehouse, and the shipment webhooks.

use super::webhooks::{receiver, wait_for};
use super::Harness;
use reqwest::Method;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

fn ship_line(sku: &str, quantity: rust_decimal::Decimal) -> concord_core::scenario::ShipLine {
    concord_core::scenario::ShipLine {
        sku: sku.to_owned(),
        quantity,
    }
}

/// (Status, CombinedPickingStatus, CombinedPackingStatus, CombinedShippingStatus, FulFilmentStatus)
fn statuses(sale: &Value) -> [String; 5] {
    [
        "Status",
        "CombinedPickingStatus",
        "CombinedPackingStatus",
        "CombinedShippingStatus",
        "FulFilmentStatus",
    ]
    .map(|k| sale[k].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_sale_ships_in_parts_with_a_tracking_number_each() {
    // Arrange: seeded sale 901 is authorised for 10 TEE-BLK-M (100 on hand).
    let h = Harness::default().await;
    let (_, listed) = h.get("/saleList?ExternalID=901").await;
    let id = listed["SaleList"][0]["SaleID"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(
        statuses(&sale),
        [
            "ORDERED",
            "NOT PICKED",
            "NOT PACKED",
            "NOT SHIPPED",
            "NOT FULFILLED"
        ]
    );

    // Act: 4 ship with RM-1.
    h.emu
        .ship(901, &[ship_line("tee-blk-m", dec!(4))], Some("RM-1"));

    // Assert: part shipped; the shipped units left OnHand and Allocated.
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(
        statuses(&sale),
        [
            "SHIPPING",
            "PARTIALLY PICKED",
            "PARTIALLY PACKED",
            "PARTIALLY SHIPPED",
            "PARTIALLY FULFILLED"
        ]
    );
    assert_eq!(sale["CombinedTrackingNumbers"], "RM-1");
    assert_eq!(
        h.stock("TEE-BLK-M", "Main Warehouse").await,
        (96.0, 6.0, 90.0)
    );
    let (status, _) = h
        .call(Method::DELETE, &format!("/sale?ID={id}&Void=true"), None)
        .await;
    assert_eq!(status, 400, "a partly shipped sale cannot be voided");

    // Act: the rest ships with RM-2 (no lines: all not shipped yet).
    h.emu.ship(901, &[], Some("RM-2"));

    // Assert
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(
        statuses(&sale),
        ["INVOICING", "PICKED", "PACKED", "SHIPPED", "FULFILLED"]
    );
    assert_eq!(sale["CombinedTrackingNumbers"], "RM-1, RM-2");
    assert_eq!(sale["Type"], "Advanced Sale");
    assert_eq!(
        h.stock("TEE-BLK-M", "Main Warehouse").await,
        (90.0, 0.0, 90.0)
    );
    let (status, tasks) = h.get(&format!("/sale/fulfilment?SaleID={id}")).await;
    assert_eq!(status, 200, "{tasks}");
    let tasks = tasks["Fulfilments"].as_array().cloned().unwrap_or_default();
    let shipped: Vec<(Value, Value, Value)> = tasks
        .iter()
        .map(|t| {
            (
                t["Pick"]["Lines"][0]["Quantity"].clone(),
                t["Ship"]["Status"].clone(),
                t["Ship"]["Lines"][0]["TrackingNumber"].clone(),
            )
        })
        .collect();
    assert_eq!(
        shipped,
        vec![
            (json!(4.0), json!("AUTHORISED"), json!("RM-1")),
            (json!(6.0), json!("AUTHORISED"), json!("RM-2"))
        ]
    );
    let task = tasks[1]["TaskID"].as_str().unwrap_or_default();
    let (status, ship) = h.get(&format!("/sale/fulfilment/ship?TaskID={task}")).await;
    assert_eq!(
        (
            status,
            ship["TaskID"].as_str(),
            ship["Lines"][0]["IsShipped"].as_bool()
        ),
        (200, Some(task), Some(true))
    );
    assert!(
        ship.get("SaleID").is_none(),
        "the ship object carries no SaleID"
    );

    // Nothing is left: a further shipment changes nothing.
    h.emu.ship(901, &[], Some("RM-3"));
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(sale["Fulfilments"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn an_order_not_yet_authorised_shows_no_fulfilment_and_cannot_ship() {
    let h = Harness::default().await;
    let id = h.new_sale("Acme Retail Group", "3100").await;
    h.emu.ship(3100, &[], Some("X"));
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(
        statuses(&sale)[1..],
        [
            "NOT AVAILABLE",
            "NOT AVAILABLE",
            "NOT AVAILABLE",
            "NOT AVAILABLE"
        ]
    );
    assert_eq!(sale["Fulfilments"], json!([]));
    let (status, _) = h.get("/sale/fulfilment/ship?TaskID=not-a-guid").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_shipment_fires_shipment_authorised_and_tracking_number_changed() {
    // Arrange: 6000x, so a scenario minute is 10 ms.
    let h = Harness::start(&super::default_scenario(), 6000.0).await;
    let (hooks, seen) = receiver().await;
    for (kind, path) in [
        ("Sale/ShipmentAuthorised", "shipped"),
        ("Sale/ShipmentTrackingNumberChanged", "tracking"),
    ] {
        let body = json!({"Type": kind, "IsActive": true, "ExternalURL": format!("{hooks}/{path}"),
                          "ExternalAuthorizationType": "noauth"});
        assert_eq!(h.post("/webhooks", body).await.0, 200);
    }
    let background = h.emu.spawn_background();
    let (_, listed) = h.get("/saleList?ExternalID=901").await;
    let id = listed["SaleList"][0]["SaleID"]
        .as_str()
        .unwrap_or_default()
        .to_uppercase();

    // Act
    h.emu.ship(901, &[], Some("DPD-42"));
    wait_for(|| seen.lock().map(|s| s.len() >= 2).unwrap_or(false)).await;
    background.abort();

    // Assert: the documented keys, the sale id upper case, dates dd/MM/yyyy.
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let body = |p: &str| {
        seen.iter()
            .find(|(path, _, _)| path == p)
            .map(|s| s.2.clone())
            .unwrap_or_default()
    };
    let authorised = body("/shipped");
    let keys: Vec<&str> = authorised
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys.len(),
        7,
        "SaleTaskID, TenantID, OrderNumber, CustomerName, CustomerContactName, CustomerContactEmail, EventType: {authorised}"
    );
    assert_eq!(
        (
            authorised["SaleTaskID"].as_str(),
            authorised["OrderNumber"].as_str()
        ),
        (Some(id.as_str()), Some("SO-00001"))
    );
    let tracking = body("/tracking");
    assert_eq!(tracking["SaleID"].as_str(), Some(id.as_str()));
    assert_eq!(tracking["Shipments"][0]["TrackingNumber"], "DPD-42");
    assert_eq!(tracking["Shipments"][0]["Carrier"], "DEFAULT Carrier");
    let date = tracking["Shipments"][0]["ShipmentDate"]
        .as_str()
        .unwrap_or_default();
    assert!(
        date.len() == 10 && &date[2..3] == "/" && &date[5..6] == "/",
        "{date}"
    );
}

#[tokio::test]
async fn a_client_picks_packs_and_ships_through_the_api_in_order() {
    // Arrange: seeded sale 901, 10 TEE-BLK-M authorised; a simple sale's task id is its sale id.
    let h = Harness::default().await;
    let (_, listed) = h.get("/saleList?ExternalID=901").await;
    let id = listed["SaleList"][0]["SaleID"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let pick = |task: &str, q: u32| {
        json!({"TaskID": task, "Status": "AUTHORISED",
        "Lines": [{"SKU": "TEE-BLK-M", "Location": "Main Warehouse", "Quantity": q}]})
    };
    let pack = |task: &str, q: u32| {
        json!({"TaskID": task, "Status": "AUTHORISED",
        "Lines": [{"SKU": "TEE-BLK-M", "Quantity": q, "Box": "Box 1"}]})
    };
    let ship = |task: &str, status: &str, tracking: &str| {
        json!({"TaskID": task, "Status": status,
        "Lines": [{"ShipmentDate": "2026-11-02", "Box": "Box 1", "Carrier": "DPD", "TrackingNumber": tracking, "IsShipped": true}]})
    };

    // Act and assert: each stage refuses to run before the one it follows.
    assert_eq!(h.post("/sale/fulfilment/pack", pack(&id, 4)).await.0, 400);
    assert_eq!(
        h.post("/sale/fulfilment/pick", pick(&id, 11)).await.0,
        400,
        "more than ordered"
    );
    let (status, picked) = h.post("/sale/fulfilment/pick", pick(&id, 4)).await;
    assert_eq!(
        (status, picked["Status"].as_str()),
        (200, Some("AUTHORISED")),
        "{picked}"
    );
    assert_eq!(
        h.post("/sale/fulfilment/pick", pick(&id, 4)).await.0,
        400,
        "already picked"
    );
    assert_eq!(
        h.post("/sale/fulfilment/ship", ship(&id, "AUTHORISED", ""))
            .await
            .0,
        400,
        "not packed"
    );
    assert_eq!(
        h.post("/sale/fulfilment/pack", pack(&id, 3)).await.0,
        400,
        "part of the pick"
    );
    assert_eq!(h.post("/sale/fulfilment/pack", pack(&id, 4)).await.0, 200);
    let undated = json!({"TaskID": id, "Status": "AUTHORISED", "Lines": [{"Box": "Box 1"}]});
    assert_eq!(h.post("/sale/fulfilment/ship", undated).await.0, 400);
    let (status, shipped) = h
        .post("/sale/fulfilment/ship", ship(&id, "AUTHORISED", ""))
        .await;
    assert_eq!(
        (status, shipped["Status"].as_str()),
        (200, Some("AUTHORISED")),
        "{shipped}"
    );
    assert_eq!(
        h.stock("TEE-BLK-M", "Main Warehouse").await,
        (96.0, 6.0, 90.0)
    );
    assert_eq!(
        h.post("/sale/fulfilment/ship", ship(&id, "AUTHORISED", ""))
            .await
            .0,
        400,
        "already shipped"
    );
    let mut add = ship(&id, "AUTHORISED", "DPD-9");
    add["AddTrackingNumbers"] = json!(true);
    assert_eq!(
        h.call(Method::PUT, "/sale/fulfilment/ship", Some(add))
            .await
            .0,
        200
    );
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(
        (
            sale["CombinedShippingStatus"].as_str(),
            sale["CombinedTrackingNumbers"].as_str()
        ),
        (Some("PARTIALLY SHIPPED"), Some("DPD-9"))
    );

    // Act: a second task for the rest, picked automatically, shipped box by box.
    let (status, tasks) = h.post("/sale/fulfilment", json!({"SaleID": id})).await;
    assert_eq!(status, 200, "{tasks}");
    let task = tasks["Fulfilments"][1]["TaskID"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, auto) = h
        .post(
            "/sale/fulfilment/pick",
            json!({"TaskID": task, "AutoPickMode": "AUTOPICK"}),
        )
        .await;
    assert_eq!(
        (status, auto["Lines"][0]["Quantity"].as_f64()),
        (200, Some(6.0)),
        "{auto}"
    );
    assert_eq!(h.post("/sale/fulfilment/pack", pack(&task, 6)).await.0, 200);
    let (_, partial) = h
        .post(
            "/sale/fulfilment/ship",
            ship(&task, "PARTIALLY AUTHORISED", "DPD-10"),
        )
        .await;

    // Assert: its only box shipped, so the shipment is authorised and the sale has shipped.
    assert_eq!(partial["Status"], "AUTHORISED");
    let sale = h.get(&format!("/sale?ID={id}")).await.1;
    assert_eq!(
        statuses(&sale)[1..],
        ["PICKED", "PACKED", "SHIPPED", "FULFILLED"]
    );
    assert_eq!(
        (
            sale["Type"].as_str(),
            sale["CombinedTrackingNumbers"].as_str()
        ),
        (Some("Advanced Sale"), Some("DPD-9, DPD-10"))
    );
    assert_eq!(
        h.stock("TEE-BLK-M", "Main Warehouse").await,
        (90.0, 0.0, 90.0)
    );
}
