//! Whether the stock webhooks this process received since its last check change any level Oro
//! must show: the wanted levels of the base SKUs they touch, computed from the last snapshot with
//! the webhooks' rows laid over it and the orders in flight now, compared with the level book.
//!
//! Why the book: it holds what each level showed when Concord last read or wrote it, so "every
//! wanted level equals the book" is exactly "a full sync now would write nothing for these SKUs".
//! Everything else (levels the book has not seen, a body that could not be read, no snapshot yet)
//! answers "changed", and the caller takes a full snapshot as before. SKUs the webhooks did not
//! touch are left to their own webhooks and to the periodic snapshot.

use super::formula;
use super::hints::{touched_bases, Pending};
use super::levels::{catch_up_book, poisoned};
use crate::sync::context::{Context, FlowError};
use crate::sync::orders::in_flight;

/// True when the pending webhooks change nothing Oro must see. The pending pairs are consumed;
/// a check that fails puts them back, so the retry still has them to explain.
pub async fn webhooks_change_nothing(ctx: &Context) -> Result<bool, FlowError> {
    let pending = ctx
        .stock_hints
        .lock()
        .map_err(|_| poisoned())?
        .take_pending();
    match check(ctx, &pending).await {
        Ok(unchanged) => Ok(unchanged),
        Err(e) => {
            if let Ok(mut hints) = ctx.stock_hints.lock() {
                hints.restore(pending);
            }
            Err(e)
        }
    }
}

async fn check(ctx: &Context, pending: &Pending) -> Result<bool, FlowError> {
    if pending.unreadable_at_s.is_some() {
        return Ok(false);
    }
    if pending.pairs.is_empty() {
        // An earlier look or a snapshot since took them in (a failed look puts its pairs back).
        return Ok(true);
    }
    let Some((_, snapshot)) = ctx.last_snapshot.lock().ok().and_then(|l| l.clone()) else {
        return Ok(false);
    };
    ctx.ensure_oro_loaded().await?;
    let catalogue = ctx.catalogue().await?;
    let bases = touched_bases(pending, &catalogue);
    let products: Vec<_> = {
        let cache = ctx.cache.read().await;
        bases
            .iter()
            .filter_map(|sku| cache.oro_products.get(sku))
            .cloned()
            .collect()
    };
    let (available, described_at) = {
        let hints = ctx.stock_hints.lock().map_err(|_| poisoned())?;
        let locations = ctx.rules.locations.as_deref();
        let available = hints.available_for(&snapshot, locations, &catalogue, &bases);
        (available, hints.described_at(&catalogue, &bases))
    };
    // As a snapshot taken when the rows were true would count them: an order Cin7 allocated
    // after that is not in the rows yet, so it is still in flight.
    let candidates = in_flight::candidates(&ctx.store, &ctx.kept_orders).await?;
    let in_flight = in_flight::units_by_sku(&candidates, |sku| described_at.get(sku).copied());
    let wanted = formula::levels(
        &products,
        &available,
        &ctx.rules.stock_buffers,
        &in_flight,
        &catalogue,
    );
    catch_up_book(ctx).await?;
    let book = ctx.level_book.lock().map_err(|_| poisoned())?;
    let stale = book.stale_skus(&wanted);
    if let Some(sku) = stale.iter().next() {
        tracing::debug!(
            sku,
            skus = stale.len(),
            "A stock webhook moves a wanted level; taking a snapshot."
        );
    }
    Ok(stale.is_empty())
}
