//! What Concord knows of Oro's inventory levels without reading them: each level's id, the last
//! quantity Concord read or wrote, and what it last wrote. A sync reads from Oro only the products
//! whose wanted level differs from that; only Oro's checkouts lower a level on their own, and each
//! checkout is an order that changes the wanted level too. A full read now and then (and after a
//! restart, when the book is empty) catches what the book cannot: a level changed by hand in Oro.

use crate::domain::InventoryLevel;
use rust_decimal::Decimal;
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Known {
    product_id: String,
    unit: String,
    quantity: Decimal,
    written: Option<Decimal>,
}

#[derive(Debug, Default)]
pub struct LevelBook {
    by_id: HashMap<String, Known>,
    by_key: HashMap<(String, String), String>,
    /// When every level was last read (`None`: never since start).
    pub full_read_s: Option<f64>,
}

impl LevelBook {
    /// A level as just read from Oro.
    pub fn saw(&mut self, level: &InventoryLevel) {
        let key = (level.product_id.clone(), level.unit.clone());
        self.by_key.insert(key, level.id.clone());
        let known = self.by_id.entry(level.id.clone()).or_insert_with(|| Known {
            product_id: level.product_id.clone(),
            unit: level.unit.clone(),
            quantity: level.quantity,
            written: None,
        });
        known.quantity = level.quantity;
    }

    /// What Concord wrote to a level (also known from the store after a full read).
    pub fn wrote(&mut self, level_id: &str, quantity: Decimal) {
        if let Some(known) = self.by_id.get_mut(level_id) {
            known.quantity = quantity;
            known.written = Some(quantity);
        }
    }

    /// What Concord last wrote to a level, when it is known.
    pub fn written(&self, level_id: &str) -> Option<Decimal> {
        self.by_id.get(level_id).and_then(|k| k.written)
    }

    /// Whether Oro must be read for this product's unit: its level is unknown, or it differs from
    /// the level wanted now.
    pub fn needs_read(&self, product_id: &str, unit: &str, wanted: Decimal) -> bool {
        self.by_key
            .get(&(product_id.to_owned(), unit.to_owned()))
            .and_then(|id| self.by_id.get(id))
            .is_none_or(|k| k.quantity != wanted || k.product_id != product_id || k.unit != unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn level(id: &str, quantity: Decimal) -> InventoryLevel {
        InventoryLevel {
            id: id.into(),
            product_id: "7".into(),
            unit: "each".into(),
            quantity,
        }
    }

    #[test]
    fn a_level_is_read_only_when_unknown_or_no_longer_what_is_wanted() {
        let mut book = LevelBook::default();
        assert!(book.needs_read("7", "each", dec!(5)), "never seen");
        book.saw(&level("L1", dec!(5)));
        assert!(!book.needs_read("7", "each", dec!(5)));
        assert!(
            book.needs_read("7", "each", dec!(4)),
            "a checkout or a change"
        );
        assert!(book.needs_read("7", "case", dec!(5)), "another unit");
        book.wrote("L1", dec!(4));
        assert!(!book.needs_read("7", "each", dec!(4)));
        assert_eq!(book.written("L1"), Some(dec!(4)));
        assert_eq!(book.written("L2"), None);
    }
}
