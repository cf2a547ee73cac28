//! Cin7's product catalogue as the flows need it: SKUs, pack products by (base SKU, pack size).

use crate::domain::ErpProduct;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    // Shared: every order's mapping takes a copy of the catalogue, which must cost nothing. Each
    // product is shared too: changing one product of a copy (a price push, a refresh's merge)
    // copies the map of pointers, not 20,000 products with their tiers (30 MB at 20,000 SKUs).
    by_sku: Arc<HashMap<String, Arc<ErpProduct>>>,
    packs: Arc<HashMap<(String, Decimal), String>>,
    /// The pack SKUs of each base SKU: what a lowering for a few SKUs looks up in a stock
    /// snapshot, instead of walking every row of it. May hold a SKU that has since stopped being
    /// that base's pack; never lacks one that is.
    pack_skus: Arc<HashMap<String, Vec<String>>>,
}

impl Catalogue {
    pub fn new(products: Vec<ErpProduct>) -> Self {
        let mut packs = HashMap::new();
        let mut pack_skus: HashMap<String, Vec<String>> = HashMap::new();
        for p in &products {
            if let Some(pack) = &p.pack {
                packs.insert(
                    (pack.base_sku.clone(), pack.size.normalize()),
                    p.sku.clone(),
                );
                pack_skus
                    .entry(pack.base_sku.clone())
                    .or_default()
                    .push(p.sku.clone());
            }
        }
        Catalogue {
            pack_skus: Arc::new(pack_skus),
            by_sku: Arc::new(
                products
                    .into_iter()
                    .map(|p| (p.sku.clone(), Arc::new(p)))
                    .collect(),
            ),
            packs: Arc::new(packs),
        }
    }

    pub fn get(&self, sku: &str) -> Option<&ErpProduct> {
        self.by_sku.get(sku).map(|p| &**p)
    }

    /// A base (non-pack) product with this SKU.
    pub fn base(&self, sku: &str) -> Option<&ErpProduct> {
        self.get(sku).filter(|p| p.pack.is_none())
    }

    /// The pack product holding `size` units of `base_sku`.
    pub fn pack_of(&self, base_sku: &str, size: Decimal) -> Option<&ErpProduct> {
        self.packs
            .get(&(base_sku.to_owned(), size.normalize()))
            .and_then(|s| self.get(s))
    }

    /// The SKUs of the pack products of `base_sku` (see the field for what it may hold).
    pub fn pack_skus(&self, base_sku: &str) -> &[String] {
        self.pack_skus.get(base_sku).map_or(&[], Vec::as_slice)
    }

    pub fn products(&self) -> impl Iterator<Item = &ErpProduct> {
        self.by_sku.values().map(|p| &**p)
    }

    pub fn len(&self) -> usize {
        self.by_sku.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_sku.is_empty()
    }

    /// Replaces one product (after a price push) without refetching the catalogue.
    pub fn upsert(&mut self, product: ErpProduct) {
        if let Some(pack) = &product.pack {
            Arc::make_mut(&mut self.packs).insert(
                (pack.base_sku.clone(), pack.size.normalize()),
                product.sku.clone(),
            );
            let skus = Arc::make_mut(&mut self.pack_skus)
                .entry(pack.base_sku.clone())
                .or_default();
            if !skus.contains(&product.sku) {
                skus.push(product.sku.clone());
            }
        }
        Arc::make_mut(&mut self.by_sku).insert(product.sku.clone(), Arc::new(product));
    }

    /// Drops a product (deprecated in Cin7), and the pack entry that pointed at it.
    pub fn remove(&mut self, sku: &str) {
        if let Some(product) = Arc::make_mut(&mut self.by_sku).remove(sku) {
            if let Some(pack) = &product.pack {
                let key = (pack.base_sku.clone(), pack.size.normalize());
                Arc::make_mut(&mut self.packs).remove(&key);
                if let Some(skus) = Arc::make_mut(&mut self.pack_skus).get_mut(&pack.base_sku) {
                    skus.retain(|s| s != sku);
                }
            }
        }
    }
}
