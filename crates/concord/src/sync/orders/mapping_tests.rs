//! Table-driven and property tests of the order mapping rules.

use super::*;
use crate::domain::{ErpProduct, Pack};
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn product(sku: &str, pack: Option<(&str, Decimal)>) -> ErpProduct {
    ErpProduct {
        id: format!("id-{sku}"),
        sku: sku.into(),
        name: sku.into(),
        pack: pack.map(|(b, s)| Pack {
            base_sku: b.into(),
            size: s,
        }),
        price_tiers: Default::default(),
        is_service: false,
    }
}

fn units() -> Vec<UnitPrecision> {
    vec![
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
        UnitPrecision {
            unit: "pallet".into(),
            conversion_rate: dec!(480),
            precision: 0,
        },
    ]
}

#[test]
fn units_map_to_the_base_sku_or_the_pack_of_the_same_size() {
    let cat = Catalogue::new(vec![
        product("TEE", None),
        product("TEE-C12", Some(("TEE", dec!(12.0)))),
        product("MUG-C6", Some(("MUG", dec!(6)))),
    ]);
    let overrides = BTreeMap::from([("TEE:pallet".to_owned(), "TEE-C12".to_owned())]);
    type Case<'a> = (&'a str, &'a str, Result<(&'a str, Decimal), ExceptionKind>);
    let cases: Vec<Case> = vec![
        ("TEE", "each", Ok(("TEE", dec!(1)))),
        ("TEE", "case", Ok(("TEE-C12", dec!(12)))),
        ("TEE", "pallet", Ok(("TEE-C12", dec!(480)))),
        ("TEE", "box", Err(ExceptionKind::UnitUnmapped)),
        ("MUG", "each", Err(ExceptionKind::SkuUnknown)),
        ("TEE-C12", "each", Err(ExceptionKind::SkuUnknown)),
    ];
    for (sku, unit, want) in cases {
        let got =
            map_unit(&cat, sku, unit, &units(), &overrides).map(|m| (m.cin7_sku, m.base_units));
        assert_eq!(got, want.map(|(s, b)| (s.to_owned(), b)), "{sku} {unit}");
    }
    let no_pack = Catalogue::new(vec![product("TEE", None)]);
    assert_eq!(
        map_unit(&no_pack, "TEE", "case", &units(), &BTreeMap::new()),
        Err(ExceptionKind::UnitUnmapped)
    );
}

#[test]
fn tax_is_allocated_to_the_cent() {
    assert_eq!(
        allocate_by_largest_remainder(dec!(10.00), &[dec!(1), dec!(1), dec!(1)]),
        vec![dec!(3.34), dec!(3.33), dec!(3.33)]
    );
    assert_eq!(
        allocate_by_largest_remainder(dec!(43.20), &[dec!(216)]),
        vec![dec!(43.20)]
    );
    assert_eq!(
        allocate_by_largest_remainder(dec!(5), &[dec!(0), dec!(0)]),
        vec![dec!(5), dec!(0)]
    );
    assert!(allocate_by_largest_remainder(dec!(5), &[]).is_empty());
}

proptest! {
    #[test]
    fn allocated_tax_sums_exactly_and_each_part_is_within_a_cent(
        cents in 0i64..10_000_000,
        weights in proptest::collection::vec(1i64..1_000_000, 1..20),
    ) {
        let total = Decimal::new(cents, 2);
        let weights: Vec<Decimal> = weights.into_iter().map(|w| Decimal::new(w, 2)).collect();
        let parts = allocate_by_largest_remainder(total, &weights);
        prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), total);
        let sum: Decimal = weights.iter().copied().sum();
        for (part, w) in parts.iter().zip(&weights) {
            let share = total * *w / sum;
            prop_assert!((*part - share).abs() < dec!(0.01), "part {} share {}", part, share);
        }
    }
}

#[test]
fn the_financial_entity_is_the_top_parent_or_the_customer_itself() {
    let parents = HashMap::from([
        (1, None),
        (2, Some(1)),
        (3, Some(2)),
        (9, Some(8)),
        (8, Some(9)),
    ]);
    assert_eq!(
        financial_entity(3, &parents, FinancialEntityRule::TopParent),
        Some(1)
    );
    assert_eq!(
        financial_entity(1, &parents, FinancialEntityRule::TopParent),
        Some(1)
    );
    assert_eq!(
        financial_entity(3, &parents, FinancialEntityRule::Itself),
        Some(3)
    );
    assert_eq!(
        financial_entity(9, &parents, FinancialEntityRule::TopParent),
        None,
        "a cycle"
    );
    assert_eq!(
        financial_entity(42, &parents, FinancialEntityRule::TopParent),
        None,
        "unknown"
    );
    let names = HashMap::from([
        (1, "Group".to_owned()),
        (2, "Leeds".to_owned()),
        (3, "Desk".to_owned()),
    ]);
    assert_eq!(hierarchy_path(3, &parents, &names), "Group > Leeds > Desk");
}

#[test]
fn the_status_follows_approval_and_credit_hold() {
    assert_eq!(target_stage(false, false), OrderStage::Authorised);
    assert_eq!(target_stage(true, false), OrderStage::Draft);
    assert_eq!(target_stage(false, true), OrderStage::Draft);
    assert!(is_awaiting_approval(
        Some("open"),
        Some("wait_for_approval")
    ));
    assert!(is_awaiting_approval(Some("pending"), None));
    assert!(!is_awaiting_approval(Some("open"), None));
}

#[test]
fn the_effective_price_is_the_largest_tier_not_above_the_quantity() {
    let tiers = [(dec!(1), dec!(9.50)), (dec!(100), dec!(9.03))];
    assert_eq!(effective_price(tiers, dec!(24)), Some(dec!(9.50)));
    assert_eq!(effective_price(tiers, dec!(100)), Some(dec!(9.03)));
    assert_eq!(effective_price(tiers, dec!(0.5)), None);
    assert_eq!(effective_price([], dec!(5)), None);
}
