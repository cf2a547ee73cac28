//! One generated order: lines priced from the customer's list at that moment (quantity tiers
//! included), 20 % VAT per line rounded to the cent, shipping, and the deliberately broken variants
//! (unknown SKU, unmapped unit, a total that does not add up) that Concord must hold.

use super::catalogue::{Catalogue, PriceKey, Unit};
use super::customers::Customer;
use super::{money, vat};
use rand::rngs::StdRng;
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What an order is meant to exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A good order: a storefront checkout or a back-office order.
    Normal {
        checkout: bool,
        awaiting: bool,
    },
    UnknownSku,
    UnmappedUnit,
    BrokenTotal,
}

impl Kind {
    pub fn is_held(self) -> bool {
        !matches!(self, Kind::Normal { .. })
    }
}

/// A generated order and the base units per product it may take from the sale location.
#[derive(Debug, Clone)]
pub struct Built {
    pub json: Value,
    pub demand: Vec<(usize, u32)>,
}

const EACH_QTY: &[u32] = &[1, 2, 3, 4, 6, 6, 8, 10, 12, 12, 18, 24, 24, 36, 48];
/// Goods (net) above which shipping is free.
const FREE_SHIPPING_FROM: i64 = 500;

/// Everything `build` needs about the moment the order is placed.
pub struct Ctx<'a> {
    pub cat: &'a Catalogue,
    pub prices: &'a BTreeMap<PriceKey, Decimal>,
    /// Products that must not be ordered now (a price change is close).
    pub blocked: &'a dyn Fn(usize) -> bool,
}

pub fn build(rng: &mut StdRng, cx: &Ctx<'_>, customer: &Customer, id: i64, kind: Kind) -> Built {
    let checkout = matches!(kind, Kind::Normal { checkout: true, .. });
    let list = customer.list.unwrap_or(1);
    let mut picks: Vec<(usize, Unit, u32)> = Vec::new();
    let lines_wanted = *[1, 1, 2, 2, 2, 3, 3, 4, 5]
        .get(rng.gen_range(0..9))
        .unwrap_or(&2);
    for _ in 0..lines_wanted {
        if let Some(idx) = pick_product(rng, cx, &picks) {
            let (unit, qty) = pick_quantity(rng, cx.cat, idx, checkout);
            picks.push((idx, unit, qty));
        }
    }
    match kind {
        Kind::UnknownSku => {
            if let Some(&u) = cx.cat.unknown.first() {
                picks.push((u, Unit::Each, 6));
            }
        }
        Kind::UnmappedUnit => {
            if let Some(idx) = cx
                .cat
                .sellable
                .iter()
                .copied()
                .find(|&i| cx.cat.products[i].odd_box && !(cx.blocked)(i))
            {
                picks.retain(|p| p.0 != idx);
                picks.push((idx, Unit::Box, 1));
            }
        }
        _ => {}
    }
    let mut net_total = Decimal::ZERO;
    let mut tax_total = Decimal::ZERO;
    let mut lines = Vec::new();
    let mut demand = Vec::new();
    for &(idx, unit, qty) in &picks {
        let price = line_price(cx, list, idx, unit, qty);
        let net = price * Decimal::from(qty);
        let tax = vat(net);
        net_total += net;
        tax_total += tax;
        let p = &cx.cat.products[idx];
        lines.push(
            json!({ "sku": p.sku, "unit": unit.code(), "quantity": qty.to_string(),
                           "price": money(price), "tax": money(tax) }),
        );
        if let (true, Some(rate), false) = (p.in_cin7, p.rate(unit), unit == Unit::Box) {
            demand.push((idx, rate * qty));
        }
    }
    let (ship, ship_tax) = if net_total >= Decimal::from(FREE_SHIPPING_FROM) {
        (Decimal::ZERO, Decimal::ZERO)
    } else {
        (Decimal::new(1500, 2), Decimal::new(300, 2))
    };
    let awaiting = matches!(kind, Kind::Normal { awaiting: true, .. });
    let identifier = if checkout {
        format!("W-{id}")
    } else {
        format!("SO-{id}")
    };
    let po = rng
        .gen_bool(0.6)
        .then(|| format!("PO-{}", rng.gen_range(10000..99999)));
    let mut json = json!({
        "id": id, "identifier": identifier, "po_number": po, "customer": customer.id,
        "customer_user": customer.user, "currency": "GBP", "checkout": checkout,
        "internal_status": "open", "status": if awaiting { Some("wait_for_approval") } else { None },
        "lines": lines, "shipping": { "amount": money(ship), "tax": money(ship_tax) },
    });
    if kind == Kind::BrokenTotal {
        let wrong = net_total + tax_total + ship + ship_tax + Decimal::new(100, 2);
        json["total"] = json!(money(wrong));
    }
    Built { json, demand }
}

/// Popular products more often: the index is drawn from a skewed distribution over the catalogue.
fn pick_product(rng: &mut StdRng, cx: &Ctx<'_>, taken: &[(usize, Unit, u32)]) -> Option<usize> {
    let n = cx.cat.sellable.len();
    for _ in 0..30 {
        let u: f64 = rng.gen();
        let pos = ((u * u * u) * n as f64) as usize;
        let idx = *cx.cat.sellable.get(pos.min(n.saturating_sub(1)))?;
        if !(cx.blocked)(idx) && !taken.iter().any(|t| t.0 == idx) {
            return Some(idx);
        }
    }
    None
}

fn pick_quantity(rng: &mut StdRng, cat: &Catalogue, idx: usize, checkout: bool) -> (Unit, u32) {
    let p = &cat.products[idx];
    if p.case.is_some() && rng.gen_bool(0.35) {
        return (Unit::Case, rng.gen_range(1..=if checkout { 3 } else { 5 }));
    }
    if !checkout && rng.gen_bool(0.06) {
        // A bulk line that reaches the 100-unit price tier.
        return (Unit::Each, rng.gen_range(100..=144));
    }
    let q = EACH_QTY[rng.gen_range(0..EACH_QTY.len())];
    (Unit::Each, q)
}

/// The customer's effective price: the tier with the largest minimum quantity not above `qty`.
fn line_price(cx: &Ctx<'_>, list: i64, idx: usize, unit: Unit, qty: u32) -> Decimal {
    cx.prices
        .range((list, idx, unit, 0)..=(list, idx, unit, qty))
        .next_back()
        .map(|(_, v)| *v)
        .unwrap_or(Decimal::new(1000, 2))
}
