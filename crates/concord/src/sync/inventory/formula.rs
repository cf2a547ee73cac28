//! The stock formula, pure: sellable base units per SKU = Available over the mapped locations (pack
//! products at their pack size) − the SKU's buffer − base units Oro accepted that Cin7 has not
//! allocated, never below zero; each unit's level = sellable ÷ its rate, rounded down to its precision.

use crate::domain::{OroProduct, StockRow};
use crate::sync::catalogue::Catalogue;
use concord_core::domain::round_quantity;
use concord_core::scenario::StockBuffer;
use rust_decimal::Decimal;
use std::borrow::Borrow;
use std::collections::HashMap;

/// Available base units per base SKU over the sellable locations (`None` = every location).
pub fn available_by_base_sku(
    rows: &[StockRow],
    locations: Option<&[String]>,
    catalogue: &Catalogue,
) -> HashMap<String, Decimal> {
    available_for_base_skus(rows, locations, catalogue, |_| true)
}

/// As [`available_by_base_sku`], for the base SKUs `wanted` accepts only: an order's lowering
/// needs a handful of SKUs, and summing the whole snapshot for each order cost as much as
/// everything else the lowering did.
pub fn available_for_base_skus<'a>(
    rows: impl IntoIterator<Item = &'a StockRow>,
    locations: Option<&[String]>,
    catalogue: &Catalogue,
    wanted: impl Fn(&str) -> bool,
) -> HashMap<String, Decimal> {
    let mut out: HashMap<String, Decimal> = HashMap::new();
    for row in rows {
        if locations.is_some_and(|l| !l.iter().any(|x| x == &row.location)) {
            continue;
        }
        // Saturating: an absurd quantity from the API must not bring the stock flow down.
        let (base, units) = match catalogue.get(&row.sku).and_then(|p| p.pack.as_ref()) {
            Some(pack) => (&pack.base_sku, row.available.saturating_mul(pack.size)),
            None => (&row.sku, row.available),
        };
        if wanted(base) {
            let total = out.entry(base.clone()).or_default();
            *total = total.saturating_add(units);
        }
    }
    out
}

/// The first buffer whose SKU matches (exactly, or as a prefix ending in `*`).
pub fn buffer_for(sku: &str, buffers: &[StockBuffer]) -> Decimal {
    buffers
        .iter()
        .find(|b| match b.sku.strip_suffix('*') {
            Some(prefix) => sku.starts_with(prefix),
            None => b.sku == sku,
        })
        .map_or(Decimal::ZERO, |b| b.units)
}

pub fn sellable(available: Decimal, buffer: Decimal, in_flight: Decimal) -> Decimal {
    available
        .saturating_sub(buffer)
        .saturating_sub(in_flight)
        .max(Decimal::ZERO)
}

/// A unit's level: never promises a fraction the unit's precision cannot sell.
pub fn unit_level(sellable: Decimal, conversion_rate: Decimal, precision: u32) -> Decimal {
    if conversion_rate <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    // An overflowing division means nonsense data: promise nothing rather than panic.
    sellable
        .checked_div(conversion_rate)
        .map_or(Decimal::ZERO, |q| round_quantity(q, precision).normalize())
}

/// Levels for every Oro product Cin7 stocks: (sku, unit) → quantity.
pub fn levels<P: Borrow<OroProduct>>(
    products: &[P],
    available: &HashMap<String, Decimal>,
    buffers: &[StockBuffer],
    in_flight: &HashMap<String, Decimal>,
    catalogue: &Catalogue,
) -> HashMap<(String, String), Decimal> {
    let mut out = HashMap::with_capacity(products.len() * 2);
    for p in products.iter().map(Borrow::borrow) {
        if catalogue.base(&p.sku).is_none() {
            continue;
        }
        let base = sellable(
            available.get(&p.sku).copied().unwrap_or_default(),
            buffer_for(&p.sku, buffers),
            in_flight.get(&p.sku).copied().unwrap_or_default(),
        );
        for u in &p.units {
            out.insert(
                (p.sku.clone(), u.unit.clone()),
                unit_level(base, u.conversion_rate, u.precision),
            );
        }
    }
    out
}

#[cfg(test)]
#[path = "formula_tests.rs"]
mod tests;
