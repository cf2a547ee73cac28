//! The `stock.lower` job: the moment Oro accepts an order, lower the levels of its SKUs in every
//! unit, from the last snapshot and without a Cin7 call. Oro keeps one level per unit and a
//! checkout decrements only the unit it bought, so without this a buyer could take the same base
//! units once as eaches and again as cases before the next full sync.

use super::formula;
use super::levels::Written;
use crate::sync::context::{Context, FlowError};
use crate::sync::orders::{in_flight, intake, record};
use std::collections::{HashMap, HashSet};

pub async fn lower_for_order(ctx: &Context, order_id: i64) -> Result<(), FlowError> {
    // Never wait for a running sync: a worker parked on this lock is a worker not sending orders
    // (in a soak, every worker ended up here). The job comes back shortly instead.
    let Ok(_one_writer) = ctx.stock_lock.try_lock() else {
        return Err(FlowError::Busy(format!(
            "order {order_id}: a stock sync is writing levels; lowering after it"
        )));
    };
    // Read after the lock: a full sync that just finished may have taken a newer snapshot.
    let Some((snapshot_s, rows)) = ctx.last_snapshot.lock().ok().and_then(|l| l.clone()) else {
        // No snapshot yet: the first full sync, already queued at start, sets every level.
        return Ok(());
    };
    if already_lowered(ctx, order_id) {
        return Ok(());
    }
    intake::poll(ctx, intake::Reach::Recent).await?;
    let candidates = in_flight::candidates(&ctx.store, &ctx.kept_orders).await?;
    // One lowering covers every order waiting for one: under a burst, the jobs behind it find
    // their order already done instead of each re-reading Oro (they queued up ahead of orders).
    let (skus, covered) = pending_skus(ctx, &candidates);
    let skus: HashSet<&str> = skus.iter().map(String::as_str).collect();
    ctx.ensure_oro_loaded().await?;
    let catalogue = ctx.catalogue().await?;
    let products: Vec<_> = {
        let cache = ctx.cache.read().await;
        skus.iter()
            .filter_map(|sku| cache.oro_products.get(*sku))
            .cloned()
            .collect()
    };
    if products.is_empty() {
        remember_lowered(ctx, covered);
        return Ok(());
    }
    let in_flight =
        in_flight::units_by_sku(&candidates, |sku| skus.contains(sku).then_some(snapshot_s));
    let available = formula::available_for_base_skus(
        rows.for_bases(&catalogue, skus.iter().copied()),
        ctx.rules.locations.as_deref(),
        &catalogue,
        |base| skus.contains(base),
    );
    let wanted = formula::levels(
        &products,
        &available,
        &ctx.rules.stock_buffers,
        &in_flight,
        &catalogue,
    );
    let ids: Vec<String> = products.iter().map(|p| p.id.clone()).collect();
    let sku_of: HashMap<&str, &str> = products
        .iter()
        .map(|p| (p.id.as_str(), p.sku.as_str()))
        .collect();
    let levels = ctx.oro.inventory_levels_for(&ids).await?;
    super::levels::learn_read(ctx, &levels, &ids, &sku_of, &wanted)?;
    let lowered: Vec<Written> = levels
        .into_iter()
        .filter_map(|level| {
            let sku = sku_of.get(level.product_id.as_str())?;
            let key = ((*sku).to_owned(), level.unit);
            let want = *wanted.get(&key)?;
            (want < level.quantity).then_some(Written {
                id: level.id,
                sku: key.0,
                unit: key.1,
                quantity: want,
            })
        })
        .collect();
    if !lowered.is_empty() {
        ctx.oro.update_levels(&Written::pairs(&lowered)).await?;
        super::levels::remember_written(ctx, &lowered).await?;
        tracing::info!(
            order_id,
            orders = covered.len(),
            levels = lowered.len(),
            "Lowered Oro levels for accepted orders."
        );
    }
    remember_lowered(ctx, covered);
    Ok(())
}

/// Whether a lowering since this order was recorded already covered its SKUs.
fn already_lowered(ctx: &Context, order_id: i64) -> bool {
    ctx.lowered_orders
        .lock()
        .is_ok_and(|covered| covered.contains(&order_id))
}

/// The SKUs of in-flight orders no lowering has covered yet, and those orders. An order recorded
/// after `candidates` was read is not among them, so its own job still runs.
fn pending_skus(
    ctx: &Context,
    candidates: &[std::sync::Arc<record::OrderRecord>],
) -> (HashSet<String>, Vec<i64>) {
    // No await below: holding the guard is fine, and a poisoned set is still a valid set.
    let lowered = ctx
        .lowered_orders
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut skus = HashSet::new();
    let mut covered = Vec::new();
    for rec in candidates {
        if rec.base_units.is_empty() || lowered.contains(&rec.order_id) {
            continue;
        }
        skus.extend(rec.base_units.iter().map(|(sku, _)| sku.clone()));
        covered.push(rec.order_id);
    }
    (skus, covered)
}

/// Adds the orders just covered. A restart starts empty, so an order recorded before a crash is
/// lowered again rather than assumed done.
pub(crate) fn remember_lowered(ctx: &Context, covered: Vec<i64>) {
    if let Ok(mut set) = ctx.lowered_orders.lock() {
        if set.len() > 10_000 {
            // A bound, not a correctness rule: forgetting only costs a repeated lowering.
            set.clear();
        }
        set.extend(covered);
    }
}
