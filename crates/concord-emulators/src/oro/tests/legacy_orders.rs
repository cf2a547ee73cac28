//! The orders, line items and subtotal rows renderer as it was before records were rendered flat (`serde_json::Value`
//! trees), kept to check the flat rendering writes the same bytes.
#![allow(dead_code)]

use crate::oro::jsonapi::{decimal_string, iso, money, quantity_number, rel, rels};
use crate::oro::render::organization;
use crate::oro::state::{OrderRec, State};
use concord_core::scenario::TaxDetail;
use rust_decimal::Decimal;
use serde_json::{json, Value};

pub fn order(st: &State, id: i64) -> Option<Value> {
    let o = st.orders.get(&id)?;
    let subtotal = o.subtotal();
    let shipping = o.shipping_amount.map(money);
    let line_ids = o.lines.iter().map(|l| l.id.to_string());
    let subtotal_ids = subtotal_rows(st, o).into_iter().map(|(id, _)| id);
    Some(json!({
        "type": "orders",
        "id": o.id.to_string(),
        "attributes": {
            "identifier": o.identifier,
            "poNumber": o.po_number,
            "customerNotes": null,
            "shipUntil": null,
            "currency": o.currency,
            "subtotalValue": money(subtotal),
            "subtotalWithDiscountsValue": money(subtotal - o.discount_total()),
            "totalValue": money(o.total()),
            // Filled from the manual `orderdiscounts` only (reference §12.2).
            "totalDiscountsAmount": (!o.discounts.is_empty()).then(|| money(o.discount_total())),
            "shippingMethod": shipping.as_ref().map(|_| "flat_rate_1"),
            "shippingMethodType": shipping.as_ref().map(|_| "primary"),
            "estimatedShippingCostAmount": shipping,
            "overriddenShippingCostAmount": null,
            "sourceEntityIdentifier": null,
            "external": false,
            "externalId": o.external_id,
            "createdAt": iso(o.created_at),
            "updatedAt": iso(o.updated_at),
        },
        "relationships": {
            "billingAddress": {"data": null},
            "shippingAddress": {"data": null},
            "lineItems": rels("orderlineitems", line_ids),
            "discounts": rels("orderdiscounts", o.discounts.iter().map(|d| d.id.to_string())),
            "shippingTrackings": rels("ordershippingtrackings", st.tracking_ids(o.id).map(|t| t.to_string())),
            "paymentTerm": {"data": null},
            "internalStatus": rel("orderinternalstatuses", Some(o.internal_status.clone())),
            "status": rel("orderstatuses", o.status.clone()),
            "shippingStatus": rel("ordershippingstatuses", Some(o.shipping_status.clone())),
            "source": {"data": null},
            "owner": {"data": {"type": "users", "id": "1"}},
            "organization": organization(),
            "customerUser": rel("customerusers", o.customer_user.map(|c| c.to_string())),
            "customer": rel("customers", Some(o.customer.to_string())),
            "orderSubtotals": rels("ordersubtotals", subtotal_ids),
            "parent": {"data": null},
            "subOrders": {"data": []},
        }
    }))
}

pub fn line_item(st: &State, id: i64) -> Option<Value> {
    let o = st.order_of(id)?;
    let l = o.lines.iter().find(|l| l.id == id)?;
    let product = st.product_by_sku(&l.sku);
    Some(json!({
        "type": "orderlineitems",
        "id": l.id.to_string(),
        "attributes": {
            "productSku": l.sku,
            "productName": product.map(|p| p.name.clone()),
            "productVariantFields": {},
            "freeFormProduct": if product.is_none() { Some(l.sku.clone()) } else { None },
            "quantity": quantity_number(l.quantity),
            "productUnitCode": l.unit,
            "value": money(l.price),
            "currency": o.currency,
            "priceType": 10,
            "shipBy": null,
            "fromExternalSource": false,
            "comment": null,
            "shippingMethod": null,
            "shippingMethodType": null,
            "shippingEstimateAmount": null,
            "createdAt": iso(o.created_at),
            "updatedAt": iso(o.updated_at),
        },
        "relationships": {
            "orders": rels("orders", [o.id.to_string()]),
            "product": rel("products", product.map(|p| p.id.to_string())),
            "parentProduct": {"data": null},
            "productUnit": rel("productunits", Some(l.unit.clone())),
            "kitItemLineItems": {"data": []},
        }
    }))
}

