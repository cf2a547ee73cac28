//! What every job handler shares: the store, both clients, the rules, and caches of slowly changing
//! reference data (Cin7's catalogue and customers cost budget; Oro's customers, products and prices
//! are refreshed freely).

use super::catalogue::Catalogue;
use crate::config::{Rules, Schedule};
use crate::connectors::budget::Priority;
use crate::connectors::cin7::{Cin7Client, Cin7Error};
use crate::connectors::oro::{OroClient, OroError};
use crate::domain::*;
use concord_core::Clock;
use concord_store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};

/// How long a kept copy of Cin7 reference data is trusted after a restart. Webhooks (or the
/// polling fallback) keep credit holds current and the catalogue refreshes on its own schedule.
pub(crate) const KEPT_FOR_S: f64 = 6.0 * 3600.0;

/// How far back a fresh sale-list read for an unclear post reaches (clock seconds). Posts left
/// unclear by one outage were sent up to its length apart; half an hour of sales is still one page
/// (1,000) for all but the busiest shops.
pub const LOOKUP_LOOKBACK_S: f64 = 1800.0;

#[derive(Clone)]
pub struct Context {
    pub store: Store,
    pub cin7: Cin7Client,
    pub oro: OroClient,
    pub rules: Arc<Rules>,
    pub schedule: Arc<Schedule>,
    pub clock: Clock,
    pub cache: Arc<RwLock<Caches>>,
    /// Names this process as a lease holder in the shared store.
    pub instance: Arc<str>,
    /// One lock per Oro order so a webhook, a poll and a re-validation never submit it concurrently.
    pub order_locks: Arc<Mutex<HashMap<i64, Arc<Mutex<()>>>>>,
    /// Serialises customer creation so two orders of one new account never create it twice.
    pub customer_lock: Arc<Mutex<()>>,
    /// Set once Cin7 accepted Concord's webhook subscriptions; until then credit holds are polled.
    pub cin7_webhooks: Arc<std::sync::atomic::AtomicBool>,
    /// Serialises the first load of Cin7 reference data so concurrent workers share one read.
    pub load_lock: Arc<Mutex<()>>,
    /// One read of Oro's reference data in flight (see `oro_reference.rs`).
    pub oro_load_lock: Arc<Mutex<()>>,
    /// One order poll at a time (the first poll's backlog check must finish before another
    /// starts); holds what this process remembers of its polls.
    pub poll_lock: Arc<Mutex<crate::sync::orders::intake::PollMemory>>,
    /// One writer of Oro levels at a time: a full sync's write and an order's immediate lowering
    /// must not interleave, or the later write could restore units a checkout just took.
    pub stock_lock: Arc<Mutex<()>>,
    /// Set once the pre-Concord sales are known to be recorded (see `intake::poll`).
    pub backlog_checked: Arc<std::sync::atomic::AtomicBool>,
    /// Order id → the `updatedAt` this process's polls last recorded and enqueued it at.
    pub polled_orders: Arc<std::sync::Mutex<HashMap<i64, String>>>,
    /// Orders whose SKUs an immediate lowering has already covered (see `inventory::lower`).
    pub lowered_orders: Arc<std::sync::Mutex<std::collections::HashSet<i64>>>,
    /// The last good availability snapshot and its clock second, for the freshness gate.
    pub last_snapshot: Arc<std::sync::Mutex<Option<Snapshot>>>,
    /// The in-flight order records as last read and parsed (see `orders::in_flight`).
    pub kept_orders: Arc<crate::sync::orders::in_flight::Kept>,
    /// What this process's Cin7 stock webhooks said since its last snapshot (see `inventory::hints`).
    pub stock_hints: Arc<std::sync::Mutex<crate::sync::inventory::hints::StockHints>>,
    /// What each Oro level showed when last read or written (see `inventory::book`).
    pub level_book: Arc<std::sync::Mutex<crate::sync::inventory::book::LevelBook>>,
    /// Live workers and restarts, for `/readyz`.
    pub workers: Arc<crate::engine::supervise::WorkerBoard>,
}

