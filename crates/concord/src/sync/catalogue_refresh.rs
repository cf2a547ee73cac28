//! Keeping the Cin7 catalogue current: the products modified since the last read (Cin7's
//! `ModifiedSince`) merged into the held copy, and a whole read only every few hours. Reading the
//! whole catalogue on every refresh cost 20 pages of the Cin7 budget and a fifth of the engine's
//! steady-state CPU at 20,000 SKUs, and a refresh runs every few minutes while orders wait for a
//! product.

use super::catalogue::Catalogue;
use super::context::{Context, FlowError};
use crate::connectors::budget::Priority;
use crate::domain::ErpProduct;
use std::collections::BTreeSet;

/// A whole read notices what no `ModifiedSince` read shows (a product deleted outright).
const WHOLE_READ_EVERY_S: f64 = 6.0 * 3600.0;
/// How far before the last read the next one starts: Cin7's clock and Concord's differ, and a
/// product saved while a read ran may carry a time before it.
const OVERLAP_S: f64 = 300.0;

impl Context {
    /// The catalogue brought up to date: the changes since the last read, or all of it when
    /// nothing is held or the last whole read is [`WHOLE_READ_EVERY_S`] old.
    pub async fn refresh_catalogue(&self, priority: Priority) -> Result<Catalogue, FlowError> {
        let now_s = self.clock.elapsed_s();
        let read_at_s = {
            let cache = self.cache.read().await;
            let incremental = cache.catalogue.is_some()
                && now_s - cache.catalogue_whole_at_s < WHOLE_READ_EVERY_S;
            incremental.then_some(cache.catalogue_at_s)
        };
        let Some(read_at_s) = read_at_s else {
            let products = self.cin7.products(&self.compared_tiers(), priority).await?;
            let catalogue = self.install_catalogue(products, now_s).await;
            self.keep_whole_catalogue(&catalogue).await?;
            return Ok(catalogue);
        };
        let since = self.clock.at(read_at_s - OVERLAP_S);
        let changed = self
            .cin7
            .products_modified_since(since, &self.compared_tiers(), priority)
            .await?;
        // Merged under the write lock, into the held copy itself: a price push upserts into it
        // too, and merging into a clone written back later would undo such an upsert.
        let (catalogue, moved) = {
            let mut cache = self.cache.write().await;
            let catalogue = cache.catalogue.get_or_insert_with(Catalogue::default);
            let moved = merge(catalogue, changed);
            let catalogue = catalogue.clone();
            cache.catalogue_at_s = now_s;
            if !moved.is_empty() {
                cache.revision += 1;
            }
            // Only these need comparing with Oro's prices again, not the whole catalogue.
            cache.prices_changed.skus.extend(moved.iter().cloned());
            (catalogue, moved)
        };
        if !moved.is_empty() {
            self.keep_catalogue_changes(&catalogue, &moved).await?;
        }
        Ok(catalogue)
    }

    /// Installs a whole catalogue read (or kept) at `at_s`.
    pub(crate) async fn install_catalogue(
        &self,
        products: Vec<ErpProduct>,
        at_s: f64,
    ) -> Catalogue {
        let catalogue = Catalogue::new(products);
        let mut cache = self.cache.write().await;
        cache.catalogue = Some(catalogue.clone());
        cache.catalogue_at_s = at_s;
        cache.revision += 1;
        cache.catalogue_whole_at_s = at_s;
        catalogue
    }
}

/// Applies products read as modified (`true`: deprecated, so no longer sold). Returns the SKUs
/// whose prices may now compare differently: each product that changed, and a pack's base SKU
/// (Oro prices a pack as a unit of its base product).
pub fn merge(catalogue: &mut Catalogue, changed: Vec<(ErpProduct, bool)>) -> BTreeSet<String> {
    let mut moved = BTreeSet::new();
    for (product, deprecated) in changed {
        let differs = match deprecated {
            true => catalogue.get(&product.sku).is_some(),
            false => catalogue.get(&product.sku) != Some(&product),
        };
        if !differs {
            continue;
        }
        moved.insert(product.sku.clone());
        if let Some(pack) = &product.pack {
            moved.insert(pack.base_sku.clone());
        }
        match deprecated {
            true => catalogue.remove(&product.sku),
            false => catalogue.upsert(product),
        }
    }
    moved
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::Pack;
    use rust_decimal_macros::dec;

    /// A base product with one `Trade` tier price (shared with the kept catalogue's tests).
    pub(crate) fn product(sku: &str, trade: rust_decimal::Decimal) -> ErpProduct {
        ErpProduct {
            id: format!("id-{sku}"),
            sku: sku.into(),
            name: sku.into(),
            pack: None,
            price_tiers: [("Trade".to_owned(), trade)].into_iter().collect(),
            is_service: false,
        }
    }

    fn case_of(base: &str) -> ErpProduct {
        ErpProduct {
            pack: Some(Pack {
                base_sku: base.into(),
                size: dec!(12),
            }),
            ..product(&format!("{base}-C12"), dec!(100))
        }
    }

    #[test]
    fn a_product_read_again_unchanged_moves_nothing() {
        let mut c = Catalogue::new(vec![product("A", dec!(10))]);
        assert!(merge(&mut c, vec![(product("A", dec!(10)), false)]).is_empty());
        assert!(merge(&mut c, vec![]).is_empty());
    }

    #[test]
    fn new_and_changed_products_are_merged_and_the_rest_kept() {
        let mut c = Catalogue::new(vec![product("A", dec!(10)), product("B", dec!(5))]);
        let changed = vec![(product("A", dec!(11)), false), (case_of("B"), false)];
        let moved: Vec<String> = merge(&mut c, changed).into_iter().collect();
        assert_eq!(moved, ["A", "B", "B-C12"], "a new pack brings its base SKU");
        assert_eq!(
            c.get("A").unwrap().price_tiers.get("Trade"),
            Some(&dec!(11))
        );
        assert_eq!(c.get("B").unwrap().price_tiers.get("Trade"), Some(&dec!(5)));
        assert_eq!(c.pack_of("B", dec!(12)).unwrap().sku, "B-C12");
    }

    #[test]
    fn a_deprecated_product_leaves_the_catalogue_with_its_pack_entry() {
        let mut c = Catalogue::new(vec![product("B", dec!(5)), case_of("B")]);
        assert!(!merge(&mut c, vec![(case_of("B"), true)]).is_empty());
        assert!(c.get("B-C12").is_none());
        assert!(c.pack_of("B", dec!(12)).is_none());
        assert!(
            merge(&mut c, vec![(case_of("B"), true)]).is_empty(),
            "already gone: nothing moved"
        );
    }
}
