//! `orders`, `orderlineitems` and `ordersubtotals` as Oro 6.1 renders them (fixtures
//! `order_get_include_lineitems.json`, `orderlineitem_get.json`, `ordersubtotals_get_list.json`).

use super::organization_link;
use super::record::{Field, Link, Record};
use super::taxes::{Amounts, LineTax, TaxData};
use crate::oro::jsonapi::{iso, money, quantity_number};
use crate::oro::state::{OrderRec, State};
use concord_core::scenario::TaxDetail;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn order(st: &State, id: i64) -> Option<Value> {
    order_record(st, st.orders.get(&id)?).map(Record::into_value)
}

pub fn order_record(st: &State, o: &OrderRec) -> Option<Record> {
    let subtotal = o.subtotal();
    let shipping = o.shipping_amount.map(money);
    let line_ids = o.lines.iter().map(|l| l.id.to_string());
    let subtotal_ids = subtotal_ids(st, o);
    let attributes = vec![
        ("createdAt", json!(iso(o.created_at))),
        ("currency", json!(o.currency)),
        ("customerNotes", Value::Null),
        ("estimatedShippingCostAmount", json!(shipping)),
        ("external", json!(false)),
        ("externalId", json!(o.external_id)),
        ("identifier", json!(o.identifier)),
        ("overriddenShippingCostAmount", Value::Null),
        ("poNumber", json!(o.po_number)),
        ("shipUntil", Value::Null),
        (
            "shippingMethod",
            json!(shipping.as_ref().map(|_| "flat_rate_1")),
        ),
        (
            "shippingMethodType",
            json!(shipping.as_ref().map(|_| "primary")),
        ),
        ("sourceEntityIdentifier", Value::Null),
        ("subtotalValue", json!(money(subtotal))),
        (
            "subtotalWithDiscountsValue",
            json!(money(subtotal - o.discount_total())),
        ),
        // Filled from the manual `orderdiscounts` only (reference §12.2).
        (
            "totalDiscountsAmount",
            json!((!o.discounts.is_empty()).then(|| money(o.discount_total()))),
        ),
        ("totalValue", json!(money(o.total()))),
        ("updatedAt", json!(iso(o.updated_at))),
    ];
    let relationships = vec![
        ("billingAddress", Link::One(None)),
        (
            "customer",
            Link::one("customers", Some(o.customer.to_string())),
        ),
        (
            "customerUser",
            Link::one("customerusers", o.customer_user.map(|c| c.to_string())),
        ),
        (
            "discounts",
            Link::many(
                "orderdiscounts",
                o.discounts.iter().map(|d| d.id.to_string()),
            ),
        ),
        (
            "internalStatus",
            Link::one("orderinternalstatuses", Some(o.internal_status.clone())),
        ),
        ("lineItems", Link::many("orderlineitems", line_ids)),
        ("orderSubtotals", Link::many("ordersubtotals", subtotal_ids)),
        ("organization", organization_link()),
        ("owner", Link::one("users", Some("1".to_owned()))),
        ("parent", Link::One(None)),
        ("paymentTerm", Link::One(None)),
        ("shippingAddress", Link::One(None)),
        (
            "shippingStatus",
            Link::one("ordershippingstatuses", Some(o.shipping_status.clone())),
        ),
        (
            "shippingTrackings",
            Link::many(
                "ordershippingtrackings",
                st.tracking_ids(o.id).map(|t| t.to_string()),
            ),
        ),
        ("source", Link::One(None)),
        ("status", Link::one("orderstatuses", o.status.clone())),
        ("subOrders", Link::none()),
    ];
    Some(Record::new(
        "orders",
        o.id.to_string(),
        attributes,
        Some(relationships),
    ))
}

pub fn line_item(st: &State, id: i64) -> Option<Value> {
    line_item_record(st, id).map(Record::into_value)
}

