//! Order intake: webhooks enqueue at once; polling by `updatedAt` (with an overlap window) is the
//! safety net. Both enqueue `order.sync` keyed by order id and `updatedAt`, so a delivery seen by
//! both paths runs once. The first poll also records sales that existed before Concord (a backlog
//! with a sale is never sent again).

use super::record::{self, OrderRecord, OrderState};
use crate::connectors::budget::Priority;
use crate::connectors::cin7::SaleListFilter;
use crate::sync::context::{Context, FlowError};
use chrono::{DateTime, Utc};
use concord_core::retry::RetryPolicy;
use concord_store::{NewJob, Store, StoreError};
use serde_json::json;

pub const CURSOR: &str = "oro.orders.updated_at";
/// Set once the sales that predate Concord have been recorded; that read is never repeated.
const BACKLOG_CHECKED: &str = "cin7.preexisting_sales_recorded_at";

/// Enqueues a sync of one order, and the lowering of its SKUs' Oro levels; a repeat with the same
/// key is ignored by the queue.
pub async fn enqueue_order(
    store: &Store,
    order_id: i64,
    key_suffix: &str,
) -> Result<(), StoreError> {
    enqueue_order_at(store, order_id, key_suffix, NEW_ORDER_PRIORITY).await
}

/// A new or changed order goes before another look at an order already held.
const NEW_ORDER_PRIORITY: i32 = 10;
/// Held orders are looked at again every few minutes, all at once: behind new orders (the queue's
/// starvation limit still runs them), so a batch of them never delays a buyer's order.
pub const REVALIDATE_PRIORITY: i32 = 4;

/// As [`enqueue_order`], at `priority`.
pub async fn enqueue_order_at(
    store: &Store,
    order_id: i64,
    key_suffix: &str,
    priority: i32,
) -> Result<(), StoreError> {
    let lower = NewJob {
        kind: "stock.lower".into(),
        payload: json!({ "order_id": order_id }),
        // Once per order: the first sight of an order is what changes what Oro may still sell.
        idempotency_key: format!("stock.lower:{order_id}"),
        priority: 12,
        run_at: None,
        retry: RetryPolicy::with_schedule(&[
            std::time::Duration::from_secs(5),
            std::time::Duration::from_secs(30),
        ]),
    };
    store.enqueue(lower).await?;
    let job = NewJob {
        kind: "order.sync".into(),
        payload: json!({ "order_id": order_id }),
        idempotency_key: format!("order:{order_id}:{key_suffix}"),
        priority,
        run_at: None,
        retry: RetryPolicy::ORDERS,
    };
    store.enqueue(job).await.map(|_| ())
}

/// How far back a poll reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// From the cursor less the overlap window: the safety net for orders committed late (the
    /// periodic poll).
    Sweep,
    /// From the cursor's own second: what changed since the last poll, as the stock sync and the
    /// immediate lowering need it around each write. Re-reading the overlap window there made
    /// every one of them parse a minute of orders again (the largest single cost per order).
    Recent,
}

