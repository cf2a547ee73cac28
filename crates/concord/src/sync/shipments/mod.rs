//! Shipments back to Oro (spec 4.4, DESIGN 3.6): Cin7's shipping status becomes the Oro order's
//! shipping status, and each tracking number one Oro shipping-tracking record. Learned from Cin7's
//! shipment webhooks when they are on, and from the reconciliation pass otherwise.
//!
//! What Concord wrote is kept in the store as a `shipment` record per Oro order, its status the Oro
//! shipping status written (`partially_shipped`, `shipped`): [`is_fully_shipped`] is what other
//! flows (invoices on shipment) read.

pub mod progress;

use crate::connectors::budget::Priority;
use crate::connectors::cin7::Cin7Error;
use crate::domain::{SaleShipments, SaleSummary, ShipmentPrompt};
use crate::sync::context::{Context, FlowError};
use crate::sync::orders::record;
use concord_store::{Store, StoreError};
use progress::Progress;
use serde::{Deserialize, Serialize};

/// Store record kind; the key is the Oro order id.
pub const RECORD: &str = "shipment";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub order_id: i64,
    pub sale_id: String,
    /// The Oro shipping status Concord last wrote.
    pub oro_status: Option<String>,
    /// Tracking numbers on the Oro order (written by Concord or found there).
    pub tracking_numbers: Vec<String>,
    /// Clock second Concord learned that the whole sale had shipped.
    pub fully_shipped_at_s: Option<f64>,
}

pub async fn load(store: &Store, order_id: i64) -> Result<Option<ShipmentRecord>, StoreError> {
    let record = store.record_get(RECORD, &order_id.to_string()).await?;
    Ok(record.and_then(|r| serde_json::from_value(r.data).ok()))
}

/// Has the order's sale shipped completely, as far as Concord has learned?
pub async fn is_fully_shipped(store: &Store, order_id: i64) -> Result<bool, StoreError> {
    Ok(load(store, order_id)
        .await?
        .is_some_and(|r| r.fully_shipped_at_s.is_some()))
}

async fn save(store: &Store, rec: &ShipmentRecord) -> Result<(), StoreError> {
    let status = rec.oro_status.as_deref().unwrap_or("not_shipped");
    store
        .record_put(RECORD, &rec.order_id.to_string(), status, rec)
        .await
}

/// Writes what Cin7 shows about the sale of Oro order `order_id` to Oro: missing tracking numbers
/// first (Oro's list read before creating, so a retry never adds one twice), then the shipping
/// status. A sale that has shipped nothing never changes Oro.
pub async fn apply(ctx: &Context, order_id: i64, sale: &SaleShipments) -> Result<(), FlowError> {
    let Some(progress) = progress::progress(sale.shipping_status.as_deref(), &sale.status) else {
        return Ok(());
    };
    let mut rec = load(&ctx.store, order_id)
        .await?
        .unwrap_or_else(|| ShipmentRecord {
            order_id,
            sale_id: sale.sale_id.clone(),
            ..Default::default()
        });
    let fresh = progress::new_trackings(&sale.trackings, &rec.tracking_numbers);
    if !fresh.is_empty() {
        let in_oro = ctx.oro.tracking_numbers(order_id).await?;
        for t in fresh {
            if !in_oro.contains(&t.number) {
                ctx.oro
                    .add_tracking(order_id, &t.carrier, &t.number)
                    .await?;
            }
            rec.tracking_numbers.push(t.number);
            save(&ctx.store, &rec).await?;
        }
    }
    if progress != Progress::NotShipped {
        let code = progress.oro_code();
        if rec.oro_status.as_deref() != Some(code) {
            ctx.oro.set_shipping_status(order_id, code).await?;
            rec.oro_status = Some(code.to_owned());
        }
    }
    if progress == Progress::Full && rec.fully_shipped_at_s.is_none() {
        rec.fully_shipped_at_s = Some(ctx.clock.elapsed_s());
    }
    save(&ctx.store, &rec).await.map_err(Into::into)
}

