//! The `postings.slot` job: posts every waiting invoice, then every waiting payment (so a payment
//! in the same slot goes against the new invoice). A refusal is recorded and handed to finance; a
//! transient failure skips that posting (and the payments of an order whose invoice failed), and
//! three in a row end the slot; its retry (or the next slot) carries on with what is left.

use super::records::{self, InvoicePosting, PaymentPosting, DROPPED, POSTED, REFUSED, WAITING};
use super::rules::{self, PaymentDecision, SaleSide};
use crate::connectors::cin7::Cin7Error;
use crate::domain::NewErpPayment;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::record::{self, OrderRecord, OrderState};
use concord_core::catalogue::ExceptionKind;
use concord_core::scenario::Postings;
use rust_decimal::Decimal;
use std::collections::HashMap;

pub async fn run(ctx: &Context) -> Result<(), FlowError> {
    let Some(cfg) = ctx.rules.postings.clone() else {
        return Ok(());
    };
    let mut failures = Failures::default();
    for invoice in records::invoices_in(&ctx.store, WAITING).await? {
        failures.note(post_invoice(ctx, invoice).await)?;
    }
    let mut posted = posted_per_order(ctx).await?;
    let mut waiting = records::payments_in(&ctx.store, WAITING).await?;
    waiting.sort_by(|a, b| a.due_s.total_cmp(&b.due_s));
    for payment in waiting {
        failures.note(post_payment(ctx, &cfg, payment, &mut posted).await)?;
    }
    failures.finish()
}

/// After this many transient failures in a row Cin7 is taken to be down: the slot stops and its
/// retry (or the next slot) carries on, instead of spending budget on calls that fail.
const DOWN_AFTER_FAILURES: u32 = 3;

/// The transient failures of one slot. One posting whose call failed does not hold up the others
/// behind it (a lost answer on one invoice must not leave every payment of the slot waiting); the
/// slot still ends in error, so it is retried soon for the ones left.
#[derive(Default)]
struct Failures {
    in_a_row: u32,
    first: Option<Cin7Error>,
}

impl Failures {
    fn note(&mut self, result: Result<(), FlowError>) -> Result<(), FlowError> {
        match result {
            Ok(()) => {
                self.in_a_row = 0;
                Ok(())
            }
            Err(FlowError::Cin7(e)) => {
                self.in_a_row += 1;
                if self.in_a_row >= DOWN_AFTER_FAILURES {
                    return Err(FlowError::Cin7(e));
                }
                tracing::warn!(error = %e, "A posting failed; the slot goes on with the next.");
                self.first.get_or_insert(e);
                Ok(())
            }
            Err(other) => Err(other),
        }
    }

    fn finish(self) -> Result<(), FlowError> {
        match self.first {
            Some(e) => Err(FlowError::Cin7(e)),
            None => Ok(()),
        }
    }
}

fn subject(order_id: i64) -> String {
    format!("order:{order_id}")
}

fn today(ctx: &Context) -> String {
    ctx.clock.now().format("%Y-%m-%dT00:00:00").to_string()
}

fn is_gone(rec: &OrderRecord) -> bool {
    rec.cancelled
        || matches!(
            rec.state,
            OrderState::Voided | OrderState::Cancelled | OrderState::CancelledAfterShipment
        )
}

async fn post_invoice(ctx: &Context, mut inv: InvoicePosting) -> Result<(), FlowError> {
    let Some(rec) = record::load(&ctx.store, inv.order_id).await? else {
        return Ok(());
    };
    if is_gone(&rec) {
        return records::put_invoice(&ctx.store, &inv, DROPPED)
            .await
            .map_err(Into::into);
    }
    let (OrderState::Authorised, Some(sale_id)) = (rec.state, rec.sale_id.clone()) else {
        return Ok(()); // not authorised (yet): the record will say so soon, or the order never flows
    };
    let subject = subject(inv.order_id);
    let tasks = ctx.cin7.invoices(&sale_id, &subject).await?;
    if let Some(done) = tasks
        .iter()
        .find(|t| t.status == "AUTHORISED" || t.status == "PAID")
    {
        return mark_invoiced(ctx, &mut inv, done.task_id.clone(), done.number.clone()).await;
    }
    let Some(task) = tasks
        .iter()
        .find(|t| t.status == "NOT AVAILABLE" || t.status == "DRAFT")
    else {
        inv.last_error = Some("Cin7 lists no invoice task for the sale".into());
        return records::put_invoice(&ctx.store, &inv, REFUSED)
            .await
            .map_err(Into::into);
    };
    match ctx
        .cin7
        .authorise_invoice(&sale_id, &task.task_id, &today(ctx), &subject)
        .await
    {
        Ok(after) => {
            let number = after
                .iter()
                .find(|t| t.task_id == task.task_id)
                .and_then(|t| t.number.clone());
            mark_invoiced(ctx, &mut inv, task.task_id.clone(), number).await
        }
        Err(Cin7Error::Permanent { message, .. }) => {
            tracing::warn!(order_id = inv.order_id, message, "Cin7 refused an invoice.");
            inv.last_error = Some(message);
            records::put_invoice(&ctx.store, &inv, REFUSED)
                .await
                .map_err(Into::into)
        }
        Err(e) => Err(e.into()),
    }
}

