//! The `stock.sync` job: a full availability snapshot (pages of 1000), the formula, and only the
//! changed Oro levels written back. When Cin7 cannot be read, the last snapshot may still lower
//! levels (new orders) but never raise them, and past the freshness threshold `stock_stale` is raised.
//!
//! Order of work matters for overselling: the snapshot is taken first, then every order Oro has
//! accepted is recorded, so no order falls between "allocated in the snapshot" and "in flight". Oro
//! decrements its own levels at checkout while Concord computes, so after each write Concord polls
//! again and, if orders arrived meanwhile, writes once more from the same snapshot.

use super::formula;
use super::levels::{read_levels, remember_written, written_for, Written};
use super::rows::StockRows;
use crate::domain::StockRow;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::{in_flight, intake, record};
use concord_core::catalogue::ExceptionKind;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// Write rounds per sync: enough to catch checkouts that land while levels are being written.
const MAX_ROUNDS: usize = 3;
/// How stale the kept Oro products (units, inventory status) may be for a stock sync. A product
/// added in Oro gets its levels written within this time.
const PRODUCTS_FRESH_FOR_S: f64 = 300.0;

/// The slot after stock webhooks: nothing when the process that received them finds that their
/// rows change no level, a full sync otherwise (or when another process received them).
pub async fn after_webhooks(ctx: &Context, hinted_by: Option<&str>) -> Result<(), FlowError> {
    if hinted_by == Some(&*ctx.instance) {
        let Ok(_one_writer) = ctx.stock_lock.try_lock() else {
            return Err(FlowError::Busy(
                "a stock sync or lowering is writing levels".into(),
            ));
        };
        if super::explained::webhooks_change_nothing(ctx).await? {
            metrics::counter!("concord_stock_webhooks_explained_total").increment(1);
            tracing::debug!("Cin7 stock webhooks change no Oro level; no snapshot taken.");
            return Ok(());
        }
    }
    sync(ctx).await
}

pub async fn sync(ctx: &Context) -> Result<(), FlowError> {
    // One sync at a time, and none while an order's lowering writes: another is already doing
    // this work, so come back shortly rather than hold a worker that could be sending orders.
    let Ok(_one_writer) = ctx.stock_lock.try_lock() else {
        return Err(FlowError::Busy(
            "another stock sync or lowering is writing levels".into(),
        ));
    };
    let started_s = ctx.clock.elapsed_s();
    let (snapshot_s, rows, fresh) = match ctx.cin7.availability(None).await {
        Ok(rows) => {
            if let Ok(mut hints) = ctx.stock_hints.lock() {
                // The snapshot holds every change a webhook received before it began.
                hints.forget_before(started_s);
            }
            let rows = Arc::new(StockRows::new(rows));
            if let Ok(mut last) = ctx.last_snapshot.lock() {
                *last = Some((started_s, Arc::clone(&rows)));
            }
            exceptions::resolve(
                &ctx.store,
                ExceptionKind::StockStale,
                "stock:cin7",
                "Fresh Cin7 stock data arrived.",
            )
            .await?;
            (started_s, rows, true)
        }
        Err(e) => stale_snapshot(ctx, started_s, e.into()).await?,
    };
    for _round in 0..MAX_ROUNDS {
        intake::poll(ctx, intake::Reach::Recent).await?;
        write_levels(ctx, snapshot_s, rows.all(), fresh).await?;
        if intake::poll(ctx, intake::Reach::Recent).await? == 0 {
            break;
        }
    }
    if fresh {
        // Orders allocated before this snapshot are in it and in every later one.
        record::settle_allocated_before(&ctx.store, snapshot_s).await?;
    }
    if !fresh {
        return Err(FlowError::Data(
            "Cin7 availability could not be read; lowered levels from the last snapshot only"
                .into(),
        ));
    }
    // A time, not a clock second: the dashboard shows it as "synced 3 min ago".
    let synced_at = ctx.clock.at(started_s).to_rfc3339();
    ctx.store.cursor_set("stock.synced_at", &synced_at).await?;
    Ok(())
}

/// The last good snapshot, when Cin7 cannot be read now; `stock_stale` once it is too old.
async fn stale_snapshot(
    ctx: &Context,
    now_s: f64,
    error: FlowError,
) -> Result<(f64, Arc<StockRows>, bool), FlowError> {
    let last = ctx.last_snapshot.lock().ok().and_then(|l| l.clone());
    let Some((at, rows)) = last else {
        return Err(error);
    };
    if now_s - at > ctx.rules.stock_stale_after_s {
        let explanation = format!(
            "Cin7 stock data is {:.0} s old (threshold {:.0} s): {error}. Oro levels are only lowered until fresh data arrives.",
            now_s - at,
            ctx.rules.stock_stale_after_s
        );
        exceptions::raise(
            &ctx.store,
            &ctx.rules,
            ExceptionKind::StockStale,
            "stock:cin7",
            "stale",
            explanation,
        )
        .await?;
    }
    Ok((at, rows, false))
}

