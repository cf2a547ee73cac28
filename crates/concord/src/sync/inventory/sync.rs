//! The `stock.sync` job: a full availability snapshot (pages of 1000), the formula, and only the
//! changed Oro levels written back. When Cin7 cannot be read, the last snapshot may still lower
//! levels (new orders) but never raise them, and past the freshness threshold `stock_stale` is raised.

use super::formula;
use crate::domain::StockRow;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::record;
use concord_core::catalogue::ExceptionKind;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Mutex;

/// The last good snapshot and the clock second it was taken, kept for the freshness gate.
static LAST_SNAPSHOT: Mutex<Option<(f64, Vec<StockRow>)>> = Mutex::new(None);

pub async fn sync(ctx: &Context) -> Result<(), FlowError> {
    // Record every order Oro has accepted before computing, so none is counted nowhere.
    crate::sync::orders::intake::poll(ctx).await?;
    let started_s = ctx.clock.elapsed_s();
    let (snapshot_s, rows, fresh) = match ctx.cin7.availability(None).await {
        Ok(rows) => {
            if let Ok(mut last) = LAST_SNAPSHOT.lock() {
                *last = Some((started_s, rows.clone()));
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
        Err(e) => {
            let last = LAST_SNAPSHOT.lock().ok().and_then(|l| l.clone());
            let Some((at, rows)) = last else {
                return Err(e.into());
            };
            if started_s - at > ctx.rules.stock_stale_after_s {
                let explanation = format!("Cin7 stock data is {:.0} s old (threshold {:.0} s): {e}. Oro levels are only lowered until fresh data arrives.", started_s - at, ctx.rules.stock_stale_after_s);
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
            (at, rows, false)
        }
    };
    write_levels(ctx, snapshot_s, &rows, fresh).await?;
    if fresh {
        ctx.store
            .cursor_set("stock.synced_at_s", &format!("{started_s:.3}"))
            .await?;
        Ok(())
    } else {
        Err(FlowError::Data(
            "Cin7 availability could not be read; lowered levels from the last snapshot only"
                .into(),
        ))
    }
}

async fn write_levels(
    ctx: &Context,
    snapshot_s: f64,
    rows: &[StockRow],
    may_raise: bool,
) -> Result<(), FlowError> {
    ctx.refresh_oro().await?;
    let catalogue = ctx.catalogue().await?;
    let mut in_flight: HashMap<String, Decimal> = HashMap::new();
    for rec in record::all(&ctx.store).await? {
        if rec.in_flight_at(snapshot_s) {
            for (sku, units) in &rec.base_units {
                *in_flight.entry(sku.clone()).or_default() += *units;
            }
        }
    }
    let (products, by_id) = {
        let cache = ctx.cache.read().await;
        let products: Vec<_> = cache.oro_products.values().cloned().collect();
        let by_id: HashMap<String, String> = products
            .iter()
            .map(|p| (p.id.clone(), p.sku.clone()))
            .collect();
        (products, by_id)
    };
    let available =
        formula::available_by_base_sku(rows, ctx.rules.locations.as_deref(), &catalogue);
    let wanted = formula::levels(
        &products,
        &available,
        &ctx.rules.stock_buffers,
        &in_flight,
        &catalogue,
    );
    let mut changes = Vec::new();
    for level in ctx.oro.inventory_levels().await? {
        let Some(sku) = by_id.get(&level.product_id) else {
            continue;
        };
        let Some(want) = wanted.get(&(sku.clone(), level.unit.clone())) else {
            continue;
        };
        if *want != level.quantity && (may_raise || *want < level.quantity) {
            changes.push((level.id.clone(), *want));
        }
    }
    if !changes.is_empty() {
        ctx.oro.update_levels(&changes).await?;
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
        if p.inventory_status.as_deref() != Some(status) && (may_raise || status == "out_of_stock")
        {
            ctx.oro.set_inventory_status(&p.id, status).await?;
        }
    }
    let summary = serde_json::json!({ "snapshot_s": snapshot_s, "changed": changes.len(), "skus": wanted.len() });
    ctx.store
        .record_put("stock", "latest", "ok", &summary)
        .await?;
    tracing::info!(changed = changes.len(), "Stock levels synced to Oro.");
    Ok(())
}