async fn mark_invoiced(
    ctx: &Context,
    inv: &mut InvoicePosting,
    task_id: String,
    number: Option<String>,
) -> Result<(), FlowError> {
    inv.task_id = Some(task_id);
    inv.number = number;
    inv.posted_at_s = Some(ctx.clock.elapsed_s());
    inv.last_error = None;
    metrics::counter!("concord_postings_total", "kind" => "invoice").increment(1);
    records::put_invoice(&ctx.store, inv, POSTED)
        .await
        .map_err(Into::into)
}

/// Order id → what Concord has posted on its sale so far.
async fn posted_per_order(ctx: &Context) -> Result<HashMap<i64, Decimal>, FlowError> {
    let mut sums: HashMap<i64, Decimal> = HashMap::new();
    for p in records::payments_in(&ctx.store, POSTED).await? {
        *sums.entry(p.order_id).or_default() += p.amount;
    }
    Ok(sums)
}

fn sale_side(rec: Option<&OrderRecord>) -> SaleSide {
    match rec {
        Some(r) if is_gone(r) => SaleSide::Cancelled,
        Some(r)
            if matches!(r.state, OrderState::Draft | OrderState::Authorised)
                && r.sale_id.is_some() =>
        {
            match &r.sale_order {
                Some(order) => SaleSide::Live {
                    total: rules::sale_total(order),
                },
                None => SaleSide::Missing,
            }
        }
        _ => SaleSide::Missing,
    }
}

async fn post_payment(
    ctx: &Context,
    cfg: &Postings,
    mut pay: PaymentPosting,
    posted: &mut HashMap<i64, Decimal>,
) -> Result<(), FlowError> {
    let rec = record::load(&ctx.store, pay.order_id).await?;
    let already = posted.get(&pay.order_id).copied().unwrap_or_default();
    let waited = ctx.clock.elapsed_s() - pay.due_s;
    let mut side = sale_side(rec.as_ref());
    if matches!(side, SaleSide::Live { .. }) {
        match cancelled_in_oro(ctx, pay.order_id).await {
            Some(true) => side = SaleSide::Cancelled,
            Some(false) => {}
            None => return Ok(()), // Oro could not say: the next slot asks again
        }
    }
    match rules::decide_payment(side, pay.amount, already, waited, cfg.max_lag_s) {
        PaymentDecision::Wait => Ok(()),
        PaymentDecision::Overdue => overdue(ctx, cfg, &mut pay).await,
        PaymentDecision::Refuse(why) => refuse(ctx, &mut pay, why).await,
        PaymentDecision::Post => {
            let Some(rec) = rec else { return Ok(()) };
            if invoice_pending(ctx, pay.order_id).await? {
                // Its invoice failed earlier in this slot (perhaps landing unseen): a prepayment
                // now could meet an authorised invoice, which Cin7 refuses for good.
                return Ok(());
            }
            send_payment(ctx, cfg, &rec, &mut pay).await?;
            *posted.entry(pay.order_id).or_default() += pay.amount;
            Ok(())
        }
    }
}

/// Has Oro cancelled the order? Asked right before a payment goes out, because the order flow
/// may not have applied a cancellation yet (its job waiting behind a crashed process's lease),
/// and a payment captured after it must never reach the ledger. `None` when Oro cannot answer.
async fn cancelled_in_oro(ctx: &Context, order_id: i64) -> Option<bool> {
    match ctx.oro.order(order_id).await {
        Ok(order) => Some(order.internal_status.as_deref() == Some("cancelled")),
        Err(e) => {
            tracing::warn!(order_id, error = %e, "Could not read the order from Oro before posting its payment.");
            None
        }
    }
}

/// Is the order's invoice still waiting to be posted? Slots post invoices first, so one still
/// waiting here failed in this slot.
async fn invoice_pending(ctx: &Context, order_id: i64) -> Result<bool, FlowError> {
    let invoice = records::invoice(&ctx.store, order_id).await?;
    Ok(matches!(invoice, Some((status, _)) if status == WAITING))
}

