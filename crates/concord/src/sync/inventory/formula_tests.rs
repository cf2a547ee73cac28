//! Table-driven and property tests of the stock formula.

use super::*;
use crate::domain::{ErpProduct, Pack, UnitPrecision};
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn catalogue() -> Catalogue {
    let p = |sku: &str, pack: Option<Pack>| ErpProduct {
        id: sku.into(),
        sku: sku.into(),
        name: sku.into(),
        pack,
        price_tiers: Default::default(),
        is_service: false,
    };
    Catalogue::new(vec![
        p("TEE", None),
        p(
            "TEE-C12",
            Some(Pack {
                base_sku: "TEE".into(),
                size: dec!(12),
            }),
        ),
    ])
}

fn row(sku: &str, loc: &str, available: Decimal) -> StockRow {
    StockRow {
        sku: sku.into(),
        location: loc.into(),
        on_hand: available,
        allocated: dec!(0),
        available,
    }
}

#[test]
fn packs_count_at_their_size_and_unmapped_locations_are_ignored() {
    let rows = vec![
        row("TEE", "Main", dec!(100)),
        row("TEE", "Quarantine", dec!(50)),
        row("TEE-C12", "Main", dec!(2)),
    ];
    let locs = vec!["Main".to_owned()];
    let avail = available_by_base_sku(&rows, Some(&locs), &catalogue());
    assert_eq!(avail.get("TEE"), Some(&dec!(124)));
    let all = available_by_base_sku(&rows, None, &catalogue());
    assert_eq!(all.get("TEE"), Some(&dec!(174)));
}

#[test]
fn a_lowering_sums_only_the_base_skus_it_asks_for_packs_included() {
    let rows = vec![
        row("TEE", "Main", dec!(100)),
        row("TEE-C12", "Main", dec!(2)),
        row("CAP", "Main", dec!(7)),
    ];
    let some = available_for_base_skus(&rows, None, &catalogue(), |base| base == "TEE");
    assert_eq!(some, HashMap::from([("TEE".to_owned(), dec!(124))]));
    let all = available_by_base_sku(&rows, None, &catalogue());
    assert_eq!(all.get("CAP"), Some(&dec!(7)));
    assert_eq!(all.get("TEE"), Some(&dec!(124)));
}

#[test]
fn buffers_match_exactly_or_by_prefix_and_the_first_wins() {
    let buffers = vec![
        StockBuffer {
            sku: "HOOD-*".into(),
            units: dec!(12),
        },
        StockBuffer {
            sku: "HOOD-NVY-M".into(),
            units: dec!(1),
        },
    ];
    assert_eq!(buffer_for("HOOD-NVY-M", &buffers), dec!(12));
    assert_eq!(buffer_for("TEE", &buffers), dec!(0));
}

#[test]
fn levels_round_down_to_the_unit_precision() {
    let cases = [
        (dec!(100), dec!(12), 0, dec!(8)),
        (dec!(100), dec!(1), 0, dec!(100)),
        (dec!(10), dec!(3), 2, dec!(3.33)),
        (dec!(5), dec!(0), 0, dec!(0)),
    ];
    for (sellable, rate, precision, want) in cases {
        assert_eq!(
            unit_level(sellable, rate, precision),
            want,
            "{sellable}/{rate}@{precision}"
        );
    }
}

#[test]
fn the_formula_subtracts_buffer_and_in_flight_and_never_goes_negative() {
    let products = vec![OroProduct {
        id: "1".into(),
        sku: "TEE".into(),
        inventory_status: None,
        units: vec![
            UnitPrecision {
                unit: "each".into(),
                conversion_rate: dec!(1),
                precision: 0,
            },
            UnitPrecision {
                unit: "case".into(),
                conversion_rate: dec!(12),
                precision: 0,
            },
        ],
        tax_code: None,
    }];
    let avail = HashMap::from([("TEE".to_owned(), dec!(130))]);
    let buffers = vec![StockBuffer {
        sku: "TEE".into(),
        units: dec!(5),
    }];
    let inflight = HashMap::from([("TEE".to_owned(), dec!(24))]);
    let got = levels(&products, &avail, &buffers, &inflight, &catalogue());
    assert_eq!(got[&("TEE".to_owned(), "each".to_owned())], dec!(101));
    assert_eq!(got[&("TEE".to_owned(), "case".to_owned())], dec!(8));
    let inflight = HashMap::from([("TEE".to_owned(), dec!(500))]);
    assert_eq!(
        levels(&products, &avail, &buffers, &inflight, &catalogue())
            [&("TEE".to_owned(), "each".to_owned())],
        dec!(0)
    );
}

proptest! {
    #[test]
    fn a_level_never_exceeds_what_is_sellable(
        available in 0i64..1_000_000, buffer in 0i64..1000, in_flight in 0i64..1000,
        rate in 1i64..500, precision in 0u32..3,
    ) {
        let s = sellable(Decimal::from(available), Decimal::from(buffer), Decimal::from(in_flight));
        prop_assert!(s >= Decimal::ZERO);
        prop_assert!(s <= Decimal::from(available));
        let level = unit_level(s, Decimal::from(rate), precision);
        prop_assert!(level >= Decimal::ZERO);
        prop_assert!(level * Decimal::from(rate) <= s, "level {} x rate {} > sellable {}", level, rate, s);
        prop_assert!(level.scale() <= precision);
    }
}

#[test]
fn absurd_quantities_saturate_instead_of_panicking() {
    let rows = vec![
        row("TEE", "Main", Decimal::MAX),
        row("TEE-C12", "Main", Decimal::MAX),
    ];
    let avail = available_by_base_sku(&rows, None, &catalogue());
    assert_eq!(avail["TEE"], Decimal::MAX);
    assert_eq!(
        sellable(Decimal::MIN, Decimal::MAX, Decimal::MAX),
        Decimal::ZERO
    );
    assert_eq!(unit_level(Decimal::MAX, dec!(0.0000001), 0), Decimal::ZERO);
}
