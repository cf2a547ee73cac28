//! The `reconcile` job: Oro orders against Cin7 sales (missing either side, duplicates, totals,
//! status), shipping status back to Oro, and hierarchy drift.

use super::window::{self, Window};
use super::{Discrepancy, ReconcileReport};
use crate::connectors::budget::Priority;
use crate::connectors::cin7::SaleListFilter;
use crate::domain::{OroOrder, SaleSummary};
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::mapping::financial_entity;
use crate::sync::orders::record::{self, OrderRecord, OrderState};
use crate::sync::orders::submit::is_shipped;
use crate::sync::shipments::{self, progress::Progress};
use concord_core::catalogue::ExceptionKind;
use concord_core::domain::round_money;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

pub async fn run(ctx: &Context) -> Result<ReconcileReport, FlowError> {
    // Orders and sales changed since the last pass (with an hour's overlap; everything on the
    // first pass and once a day), so a busy week costs an hour's pages rather than a week's.
    let window = Window::current(ctx).await?;
    // Free Oro reads first: if they fail, the retry has not already spent Cin7 budget.
    let mut found = Vec::new();
    check_hierarchy(ctx, &mut found).await?;
    let mut orders: HashMap<i64, OroOrder> = ctx
        .oro
        .orders_since(window.oro_since().as_deref())
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let overdue: Vec<i64> = window::overdue_unsynced(ctx, ctx.rules.order_sla_s)
        .await?
        .iter()
        .map(|r| r.order_id)
        .collect();
    let listed_at_s = ctx.clock.elapsed_s();
    let sales = ctx
        .cin7
        .sale_list(
            &SaleListFilter {
                updated_since: window.cin7_since,
                ..Default::default()
            },
            Priority::Bulk,
        )
        .await?;
    let outside = window::orders_outside(&orders, &sales, &overdue);
    window::read_orders(ctx, &outside, &mut orders).await?;
    let records = window::records_of(ctx, &orders).await?;
    check_sales(ctx, &sales, &orders, &records, &mut found).await?;
    super::payments::check(ctx, &sales, listed_at_s, &mut found).await?;
    check_orders(ctx, &orders, &records, &mut found);
    drop_synced_since_read(ctx, &mut found).await?;
    for d in &found {
        if let Some(kind) = ExceptionKind::parse(&d.kind) {
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                kind,
                &d.subject,
                "reconcile",
                d.detail.clone(),
            )
            .await?;
        }
    }
    let report = summarise(ctx, &orders, &records, sales.len(), found);
    ctx.store
        .record_put(
            "report",
            "latest",
            "ok",
            &serde_json::to_value(&report).unwrap_or_default(),
        )
        .await?;
    window.done(ctx, &report.at).await?;
    Ok(report)
}

async fn check_sales(
    ctx: &Context,
    sales: &[SaleSummary],
    orders: &HashMap<i64, OroOrder>,
    records: &HashMap<i64, OrderRecord>,
    found: &mut Vec<Discrepancy>,
) -> Result<(), FlowError> {
    let mut by_order: HashMap<String, Vec<&SaleSummary>> = HashMap::new();
    for sale in sales.iter().filter(|s| s.status != "VOIDED") {
        let Some(ext) = sale.external_id.clone() else {
            continue;
        };
        by_order.entry(ext).or_default().push(sale);
    }
    for (ext, group) in &by_order {
        let order = ext.parse::<i64>().ok().and_then(|id| orders.get(&id));
        let Some(order) = order else {
            found.push(Discrepancy {
                kind: "sale_without_order".into(),
                subject: format!("sale:{ext}"),
                detail: format!(
                    "Cin7 sale {} carries ExternalID {ext}, which matches no Oro order.",
                    group[0].id
                ),
            });
            continue;
        };
        if group.len() > 1 {
            found.push(Discrepancy {
                kind: "order_status_mismatch".into(),
                subject: format!("order:{ext}"),
                detail: format!("{} Cin7 sales carry this Oro order's id.", group.len()),
            });
        }
        let rec = records.get(&order.id);
        if rec.is_some_and(|r| r.state == OrderState::Preexisting) {
            compare_preexisting(ctx, order, group[0], found).await?;
        }
        status_and_shipping(ctx, order, group[0], rec, found).await?;
    }
    Ok(())
}