/// Would reading the sale change anything in Oro? Its list row says how far it shipped and which
/// tracking numbers it has; the record says what Oro was given.
pub fn needs_sync(rec: Option<&ShipmentRecord>, row: &SaleSummary) -> bool {
    let shipped = match progress::progress(row.shipping_status.as_deref(), &row.status) {
        Some(p @ (Progress::Partial | Progress::Full)) => p,
        _ => return false,
    };
    let Some(rec) = rec else {
        return true;
    };
    rec.oro_status.as_deref() != Some(shipped.oro_code())
        || progress::lists_unknown_number(row.tracking_numbers.as_deref(), &rec.tracking_numbers)
}

/// The Oro order a sale belongs to: its `ExternalID`, when Concord knows that order (a sale made
/// in Cin7 by hand may carry anything there).
async fn order_of(ctx: &Context, external_id: Option<&str>) -> Result<Option<i64>, FlowError> {
    let Some(order_id) = external_id.and_then(|e| e.trim().parse::<i64>().ok()) else {
        return Ok(None);
    };
    let known = record::exists(&ctx.store, order_id).await?;
    Ok(known.then_some(order_id))
}

/// The `shipment.sync` job. The id a webhook names is read as a sale first (one call: a simple
/// sale's task id is its sale id); when Cin7 knows no sale by it, it was a fulfilment task of an
/// advanced sale, and the order number finds the sale (one search, and a read only if the sale's
/// row shows something Oro lacks). No lookup over every order Concord ever saw.
pub async fn sync_prompt(ctx: &Context, prompt: &ShipmentPrompt) -> Result<(), FlowError> {
    match ctx
        .cin7
        .sale_shipments(&prompt.id, Priority::Orders, None)
        .await
    {
        Ok(sale) => match order_of(ctx, sale.external_id.as_deref()).await? {
            Some(order_id) => apply(ctx, order_id, &sale).await,
            None => Ok(()),
        },
        Err(Cin7Error::Permanent { .. }) if !prompt.names_sale => {
            by_order_number(ctx, prompt).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn by_order_number(ctx: &Context, prompt: &ShipmentPrompt) -> Result<(), FlowError> {
    let Some(number) = &prompt.order_number else {
        tracing::info!(id = %prompt.id, "A Cin7 shipment webhook names no sale and no order number.");
        return Ok(());
    };
    let Some(row) = ctx
        .cin7
        .sale_by_order_number(number, Priority::Orders)
        .await?
    else {
        tracing::info!(%number, "A Cin7 shipment webhook names an order number no sale has.");
        return Ok(());
    };
    let Some(order_id) = order_of(ctx, row.external_id.as_deref()).await? else {
        return Ok(());
    };
    if needs_sync(load(&ctx.store, order_id).await?.as_ref(), &row) {
        let subject = format!("order:{order_id}");
        let sale = ctx
            .cin7
            .sale_shipments(&row.id, Priority::Orders, Some(&subject))
            .await?;
        apply(ctx, order_id, &sale).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, combined: &str, tracking: Option<&str>) -> SaleSummary {
        SaleSummary {
            id: "s".into(),
            external_id: Some("7".into()),
            status: status.into(),
            order_status: Some("AUTHORISED".into()),
            customer: None,
            shipping_status: Some(combined.into()),
            tracking_numbers: tracking.map(str::to_owned),
            paid: None,
        }
    }

    #[test]
    fn a_sale_is_read_only_when_its_row_shows_what_oro_lacks() {
        let written = ShipmentRecord {
            order_id: 7,
            sale_id: "s".into(),
            oro_status: Some("partially_shipped".into()),
            tracking_numbers: vec!["RM-1".into()],
            fully_shipped_at_s: None,
        };
        let cases = [
            (None, row("ORDERED", "NOT SHIPPED", None), false),
            (None, row("SHIPPING", "PARTIALLY SHIPPED", None), true),
            (
                Some(&written),
                row("SHIPPING", "PARTIALLY SHIPPED", Some("RM-1")),
                false,
            ),
            (
                Some(&written),
                row("SHIPPING", "PARTIALLY SHIPPED", Some("RM-1, RM-2")),
                true,
            ),
            (
                Some(&written),
                row("INVOICING", "SHIPPED", Some("RM-1")),
                true,
            ),
            (Some(&written), row("VOIDED", "VOIDED", None), false),
        ];
        for (rec, r, expected) in cases {
            assert_eq!(needs_sync(rec, &r), expected, "{r:?}");
        }
    }
}
