//! Without webhooks from either system, polling alone syncs every order and notices when finance
//! lifts a credit hold.

use crate::helpers::{check, line, order_event, scenario_file, spawn_app, with_timeline};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_alone_syncs_every_order_and_authorises_drafts_once_a_credit_hold_is_lifted() {
    // Arrange: Osprey is new, so Cin7 gets it on credit hold and its first two orders wait as
    // drafts until finance lifts the hold at 1800 s; its third order comes after.
    let mut scenario = scenario_file("trade-shop.json");
    scenario["name"] = json!("no-webhooks");
    scenario["cin7"]["webhooks"] = json!(false);
    scenario["oro"]["webhooks"] = json!(false);
    let timeline = vec![
        json!({ "at_s": 300, "event": "oro_customer", "customer": { "id": 5, "name": "Osprey Outfitters", "parent": null } }),
        order_event(
            400,
            8001,
            2,
            21,
            false,
            vec![line("TEE-GRN", "each", 12, 1000)],
        ),
        order_event(
            600,
            8002,
            5,
            51,
            false,
            vec![line("MUG-BLU", "case", 2, 2400)],
        ),
        order_event(
            800,
            8003,
            3,
            31,
            true,
            vec![
                line("CAP-RED", "each", 6, 600),
                line("MUG-BLU", "each", 3, 400),
            ],
        ),
        order_event(
            1000,
            8004,
            5,
            51,
            true,
            vec![line("TEE-GRN", "case", 1, 12000)],
        ),
        json!({ "at_s": 1200, "event": "cin7_stock_adjust", "sku": "CAP-RED", "location": "Main Warehouse", "delta": "-50" }),
        json!({ "at_s": 1800, "event": "cin7_customer_update", "name": "Osprey Outfitters", "on_credit_hold": false }),
        order_event(
            2400,
            8005,
            5,
            51,
            false,
            vec![line("CAP-RED", "each", 10, 600)],
        ),
    ];
    scenario["oro"]["customer_users"]
        .as_array_mut()
        .expect("users")
        .push(json!({ "id": 51, "customer": 5, "email": "buying@osprey.example" }));
    let text = with_timeline(scenario, timeline);

    // Act
    let app = spawn_app(&text).await;

    // Assert
    for id in 8001..=8005 {
        assert_eq!(
            app.sales_for(id).len(),
            1,
            "order {id} has no single sale: {:?}",
            app.exception_kinds()
        );
    }
    for id in [8002, 8004, 8005] {
        let sale = &app.sales_for(id)[0];
        assert_eq!(sale["Customer"], "Osprey Outfitters");
        assert_eq!(
            sale["Order"]["Status"], "AUTHORISED",
            "order {id} still waits on a lifted hold"
        );
    }
    for id in [8002, 8004] {
        let created = app.sales_for(id)[0]["created_at_s"]
            .as_f64()
            .expect("created_at_s");
        assert!(
            created < 1800.0,
            "order {id} should have waited in Cin7 as a draft, created at {created}"
        );
    }
    assert_eq!(
        app.exceptions("customer_pending_approval", "customer:5")
            .len(),
        1
    );
    let subscriptions = ["cin7", "oro"].iter().flat_map(|sys| {
        app.dump["api_log"][sys]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| {
                c["method"] == "POST"
                    && c["path"].as_str().is_some_and(|p| p.ends_with("/webhooks"))
            })
    });
    assert_eq!(
        subscriptions.count(),
        0,
        "no system offers webhooks, so none should be registered"
    );
    let areas = [
        "exceptions",
        "orders",
        "customers",
        "stock",
        "prices",
        "reconcile",
    ];
    let (_, failed, output) = check(&app, &areas);
    assert_eq!(failed, 0, "{output}");
}