/// Base units of orders Oro accepted that Cin7 had not allocated when the snapshot was taken.
/// Units in flight by base SKU, and the orders read (a write from these figures covers them all).
async fn in_flight(
    ctx: &Context,
    snapshot_s: f64,
) -> Result<(HashMap<String, Decimal>, Vec<i64>), FlowError> {
    let candidates = in_flight::candidates(&ctx.store, &ctx.kept_orders).await?;
    let ids = candidates.iter().map(|r| r.order_id).collect();
    let units = in_flight::units_by_sku(&candidates, |_| Some(snapshot_s));
    Ok((units, ids))
}

async fn write_levels(
    ctx: &Context,
    snapshot_s: f64,
    rows: &[StockRow],
    may_raise: bool,
) -> Result<(), FlowError> {
    ctx.ensure_oro_loaded().await?;
    ctx.oro_products_no_older_than(PRODUCTS_FRESH_FOR_S).await?;
    let catalogue = ctx.catalogue().await?;
    let (in_flight, read_orders) = in_flight(ctx, snapshot_s).await?;
    let products: Vec<_> = ctx
        .cache
        .read()
        .await
        .oro_products
        .values()
        .cloned()
        .collect();
    let by_id: HashMap<&str, &str> = products
        .iter()
        .map(|p| (p.id.as_str(), p.sku.as_str()))
        .collect();
    let available =
        formula::available_by_base_sku(rows, ctx.rules.locations.as_deref(), &catalogue);
    let wanted = formula::levels(
        &products,
        &available,
        &ctx.rules.stock_buffers,
        &in_flight,
        &catalogue,
    );
    let (levels, full) = read_levels(ctx, &products, &by_id, &wanted).await?;
    let written = written_for(ctx, &levels, full).await?;
    let mut changes = Vec::new();
    for level in levels {
        let Some(sku) = by_id.get(level.product_id.as_str()) else {
            continue;
        };
        let key = ((*sku).to_owned(), level.unit.clone());
        let Some(want) = wanted.get(&key) else {
            continue;
        };
        if let Some(before) = written
            .get(&level.id)
            .filter(|before| level.quantity > **before)
        {
            // Oro only ever lowers a level itself (checkouts); a rise Concord did not write is drift.
            let explanation = format!("Oro shows {} {} of {sku}, but Concord last wrote {before} and only checkouts lower it since: the level was changed in Oro. Concord writes {want} again.", level.quantity, level.unit);
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::StockDrift,
                &format!("sku:{sku}"),
                &level.unit,
                explanation,
            )
            .await?;
        }
        if *want != level.quantity && (may_raise || *want < level.quantity) {
            changes.push(Written {
                id: level.id,
                sku: key.0,
                unit: key.1,
                quantity: *want,
            });
        }
    }
    if !changes.is_empty() {
        ctx.oro.update_levels(&Written::pairs(&changes)).await?;
        remember_written(ctx, &changes).await?;
        metrics::counter!("concord_stock_levels_written_total").increment(changes.len() as u64);
    }
    for p in &products {
        let Some(primary) = p.units.first() else {
            continue;
        };
        let Some(level) = wanted.get(&(p.sku.clone(), primary.unit.clone())) else {
            continue;
        };
        let status = if *level > Decimal::ZERO {
            "in_stock"
        } else {
            "out_of_stock"
        };
        // A restock sets in_stock again (Oro never does); zero sets out_of_stock.
        if p.inventory_status.as_deref() != Some(status) && (may_raise || status == "out_of_stock")
        {
            ctx.oro.set_inventory_status(&p.id, status).await?;
            ctx.remember_inventory_status(&p.sku, status).await;
        }
    }
    // Every order read above is now reflected in Oro: their queued lowerings have nothing to do.
    super::lower::remember_lowered(ctx, read_orders);
    let summary = serde_json::json!({ "snapshot_s": snapshot_s, "changed": changes.len(), "skus": wanted.len(), "in_flight": in_flight });
    ctx.store
        .record_put("stock", "latest", "ok", &summary)
        .await?;
    tracing::info!(changed = changes.len(), "Stock levels synced to Oro.");
    Ok(())
}
