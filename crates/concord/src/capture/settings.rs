//! The configuration's rules as a scenario's `settings`, so the replay runs Concord with the
//! merchant's own rules. Unit overrides, validation and owner overrides have no place in a
//! scenario and are not carried (see `docs/capture.md`).

use crate::config::Rules;
use concord_core::scenario::Settings;
use std::collections::HashSet;

/// The settings for `rules`; a price tier mapping names a price list that was not captured is
/// left out (the scenario would be refused) and noted.
pub fn from_rules(rules: &Rules, lists: &HashSet<i64>, notes: &mut Vec<String>) -> Settings {
    let (price_tiers, unknown): (Vec<_>, Vec<_>) = rules
        .price_tiers
        .iter()
        .cloned()
        .partition(|m| lists.contains(&m.price_list));
    for m in unknown {
        notes.push(format!(
            "rules.price_tiers: price list {} (tier {:?}) is not in Oro, left out",
            m.price_list, m.tier
        ));
    }
    Settings {
        financial_entity: rules.financial_entity,
        locations: rules.locations.clone(),
        stock_buffers: rules.stock_buffers.clone(),
        new_customer: rules.new_customer.clone(),
        shipping_charge: rules.shipping_charge.clone(),
        price_tiers,
        order_sla_s: Some(rules.order_sla_s),
        stock_stale_after_s: Some(rules.stock_stale_after_s),
        tax_rule_map: rules.tax_rule_map.clone(),
        shipping_tax_code: rules.shipping_tax_code.clone(),
        discount_charge: rules.discount_charge.clone(),
        postings: rules.postings.clone(),
    }
}
