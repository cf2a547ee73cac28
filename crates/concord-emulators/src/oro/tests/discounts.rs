//! Order discounts (reference §12): a scenario order's discounts are `orderdiscounts` of the amount
//! type, counted in `totalDiscountsAmount` and taken off the order's total.

use super::{order, parse_order, scenario, Harness};
use serde_json::json;

#[tokio::test]
async fn an_orders_discounts_are_orderdiscounts_and_come_off_its_total() {
    // Arrange: W-904 is 2 × 108.00 + 3 × 10.00 = 246.00 of lines, 49.20 tax, 12.00 shipping.
    let mut with_discounts = order(904, "W-904", 2, "10.00", None);
    with_discounts["discounts"] = json!([{"description": "Spring promotion", "amount": "12.30"},
                                         {"description": "Coupon SAVE5", "amount": "5.00"}]);
    let mut s = scenario("per_line", 3600, false);
    s.oro.orders.push(parse_order(with_discounts));
    let h = Harness::start(&s).await;
    let token = h.token().await;

    // Act
    let (status, _, doc) = h.get(&token, "/admin/api/orders/904").await;
    let (_, _, listed) = h
        .get(&token, "/admin/api/orderdiscounts?filter[order]=904")
        .await;

    // Assert
    assert_eq!(status, 200, "{doc}");
    let attributes = &doc["data"]["attributes"];
    assert_eq!(attributes["totalDiscountsAmount"], "17.3000");
    assert_eq!(attributes["subtotalWithDiscountsValue"], "228.7000");
    assert_eq!(attributes["totalValue"], "289.9000");
    assert_eq!(
        doc["data"]["relationships"]["discounts"]["data"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let rows = listed["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2, "{listed}");
    assert_eq!(
        rows[0]["attributes"]["orderDiscountType"],
        "oro_order_discount_item_type_amount"
    );
    assert_eq!(rows[0]["attributes"]["amount"], "12.3000");
    assert_eq!(rows[0]["attributes"]["description"], "Spring promotion");
    assert_eq!(rows[0]["relationships"]["order"]["data"]["id"], "904");
    let (_, _, subtotals) = h
        .get(&token, "/admin/api/ordersubtotals?filter[order]=904")
        .await;
    let discount_rows: Vec<(String, String)> = subtotals["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["attributes"]["orderSubtotalType"] == "discount" && r["attributes"]["visible"] == true
        })
        .map(|r| {
            (
                r["attributes"]["label"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                r["attributes"]["signedAmount"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        discount_rows,
        vec![
            (
                "Spring promotion (Discount)".to_owned(),
                "-12.3000".to_owned()
            ),
            ("Coupon SAVE5 (Discount)".to_owned(), "-5.0000".to_owned())
        ]
    );
    // An order without discounts shows none and its total is unchanged.
    let (_, _, plain) = h.get(&token, "/admin/api/orders/901").await;
    assert_eq!(
        plain["data"]["attributes"]["totalDiscountsAmount"],
        serde_json::Value::Null
    );
    assert_eq!(plain["data"]["attributes"]["totalValue"], "307.2000");
}
