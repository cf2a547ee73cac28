//! Writing Oro levels from kept availability rows, for every SKU (a full sync) or for the base SKUs
//! a webhook changed. Oro is read only where needed: the products whose wanted level differs from
//! what the level book says Oro holds, and every level only now and then, for `stock_drift`.

use super::formula;
use super::sync::remember_written;
use crate::domain::{InventoryLevel, StockRow};
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::record;
use concord_core::catalogue::ExceptionKind;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// How often a full sync reads every Oro level: a level raised by hand in Oro (`stock_drift`)
/// shows within this time. Everything Concord or a checkout changes is found without it.
pub const FULL_READ_EVERY_S: f64 = 3.0 * 3600.0;
/// Product ids per filtered level read: keeps the query string well under URL limits.
const IDS_PER_READ: usize = 100;

/// The products a write covers: every one, or those of these base SKUs.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    All,
    Skus(&'a HashSet<String>),
}

/// What the formula wants, from the kept products, computed without copying them.
struct Plan {
    wanted: HashMap<(String, String), Decimal>,
    /// Oro product id → SKU, for the products in scope.
    sku_of: HashMap<String, String>,
    /// Products whose inventory status must flip: (id, sku, status).
    flips: Vec<(String, String, &'static str)>,
    /// Products whose level Oro must be read for, by the level book.
    to_read: Vec<String>,
}

pub(crate) async fn write_levels(
    ctx: &Context,
    snapshot_s: f64,
    rows: &[StockRow],
    may_raise: bool,
    scope: Scope<'_>,
) -> Result<Vec<i64>, FlowError> {
    ctx.ensure_oro_loaded().await?;
    let catalogue = ctx.catalogue().await?;
    let (in_flight, read_orders) = in_flight(ctx, snapshot_s, scope).await?;
    let available =
        formula::available_by_base_sku(rows, ctx.rules.locations.as_deref(), &catalogue);
    let now_s = ctx.clock.elapsed_s();
    let full_read = matches!(scope, Scope::All)
        && lock_book(ctx)
            .full_read_s
            .is_none_or(|at| now_s - at >= FULL_READ_EVERY_S);
    let plan = {
        let cache = ctx.cache.read().await;
        let products: Vec<_> = match scope {
            Scope::All => cache.oro_products.values().collect(),
            Scope::Skus(skus) => skus
                .iter()
                .filter_map(|s| cache.oro_products.get(s))
                .collect(),
        };
        let wanted = formula::levels(
            products.iter().copied(),
            &available,
            &ctx.rules.stock_buffers,
            &in_flight,
            &catalogue,
        );
        plan(ctx, &products, wanted, may_raise)
    };
    let (levels, written) = if full_read {
        let levels = ctx.oro.inventory_levels().await?;
        (levels, Some(super::sync::last_written(ctx).await?))
    } else {
        (read_levels_for(ctx, &plan.to_read).await?, None)
    };
    let changes = compare(ctx, &plan, &levels, written.as_ref(), may_raise).await?;
    if full_read {
        lock_book(ctx).full_read_s = Some(now_s);
    }
    if !changes.is_empty() {
        ctx.oro.update_levels(&changes).await?;
        remember_written(ctx, &changes).await?;
        metrics::counter!("concord_stock_levels_written_total").increment(changes.len() as u64);
    }
    for (id, sku, status) in &plan.flips {
        ctx.oro.set_inventory_status(id, status).await?;
        ctx.remember_inventory_status(sku, status).await;
    }
    let summary = serde_json::json!({
        "snapshot_s": snapshot_s, "changed": changes.len(), "skus": plan.wanted.len(),
        "levels_read": levels.len(), "full_read": full_read, "in_flight": in_flight,
    });
    ctx.store
        .record_put("stock", "latest", "ok", &summary)
        .await?;
    tracing::info!(
        changed = changes.len(),
        levels_read = levels.len(),
        full_read,
        "Stock levels synced to Oro."
    );
    Ok(read_orders)
}

fn lock_book(ctx: &Context) -> std::sync::MutexGuard<'_, super::book::LevelBook> {
    // The book is a cache: a poisoned one is still a valid cache.
    ctx.stock_levels
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn plan(
    ctx: &Context,
    products: &[&crate::domain::OroProduct],
    wanted: HashMap<(String, String), Decimal>,
    may_raise: bool,
) -> Plan {
    let book = lock_book(ctx);
    let mut sku_of = HashMap::with_capacity(products.len());
    let mut flips = Vec::new();
    let mut to_read = Vec::new();
    for p in products {
        sku_of.insert(p.id.clone(), p.sku.clone());
        let want = |unit: &str| wanted.get(&(p.sku.clone(), unit.to_owned())).copied();
        if p.units
            .iter()
            .any(|u| want(&u.unit).is_some_and(|w| book.needs_read(&p.id, &u.unit, w)))
        {
            to_read.push(p.id.clone());
        }
        let Some(level) = p.units.first().and_then(|u| want(&u.unit)) else {
            continue;
        };
        let status = if level > Decimal::ZERO {
            "in_stock"
        } else {
            "out_of_stock"
        };
        // A restock sets in_stock again (Oro never does); zero sets out_of_stock.
        if p.inventory_status.as_deref() != Some(status) && (may_raise || status == "out_of_stock")
        {
            flips.push((p.id.clone(), p.sku.clone(), status));
        }
    }
    Plan {
        wanted,
        sku_of,
        flips,
        to_read,
    }
}

/// Levels of these products only, a bounded number of ids per request.
async fn read_levels_for(ctx: &Context, ids: &[String]) -> Result<Vec<InventoryLevel>, FlowError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_READ) {
        out.extend(ctx.oro.inventory_levels_for(chunk).await?);
    }
    Ok(out)
}

