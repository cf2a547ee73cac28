//! Financial postings (spec 4.3, DESIGN 3.5): exactly one authorised Cin7 invoice per invoiced
//! order and exactly one Cin7 sale payment per Oro capture. Causes only write a `waiting` record;
//! the `postings.slot` job posts them every `batch_every_s`, on the budget's lowest class, so a
//! burst of orders is never delayed by postings.
//!
//! Invoice causes: authorisation (`invoice_on: authorise`, called from the order submit), or a full
//! shipment (`invoice_on: ship`): whoever learns that a sale has fully shipped calls
//! [`on_fully_shipped`] with the clock second it did (the shipments flow owns that fact).

pub mod forecast;
pub mod records;
pub mod rules;
pub mod slot;
pub mod summary;

use crate::domain::PaymentCapture;
use crate::sync::context::Context;
use crate::sync::orders::record::OrderRecord;
use concord_core::scenario::InvoiceOn;
use concord_store::StoreError;
use records::{InvoicePosting, PaymentPosting, KEPT, WAITING};

pub const SLOT_JOB: &str = "postings.slot";
/// Below every other schedule: a slot is worked only when orders, stock and prices are not waiting.
pub const SLOT_PRIORITY: i32 = 0;
/// Cursor that says whether Oro accepted Concord's `order.payment_status_updated` subscription.
pub const ORO_PAYMENTS_CURSOR: &str = "postings.oro_payment_webhooks";

/// An order's sale was authorised: with `invoice_on: authorise`, its invoice waits for a slot.
/// Called before the order record says `authorised`, so a crash in between leaves a waiting
/// invoice the slot checks against the record, never an authorised order without one.
pub async fn on_authorised(ctx: &Context, rec: &OrderRecord) -> Result<(), StoreError> {
    if ctx.rules.postings.as_ref().map(|p| p.invoice_on) == Some(InvoiceOn::Authorise) {
        queue_invoice(ctx, rec, ctx.clock.elapsed_s()).await?;
    }
    Ok(())
}

/// An order's sale has shipped in full at `at_s`: with `invoice_on: ship`, its invoice waits.
pub async fn on_fully_shipped(
    ctx: &Context,
    rec: &OrderRecord,
    at_s: f64,
) -> Result<(), StoreError> {
    if ctx.rules.postings.as_ref().map(|p| p.invoice_on) == Some(InvoiceOn::Ship) {
        queue_invoice(ctx, rec, at_s).await?;
    }
    Ok(())
}

async fn queue_invoice(ctx: &Context, rec: &OrderRecord, due_s: f64) -> Result<(), StoreError> {
    if records::invoice(&ctx.store, rec.order_id).await?.is_some() {
        return Ok(());
    }
    let posting = InvoicePosting {
        order_id: rec.order_id,
        due_s,
        customer: customer_name(ctx, rec).await,
        total: rec.sale_order.as_ref().map(rules::sale_total),
        task_id: None,
        number: None,
        posted_at_s: None,
        last_error: None,
    };
    records::put_invoice(&ctx.store, &posting, WAITING).await
}

/// The billed Cin7 customer's name from the kept customer list, else its id.
pub async fn customer_name(ctx: &Context, rec: &OrderRecord) -> Option<String> {
    let id = rec.customer_id.clone()?;
    let cache = ctx.cache.read().await;
    let known = cache
        .cin7_customers
        .as_ref()
        .and_then(|all| all.iter().find(|c| c.id == id));
    Some(known.map_or(id, |c| c.name.clone()))
}

/// Oro announced a completed payment transaction. A capture becomes one waiting payment under its
/// derived `Reference`; a redelivery finds it there and changes nothing.
pub async fn record_capture(ctx: &Context, capture: &PaymentCapture) -> Result<(), StoreError> {
    if !rules::is_money_in(&capture.transaction_type) {
        return Ok(());
    }
    let reference = rules::reference(capture);
    if records::payment(&ctx.store, &reference).await?.is_some() {
        return Ok(());
    }
    let posting = PaymentPosting {
        order_id: capture.order_id,
        reference,
        amount: capture.amount.round_dp(2),
        due_s: ctx.clock.elapsed_s(),
        customer: None,
        kind: None,
        attempted_at_s: None,
        posted_at_s: None,
        unposted_raised: false,
        last_error: None,
    };
    // Without `settings.postings` nothing financial is posted; the capture is only kept, so
    // reconciliation can still compare Oro's payments with Cin7's.
    let status = if ctx.rules.postings.is_some() {
        WAITING
    } else {
        KEPT
    };
    records::put_payment(&ctx.store, &posting, status).await
}
