//! One Oro price list as Concord holds it: each SKU's price rows (unit, minimum quantity, price).
//!
//! Why not a map keyed by `(sku, unit)` with a `Vec` of tiers: at 20,000 SKUs that was two
//! `String`s and a four-slot `Vec` per key, about 20 MB for two lists. Here a SKU is one key, its
//! rows sit in one exactly-sized list, and units are named once per table and referred to by
//! number (a list has a handful).

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    units: Vec<Box<str>>,
    by_sku: HashMap<Box<str>, Vec<PriceRow>>,
}

/// One price: kept sorted by (unit, minimum quantity) within its SKU, so that two tables holding
/// the same prices hold them in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct PriceRow {
    // u32, not u16: the row is 36 bytes either way (a `Decimal` aligns to 4).
    unit: u32,
    min_quantity: Decimal,
    price: Decimal,
}

impl PriceTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one price of `sku` in `unit` from `min_quantity` up.
    pub fn insert(&mut self, sku: &str, unit: &str, min_quantity: Decimal, price: Decimal) {
        let row = PriceRow {
            unit: self.unit_number(unit),
            min_quantity,
            price,
        };
        let rows = match self.by_sku.get_mut(sku) {
            Some(rows) => rows,
            None => self.by_sku.entry(sku.into()).or_default(),
        };
        let at = rows.partition_point(|r| *r <= row);
        rows.insert(at, row);
    }

    /// `sku`'s tiers in `unit` as (minimum quantity, price), lowest quantity first; none when the
    /// list does not price that unit.
    pub fn tiers<'a>(
        &'a self,
        sku: &str,
        unit: &str,
    ) -> Option<impl Iterator<Item = (Decimal, Decimal)> + 'a> {
        let number = self.units.iter().position(|u| &**u == unit)?;
        let rows = self.by_sku.get(sku)?;
        let mut of_unit = rows
            .iter()
            .filter(move |r| r.unit as usize == number)
            .map(|r| (r.min_quantity, r.price))
            .peekable();
        of_unit.peek()?;
        Some(of_unit)
    }

    pub fn contains(&self, sku: &str, unit: &str) -> bool {
        self.tiers(sku, unit).is_some()
    }

    pub fn skus(&self) -> impl Iterator<Item = &str> {
        self.by_sku.keys().map(|s| &**s)
    }

    pub fn sku_count(&self) -> usize {
        self.by_sku.len()
    }

    /// Whether `sku` carries the same prices here as in `other` (units compared by name).
    pub fn same_prices(&self, other: &PriceTable, sku: &str) -> bool {
        self.named_rows(sku) == other.named_rows(sku)
    }

    /// Only the prices of `skus`.
    pub fn subset<'a>(&self, skus: impl IntoIterator<Item = &'a str>) -> PriceTable {
        let mut out = PriceTable::new();
        for sku in skus {
            for (unit, min_quantity, price) in self.named_rows(sku) {
                out.insert(sku, unit, min_quantity, price);
            }
        }
        out
    }

    /// Replaces every price of `skus` with what `fresh` holds for them (none, when it has none).
    pub fn replace_skus(&mut self, skus: &HashSet<&str>, fresh: &PriceTable) {
        self.by_sku.retain(|sku, _| !skus.contains(&**sku));
        for sku in fresh.skus().filter(|s| skus.contains(s)) {
            for (unit, min_quantity, price) in fresh.named_rows(sku) {
                self.insert(sku, unit, min_quantity, price);
            }
        }
    }

    /// Gives back the room growing lists left over: call once a whole list has been read.
    pub fn shrink_to_fit(&mut self) {
        for rows in self.by_sku.values_mut() {
            rows.shrink_to_fit();
        }
        self.by_sku.shrink_to_fit();
    }

    fn named_rows(&self, sku: &str) -> Vec<(&str, Decimal, Decimal)> {
        let mut rows: Vec<_> = self
            .by_sku
            .get(sku)
            .into_iter()
            .flatten()
            .map(|r| (self.unit_name(r.unit), r.min_quantity, r.price))
            .collect();
        rows.sort_unstable();
        rows
    }

    fn unit_name(&self, number: u32) -> &str {
        self.units.get(number as usize).map_or("", |u| &**u)
    }

    fn unit_number(&mut self, unit: &str) -> u32 {
        let at = match self.units.iter().position(|u| &**u == unit) {
            Some(at) => at,
            None => {
                self.units.push(unit.into());
                self.units.len() - 1
            }
        };
        // A list names a handful of units: four billion is beyond any feed.
        u32::try_from(at).unwrap_or(u32::MAX)
    }
}

impl PartialEq for PriceTable {
    fn eq(&self, other: &Self) -> bool {
        self.sku_count() == other.sku_count()
            && self
                .skus()
                .all(|sku| other.by_sku.contains_key(sku) && self.same_prices(other, sku))
    }
}

impl FromIterator<((String, String), Vec<(Decimal, Decimal)>)> for PriceTable {
    fn from_iter<I: IntoIterator<Item = ((String, String), Vec<(Decimal, Decimal)>)>>(
        iter: I,
    ) -> Self {
        let mut table = PriceTable::new();
        for ((sku, unit), tiers) in iter {
            for (min_quantity, price) in tiers {
                table.insert(&sku, &unit, min_quantity, price);
            }
        }
        table.shrink_to_fit();
        table
    }
}

/// Every SKU of either table whose prices differ between them.
pub fn skus_that_differ(old: &PriceTable, new: &PriceTable) -> Vec<String> {
    let mut out: Vec<String> = new
        .skus()
        .filter(|sku| !old.same_prices(new, sku))
        .map(str::to_owned)
        .collect();
    out.extend(
        old.skus()
            .filter(|sku| !new.by_sku.contains_key(*sku))
            .map(str::to_owned),
    );
    out
}

#[cfg(test)]
#[path = "price_table_tests.rs"]
mod tests;
