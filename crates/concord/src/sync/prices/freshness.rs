//! When Oro's prices are read and which SKUs a read changed. Oro offers no change signal for a
//! price: `productprices` carry no `updatedAt`, and saving one touches neither its product's nor
//! its list's `updatedAt` (the pricing listeners only queue combined-list rebuilds). So a list is
//! read whole when first needed and then on a slow safety cadence, an order's own prices are
//! re-read when they disagree, and the Cin7 push compares only the SKUs those reads changed.

use crate::domain::price_table::{skus_that_differ, PriceTable};
use std::collections::{BTreeSet, HashMap, HashSet};

/// SKUs whose Oro prices changed since the price push last compared them with Cin7.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceChanges {
    /// Compare every product (a list read for the first time, or the catalogue re-read).
    pub all: bool,
    pub skus: BTreeSet<String>,
}

impl PriceChanges {
    pub fn is_empty(&self) -> bool {
        !self.all && self.skus.is_empty()
    }

    pub fn merge(&mut self, other: PriceChanges) {
        self.all |= other.all;
        self.skus.extend(other.skus);
    }
}

/// Which of `lists` to read whole: every one on a `full` pass, those never read whole (a list
/// only partly filled by orders' own reads counts as unread), those whose last whole read is
/// `every_s` old, and those whose own `updatedAt` moved (`changed`: a list's rules or currencies).
pub fn lists_to_read(
    lists: &[i64],
    read_at_s: &HashMap<i64, f64>,
    changed: &HashSet<i64>,
    full: bool,
    now_s: f64,
    every_s: f64,
) -> Vec<i64> {
    lists
        .iter()
        .copied()
        .filter(|l| {
            full || changed.contains(l) || read_at_s.get(l).is_none_or(|at| now_s - at >= every_s)
        })
        .collect()
}

/// What replacing `old` with `new` changed: every SKU when nothing was held, else the SKUs whose
/// tiers differ (tiers compared in quantity order, as a read may return them in any order).
pub fn changed_skus(old: Option<&PriceTable>, new: &PriceTable) -> PriceChanges {
    let Some(old) = old else {
        return PriceChanges {
            all: true,
            skus: BTreeSet::new(),
        };
    };
    PriceChanges {
        all: false,
        skus: skus_that_differ(old, new).into_iter().collect(),
    }
}

#[cfg(test)]
#[path = "freshness_tests.rs"]
mod tests;