/// A kept copy as stored: `{"at_s": …, "value": …}`.
#[derive(serde::Serialize)]
pub(crate) struct Kept<'a, T: serde::Serialize + ?Sized> {
    pub at_s: f64,
    pub value: &'a T,
}

/// An availability snapshot and the clock second it was taken. The rows are shared, not copied:
/// at 20,000 SKUs a copy per lowering was megabytes of churn for a read-only list.
pub type Snapshot = (f64, Arc<crate::sync::inventory::rows::StockRows>);

pub use crate::domain::PriceTable;

#[derive(Default)]
pub struct Caches {
    pub catalogue: Option<Catalogue>,
    pub catalogue_at_s: f64,
    /// When the held catalogue was last read whole (clock seconds; see `catalogue_refresh.rs`).
    /// The price push compares every product against a catalogue it has not seen whole; changes
    /// merged since are named one by one.
    pub catalogue_whole_at_s: f64,
    pub cin7_customers: Option<Vec<ErpCustomer>>,
    /// The shared version `cin7_customers` was loaded at (see `cin7_customers.rs`).
    pub cin7_customers_version: Option<String>,
    pub oro_customers: HashMap<i64, OroCustomer>,
    /// Shared, so that a stock sync or a price comparison takes every product without a copy.
    pub oro_products: HashMap<String, Arc<OroProduct>>,
    /// When `oro_products` was last brought up to date (clock seconds).
    pub oro_products_at_s: f64,
    /// The newest `updatedAt` among the products read, where the next incremental read starts.
    pub oro_products_stamp: Option<String>,
    /// When the last products read began (see `oro_reference::next_read`).
    pub oro_products_read_began: Option<chrono::DateTime<chrono::Utc>>,
    pub oro_customers_stamp: Option<String>,
    pub oro_customers_read_began: Option<chrono::DateTime<chrono::Utc>>,
    pub oro_price_lists_stamp: Option<String>,
    /// price list id → its own `updatedAt` as last seen.
    pub price_list_stamps: HashMap<i64, String>,
    /// When Oro's products and customers were last read whole (clock seconds).
    pub oro_full_at_s: f64,
    /// price list id → its prices, shared so that a whole comparison reads them without a copy.
    pub prices: HashMap<i64, Arc<PriceTable>>,
    /// price list id → when it was last read whole (clock seconds).
    pub prices_read_at_s: HashMap<i64, f64>,
    /// SKUs whose prices changed since the push last compared them with Cin7.
    pub prices_changed: crate::sync::prices::freshness::PriceChanges,
    /// The catalogue (by `catalogue_whole_at_s`) the push last compared every product against.
    pub prices_compared_catalogue_at_s: Option<f64>,
    pub assignments: HashMap<i64, i64>,
    pub oro_loaded: bool,
    /// Cin7's tax rules and the clock second they were read (see `tax_rules.rs`).
    pub tax_rules: Option<(f64, super::tax_rules::TaxRuleBook)>,
    /// The last read of recently created sales: (read at, created since, rows).
    pub recent_sales: Option<(f64, f64, Vec<SaleSummary>)>,
    /// Moves whenever Cin7 data a held order is validated against changes (the catalogue, the
    /// customers, the tax rules), so held orders are looked at again on the next pass.
    pub revision: u64,
    /// What held orders were last validated against (see `orders/revalidate.rs`).
    pub held_inputs_seen: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Cin7(#[from] Cin7Error),
    #[error(transparent)]
    Oro(#[from] OroError),
    #[error("store: {0}")]
    Store(#[from] concord_store::StoreError),
    #[error("{0}")]
    Data(String),
    /// Another process is working on the same thing right now: try again shortly.
    #[error("{0}")]
    Busy(String),
}

impl Context {
    pub async fn order_lock(&self, order_id: i64) -> Arc<Mutex<()>> {
        self.order_locks
            .lock()
            .await
            .entry(order_id)
            .or_default()
            .clone()
    }

    /// The Cin7 catalogue, fetched once and then only when refreshed on schedule.
    pub async fn catalogue(&self) -> Result<Catalogue, FlowError> {
        if let Some(c) = self.cache.read().await.catalogue.clone() {
            return Ok(c);
        }
        // Single flight: after a restart, every worker wants the catalogue at once; one call does.
        let _loading = self.load_lock.lock().await;
        if let Some(c) = self.cache.read().await.catalogue.clone() {
            return Ok(c);
        }
        if let Some((at_s, products)) = self.kept_catalogue(KEPT_FOR_S).await? {
            return Ok(self.install_catalogue(products, at_s).await);
        }
        self.refresh_catalogue(Priority::Orders).await
    }

    /// The catalogue, refetched only when the cached copy is older than `max_age_s`: reading it
    /// costs budget, and hand edits in Cin7 are rare enough to find on that schedule.
    pub async fn catalogue_no_older_than(
        &self,
        max_age_s: f64,
        priority: Priority,
    ) -> Result<Catalogue, FlowError> {
        {
            let cache = self.cache.read().await;
            if let Some(c) = &cache.catalogue {
                if self.clock.elapsed_s() - cache.catalogue_at_s < max_age_s {
                    return Ok(c.clone());
                }
            }
        }
        self.refresh_catalogue(priority).await
    }

    /// Keeps a copy of Cin7 reference data in the store, so a restart does not spend budget
    /// re-reading what it knew a moment ago.
    pub(crate) async fn keep<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), FlowError> {
        let data = Kept {
            at_s: self.clock.elapsed_s(),
            value,
        };
        self.store.record_put("cache", key, "ok", &data).await?;
        Ok(())
    }

    /// The kept copy, if it is younger than `max_age_s`.
    pub(crate) async fn kept<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        max_age_s: f64,
    ) -> Result<Option<(f64, T)>, FlowError> {
        let Some(record) = self.store.record_get("cache", key).await? else {
            return Ok(None);
        };
        let at_s = record
            .data
            .get("at_s")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(f64::MIN);
        if self.clock.elapsed_s() - at_s > max_age_s {
            return Ok(None);
        }
        Ok(record
            .data
            .get("value")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .map(|v| (at_s, v)))
    }

    /// Records an inventory status Concord just wrote, so the kept product agrees with Oro.
    pub async fn remember_inventory_status(&self, sku: &str, status: &str) {
        if let Some(p) = self.cache.write().await.oro_products.get_mut(sku) {
            Arc::make_mut(p).inventory_status = Some(status.to_owned());
        }
    }

    /// Sales created since `created_from_s` (clock seconds), from a read taken after
    /// `read_after_s`. A read that already covers both is reused, so an outage's ambiguous orders
    /// cost one call, not one each: a fresh read looks back [`LOOKUP_LOOKBACK_S`], which covers
    /// posts sent at any point of an outage of that length.
    pub async fn recent_sales_since(
        &self,
        created_from_s: f64,
        read_after_s: f64,
    ) -> Result<Vec<SaleSummary>, FlowError> {
        let mut cache = self.cache.write().await;
        if let Some((read_at, from, rows)) = &cache.recent_sales {
            if *read_at > read_after_s && *from <= created_from_s - 60.0 {
                return Ok(rows.clone());
            }
        }
        let from = created_from_s - LOOKUP_LOOKBACK_S;
        let read_at = self.clock.elapsed_s();
        let filter = crate::connectors::cin7::SaleListFilter {
            external_id: None,
            updated_since: None,
            created_since: Some(self.clock.at(from)),
        };
        let rows = self.cin7.sale_list(&filter, Priority::Orders).await?;
        cache.recent_sales = Some((read_at, from, rows.clone()));
        Ok(rows)
    }
}
