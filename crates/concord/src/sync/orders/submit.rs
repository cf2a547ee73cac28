//! Exactly-once submission: the intent is saved before `POST /sale`; after an ambiguous outcome
//! (timeout, lost response, crash) the next attempt looks the sale up by `ExternalID` and resumes
//! from what exists. No Oro order ever produces two sales.

use super::mapping::MappedUnit;
use super::record::{self, OrderRecord, OrderState};
use super::sale_build::build_sale_order;
use super::tax_check;
use crate::connectors::budget::Priority;
use crate::connectors::cin7::Cin7Error;
use crate::domain::*;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use concord_core::catalogue::ExceptionKind;

pub async fn submit(
    ctx: &Context,
    order: &OroOrder,
    rec: &mut OrderRecord,
    customer: &ErpCustomer,
    stage: OrderStage,
    mapped: Vec<MappedUnit>,
) -> Result<(), FlowError> {
    if mapped.len() != order.lines.len() {
        // Never send a sale with lines missing: that would be a wrong invoice, not a late one.
        return Err(FlowError::Data(format!(
            "order {}: {} of {} lines mapped to Cin7",
            order.id,
            mapped.len(),
            order.lines.len()
        )));
    }
    rec.customer_id = Some(customer.id.clone());
    let subject = format!("order:{}", order.id);
    if rec.sale_id.is_none() && rec.state == OrderState::Submitting {
        rec.sale_id = look_up_sale(ctx, rec).await?;
        if rec.sale_id.is_some() {
            // Kept at once: if the order post below fails, the retry goes straight to it
            // instead of spending (and perhaps failing) another sale-list read.
            rec.state = OrderState::HeaderCreated;
            record::save(&ctx.store, rec).await?;
        }
    }
    if rec.sale_id.is_none() {
        rec.state = OrderState::Submitting;
        rec.posted_at_s = Some(ctx.clock.elapsed_s());
        record::save(&ctx.store, rec).await?;
        let header = NewSale {
            customer_id: customer.id.clone(),
            location: sale_location(ctx),
            external_id: order.id.to_string(),
            customer_reference: order
                .po_number
                .clone()
                .unwrap_or_else(|| order.identifier.clone()),
        };
        let id = match ctx.cin7.create_sale(&header, &subject).await {
            Ok(id) => id,
            Err(e) => {
                // Whatever the error, the next attempt looks before it creates.
                rec.ambiguous_at_s = Some(ctx.clock.elapsed_s());
                record::save(&ctx.store, rec).await?;
                return Err(e.into());
            }
        };
        rec.sale_id = Some(id);
        rec.state = OrderState::HeaderCreated;
        record::save(&ctx.store, rec).await?;
    }
    let wanted = match (rec.state, stage) {
        (OrderState::HeaderCreated | OrderState::Submitting, _) => Some(stage),
        (OrderState::Draft, OrderStage::Authorised) => Some(OrderStage::Authorised),
        _ => None,
    };
    let (Some(stage), Some(sale_id)) = (wanted, rec.sale_id.clone()) else {
        return record::save(&ctx.store, rec).await.map_err(Into::into);
    };
    let tax = tax_check::resolve(ctx, order, Some(customer))
        .await?
        .map_err(|unmapped| {
            FlowError::Data(format!(
                "order {}: {} part(s) have no Cin7 tax rule",
                order.id,
                unmapped.len()
            ))
        })?;
    let sale_order = build_sale_order(&ctx.rules, order, &mapped, &tax)
        .map_err(|e| FlowError::Data(format!("order {}: {e}", order.id)))?;
    match ctx
        .cin7
        .post_order(&sale_id, stage, &sale_order, &subject)
        .await
    {
        Ok(()) => {}
        Err(Cin7Error::Permanent { message, .. })
            if reached_stage(ctx, &sale_id, stage, &message, &subject).await? => {}
        Err(e) => return Err(e.into()),
    }
    rec.sale_order = Some(sale_order);
    rec.stage = Some(stage);
    rec.state = if stage == OrderStage::Authorised {
        OrderState::Authorised
    } else {
        OrderState::Draft
    };
    if stage == OrderStage::Authorised {
        rec.allocated_at_s = Some(ctx.clock.elapsed_s());
        crate::sync::postings::on_authorised(ctx, rec).await?;
    }
    record::save(&ctx.store, rec).await?;
    // A late order that reconciliation reported missing is not missing any more.
    exceptions::resolve(
        &ctx.store,
        ExceptionKind::OrderMissingInCin7,
        &subject,
        "The order reached Cin7.",
    )
    .await?;
    tracing::info!(
        order_id = order.id,
        sale_id,
        stage = stage.as_cin7(),
        "Order is in Cin7."
    );
    metrics::counter!("concord_orders_synced_total", "stage" => stage.as_cin7()).increment(1);
    Ok(())
}

