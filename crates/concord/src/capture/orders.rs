//! Recent Oro orders as the timeline of a replay day: each order is placed at its own time of day
//! (relative to the first), compressed into one day when the capture spans several, as a
//! back-office order (no storefront stock check: the stock captured is already after them).

use crate::domain::PlacedOrder;
use crate::sync::orders::mapping::allocate_by_largest_remainder;
use chrono::{DateTime, Utc};
use concord_core::scenario::{Discount, Order, OrderLine, Shipping};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Scenario seconds before the first order: Concord's first stock sync runs meanwhile.
pub const LEAD_S: f64 = 300.0;
const DAY_S: f64 = 86_400.0;

/// The replay's timeline and where its clock starts.
#[derive(Debug, Clone)]
pub struct Replay {
    pub start: DateTime<Utc>,
    pub events: Vec<Value>,
    pub last_at_s: f64,
    /// Every order's lines carried Oro's per-line tax (else the scenario is `total_only`).
    pub per_line_tax: bool,
}

/// Orders placed by captured customers, with at least one line, as timeline events; `now` is the
/// clock start when there is no order at all.
pub fn replay(
    orders: &[PlacedOrder],
    customers: &HashSet<i64>,
    now: DateTime<Utc>,
    currency: &str,
    notes: &mut Vec<String>,
) -> Replay {
    let mut placed: Vec<(DateTime<Utc>, &PlacedOrder)> = Vec::new();
    for o in orders {
        match usable(o, customers) {
            Ok(at) => placed.push((at, o)),
            Err(why) => notes.push(format!("Oro order {} left out: {why}", o.order.id)),
        }
    }
    placed.sort_by_key(|(at, o)| (*at, o.order.id));
    let first = placed.first().map_or(now, |(at, _)| *at);
    let last = placed.last().map_or(now, |(at, _)| *at);
    let span_s = (last - first).num_seconds() as f64;
    let squeeze = (span_s / DAY_S).max(1.0);
    let per_line_tax = placed
        .iter()
        .all(|(_, o)| o.order.lines.iter().all(|l| l.tax.is_some()));
    let events: Vec<Value> = placed
        .iter()
        .map(|(at, o)| {
            let offset = (*at - first).num_seconds() as f64 / squeeze;
            json!({ "at_s": (LEAD_S + offset).round(), "event": "oro_order", "order": order(o, currency) })
        })
        .collect();
    let last_at_s = events
        .last()
        .and_then(|e| e["at_s"].as_f64())
        .unwrap_or(LEAD_S);
    Replay {
        start: first - chrono::Duration::seconds(LEAD_S as i64),
        events,
        last_at_s,
        per_line_tax,
    }
}

fn usable(o: &PlacedOrder, customers: &HashSet<i64>) -> Result<DateTime<Utc>, String> {
    if o.order.lines.is_empty() {
        return Err("it has no lines".into());
    }
    if !customers.contains(&o.order.customer_id) {
        return Err(format!("its customer {} was not read", o.order.customer_id));
    }
    if o.order
        .lines
        .iter()
        .any(|l| l.quantity <= Decimal::ZERO || l.price < Decimal::ZERO)
    {
        return Err("a line has no positive quantity or a negative price".into());
    }
    DateTime::parse_from_rfc3339(&o.created_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("its createdAt {:?} is not a time", o.created_at))
}

/// The scenario order for an Oro order, as Oro states it (lines, taxes, shipping, discounts);
/// a total that does not add up is kept, so the replay raises what the original raised.
/// `currency` stands in when Oro stated none.
pub fn order(p: &PlacedOrder, currency: &str) -> Order {
    let o = &p.order;
    let taxes = line_taxes(p);
    let lines: Vec<OrderLine> = o
        .lines
        .iter()
        .zip(&taxes)
        .map(|(l, tax)| OrderLine {
            sku: l.sku.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            price: l.price,
            tax: *tax,
        })
        .collect();
    let shipping_tax = o.shipping_tax.unwrap_or_default();
    let shipping =
        (o.shipping_amount != Decimal::ZERO || shipping_tax != Decimal::ZERO).then_some(Shipping {
            amount: o.shipping_amount,
            tax: shipping_tax,
        });
    let discounts: Vec<Discount> = o
        .discounts
        .iter()
        .map(|d| Discount {
            description: d.description.clone(),
            amount: d.amount,
        })
        .collect();
    let adds_up: Decimal = lines
        .iter()
        .map(|l| l.quantity * l.price + l.tax)
        .sum::<Decimal>()
        - discounts.iter().map(|d| d.amount).sum::<Decimal>()
        + o.shipping_amount
        + shipping_tax;
    Order {
        id: o.id,
        identifier: o.identifier.clone(),
        po_number: o.po_number.clone(),
        customer: o.customer_id,
        customer_user: p.customer_user,
        currency: Some(o.currency.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| currency.to_owned()),
        checkout: false,
        internal_status: o
            .internal_status
            .clone()
            .unwrap_or_else(|| "open".to_owned()),
        status: o.status.clone(),
        lines,
        shipping,
        total: (adds_up.round_dp(2) != o.total.round_dp(2)).then_some(o.total),
        discounts,
    }
}

/// Each line's tax: Oro's own where it itemises them, else Oro's tax total less shipping's,
/// spread over the lines in proportion to their nets (to the cent).
fn line_taxes(p: &PlacedOrder) -> Vec<Decimal> {
    let lines = &p.order.lines;
    if let Some(taxes) = lines.iter().map(|l| l.tax).collect::<Option<Vec<_>>>() {
        return taxes;
    }
    let total = p.order.tax_total.unwrap_or_default() - p.order.shipping_tax.unwrap_or_default();
    let nets: Vec<Decimal> = lines.iter().map(|l| l.quantity * l.price).collect();
    allocate_by_largest_remainder(total.max(Decimal::ZERO), &nets)
}