pub fn line_item_record(st: &State, id: i64) -> Option<Record> {
    let o = st.order_of(id)?;
    let l = o.lines.iter().find(|l| l.id == id)?;
    let product = st.product_by_sku(&l.sku);
    let attributes = vec![
        ("comment", Value::Null),
        ("createdAt", json!(iso(o.created_at))),
        ("currency", json!(o.currency)),
        (
            "freeFormProduct",
            json!(if product.is_none() {
                Some(l.sku.clone())
            } else {
                None
            }),
        ),
        ("fromExternalSource", json!(false)),
        ("priceType", json!(10)),
        ("productName", json!(product.map(|p| p.name.clone()))),
        ("productSku", json!(l.sku)),
        ("productUnitCode", json!(l.unit)),
        ("productVariantFields", json!({})),
        ("quantity", quantity_number(l.quantity)),
        ("shipBy", Value::Null),
        ("shippingEstimateAmount", Value::Null),
        ("shippingMethod", Value::Null),
        ("shippingMethodType", Value::Null),
        ("updatedAt", json!(iso(o.updated_at))),
        ("value", json!(money(l.price))),
    ];
    let relationships = vec![
        ("kitItemLineItems", Link::none()),
        ("orders", Link::many("orders", [o.id.to_string()])),
        ("parentProduct", Link::One(None)),
        (
            "product",
            Link::one("products", product.map(|p| p.id.to_string())),
        ),
        (
            "productUnit",
            Link::one("productunits", Some(l.unit.clone())),
        ),
    ];
    Some(Record::new(
        "orderlineitems",
        l.id.to_string(),
        attributes,
        Some(relationships),
    ))
}

/// All subtotal rows of an order, in Oro's order.
pub fn subtotals(st: &State, order_id: i64) -> Vec<Value> {
    subtotal_records(st, order_id)
        .into_iter()
        .map(Record::into_value)
        .collect()
}

/// All subtotal rows of an order, rendered together (each row's id carries its position among
/// them).
pub fn subtotal_records(st: &State, order_id: i64) -> Vec<Record> {
    st.orders
        .get(&order_id)
        .map(|o| subtotal_rows(st, o))
        .unwrap_or_default()
}

/// One subtotal row by its composite id (`<orderId>-tax-4`).
pub fn subtotal(st: &State, id: &str) -> Option<Value> {
    let order_id = id.split('-').next()?.parse::<i64>().ok()?;
    let o = st.orders.get(&order_id)?;
    subtotal_rows(st, o)
        .into_iter()
        .find(|r| r.id == id)
        .map(Record::into_value)
}

/// The ids of an order's subtotal rows (as [`subtotal_rows`] numbers them), without rendering
/// the rows: an order lists them in every read.
fn subtotal_ids(st: &State, o: &OrderRec) -> Vec<String> {
    let config = &st.subtotals;
    let mut kinds = vec!["subtotal"];
    kinds.extend(o.discounts.iter().map(|_| "discount"));
    kinds.extend(config.promotions.then_some("discount"));
    kinds.push("shipping_cost");
    kinds.extend(config.promotions.then_some("discount"));
    kinds.extend(
        config
            .split_tax
            .then_some(["tax", "tax"])
            .into_iter()
            .flatten(),
    );
    kinds.push("tax");
    kinds
        .into_iter()
        .enumerate()
        .map(|(n, kind)| format!("{}-{kind}-{n}", o.id))
        .collect()
}

/// Row labels in the back-office language: subtotal, discount, shipping, shipping discount,
/// subtotal tax, shipping tax, tax. Oro translates them (`messages.<locale>.yml`), so a client
/// must tell rows apart by `orderSubtotalType` and figures, never by label.
fn labels(locale: &str) -> [&'static str; 7] {
    match locale {
        "de" => [
            "Zwischensumme",
            "Rabatt",
            "Versand",
            "Versandrabatt",
            "Steuer auf Zwischensumme",
            "Versandsteuer",
            "Steuer",
        ],
        "fr" => [
            "Sous-total",
            "Remise",
            "Livraison",
            "Remise sur la livraison",
            "Taxe sur le sous-total",
            "Taxe sur la livraison",
            "Taxe",
        ],
        _ => [
            "Subtotal",
            "Discount",
            "Shipping",
            "Shipping Discount",
            "Subtotal Tax",
            "Shipping Tax",
            "Tax",
        ],
    }
}

