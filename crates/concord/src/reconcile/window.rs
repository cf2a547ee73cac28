//! What one reconciliation pass reads: the Oro orders changed since the previous pass (with an
//! hour's overlap; every order on a full pass, once a day), the orders its Cin7 sales and its
//! overdue unsynced records name that fell outside that window (each read by id), and the order
//! records of those orders, each looked up by key. A pass so costs what changed, not every order
//! ever placed.

use crate::domain::{OroOrder, SaleSummary};
use crate::sync::context::{Context, FlowError};
use crate::sync::orders::record::{self, OrderRecord, OrderState};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashMap};

/// How often a pass reads every Oro order: it notices what no window showed (an order whose
/// `updatedAt` was set back, or one missed while the cursor was lost).
pub const FULL_PASS_S: i64 = 24 * 3600;
/// Overlap of each window with the previous pass (clock skew, second-precision timestamps).
pub const OVERLAP_S: i64 = 3600;

const LAST_AT: &str = "reconcile.last_at";
const FULL_AT: &str = "reconcile.full_at";

/// The window of a pass: `None` reads everything.
pub struct Window {
    /// Oro orders: everything when there was no pass yet or the last full one is a day old.
    pub since: Option<DateTime<Utc>>,
    /// Cin7 sales: since the previous pass however long ago, as Cin7's budget is the scarce one.
    pub cin7_since: Option<DateTime<Utc>>,
}

impl Window {
    pub async fn current(ctx: &Context) -> Result<Window, FlowError> {
        let last = parse(ctx.store.cursor_get(LAST_AT).await?);
        let full_at = parse(ctx.store.cursor_get(FULL_AT).await?);
        Ok(Window {
            since: window_start(last, full_at, ctx.clock.now()),
            cin7_since: last.map(|l| l - Duration::seconds(OVERLAP_S)),
        })
    }

    /// Records the pass as done at `at` (RFC 3339), and as a full one when it read everything.
    pub async fn done(&self, ctx: &Context, at: &str) -> Result<(), FlowError> {
        ctx.store.cursor_set(LAST_AT, at).await?;
        if self.since.is_none() {
            ctx.store.cursor_set(FULL_AT, at).await?;
        }
        Ok(())
    }

    /// Oro's `updatedAt` filter value (second precision, UTC).
    pub fn oro_since(&self) -> Option<String> {
        self.since
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }
}

fn parse(value: Option<String>) -> Option<DateTime<Utc>> {
    value
        .as_deref()
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|v| v.with_timezone(&Utc))
}

/// Where a pass starts reading: the previous pass less the overlap, or everything (`None`) when
/// there was no pass, or no full pass in the last `FULL_PASS_S`.
pub fn window_start(
    last: Option<DateTime<Utc>>,
    full_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let full_due = full_at.is_none_or(|f| now - f >= Duration::seconds(FULL_PASS_S));
    match (last, full_due) {
        (Some(last), false) => Some(last - Duration::seconds(OVERLAP_S)),
        _ => None,
    }
}

/// Ids of orders to read one by one: those named by a sale (voided ones too: a void changes the
/// sale, not the order) or by an unsynced record past its SLA, and not in the window's read.
pub fn orders_outside(
    orders: &HashMap<i64, OroOrder>,
    sales: &[SaleSummary],
    overdue: &[i64],
) -> Vec<i64> {
    let named = sales
        .iter()
        .filter_map(|s| s.external_id.as_deref()?.parse::<i64>().ok())
        .chain(overdue.iter().copied());
    let ids: BTreeSet<i64> = named.filter(|id| !orders.contains_key(id)).collect();
    ids.into_iter().collect()
}

/// Records not synced yet (no sale, not held or settled otherwise), found by state, that are
/// past `sla_s`: the orders reconciliation must see even when they did not change.
pub async fn overdue_unsynced(ctx: &Context, sla_s: f64) -> Result<Vec<OrderRecord>, FlowError> {
    let now = ctx.clock.elapsed_s();
    let open = [
        OrderState::Received,
        OrderState::Submitting,
        OrderState::HeaderCreated,
    ];
    Ok(record::in_states(&ctx.store, &open)
        .await?
        .into_iter()
        .filter(|r| r.sale_id.is_none() && now - r.first_seen_s > sla_s)
        .collect())
}

/// Reads `ids` one by one into `orders`; an order Oro no longer has is left out (the sale that
/// names it is then reported as `sale_without_order`).
pub async fn read_orders(
    ctx: &Context,
    ids: &[i64],
    orders: &mut HashMap<i64, OroOrder>,
) -> Result<(), FlowError> {
    for id in ids {
        match ctx.oro.order(*id).await {
            Ok(order) => {
                orders.insert(order.id, order);
            }
            Err(crate::connectors::oro::OroError::Permanent { status: 404, .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The records of `orders`, each looked up by key.
pub async fn records_of(
    ctx: &Context,
    orders: &HashMap<i64, OroOrder>,
) -> Result<HashMap<i64, OrderRecord>, FlowError> {
    let mut out = HashMap::with_capacity(orders.len());
    for id in orders.keys() {
        if let Some(r) = record::load_or_skip(&ctx.store, *id).await? {
            out.insert(*id, r);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
