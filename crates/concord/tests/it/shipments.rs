//! Shipments back to Oro (spec 4.4), one piece at a time against both emulators: nothing is
//! written for a sale that has shipped nothing, each tracking number lands once even when a write
//! was made before a crash, and a task id in a webhook still finds its sale.

use crate::helpers::{scenario_file, spawn_parts, Parts, SPEED};
use concord::domain::ShipmentPrompt;
use concord::sync::orders::record::{self, OrderRecord};
use concord::sync::shipments;
use concord_core::scenario::ShipLine;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// trade-shop with Oro order 901 and its authorised Cin7 sale (10 TEE-GRN) there from the start.
async fn parts_with_sale() -> (Parts, String) {
    let mut scenario = scenario_file("trade-shop.json");
    scenario["oro"]["orders"] = json!([{"id": 901, "identifier": "W-901", "po_number": null, "customer": 2,
        "customer_user": 21, "currency": "GBP", "checkout": false, "internal_status": "open", "status": null,
        "lines": [{"sku": "TEE-GRN", "unit": "each", "quantity": "10", "price": "10.00", "tax": "20.00"}],
        "shipping": {"amount": "15.00", "tax": "3.00"}}]);
    scenario["cin7"]["sales"] = json!([{"external_id": "901", "customer": "Kestrel Retail Group",
        "status": "AUTHORISED", "lines": [{"sku": "TEE-GRN", "quantity": "10", "price": "10.00", "tax": "20.00"}],
        "shipping": {"amount": "15.00", "tax": "3.00"}}]);
    let parts = spawn_parts(&scenario.to_string(), SPEED).await;
    record::save(&parts.ctx.store, &OrderRecord::new(901, 0.0))
        .await
        .expect("record");
    let sale_id = parts.emulators.dump()["cin7"]["sales"][0]["ID"]
        .as_str()
        .expect("a seeded sale")
        .to_owned();
    (parts, sale_id)
}

fn oro_order(parts: &Parts) -> Value {
    let orders = parts.emulators.dump()["oro"]["orders"].clone();
    orders
        .as_array()
        .and_then(|o| o.iter().find(|o| o["id"] == 901).cloned())
        .unwrap_or_default()
}

fn prompt(id: &str, names_sale: bool) -> ShipmentPrompt {
    ShipmentPrompt {
        id: id.to_lowercase(),
        order_number: Some("SO-00001".into()),
        names_sale,
    }
}

#[tokio::test]
async fn each_tracking_number_reaches_oro_once_and_the_status_follows_cin7() {
    // Arrange
    let (parts, sale_id) = parts_with_sale().await;
    let ctx = &parts.ctx;

    // Act: a prompt before anything shipped changes nothing.
    shipments::sync_prompt(ctx, &prompt(&sale_id, true))
        .await
        .expect("sync");
    // Assert
    assert_eq!(oro_order(&parts)["shipping_status"], "not_shipped");
    assert!(!shipments::is_fully_shipped(&ctx.store, 901)
        .await
        .expect("store"));

    // Arrange: 4 ship with T1, and T1 already reached Oro once (a crash after the POST).
    let four = ShipLine {
        sku: "TEE-GRN".into(),
        quantity: Decimal::from(4),
    };
    parts.emulators.cin7.ship(901, &[four], Some("T1"));
    ctx.oro
        .add_tracking(901, "DEFAULT Carrier", "T1")
        .await
        .expect("tracking");
    // Act: the prompt twice (both webhooks of the shipment, or a redelivery).
    shipments::sync_prompt(ctx, &prompt(&sale_id, true))
        .await
        .expect("sync");
    shipments::sync_prompt(ctx, &prompt(&sale_id, true))
        .await
        .expect("sync");
    // Assert
    let order = oro_order(&parts);
    assert_eq!(
        (
            order["shipping_status"].clone(),
            order["tracking_numbers"].clone()
        ),
        (json!("partially_shipped"), json!(["T1"]))
    );
    assert!(!shipments::is_fully_shipped(&ctx.store, 901)
        .await
        .expect("store"));

    // Arrange: the rest ships with T2 as a second fulfilment task.
    parts.emulators.cin7.ship(901, &[], Some("T2"));
    let fulfilments = parts.emulators.dump()["cin7"]["sales"][0]["Fulfilments"].clone();
    let task = fulfilments[1]["TaskID"]
        .as_str()
        .expect("a second task")
        .to_owned();
    assert_ne!(task.to_lowercase(), sale_id.to_lowercase());
    // Act: Sale/ShipmentAuthorised names the task, not the sale.
    shipments::sync_prompt(ctx, &prompt(&task, false))
        .await
        .expect("sync");
    // Assert
    let order = oro_order(&parts);
    assert_eq!(
        (
            order["shipping_status"].clone(),
            order["tracking_numbers"].clone()
        ),
        (json!("shipped"), json!(["T1", "T2"]))
    );
    assert!(shipments::is_fully_shipped(&ctx.store, 901)
        .await
        .expect("store"));
    let stored = parts
        .ctx
        .store
        .records(shipments::RECORD, Some("shipped"))
        .await
        .expect("records");
    assert_eq!(stored.len(), 1);
}
