//! JSON:API resources → domain values. Taxes come from the order's tax subtotals: per line when the
//! tax row itemises them, otherwise only the total (Concord then allocates it over the lines).

use super::error::OroError;
use super::models::{Included, Resource};
use crate::domain::*;
use rust_decimal::Decimal;
use serde_json::Value;

pub fn order(r: &Resource, included: &Included) -> Result<OroOrder, OroError> {
    let id =
        r.id.parse::<i64>()
            .map_err(|_| OroError::Decode(format!("order id {:?} is not a number", r.id)))?;
    let customer_id = r
        .rel_id("customer")
        .and_then(|c| c.parse::<i64>().ok())
        .ok_or_else(|| {
            OroError::Decode(format!("order {id}: relationships.customer is missing"))
        })?;
    let subtotals: Vec<&Resource> = r
        .rel_ids("orderSubtotals")
        .iter()
        .filter_map(|s| included.get("ordersubtotals", s))
        .collect();
    let line_ids = r.rel_ids("lineItems");
    let mut lines = Vec::with_capacity(line_ids.len());
    for (index, line_id) in line_ids.iter().enumerate() {
        let item = included.get("orderlineitems", line_id).ok_or_else(|| {
            OroError::Decode(format!("order {id}: line item {line_id} was not included"))
        })?;
        lines.push(line(item, index, &subtotals, id)?);
    }
    let shipping_row = subtotals
        .iter()
        .find(|s| s.str("orderSubtotalType").as_deref() == Some("shipping_cost"));
    let shipping_amount = r
        .dec("overriddenShippingCostAmount")
        .or_else(|| r.dec("estimatedShippingCostAmount"))
        .or_else(|| shipping_row.and_then(|s| s.dec("amount")))
        .unwrap_or_default();
    Ok(OroOrder {
        id,
        identifier: r.str("identifier").unwrap_or_else(|| id.to_string()),
        po_number: r.str("poNumber").filter(|p| !p.is_empty()),
        customer_id,
        currency: r.str("currency").unwrap_or_default(),
        internal_status: r
            .rel_id("internalStatus")
            .or_else(|| r.str("internalStatus")),
        status: r.rel_id("status"),
        shipping_status: r.rel_id("shippingStatus"),
        updated_at: r.str("updatedAt").unwrap_or_default(),
        total: r.dec("totalValue").unwrap_or_default(),
        shipping_amount,
        shipping_tax: tax_row(&subtotals, "Shipping Tax"),
        tax_total: tax_row(&subtotals, "Tax").or_else(|| tax_sum(&subtotals)),
        lines,
    })
}

fn line(
    item: &Resource,
    index: usize,
    subtotals: &[&Resource],
    order_id: i64,
) -> Result<OroLine, OroError> {
    let missing = |field: &str| {
        OroError::Decode(format!("order {order_id}: line {} has no {field}", item.id))
    };
    Ok(OroLine {
        id: item.id.clone(),
        sku: item
            .str("productSku")
            .ok_or_else(|| missing("productSku"))?,
        unit: item
            .str("productUnitCode")
            .or_else(|| item.rel_id("productUnit"))
            .ok_or_else(|| missing("productUnitCode"))?,
        quantity: item.dec("quantity").ok_or_else(|| missing("quantity"))?,
        price: item.dec("value").ok_or_else(|| missing("value"))?,
        tax: line_tax(subtotals, index),
    })
}

/// The amount of the tax subtotal with this label.
fn tax_row(subtotals: &[&Resource], label: &str) -> Option<Decimal> {
    subtotals
        .iter()
        .find(|s| {
            s.str("orderSubtotalType").as_deref() == Some("tax")
                && s.str("label").as_deref() == Some(label)
        })
        .and_then(|s| s.dec("amount"))
}

/// Without a row labelled "Tax", the sum of the line and shipping tax rows.
fn tax_sum(subtotals: &[&Resource]) -> Option<Decimal> {
    let rows: Vec<Decimal> = subtotals
        .iter()
        .filter(|s| s.str("orderSubtotalType").as_deref() == Some("tax"))
        .filter_map(|s| s.dec("amount"))
        .collect();
    (!rows.is_empty()).then(|| rows.into_iter().sum())
}

