//! Reading Oro's levels for a stock sync through the level book (only those that may need a write)
//! and noting what Concord writes, in the store for every process and in this process's book.

use super::book::{entries_read, Entry, LevelKey};
use crate::domain::{InventoryLevel, OroProduct};
use crate::sync::context::{Context, FlowError};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Products per targeted read: Oro takes the ids in one `filter[product]` query parameter, and a
/// URL must stay well under the common 8 KB limit.
const IDS_PER_READ: usize = 100;
/// Past this many products to read, one pass over every level costs fewer calls.
const TARGETED_AT_MOST: usize = 2_000;
/// Store records of levels written, keyed by Oro level id; shared by every process.
const WRITTEN: &str = "stock_written";
/// How far back a catch-up re-reads the store: a write another process stamped just before the
/// last catch-up may have committed just after it.
const CATCH_UP_OVERLAP_S: i64 = 60;

/// One level Concord writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub id: String,
    pub sku: String,
    pub unit: String,
    pub quantity: Decimal,
}

impl Written {
    /// (level id, quantity) pairs, as Oro's batch update takes them.
    pub fn pairs(levels: &[Written]) -> Vec<(String, Decimal)> {
        levels.iter().map(|w| (w.id.clone(), w.quantity)).collect()
    }
}

/// The levels to compare with `wanted`, and whether they are all of them: every level when the
/// book is due a full read, otherwise only the levels of products the book disagrees with.
pub async fn read_levels(
    ctx: &Context,
    products: &[Arc<OroProduct>],
    sku_of: &HashMap<&str, &str>,
    wanted: &HashMap<LevelKey, Decimal>,
) -> Result<(Vec<InventoryLevel>, bool), FlowError> {
    let now_s = ctx.clock.elapsed_s();
    catch_up_book(ctx).await?;
    let targets = {
        let book = ctx.level_book.lock().map_err(|_| poisoned())?;
        if book.needs_full_read(now_s) {
            None
        } else {
            let stale = book.stale_skus(wanted);
            let ids: Vec<String> = products
                .iter()
                .filter(|p| stale.contains(p.sku.as_str()))
                .map(|p| p.id.clone())
                .collect();
            (ids.len() <= TARGETED_AT_MOST).then_some(ids)
        }
    };
    let Some(ids) = targets else {
        let levels = ctx.oro.inventory_levels().await?;
        let skus: HashSet<&str> = sku_of.values().copied().collect();
        let entries = entries_read(seen(&levels, sku_of), &skus, wanted);
        let mut book = ctx.level_book.lock().map_err(|_| poisoned())?;
        book.replace_all(entries, now_s);
        return Ok((levels, true));
    };
    let mut levels = Vec::new();
    for chunk in ids.chunks(IDS_PER_READ) {
        levels.extend(ctx.oro.inventory_levels_for(chunk).await?);
    }
    learn_read(ctx, &levels, &ids, sku_of, wanted)?;
    Ok((levels, false))
}

/// Notes levels read for `product_ids` (those products' other wanted levels as absent).
pub fn learn_read(
    ctx: &Context,
    levels: &[InventoryLevel],
    product_ids: &[String],
    sku_of: &HashMap<&str, &str>,
    wanted: &HashMap<LevelKey, Decimal>,
) -> Result<(), FlowError> {
    let skus: HashSet<&str> = product_ids
        .iter()
        .filter_map(|id| sku_of.get(id.as_str()).copied())
        .collect();
    let entries = entries_read(seen(levels, sku_of), &skus, wanted);
    let mut book = ctx.level_book.lock().map_err(|_| poisoned())?;
    for (key, entry) in entries {
        book.learn(key, entry);
    }
    Ok(())
}

fn seen<'a>(
    levels: &'a [InventoryLevel],
    sku_of: &'a HashMap<&str, &str>,
) -> impl Iterator<Item = (LevelKey, Entry)> + 'a {
    levels.iter().filter_map(|level| {
        let sku = sku_of.get(level.product_id.as_str())?;
        let entry = Entry {
            id: Some(level.id.clone()),
            quantity: level.quantity,
        };
        Some((((*sku).to_owned(), level.unit.clone()), entry))
    })
}

