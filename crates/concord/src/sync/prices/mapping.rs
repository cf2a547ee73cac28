//! Pure price-mirror rules: for each Cin7 product, the tier prices the mapped Oro lists say it
//! should carry (the list's price at quantity 1, a pack product at the unit of its pack size).

use crate::domain::{OroProduct, PriceTable};
use crate::sync::catalogue::Catalogue;
use rust_decimal::Decimal;
use std::borrow::Borrow;
use std::collections::BTreeMap;

/// Cin7 SKU → tier name → price, for every tier that differs from what Cin7 holds.
pub fn drifted_tiers<T: AsRef<PriceTable>, P: Borrow<OroProduct>>(
    mappings: &[(T, String)],
    products: &[P],
    catalogue: &Catalogue,
) -> BTreeMap<String, BTreeMap<String, Decimal>> {
    let mut out: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
    for (prices, tier) in mappings {
        let prices = prices.as_ref();
        for p in products.iter().map(Borrow::borrow) {
            if catalogue.base(&p.sku).is_none() {
                continue;
            }
            for u in &p.units {
                let target = if u.conversion_rate == Decimal::ONE {
                    catalogue.base(&p.sku)
                } else {
                    catalogue.pack_of(&p.sku, u.conversion_rate)
                };
                let Some(target) = target else { continue };
                let Some(at_one) = prices
                    .tiers(&p.sku, &u.unit)
                    .and_then(|mut t| t.find(|(q, _)| *q == Decimal::ONE))
                else {
                    continue;
                };
                if target.price_tiers.get(tier) != Some(&at_one.1) {
                    out.entry(target.sku.clone())
                        .or_default()
                        .insert(tier.clone(), at_one.1);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ErpProduct, Pack, UnitPrecision};
    use rust_decimal_macros::dec;

    #[test]
    fn only_differing_tiers_are_pushed_and_packs_take_their_unit_price() {
        let tiers = |t: &[(&str, Decimal)]| t.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        let catalogue = Catalogue::new(vec![
            ErpProduct {
                id: "1".into(),
                sku: "TEE".into(),
                name: "T".into(),
                pack: None,
                price_tiers: tiers(&[("Trade", dec!(9.50))]),
                is_service: false,
            },
            ErpProduct {
                id: "2".into(),
                sku: "TEE-C12".into(),
                name: "T12".into(),
                pack: Some(Pack {
                    base_sku: "TEE".into(),
                    size: dec!(12),
                }),
                price_tiers: tiers(&[]),
                is_service: false,
            },
        ]);
        let products = vec![OroProduct {
            id: "p".into(),
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
        let mut list = PriceTable::new();
        list.insert("TEE", "each", dec!(1), dec!(9.50));
        list.insert("TEE", "each", dec!(100), dec!(9.03));
        list.insert("TEE", "case", dec!(1), dec!(110.58));
        let drift = drifted_tiers(
            &[(std::sync::Arc::new(list), "Trade".into())],
            &products,
            &catalogue,
        );
        assert_eq!(drift.len(), 1);
        assert_eq!(drift["TEE-C12"]["Trade"], dec!(110.58));
    }
}
