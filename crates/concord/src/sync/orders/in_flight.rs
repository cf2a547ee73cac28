//! The orders the stock formula may count as in flight, kept parsed between reads. Every stock
//! write, lowering and look at a stock webhook needs them; reading and parsing each one every time
//! was a tenth of the engine's CPU on the 600-order day, though few change between two reads. Each
//! read now asks the store for keys and versions only (one index range) and reads again just the
//! records whose version moved: the store moves it with every write, by any process.

use super::record::{OrderRecord, OrderState};
use concord_store::{Store, StoreError};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

/// Every state but the settled and final ones.
pub const STATES: [OrderState; 6] = [
    OrderState::Received,
    OrderState::Held,
    OrderState::Submitting,
    OrderState::HeaderCreated,
    OrderState::Draft,
    OrderState::Authorised,
];

/// Record key → (its version when read, the record as parsed then).
pub type Kept = Mutex<HashMap<String, (i64, Arc<OrderRecord>)>>;

/// The in-flight candidates as they stand in the store now, parsing only what changed since this
/// process last read them. Proportional to open work, never to every order ever seen.
pub async fn candidates(store: &Store, kept: &Kept) -> Result<Vec<Arc<OrderRecord>>, StoreError> {
    let names = STATES.map(OrderState::as_str);
    let versions = store.record_versions_in_statuses("order", &names).await?;
    let mut out = Vec::with_capacity(versions.len());
    let mut moved = Vec::new();
    {
        // No await while it is held; a poisoned map is still a valid map.
        let kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, version) in &versions {
            match kept.get(key) {
                Some((at, record)) if at == version => out.push(Arc::clone(record)),
                _ => moved.push((key, *version)),
            }
        }
    }
    let mut fresh = Vec::with_capacity(moved.len());
    for (key, version) in moved {
        // Written again since the versions were read: kept under the older version, it is simply
        // read once more next time.
        // Parsed straight from its text, and as before, one record that does not parse is
        // passed over: it must not stop every stock write.
        if let Some(record) = super::record::load_key_or_skip(store, key).await? {
            fresh.push((key.clone(), version, Arc::new(record)));
        }
    }
    let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
    let open: HashSet<&String> = versions.iter().map(|(key, _)| key).collect();
    kept.retain(|key, _| open.contains(key));
    for (key, version, record) in fresh {
        out.push(Arc::clone(&record));
        kept.insert(key, (version, record));
    }
    Ok(out)
}

/// Base units in flight by base SKU: for each SKU `as_of` gives the moment its stock figures
/// describe (a snapshot's, or a webhook's), and `None` leaves the SKU out.
pub fn units_by_sku(
    records: &[Arc<OrderRecord>],
    as_of: impl Fn(&str) -> Option<f64>,
) -> HashMap<String, Decimal> {
    let mut out: HashMap<String, Decimal> = HashMap::new();
    for rec in records {
        for (sku, units) in &rec.base_units {
            if as_of(sku).is_some_and(|at| rec.in_flight_at(at)) {
                *out.entry(sku.clone()).or_default() += *units;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::orders::record::save;
    use concord_core::Clock;

    fn order(id: i64, state: OrderState) -> OrderRecord {
        let mut record = OrderRecord::new(id, 0.0);
        record.state = state;
        record
    }

    async fn memory_store() -> Store {
        Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap()
    }

    async fn read(store: &Store, kept: &Kept) -> HashMap<i64, Arc<OrderRecord>> {
        let all = candidates(store, kept).await.unwrap();
        all.into_iter().map(|r| (r.order_id, r)).collect()
    }

    #[tokio::test]
    async fn only_records_written_since_the_last_read_are_read_again() {
        let (store, kept) = (memory_store().await, Kept::default());
        save(&store, &order(1, OrderState::Held)).await.unwrap();
        save(&store, &order(2, OrderState::Draft)).await.unwrap();
        save(&store, &order(3, OrderState::Voided)).await.unwrap();
        let first = read(&store, &kept).await;
        assert_eq!(first.len(), 2, "the voided order is not a candidate");

        let mut changed = order(2, OrderState::Authorised);
        changed.allocated_at_s = Some(42.0);
        save(&store, &changed).await.unwrap();
        let second = read(&store, &kept).await;
        assert!(Arc::ptr_eq(&first[&1], &second[&1]), "order 1 was kept");
        assert_eq!(second[&2].state, OrderState::Authorised);
        assert_eq!(second[&2].allocated_at_s, Some(42.0));

        // A record leaving the in-flight states leaves the kept ones too.
        save(&store, &order(1, OrderState::Voided)).await.unwrap();
        let third = read(&store, &kept).await;
        assert_eq!(third.keys().collect::<Vec<_>>(), [&2]);
        assert_eq!(kept.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_record_that_does_not_parse_is_passed_over_and_the_rest_still_count() {
        let (store, kept) = (memory_store().await, Kept::default());
        save(&store, &order(1, OrderState::Held)).await.unwrap();
        let broken = serde_json::json!({ "order_id": "not a number" });
        store
            .record_put("order", "2", "held", &broken)
            .await
            .unwrap();
        let read = read(&store, &kept).await;
        assert_eq!(read.keys().collect::<Vec<_>>(), [&1]);
    }

    #[test]
    fn units_count_per_sku_as_of_the_moment_its_figures_describe() {
        let units = |sku: &str, n: i64| (sku.to_owned(), Decimal::from(n));
        let mut held = order(1, OrderState::Held);
        held.base_units = vec![units("TEE", 2), units("CAP", 1)];
        let mut allocated = order(2, OrderState::Authorised);
        allocated.allocated_at_s = Some(100.0);
        allocated.base_units = vec![units("TEE", 5)];
        let records = [Arc::new(held), Arc::new(allocated)];

        // Figures from before the allocation still count order 2; from after it, not.
        let before = units_by_sku(&records, |_| Some(50.0));
        assert_eq!(before.get("TEE"), Some(&Decimal::from(7)));
        let after = units_by_sku(&records, |_| Some(150.0));
        assert_eq!(after.get("TEE"), Some(&Decimal::from(2)));
        // A SKU left out is not counted at all.
        let tee_only = units_by_sku(&records, |sku| (sku == "TEE").then_some(50.0));
        assert_eq!(tee_only.get("CAP"), None);
        assert_eq!(tee_only.get("TEE"), Some(&Decimal::from(7)));
    }
}
