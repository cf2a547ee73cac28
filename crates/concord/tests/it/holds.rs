//! Orders that break a hold rule wait for a person with the right exception; rules that only shape
//! the sale (tax allocation, who is billed) are honoured to the penny.

use crate::helpers::{
    cents, check, line, order_event, scenario_file, spawn_app, with_timeline, TestApp,
};
use serde_json::{json, Value};

/// The trade shop plus what the hold rules need: a SKU Oro sells but Cin7 does not know, a pallet
/// unit with no Cin7 pack product, and a Norwegian account that Cin7 bills in EUR.
fn shop() -> Value {
    let mut s = scenario_file("trade-shop.json");
    s["oro"]["products"]
        .as_array_mut()
        .expect("products")
        .push(json!(
        { "sku": "SOCK-PNK", "name": "Socks pink", "inventory": { "each": "0" },
          "units": [ { "code": "each", "conversion_rate": "1", "precision": 0 } ] }));
    s["oro"]["products"][1]["units"]
        .as_array_mut()
        .expect("mug units")
        .push(json!(
        { "code": "pallet", "conversion_rate": "120", "precision": 0 }));
    s["oro"]["customers"]
        .as_array_mut()
        .expect("customers")
        .push(json!(
        { "id": 4, "name": "Fjord Handel AS", "parent": null }));
    s["oro"]["customer_users"]
        .as_array_mut()
        .expect("users")
        .push(json!(
        { "id": 41, "customer": 4, "email": "innkjop@fjord.example" }));
    s["cin7"]["customers"].as_array_mut().expect("cin7 customers").push(json!(
        { "name": "Fjord Handel AS", "currency": "EUR", "payment_term": "30 days", "on_credit_hold": false }));
    s
}

/// Runs the shop with these orders, plus one clean order (9001) that must flow regardless.
async fn run(name: &str, mut shop: Value, orders: Vec<Value>) -> TestApp {
    shop["name"] = json!(name);
    let clean = order_event(
        1200,
        9001,
        2,
        21,
        false,
        vec![line("CAP-RED", "each", 4, 600)],
    );
    spawn_app(&with_timeline(shop, orders.into_iter().chain([clean]))).await
}

