//! The `order.sync` job: brings one Oro order's Cin7 sale to where it should be. Idempotent: it
//! reads the order afresh, compares with the stored record, and does only the missing steps.

use super::cause_keys::{cause_detail, KeyContext};
use super::mapping::{financial_entity, is_awaiting_approval, map_unit, target_stage, MappedUnit};
use super::record::{self, OrderRecord, OrderState};
use super::release;
use super::sale_build;
use super::submit;
use super::tax_check;
use super::validate::{validate, Finding};
use crate::domain::{ErpCustomer, OroOrder};
use crate::sync::context::{Context, FlowError};
use crate::sync::{customers, exceptions};
use concord_core::catalogue::{ExceptionKind, Rule};

/// Runs under the order's in-process lock and its store lease, so neither another job here nor
/// another process sharing the database can work on the same order at the same time.
pub async fn sync_order(ctx: &Context, order_id: i64) -> Result<(), FlowError> {
    let lock = ctx.order_lock(order_id).await;
    let _guard = lock.lock().await;
    let lease = format!("order:{order_id}");
    // Twice a job's lease: a submission waiting its turn for budget must not lose the order.
    let ttl = 2 * crate::engine::lease(&ctx.clock);
    if !ctx.store.lease_acquire(&lease, &ctx.instance, ttl).await? {
        return Err(FlowError::Busy(format!(
            "order {order_id} is being synced by another Concord process"
        )));
    }
    let result = sync_order_leased(ctx, order_id).await;
    if let Err(e) = ctx.store.lease_release(&lease, &ctx.instance).await {
        // Harmless: the lease expires on its own.
        tracing::warn!(error = %e, order_id, "Could not release an order's lease.");
    }
    result
}

async fn sync_order_leased(ctx: &Context, order_id: i64) -> Result<(), FlowError> {
    let order = match ctx.oro.order(order_id).await {
        // A record Concord cannot read (a missing field, amounts that overflow) waits for a
        // person as invalid_payload; retrying would only read the same record again.
        Err(crate::connectors::oro::OroError::Decode(why)) => {
            let subject = format!("order:{order_id}");
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::InvalidPayload,
                &subject,
                "order",
                why,
            )
            .await?;
            return Ok(());
        }
        other => other?,
    };
    let mut rec = record::load(&ctx.store, order_id)
        .await?
        .unwrap_or_else(|| OrderRecord::new(order_id, ctx.clock.elapsed_s()));
    rec.awaiting_approval =
        is_awaiting_approval(order.internal_status.as_deref(), order.status.as_deref());
    if matches!(
        rec.state,
        OrderState::Preexisting
            | OrderState::Voided
            | OrderState::Cancelled
            | OrderState::CancelledAfterShipment
    ) {
        return Ok(());
    }
    if order.internal_status.as_deref() == Some("cancelled") {
        return submit::cancel(ctx, &mut rec).await;
    }
    if rec.sale_id.is_some() || rec.state == OrderState::Submitting {
        // A sale exists (or may): never re-validate into a second one, only move it forward.
        return advance_existing(ctx, &order, &mut rec).await;
    }
    let Some(plan) = plan(ctx, &order, &mut rec).await? else {
        return Ok(());
    };
    submit::submit(
        ctx,
        &order,
        &mut rec,
        &plan.customer,
        plan.stage,
        plan.mapped,
    )
    .await
}

struct Plan {
    customer: ErpCustomer,
    stage: crate::domain::OrderStage,
    mapped: Vec<MappedUnit>,
}

