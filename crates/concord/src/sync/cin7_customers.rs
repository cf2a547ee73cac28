//! The Cin7 customer list, kept in the store and shared by every Concord process on it: a credit
//! hold one process learns (a webhook, the poll, a customer it created) reaches the others before
//! their next order, so no process authorises an order for an account finance has just held.
//!
//! The store holds the last full list (stamped with when its read began) and, apart, each customer
//! learnt one at a time since (stamped when learnt), so two processes recording different
//! customers never overwrite each other. Every write also moves a version cursor in the same
//! transaction; a process compares it with the version it loaded (one small read) and reloads only
//! when another write has happened.

use super::context::{Context, FlowError, Kept, KEPT_FOR_S};
use crate::connectors::budget::Priority;
use crate::domain::ErpCustomer;
use std::sync::atomic::{AtomicU64, Ordering};

/// The full list (record kind `cache`), single customers (their own kind), and the version.
const LIST_KEY: &str = "cin7_customers";
const SINGLE_KIND: &str = "cin7_customer";
const VERSION_CURSOR: &str = "cache.cin7_customers.version";

impl Context {
    /// The Cin7 customers: this process's copy while it is the shared version, else the shared
    /// copy, else one read of Cin7.
    pub async fn cin7_customers(&self) -> Result<Vec<ErpCustomer>, FlowError> {
        self.follow_shared_cin7_customers().await?;
        if let Some(c) = self.cache.read().await.cin7_customers.clone() {
            return Ok(c);
        }
        // Single flight: after a restart every worker wants the list at once; one call reads it.
        let _loading = self.load_lock.lock().await;
        self.follow_shared_cin7_customers().await?;
        if let Some(c) = self.cache.read().await.cin7_customers.clone() {
            return Ok(c);
        }
        self.refresh_cin7_customers().await
    }

    /// Reads every Cin7 customer (one call) and shares the list.
    pub async fn refresh_cin7_customers(&self) -> Result<Vec<ErpCustomer>, FlowError> {
        // Stamped with the start of the read: a customer learnt while it ran is newer and wins.
        let read_from_s = self.clock.elapsed_s();
        let customers = self.cin7.customers(Priority::Orders).await?;
        let data = Kept {
            at_s: read_from_s,
            value: &customers,
        };
        self.share("cache", LIST_KEY, "ok", &data).await?;
        self.install_cin7_customers(Some(customers.clone())).await;
        Ok(customers)
    }

    /// Drops every copy of the list, in every process, so the next use reads Cin7 again.
    pub async fn forget_cin7_customers(&self) -> Result<(), FlowError> {
        let stale = serde_json::json!({ "at_s": f64::MIN });
        self.share("cache", LIST_KEY, "stale", &stale).await?;
        self.install_cin7_customers(None).await;
        Ok(())
    }

    /// Records a Cin7 customer's latest state (from a webhook or a create) for every process.
    pub async fn remember_cin7_customer(&self, customer: ErpCustomer) {
        let data = Kept {
            at_s: self.clock.elapsed_s(),
            value: &customer,
        };
        if let Err(e) = self.share(SINGLE_KIND, &customer.id, "ok", &data).await {
            tracing::warn!(error = %e, "Could not share a Cin7 customer's new state.");
        }
        let mut cache = self.cache.write().await;
        // Only into a complete list: a partial one would hide existing customers and invite a
        // duplicate. Without a list, the next load brings this customer anyway.
        if let Some(list) = cache.cin7_customers.as_mut() {
            apply(list, customer);
        }
        cache.revision += 1;
    }

    /// Brings this process's copy up to the shared one when another write has happened since.
    pub async fn follow_shared_cin7_customers(&self) -> Result<(), FlowError> {
        let stored = self.store.cursor_get(VERSION_CURSOR).await?;
        if stored.is_none() || stored == self.cache.read().await.cin7_customers_version {
            return Ok(());
        }
        let mut list = None;
        if let Some((list_at_s, mut customers)) =
            self.kept::<Vec<ErpCustomer>>(LIST_KEY, KEPT_FOR_S).await?
        {
            for (_, customer) in self.singles_since(list_at_s).await? {
                apply(&mut customers, customer);
            }
            list = Some(customers);
        }
        let mut cache = self.cache.write().await;
        cache.cin7_customers = list;
        cache.cin7_customers_version = stored;
        cache.revision += 1;
        Ok(())
    }

    /// Customers learnt one at a time after `after_s`, oldest first.
    async fn singles_since(&self, after_s: f64) -> Result<Vec<(f64, ErpCustomer)>, FlowError> {
        let mut singles: Vec<(f64, ErpCustomer)> = self
            .store
            .records(SINGLE_KIND, None)
            .await?
            .into_iter()
            .filter_map(|r| {
                let at_s = r.data.get("at_s")?.as_f64()?;
                let customer = serde_json::from_value(r.data.get("value")?.clone()).ok()?;
                (at_s > after_s).then_some((at_s, customer))
            })
            .collect();
        singles.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(singles)
    }

    /// One record and a new version, in one transaction.
    async fn share(
        &self,
        kind: &str,
        key: &str,
        status: &str,
        data: &impl serde::Serialize,
    ) -> Result<(), FlowError> {
        static WRITES: AtomicU64 = AtomicU64::new(0);
        // Unique across processes (the instance name) and within one (the counter).
        let version = format!(
            "{}/{}",
            self.instance,
            WRITES.fetch_add(1, Ordering::Relaxed)
        );
        let mut tx = self.store.begin().await?;
        self.store
            .record_put_in(&mut tx, kind, key, status, data)
            .await?;
        self.store
            .cursor_set_in(&mut tx, VERSION_CURSOR, &version)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// This process's copy after its own write. Its version is left behind the store's, so the
    /// next use reloads and also picks up whatever another process wrote in between.
    async fn install_cin7_customers(&self, list: Option<Vec<ErpCustomer>>) {
        let mut cache = self.cache.write().await;
        cache.cin7_customers = list;
        cache.cin7_customers_version = None;
        cache.revision += 1;
    }
}

fn apply(list: &mut Vec<ErpCustomer>, customer: ErpCustomer) {
    list.retain(|c| !c.id.eq_ignore_ascii_case(&customer.id));
    list.push(customer);
}