fn assert_held(app: &TestApp, order_id: i64, kind: &str) {
    let subject = format!("order:{order_id}");
    assert_eq!(
        app.exceptions(kind, &subject).len(),
        1,
        "{kind} for {subject}: {:?}",
        app.exception_kinds()
    );
    let live: Vec<_> = app
        .sales_for(order_id)
        .into_iter()
        .filter(|s| s["Order"]["Status"] == "AUTHORISED")
        .collect();
    assert!(
        live.is_empty(),
        "{subject} is held but has an authorised sale"
    );
    assert_eq!(app.sales_for(9001).len(), 1, "the clean order did not flow");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_for_a_sku_cin7_does_not_know_is_held_as_sku_unknown() {
    // Arrange
    let order = order_event(
        600,
        7001,
        2,
        21,
        false,
        vec![line("SOCK-PNK", "each", 10, 300)],
    );

    // Act
    let app = run("sku-unknown", shop(), vec![order]).await;

    // Assert
    assert_held(&app, 7001, "sku_unknown");
    assert!(
        app.sales_for(7001).is_empty(),
        "no sale at all for a held order"
    );
    assert_eq!(
        app.exceptions("sku_unknown", "order:7001")[0]["owner"],
        "ecommerce"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_with_no_cin7_pack_product_is_held_as_unit_unmapped() {
    // Arrange: a pallet is 120 mugs in Oro, and Cin7 has no 120-pack.
    let order = order_event(
        600,
        7002,
        2,
        21,
        false,
        vec![line("MUG-BLU", "pallet", 1, 45000)],
    );

    // Act
    let app = run("unit-unmapped", shop(), vec![order]).await;

    // Assert
    assert_held(&app, 7002, "unit_unmapped");
    assert!(app.sales_for(7002).is_empty());
    let (_, failed, output) = check(&app, &["orders", "exceptions"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_whose_total_does_not_add_up_is_held_as_tax_mismatch() {
    // Arrange: lines 100.00 + tax 20.00 + shipping 18.00 is 138.00, Oro reports 183.00.
    let mut order = order_event(
        600,
        7003,
        3,
        31,
        false,
        vec![line("TEE-GRN", "each", 10, 1000)],
    );
    order["order"]["total"] = json!("183.00");

    // Act
    let app = run("tax-mismatch", shop(), vec![order]).await;

    // Assert
    assert_held(&app, 7003, "tax_mismatch");
    assert_eq!(
        app.exceptions("tax_mismatch", "order:7003")[0]["owner"],
        "finance"
    );
    // A held order still holds its stock back from Oro.
    let (_, failed, output) = check(&app, &["orders", "exceptions", "stock"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_in_another_currency_than_its_cin7_customer_is_held_as_currency_mismatch() {
    // Arrange: Fjord Handel trades in EUR in Cin7; this order is in GBP.
    let order = order_event(
        600,
        7004,
        4,
        41,
        false,
        vec![line("CAP-RED", "each", 12, 600)],
    );

    // Act
    let app = run("currency-mismatch", shop(), vec![order]).await;

    // Assert
    assert_held(&app, 7004, "currency_mismatch");
    let (_, failed, output) = check(&app, &["orders", "customers", "exceptions"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_only_a_tax_total_the_line_taxes_are_allocated_by_largest_remainder_to_the_penny() {
    // Arrange: nets 10.00, 8.00 and 6.00 share a tax total of 4.81 (deliberately not 20 %):
    // exact shares 2.0042, 1.6033, 1.2025; the spare penny goes to the largest remainder.
    let mut shop = shop();
    shop["oro"]["tax_detail"] = json!("total_only");
    let mut order = order_event(
        600,
        7005,
        2,
        21,
        false,
        vec![
            line("TEE-GRN", "each", 1, 1000),
            line("MUG-BLU", "each", 2, 400),
            line("CAP-RED", "each", 1, 600),
        ],
    );
    for (n, tax) in ["2.00", "1.61", "1.20"].iter().enumerate() {
        order["order"]["lines"][n]["tax"] = json!(tax);
    }

    // Act
    let app = run("tax-total-only", shop, vec![order]).await;

    // Assert
    let sale = app.sales_for(7005);
    assert_eq!(sale.len(), 1, "{:?}", app.exception_kinds());
    let lines = sale[0]["Order"]["Lines"].as_array().expect("sale lines");
    let tax_of = |sku: &str| {
        lines
            .iter()
            .find(|l| l["SKU"] == sku)
            .map(|l| cents(&l["Tax"]))
    };
    let taxes = [tax_of("TEE-GRN"), tax_of("MUG-BLU"), tax_of("CAP-RED")];
    assert_eq!(
        taxes,
        [Some(201), Some(160), Some(120)],
        "line taxes in pence"
    );
    let (_, failed, output) = check(&app, &["orders", "exceptions"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_financial_entity_self_the_ordering_branch_is_billed_not_its_group() {
    // Arrange
    let mut shop = shop();
    shop["settings"]["financial_entity"] = json!("self");
    let order = order_event(
        600,
        7006,
        2,
        21,
        false,
        vec![line("TEE-GRN", "case", 1, 12000)],
    );

    // Act
    let app = run("bill-self", shop, vec![order]).await;

    // Assert: Kestrel Leeds is new to Cin7, so it is created on credit hold and the sale waits.
    let sale = app.sales_for(7006);
    assert_eq!(sale.len(), 1, "{:?}", app.exception_kinds());
    assert_eq!(sale[0]["Customer"], "Kestrel Leeds");
    assert_eq!(sale[0]["Order"]["Status"], "DRAFT");
    assert_eq!(
        app.exceptions("customer_pending_approval", "customer:2")
            .len(),
        1
    );
    let leeds: Vec<&Value> = app.dump["cin7"]["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter(|c| c["Name"] == "Kestrel Leeds")
        .collect();
    assert_eq!(leeds.len(), 1, "exactly one Cin7 customer for the branch");
    assert_eq!(leeds[0]["IsOnCreditHold"], true);
    assert_eq!(leeds[0]["PaymentTerm"], "Proforma");
    let (_, failed, output) = check(&app, &["orders", "customers", "exceptions"]);
    assert_eq!(failed, 0, "{output}");
}
