//! Periodic work: each schedule enqueues its job when due, keyed by its time slot so several
//! processes sharing a database enqueue it once. The reaper returns expired leases to the queue.

use super::dispatch::*;
use crate::sync::context::Context;
use crate::sync::orders::{intake, record, revalidate};
use concord_core::retry::RetryPolicy;
use concord_store::{Coalesce, NewJob};
use std::time::Duration;

/// Enqueues a periodic job for the slot containing now, unless one of its kind is still waiting
/// or running: when workers fall behind, slots must not pile up copies that would all do the same
/// work, and two long reconciliations at once held half the workers the orders needed.
pub async fn enqueue_periodic(ctx: &Context, kind: &str, every_s: f64, priority: i32) {
    let slot = (ctx.clock.elapsed_s() / every_s.max(1.0)).floor() as i64;
    let key = format!("{kind}:slot:{slot}");
    let coalesce = Some(Coalesce::WhileQueuedOrRunning);
    enqueue_keyed(ctx, kind, &key, priority, None, coalesce).await;
}

/// Enqueues a job of `kind` under `key`; with `coalesce`, not while another of its kind waits
/// (or runs) as well.
pub async fn enqueue_keyed(
    ctx: &Context,
    kind: &str,
    key: &str,
    priority: i32,
    run_at: Option<chrono::DateTime<chrono::Utc>>,
    coalesce: Option<Coalesce>,
) {
    let job = periodic_job(kind, key, serde_json::json!({}), priority, run_at);
    enqueue_job(ctx, job, coalesce).await;
}

/// As [`enqueue_keyed`], with a payload and no coalescing.
pub async fn enqueue_keyed_with(
    ctx: &Context,
    kind: &str,
    key: &str,
    payload: serde_json::Value,
    priority: i32,
    run_at: Option<chrono::DateTime<chrono::Utc>>,
) {
    let job = periodic_job(kind, key, payload, priority, run_at);
    enqueue_job(ctx, job, None).await;
}

async fn enqueue_job(ctx: &Context, job: NewJob, coalesce: Option<Coalesce>) {
    let kind = job.kind.clone();
    let enqueued = match coalesce {
        Some(coalesce) => ctx.store.enqueue_coalesced(job, coalesce).await,
        None => ctx.store.enqueue(job).await,
    };
    if let Err(e) = enqueued {
        tracing::warn!(error = %e, kind, "Could not enqueue a periodic job.");
    }
}

fn periodic_job(
    kind: &str,
    key: &str,
    payload: serde_json::Value,
    priority: i32,
    run_at: Option<chrono::DateTime<chrono::Utc>>,
) -> NewJob {
    // Periodic jobs retry soon: the next slot will run them anyway.
    let retry = RetryPolicy::with_schedule(&[
        Duration::from_secs(30),
        Duration::from_secs(60),
        Duration::from_secs(120),
    ]);
    NewJob {
        kind: kind.to_owned(),
        payload,
        idempotency_key: key.to_owned(),
        priority,
        run_at,
        retry,
    }
}

pub async fn run(ctx: Context) {
    let s = ctx.schedule.clone();
    let plan: [(&str, f64, i32); 6] = [
        (ORDERS_POLL, s.order_poll_s, 9),
        (MONITOR, 300.0, 3),
        (STOCK_SYNC, s.stock_snapshot_s, 5),
        (PRICES_SYNC, s.price_poll_s, 1),
        (RECONCILE, s.reconcile_s, 1),
        (CATALOGUE_REFRESH, s.catalogue_refresh_s, 2),
    ];
    let mut tick: u64 = 0;
    let started_s = ctx.clock.elapsed_s();
    loop {
        let since_start = ctx.clock.elapsed_s() - started_s;
        for (kind, every, priority) in plan {
            // Start-up work is enqueued once by the caller; schedules take over after a period,
            // so a (re)start does not read everything twice.
            if since_start >= every {
                enqueue_periodic(&ctx, kind, every, priority).await;
            }
        }
        if let Some(postings) = &ctx.rules.postings {
            // Slots start with the run: a capture waits at most one period for the first.
            let every = postings.batch_every_s.max(60.0);
            let priority = crate::sync::postings::SLOT_PRIORITY;
            enqueue_periodic(&ctx, POSTINGS_SLOT, every, priority).await;
        }
        if tick.is_multiple_of(5) {
            revalidate_waiting_orders(&ctx).await;
        }
        if let Err(e) = crate::sync::forecast::check(&ctx).await {
            tracing::warn!(error = %e, "Could not forecast the order backlog.");
        }
        if let Err(e) = crate::sync::postings::forecast::check(&ctx).await {
            tracing::warn!(error = %e, "Could not forecast the postings queue.");
        }
        if let Err(e) = crate::sync::inventory::freshness::check(&ctx).await {
            tracing::warn!(error = %e, "Could not check the stock freshness.");
        }
        recheck_cin7_webhooks(&ctx).await;
        tick += 1;
        ctx.clock.sleep(Duration::from_secs(60)).await;
    }
}

