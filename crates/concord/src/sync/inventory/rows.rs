//! A Cin7 availability snapshot with its rows sorted by SKU. A lowering or a stock webhook's look
//! needs the rows of a handful of SKUs; walking every row of the snapshot for them (a catalogue
//! and a set lookup per row) was about 4 % of the engine's CPU on the 600-order day. Sorted, not
//! indexed: an index of 20,000 SKUs would cost memory the 20,000-SKU day cannot spare.

use crate::domain::StockRow;
use crate::sync::catalogue::Catalogue;

#[derive(Debug, Default)]
pub struct StockRows {
    /// By SKU, then location.
    rows: Vec<StockRow>,
}

impl StockRows {
    pub fn new(mut rows: Vec<StockRow>) -> Self {
        // In place: a stable sort borrows a buffer as large as the rows (6 MB at 20,000 SKUs,
        // which showed in the engine's peak), and no caller needs Cin7's order.
        rows.sort_unstable_by(|a, b| (&a.sku, &a.location).cmp(&(&b.sku, &b.location)));
        StockRows { rows }
    }

    /// Every row, by SKU and location. (Availability is a sum per base SKU: order does not matter.)
    pub fn all(&self) -> &[StockRow] {
        &self.rows
    }

    /// The rows of one SKU.
    fn of_sku(&self, sku: &str) -> &[StockRow] {
        let start = self.rows.partition_point(|r| r.sku.as_str() < sku);
        let len = self.rows[start..].partition_point(|r| r.sku == sku);
        &self.rows[start..start + len]
    }

    /// The rows that may count towards these base SKUs: each base's own rows and those of its
    /// pack products. A superset at worst (a pack the catalogue has since moved), which the
    /// formula's own base check then leaves out; each row once, by SKU.
    pub fn for_bases<'a, 'b>(
        &'a self,
        catalogue: &Catalogue,
        bases: impl IntoIterator<Item = &'b str>,
    ) -> Vec<&'a StockRow> {
        let mut skus: Vec<&str> = Vec::new();
        for base in bases {
            skus.push(base);
            skus.extend(catalogue.pack_skus(base).iter().map(String::as_str));
        }
        skus.sort_unstable();
        skus.dedup();
        skus.into_iter().flat_map(|sku| self.of_sku(sku)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ErpProduct, Pack};
    use crate::sync::inventory::formula;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::collections::HashSet;

    fn row(sku: &str, location: &str, available: i64) -> StockRow {
        StockRow {
            sku: sku.into(),
            location: location.into(),
            on_hand: Decimal::ZERO,
            allocated: Decimal::ZERO,
            available: Decimal::from(available),
        }
    }

    fn product(sku: &str, pack: Option<(&str, i64)>) -> ErpProduct {
        ErpProduct {
            id: sku.into(),
            sku: sku.into(),
            name: sku.into(),
            pack: pack.map(|(base, size)| Pack {
                base_sku: base.into(),
                size: Decimal::from(size),
            }),
            price_tiers: Default::default(),
            is_service: false,
        }
    }

    fn catalogue() -> Catalogue {
        Catalogue::new(vec![
            product("MUG", None),
            product("MUG-C6", Some(("MUG", 6))),
            product("MUG-C12", Some(("MUG", 12))),
            product("TEE", None),
        ])
    }

    #[test]
    fn a_base_takes_its_own_rows_and_its_packs_rows_once_each() {
        let rows = StockRows::new(vec![
            row("MUG", "A", 5),
            row("TEE", "A", 9),
            row("MUG-C6", "A", 1),
            row("MUG", "B", 2),
            row("GHOST", "A", 4),
        ]);
        let picked = |bases: &[&str]| -> Vec<(String, String)> {
            rows.for_bases(&catalogue(), bases.iter().copied())
                .into_iter()
                .map(|r| (r.sku.clone(), r.location.clone()))
                .collect()
        };
        let pair = |s: &str, l: &str| (s.to_owned(), l.to_owned());
        assert_eq!(
            picked(&["MUG", "MUG"]),
            [pair("MUG", "A"), pair("MUG", "B"), pair("MUG-C6", "A")]
        );
        assert_eq!(
            picked(&["GHOST"]),
            [pair("GHOST", "A")],
            "a SKU Cin7 lists but the catalogue lacks"
        );
        assert!(picked(&["NONE"]).is_empty());
    }

    #[test]
    fn a_removed_pack_stops_counting_and_an_added_one_starts() {
        let rows = StockRows::new(vec![row("MUG-C6", "A", 1), row("MUG-C24", "A", 1)]);
        let mut catalogue = catalogue();
        catalogue.remove("MUG-C6");
        catalogue.upsert(product("MUG-C24", Some(("MUG", 24))));
        let skus: Vec<&str> = rows
            .for_bases(&catalogue, ["MUG"])
            .into_iter()
            .map(|r| r.sku.as_str())
            .collect();
        assert_eq!(skus, ["MUG-C24"]);
    }

    proptest! {
        /// For any snapshot and any bases, the sorted rows give the same availability as a walk
        /// over every row.
        #[test]
        fn sorted_rows_give_the_availability_of_a_walk_over_every_row(
            cells in proptest::collection::vec((0usize..6, 0usize..3, 0i64..50), 0..40),
            wanted in proptest::collection::hash_set(0usize..6, 0..6),
        ) {
            const SKUS: [&str; 6] = ["MUG", "MUG-C6", "MUG-C12", "TEE", "GHOST", "CAP"];
            let snapshot: Vec<StockRow> = cells
                .iter()
                .map(|(s, l, a)| row(SKUS[*s], ["A", "B", "C"][*l], *a))
                .collect();
            let catalogue = catalogue();
            let bases: HashSet<&str> = wanted.iter().map(|i| SKUS[*i]).collect();
            let walked = formula::available_for_base_skus(&snapshot, None, &catalogue, |b| bases.contains(b));
            let rows = StockRows::new(snapshot);
            let sorted = formula::available_for_base_skus(
                rows.for_bases(&catalogue, bases.iter().copied()),
                None,
                &catalogue,
                |b| bases.contains(b),
            );
            prop_assert_eq!(walked, sorted);
        }
    }
}