/// The writes that bring the read levels to what is wanted; raises `stock_drift` on the way.
/// `written`: what Concord last wrote, from the store (a full read); otherwise from the book.
async fn compare(
    ctx: &Context,
    plan: &Plan,
    levels: &[InventoryLevel],
    written: Option<&HashMap<String, Decimal>>,
    may_raise: bool,
) -> Result<Vec<(String, Decimal)>, FlowError> {
    let mut drifted = Vec::new();
    let mut changes = Vec::new();
    {
        let mut book = lock_book(ctx);
        for level in levels {
            book.saw(level);
            if let Some(w) = written.and_then(|w| w.get(&level.id)) {
                book.wrote(&level.id, *w);
                book.saw(level);
            }
            let Some(sku) = plan.sku_of.get(&level.product_id) else {
                continue;
            };
            let Some(want) = plan.wanted.get(&(sku.clone(), level.unit.clone())) else {
                continue;
            };
            let before = match written {
                Some(w) => w.get(&level.id).copied(),
                None => book.written(&level.id),
            };
            if let Some(before) = before.filter(|before| level.quantity > *before) {
                drifted.push((sku.clone(), level.clone(), before, *want));
            }
            if *want != level.quantity && (may_raise || *want < level.quantity) {
                changes.push((level.id.clone(), *want));
            }
        }
    }
    for (sku, level, before, want) in drifted {
        // Oro only ever lowers a level itself (checkouts); a rise Concord did not write is drift.
        let explanation = format!("Oro shows {} {} of {sku}, but Concord last wrote {before} and only checkouts lower it since: the level was changed in Oro. Concord writes {want} again.", level.quantity, level.unit);
        exceptions::raise(
            &ctx.store,
            &ctx.rules,
            ExceptionKind::StockDrift,
            &format!("sku:{sku}"),
            &level.unit,
            explanation,
        )
        .await?;
    }
    Ok(changes)
}

/// Base units of orders Oro accepted that Cin7 had not allocated when the rows were read, by base
/// SKU (those in scope), and the orders read (a full write from these figures covers them all).
async fn in_flight(
    ctx: &Context,
    snapshot_s: f64,
    scope: Scope<'_>,
) -> Result<(HashMap<String, Decimal>, Vec<i64>), FlowError> {
    let mut out: HashMap<String, Decimal> = HashMap::new();
    let candidates = record::in_flight_candidates(&ctx.store).await?;
    let in_scope = |sku: &str| match scope {
        Scope::All => true,
        Scope::Skus(skus) => skus.contains(sku),
    };
    let ids = match scope {
        Scope::All => candidates.iter().map(|r| r.order_id).collect(),
        // A partial write does not cover an order's other SKUs.
        Scope::Skus(_) => Vec::new(),
    };
    for rec in candidates {
        if rec.in_flight_at(snapshot_s) {
            for (sku, units) in rec.base_units.iter().filter(|(s, _)| in_scope(s)) {
                *out.entry(sku.clone()).or_default() += *units;
            }
        }
    }
    Ok((out, ids))
}
