//! The catalogue side of a capture: Cin7 products (base SKUs, packs, services) and their stock,
//! Oro products with their units and inventory levels, and Oro price lists with their prices.

use super::read::{Cin7Snapshot, OroSnapshot};
use crate::domain::{ErpCatalogueProduct, NamedOroProduct};
use concord_core::scenario::{
    Availability, Cin7Product, OroProduct, OroUnit, PackOf, Price, PriceList,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

pub fn cin7_product(p: &ErpCatalogueProduct) -> Cin7Product {
    Cin7Product {
        sku: p.product.sku.clone(),
        name: p.product.name.clone(),
        uom: p.uom.clone().unwrap_or_else(|| "Each".to_owned()),
        price_tiers: p
            .product
            .price_tiers
            .iter()
            .map(|(tier, price)| (tier.to_owned(), *price))
            .collect(),
        pack_of: p.product.pack.as_ref().map(|pack| PackOf {
            sku: pack.base_sku.clone(),
            quantity: pack.size,
        }),
        kind: p.product.is_service.then(|| "Service".to_owned()),
    }
}

/// Products with a SKU, once each; a pack whose base SKU Cin7 does not list is left out (the
/// scenario could not say what it is a pack of), and named in `notes`.
pub fn cin7_products(snap: &Cin7Snapshot, notes: &mut Vec<String>) -> Vec<Cin7Product> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<Cin7Product> = snap
        .products
        .iter()
        .filter(|p| !p.product.sku.trim().is_empty())
        .filter(|p| seen.insert(p.product.sku.clone()))
        .map(cin7_product)
        .collect();
    let (kept, orphans): (Vec<_>, Vec<_>) = unique.into_iter().partition(|p| {
        p.pack_of
            .as_ref()
            .is_none_or(|pack| seen.contains(&pack.sku))
    });
    for p in orphans {
        notes.push(format!(
            "Cin7 product {} left out: it is a pack of a SKU Cin7 does not list",
            p.sku
        ));
    }
    kept
}

/// Stock per SKU and location, summed over the rows Cin7 lists, for the products kept.
pub fn availability(snap: &Cin7Snapshot, products: &[Cin7Product]) -> Vec<Availability> {
    let known: std::collections::HashSet<&str> = products.iter().map(|p| p.sku.as_str()).collect();
    let mut by: BTreeMap<(String, String), (Decimal, Decimal)> = BTreeMap::new();
    for row in snap
        .availability
        .iter()
        .filter(|r| known.contains(r.sku.as_str()))
    {
        let entry = by
            .entry((row.sku.clone(), row.location.clone()))
            .or_default();
        entry.0 += row.on_hand;
        entry.1 += row.allocated;
    }
    by.into_iter()
        .map(|((sku, location), (on_hand, allocated))| Availability {
            sku,
            location,
            on_hand,
            allocated,
        })
        .collect()
}

/// Every location Cin7 lists as active, plus any the stock names.
pub fn locations(snap: &Cin7Snapshot) -> Vec<String> {
    let mut out: Vec<String> = snap
        .locations
        .iter()
        .filter(|l| l.active)
        .map(|l| l.name.clone())
        .collect();
    for row in &snap.availability {
        if !out.contains(&row.location) {
            out.push(row.location.clone());
        }
    }
    out
}

fn oro_product(
    p: &NamedOroProduct,
    levels: &HashMap<&str, BTreeMap<String, Decimal>>,
) -> OroProduct {
    OroProduct {
        sku: p.product.sku.clone(),
        name: p.name.clone(),
        units: p
            .product
            .units
            .iter()
            .map(|u| OroUnit {
                code: u.unit.clone(),
                conversion_rate: u.conversion_rate,
                precision: u.precision,
            })
            .collect(),
        inventory: levels
            .get(p.product.id.as_str())
            .cloned()
            .unwrap_or_default(),
        inventory_status: p.product.inventory_status.clone(),
        tax_code: p.product.tax_code.clone(),
    }
}

/// Oro products with their units and inventory levels; one without units is left out.
pub fn oro_products(snap: &OroSnapshot, notes: &mut Vec<String>) -> Vec<OroProduct> {
    let mut levels: HashMap<&str, BTreeMap<String, Decimal>> = HashMap::new();
    for level in &snap.levels {
        levels
            .entry(level.product_id.as_str())
            .or_default()
            .insert(level.unit.clone(), level.quantity);
    }
    let mut out = Vec::new();
    for p in &snap.products {
        let usable = !p.product.sku.trim().is_empty()
            && !p.product.units.is_empty()
            && p.product
                .units
                .iter()
                .all(|u| u.conversion_rate > Decimal::ZERO);
        if usable {
            out.push(oro_product(p, &levels));
        } else {
            notes.push(format!(
                "Oro product {:?} left out: it has no SKU or no usable unit",
                p.product.sku
            ));
        }
    }
    out
}

/// Price lists with their prices by SKU; `currency` where neither the list nor a price says.
pub fn price_lists(snap: &OroSnapshot, currency: &str) -> Vec<PriceList> {
    let skus: HashMap<&str, &str> = snap
        .products
        .iter()
        .map(|p| (p.product.id.as_str(), p.product.sku.as_str()))
        .collect();
    snap.price_lists
        .iter()
        .filter_map(|(entry, prices)| {
            let id: i64 = entry.name.parse().ok()?;
            let currency = prices
                .first()
                .map(|p| p.currency.clone())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| currency.to_owned());
            let prices = prices
                .iter()
                .filter_map(|p| {
                    Some(Price {
                        sku: (*skus.get(p.product_id.as_str())?).to_owned(),
                        unit: p.unit.clone(),
                        quantity: p.quantity,
                        value: p.value,
                    })
                })
                .collect();
            Some(PriceList {
                id,
                name: entry
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("Price list {id}")),
                currency,
                prices,
            })
        })
        .collect()
}