async fn overdue(ctx: &Context, cfg: &Postings, pay: &mut PaymentPosting) -> Result<(), FlowError> {
    if pay.unposted_raised {
        return Ok(());
    }
    let why = format!(
        "A payment of {} captured in Oro ({}) is not posted: the order has not reached Cin7 {} s after the payment. It is posted as soon as the sale exists.",
        pay.amount, pay.reference, cfg.max_lag_s
    );
    exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::PaymentUnposted,
        &subject(pay.order_id),
        &pay.reference,
        why,
    )
    .await?;
    pay.unposted_raised = true;
    records::put_payment(&ctx.store, pay, WAITING)
        .await
        .map_err(Into::into)
}

async fn refuse(ctx: &Context, pay: &mut PaymentPosting, why: String) -> Result<(), FlowError> {
    let explanation = format!(
        "A payment of {} captured in Oro ({}) was not posted to Cin7: {why}.",
        pay.amount, pay.reference
    );
    exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::PaymentUnposted,
        &subject(pay.order_id),
        &pay.reference,
        explanation,
    )
    .await?;
    pay.unposted_raised = true;
    pay.last_error = Some(why);
    metrics::counter!("concord_postings_refused_total").increment(1);
    records::put_payment(&ctx.store, pay, REFUSED)
        .await
        .map_err(Into::into)
}

/// Posts one payment exactly once: after an attempt with no clear answer, the sale's payments are
/// read first and the `Reference` decides whether the earlier attempt landed.
async fn send_payment(
    ctx: &Context,
    cfg: &Postings,
    rec: &OrderRecord,
    pay: &mut PaymentPosting,
) -> Result<(), FlowError> {
    let sale_id = rec.sale_id.clone().unwrap_or_default();
    let subject = subject(pay.order_id);
    pay.customer = super::customer_name(ctx, rec).await;
    if pay.attempted_at_s.is_some() {
        let landed = ctx.cin7.payments(&sale_id, &subject).await?;
        if let Some(found) = landed.iter().find(|p| p.reference == pay.reference) {
            pay.kind = Some(found.kind.clone());
            return mark_paid(ctx, pay).await;
        }
    }
    let invoice = records::invoice(&ctx.store, pay.order_id).await?;
    let invoiced_task =
        invoice.and_then(|(status, inv)| (status == POSTED).then_some(inv.task_id).flatten());
    let (kind, task_id) = match invoiced_task {
        Some(task) => ("PAYMENT", task),
        None => ("PREPAYMENT", sale_id),
    };
    let new = NewErpPayment {
        task_id,
        kind: kind.to_owned(),
        reference: pay.reference.clone(),
        amount: pay.amount,
        date_paid: today(ctx),
        account: cfg.payment_account.clone().unwrap_or_default(),
    };
    pay.attempted_at_s = Some(ctx.clock.elapsed_s());
    records::put_payment(&ctx.store, pay, WAITING).await?;
    match ctx.cin7.post_payment(&new, &subject).await {
        Ok(()) => {
            pay.kind = Some(kind.to_owned());
            mark_paid(ctx, pay).await
        }
        // Cin7 answered: nothing was recorded, so a refusal is final (an overpayment, a voided sale).
        Err(Cin7Error::Permanent { message, .. }) => {
            refuse(ctx, pay, format!("Cin7 refused it ({message})")).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn mark_paid(ctx: &Context, pay: &mut PaymentPosting) -> Result<(), FlowError> {
    pay.posted_at_s = Some(ctx.clock.elapsed_s());
    pay.last_error = None;
    records::put_payment(&ctx.store, pay, POSTED).await?;
    metrics::counter!("concord_postings_total", "kind" => "payment").increment(1);
    if pay.unposted_raised && !other_unposted(ctx, pay).await? {
        exceptions::resolve(
            &ctx.store,
            ExceptionKind::PaymentUnposted,
            &subject(pay.order_id),
            "The payment was posted once the sale existed.",
        )
        .await?;
    }
    Ok(())
}

/// Does another payment of the same order still stand unposted (refused, or overdue)?
async fn other_unposted(ctx: &Context, pay: &PaymentPosting) -> Result<bool, FlowError> {
    let refused = records::payments_in(&ctx.store, REFUSED).await?;
    let waiting = records::payments_in(&ctx.store, WAITING).await?;
    Ok(refused
        .iter()
        .chain(waiting.iter().filter(|p| p.unposted_raised))
        .any(|p| p.order_id == pay.order_id && p.reference != pay.reference))
}
