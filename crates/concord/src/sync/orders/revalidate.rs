//! When a held order is looked at again. Each look reads the order from Oro and validates it
//! afresh; done every five minutes for every held order, that cost grew with held orders × time
//! (on the 600-order day, 23 orders held for good took 528 of the 1,230 order reads). So
//! an order is looked at every pass only while it is new, then ever less often, up to hourly; and
//! at once, all held orders together, whenever something they are validated against has changed.

use super::record::{OrderRecord, OrderState};
use crate::sync::context::{Caches, Context};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// (held for fewer than this many passes, look every this many passes); older: hourly at the
/// default five-minute pass.
const STRIDES: [(f64, i64); 3] = [(6.0, 1), (12.0, 2), (24.0, 4)];
const OLDEST_STRIDE: i64 = 12;

/// Whether an order held since `first_seen_s` is looked at in pass `slot`, when passes come every
/// `every_s` seconds and it is now `now_s`.
pub fn due_by_age(first_seen_s: f64, now_s: f64, every_s: f64, slot: i64) -> bool {
    let passes_held = (now_s - first_seen_s).max(0.0) / every_s.max(1.0);
    let stride = STRIDES
        .iter()
        .find(|(under, _)| passes_held < *under)
        .map_or(OLDEST_STRIDE, |(_, stride)| *stride);
    slot.rem_euclid(stride) == 0
}

/// True when what held orders are validated against has changed since the last pass (and on a
/// process's first pass, which may follow a config change): the Cin7 catalogue, customers and tax
/// rules (by the caches' revision), Oro's products and customers (by their newest `updatedAt`),
/// and, while an order is held for a price, the price lists.
pub async fn inputs_changed(ctx: &Context, held: &[OrderRecord]) -> bool {
    let priced = held
        .iter()
        .any(|r| r.held_for.iter().any(|k| k == "price_mismatch"));
    note_inputs(&mut *ctx.cache.write().await, priced)
}

/// Records what held orders are validated against now; true when it differs from the last record.
fn note_inputs(cache: &mut Caches, priced: bool) -> bool {
    let mut hasher = DefaultHasher::new();
    cache.revision.hash(&mut hasher);
    cache.oro_products_stamp.hash(&mut hasher);
    cache.oro_customers_stamp.hash(&mut hasher);
    if priced {
        cache.oro_price_lists_stamp.hash(&mut hasher);
    }
    let digest = hasher.finish();
    let changed = cache.held_inputs_seen != Some(digest);
    cache.held_inputs_seen = Some(digest);
    changed
}

/// Whether a held order is due in pass `slot` (drafts on credit hold have their own test).
pub fn held_order_due(
    rec: &OrderRecord,
    now_s: f64,
    every_s: f64,
    slot: i64,
    changed: bool,
) -> bool {
    rec.state == OrderState::Held
        && !rec.cancelled
        && (changed || due_by_age(rec.first_seen_s, now_s, every_s, slot))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_order_is_looked_at_ever_less_often_up_to_hourly() {
        // Passes every 300 s; (minutes held, passes in 0..24 that look at it).
        let cases: [(f64, usize); 5] = [(0.0, 24), (29.0, 24), (31.0, 12), (61.0, 6), (121.0, 2)];
        for (minutes, looks) in cases {
            let first_seen = 100_000.0 - minutes * 60.0;
            let got = (0..24)
                .filter(|slot| due_by_age(first_seen, 100_000.0, 300.0, *slot))
                .count();
            assert_eq!(got, looks, "held {minutes} min");
        }
    }

    #[test]
    fn a_change_looks_at_every_held_order_at_once_and_only_at_held_ones() {
        let mut rec = OrderRecord::new(1, 0.0);
        rec.state = OrderState::Held;
        // Held for ten hours: pass 5 is not its turn.
        assert!(!held_order_due(&rec, 36_000.0, 300.0, 5, false));
        assert!(held_order_due(&rec, 36_000.0, 300.0, 5, true));
        assert!(held_order_due(&rec, 36_000.0, 300.0, 12, false));
        rec.cancelled = true;
        assert!(!held_order_due(&rec, 36_000.0, 300.0, 12, true));
        let mut draft = OrderRecord::new(2, 0.0);
        draft.state = OrderState::Draft;
        assert!(!held_order_due(&draft, 36_000.0, 300.0, 12, true));
    }

    #[test]
    fn inputs_count_as_changed_on_the_first_pass_and_after_each_change_only() {
        let mut cache = Caches::default();
        assert!(note_inputs(&mut cache, false), "a process's first pass");
        assert!(!note_inputs(&mut cache, false), "nothing moved");
        cache.revision += 1;
        assert!(note_inputs(&mut cache, false), "a Cin7 cache moved");
        cache.oro_customers_stamp = Some("2026-12-07T10:00:00Z".into());
        assert!(note_inputs(&mut cache, false), "a newer Oro customer");
        cache.oro_products_stamp = Some("2026-12-07T10:00:00Z".into());
        assert!(note_inputs(&mut cache, false), "a newer Oro product");
        assert!(!note_inputs(&mut cache, false));
        // Price lists count only while an order is held for a price.
        cache.oro_price_lists_stamp = Some("2026-12-07T11:00:00Z".into());
        assert!(!note_inputs(&mut cache, false), "no order held for a price");
        assert!(note_inputs(&mut cache, true), "an order held for a price");
        assert!(!note_inputs(&mut cache, true));
    }

    #[test]
    fn a_clock_before_first_sight_counts_as_new() {
        assert!(due_by_age(500.0, 400.0, 300.0, 7));
    }
}