/// A sale made before Concord: its totals are read once and compared with the Oro order.
async fn compare_preexisting(
    ctx: &Context,
    order: &OroOrder,
    sale: &SaleSummary,
    found: &mut Vec<Discrepancy>,
) -> Result<(), FlowError> {
    let key = format!("preexisting:{}", order.id);
    let total = match ctx.store.record_get("recon_sale_total", &key).await? {
        Some(r) => r
            .data
            .as_str()
            .and_then(concord_core::decimal::parse)
            .unwrap_or_default(),
        None => {
            let detail = ctx
                .cin7
                .sale(
                    &sale.id,
                    Priority::Bulk,
                    Some(&format!("order:{}", order.id)),
                )
                .await?;
            ctx.store
                .record_put(
                    "recon_sale_total",
                    &key,
                    "read",
                    &serde_json::json!(detail.total.to_string()),
                )
                .await?;
            detail.total
        }
    };
    if round_money(total) != round_money(order.total) {
        found.push(Discrepancy {
            kind: "order_total_mismatch".into(),
            subject: format!("order:{}", order.id),
            detail: format!(
                "The existing Cin7 sale {} totals {}, the Oro order {} totals {}.",
                sale.id,
                round_money(total),
                order.identifier,
                round_money(order.total)
            ),
        });
    }
    Ok(())
}

async fn status_and_shipping(
    ctx: &Context,
    order: &OroOrder,
    sale: &SaleSummary,
    rec: Option<&OrderRecord>,
    found: &mut Vec<Discrepancy>,
) -> Result<(), FlowError> {
    let cancelled = order.internal_status.as_deref() == Some("cancelled");
    let shipped =
        is_shipped(&sale.status) || sale.shipping_status.as_deref().is_some_and(is_shipped);
    if cancelled && !shipped && rec.is_none_or(|r| r.state != OrderState::CancelledAfterShipment) {
        found.push(Discrepancy {
            kind: "order_status_mismatch".into(),
            subject: format!("order:{}", order.id),
            detail: format!(
                "Cancelled in Oro but Cin7 sale {} is {}.",
                sale.id, sale.status
            ),
        });
    }
    ship_back(ctx, order, sale).await;
    Ok(())
}

