//! The shared rate budget: a sliding window of calls per API application, kept in the database
//! so every process on the same store spends one budget.

use crate::db::{duration_us, sql, with_db, Db, RowExt};
use crate::error::StoreError;
use crate::Store;
use std::time::Duration;

/// Calls are kept at least this long so a caller may also ask about daily windows.
const KEEP_AT_LEAST: Duration = Duration::from_secs(25 * 3600);

impl Store {
    /// Takes one call from `app`'s budget of `limit` calls per sliding `window` (on the store's
    /// clock). `Ok(Ok(()))` records the call now; `Ok(Err(wait))` says how long until a slot frees.
    /// Atomic across processes: one statement on SQLite, a row lock per app on PostgreSQL.
    pub async fn budget_try_take(
        &self,
        app: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Result<(), Duration>, StoreError> {
        let now = self.now_us();
        let since = now.saturating_sub(duration_us(window));
        let limit_i = i64::from(limit);
        let (taken, used) = match &self.db {
            Db::Sqlite { .. } => {
                let n = with_db!(self, write, "budget/take", |q, ex| {
                    q.bind(app)
                        .bind(now)
                        .bind(since)
                        .bind(limit_i)
                        .execute(ex)
                        .await?
                        .rows_affected()
                });
                if n == 1 {
                    (true, None)
                } else {
                    (false, Some(self.budget_window(app, since, now).await?))
                }
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query(sql!(postgres, "budget/ensure_app"))
                    .bind(app)
                    .execute(&mut *tx)
                    .await?;
                // Held until commit: takers of this app, from any process, go one at a time.
                sqlx::query(sql!(postgres, "budget/lock_app"))
                    .bind(app)
                    .fetch_optional(&mut *tx)
                    .await?;
                let n = sqlx::query(sql!(postgres, "budget/take"))
                    .bind(app)
                    .bind(now)
                    .bind(since)
                    .bind(limit_i)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let used = if n == 1 {
                    None
                } else {
                    let row = sqlx::query(sql!(postgres, "budget/window"))
                        .bind(app)
                        .bind(since)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                    Some((row.int("used")?, row.opt_int("oldest")?))
                };
                tx.commit().await?;
                (n == 1, used)
            }
        };
        if taken {
            // Pruning now and then keeps the table small without a write on every take.
            if rand::random::<u8>() < 8 {
                self.budget_prune(app, window).await?;
            }
            return Ok(Ok(()));
        }
        let oldest = used.and_then(|(_, oldest)| oldest).unwrap_or(now);
        let frees_at = oldest.saturating_add(duration_us(window));
        let wait_us = u64::try_from(frees_at.saturating_sub(now))
            .unwrap_or(0)
            .max(1);
        Ok(Err(Duration::from_micros(wait_us)))
    }

    /// How many calls `app` made within the last `window`, up to now.
    pub async fn budget_used(&self, app: &str, window: Duration) -> Result<u32, StoreError> {
        let now = self.now_us();
        let since = now.saturating_sub(duration_us(window));
        let (used, _) = self.budget_window(app, since, now).await?;
        Ok(u32::try_from(used).unwrap_or(u32::MAX))
    }

    /// Calls stamped in `(since, until]`, and the oldest of them.
    async fn budget_window(
        &self,
        app: &str,
        since: i64,
        until: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        with_db!(self, read, "budget/window", |q, ex| {
            let row = q.bind(app).bind(since).bind(until).fetch_one(ex).await?;
            Ok((row.int("used")?, row.opt_int("oldest")?))
        })
    }

    async fn budget_prune(&self, app: &str, window: Duration) -> Result<(), StoreError> {
        let keep = duration_us(window.max(KEEP_AT_LEAST));
        let cutoff = self.now_us().saturating_sub(keep);
        with_db!(self, write, "budget/prune", |q, ex| q
            .bind(app)
            .bind(cutoff)
            .execute(ex)
            .await?
            .rows_affected());
        Ok(())
    }
}
