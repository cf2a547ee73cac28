//! The `prices.sync` job: compare the mapped lists with their tiers and push the drifted products
//! with `PUT /product`, one call per product, at the lowest budget priority. Only the SKUs whose
//! Oro prices changed are compared (every product after the Cin7 catalogue is re-read), so a quiet
//! run costs nothing. Progress is kept in the store (each pushed product is recorded), so a
//! restart continues where it stopped.

use super::freshness::PriceChanges;
use super::mapping::drifted_tiers;
use crate::connectors::budget::Priority;
use crate::domain::OroProduct;
use crate::domain::PriceTable;
use crate::sync::catalogue::Catalogue;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use concord_core::catalogue::ExceptionKind;
use serde_json::json;
use std::sync::Arc;

/// Pushes drift (or, with `dry_run`, only reports it). Returns (products drifted, products pushed).
pub async fn sync(ctx: &Context, dry_run: bool) -> Result<(usize, usize), FlowError> {
    sync_with_progress(ctx, dry_run, &indicatif::ProgressBar::hidden()).await
}

/// As [`sync`], advancing `progress` by one per product pushed (the CLI shows it as a bar).
pub async fn sync_with_progress(
    ctx: &Context,
    dry_run: bool,
    progress: &indicatif::ProgressBar,
) -> Result<(usize, usize), FlowError> {
    ctx.refresh_oro().await?;
    let catalogue = ctx
        .catalogue_no_older_than(ctx.schedule.catalogue_refresh_s, Priority::Bulk)
        .await?;
    let Some(scope) = take_scope(ctx).await else {
        return Ok((0, 0));
    };
    let result = push_scope(ctx, dry_run, progress, &catalogue, &scope).await;
    if result.is_err() {
        // Not compared after all: the next run compares these again.
        let mut cache = ctx.cache.write().await;
        if scope.all {
            cache.prices_compared_catalogue_at_s = None;
        }
        cache.prices_changed.merge(scope);
    }
    result
}

/// What to compare this run: the SKUs whose Oro prices changed since the last comparison, or
/// every product when the Cin7 catalogue was read whole since (products a refresh found modified,
/// a tier changed by hand in Cin7, are among the SKUs).
/// `None` when nothing changed on either side.
async fn take_scope(ctx: &Context) -> Option<PriceChanges> {
    let mut cache = ctx.cache.write().await;
    let mut scope = std::mem::take(&mut cache.prices_changed);
    let whole_at = cache.catalogue_whole_at_s;
    if cache.prices_compared_catalogue_at_s != Some(whole_at) {
        scope.all = true;
        cache.prices_compared_catalogue_at_s = Some(whole_at);
    }
    (!scope.is_empty()).then_some(scope)
}

async fn push_scope(
    ctx: &Context,
    dry_run: bool,
    progress: &indicatif::ProgressBar,
    catalogue: &Catalogue,
    scope: &PriceChanges,
) -> Result<(usize, usize), FlowError> {
    let (mappings, products) = {
        let cache = ctx.cache.read().await;
        let products: Vec<Arc<OroProduct>> = match scope.all {
            true => cache.oro_products.values().cloned().collect(),
            false => scope
                .skus
                .iter()
                .filter_map(|sku| cache.oro_products.get(sku).cloned())
                .collect(),
        };
        let mappings: Vec<(Arc<PriceTable>, String)> = ctx
            .rules
            .price_tiers
            .iter()
            .map(|m| {
                let table = cache.prices.get(&m.price_list);
                (scoped(table, &products, scope.all), m.tier.clone())
            })
            .collect();
        (mappings, products)
    };
    let drift = drifted_tiers(&mappings, &products, catalogue);
    if dry_run || !ctx.rules.prices_oro_wins {
        for (sku, tiers) in &drift {
            let explanation =
                format!("Cin7 {sku} tiers differ from the mapped Oro price lists: {tiers:?}.");
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::PriceDrift,
                &format!("sku:{sku}"),
                "tiers",
                explanation,
            )
            .await?;
        }
        return Ok((drift.len(), 0));
    }
    let mut pushed = 0;
    progress.set_length(drift.len() as u64);
    for (sku, tiers) in &drift {
        let Some(product) = catalogue.get(sku) else {
            continue;
        };
        let subject = format!("sku:{sku}");
        let previous = ctx.store.record_get("price_push", sku).await?;
        let same_as_pushed = previous.as_ref().is_some_and(|p| {
            tiers.iter().any(|(t, v)| {
                p.data.get(t).and_then(|x| x.as_str()) == Some(v.to_string().as_str())
            })
        });
        if let (true, Some(previous)) = (same_as_pushed, previous) {
            // Oro has not changed since we pushed this price, yet Cin7 differs: someone changed it by hand.
            let explanation = format!("Cin7 {sku} tiers changed since Concord last pushed them ({}); Oro wins, so they are pushed again.", previous.data);
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::PriceDrift,
                &subject,
                "changed_in_cin7",
                explanation,
            )
            .await?;
        }
        match ctx
            .cin7
            .update_price_tiers(&product.id, tiers, &subject)
            .await
        {
            Ok(()) => {
                let mut updated = product.clone();
                for (tier, price) in tiers {
                    updated.price_tiers.set(tier, *price);
                }
                if let Some(c) = ctx.cache.write().await.catalogue.as_mut() {
                    c.upsert(updated);
                }
                ctx.store
                    .record_put("price_push", sku, "pushed", &json!(tiers))
                    .await?;
                pushed += 1;
                progress.inc(1);
            }
            Err(e) if e.retry_action() == crate::connectors::RetryAction::DontRetry => {
                let explanation = format!("Pushing Oro prices to Cin7 {sku} failed: {e}.");
                exceptions::raise(
                    &ctx.store,
                    &ctx.rules,
                    ExceptionKind::PriceDrift,
                    &subject,
                    "push_failed",
                    explanation,
                )
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if pushed > 0 {
        tracing::info!(pushed, "Pushed Oro prices to Cin7 price tiers.");
    }
    Ok((drift.len(), pushed))
}

/// `table` narrowed to `products` (shared whole when `all`: the comparison only reads it).
fn scoped(
    table: Option<&Arc<PriceTable>>,
    products: &[Arc<OroProduct>],
    all: bool,
) -> Arc<PriceTable> {
    match (table, all) {
        (None, _) => Arc::default(),
        (Some(table), true) => Arc::clone(table),
        (Some(table), false) => Arc::new(table.subset(products.iter().map(|p| p.sku.as_str()))),
    }
}
