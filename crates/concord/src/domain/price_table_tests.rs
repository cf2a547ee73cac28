//! The compact price table against the plain map it replaced: same answers, table-driven and by
//! property.

use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;

type Tiers = Vec<(Decimal, Decimal)>;
type Model = BTreeMap<(String, String), Tiers>;
/// SKU → its (unit, tiers), as one SKU's prices compare.
type BySku = BTreeMap<String, Vec<(String, Tiers)>>;

fn tiers_of(table: &PriceTable, sku: &str, unit: &str) -> Option<Tiers> {
    table.tiers(sku, unit).map(Iterator::collect)
}

#[test]
fn a_sku_keeps_its_units_apart_and_its_tiers_in_quantity_order() {
    let mut t = PriceTable::new();
    t.insert("TEE", "each", dec!(100), dec!(9.03));
    t.insert("TEE", "case", dec!(1), dec!(110.58));
    t.insert("TEE", "each", dec!(1), dec!(9.50));
    let cases: &[(&str, &str, Option<Tiers>)] = &[
        (
            "TEE",
            "each",
            Some(vec![(dec!(1), dec!(9.50)), (dec!(100), dec!(9.03))]),
        ),
        ("TEE", "case", Some(vec![(dec!(1), dec!(110.58))])),
        ("TEE", "box", None),
        ("MUG", "each", None),
    ];
    for (sku, unit, want) in cases {
        assert_eq!(tiers_of(&t, sku, unit), *want, "{sku} {unit}");
        assert_eq!(t.contains(sku, unit), want.is_some(), "{sku} {unit}");
    }
    assert_eq!(t.sku_count(), 1);
}

#[test]
fn a_unit_known_to_the_table_but_not_priced_for_a_sku_has_no_tiers() {
    let mut t = PriceTable::new();
    t.insert("TEE", "case", dec!(1), dec!(110));
    t.insert("MUG", "each", dec!(1), dec!(4));
    assert!(!t.contains("TEE", "each"));
    assert!(t.contains("MUG", "each"));
}

#[test]
fn replacing_skus_takes_the_fresh_prices_and_drops_what_fresh_no_longer_has() {
    let mut held: PriceTable = [
        (("TEE".into(), "each".into()), vec![(dec!(1), dec!(9.50))]),
        (("MUG".into(), "each".into()), vec![(dec!(1), dec!(4))]),
        (("CAP".into(), "each".into()), vec![(dec!(1), dec!(6))]),
    ]
    .into_iter()
    .collect();
    let fresh: PriceTable = [(("TEE".into(), "each".into()), vec![(dec!(1), dec!(9.75))])]
        .into_iter()
        .collect();
    held.replace_skus(&HashSet::from(["TEE", "MUG"]), &fresh);
    assert_eq!(
        tiers_of(&held, "TEE", "each"),
        Some(vec![(dec!(1), dec!(9.75))])
    );
    assert!(!held.contains("MUG", "each"));
    assert!(held.contains("CAP", "each"));
}

fn model_strategy() -> impl Strategy<Value = Vec<(String, String, u32, u32)>> {
    let sku = prop::sample::select(vec!["TEE", "MUG", "CAP", "HOOD-L"]).prop_map(str::to_owned);
    let unit = prop::sample::select(vec!["each", "case", "box"]).prop_map(str::to_owned);
    prop::collection::vec((sku, unit, 1u32..4, 1u32..2000), 0..24)
}

fn build(rows: &[(String, String, u32, u32)]) -> (PriceTable, Model) {
    let mut table = PriceTable::new();
    let mut model = Model::new();
    for (sku, unit, qty, cents) in rows {
        let (q, p) = (Decimal::from(*qty), Decimal::new(i64::from(*cents), 2));
        table.insert(sku, unit, q, p);
        model
            .entry((sku.clone(), unit.clone()))
            .or_default()
            .push((q, p));
    }
    for tiers in model.values_mut() {
        tiers.sort_unstable();
    }
    (table, model)
}

fn model_skus_that_differ(old: &Model, new: &Model) -> Vec<String> {
    let skus = |m: &Model| -> BySku {
        let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for ((sku, unit), tiers) in m {
            out.entry(sku.clone())
                .or_default()
                .push((unit.clone(), tiers.clone()));
        }
        out
    };
    let (old, new) = (skus(old), skus(new));
    let mut all: Vec<String> = old.keys().chain(new.keys()).cloned().collect();
    all.sort_unstable();
    all.dedup();
    all.retain(|sku| old.get(sku) != new.get(sku));
    all
}

proptest! {
    #[test]
    fn answers_as_the_plain_map_does(rows in model_strategy()) {
        let (table, model) = build(&rows);
        for sku in ["TEE", "MUG", "CAP", "HOOD-L", "NONE"] {
            for unit in ["each", "case", "box", "set"] {
                let want = model.get(&(sku.to_owned(), unit.to_owned())).cloned();
                prop_assert_eq!(tiers_of(&table, sku, unit), want);
            }
        }
        let mut shrunk = table.clone();
        shrunk.shrink_to_fit();
        prop_assert_eq!(&shrunk, &table);
    }

    #[test]
    fn the_skus_that_differ_are_the_maps_differences(
        old in model_strategy(),
        new in model_strategy(),
    ) {
        let (old_table, old_model) = build(&old);
        let (new_table, new_model) = build(&new);
        let mut got = skus_that_differ(&old_table, &new_table);
        got.sort_unstable();
        prop_assert_eq!(got, model_skus_that_differ(&old_model, &new_model));
        prop_assert!(skus_that_differ(&new_table, &new_table).is_empty());
    }

    #[test]
    fn a_subset_holds_exactly_the_named_skus(rows in model_strategy()) {
        let (table, model) = build(&rows);
        let sub = table.subset(["TEE", "CAP"]);
        for ((sku, unit), tiers) in &model {
            let want = matches!(sku.as_str(), "TEE" | "CAP").then(|| tiers.clone());
            prop_assert_eq!(tiers_of(&sub, sku, unit), want);
        }
    }
}

#[test]
fn a_price_row_stays_thirty_six_bytes() {
    // The point of the table: a unit number and two decimals, no strings.
    assert_eq!(std::mem::size_of::<PriceRow>(), 36);
}
