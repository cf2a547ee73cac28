//! Pure business rules of the order flow: unit → Cin7 SKU, tax allocation, financial entity,
//! status, and the effective price. No I/O here; table-driven and property tests beside it.

use crate::domain::{OrderStage, UnitPrecision};
use crate::sync::catalogue::Catalogue;
use concord_core::catalogue::ExceptionKind;
use concord_core::domain::round_money;
use concord_core::scenario::FinancialEntityRule;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The Cin7 SKU for an Oro line and how many base units one of its units holds.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedUnit {
    pub cin7_sku: String,
    pub base_units: Decimal,
    /// The Cin7 product's id and name (Cin7 requires `Name` on every sale line).
    pub product_id: String,
    pub name: String,
}

impl MappedUnit {
    fn of(product: &crate::domain::ErpProduct, base_units: Decimal) -> Self {
        MappedUnit {
            cin7_sku: product.sku.clone(),
            base_units,
            product_id: product.id.clone(),
            name: product.name.clone(),
        }
    }
}

/// Maps an Oro (SKU, unit) to the Cin7 product that sells it: the base SKU for a rate of 1, else the
/// pack product whose pack size equals the unit's conversion rate, unless the config overrides it.
pub fn map_unit(
    catalogue: &Catalogue,
    sku: &str,
    unit: &str,
    units: &[UnitPrecision],
    overrides: &BTreeMap<String, String>,
) -> Result<MappedUnit, ExceptionKind> {
    let Some(base) = catalogue.base(sku) else {
        return Err(ExceptionKind::SkuUnknown);
    };
    let rate = units
        .iter()
        .find(|u| u.unit == unit)
        .map(|u| u.conversion_rate)
        .ok_or(ExceptionKind::UnitUnmapped)?;
    if let Some(target) = overrides.get(&format!("{sku}:{unit}")) {
        return catalogue
            .get(target)
            .map(|p| MappedUnit::of(p, rate))
            .ok_or(ExceptionKind::UnitUnmapped);
    }
    if rate == Decimal::ONE {
        return Ok(MappedUnit::of(base, Decimal::ONE));
    }
    catalogue
        .pack_of(sku, rate)
        .map(|p| MappedUnit::of(p, rate))
        .ok_or(ExceptionKind::UnitUnmapped)
}

/// Splits `total` (rounded to the cent) over lines in proportion to `weights` by largest remainder,
/// so the parts add up to the total exactly and each is within a cent of its proportional share.
pub fn allocate_by_largest_remainder(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let total = round_money(total);
    let weight_sum: Decimal = weights.iter().copied().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if weight_sum <= Decimal::ZERO {
        let mut parts = vec![Decimal::ZERO; weights.len()];
        parts[0] = total;
        return parts;
    }
    let cents = (total * Decimal::ONE_HUNDRED).trunc();
    let shares: Vec<Decimal> = weights.iter().map(|w| cents * *w / weight_sum).collect();
    let mut floors: Vec<Decimal> = shares.iter().map(|s| s.floor()).collect();
    let mut leftover = cents - floors.iter().copied().sum::<Decimal>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest fractional part first; ties go to the earlier line so the result is deterministic.
    order.sort_by(|&a, &b| {
        (shares[b] - floors[b])
            .cmp(&(shares[a] - floors[a]))
            .then(a.cmp(&b))
    });
    for i in order.into_iter().cycle() {
        if leftover <= Decimal::ZERO {
            break;
        }
        floors[i] += Decimal::ONE;
        leftover -= Decimal::ONE;
    }
    floors
        .into_iter()
        .map(|c| c / Decimal::ONE_HUNDRED)
        .collect()
}

/// The Oro customer an order is billed to, or `None` for a broken hierarchy (unknown or cyclic).
pub fn financial_entity(
    customer: i64,
    parents: &HashMap<i64, Option<i64>>,
    rule: FinancialEntityRule,
) -> Option<i64> {
    parents.get(&customer)?;
    if rule == FinancialEntityRule::Itself {
        return Some(customer);
    }
    let mut current = customer;
    let mut seen = HashSet::from([customer]);
    while let Some(Some(parent)) = parents.get(&current) {
        if !seen.insert(*parent) || !parents.contains_key(parent) {
            return None;
        }
        current = *parent;
    }
    Some(current)
}

/// Top-first names of an Oro customer's ancestors and itself, for the Cin7 additional attribute.
pub fn hierarchy_path(
    customer: i64,
    parents: &HashMap<i64, Option<i64>>,
    names: &HashMap<i64, String>,
) -> String {
    let mut chain = vec![customer];
    let mut current = customer;
    while let Some(Some(parent)) = parents.get(&current) {
        if chain.contains(parent) {
            break;
        }
        chain.push(*parent);
        current = *parent;
    }
    chain
        .iter()
        .rev()
        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
        .collect::<Vec<_>>()
        .join(" > ")
}

/// Oro awaiting approval, or a financial entity on credit hold, lands as a draft: no stock committed.
pub fn target_stage(awaiting_approval: bool, on_credit_hold: bool) -> OrderStage {
    if awaiting_approval || on_credit_hold {
        OrderStage::Draft
    } else {
        OrderStage::Authorised
    }
}

/// External status `wait_for_approval`, or internal status `pending`.
pub fn is_awaiting_approval(internal_status: Option<&str>, status: Option<&str>) -> bool {
    status == Some("wait_for_approval") || internal_status == Some("pending")
}

/// The price for `quantity` from a list's (minimum quantity, price) tiers: the largest tier not above it.
pub fn effective_price(
    tiers: impl IntoIterator<Item = (Decimal, Decimal)>,
    quantity: Decimal,
) -> Option<Decimal> {
    tiers
        .into_iter()
        .filter(|(min, _)| *min <= quantity)
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, price)| price)
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