/// Line `index`'s tax from the tax row that itemises lines (`data.items[i].row.taxAmount`).
fn line_tax(subtotals: &[&Resource], index: usize) -> Option<Decimal> {
    subtotals
        .iter()
        .filter(|s| s.str("orderSubtotalType").as_deref() == Some("tax"))
        .filter_map(|s| s.attributes.get("data")?.get("items")?.as_array().cloned())
        .find(|items| !items.is_empty())?
        .get(index)?
        .get("row")?
        .get("taxAmount")
        .and_then(value_decimal)
}

fn value_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => concord_core::decimal::parse(s),
        Value::Number(n) => concord_core::decimal::parse(&n.to_string()),
        _ => None,
    }
}

pub fn customer(r: &Resource) -> Option<OroCustomer> {
    Some(OroCustomer {
        id: r.id.parse().ok()?,
        name: r.str("name").unwrap_or_default(),
        parent: r.rel_id("parent").and_then(|p| p.parse().ok()),
    })
}

pub fn product(r: &Resource, included: &Included) -> OroProduct {
    let primary = r.rel_id("primaryUnitPrecision");
    let mut units: Vec<(bool, UnitPrecision)> = r
        .rel_ids("unitPrecisions")
        .iter()
        .filter_map(|id| included.get("productunitprecisions", id))
        .filter_map(|p| {
            let unit = UnitPrecision {
                unit: p.rel_id("unit").or_else(|| p.str("unit"))?,
                conversion_rate: p.dec("conversionRate").unwrap_or(Decimal::ONE),
                precision: p.str("precision").and_then(|s| s.parse().ok()).unwrap_or(0),
            };
            Some((primary.as_deref() == Some(p.id.as_str()), unit))
        })
        .collect();
    // The primary unit first: the stock formula and the price mirror both start from it.
    units.sort_by_key(|(is_primary, _)| !*is_primary);
    OroProduct {
        id: r.id.clone(),
        sku: r.str("sku").unwrap_or_default(),
        inventory_status: r
            .rel_id("inventory_status")
            .or_else(|| r.str("inventory_status")),
        units: units.into_iter().map(|(_, u)| u).collect(),
    }
}

pub fn inventory_level(r: &Resource, included: &Included) -> Option<InventoryLevel> {
    let precision = included.get("productunitprecisions", &r.rel_id("productUnitPrecision")?)?;
    Some(InventoryLevel {
        id: r.id.clone(),
        product_id: r.rel_id("product")?,
        unit: precision.rel_id("unit").or_else(|| precision.str("unit"))?,
        quantity: r.dec("quantity").unwrap_or_default(),
    })
}

pub fn price(r: &Resource) -> Option<OroPrice> {
    Some(OroPrice {
        product_id: r.rel_id("product")?,
        unit: r.rel_id("unit")?,
        quantity: r.dec("quantity")?,
        value: r.dec("value")?,
        currency: r.str("currency").unwrap_or_default(),
    })
}

/// The order id and `updatedAt` of an `order.*` webhook body (`eventData` is a JSON:API document;
/// a thin format carries only type and id).
pub fn order_webhook(body: &[u8]) -> Option<(i64, Option<String>)> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let data = value
        .get("eventData")
        .map(|e| e.get("data").unwrap_or(e))
        .unwrap_or(&value);
    let data = if data.is_array() { data.get(0)? } else { data };
    let id = match data.get("id")? {
        Value::String(s) => s.parse().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    let updated = data
        .get("attributes")
        .and_then(|a| a.get("updatedAt"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some((id, updated))
}

/// The topic an Oro webhook body names (`topic`), if any.
pub fn webhook_topic(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value
        .get("topic")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn amount_of(v: Option<&Value>) -> Option<Decimal> {
    match v? {
        Value::Number(n) => concord_core::decimal::parse(&n.to_string()),
        Value::String(s) => concord_core::decimal::parse(s),
        _ => None,
    }
}

/// An `order.payment_status_updated` body (reference §14, Oro 6.1.10+): the order id (an integer
/// there) and the completed transaction. `None` when the order or the amount is missing.
pub fn payment_webhook(body: &[u8]) -> Option<PaymentCapture> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let data = value.get("eventData")?.get("data")?;
    let order_id = match data.get("id")? {
        Value::String(s) => s.parse().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    let a = data.get("attributes")?;
    Some(PaymentCapture {
        order_id,
        amount: amount_of(a.get("transactionAmount"))?,
        transaction_type: a
            .get("transactionType")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        transaction_date: a
            .get("transactionDate")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        amount_paid: amount_of(a.get("amountPaid")),
        amount_due: amount_of(a.get("amountDue")),
    })
}
