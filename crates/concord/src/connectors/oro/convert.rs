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
    let goods = lines.iter().try_fold(Decimal::ZERO, |sum, l| {
        l.quantity
            .checked_mul(l.price)
            .and_then(|t| sum.checked_add(t))
    });
    if goods.is_none() {
        return Err(OroError::Decode(format!(
            "order {id}: the sum of its lines overflows a decimal"
        )));
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
        // Oro taxes the discounted subtotal; without discounts the two figures are the same.
        shipping_tax: shipping_tax(
            &subtotals,
            r.dec("subtotalWithDiscountsValue")
                .or_else(|| r.dec("subtotalValue")),
        ),
        tax_total: tax_total(&subtotals),
        lines,
        discounts: discounts(r, included),
    })
}

/// The manual order discounts (`orderdiscounts`, included), then the promotions' aggregate
/// `discount` attribute (reference §12.2: promotions are not in `totalDiscountsAmount` and have no
/// resource of their own, but `totalValue` includes them). Shipping promotions reduce shipping,
/// which Oro already reports net in the shipping amount, so they are not an order discount.
fn discounts(r: &Resource, included: &Included) -> Vec<OrderDiscount> {
    let mut found: Vec<OrderDiscount> = r
        .rel_ids("discounts")
        .iter()
        .filter_map(|id| included.get("orderdiscounts", id))
        .filter_map(|d| {
            let amount = d.dec("amount")?;
            let description = d
                .str("description")
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Order discount".to_owned());
            (amount > Decimal::ZERO).then_some(OrderDiscount {
                description,
                amount,
            })
        })
        .collect();
    if let Some(promotions) = r.dec("discount").filter(|d| *d > Decimal::ZERO) {
        found.push(OrderDiscount {
            description: "Promotions".to_owned(),
            amount: promotions,
        });
    }
    found
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
    let quantity = item.dec("quantity").ok_or_else(|| missing("quantity"))?;
    let price = item.dec("value").ok_or_else(|| missing("value"))?;
    // Checked here, at the edge: every later `quantity × price` (validation, allocation) may
    // then multiply freely, and a record that cannot be priced is invalid, never a panic.
    if quantity.checked_mul(price).is_none() {
        return Err(OroError::Decode(format!(
            "order {order_id}: line {}: quantity × value overflows a decimal",
            item.id
        )));
    }
    Ok(OroLine {
        id: item.id.clone(),
        sku: item
            .str("productSku")
            .ok_or_else(|| missing("productSku"))?,
        unit: item
            .str("productUnitCode")
            .or_else(|| item.rel_id("productUnit"))
            .ok_or_else(|| missing("productUnitCode"))?,
        quantity,
        price,
        tax: line_tax(subtotals, index),
    })
}

// Subtotal rows are told apart by `orderSubtotalType` and their figures, never by `label`: Oro
// translates labels, and which rows exist (and so their ids) follows its configuration.

fn tax_rows<'a>(subtotals: &[&'a Resource]) -> Vec<&'a Resource> {
    subtotals
        .iter()
        .copied()
        .filter(|s| s.str("orderSubtotalType").as_deref() == Some("tax"))
        .collect()
}

/// All tax on the order: the largest tax row, since the order's tax row is the sum of the line and
/// shipping tax rows when Oro splits them, and the only one when it does not.
fn tax_total(subtotals: &[&Resource]) -> Option<Decimal> {
    tax_rows(subtotals)
        .iter()
        .filter_map(|s| s.dec("amount"))
        .max()
}

/// The tax on the lines alone: the itemised rows' sum when a row itemises them, else the tax row
/// whose taxed base (`data.total.excludingTax`) is the order subtotal.
fn lines_tax(subtotals: &[&Resource], subtotal: Option<Decimal>) -> Option<Decimal> {
    let rows = tax_rows(subtotals);
    let itemised = rows.iter().find_map(|s| {
        let items = s.attributes.get("data")?.get("items")?.as_array()?;
        (!items.is_empty()).then(|| {
            items
                .iter()
                .filter_map(|i| i.get("row")?.get("taxAmount").and_then(value_decimal))
                .sum::<Decimal>()
        })
    });
    itemised.or_else(|| {
        let base = subtotal?;
        rows.iter()
            .filter(|s| {
                s.attributes
                    .get("data")
                    .and_then(|d| d.get("total")?.get("excludingTax"))
                    .and_then(value_decimal)
                    == Some(base)
            })
            .filter_map(|s| s.dec("amount"))
            .min()
    })
}

/// Shipping tax = all tax − the lines' tax, when both can be told from the rows.
fn shipping_tax(subtotals: &[&Resource], subtotal: Option<Decimal>) -> Option<Decimal> {
    Some(tax_total(subtotals)? - lines_tax(subtotals, subtotal)?)
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

/// The types Oro's `taxCode` relationship points at (reference §13.1).
pub const CUSTOMER_TAX_CODES: &str = "customertaxcodes";
pub const PRODUCT_TAX_CODES: &str = "producttaxcodes";

/// The code behind a record's `taxCode` relationship, looked up among the included records of
/// `kind`. No relationship, `{"data": null}`, a record that was not included (one the API user may
/// not see) or a blank code all read as no code: a customer or product stays readable, and the
/// tax mapping decides what no code means.
pub fn tax_code(r: &Resource, included: &Included, kind: &str) -> Option<String> {
    let id = r.rel_id("taxCode")?;
    included
        .get(kind, &id)?
        .str("code")
        .filter(|code| !code.trim().is_empty())
}

pub fn customer(r: &Resource, included: &Included) -> Option<OroCustomer> {
    Some(OroCustomer {
        id: r.id.parse().ok()?,
        name: r.str("name").unwrap_or_default(),
        parent: r.rel_id("parent").and_then(|p| p.parse().ok()),
        tax_code: tax_code(r, included, CUSTOMER_TAX_CODES),
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
        tax_code: tax_code(r, included, PRODUCT_TAX_CODES),
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
    /// Only the topic: every other field is skipped, never built (an order webhook carries the
    /// whole order, and this runs on each one before the body is read for its order).
    #[derive(serde::Deserialize)]
    struct Topic {
        topic: Option<Value>,
    }
    match serde_json::from_slice::<Topic>(body).ok()?.topic? {
        Value::String(topic) => Some(topic),
        _ => None,
    }
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
