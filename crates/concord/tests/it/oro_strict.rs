//! The Oro connector against an Oro emulator as strict as the real one: `updatedAt` ties in any
//! order, a sync batch that turns async, translated subtotal rows shaped by configuration, tax
//! codes reached through customers' and products' `taxCode`.

use crate::helpers::{line, scenario_file, spawn_parts, Parts, SPEED};
use concord::connectors::oro::OroError;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn seeded_order(id: i64) -> Value {
    json!({"id": id, "identifier": format!("W-{id}"), "customer": 2, "customer_user": 21, "currency": "GBP",
           "checkout": false, "lines": [line("TEE-GRN", "each", 2, 1000), line("MUG-BLU", "each", 1, 400)],
           "shipping": {"amount": "5.00", "tax": "1.00"}})
}

async fn parts_with(edit: impl FnOnce(&mut Value)) -> Parts {
    let mut scenario = scenario_file("trade-shop.json");
    scenario["name"] = json!("oro-strict");
    edit(&mut scenario);
    spawn_parts(&scenario.to_string(), SPEED).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_returns_every_order_once_when_hundreds_share_one_updated_at_second() {
    // 250 orders seeded at the scenario start share one `updatedAt`; the emulator returns ties in
    // a fresh order per request, so page-number paging over them skipped and repeated orders.
    let parts = parts_with(|s| {
        s["oro"]["orders"] = Value::Array((5001..=5250).map(seeded_order).collect());
    })
    .await;
    for since in [None, Some("2000-01-01T00:00:00Z")] {
        let orders = parts.ctx.oro.orders_since(since).await.unwrap();
        let ids: BTreeSet<i64> = orders.iter().map(|o| o.id).collect();
        assert_eq!(orders.len(), 250, "each order once");
        assert_eq!(ids, (5001..=5250).collect::<BTreeSet<_>>());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_level_batch_that_went_async_is_followed_to_its_end_and_refusals_named() {
    let parts = parts_with(|s| s["oro"]["faults"]["slow_sync_batch_rate"] = json!(1.0)).await;
    let levels = parts.ctx.oro.inventory_levels().await.unwrap();
    let first = levels[0].id.clone();
    parts
        .ctx
        .oro
        .update_levels(&[(first.clone(), Decimal::from(7))])
        .await
        .unwrap();
    let after = parts.ctx.oro.inventory_levels().await.unwrap();
    let level = after.iter().find(|l| l.id == first).unwrap();
    assert_eq!(
        level.quantity,
        Decimal::from(7),
        "the async operation was waited for"
    );

    let refused = parts
        .ctx
        .oro
        .update_levels(&[
            (first.clone(), Decimal::from(8)),
            ("424242".into(), Decimal::ONE),
        ])
        .await;
    match refused {
        Err(OroError::BatchRefused { failed, .. }) => {
            assert_eq!(failed.len(), 1, "{failed:?}");
            assert_eq!(failed[0].id, "424242");
            assert!(failed[0].pointer.starts_with("/data/1"), "{failed:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taxes_are_read_by_row_type_whatever_the_labels_and_rows() {
    let mut read = Vec::new();
    for subtotals in [
        json!({}),
        json!({"locale": "de"}),
        json!({"locale": "fr", "split_tax": false, "promotions": false}),
    ] {
        let parts = parts_with(|s| {
            s["oro"]["orders"] = json!([seeded_order(5001)]);
            s["oro"]["subtotals"] = subtotals.clone();
        })
        .await;
        let order = parts.ctx.oro.order(5001).await.unwrap();
        let line_taxes: Vec<Option<Decimal>> = order.lines.iter().map(|l| l.tax).collect();
        read.push((order.shipping_tax, order.tax_total, line_taxes, subtotals));
    }
    for (shipping_tax, tax_total, line_taxes, subtotals) in &read {
        assert_eq!(*shipping_tax, Some(Decimal::ONE), "{subtotals}");
        assert_eq!(*tax_total, Some(Decimal::new(580, 2)), "{subtotals}");
        assert_eq!(
            *line_taxes,
            vec![Some(Decimal::new(400, 2)), Some(Decimal::new(80, 2))],
            "{subtotals}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_discounts_are_read_with_it_and_its_shipping_tax_still_told_apart() {
    for subtotals in [json!({}), json!({"locale": "de", "promotions": false})] {
        let parts = parts_with(|s| {
            let mut order = seeded_order(5001);
            order["discounts"] = json!([{"description": "Spring promotion", "amount": "2.40"}]);
            s["oro"]["orders"] = json!([order]);
            s["oro"]["subtotals"] = subtotals.clone();
        })
        .await;
        let order = parts.ctx.oro.order(5001).await.unwrap();
        assert_eq!(
            order.discounts,
            vec![concord::domain::OrderDiscount {
                description: "Spring promotion".into(),
                amount: Decimal::new(240, 2)
            }],
            "{subtotals}"
        );
        // 24.00 of lines − 2.40 + 4.80 line tax + 5.00 shipping + 1.00 shipping tax.
        assert_eq!(order.total, Decimal::new(3240, 2), "{subtotals}");
        assert_eq!(order.shipping_tax, Some(Decimal::ONE), "{subtotals}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_and_products_read_their_own_tax_codes_through_the_emulators_tax_code_resources()
{
    // The parent customer and two products have codes; the child customers have none of their
    // own (Concord's sync, not the reader, gives them the parent's).
    let parts = parts_with(|s| {
        s["oro"]["customers"][0]["tax_code"] = json!("DOMESTIC");
        s["oro"]["products"][0]["tax_code"] = json!("GOODS");
        s["oro"]["products"][1]["tax_code"] = json!("ZERO");
    })
    .await;

    let customers = parts.ctx.oro.customers().await.unwrap();
    let products = parts.ctx.oro.products().await.unwrap();

    let customer_codes: Vec<(i64, Option<&str>)> = customers
        .iter()
        .map(|c| (c.id, c.tax_code.as_deref()))
        .collect();
    assert_eq!(
        customer_codes,
        [(1, Some("DOMESTIC")), (2, None), (3, None)]
    );
    let product_codes: Vec<(&str, Option<&str>)> = products
        .iter()
        .map(|p| (p.sku.as_str(), p.tax_code.as_deref()))
        .collect();
    assert_eq!(
        product_codes,
        [
            ("TEE-GRN", Some("GOODS")),
            ("MUG-BLU", Some("ZERO")),
            ("CAP-RED", None)
        ]
    );
}
