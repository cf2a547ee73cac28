//! Oro's reference data in the caches. Products and customers are kept up to date by `updatedAt`
//! (one read in flight, a full read every six hours to notice deletions), price lists by a whole
//! read on a slow cadence (see `prices::freshness`); and, while no full copy is loaded yet (a cold start),
//! the part one order needs is read directly, so an order never waits behind a 20,000-product,
//! 110,000-price load: that load runs behind the orders.

use super::context::{Context, FlowError, PriceTable};
use super::prices::freshness::{changed_skus, lists_to_read};
use crate::connectors::oro::Since;
use crate::domain::{OroOrder, OroPrice};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A full re-read notices products and customers deleted in Oro, which no `updatedAt` read shows.
const FULL_REREAD_S: f64 = 6.0 * 3600.0;
/// How long after a second Oro may still stamp a change with it, as seen from Concord's clock:
/// commit delays and the two machines' clock difference. A read begun this long after the newest
/// stamp saw every change stamped with it.
const STAMP_SETTLED_S: i64 = 60;
/// Parents followed up from an order's customer (a cyclic hierarchy stops here).
const MAX_DEPTH: usize = 32;

/// Where the next incremental read starts: at the newest stamp held while the last read began
/// too soon after it to have seen every change of that second, after it once it had. Re-reading
/// the second for ever cost a whole catalogue a refresh: an import stamps thousands of products
/// with one second, and every generated scenario stamps all of them with its start.
pub(crate) fn next_read(
    stamp: Option<&str>,
    last_read_began: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<Since> {
    let stamp = stamp?;
    let settled = chrono::DateTime::parse_from_rfc3339(stamp)
        .ok()
        .zip(last_read_began)
        .is_some_and(|(at, began)| {
            began - at.to_utc() >= chrono::Duration::seconds(STAMP_SETTLED_S)
        });
    Some(Since {
        stamp: stamp.to_owned(),
        inclusive: !settled,
    })
}

impl Context {
    /// Customers, products, assignments and the prices of every needed list, brought up to date.
    /// Products and customers are read by `updatedAt` (in full when nothing is loaded or the last
    /// full read is six hours old). Prices carry no `updatedAt` and a price change moves no other
    /// timestamp, so a list is read whole when first needed, every `price_full_read_s`, and when its
    /// own `updatedAt` moved; what a read changed is noted for the Cin7 push.
    /// One refresh at a time: while one runs, this answers `Busy` instead of holding a worker.
    pub async fn refresh_oro(&self) -> Result<(), FlowError> {
        let Ok(_guard) = self.oro_load_lock.try_lock() else {
            return Err(busy());
        };
        self.refresh_oro_locked().await
    }

    /// The whole of Oro's reference data, loaded once (`Busy` while another task loads it).
    pub async fn ensure_oro_loaded(&self) -> Result<(), FlowError> {
        if self.cache.read().await.oro_loaded {
            return Ok(());
        }
        let Ok(_guard) = self.oro_load_lock.try_lock() else {
            return Err(busy());
        };
        if !self.cache.read().await.oro_loaded {
            self.refresh_oro_locked().await?;
        }
        Ok(())
    }

    async fn refresh_oro_locked(&self) -> Result<(), FlowError> {
        let now = self.clock.elapsed_s();
        let full = {
            let cache = self.cache.read().await;
            !cache.oro_loaded || now - cache.oro_full_at_s >= FULL_REREAD_S
        };
        self.refresh_products(full).await?;
        self.refresh_customers(full).await?;
        let assignments = self.oro.price_list_assignments().await?;
        let mut lists: Vec<i64> = assignments.iter().map(|(_, l)| *l).collect();
        lists.extend(self.rules.price_tiers.iter().map(|m| m.price_list));
        lists.sort_unstable();
        lists.dedup();
        let stale = self.stale_price_lists(full, &lists).await?;
        let skus = self.skus_by_product_id().await;
        for list in stale {
            let mut table = PriceTable::new();
            self.oro
                .prices_each(list, |p| add_price(&mut table, p, &skus))
                .await?;
            table.shrink_to_fit();
            // Installed as soon as read, so that the old copy goes now: holding every new list
            // until the last was read kept two copies of all of them at once.
            self.install_price_list(list, table).await;
        }
        let mut cache = self.cache.write().await;
        cache.assignments = assignments.into_iter().collect();
        cache.prices.retain(|list, _| lists.contains(list));
        cache
            .prices_read_at_s
            .retain(|list, _| lists.contains(list));
        if full {
            cache.oro_full_at_s = now;
        }
        cache.oro_loaded = true;
        Ok(())
    }

    async fn install_price_list(&self, list: i64, table: PriceTable) {
        let read_at = self.clock.elapsed_s();
        let mut cache = self.cache.write().await;
        // A list only partly filled by orders' own reads was never compared whole.
        let before = cache
            .prices_read_at_s
            .get(&list)
            .and(cache.prices.get(&list))
            .map(|t| &**t);
        let changes = changed_skus(before, &table);
        cache.prices_changed.merge(changes);
        cache.prices.insert(list, Arc::new(table));
        cache.prices_read_at_s.insert(list, read_at);
    }

    /// Which of `lists` to read whole (see [`lists_to_read`]). A list's own `updatedAt` is read
    /// from the newest seen (`gte`, so that newest list comes back every time): it counts as
    /// changed only when its stamp differs from the one last seen.
    async fn stale_price_lists(&self, full: bool, lists: &[i64]) -> Result<Vec<i64>, FlowError> {
        let since = self.cache.read().await.oro_price_lists_stamp.clone();
        let read = self.oro.price_lists_since(since.as_deref()).await?;
        let mut cache = self.cache.write().await;
        let mut changed = HashSet::new();
        for (id, stamp) in read {
            if cache
                .price_list_stamps
                .get(&id)
                .is_some_and(|s| *s != stamp)
            {
                changed.insert(id);
            }
            if Some(&stamp) > cache.oro_price_lists_stamp.as_ref() {
                cache.oro_price_lists_stamp = Some(stamp.clone());
            }
            cache.price_list_stamps.insert(id, stamp);
        }
        Ok(lists_to_read(
            lists,
            &cache.prices_read_at_s,
            &changed,
            full,
            self.clock.elapsed_s(),
            self.schedule.price_full_read_s,
        ))
    }

    async fn skus_by_product_id(&self) -> HashMap<String, String> {
        let cache = self.cache.read().await;
        cache
            .oro_products
            .values()
            .map(|p| (p.id.clone(), p.sku.clone()))
            .collect()
    }

    /// Products changed since the newest `updatedAt` held (every product when `full` or none held).
    async fn refresh_products(&self, full: bool) -> Result<(), FlowError> {
        let began = self.clock.now();
        let since = match full {
            true => None,
            false => {
                let cache = self.cache.read().await;
                next_read(
                    cache.oro_products_stamp.as_deref(),
                    cache.oro_products_read_began,
                )
            }
        };
        let read = self.oro.products_since(since.as_ref()).await?;
        let stamp = read.iter().map(|(_, s)| s.clone()).max();
        let changed: HashSet<String> = read.iter().map(|(p, _)| p.id.clone()).collect();
        let mut cache = self.cache.write().await;
        match since {
            None => cache.oro_products.clear(),
            // A changed product may have changed its SKU: its old entry goes.
            Some(_) if !changed.is_empty() => {
                cache.oro_products.retain(|_, p| !changed.contains(&p.id))
            }
            Some(_) => {}
        }
        for (p, _) in read {
            cache.oro_products.insert(p.sku.clone(), Arc::new(p));
        }
        if stamp > cache.oro_products_stamp {
            cache.oro_products_stamp = stamp;
        }
        cache.oro_products_at_s = self.clock.elapsed_s();
        cache.oro_products_read_began = Some(began);
        Ok(())
    }

    /// Customers changed since the newest `updatedAt` held (every customer when `full` or none held).
    async fn refresh_customers(&self, full: bool) -> Result<(), FlowError> {
        let began = self.clock.now();
        let since = match full {
            true => None,
            false => {
                let cache = self.cache.read().await;
                next_read(
                    cache.oro_customers_stamp.as_deref(),
                    cache.oro_customers_read_began,
                )
            }
        };
        let read = self.oro.customers_since(since.as_ref()).await?;
        let stamp = read.iter().map(|(_, s)| s.clone()).max();
        let mut cache = self.cache.write().await;
        if since.is_none() {
            cache.oro_customers.clear();
        }
        for (c, _) in read {
            cache.oro_customers.insert(c.id, c);
        }
        if stamp > cache.oro_customers_stamp {
            cache.oro_customers_stamp = stamp;
        }
        cache.oro_customers_read_began = Some(began);
        Ok(())
    }

    /// Oro customers brought up to date: what the hierarchy check needs fresh.
    pub async fn refresh_oro_customers(&self) -> Result<(), FlowError> {
        self.refresh_customers(false).await
    }

    /// Oro products (units, inventory status), brought up to date when the last read is older
    /// than `max_age_s`.
    pub async fn oro_products_no_older_than(&self, max_age_s: f64) -> Result<(), FlowError> {
        {
            let cache = self.cache.read().await;
            if cache.oro_loaded && self.clock.elapsed_s() - cache.oro_products_at_s < max_age_s {
                return Ok(());
            }
        }
        self.refresh_products(false).await
    }

    /// What `order` needs from Oro's reference data. With the full copy loaded it is all there;
    /// otherwise its products, customer chain, price list and prices are read directly, and the
    /// full load is started behind the order rather than waited for.
    pub async fn oro_reference_for(&self, order: &OroOrder) -> Result<(), FlowError> {
        if self.cache.read().await.oro_loaded {
            return Ok(());
        }
        self.load_oro_behind();
        self.read_order_products(order).await?;
        self.read_customer_chain(order.customer_id).await?;
        self.read_order_prices(order, false).await
    }

    /// Starts the full load in the background, unless one is running.
    fn load_oro_behind(&self) {
        let Ok(guard) = self.oro_load_lock.clone().try_lock_owned() else {
            return;
        };
        let ctx = self.clone();
        tokio::spawn(async move {
            // Read apart: a guard held in the `match` would last through the load and block
            // every order's cache write.
            let loaded = ctx.cache.read().await.oro_loaded;
            let result = match loaded {
                true => Ok(()),
                false => ctx.refresh_oro_locked().await,
            };
            drop(guard);
            if let Err(error) = result {
                tracing::warn!(%error, "Loading Oro's reference data behind the orders failed; the next order starts it again.");
            }
        });
    }

    async fn read_order_products(&self, order: &OroOrder) -> Result<(), FlowError> {
        let mut missing: Vec<String> = {
            let cache = self.cache.read().await;
            order
                .lines
                .iter()
                .filter(|l| !cache.oro_products.contains_key(&l.sku))
                .map(|l| l.sku.clone())
                .collect()
        };
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let found = self.oro.products_by_sku(&missing).await?;
        let mut cache = self.cache.write().await;
        for p in found {
            cache.oro_products.insert(p.sku.clone(), Arc::new(p));
        }
        Ok(())
    }

    /// The customer and its ancestors, each read unless already held.
    async fn read_customer_chain(&self, customer: i64) -> Result<(), FlowError> {
        let mut next = Some(customer);
        for _ in 0..MAX_DEPTH {
            let Some(id) = next else { break };
            let held = self
                .cache
                .read()
                .await
                .oro_customers
                .get(&id)
                .map(|c| c.parent);
            next = match held {
                Some(parent) => parent,
                None => {
                    let found = self.oro.customers_by_id(&[id]).await?;
                    let parent = found.first().and_then(|c| c.parent);
                    if found.is_empty() {
                        break;
                    }
                    let mut cache = self.cache.write().await;
                    for c in found {
                        cache.oro_customers.insert(c.id, c);
                    }
                    parent
                }
            };
        }
        Ok(())
    }

    /// The order's prices in its customer's list, read from Oro: those not held yet, or, when
    /// `fresh` (a mismatch may be a price or an assignment changed since), all of them and the
    /// customer's assignment too. Costs two small reads however large the catalogue.
    pub async fn read_order_prices(&self, order: &OroOrder, fresh: bool) -> Result<(), FlowError> {
        let customer = order.customer_id;
        let held = self.cache.read().await.assignments.get(&customer).copied();
        let list = match (fresh, held) {
            (false, Some(list)) => Some(list),
            _ => {
                let list = self.oro.price_list_of(customer).await?;
                let mut cache = self.cache.write().await;
                match list {
                    Some(l) => cache.assignments.insert(customer, l),
                    None => cache.assignments.remove(&customer),
                };
                list
            }
        };
        let Some(list) = list else { return Ok(()) };
        let wanted: HashMap<String, String> = {
            let cache = self.cache.read().await;
            let table = cache.prices.get(&list);
            order
                .lines
                .iter()
                .filter(|l| fresh || !table.is_some_and(|t| t.contains(&l.sku, &l.unit)))
                .filter_map(|l| cache.oro_products.get(&l.sku))
                .map(|p| (p.id.clone(), p.sku.clone()))
                .collect()
        };
        if wanted.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = wanted.keys().cloned().collect();
        let read = self.oro.prices_of_products(list, &ids).await?;
        let mut fresh_rows = PriceTable::new();
        add_prices(&mut fresh_rows, read, &wanted);
        let mut cache = self.cache.write().await;
        let skus: HashSet<&str> = wanted.values().map(String::as_str).collect();
        let table = Arc::make_mut(cache.prices.entry(list).or_default());
        let held = table.subset(skus.iter().copied());
        // A price found changed here reaches Cin7 at the next push, not at the next whole read.
        let changes = changed_skus(Some(&held), &fresh_rows);
        table.replace_skus(&skus, &fresh_rows);
        cache.prices_changed.merge(changes);
        Ok(())
    }
}

fn busy() -> FlowError {
    FlowError::Busy("Oro's reference data is being read by another task".into())
}

/// Files `prices` under (SKU, unit), skipping products not in `skus` (product id → SKU).
fn add_prices(table: &mut PriceTable, prices: Vec<OroPrice>, skus: &HashMap<String, String>) {
    for p in prices {
        add_price(table, p, skus);
    }
}

fn add_price(table: &mut PriceTable, p: OroPrice, skus: &HashMap<String, String>) {
    if let Some(sku) = skus.get(&p.product_id) {
        table.insert(sku, &p.unit, p.quantity, p.value);
    }
}

#[cfg(test)]
#[path = "oro_reference_tests.rs"]
mod tests;
