//! A warning before the stock shown to buyers goes stale during a burst (issue 16): while orders
//! take the budget, the stock refresh waits behind them; when the last refresh's age plus the time
//! the waiting refresh has already queued point past `stock_stale_after_s`, an `anomaly` says so
//! with the figures, before `stock_stale` would fire, and closes once a refresh lands.

use crate::engine::STOCK_SYNC;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use chrono::{DateTime, Utc};
use concord_core::catalogue::ExceptionKind;
use concord_store::{JobFilter, JobState};

const SUBJECT: &str = "forecast:stock";
/// Warn once this share of the freshness threshold is used up with a refresh still waiting.
const WARN_AT_SHARE: f64 = 2.0 / 3.0;
/// A refresh queued for less than this is simply about to run, not held up by a burst.
const HELD_UP_AFTER_S: f64 = 60.0;

/// Pure: the warning, or none. `age_s` since the last refresh landed, `queued_for_s` how long the
/// next refresh has waited (`None`: no refresh is waiting, so none is late).
pub fn warning(age_s: f64, queued_for_s: Option<f64>, stale_after_s: f64) -> Option<String> {
    let queued_for_s = queued_for_s.filter(|q| *q >= HELD_UP_AFTER_S)?;
    if age_s < stale_after_s * WARN_AT_SHARE {
        return None;
    }
    // The refresh has waited this long already; waiting as long again is the likely outlook.
    let left_s = (stale_after_s - age_s).max(0.0);
    Some(format!(
        "Stock shown to buyers was read from Cin7 {:.0} min ago and the next refresh has waited {:.0} min behind orders; \
         it goes stale ({:.0} min) in {:.0} min. Orders still lower Oro's levels as they arrive, so nothing is oversold; \
         raise the Cin7 rate limit or pause bulk work if the burst goes on.",
        age_s / 60.0,
        queued_for_s / 60.0,
        stale_after_s / 60.0,
        left_s / 60.0,
    ))
}

/// Raises or closes the stock freshness anomaly: one cursor read and one queue read a minute.
pub async fn check(ctx: &Context) -> Result<(), FlowError> {
    let now = ctx.clock.now();
    let Some(synced_at) = ctx
        .store
        .cursor_get("stock.synced_at")
        .await?
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
    else {
        return Ok(()); // never synced yet: the start-up sync is not a burst
    };
    let filter = JobFilter {
        state: Some(JobState::Queued),
        kind: Some(STOCK_SYNC.into()),
        limit: 0,
    };
    let oldest_queued = ctx
        .store
        .list_jobs(&filter)
        .await?
        .iter()
        .map(|j| j.created_at)
        .min();
    let seconds = |from: DateTime<Utc>| (now - from).num_milliseconds() as f64 / 1000.0;
    let stale_after_s = ctx.rules.stock_stale_after_s;
    match warning(
        seconds(synced_at),
        oldest_queued.map(seconds),
        stale_after_s,
    ) {
        Some(explanation) => {
            exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::Anomaly,
                SUBJECT,
                "stale",
                explanation,
            )
            .await?;
        }
        None => {
            let note = "A stock refresh landed: the stock shown to buyers is fresh again.";
            exceptions::resolve(&ctx.store, ExceptionKind::Anomaly, SUBJECT, note).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_waiting_behind_orders_near_the_threshold_is_warned_about_before_it_is_stale() {
        // Threshold 30 min; read 21 min ago, the next refresh queued for 6 min.
        let w = warning(21.0 * 60.0, Some(360.0), 1800.0).expect("a warning");
        assert!(w.starts_with("Stock shown to buyers was read from Cin7 21 min ago and the next refresh has waited 6 min"), "{w}");
        assert!(w.contains("goes stale (30 min) in 9 min"), "{w}");
        assert!(
            warning(15.0 * 60.0, Some(360.0), 1800.0).is_none(),
            "half the threshold: fine"
        );
        assert!(
            warning(25.0 * 60.0, None, 1800.0).is_none(),
            "no refresh waiting: it is not late"
        );
        assert!(
            warning(25.0 * 60.0, Some(5.0), 1800.0).is_none(),
            "just queued: about to run"
        );
    }
}
