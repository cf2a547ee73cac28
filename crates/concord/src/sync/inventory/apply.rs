//! Cin7's stock webhooks, applied without a snapshot: the receiver merges a delivery's rows into the
//! kept availability (freshness rule in `kept.rs`) and queues the `stock.apply` job, which
//! recomputes only the base SKUs those rows feed (a pack product's rows feed its base SKU), reads
//! Oro's levels of those products only, and writes what changed. Until a first full snapshot is
//! kept, a delivery asks for the full sync instead.

use super::write::{write_levels, Scope};
use crate::domain::StockRow;
use crate::sync::context::{Context, FlowError};
use crate::sync::orders::intake;
use std::collections::HashSet;

/// Write rounds per application, as in the full sync (checkouts landing during the write).
const MAX_ROUNDS: usize = 3;

/// Merges a delivery received now; `None` when no snapshot is kept yet (the full sync must run),
/// else whether any kept row changed (a recomputation is due).
pub fn merge(ctx: &Context, rows: &[StockRow]) -> Option<bool> {
    let now_s = ctx.clock.elapsed_s();
    let mut last = ctx.last_snapshot.lock().ok()?;
    let kept = last.as_mut()?;
    let changed = kept.apply_webhook(rows, now_s);
    tracing::info!(
        rows = rows.len(),
        changed = changed.len(),
        "Stock webhook merged into the kept availability."
    );
    Some(!changed.is_empty())
}

/// The `stock.apply` job.
pub async fn run(ctx: &Context) -> Result<(), FlowError> {
    let Ok(_one_writer) = ctx.stock_lock.try_lock() else {
        return Err(FlowError::Busy(
            "another stock sync or lowering is writing levels".into(),
        ));
    };
    let pending = take_pending(ctx);
    if pending.is_empty() {
        return Ok(());
    }
    let result = apply(ctx, &pending).await;
    if result.is_err() {
        if let Ok(mut last) = ctx.last_snapshot.lock() {
            if let Some(kept) = last.as_mut() {
                kept.restore_pending(pending);
            }
        }
    }
    result
}

fn take_pending(ctx: &Context) -> HashSet<String> {
    ctx.last_snapshot
        .lock()
        .ok()
        .and_then(|mut l| l.as_mut().map(super::kept::KeptStock::take_pending))
        .unwrap_or_default()
}

async fn apply(ctx: &Context, pending: &HashSet<String>) -> Result<(), FlowError> {
    let catalogue = ctx.catalogue().await?;
    let base_of = |sku: &str| -> String {
        match catalogue.get(sku).and_then(|p| p.pack.as_ref()) {
            Some(pack) => pack.base_sku.clone(),
            None => sku.to_owned(),
        }
    };
    let bases: HashSet<String> = pending.iter().map(|s| base_of(s)).collect();
    let feeds = |sku: &str| bases.contains(&base_of(sku));
    let Some((rows, as_of_s, full_s)) = ctx.last_snapshot.lock().ok().and_then(|l| {
        l.as_ref()
            .map(|k| (k.rows_where(feeds), k.as_of_where(feeds), k.full_s))
    }) else {
        return Ok(());
    };
    // Raise only while the safety net holds: a kept snapshot past the freshness threshold means
    // Cin7 could not be read for full syncs, and its other rows may be far from the truth.
    let may_raise = ctx.clock.elapsed_s() - full_s <= ctx.rules.stock_stale_after_s;
    for _round in 0..MAX_ROUNDS {
        intake::poll(ctx).await?;
        write_levels(ctx, as_of_s, &rows, may_raise, Scope::Skus(&bases)).await?;
        if intake::poll(ctx).await? == 0 {
            break;
        }
    }
    tracing::info!(skus = bases.len(), "Stock webhook changes written to Oro.");
    Ok(())
}
