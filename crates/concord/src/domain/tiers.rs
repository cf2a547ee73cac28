//! A Cin7 product's price per tier name, held as a short sorted list rather than a map.
//!
//! Why not a `BTreeMap`: its first node is about 450 bytes whatever it holds, so one per product
//! was 11 MB of a 20,000-product catalogue for two or three tiers each. Serialized as a map, so
//! kept copies and wire bodies read the same as before.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierPrices(Vec<(String, Decimal)>);

impl TierPrices {
    pub fn get(&self, tier: &str) -> Option<&Decimal> {
        self.position(tier).ok().map(|i| &self.0[i].1)
    }

    /// Sets one tier's price, adding the tier when it is new.
    pub fn set(&mut self, tier: &str, price: Decimal) {
        match self.position(tier) {
            Ok(i) => self.0[i].1 = price,
            Err(i) => self.0.insert(i, (tier.to_owned(), price)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Decimal)> {
        self.0.iter().map(|(t, p)| (t.as_str(), p))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps only the tiers `wanted` names, and gives back the room the others took.
    pub fn keep_only(&mut self, wanted: &[String]) {
        self.0.retain(|(tier, _)| wanted.iter().any(|w| w == tier));
        self.0.shrink_to_fit();
    }

    fn position(&self, tier: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(t, _)| t.as_str().cmp(tier))
    }
}

impl FromIterator<(String, Decimal)> for TierPrices {
    /// A tier named twice keeps its last price, as a map would.
    fn from_iter<I: IntoIterator<Item = (String, Decimal)>>(iter: I) -> Self {
        let mut prices = TierPrices::default();
        for (tier, price) in iter {
            prices.set(&tier, price);
        }
        prices.0.shrink_to_fit();
        prices
    }
}

impl Serialize for TierPrices {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for TierPrices {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<String, Decimal>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn reads_and_writes_as_the_map_it_replaces() {
        let json = serde_json::json!({"Trade": "9.5", "Retail": "12"});
        let prices: TierPrices = serde_json::from_value(json).unwrap();
        assert_eq!(prices.get("Trade"), Some(&dec!(9.5)));
        assert_eq!(prices.get("Retail"), Some(&dec!(12)));
        assert_eq!(prices.get("Key Account"), None);
        assert_eq!(
            serde_json::to_value(&prices).unwrap(),
            serde_json::json!({"Retail": "12", "Trade": "9.5"})
        );
    }

    #[test]
    fn keeping_only_the_wanted_tiers_drops_the_rest() {
        let mut prices: TierPrices = [
            ("Trade", dec!(9)),
            ("Retail", dec!(12)),
            ("Tier 3", dec!(0)),
        ]
        .into_iter()
        .map(|(t, p)| (t.to_owned(), p))
        .collect();
        prices.keep_only(&["Trade".to_owned(), "Key Account".to_owned()]);
        assert_eq!(prices.iter().collect::<Vec<_>>(), [("Trade", &dec!(9))]);
    }

    proptest! {
        /// Whatever is set, in whatever order, the list answers as a `BTreeMap` fed the same.
        #[test]
        fn answers_as_a_map_would(writes in proptest::collection::vec(("[A-C]{1,2}", 0i64..1000), 0..24)) {
            let mut map = BTreeMap::new();
            let mut prices = TierPrices::default();
            for (tier, cents) in &writes {
                map.insert(tier.clone(), Decimal::new(*cents, 2));
                prices.set(tier, Decimal::new(*cents, 2));
            }
            let listed: Vec<(&str, &Decimal)> = map.iter().map(|(t, p)| (t.as_str(), p)).collect();
            prop_assert_eq!(prices.iter().collect::<Vec<_>>(), listed);
            let collected: TierPrices = map.clone().into_iter().collect();
            prop_assert_eq!(collected, prices);
        }
    }
}