/// What this process remembers of its own polls (held under [`Context::poll_lock`]).
#[derive(Debug, Default)]
pub struct PollMemory {
    last: Option<LastPoll>,
    /// The cursor as this process last read or wrote it: a recent poll starts from here. Another
    /// process may have moved it on since; starting earlier only reads a few orders twice.
    cursor: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct LastPoll {
    started_s: f64,
    new_orders: usize,
    reach: Reach,
}

/// Reads orders changed since the cursor (less the overlap for a sweep), records any not seen
/// before (with the base units they take, so the stock formula counts them at once) and enqueues
/// their sync. Returns how many orders were new.
pub async fn poll(ctx: &Context, reach: Reach) -> Result<usize, FlowError> {
    let asked_s = ctx.clock.elapsed_s();
    let mut memory = ctx.poll_lock.lock().await;
    // A poll that started after this one was asked for has seen every order this one would
    // (stock syncs and lowerings poll around each write, often several at once): its answer is as
    // fresh as needed, and a second read of Oro's recent orders would only cost parsing them again.
    if let Some(last) = memory.last {
        if last.started_s > asked_s && (reach == Reach::Recent || last.reach == Reach::Sweep) {
            return Ok(last.new_orders);
        }
    }
    let started_s = ctx.clock.elapsed_s();
    let cursor = match (reach, &memory.cursor) {
        (Reach::Recent, Some(known)) => Some(known.clone()),
        _ => ctx.store.cursor_get(CURSOR).await?,
    };
    ensure_backlog_checked(ctx).await?;
    let overlap_s = match reach {
        Reach::Sweep => ctx.schedule.poll_overlap_s,
        Reach::Recent => 0.0,
    };
    let since = cursor
        .as_deref()
        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map(|c| {
            (c.with_timezone(&Utc) - chrono::Duration::seconds(overlap_s as i64))
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        });
    let held = |id: i64, updated_at: &str| already_polled(ctx, id, updated_at);
    let orders = ctx.oro.orders_since_unheld(since.as_deref(), &held).await?;
    let (new_orders, newest) = take_in(ctx, &orders, cursor.clone()).await?;
    if newest != cursor {
        if let Some(newest) = &newest {
            ctx.store.cursor_set(CURSOR, newest).await?;
        }
    }
    memory.cursor = newest;
    memory.last = Some(LastPoll {
        started_s,
        new_orders,
        reach,
    });
    Ok(new_orders)
}

/// Records and enqueues each polled order not already taken in at this version. Returns how
/// many were new and the newest `updatedAt` seen (at least `cursor`).
async fn take_in(
    ctx: &Context,
    orders: &[crate::domain::OroOrder],
    cursor: Option<String>,
) -> Result<(usize, Option<String>), FlowError> {
    let (mut new_orders, mut newest) = (0, cursor);
    for order in orders {
        if already_polled(ctx, order.id, &order.updated_at) {
            continue;
        }
        if !record::exists(&ctx.store, order.id).await? && record_first_sight(ctx, order).await? {
            new_orders += 1;
        }
        enqueue_order(&ctx.store, order.id, &order.updated_at).await?;
        remember_polled(ctx, order);
        if newest
            .as_deref()
            .is_none_or(|n| order.updated_at.as_str() > n)
        {
            newest = Some(order.updated_at.clone());
        }
    }
    Ok((new_orders, newest))
}

/// Records the sales that predate Concord, once ever (the store remembers it across restarts and
/// processes; this process then stops asking the store on every poll).
async fn ensure_backlog_checked(ctx: &Context) -> Result<(), FlowError> {
    use std::sync::atomic::Ordering;
    if ctx.backlog_checked.load(Ordering::Relaxed) {
        return Ok(());
    }
    if ctx.store.cursor_get(BACKLOG_CHECKED).await?.is_none() {
        record_preexisting_sales(ctx).await?;
        ctx.store
            .cursor_set(BACKLOG_CHECKED, &ctx.clock.now().to_rfc3339())
            .await?;
    }
    ctx.backlog_checked.store(true, Ordering::Relaxed);
    Ok(())
}

/// Whether this process's polls already recorded and enqueued this order as it is now. The
/// overlap window brings each order back in several polls (three or so per order, around every
/// stock write), and each sighting cost a record read and two enqueue attempts, all writes.
fn already_polled(ctx: &Context, order_id: i64, updated_at: &str) -> bool {
    ctx.polled_orders
        .lock()
        .is_ok_and(|seen| seen.get(&order_id).is_some_and(|at| at == updated_at))
}

fn remember_polled(ctx: &Context, order: &crate::domain::OroOrder) {
    if let Ok(mut seen) = ctx.polled_orders.lock() {
        if seen.len() > 20_000 {
            // A bound, not a rule: forgetting costs one repeated (idempotent) sighting each.
            seen.clear();
        }
        seen.insert(order.id, order.updated_at.clone());
    }
}

/// Records an order seen for the first time. The order's own job, in this process or another,
/// may be saving a fuller record (held, submitting, authorised) meanwhile (working out the base
/// units can wait on a catalogue load), and a first-sight record must never overwrite it: the
/// store writes it only if no record exists. Returns whether this call created the record.
async fn record_first_sight(
    ctx: &Context,
    order: &crate::domain::OroOrder,
) -> Result<bool, FlowError> {
    // Seen before its job runs: the stock formula counts it as in flight from now on.
    let mut rec = OrderRecord::new(order.id, ctx.clock.elapsed_s());
    rec.base_units = super::handler::base_units(ctx, order).await?;
    rec.awaiting_approval = super::mapping::is_awaiting_approval(
        order.internal_status.as_deref(),
        order.status.as_deref(),
    );
    rec.cancelled = order.internal_status.as_deref() == Some("cancelled");
    Ok(record::create(&ctx.store, &rec).await?)
}

/// Sales that carry an Oro order id before Concord ever ran belong to an earlier integration.
async fn record_preexisting_sales(ctx: &Context) -> Result<(), FlowError> {
    let sales = ctx
        .cin7
        .sale_list(&SaleListFilter::default(), Priority::Orders)
        .await?;
    for sale in sales {
        let Some(order_id) = sale
            .external_id
            .as_deref()
            .and_then(|e| e.parse::<i64>().ok())
        else {
            continue;
        };
        if record::exists(&ctx.store, order_id).await? || sale.status == "VOIDED" {
            continue;
        }
        let mut rec = OrderRecord::new(order_id, ctx.clock.elapsed_s());
        rec.state = OrderState::Preexisting;
        rec.sale_id = Some(sale.id.clone());
        record::create(&ctx.store, &rec).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "intake_tests.rs"]
mod tests;