/// After a refused re-post (a lost response may have applied the first one), is the order there?
async fn reached_stage(
    ctx: &Context,
    sale_id: &str,
    stage: OrderStage,
    refusal: &str,
    subject: &str,
) -> Result<bool, FlowError> {
    // Cin7 refuses to change an authorised order; when it says so, the lost first post did land.
    if stage == OrderStage::Authorised
        && refusal.to_ascii_lowercase().contains("already authorised")
    {
        return Ok(true);
    }
    let sale = ctx
        .cin7
        .sale(sale_id, Priority::Orders, Some(subject))
        .await?;
    Ok(sale.order_status.as_deref() == Some(stage.as_cin7()) && !sale.lines.is_empty())
}

/// Finds the sale an ambiguous attempt may have created. Several orders left ambiguous by one
/// outage share one sale-list read (see [`Context::recent_sales_since`]).
async fn look_up_sale(ctx: &Context, rec: &OrderRecord) -> Result<Option<String>, FlowError> {
    let external_id = rec.order_id.to_string();
    let timeout_s = ctx.cin7.request_timeout().as_secs_f64() * ctx.clock.speed();
    let (posted_s, settled_s) = post_window(rec, timeout_s);
    let sales = ctx.recent_sales_since(posted_s, settled_s).await?;
    Ok(sales
        .into_iter()
        .find(|s| s.status != "VOIDED" && s.external_id.as_deref() == Some(external_id.as_str()))
        .map(|s| s.id))
}

/// When the last post was sent, and the moment after which a sale list read is sure to show the
/// sale it created, if any. A read shared with other orders only answers for this one if it was
/// taken after that: when the post's unclear answer came back, or, with no answer on record (a
/// crash, a store write failing after Cin7 answered), once the request's timeout had run out.
fn post_window(rec: &OrderRecord, timeout_s: f64) -> (f64, f64) {
    let posted_s = rec.posted_at_s.unwrap_or(rec.first_seen_s);
    let settled_s = rec
        .ambiguous_at_s
        .filter(|at| *at >= posted_s)
        .unwrap_or(posted_s + timeout_s);
    (posted_s, settled_s)
}

fn sale_location(ctx: &Context) -> String {
    ctx.rules
        .locations
        .as_ref()
        .and_then(|l| l.first().cloned())
        .unwrap_or_else(|| "Main Warehouse".to_owned())
}