/// Shipments back to Oro when no webhook told Concord (reading the sale only when its row shows
/// something Oro lacks), and the repair of an Oro order marked shipped although its sale has
/// shipped nothing. Not worth failing the reconciliation for: the next run retries it.
async fn ship_back(ctx: &Context, order: &OroOrder, sale: &SaleSummary) {
    let progress = shipments::progress::progress(sale.shipping_status.as_deref(), &sale.status);
    let marked = matches!(
        order.shipping_status.as_deref(),
        Some("shipped" | "partially_shipped")
    );
    let result = match progress {
        Some(Progress::NotShipped) if marked => ctx
            .oro
            .set_shipping_status(order.id, Progress::NotShipped.oro_code())
            .await
            .map_err(FlowError::from),
        Some(p @ (Progress::Partial | Progress::Full)) => {
            let rec = shipments::load(&ctx.store, order.id).await;
            let written = rec.as_ref().ok().and_then(|r| r.as_ref());
            if shipments::needs_sync(written, sale) {
                shipments_from_cin7(ctx, order.id, &sale.id).await
            } else if order.shipping_status.as_deref() != Some(p.oro_code()) {
                // Changed in Oro since Concord wrote it: Cin7 is the master of fulfilment.
                ctx.oro
                    .set_shipping_status(order.id, p.oro_code())
                    .await
                    .map_err(FlowError::from)
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(order_id = order.id, error = %e, "Could not write the shipment back to Oro.");
    }
}

async fn shipments_from_cin7(ctx: &Context, order_id: i64, sale_id: &str) -> Result<(), FlowError> {
    let subject = format!("order:{order_id}");
    let detail = ctx
        .cin7
        .sale_shipments(sale_id, Priority::Bulk, Some(&subject))
        .await?;
    shipments::apply(ctx, order_id, &detail).await
}

fn check_orders(
    ctx: &Context,
    orders: &HashMap<i64, OroOrder>,
    records: &HashMap<i64, OrderRecord>,
    found: &mut Vec<Discrepancy>,
) {
    let now = ctx.clock.elapsed_s();
    for order in orders.values() {
        let rec = records.get(&order.id);
        let settled = rec.is_some_and(settled);
        let cancelled = order.internal_status.as_deref() == Some("cancelled");
        let overdue = rec.is_none_or(|r| now - r.first_seen_s > ctx.rules.order_sla_s);
        if !settled && !cancelled && overdue {
            found.push(Discrepancy {
                kind: "order_missing_in_cin7".into(),
                subject: format!("order:{}", order.id),
                detail: format!(
                    "Oro order {} has no Cin7 sale after its SLA of {:.0} s.",
                    order.identifier, ctx.rules.order_sla_s
                ),
            });
        }
        if rec.is_some_and(|r| r.state == OrderState::Voided) && !cancelled {
            found.push(Discrepancy {
                kind: "order_status_mismatch".into(),
                subject: format!("order:{}", order.id),
                detail: "The Cin7 sale is voided but the Oro order is open.".into(),
            });
        }
    }
}

/// Whether Concord is done with an order as far as Cin7 is concerned: it has a sale, or waits on
/// a person, or needs none.
fn settled(rec: &OrderRecord) -> bool {
    rec.sale_id.is_some()
        || matches!(
            rec.state,
            OrderState::Held | OrderState::Cancelled | OrderState::Preexisting
        )
}

/// Drops the "missing in Cin7" findings for orders whose record has settled since the pass read
/// it. A pass can take minutes (its Cin7 list waits for budget), and meanwhile a worker here or
/// in another process syncs the order and resolves the exception: raised after that, from the
/// old copy, it would stay open for an order that is fine.
async fn drop_synced_since_read(
    ctx: &Context,
    found: &mut Vec<Discrepancy>,
) -> Result<(), FlowError> {
    let mut kept = Vec::with_capacity(found.len());
    for d in found.drain(..) {
        let order_id = d
            .subject
            .strip_prefix("order:")
            .and_then(|id| id.parse::<i64>().ok());
        if let (Some(id), "order_missing_in_cin7") = (order_id, d.kind.as_str()) {
            if record::load_or_skip(&ctx.store, id)
                .await?
                .is_some_and(|r| settled(&r))
            {
                continue;
            }
        }
        kept.push(d);
    }
    *found = kept;
    Ok(())
}

/// Each Oro customer's financial entity, compared with the one recorded at the last run.
async fn check_hierarchy(ctx: &Context, found: &mut Vec<Discrepancy>) -> Result<(), FlowError> {
    ctx.refresh_oro_customers().await?;
    let parents: HashMap<i64, Option<i64>> = ctx
        .cache
        .read()
        .await
        .oro_customers
        .values()
        .map(|c| (c.id, c.parent))
        .collect();
    // One read of every recorded entity, and a write only where one moved: a read and a write
    // per customer on every pass was a tenth of the store's statements on a busy day.
    let recorded: HashMap<String, String> = ctx
        .store
        .records("entity", None)
        .await?
        .into_iter()
        .map(|r| (r.key, r.status))
        .collect();
    let now: Vec<(i64, String)> = parents
        .keys()
        .map(|id| {
            let entity = financial_entity(*id, &parents, ctx.rules.financial_entity)
                .map(|e| e.to_string())
                .unwrap_or_default();
            (*id, entity)
        })
        .collect();
    let (drifts, moved) = entity_changes(&now, &recorded);
    found.extend(drifts);
    for (key, entity) in moved {
        ctx.store
            .record_put("entity", &key, &entity, &serde_json::Value::Null)
            .await?;
    }
    Ok(())
}

/// Compares each customer's entity now with the one recorded: a drift for each that changed,
/// and the records to write (changed or new).
fn entity_changes(
    now: &[(i64, String)],
    recorded: &HashMap<String, String>,
) -> (Vec<Discrepancy>, Vec<(String, String)>) {
    let (mut drifts, mut moved) = (Vec::new(), Vec::new());
    for (id, entity) in now {
        let key = id.to_string();
        match recorded.get(&key) {
            Some(prev) if prev == entity => continue,
            Some(prev) => drifts.push(Discrepancy {
                kind: "hierarchy_drift".into(),
                subject: format!("customer:{id}"),
                detail: format!(
                    "Oro customer {id} is now billed to entity {entity}, previously {prev}."
                ),
            }),
            None => {}
        }
        moved.push((key, entity.clone()));
    }
    (drifts, moved)
}

fn summarise(
    ctx: &Context,
    orders: &HashMap<i64, OroOrder>,
    records: &HashMap<i64, OrderRecord>,
    sales_checked: usize,
    found: Vec<Discrepancy>,
) -> ReconcileReport {
    let mut totals: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for order in orders.values() {
        let rec = records.get(&order.id);
        *by_status
            .entry(rec.map_or("unseen", |r| r.state.as_str()).to_owned())
            .or_default() += 1;
        let entry = totals.entry(order.currency.clone()).or_default();
        if rec.is_some_and(|r| matches!(r.state, OrderState::Authorised | OrderState::Draft)) {
            entry.0 += order.total;
            let sent = rec.and_then(|r| r.sale_order.as_ref()).map(|s| {
                s.lines.iter().map(|l| l.total + l.tax).sum::<Decimal>()
                    + s.charges.iter().map(|c| c.total + c.tax).sum::<Decimal>()
            });
            entry.1 += sent.unwrap_or_default();
        }
    }
    ReconcileReport {
        at: ctx.clock.now().to_rfc3339(),
        orders_checked: orders.len(),
        sales_checked,
        discrepancies: found,
        totals: totals
            .into_iter()
            .map(|(c, (o, s))| {
                (
                    c,
                    BTreeMap::from([
                        ("oro".to_owned(), round_money(o).to_string()),
                        ("cin7".to_owned(), round_money(s).to_string()),
                    ]),
                )
            })
            .collect(),
        orders_by_status: by_status,
    }
}

#[cfg(test)]
#[path = "orders_tests.rs"]
mod tests;