/// The rows of fixture `ordersubtotals_get_list.json` as this Oro's configuration shapes them
/// (`oro.subtotals`): subtotal, discount, shipping, shipping discount, subtotal tax, shipping tax,
/// tax, with labels in its language; without promotions the two discount rows are absent, and
/// without split taxes only the "tax" row is, itemising the lines itself. Ids carry the position,
/// so they shift with the rows. With `tax_detail: per_line` the row that itemises carries
/// `data.items` (one entry per line item, in line item order); with `total_only` only totals.
fn subtotal_rows(st: &State, o: &OrderRec) -> Vec<Record> {
    let cur = o.currency.as_str();
    let subtotal = o.subtotal();
    let line_tax = o.line_tax();
    let shipping = o.shipping_amount.unwrap_or_default();
    let currency: Arc<str> = Arc::from(cur);
    let items: Vec<LineTax> = o
        .lines
        .iter()
        .map(|l| {
            let unit_tax = if l.quantity.is_zero() {
                Decimal::ZERO
            } else {
                (l.tax / l.quantity).round_dp(4)
            };
            LineTax {
                unit: Amounts {
                    excluding: l.price,
                    tax: unit_tax,
                },
                row: Amounts {
                    excluding: l.quantity * l.price,
                    tax: l.tax,
                },
            }
        })
        .collect();
    let items = (st.tax_detail == TaxDetail::PerLine).then(|| Arc::new(items));
    let data = |excluding: Decimal, tax: Decimal, itemised: bool| TaxData::Total {
        currency: currency.clone(),
        total: Amounts { excluding, tax },
        items: items.clone().filter(|_| itemised),
    };
    let config = &st.subtotals;
    let label = labels(&config.locale);
    let discounts = o.discount_total();
    let per_line = st.tax_detail == TaxDetail::PerLine;
    let subtotal_tax = data(subtotal - discounts, line_tax, per_line);
    let all_tax = data(
        subtotal - discounts + shipping,
        line_tax + o.shipping_tax,
        per_line && !config.split_tax,
    );
    let mut all_rows: Vec<(bool, &str, String, Decimal, TaxData)> = vec![(
        true,
        "subtotal",
        label[0].to_owned(),
        subtotal,
        TaxData::None,
    )];
    // One row per manual discount, labelled "<description> (Discount)" (reference §12.3).
    all_rows.extend(o.discounts.iter().map(|d| {
        let text = if d.description.is_empty() {
            label[1].to_owned()
        } else {
            format!("{} ({})", d.description, label[1])
        };
        (true, "discount", text, d.amount, TaxData::None)
    }));
    all_rows.extend([
        (
            config.promotions,
            "discount",
            label[1].to_owned(),
            Decimal::ZERO,
            TaxData::None,
        ),
        (
            true,
            "shipping_cost",
            label[2].to_owned(),
            shipping,
            TaxData::None,
        ),
        (
            config.promotions,
            "discount",
            label[3].to_owned(),
            Decimal::ZERO,
            TaxData::None,
        ),
        (
            config.split_tax,
            "tax",
            label[4].to_owned(),
            line_tax,
            subtotal_tax,
        ),
        (
            config.split_tax,
            "tax",
            label[5].to_owned(),
            o.shipping_tax,
            data(shipping, o.shipping_tax, false),
        ),
        (
            true,
            "tax",
            label[6].to_owned(),
            line_tax + o.shipping_tax,
            all_tax,
        ),
    ]);
    let rows = all_rows
        .into_iter()
        .filter(|(present, ..)| *present)
        .map(|(_, kind, label, amount, data)| (kind, label, amount, data));
    rows.enumerate()
        .map(|(n, (kind, label, amount, data))| {
            let id = format!("{}-{kind}-{n}", o.id);
            let signed = if kind == "discount" && !amount.is_zero() {
                -amount
            } else {
                amount
            };
            let attributes = vec![
                ("amount", json!(money(amount))),
                ("currency", json!(cur)),
                ("label", json!(label)),
                ("orderSubtotalType", json!(kind)),
                ("signedAmount", json!(money(signed))),
                ("visible", json!(!amount.is_zero())),
            ];
            let relationships = vec![
                ("order", Link::one("orders", Some(o.id.to_string()))),
                ("priceList", Link::One(None)),
            ];
            Record::new("ordersubtotals", id, attributes, Some(relationships))
                .with_attribute("data", Field::Taxes(data))
        })
        .collect()
}
