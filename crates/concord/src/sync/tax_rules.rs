//! The Cin7 tax rules' percentages, read once and kept: order validation needs them to tell a
//! rate Oro charged wrongly from a rounding cent, and reading `/ref/tax` per order would spend the
//! rate budget on a book that changes a few times a year.

use super::context::{Context, FlowError, KEPT_FOR_S};
use crate::connectors::budget::Priority;
use crate::domain::ErpTaxRule;
use std::collections::HashMap;

const KEY: &str = "cin7_tax_rules";
/// A rule added in Cin7 is found within this long; an unknown name re-reads sooner (see below).
const FRESH_FOR_S: f64 = 3600.0;
/// How often an unknown rule name may trigger a re-read, so a typo in the map cannot spend budget.
const UNKNOWN_RETRY_S: f64 = 300.0;

/// Rule name (as Cin7 spells it, compared case-insensitively) → rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaxRuleBook {
    rules: HashMap<String, ErpTaxRule>,
}

impl TaxRuleBook {
    pub fn new(rules: Vec<ErpTaxRule>) -> Self {
        TaxRuleBook {
            rules: rules
                .into_iter()
                .map(|r| (r.name.trim().to_ascii_lowercase(), r))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&ErpTaxRule> {
        self.rules.get(&name.trim().to_ascii_lowercase())
    }
}

impl Context {
    /// The tax rule book, re-read when older than an hour, or when `wanted` names a rule it does
    /// not hold (at most every five minutes).
    pub async fn tax_rules(&self, wanted: &[&str]) -> Result<TaxRuleBook, FlowError> {
        let now = self.clock.elapsed_s();
        {
            let cache = self.cache.read().await;
            if let Some((at_s, book)) = &cache.tax_rules {
                let all_known = wanted.iter().all(|w| book.get(w).is_some());
                let fresh = now - at_s < FRESH_FOR_S;
                if fresh && (all_known || now - at_s < UNKNOWN_RETRY_S) {
                    return Ok(book.clone());
                }
            }
        }
        let _loading = self.load_lock.lock().await;
        if self.cache.read().await.tax_rules.is_none() {
            if let Some((at_s, rules)) = self.kept::<Vec<ErpTaxRule>>(KEY, KEPT_FOR_S).await? {
                let book = TaxRuleBook::new(rules);
                if wanted.iter().all(|w| book.get(w).is_some()) && now - at_s < FRESH_FOR_S {
                    install(&mut *self.cache.write().await, at_s, &book);
                    return Ok(book);
                }
            }
        }
        let rules = self.cin7.tax_rules(Priority::Orders).await?;
        self.keep(KEY, &rules).await?;
        let book = TaxRuleBook::new(rules);
        install(&mut *self.cache.write().await, now, &book);
        Ok(book)
    }
}

/// Keeps the book read at `at_s`; a book that differs from the one held moves the revision.
fn install(cache: &mut super::context::Caches, at_s: f64, book: &TaxRuleBook) {
    if cache.tax_rules.as_ref().map(|(_, held)| held) != Some(book) {
        cache.revision += 1;
    }
    cache.tax_rules = Some((at_s, book.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn rule(name: &str, percent: rust_decimal::Decimal) -> ErpTaxRule {
        ErpTaxRule {
            name: name.into(),
            percent,
            active: true,
            inclusive: false,
        }
    }

    #[test]
    fn only_a_book_that_differs_moves_the_revision() {
        let mut cache = super::super::context::Caches::default();
        install(
            &mut cache,
            0.0,
            &TaxRuleBook::new(vec![rule("20% VAT", dec!(20))]),
        );
        assert_eq!(cache.revision, 1, "the first book");
        install(
            &mut cache,
            3600.0,
            &TaxRuleBook::new(vec![rule("20% VAT", dec!(20))]),
        );
        assert_eq!(cache.revision, 1, "read again, unchanged");
        assert_eq!(cache.tax_rules.as_ref().map(|(at, _)| *at), Some(3600.0));
        install(
            &mut cache,
            7200.0,
            &TaxRuleBook::new(vec![rule("20% VAT", dec!(17.5))]),
        );
        assert_eq!(cache.revision, 2, "a rate changed in Cin7");
    }
}