/// Cancelled in Oro: void the sale if nothing has shipped, else report it; never void twice.
pub async fn cancel(ctx: &Context, rec: &mut OrderRecord) -> Result<(), FlowError> {
    rec.cancelled = true;
    let subject = format!("order:{}", rec.order_id);
    if rec.sale_id.is_none() && rec.state == OrderState::Submitting {
        rec.sale_id = look_up_sale(ctx, rec).await?;
    }
    let Some(sale_id) = rec.sale_id.clone() else {
        rec.state = OrderState::Cancelled;
        return record::save(&ctx.store, rec).await.map_err(Into::into);
    };
    match ctx.cin7.void_sale(&sale_id, &subject).await {
        Ok(()) => rec.state = OrderState::Voided,
        Err(Cin7Error::Permanent { message, .. })
            if message.to_ascii_lowercase().contains("shipped") =>
        {
            // Cin7 says why it refused: no need to spend a call reading the sale back.
            rec.state = OrderState::CancelledAfterShipment;
            let explanation = format!("Oro order {} was cancelled after Cin7 shipped its sale; Cin7 refused the void: {message}", rec.order_id);
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::CancelAfterFulfilment,
                &subject,
                "cancel",
                explanation,
            )
            .await?;
        }
        Err(Cin7Error::Permanent { message, .. }) => {
            // The shipping status says whether anything left the warehouse; the sale status
            // alone does not (a partly shipped sale reads `SHIPPING`).
            let sale = ctx
                .cin7
                .sale_shipments(&sale_id, Priority::Orders, Some(&subject))
                .await?;
            let shipped =
                is_shipped(&sale.status) || sale.shipping_status.as_deref().is_some_and(is_shipped);
            if sale.status == "VOIDED" {
                rec.state = OrderState::Voided;
            } else if shipped {
                rec.state = OrderState::CancelledAfterShipment;
                let explanation = format!("Oro order {} was cancelled after Cin7 shipped its sale (status {}); Cin7 refused the void: {message}", rec.order_id, sale.status);
                exceptions::raise(
                    &ctx.store,
                    &ctx.rules,
                    ExceptionKind::CancelAfterFulfilment,
                    &subject,
                    "cancel",
                    explanation,
                )
                .await?;
            } else {
                return Err(FlowError::Data(format!(
                    "Cin7 refused to void sale {sale_id}: {message}"
                )));
            }
        }
        Err(e) => return Err(e.into()),
    }
    record::save(&ctx.store, rec).await.map_err(Into::into)
}

/// Has the warehouse shipped any of the sale? Decided from Cin7's documented enumerations
/// (reference §5.8, §14.5) by exact value, never by substring: `NOT SHIPPED` and `NOT FULFILLED`
/// name the opposite, and `INVOICED` or `CREDITED` say nothing about shipping.
pub fn is_shipped(status: &str) -> bool {
    matches!(
        status.trim().to_ascii_uppercase().as_str(),
        // CombinedShippingStatus
        "SHIPPED" | "PARTIALLY SHIPPED"
        // FulFilmentStatus, and the order statuses that follow a shipment
        | "FULFILLED" | "PARTIALLY FULFILLED" | "CLOSED"
        // sale Status: ship authorised and paid
        | "COMPLETED"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_is_read_from_the_documented_enumerations_not_substrings() {
        let cases = [
            ("NOT SHIPPED", false),
            ("NOT FULFILLED", false),
            ("NOT AVAILABLE", false),
            ("SHIPPING", false),
            ("VOIDED", false),
            ("ORDERED", false),
            ("INVOICED", false),
            ("CREDITED", false),
            ("SHIPPED", true),
            ("PARTIALLY SHIPPED", true),
            ("FULFILLED", true),
            ("PARTIALLY FULFILLED", true),
            ("COMPLETED", true),
            (" shipped ", true),
        ];
        for (status, expected) in cases {
            assert_eq!(is_shipped(status), expected, "{status}");
        }
    }

    #[test]
    fn a_post_is_settled_by_its_unclear_answer_or_else_by_its_timeout() {
        // (posted, ambiguous, expected settled); first seen at 100 s, timeout 30 s.
        let cases = [
            // Answer on record for this post: the read must follow the answer.
            (Some(200.0), Some(205.0), (200.0, 205.0)),
            // Answer on record is an earlier post's: this one is settled by its timeout.
            (Some(200.0), Some(150.0), (200.0, 230.0)),
            // Sent, then a crash or a failed write: no answer, so the timeout.
            (Some(200.0), None, (200.0, 230.0)),
            // A record from before posts were stamped: since the order was first seen.
            (None, None, (100.0, 130.0)),
            (None, Some(120.0), (100.0, 120.0)),
        ];
        for (posted, ambiguous, expected) in cases {
            let mut rec = OrderRecord::new(1, 100.0);
            rec.posted_at_s = posted;
            rec.ambiguous_at_s = ambiguous;
            assert_eq!(
                post_window(&rec, 30.0),
                expected,
                "posted {posted:?} ambiguous {ambiguous:?}"
            );
        }
    }
}
