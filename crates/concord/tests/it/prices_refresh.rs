//! Price refresh costs what changed: after the first whole read a refresh reads no price list
//! again until its safety cadence, an order's prices are re-read by product, and the push sends
//! Cin7 only the products whose prices changed. Asserted from the emulators' API logs.

use crate::helpers::{spawn_parts, Parts};
use concord::config::Schedule;
use concord::domain::{OroLine, OroOrder};
use concord::scenario_gen::{generate, GenerateOptions};
use concord::sync::prices::push;
use rust_decimal::Decimal;
use serde_json::Value;
use std::sync::Arc;

/// A catalogue big enough that a whole list takes several 1,000-row pages.
fn big_catalogue() -> Value {
    generate(&GenerateOptions {
        orders: 6,
        skus: 1500,
        seed: 7,
        ..Default::default()
    })
}

fn oro_calls(parts: &Parts, path_end: &str) -> usize {
    parts
        .emulators
        .oro
        .api_log()
        .iter()
        .filter(|e| e.method == "GET" && e.path.ends_with(path_end))
        .count()
}

fn cin7_puts(parts: &Parts) -> usize {
    parts
        .emulators
        .cin7
        .api_log()
        .iter()
        .filter(|e| e.method == "PUT" && e.path.to_lowercase().ends_with("/product"))
        .count()
}

/// A customer assigned to list 1, and a SKU with an `each` price at quantity 1 in that list.
fn list_one_customer_and_sku(scenario: &Value) -> (i64, String, Decimal) {
    let customer = scenario["oro"]["price_list_assignments"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["price_list"] == 1))
        .and_then(|x| x["customer"].as_i64())
        .expect("a customer on list 1");
    let price = scenario["oro"]["price_lists"][0]["prices"]
        .as_array()
        .and_then(|p| {
            p.iter()
                .find(|x| x["unit"] == "each" && x["quantity"] == "1")
        })
        .expect("an each price on list 1");
    (
        customer,
        price["sku"].as_str().unwrap().to_owned(),
        price["value"].as_str().unwrap().parse().unwrap(),
    )
}

fn order(customer: i64, sku: &str, price: Decimal) -> OroOrder {
    OroOrder {
        id: 990_001,
        identifier: "SO-990001".into(),
        po_number: None,
        customer_id: customer,
        currency: "GBP".into(),
        internal_status: None,
        status: None,
        shipping_status: None,
        updated_at: "2026-11-02T08:00:00Z".into(),
        total: price,
        shipping_amount: Decimal::ZERO,
        shipping_tax: None,
        tax_total: None,
        lines: vec![OroLine {
            id: "1".into(),
            sku: sku.into(),
            unit: "each".into(),
            quantity: Decimal::ONE,
            price,
            tax: None,
        }],
        discounts: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_change_is_read_by_product_and_only_that_product_is_pushed() {
    // Arrange: everything loaded and mirrored once.
    let scenario = big_catalogue();
    assert_eq!(scenario["oro"]["price_lists"][0]["id"], 1);
    let parts = spawn_parts(&scenario.to_string(), 60.0).await;
    let ctx = &parts.ctx;
    ctx.refresh_oro().await.unwrap();
    let whole_read = oro_calls(&parts, "/productprices");
    assert!(
        whole_read >= 4,
        "two lists of several pages each, read {whole_read}"
    );
    push::sync(ctx, false).await.unwrap();
    let (customer, sku, old) = list_one_customer_and_sku(&scenario);
    let new = old + Decimal::new(25, 2);
    parts
        .emulators
        .oro
        .set_price(1, &sku, "each", Decimal::ONE, new);
    let puts_before = cin7_puts(&parts);

    // Act 1: a refresh inside the cadence reads no price list (nothing says one changed).
    ctx.refresh_oro().await.unwrap();
    assert_eq!(oro_calls(&parts, "/productprices"), whole_read);
    // A quiet push compares nothing and sends nothing.
    assert_eq!(push::sync(ctx, false).await.unwrap(), (0, 0));

    // Act 2: an order at the new price re-reads its own product's prices: one page.
    ctx.read_order_prices(&order(customer, &sku, new), true)
        .await
        .unwrap();
    assert_eq!(oro_calls(&parts, "/productprices"), whole_read + 1);
    let (drifted, pushed) = push::sync(ctx, false).await.unwrap();

    // Assert: only the product whose price changed reached Cin7.
    assert_eq!((drifted, pushed), (1, 1));
    assert_eq!(cin7_puts(&parts), puts_before + 1);
    let state = parts.emulators.cin7.state();
    let tier = state["products"]
        .as_array()
        .and_then(|p| p.iter().find(|x| x["SKU"] == sku.as_str()))
        .map(|p| p["PriceTiers"]["Trade"].clone());
    assert_eq!(
        tier.and_then(|t| t.as_f64()),
        Some(new.to_string().parse::<f64>().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_safety_cadence_reads_every_list_whole_and_pushes_what_changed() {
    // Arrange: a process whose lists are due for their safety read at once.
    let scenario = big_catalogue();
    let mut parts = spawn_parts(&scenario.to_string(), 60.0).await;
    parts.ctx.schedule = Arc::new(Schedule {
        price_full_read_s: 0.0,
        ..Schedule::default()
    });
    let ctx = &parts.ctx;
    ctx.refresh_oro().await.unwrap();
    let whole_read = oro_calls(&parts, "/productprices");
    push::sync(ctx, false).await.unwrap();
    assert_eq!(oro_calls(&parts, "/productprices"), 2 * whole_read);
    let (_, sku, old) = list_one_customer_and_sku(&scenario);
    parts
        .emulators
        .oro
        .set_price(1, &sku, "each", Decimal::ONE, old + Decimal::ONE);
    let puts_before = cin7_puts(&parts);

    // Act
    let (drifted, pushed) = push::sync(ctx, false).await.unwrap();

    // Assert: both lists read whole again; the one changed product pushed.
    assert_eq!(oro_calls(&parts, "/productprices"), 3 * whole_read);
    assert_eq!((drifted, pushed), (1, 1));
    assert_eq!(cin7_puts(&parts), puts_before + 1);
}