/// Validates and resolves the customer; `None` when the order is held (exceptions raised, record saved).
async fn plan(
    ctx: &Context,
    order: &OroOrder,
    rec: &mut OrderRecord,
) -> Result<Option<Plan>, FlowError> {
    ctx.oro_reference_for(order).await?;
    let mapped = map_lines(ctx, order).await?;
    rec.base_units = units_taken(order, &mapped);
    let mut findings = findings_with_fresh_prices(ctx, order, &mapped, !rec.prices_checked).await?;
    rec.prices_checked = true;
    let mut entity = billed_entity(ctx, order).await;
    if entity.is_none() && !knows_oro_customer(ctx, order.customer_id).await {
        // An account opened in Oro after this process read its customers: read them again
        // (Oro has no rate limit) rather than hold its first order as unmapped.
        ctx.refresh_oro_customers().await?;
        entity = billed_entity(ctx, order).await;
    }
    if !ctx.rules.tax_rule_map.is_empty() {
        // The map needs no Cin7 customer: checked before anything may be created for the order.
        findings.extend(tax_check::findings(ctx, order, None).await?);
    }
    findings.extend(sale_build::discount_findings(&ctx.rules, order));
    if entity.is_none() {
        findings.push(Finding { kind: ExceptionKind::CustomerUnmapped, detail_key: "entity".into(), message: format!("Oro customer {} has no resolvable financial entity (unknown or a cyclic hierarchy).", order.customer_id) });
    }
    let mut customer = None;
    if !has_hold(ctx, &findings) {
        if let Some(entity) = entity {
            let c = customers::ensure_customer(ctx, entity).await?;
            if c.currency != order.currency {
                findings.push(Finding {
                    kind: ExceptionKind::CurrencyMismatch,
                    detail_key: "currency".into(),
                    message: format!(
                        "The order is in {} but the Cin7 customer {:?} trades in {}.",
                        order.currency, c.name, c.currency
                    ),
                });
            }
            if ctx.rules.tax_rule_map.is_empty() {
                findings.extend(tax_check::findings(ctx, order, Some(&c)).await?);
            }
            customer = Some(c);
        }
    }
    key_by_cause(ctx, order, &mut findings).await;
    let subject = format!("order:{}", order.id);
    for f in &findings {
        exceptions::raise(
            &ctx.store,
            &ctx.rules,
            f.kind,
            &subject,
            &f.detail_key,
            f.message.clone(),
        )
        .await?;
    }
    let holds: Vec<String> = findings
        .iter()
        .filter(|f| ctx.rules.rule_for(f.kind) == Rule::Hold)
        .map(|f| f.kind.as_str().to_owned())
        .collect();
    release::resolve_fixed(ctx, &subject, &findings, &rec.held_for, &holds).await?;
    rec.held_for = holds;
    rec.total = Some(order.total);
    rec.currency = Some(order.currency.clone());
    rec.oro_customer = Some(order.customer_id);
    match (customer, rec.held_for.is_empty()) {
        (Some(customer), true) => {
            let stage = target_stage(rec.awaiting_approval, customer.on_credit_hold);
            let mapped = mapped.into_iter().filter_map(Result::ok).collect();
            Ok(Some(Plan {
                customer,
                stage,
                mapped,
            }))
        }
        _ => {
            rec.state = OrderState::Held;
            record::save(&ctx.store, rec).await?;
            Ok(None)
        }
    }
}

fn has_hold(ctx: &Context, findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| ctx.rules.rule_for(f.kind) == Rule::Hold)
}

/// Each finding's detail becomes its root-cause key (spec 4.6), so the exception carries it.
async fn key_by_cause(ctx: &Context, order: &OroOrder, findings: &mut [Finding]) {
    let key_ctx = KeyContext {
        customer_id: order.customer_id,
        price_list: ctx
            .cache
            .read()
            .await
            .assignments
            .get(&order.customer_id)
            .copied(),
    };
    for f in findings {
        f.detail_key = cause_detail(f.kind, &f.detail_key, key_ctx);
    }
}

/// Base SKU → base units the order takes, for the lines that map to Cin7.
pub(crate) async fn base_units(
    ctx: &Context,
    order: &OroOrder,
) -> Result<Vec<(String, rust_decimal::Decimal)>, FlowError> {
    Ok(units_taken(order, &map_lines(ctx, order).await?))
}

