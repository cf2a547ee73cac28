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
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};

#[derive(Clone)]
pub struct Context {
    pub store: Store,
    pub cin7: Cin7Client,
    pub oro: OroClient,
    pub rules: Arc<Rules>,
    pub schedule: Arc<Schedule>,
    pub clock: Clock,
    pub cache: Arc<RwLock<Caches>>,
    /// One lock per Oro order so a webhook, a poll and a re-validation never submit it concurrently.
    pub order_locks: Arc<Mutex<HashMap<i64, Arc<Mutex<()>>>>>,
    /// Serialises customer creation so two orders of one new account never create it twice.
    pub customer_lock: Arc<Mutex<()>>,
}

#[derive(Default)]
pub struct Caches {
    pub catalogue: Option<Catalogue>,
    pub catalogue_at_s: f64,
    pub cin7_customers: Option<Vec<ErpCustomer>>,
    pub oro_customers: HashMap<i64, OroCustomer>,
    pub oro_products: HashMap<String, OroProduct>,
    /// price list id → (sku, unit) → [(minimum quantity, price)]
    pub prices: HashMap<i64, HashMap<(String, String), Vec<(Decimal, Decimal)>>>,
    pub assignments: HashMap<i64, i64>,
    pub oro_loaded: bool,
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
}

impl Context {
    pub async fn order_lock(&self, order_id: i64) -> Arc<Mutex<()>> {
        self.order_locks.lock().await.entry(order_id).or_default().clone()
    }

    /// The Cin7 catalogue, fetched once and then only when refreshed on schedule.
    pub async fn catalogue(&self) -> Result<Catalogue, FlowError> {
        if let Some(c) = self.cache.read().await.catalogue.clone() {
            return Ok(c);
        }
        self.refresh_catalogue(Priority::Orders).await
    }

    pub async fn refresh_catalogue(&self, priority: Priority) -> Result<Catalogue, FlowError> {
        let catalogue = Catalogue::new(self.cin7.products(priority).await?);
        let mut cache = self.cache.write().await;
        cache.catalogue = Some(catalogue.clone());
        cache.catalogue_at_s = self.clock.elapsed_s();
        Ok(catalogue)
    }

    pub async fn cin7_customers(&self) -> Result<Vec<ErpCustomer>, FlowError> {
        if let Some(c) = self.cache.read().await.cin7_customers.clone() {
            return Ok(c);
        }
        self.refresh_cin7_customers().await
    }

    pub async fn refresh_cin7_customers(&self) -> Result<Vec<ErpCustomer>, FlowError> {
        let customers = self.cin7.customers(Priority::Orders).await?;
        self.cache.write().await.cin7_customers = Some(customers.clone());
        Ok(customers)
    }

    /// Records a Cin7 customer's latest state (from a webhook or a create) in the cache.
    pub async fn remember_cin7_customer(&self, customer: ErpCustomer) {
        let mut cache = self.cache.write().await;
        let list = cache.cin7_customers.get_or_insert_with(Vec::new);
        list.retain(|c| !c.id.eq_ignore_ascii_case(&customer.id));
        list.push(customer);
    }

    /// Oro customers, products, price lists and assignments (free to read: Oro has no rate limit).
    pub async fn refresh_oro(&self) -> Result<(), FlowError> {
        let customers = self.oro.customers().await?;
        let products = self.oro.products().await?;
        let assignments = self.oro.price_list_assignments().await?;
        let by_id: HashMap<String, String> = products.iter().map(|p| (p.id.clone(), p.sku.clone())).collect();
        let mut lists: Vec<i64> = assignments.iter().map(|(_, l)| *l).collect();
        lists.extend(self.rules.price_tiers.iter().map(|m| m.price_list));
        lists.sort_unstable();
        lists.dedup();
        let mut prices = HashMap::new();
        for list in lists {
            let mut table: HashMap<(String, String), Vec<(Decimal, Decimal)>> = HashMap::new();
            for p in self.oro.prices(list).await? {
                if let Some(sku) = by_id.get(&p.product_id) {
                    table.entry((sku.clone(), p.unit.clone())).or_default().push((p.quantity, p.value));
                }
            }
            prices.insert(list, table);
        }
        let mut cache = self.cache.write().await;
        cache.oro_customers = customers.into_iter().map(|c| (c.id, c)).collect();
        cache.oro_products = products.into_iter().map(|p| (p.sku.clone(), p)).collect();
        cache.assignments = assignments.into_iter().collect();
        cache.prices = prices;
        cache.oro_loaded = true;
        Ok(())
    }

    pub async fn ensure_oro_loaded(&self) -> Result<(), FlowError> {
        if !self.cache.read().await.oro_loaded {
            self.refresh_oro().await?;
        }
        Ok(())
    }
}
