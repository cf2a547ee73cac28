//! The `stock.sync` job: a full availability snapshot (pages of 1000), merged with newer webhook
//! rows (see `kept.rs`), the formula, and only the changed Oro levels written back (see
//! `write.rs`: Oro is read only where a level may differ). When Cin7 cannot be read, the last snapshot may still lower
//! levels (new orders) but never raise them, and past the freshness threshold `stock_stale` is raised.
//!
//! Order of work matters for overselling: the snapshot is taken first, then every order Oro has
//! accepted is recorded, so no order falls between "allocated in the snapshot" and "in flight". Oro
//! decrements its own levels at checkout while Concord computes, so after each write Concord polls
//! again and, if orders arrived meanwhile, writes once more from the same snapshot.

use super::kept::KeptStock;
use super::write::{write_levels, Scope};
use crate::domain::StockRow;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::{intake, record};
use concord_core::catalogue::ExceptionKind;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Write rounds per sync: enough to catch checkouts that land while levels are being written.
const MAX_ROUNDS: usize = 3;
/// How stale the kept Oro products (units, inventory status) may be for a stock sync. A product
/// added in Oro gets its levels written within this time.
const PRODUCTS_FRESH_FOR_S: f64 = 300.0;
/// The longest gap between safety-net snapshots while webhooks deliver changes.
const SAFETY_NET_MAX_S: f64 = 3600.0;

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
            let rows = keep_snapshot(ctx, started_s, &rows);
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
    ctx.oro_products_no_older_than(PRODUCTS_FRESH_FOR_S).await?;
    for _round in 0..MAX_ROUNDS {
        intake::poll(ctx).await?;
        let read_orders = write_levels(ctx, snapshot_s, &rows, fresh, Scope::All).await?;
        // Every order read above is now reflected in Oro: their queued lowerings have nothing to do.
        super::lower::remember_lowered(ctx, read_orders);
        if intake::poll(ctx).await? == 0 {
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

/// Keeps a fresh snapshot (webhook rows newer than its start stay) and returns the kept rows.
/// The webhook changes waiting to be applied are covered by this sync.
fn keep_snapshot(ctx: &Context, started_s: f64, rows: &[StockRow]) -> Vec<StockRow> {
    let Ok(mut last) = ctx.last_snapshot.lock() else {
        return rows.to_vec();
    };
    let mut kept = KeptStock::from_snapshot(started_s, rows, last.take());
    kept.take_pending();
    let rows = kept.rows();
    *last = Some(kept);
    rows
}

/// How often the full snapshot runs. With Cin7's stock webhooks delivering each change, it is the
/// safety net for a lost delivery or drift: half the freshness threshold (15 min at the default
/// 30), so a lost change shows within that and `stock_stale` can never fire on a healthy run;
/// without webhooks it is the only source and runs as configured.
pub fn snapshot_every_s(ctx: &Context) -> f64 {
    let configured = ctx.schedule.stock_snapshot_s;
    if !ctx.cin7_webhooks.load(std::sync::atomic::Ordering::SeqCst) {
        return configured;
    }
    configured.max((ctx.rules.stock_stale_after_s / 2.0).min(SAFETY_NET_MAX_S))
}

/// The last good snapshot, when Cin7 cannot be read now; `stock_stale` once it is too old.
async fn stale_snapshot(
    ctx: &Context,
    now_s: f64,
    error: FlowError,
) -> Result<(f64, Vec<StockRow>, bool), FlowError> {
    let last = ctx
        .last_snapshot
        .lock()
        .ok()
        .and_then(|l| l.as_ref().map(|k| (k.full_s, k.rows())));
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

/// What Concord last wrote to each Oro level (by level id).
pub(crate) async fn last_written(ctx: &Context) -> Result<HashMap<String, Decimal>, FlowError> {
    Ok(ctx
        .store
        .records("stock_written", None)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.key, concord_core::decimal::parse(r.data.as_str()?)?)))
        .collect())
}

pub(crate) async fn remember_written(
    ctx: &Context,
    changes: &[(String, Decimal)],
) -> Result<(), FlowError> {
    if let Ok(mut book) = ctx.stock_levels.lock() {
        for (id, qty) in changes {
            book.wrote(id, *qty);
        }
    }
    for (id, qty) in changes {
        ctx.store
            .record_put(
                "stock_written",
                id,
                "written",
                &serde_json::json!(qty.to_string()),
            )
            .await?;
    }
    Ok(())
}
