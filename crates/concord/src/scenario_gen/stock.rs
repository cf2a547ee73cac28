//! Cin7 stock for the generated catalogue: the sale location holds every base unit the timeline
//! will ask for plus the SKU's buffer and some headroom (so nothing is oversold), some SKUs also sit
//! at the trade counter (sellable) or in quarantine (not sellable), and Oro starts at the levels the
//! stock formula gives.

use super::catalogue::{buffer_units, Catalogue};
use super::{MAIN, QUARANTINE, TRADE_COUNTER};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct Stock {
    pub availability: Vec<Value>,
    /// Sellable base units per product index at the start (before buffers are applied to units).
    pub oro_inventory: HashMap<usize, u32>,
}

pub fn build(rng: &mut StdRng, cat: &Catalogue, demand: &HashMap<usize, u32>) -> Stock {
    let mut stock = Stock::default();
    stock.availability.reserve(cat.sellable.len() * 3 / 2);
    for &idx in &cat.sellable {
        let p = &cat.products[idx];
        let buffer = buffer_units(&p.sku);
        let wanted = demand.get(&idx).copied().unwrap_or(0);
        let main = if wanted == 0 && rng.gen_bool(0.03) {
            0 // out of stock and not ordered
        } else {
            wanted + buffer + rng.gen_range(20..=300)
        };
        let mut sellable = main;
        stock.availability.push(row(&p.sku, MAIN, main));
        if rng.gen_bool(0.35) {
            let counter = rng.gen_range(5..=60);
            sellable += counter;
            stock.availability.push(row(&p.sku, TRADE_COUNTER, counter));
        }
        if rng.gen_bool(0.1) {
            stock
                .availability
                .push(row(&p.sku, QUARANTINE, rng.gen_range(1..=20)));
        }
        stock
            .oro_inventory
            .insert(idx, sellable.saturating_sub(buffer));
    }
    stock
}

fn row(sku: &str, location: &str, on_hand: u32) -> Value {
    json!({ "sku": sku, "location": location, "on_hand": on_hand.to_string(), "allocated": "0" })
}