/// All subtotal rows of an order, in Oro's order.
pub fn subtotals(st: &State, order_id: i64) -> Vec<Value> {
    st.orders
        .get(&order_id)
        .map(|o| subtotal_rows(st, o).into_iter().map(|(_, v)| v).collect())
        .unwrap_or_default()
}

/// One subtotal row by its composite id (`<orderId>-tax-4`).
pub fn subtotal(st: &State, id: &str) -> Option<Value> {
    let order_id = id.split('-').next()?.parse::<i64>().ok()?;
    let o = st.orders.get(&order_id)?;
    subtotal_rows(st, o)
        .into_iter()
        .find(|(row_id, _)| row_id == id)
        .map(|(_, v)| v)
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
fn subtotal_rows(st: &State, o: &OrderRec) -> Vec<(String, Value)> {
    let cur = o.currency.as_str();
    let subtotal = o.subtotal();
    let line_tax = o.line_tax();
    let shipping = o.shipping_amount.unwrap_or_default();
    let tax_total = |excl: Decimal, tax: Decimal| {
        json!({"includingTax": decimal_string(excl + tax), "excludingTax": decimal_string(excl), "taxAmount": decimal_string(tax),
               "adjustment": "0", "currency": cur})
    };
    let items: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let unit_tax = if l.quantity.is_zero() { Decimal::ZERO } else { (l.tax / l.quantity).round_dp(4) };
            json!({"unit": tax_total(l.price, unit_tax), "row": tax_total(l.quantity * l.price, l.tax), "taxes": []})
        })
        .collect();
    let itemised = |mut data: Value| {
        if st.tax_detail == TaxDetail::PerLine {
            data["items"] = Value::Array(items.clone());
        }
        data
    };
    let config = &st.subtotals;
    let label = labels(&config.locale);
    let discounts = o.discount_total();
    let subtotal_tax =
        itemised(json!({"total": tax_total(subtotal - discounts, line_tax), "taxes": []}));
    let all_tax = json!({"total": tax_total(subtotal - discounts + shipping, line_tax + o.shipping_tax), "taxes": []});
    let mut all_rows: Vec<(bool, &str, String, Decimal, Value)> =
        vec![(true, "subtotal", label[0].to_owned(), subtotal, json!([]))];
    // One row per manual discount, labelled "<description> (Discount)" (reference §12.3).
    all_rows.extend(o.discounts.iter().map(|d| {
        let text = if d.description.is_empty() {
            label[1].to_owned()
        } else {
            format!("{} ({})", d.description, label[1])
        };
        (true, "discount", text, d.amount, json!([]))
    }));
    all_rows.extend([
        (
            config.promotions,
            "discount",
            label[1].to_owned(),
            Decimal::ZERO,
            json!([]),
        ),
        (
            true,
            "shipping_cost",
            label[2].to_owned(),
            shipping,
            json!([]),
        ),
        (
            config.promotions,
            "discount",
            label[3].to_owned(),
            Decimal::ZERO,
            json!([]),
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
            json!({"total": tax_total(shipping, o.shipping_tax), "taxes": []}),
        ),
        (
            true,
            "tax",
            label[6].to_owned(),
            line_tax + o.shipping_tax,
            if config.split_tax {
                all_tax
            } else {
                itemised(all_tax)
            },
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
            let value = json!({
                "type": "ordersubtotals",
                "id": id,
                "attributes": {
                    "orderSubtotalType": kind,
                    "label": label,
                    "amount": money(amount),
                    "signedAmount": money(signed),
                    "currency": cur,
                    "visible": !amount.is_zero(),
                    "data": data,
                },
                "relationships": {
                    "order": rel("orders", Some(o.id.to_string())),
                    "priceList": {"data": null},
                }
            });
            (id, value)
        })
        .collect()
}
