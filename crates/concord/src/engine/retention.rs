//! Payload retention: bodies of external calls name buyers, so they are kept only for
//! `store.payload_retention_days`. Purged every `schedule.retention_s`, a small batch at a time,
//! with the session revocations whose sessions have expired.

use concord_core::Clock;
use concord_store::{Store, StoreError};
use std::time::Duration;

/// Rows deleted per statement: each write stays short, so the engine never waits behind it.
pub const PURGE_BATCH: u32 = 500;

/// Deletes every call older than `days`, in batches; returns how many went.
pub async fn purge_once(store: &Store, days: u32) -> Result<u64, StoreError> {
    let age = Duration::from_secs(u64::from(days) * 86_400);
    let mut total = 0;
    loop {
        let n = store.purge_calls_batch(age, PURGE_BATCH).await?;
        total += n;
        if n < u64::from(PURGE_BATCH) {
            return Ok(total);
        }
        // Let the engine's writes in between batches.
        tokio::task::yield_now().await;
    }
}

/// Purges at start and then every `every` (clock time), until aborted.
pub async fn run(store: Store, clock: Clock, days: u32, every: Duration) {
    loop {
        match purge_once(&store, days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, days, "Payload bodies past retention deleted."),
            Err(e) => {
                tracing::warn!(error = %e, "Payload retention could not purge; it tries again next time.")
            }
        }
        let now = clock.now().timestamp();
        if let Err(e) = crate::web::revocations::purge_expired(&store, now).await {
            tracing::warn!(error = %e, "Expired session revocations could not be purged; next time.");
        }
        clock.sleep(every.max(Duration::from_secs(60))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_store::{CallFilter, NewCall};

    #[tokio::test]
    async fn purge_once_empties_everything_past_retention_across_batches() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/r.db", dir.path().display());
        let start = chrono::Utc::now() - chrono::Duration::days(40);
        let old = Store::connect(&url, Clock::scaled(start, 1.0))
            .await
            .unwrap();
        let call = NewCall {
            system: "cin7".into(),
            method: "GET".into(),
            path: "/customer".into(),
            ..NewCall::default()
        };
        for _ in 0..(PURGE_BATCH + 20) {
            old.log_call(call.clone()).await.unwrap();
        }
        let now = old.with_clock(Clock::real());
        now.log_call(call.clone()).await.unwrap();

        assert_eq!(
            purge_once(&now, 30).await.unwrap(),
            u64::from(PURGE_BATCH + 20)
        );
        let left = now
            .calls(&CallFilter {
                limit: 0,
                ..CallFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(left.len(), 1, "the recent call is kept");
    }
}
