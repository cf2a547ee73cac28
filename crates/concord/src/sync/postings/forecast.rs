//! A warning before postings break their maximum lag (spec 4.3, issue 16): from the postings
//! waiting, the next slot and the budget orders and stock leave, predict when the last one lands;
//! when that crosses `max_lag_s`, an `anomaly` says so with the figures, before any posting is late,
//! and closes itself once the queue drains.

use super::records::{self, WAITING};
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use concord_core::catalogue::ExceptionKind;

const SUBJECT: &str = "forecast:postings";
/// Cin7 calls one posting costs: a read of the sale's invoice tasks or payments, then the post.
const CALLS_PER_POSTING: f64 = 2.0;
/// Postings never get less than this share of the budget: orders come first but never take it all
/// for long, and the forecast must not divide by zero.
const MIN_FREE_SHARE: f64 = 0.1;

#[derive(Debug, Clone, PartialEq)]
pub struct PostingForecast {
    pub waiting: usize,
    /// Postings a minute the budget left over lets through.
    pub per_minute: f64,
    /// Seconds until the last waiting posting lands.
    pub last_in_s: f64,
    /// The longest predicted lag from cause to Cin7 over the waiting postings.
    pub worst_lag_s: f64,
}

/// Pure: `waits_s` are the waiting postings' ages (oldest first), `next_slot_in_s` when the next
/// slot starts, `free_calls_per_minute` the budget orders and stock leave.
pub fn forecast(waits_s: &[f64], next_slot_in_s: f64, limit: u32, used: u32) -> PostingForecast {
    let free = f64::from(limit.saturating_sub(used)).max(f64::from(limit) * MIN_FREE_SHARE);
    let per_minute = (free / CALLS_PER_POSTING).max(0.1);
    let per_posting_s = 60.0 / per_minute;
    let worst_lag_s = waits_s
        .iter()
        .enumerate()
        .map(|(i, wait)| wait + next_slot_in_s + (i as f64 + 1.0) * per_posting_s)
        .fold(0.0, f64::max);
    PostingForecast {
        waiting: waits_s.len(),
        per_minute,
        last_in_s: next_slot_in_s + waits_s.len() as f64 * per_posting_s,
        worst_lag_s,
    }
}

impl PostingForecast {
    pub fn breaches(&self, max_lag_s: f64) -> bool {
        self.waiting > 0 && self.worst_lag_s > max_lag_s
    }

    pub fn explanation(&self, max_lag_s: f64) -> String {
        format!(
            "{} posting(s) waiting, {:.0} a minute on the budget orders and stock leave, the last lands in Cin7 in {:.0} min; \
             maximum lag {:.0} min, the slowest is predicted at {:.0} min. Nothing is late yet: lower batch_every_s, \
             raise the Cin7 rate limit or pause bulk work (price syncs).",
            self.waiting,
            self.per_minute,
            (self.last_in_s / 60.0).ceil(),
            max_lag_s / 60.0,
            (self.worst_lag_s / 60.0).ceil(),
        )
    }
}

/// Raises or closes the postings anomaly. Two record reads and one budget read: runs every minute.
pub async fn check(ctx: &Context) -> Result<(), FlowError> {
    let Some(cfg) = ctx.rules.postings.as_ref() else {
        return Ok(());
    };
    let now = ctx.clock.elapsed_s();
    let mut waits: Vec<f64> = records::invoices_in(&ctx.store, WAITING)
        .await?
        .iter()
        .map(|i| i.due_s)
        .chain(
            records::payments_in(&ctx.store, WAITING)
                .await?
                .iter()
                .map(|p| p.due_s),
        )
        .map(|due| (now - due).max(0.0))
        .collect();
    waits.sort_by(|a, b| b.total_cmp(a));
    let every = cfg.batch_every_s.max(60.0);
    let next_slot_in_s = every - now.rem_euclid(every);
    let limit = ctx.cin7.budget().limit();
    let used = ctx.cin7.budget().used().await?;
    let f = forecast(&waits, next_slot_in_s, limit, used);
    if !f.breaches(cfg.max_lag_s) {
        let note = "The postings queue drained: every waiting posting is predicted to land within the maximum lag.";
        exceptions::resolve(&ctx.store, ExceptionKind::Anomaly, SUBJECT, note).await?;
        return Ok(());
    }
    let explanation = f.explanation(cfg.max_lag_s);
    exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::Anomaly,
        SUBJECT,
        "lag",
        explanation,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_the_leftover_budget_cannot_clear_within_the_lag_is_forecast_to_breach() {
        // 200 postings caused just now; orders use 50 of 55 calls: 5 free → 2.5 postings a minute.
        let f = forecast(&vec![0.0; 200], 600.0, 55, 50);
        assert_eq!(
            f.per_minute, 2.75,
            "never less than a tenth of the budget: 5.5 calls"
        );
        assert!(f.breaches(3600.0), "{f:?}");
        assert!(f
            .explanation(3600.0)
            .starts_with("200 posting(s) waiting, 3 a minute"));
        // The same queue on an idle budget: 27.5 a minute, the last in about 17 min.
        let idle = forecast(&vec![0.0; 200], 600.0, 55, 0);
        assert!(!idle.breaches(3600.0), "{idle:?}");
    }

    #[test]
    fn the_oldest_wait_counts_and_an_empty_queue_breaches_nothing() {
        let f = forecast(&[3000.0, 10.0], 599.0, 55, 0);
        assert!(
            f.breaches(3600.0),
            "3000 s waited + 599 s to the slot + a few seconds > 3600 s"
        );
        assert!(!forecast(&[], 900.0, 55, 55).breaches(0.0));
    }
}