fn units_taken(
    order: &OroOrder,
    mapped: &[Result<MappedUnit, ExceptionKind>],
) -> Vec<(String, rust_decimal::Decimal)> {
    order
        .lines
        .iter()
        .zip(mapped)
        .filter_map(|(l, m)| {
            m.as_ref()
                .ok()
                .map(|m| (l.sku.clone(), l.quantity * m.base_units))
        })
        .collect()
}

async fn map_lines(
    ctx: &Context,
    order: &OroOrder,
) -> Result<Vec<Result<MappedUnit, ExceptionKind>>, FlowError> {
    // Oro's units are needed to map; a fresh process (after a crash) has not read them yet.
    ctx.oro_reference_for(order).await?;
    let catalogue = ctx.catalogue().await?;
    let cache = ctx.cache.read().await;
    Ok(order
        .lines
        .iter()
        .map(|l| {
            let units = cache
                .oro_products
                .get(&l.sku)
                .map(|p| p.units.clone())
                .unwrap_or_default();
            map_unit(
                &catalogue,
                &l.sku,
                &l.unit,
                &units,
                &ctx.rules.unit_overrides,
            )
        })
        .collect())
}

/// A price mismatch against a cached list is re-checked against Oro's current prices of the
/// order's products before it is reported: a price change may simply not have reached the cache.
async fn findings_with_fresh_prices(
    ctx: &Context,
    order: &OroOrder,
    mapped: &[Result<MappedUnit, ExceptionKind>],
    check_prices: bool,
) -> Result<Vec<Finding>, FlowError> {
    let run = |cache: &crate::sync::context::Caches| {
        let table = cache
            .assignments
            .get(&order.customer_id)
            .and_then(|l| cache.prices.get(l))
            .map(|t| &**t)
            .filter(|_| check_prices);
        validate(order, mapped, table)
    };
    let findings = run(&*ctx.cache.read().await);
    if findings
        .iter()
        .any(|f| f.kind == ExceptionKind::PriceMismatch)
    {
        ctx.read_order_prices(order, true).await?;
        return Ok(run(&*ctx.cache.read().await));
    }
    Ok(findings)
}

/// The order already has (or may have) a sale: finish a partial submission, or authorise a draft
/// once the approval arrives or the credit hold is lifted.
async fn advance_existing(
    ctx: &Context,
    order: &OroOrder,
    rec: &mut OrderRecord,
) -> Result<(), FlowError> {
    let customer = match &rec.customer_id {
        Some(id) => customers::by_id(ctx, id).await?,
        None => {
            return Err(FlowError::Data(format!(
                "order {} has a sale but no customer on record",
                order.id
            )))
        }
    };
    let stage = target_stage(rec.awaiting_approval, customer.on_credit_hold);
    let mapped: Result<Vec<MappedUnit>, ExceptionKind> =
        map_lines(ctx, order).await?.into_iter().collect();
    let mapped = mapped.map_err(|kind| {
        FlowError::Data(format!(
            "order {} has a sale but a line no longer maps to Cin7 ({kind})",
            order.id
        ))
    })?;
    submit::submit(ctx, order, rec, &customer, stage, mapped).await
}

/// The financial entity the order is billed to, from the Oro customers this process holds.
async fn billed_entity(ctx: &Context, order: &OroOrder) -> Option<i64> {
    let cache = ctx.cache.read().await;
    let parents = cache
        .oro_customers
        .values()
        .map(|c| (c.id, c.parent))
        .collect();
    financial_entity(order.customer_id, &parents, ctx.rules.financial_entity)
}

async fn knows_oro_customer(ctx: &Context, customer_id: i64) -> bool {
    ctx.cache
        .read()
        .await
        .oro_customers
        .contains_key(&customer_id)
}
