//! The `stock.lower` job: the moment Oro accepts an order, lower the levels of its SKUs in every
//! unit, from the last snapshot and without a Cin7 call. Oro keeps one level per unit and a
//! checkout decrements only the unit it bought, so without this a buyer could take the same base
//! units once as eaches and again as cases before the next full sync.

use super::formula;
use crate::sync::context::{Context, FlowError};
use crate::sync::orders::{intake, record};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

pub async fn lower_for_order(ctx: &Context, order_id: i64) -> Result<(), FlowError> {
    let _one_writer = ctx.stock_lock.lock().await;
    // Read after the lock: a full sync that just finished may have taken a newer snapshot.
    let Some((snapshot_s, rows)) = ctx.last_snapshot.lock().ok().and_then(|l| l.clone()) else {
        // No snapshot yet: the first full sync, already queued at start, sets every level.
        return Ok(());
    };
    intake::poll(ctx).await?;
    let Some(order) = record::load(&ctx.store, order_id).await? else {
        return Ok(());
    };
    let skus: HashSet<&str> = order
        .base_units
        .iter()
        .map(|(sku, _)| sku.as_str())
        .collect();
    ctx.ensure_oro_loaded().await?;
    let catalogue = ctx.catalogue().await?;
    let products: Vec<_> = ctx
        .cache
        .read()
        .await
        .oro_products
        .values()
        .filter(|p| skus.contains(p.sku.as_str()))
        .cloned()
        .collect();
    if products.is_empty() {
        return Ok(());
    }
    let mut in_flight: HashMap<String, Decimal> = HashMap::new();
    for rec in record::in_flight_candidates(&ctx.store).await? {
        if rec.in_flight_at(snapshot_s) {
            for (sku, units) in rec
                .base_units
                .iter()
                .filter(|(sku, _)| skus.contains(sku.as_str()))
            {
                *in_flight.entry(sku.clone()).or_default() += *units;
            }
        }
    }
    let available =
        formula::available_by_base_sku(&rows, ctx.rules.locations.as_deref(), &catalogue);
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
    let lowered: Vec<(String, Decimal)> = ctx
        .oro
        .inventory_levels_for(&ids)
        .await?
        .into_iter()
        .filter_map(|level| {
            let sku = sku_of.get(level.product_id.as_str())?;
            let want = wanted.get(&((*sku).to_owned(), level.unit.clone()))?;
            (*want < level.quantity).then_some((level.id, *want))
        })
        .collect();
    if !lowered.is_empty() {
        ctx.oro.update_levels(&lowered).await?;
        super::sync::remember_written(ctx, &lowered).await?;
        tracing::info!(
            order_id,
            levels = lowered.len(),
            "Lowered Oro levels for an accepted order."
        );
    }
    Ok(())
}
