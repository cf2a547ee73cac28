//! The Cin7 catalogue kept in the store one record a product, so a restart (or a second process)
//! starts from it without spending budget, and a refresh writes only the products that moved.
//!
//! Kept as one document, it was a 16 MB JSON text at 20,000 SKUs, written whole on every refresh
//! that moved one price and held twice more while it went down (sqlx's copy, SQLite's record):
//! the engine's memory peak. A small summary record says when the kept products were last brought
//! up to date, how many there are and which price tiers they carry; a kept set that disagrees
//! with it (a write cut short, another process's write in between, a changed tier mapping) is not
//! used, and the catalogue is read from Cin7 instead.

use super::catalogue::Catalogue;
use super::context::{Context, FlowError};
use crate::domain::ErpProduct;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Record kind of one kept product, keyed by SKU.
const PRODUCT: &str = "cin7_product";
/// The summary, in the `cache` kind.
const SUMMARY: &str = "cin7_catalogue";
/// Where earlier versions kept the whole catalogue as one document; removed on the next keep.
const ONE_DOCUMENT: &str = "cin7_products";

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Summary {
    at_s: f64,
    count: usize,
    tiers: Vec<String>,
}

impl Context {
    /// The price tiers the rules compare, the only ones the catalogue holds.
    pub(crate) fn compared_tiers(&self) -> Vec<String> {
        let tiers: BTreeSet<&String> = self.rules.price_tiers.iter().map(|m| &m.tier).collect();
        tiers.into_iter().cloned().collect()
    }

    /// Keeps a whole read, as installed (one product a SKU): every product, minus the kept ones
    /// Cin7 no longer lists.
    pub(crate) async fn keep_whole_catalogue(
        &self,
        catalogue: &Catalogue,
    ) -> Result<(), FlowError> {
        let rows: Vec<(&str, &ErpProduct)> =
            catalogue.products().map(|p| (p.sku.as_str(), p)).collect();
        self.store.record_put_many(PRODUCT, "ok", &rows).await?;
        for sku in self.store.record_keys(PRODUCT).await? {
            if catalogue.get(&sku).is_none() {
                self.store.record_delete(PRODUCT, &sku).await?;
            }
        }
        self.store.record_delete("cache", ONE_DOCUMENT).await?;
        self.keep_summary(catalogue.len()).await
    }

    /// Keeps what a refresh moved: the products of `moved` the catalogue holds are written, the
    /// others (deprecated) removed.
    pub(crate) async fn keep_catalogue_changes(
        &self,
        catalogue: &Catalogue,
        moved: &BTreeSet<String>,
    ) -> Result<(), FlowError> {
        let held: Vec<(&str, &ErpProduct)> = moved
            .iter()
            .filter_map(|sku| catalogue.get(sku).map(|p| (sku.as_str(), p)))
            .collect();
        self.store.record_put_many(PRODUCT, "ok", &held).await?;
        for sku in moved.iter().filter(|sku| catalogue.get(sku).is_none()) {
            self.store.record_delete(PRODUCT, sku).await?;
        }
        self.keep_summary(catalogue.len()).await
    }

    async fn keep_summary(&self, count: usize) -> Result<(), FlowError> {
        let summary = Summary {
            at_s: self.clock.elapsed_s(),
            count,
            tiers: self.compared_tiers(),
        };
        self.store
            .record_put("cache", SUMMARY, "ok", &summary)
            .await?;
        Ok(())
    }

    /// The kept catalogue and when it was brought up to date, if that is less than `max_age_s`
    /// ago and the kept products agree with their summary.
    pub(crate) async fn kept_catalogue(
        &self,
        max_age_s: f64,
    ) -> Result<Option<(f64, Vec<ErpProduct>)>, FlowError> {
        let Some(summary) = self.store.record_get("cache", SUMMARY).await? else {
            return Ok(None);
        };
        let Ok(summary) = serde_json::from_value::<Summary>(summary.data) else {
            tracing::warn!(
                "The kept Cin7 catalogue's summary is unreadable; reading Cin7 instead."
            );
            return Ok(None);
        };
        let fresh = self.clock.elapsed_s() - summary.at_s <= max_age_s;
        if !fresh || summary.tiers != self.compared_tiers() {
            return Ok(None);
        }
        // Row by row into products: 20,000 records as JSON values first were a second copy.
        let mut products = Vec::with_capacity(summary.count);
        let mut unreadable = None;
        self.store
            .records_each(PRODUCT, |sku, data| {
                match serde_json::from_str::<ErpProduct>(data) {
                    Ok(p) => products.push(p),
                    Err(e) => {
                        unreadable.get_or_insert((sku, e));
                    }
                }
            })
            .await?;
        if let Some((sku, e)) = unreadable {
            tracing::warn!(sku, error = %e, "A kept Cin7 product is unreadable; reading Cin7 instead.");
            return Ok(None);
        }
        if products.len() != summary.count {
            tracing::warn!(
                kept = products.len(),
                expected = summary.count,
                "The kept Cin7 catalogue is incomplete; reading Cin7 instead."
            );
            return Ok(None);
        }
        Ok(Some((summary.at_s, products)))
    }
}

#[cfg(test)]
#[path = "catalogue_kept_tests.rs"]
mod tests;