/// Cin7 deactivates a webhook after six failed deliveries without telling anyone: a look at the
/// subscriptions now and then (the client throttles it) re-creates ours, and while they cannot be
/// re-created the credit-hold polling net stays on.
async fn recheck_cin7_webhooks(ctx: &Context) {
    match ctx.cin7.recheck_webhooks().await {
        Ok(None) => {}
        Ok(Some(_)) => ctx
            .cin7_webhooks
            .store(true, std::sync::atomic::Ordering::SeqCst),
        Err(e) => {
            tracing::warn!(error = %e, "Cin7 webhooks could not be checked or re-created; polling covers them.");
            ctx.cin7_webhooks
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Held orders and drafts waiting on a credit hold get another look on a schedule, so a fixed cause
/// lets them flow without anyone pressing a button.
async fn revalidate_waiting_orders(ctx: &Context) {
    let slot = (ctx.clock.elapsed_s() / ctx.schedule.revalidate_s.max(1.0)).floor() as i64;
    // Only the states that can wait: a long run's settled orders are never read again here.
    let waiting = [record::OrderState::Held, record::OrderState::Draft];
    let Ok(records) = record::in_states(&ctx.store, &waiting).await else {
        return;
    };
    if records.iter().any(record_waits_on_catalogue) {
        // Concord does not subscribe to Cin7's Product/Updated webhook: while orders wait for a product,
        // the catalogue is read on the revalidation schedule instead of every half hour.
        let key = format!("{CATALOGUE_REFRESH}:held:{slot}");
        let coalesce = Some(Coalesce::WhileQueuedOrRunning);
        enqueue_keyed(ctx, CATALOGUE_REFRESH, &key, 11, None, coalesce).await;
    }
    let changed = revalidate::inputs_changed(ctx, &records).await;
    let (now_s, every_s) = (ctx.clock.elapsed_s(), ctx.schedule.revalidate_s);
    let mut drafts_on_hold = false;
    for rec in records {
        let on_hold = rec.waits_on_credit_hold();
        drafts_on_hold |= on_hold;
        // A draft still on credit hold would only read its order to find nothing to do.
        let due = revalidate::held_order_due(&rec, now_s, every_s, slot, changed)
            || (on_hold
                && crate::sync::customers::hold_may_be_lifted(ctx, rec.customer_id.as_deref())
                    .await);
        if due {
            let _ = intake::enqueue_order_at(
                &ctx.store,
                rec.order_id,
                &format!("revalidate:{slot}"),
                intake::REVALIDATE_PRIORITY,
            )
            .await;
        }
    }
    let webhooks = ctx.cin7_webhooks.load(std::sync::atomic::Ordering::SeqCst);
    if drafts_on_hold && !webhooks {
        // The polling safety net for credit holds when Cin7 webhooks are off or were deactivated.
        super::webhooks::schedule_customer_refresh(ctx).await;
    }
}

fn record_waits_on_catalogue(rec: &record::OrderRecord) -> bool {
    crate::sync::orders::release::waits_on_catalogue(rec)
}

pub async fn reaper(ctx: Context) {
    loop {
        match ctx.store.reap_expired().await {
            Ok(n) if n > 0 => {
                tracing::info!(jobs = n, "Returned jobs with expired leases to the queue.")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "Could not reap expired leases."),
        }
        ctx.clock.sleep(Duration::from_secs(30)).await;
    }
}