/// What Concord last wrote to each of these levels (by level id): all of them after a full read,
/// otherwise only those read.
pub async fn written_for(
    ctx: &Context,
    levels: &[InventoryLevel],
    full: bool,
) -> Result<HashMap<String, Decimal>, FlowError> {
    if full {
        // Row by row: every written level held as a record at once was the stock sync's peak.
        let mut all = HashMap::new();
        ctx.store
            .records_each(WRITTEN, |key, data| {
                let value = serde_json::from_str(data).ok();
                if let Some(q) = value.as_ref().and_then(written_quantity) {
                    all.insert(key, q);
                }
            })
            .await?;
        return Ok(all);
    }
    let mut out = HashMap::new();
    for level in levels {
        if let Some(r) = ctx.store.record_get(WRITTEN, &level.id).await? {
            if let Some(q) = written_quantity(&r.data) {
                out.insert(level.id.clone(), q);
            }
        }
    }
    Ok(out)
}

/// Notes levels just written: in the store (what every process compares Oro with, and how the
/// others' books learn of it) and in this process's book.
pub async fn remember_written(ctx: &Context, levels: &[Written]) -> Result<(), FlowError> {
    let records: Vec<(String, serde_json::Value)> = levels
        .iter()
        .map(|w| {
            let data = serde_json::json!({
                "quantity": w.quantity.to_string(),
                "sku": w.sku,
                "unit": w.unit,
                "by": &*ctx.instance,
            });
            (w.id.clone(), data)
        })
        .collect();
    ctx.store
        .record_put_many(WRITTEN, "written", &records)
        .await?;
    let mut book = ctx.level_book.lock().map_err(|_| poisoned())?;
    for w in levels {
        book.learn_written((w.sku.clone(), w.unit.clone()), &w.id, w.quantity);
    }
    Ok(())
}

/// Brings the book up to date with levels other Concord processes wrote since it last looked.
pub(crate) async fn catch_up_book(ctx: &Context) -> Result<(), FlowError> {
    let now = ctx.clock.now();
    let since = {
        let mut book = ctx.level_book.lock().map_err(|_| poisoned())?;
        // Before the first full read there is nothing to bring up to date.
        let Some(since) = book.caught_up_to else {
            book.caught_up_to = Some(now);
            return Ok(());
        };
        since - chrono::Duration::seconds(CATCH_UP_OVERLAP_S)
    };
    let changed = ctx.store.records_updated_since(WRITTEN, since).await?;
    let mut book = ctx.level_book.lock().map_err(|_| poisoned())?;
    for r in changed {
        if let Some((key, quantity)) = written_by_another(&r.data, &ctx.instance) {
            book.learn_written(key, &r.key, quantity);
        }
    }
    book.caught_up_to = Some(now);
    Ok(())
}

/// The quantity of a written-level record: `{"quantity": "12", …}`, or a bare `"12"` as records
/// written before the book existed hold it.
fn written_quantity(data: &serde_json::Value) -> Option<Decimal> {
    let text = data.get("quantity").unwrap_or(data).as_str()?;
    concord_core::decimal::parse(text)
}

/// The level and quantity of a record another process wrote (this process's own writes are in
/// its book already, possibly since read back lower).
fn written_by_another(data: &serde_json::Value, me: &str) -> Option<(LevelKey, Decimal)> {
    if data.get("by").and_then(|b| b.as_str()) == Some(me) {
        return None;
    }
    let sku = data.get("sku")?.as_str()?;
    let unit = data.get("unit")?.as_str()?;
    Some(((sku.to_owned(), unit.to_owned()), written_quantity(data)?))
}

pub(crate) fn poisoned() -> FlowError {
    FlowError::Data("the level book's lock was poisoned by a panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    #[test]
    fn written_records_of_either_shape_give_their_quantity() {
        assert_eq!(written_quantity(&json!("12")), Some(dec!(12)));
        assert_eq!(
            written_quantity(&json!({"quantity": "7.5", "sku": "A", "unit": "each"})),
            Some(dec!(7.5))
        );
        assert_eq!(written_quantity(&json!({"sku": "A"})), None);
        assert_eq!(written_quantity(&json!(12)), None);
    }

    #[test]
    fn only_another_process_writes_with_their_level_named_reach_the_book() {
        let theirs = json!({"quantity": "4", "sku": "A", "unit": "case", "by": "b"});
        assert_eq!(
            written_by_another(&theirs, "a"),
            Some((("A".into(), "case".into()), dec!(4)))
        );
        assert_eq!(written_by_another(&theirs, "b"), None, "our own write");
        assert_eq!(written_by_another(&json!("4"), "a"), None, "no level named");
    }
}
