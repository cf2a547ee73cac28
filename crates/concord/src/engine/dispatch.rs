//! Job kinds → handlers, and flow errors → the queue's retry intents. The worker never guesses from
//! strings: each connector error already says how it wants to be retried.

use crate::connectors::RetryAction;
use crate::sync::context::{Context, FlowError};
use crate::sync::{exceptions, inventory, orders, prices};
use concord_core::catalogue::ExceptionKind;
use concord_core::retry::Failure;
use concord_store::Job;

pub const ORDER_SYNC: &str = "order.sync";
pub const ORDERS_POLL: &str = "orders.poll";
pub const STOCK_SYNC: &str = "stock.sync";
/// The slot after Cin7 stock webhooks: a full sync only if their rows change a level (see
/// `inventory::explained`). Its own kind, so the periodic full sync never waits behind it.
pub const STOCK_WEBHOOK: &str = "stock.webhook";
pub const PRICES_SYNC: &str = "prices.sync";
pub const RECONCILE: &str = "reconcile";
pub const CATALOGUE_REFRESH: &str = "catalogue.refresh";
pub const CUSTOMERS_REFRESH: &str = "customers.refresh";
/// One Cin7 customer read back after a `Customer/Updated` webhook named it.
pub const CUSTOMER_READ: &str = "customer.read";
pub const STOCK_LOWER: &str = "stock.lower";
pub const MONITOR: &str = "monitor";
pub const SHIPMENT_SYNC: &str = "shipment.sync";
pub const POSTINGS_SLOT: &str = crate::sync::postings::SLOT_JOB;

/// Periodic kinds: each run does the whole of its work again (a full snapshot, a poll from the
/// cursor, a pass over what changed since the last good one), so one that succeeds also does
/// whatever an earlier, dead-lettered run of its kind left undone.
pub fn reruns_in_full(kind: &str) -> bool {
    matches!(
        kind,
        ORDERS_POLL
            | STOCK_SYNC
            | PRICES_SYNC
            | RECONCILE
            | CATALOGUE_REFRESH
            | CUSTOMERS_REFRESH
            | MONITOR
            | POSTINGS_SLOT
    )
}

pub async fn run(ctx: &Context, job: &Job) -> Result<(), Failure> {
    let result = match job.kind.as_str() {
        ORDER_SYNC => match job.payload.get("order_id").and_then(|v| v.as_i64()) {
            Some(id) => orders::handler::sync_order(ctx, id).await,
            None => return Err(Failure::Fatal("order.sync payload has no order_id".into())),
        },
        STOCK_LOWER => match job.payload.get("order_id").and_then(|v| v.as_i64()) {
            Some(id) => inventory::lower::lower_for_order(ctx, id).await,
            None => return Err(Failure::Fatal("stock.lower payload has no order_id".into())),
        },
        CUSTOMER_READ => match job.payload.get("id").and_then(|v| v.as_str()) {
            Some(id) => super::webhooks::read_customer(ctx, id).await,
            None => return Err(Failure::Fatal("customer.read payload has no id".into())),
        },
        MONITOR => crate::sync::monitor::run(ctx).await,
        SHIPMENT_SYNC => match serde_json::from_value(job.payload.clone()) {
            Ok(prompt) => crate::sync::shipments::sync_prompt(ctx, &prompt).await,
            Err(e) => return Err(Failure::Fatal(format!("shipment.sync payload: {e}"))),
        },
        POSTINGS_SLOT => crate::sync::postings::slot::run(ctx).await,
        ORDERS_POLL => orders::intake::poll(ctx, orders::intake::Reach::Sweep)
            .await
            .map(|_| ()),
        STOCK_SYNC => inventory::sync::sync(ctx).await,
        STOCK_WEBHOOK => {
            let hinted_by = job.payload.get("hinted_by").and_then(|v| v.as_str());
            inventory::sync::after_webhooks(ctx, hinted_by).await
        }
        PRICES_SYNC => prices::push::sync(ctx, false).await.map(|_| ()),
        RECONCILE => crate::reconcile::orders::run(ctx).await.map(|_| ()),
        CATALOGUE_REFRESH => orders::release::refresh_catalogue_and_release(ctx).await,
        CUSTOMERS_REFRESH => super::webhooks::refresh_customers(ctx).await,
        other => return Err(Failure::Fatal(format!("unknown job kind {other:?}"))),
    };
    result.map_err(to_failure)
}

fn to_failure(e: FlowError) -> Failure {
    let message = e.to_string();
    let action = match &e {
        FlowError::Cin7(c) => c.retry_action(),
        FlowError::Oro(o) => o.retry_action(),
        FlowError::Store(_) => RetryAction::Retry,
        FlowError::Data(_) => RetryAction::Retry,
        // Not a failure of the work itself: wait for the other holder without using an attempt.
        FlowError::Busy(_) => RetryAction::RetryAfter(std::time::Duration::from_secs(10)),
    };
    match action {
        RetryAction::Retry | RetryAction::LookUpFirst => Failure::Retryable(message),
        RetryAction::RetryAfter(d) => Failure::RetryAfter(d, message),
        RetryAction::DontRetry => Failure::Fatal(message),
    }
}

/// A job ran out of retries (or failed for good): an order becomes `order_sync_failed` for a person.
pub async fn dead_lettered(ctx: &Context, job: &Job) {
    if job.kind != ORDER_SYNC {
        return;
    }
    let Some(id) = job.payload.get("order_id").and_then(|v| v.as_i64()) else {
        return;
    };
    let explanation = format!(
        "Concord gave up on sending Oro order {id} to Cin7 after {} attempts. Last error: {}",
        job.attempts + 1,
        job.last_error.clone().unwrap_or_default()
    );
    let subject = format!("order:{id}");
    if let Err(e) = exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::OrderSyncFailed,
        &subject,
        "dead",
        explanation,
    )
    .await
    {
        tracing::error!(error = %e, order_id = id, "Could not raise order_sync_failed.");
    }
}
