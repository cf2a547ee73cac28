//! A warning before the order SLA breaks: from the orders waiting in the queue, the Cin7 budget
//! and the recent order rate, predict when the last waiting order reaches Cin7; when that crosses
//! the SLA, an `anomaly` says so with the figures, before any order has breached it, and closes
//! itself once the backlog drains.

use super::context::{Context, FlowError};
use super::exceptions;
use chrono::{DateTime, Utc};
use concord_core::catalogue::ExceptionKind;
use concord_store::{Job, JobFilter, JobState};
use std::collections::BTreeMap;

/// Cin7 calls one order costs on average: the sale, its order lines, and now and then a customer.
/// Rounded up so the forecast errs towards warning early.
const CALLS_PER_ORDER: f64 = 3.0;
/// The window the recent order rate is measured over.
const RATE_WINDOW_S: f64 = 300.0;
const SUBJECT: &str = "forecast:orders";

/// What the queue says about the orders still to reach Cin7.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub waiting: usize,
    /// Orders a minute the Cin7 budget lets through.
    pub per_minute: f64,
    /// New orders a minute over the last few minutes.
    pub arriving_per_minute: f64,
    /// Seconds until the last waiting order reaches Cin7.
    pub last_in_s: f64,
    /// The longest predicted time from an order's arrival to Cin7, over the waiting orders.
    pub worst_latency_s: f64,
}

/// Pure: `ages_s` are the waiting orders' ages, in queue order (oldest first).
pub fn forecast(ages_s: &[f64], budget_per_minute: u32, recent: usize) -> Forecast {
    let per_minute = (f64::from(budget_per_minute) / CALLS_PER_ORDER).max(0.1);
    let per_order_s = 60.0 / per_minute;
    let worst_latency_s = ages_s
        .iter()
        .enumerate()
        .map(|(i, age)| age + (i as f64 + 1.0) * per_order_s)
        .fold(0.0, f64::max);
    Forecast {
        waiting: ages_s.len(),
        per_minute,
        arriving_per_minute: recent as f64 * 60.0 / RATE_WINDOW_S,
        last_in_s: ages_s.len() as f64 * per_order_s,
        worst_latency_s,
    }
}

impl Forecast {
    pub fn breaches(&self, sla_s: f64) -> bool {
        self.worst_latency_s > sla_s
    }

    /// "142 orders waiting, 24 a minute at the current budget, the last reaches Cin7 in 6 min; SLA 15 min".
    pub fn explanation(&self, sla_s: f64) -> String {
        format!(
            "{} waiting, {:.0} a minute at the current budget, the last reaches Cin7 in {:.0} min; SLA {:.0} min. \
             New orders arrive at {:.0} a minute; the slowest waiting order is predicted to take {:.0} min in all. \
             Nothing has breached yet: raise the Cin7 rate limit, pause bulk work (price and catalogue syncs) or warn the buyers.",
            crate::inbox::cause_text::orders_phrase(self.waiting),
            self.per_minute,
            (self.last_in_s / 60.0).ceil(),
            sla_s / 60.0,
            self.arriving_per_minute,
            (self.worst_latency_s / 60.0).ceil(),
        )
    }
}

/// The waiting orders (one per order id, oldest first) and how many arrived in the rate window.
/// Re-validations of held orders are not waiting for Cin7: their cause is.
fn waiting_orders(queued: &[Job], now: DateTime<Utc>) -> (Vec<f64>, usize) {
    let mut by_order: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    for job in queued
        .iter()
        .filter(|j| j.kind == "order.sync" && !j.idempotency_key.contains(":revalidate:"))
    {
        if let Some(id) = job
            .payload
            .get("order_id")
            .and_then(serde_json::Value::as_i64)
        {
            let at = by_order.entry(id).or_insert(job.created_at);
            *at = (*at).min(job.created_at);
        }
    }
    let mut ages: Vec<f64> = by_order
        .values()
        .map(|at| (now - *at).num_milliseconds() as f64 / 1000.0)
        .collect();
    ages.sort_by(|a, b| b.total_cmp(a));
    let recent = ages.iter().filter(|a| **a <= RATE_WINDOW_S).count();
    (ages, recent)
}

/// Raises or closes the forecast anomaly. Cheap (one queue read): runs every scheduler minute.
pub async fn check(ctx: &Context) -> Result<(), FlowError> {
    let filter = JobFilter {
        state: Some(JobState::Queued),
        kind: Some("order.sync".into()),
        limit: 0,
    };
    let queued = ctx.store.list_jobs(&filter).await?;
    let (ages, recent) = waiting_orders(&queued, ctx.clock.now());
    let f = forecast(&ages, ctx.cin7.budget().limit(), recent);
    let sla = ctx.rules.order_sla_s;
    if !f.breaches(sla) {
        exceptions::resolve(&ctx.store, ExceptionKind::Anomaly, SUBJECT, "The order backlog drained: every waiting order is predicted to reach Cin7 within its SLA.").await?;
        return Ok(());
    }
    exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::Anomaly,
        SUBJECT,
        "sla",
        f.explanation(sla),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_the_budget_cannot_clear_in_time_is_forecast_to_breach() {
        // 142 orders just arrived; 72 calls a minute let 24 orders a minute through.
        let ages = vec![0.0; 142];
        let f = forecast(&ages, 72, 142);
        assert_eq!(f.per_minute, 24.0);
        assert!((f.last_in_s - 355.0).abs() < 1.0, "{f:?}");
        assert!(!f.breaches(900.0), "six minutes is within a 15-minute SLA");
        assert!(f.explanation(900.0).starts_with("142 orders waiting, 24 a minute at the current budget, the last reaches Cin7 in 6 min; SLA 15 min."));
        let slow = forecast(&ages, 20, 142);
        assert!(slow.breaches(900.0), "{slow:?}");
    }

    #[test]
    fn the_oldest_order_counts_with_its_age() {
        // Three orders, one already 14 minutes old at the front: it reaches Cin7 in 3 s more.
        let f = forecast(&[840.0, 10.0, 5.0], 60, 2);
        assert!((f.worst_latency_s - 843.0).abs() < 0.01, "{f:?}");
        assert!(!f.breaches(900.0));
        assert!(forecast(&[899.0], 60, 0).breaches(900.0));
    }

    #[test]
    fn an_empty_queue_breaches_nothing() {
        let f = forecast(&[], 60, 0);
        assert_eq!((f.waiting, f.worst_latency_s), (0, 0.0));
        assert!(!f.breaches(900.0));
    }
}
