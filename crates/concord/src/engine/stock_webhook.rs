//! The Cin7 stock webhook: a delivery's rows are applied (see `sync::inventory::apply`), not
//! answered with a full availability snapshot.

use super::dispatch::{STOCK_APPLY, STOCK_SYNC};
use super::schedule::enqueue_keyed;
use crate::connectors::cin7;
use crate::sync::context::Context;
use crate::sync::exceptions;
use concord_core::catalogue::ExceptionKind;

/// Stock webhooks within this many clock seconds share one availability snapshot (before a first
/// snapshot is kept).
const COALESCE_S: f64 = 20.0;
/// Stock deliveries within this many clock seconds share one `stock.apply` job.
const APPLY_AFTER_S: f64 = 2.0;

/// A stock delivery's rows are merged into the kept availability at once (cheap, in memory) and
/// only the SKUs they change are recomputed by a `stock.apply` job, a moment later so that one
/// burst of deliveries shares one job. Before a first snapshot is kept, or with a body that
/// cannot be read, the full sync is asked for instead.
pub(super) async fn receive(ctx: &Context, body: &[u8]) {
    let rows = match cin7::parse_stock_changed(body) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::InvalidPayload,
                "webhook:cin7",
                "stock",
                format!("A Stock/AvailableStockLevelChanged body could not be read: {e}"),
            )
            .await;
            return enqueue_full_stock_sync(ctx).await;
        }
    };
    match crate::sync::inventory::apply::merge(ctx, &rows) {
        None => enqueue_full_stock_sync(ctx).await,
        Some(false) => {}
        Some(true) => {
            let slot = (ctx.clock.elapsed_s() / APPLY_AFTER_S).floor();
            let run_at = ctx.clock.at((slot + 1.0) * APPLY_AFTER_S);
            enqueue_keyed(
                ctx,
                STOCK_APPLY,
                &format!("stock.apply:{slot}"),
                6,
                Some(run_at),
                Some(concord_store::Coalesce::WhileQueued),
            )
            .await;
        }
    }
}

/// Coalesced: every stock webhook of one 20-second slot joins one snapshot taken when the slot
/// ends, so a burst costs one call and none is dropped (a webhook after the snapshot falls in the
/// next slot). A sync still waiting to start covers this change too, so none is added behind it.
async fn enqueue_full_stock_sync(ctx: &Context) {
    let slot = (ctx.clock.elapsed_s() / COALESCE_S).floor();
    let run_at = ctx.clock.at((slot + 1.0) * COALESCE_S);
    enqueue_keyed(
        ctx,
        STOCK_SYNC,
        &format!("stock.sync:webhook:{slot}"),
        6,
        Some(run_at),
        Some(concord_store::Coalesce::WhileQueued),
    )
    .await;
}
