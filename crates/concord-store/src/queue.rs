//! The durable job queue: idempotent enqueue, claim with a lease, heartbeat, complete, fail with
//! the job's stored retry policy, reaping of expired leases, dead letters and replay.

use crate::db::{duration_us, micros, with_db, with_tx, RowExt};
use crate::error::StoreError;
use crate::job::{
    parse_retry, sql_limit, FailOutcome, Job, JobFilter, JobId, JobState, NewJob, QueueCounts,
};
use crate::{Store, StoreTx};
use chrono::{DateTime, Utc};
use concord_core::retry::Failure;
use std::time::Duration;

/// How long a due job may wait behind higher priorities before it is served first: without it a
/// queue kept busy by orders would never run a price push or a reconciliation.
pub const STARVATION_LIMIT: Duration = Duration::from_secs(600);

/// When [`Store::enqueue_coalesced`] adds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coalesce {
    /// While a job of the kind waits to start: it will see what changed since (a stock webhook).
    WhileQueued,
    /// Also while one runs: the kind must never run twice at once (a periodic reconciliation).
    WhileQueuedOrRunning,
}

/// Binds the enqueue parameters in file order (both backends use the same order).
macro_rules! bind_enqueue {
    ($q:expr, $a:expr) => {
        $q.bind(&$a.kind)
            .bind(&$a.payload)
            .bind(&$a.key)
            .bind($a.priority)
            .bind($a.max_attempts)
            .bind($a.run_at)
            .bind($a.now)
            .bind(&$a.retry)
    };
}

struct EnqueueArgs {
    kind: String,
    payload: String,
    key: String,
    priority: i64,
    max_attempts: i64,
    run_at: i64,
    now: i64,
    retry: String,
}

impl EnqueueArgs {
    fn new(store: &Store, job: NewJob) -> Result<Self, StoreError> {
        let now = store.now_us();
        let retry = serde_json::to_string(&job.retry)
            .map_err(|e| StoreError::corrupt(format!("retry policy: {e}")))?;
        Ok(EnqueueArgs {
            payload: job.payload.to_string(),
            kind: job.kind,
            key: job.idempotency_key,
            priority: i64::from(job.priority),
            // The first run plus one per retry; the reaper dead-letters a job whose lease expires on the last.
            max_attempts: i64::from(job.retry.retries) + 1,
            run_at: job.run_at.map(micros).unwrap_or(now),
            now,
            retry,
        })
    }
}

impl Store {
    /// Enqueues a job; `None` when a job with the same idempotency key exists (in any state).
    #[tracing::instrument(skip_all, fields(kind = %job.kind, key = %job.idempotency_key))]
    pub async fn enqueue(&self, job: NewJob) -> Result<Option<JobId>, StoreError> {
        if self.known_job_keys.contains(&job.idempotency_key) {
            return Ok(None);
        }
        let a = EnqueueArgs::new(self, job)?;
        let id = with_db!(self, write, "jobs/enqueue", |q, ex| {
            bind_enqueue!(q, a)
                .fetch_optional(ex)
                .await?
                .map(|r| r.int("id"))
                .transpose()?
        });
        // Inserted or already there: either way the key is taken for good.
        self.known_job_keys.insert(&a.key);
        if id.is_some() {
            self.job_bell.announce(a.run_at, a.now);
        }
        Ok(id.map(JobId))
    }

    /// Enqueues unless a job of the same kind is already waiting (see [`Coalesce`]).
    pub async fn enqueue_coalesced(
        &self,
        job: NewJob,
        coalesce: Coalesce,
    ) -> Result<Option<JobId>, StoreError> {
        if self.known_job_keys.contains(&job.idempotency_key) {
            return Ok(None);
        }
        let a = EnqueueArgs::new(self, job)?;
        let also_blocking = match coalesce {
            // 'queued' again: the IN list then holds only the waiting state.
            Coalesce::WhileQueued => JobState::Queued.as_str(),
            Coalesce::WhileQueuedOrRunning => JobState::Running.as_str(),
        };
        let id = with_db!(self, write, "jobs/enqueue_coalesced", |q, ex| {
            bind_enqueue!(q, a)
                .bind(also_blocking)
                .fetch_optional(ex)
                .await?
                .map(|r| r.int("id"))
                .transpose()?
        });
        if id.is_some() {
            // No row may also mean coalesced away, which leaves the key free: only an insert counts.
            self.known_job_keys.insert(&a.key);
            self.job_bell.announce(a.run_at, a.now);
        }
        Ok(id.map(JobId))
    }

    /// Enqueues inside `tx`, so the job commits (or rolls back) with the state change that caused it.
    pub async fn enqueue_in(
        &self,
        tx: &mut StoreTx,
        job: NewJob,
    ) -> Result<Option<JobId>, StoreError> {
        let a = EnqueueArgs::new(self, job)?;
        let id = with_tx!(tx, "jobs/enqueue", |q, ex| {
            bind_enqueue!(q, a)
                .fetch_optional(ex)
                .await?
                .map(|r| r.int("id"))
                .transpose()?
        });
        if id.is_some() {
            let mut jobs = tx.1.take().map_or_else(Vec::new, |(_, jobs)| jobs);
            jobs.push((a.run_at, a.now));
            tx.1 = Some((self.job_bell.clone(), jobs));
        }
        Ok(id.map(JobId))
    }

    /// Leases up to `limit` due jobs to `worker` for `lease`: any job due for longer than
    /// [`STARVATION_LIMIT`] first, then highest priority, then oldest.
    #[tracing::instrument(skip_all, fields(worker, limit))]
    pub async fn claim(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<Job>, StoreError> {
        let now = self.now_us();
        let expires = now.saturating_add(duration_us(lease));
        let starved = now.saturating_sub(duration_us(STARVATION_LIMIT));
        let mut jobs = with_db!(self, write, "jobs/claim", |q, ex| {
            let rows = q
                .bind(worker)
                .bind(expires)
                .bind(now)
                .bind(i64::from(limit))
                .bind(starved)
                .fetch_all(ex)
                .await?;
            rows.iter()
                .map(Job::from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        // RETURNING gives no order guarantee; hand the jobs back in claim order.
        jobs.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.run_at.cmp(&b.run_at))
                .then(a.id.cmp(&b.id))
        });
        Ok(jobs)
    }

    /// Extends the lease; `false` when `worker` no longer holds it.
    pub async fn heartbeat(
        &self,
        id: JobId,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let now = self.now_us();
        let expires = now.saturating_add(duration_us(lease));
        let n = with_db!(self, write, "jobs/heartbeat", |q, ex| {
            q.bind(id.0)
                .bind(worker)
                .bind(expires)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Marks a leased job done.
    #[tracing::instrument(skip_all, fields(job = %id))]
    pub async fn complete(&self, id: JobId, worker: &str) -> Result<(), StoreError> {
        let now = self.now_us();
        let n = with_db!(self, write, "jobs/complete", |q, ex| {
            q.bind(id.0)
                .bind(worker)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        lease_held(n, id, worker)
    }

    /// Records a failed run: retry on the stored schedule, retry after a given delay without
    /// using an attempt, or dead-letter. The message is kept as `last_error`.
    #[tracing::instrument(skip_all, fields(job = %id))]
    pub async fn fail(
        &self,
        id: JobId,
        worker: &str,
        failure: &Failure,
    ) -> Result<FailOutcome, StoreError> {
        let now = self.now_us();
        let message = failure.message();
        let delay = match failure {
            Failure::Fatal(_) => None,
            Failure::RetryAfter(d, _) => {
                let at = now.saturating_add(duration_us(*d));
                self.requeue(id, worker, 1, at, Some(message)).await?;
                return Ok(FailOutcome::Retrying {
                    at: crate::db::from_micros(at)?,
                });
            }
            Failure::Retryable(_) => {
                let (attempts, retry) = with_db!(self, write, "jobs/leased", |q, ex| {
                    match q.bind(id.0).bind(worker).fetch_optional(ex).await? {
                        Some(r) => (r.int("attempts")?, parse_retry(&r.text("retry")?)?),
                        None => {
                            return Err(StoreError::LeaseLost {
                                id,
                                worker: worker.to_string(),
                            })
                        }
                    }
                });
                retry.delay_after(u32::try_from(attempts.max(0)).unwrap_or(u32::MAX))
            }
        };
        match delay {
            Some(d) => {
                let at = now.saturating_add(duration_us(d));
                self.requeue(id, worker, 0, at, Some(message)).await?;
                tracing::info!(job = %id, "Job failed; retry scheduled.");
                Ok(FailOutcome::Retrying {
                    at: crate::db::from_micros(at)?,
                })
            }
            None => {
                let n = with_db!(self, write, "jobs/dead", |q, ex| {
                    q.bind(id.0)
                        .bind(worker)
                        .bind(message)
                        .bind(now)
                        .execute(ex)
                        .await?
                        .rows_affected()
                });
                lease_held(n, id, worker)?;
                tracing::warn!(job = %id, error = message, "Job dead-lettered.");
                Ok(FailOutcome::DeadLettered)
            }
        }
    }

    /// Puts a leased job back for `delay` without counting the run (it chose to wait, e.g. for budget).
    pub async fn reschedule(
        &self,
        id: JobId,
        worker: &str,
        delay: Duration,
    ) -> Result<(), StoreError> {
        let at = self.now_us().saturating_add(duration_us(delay));
        self.requeue(id, worker, 1, at, None).await
    }

    async fn requeue(
        &self,
        id: JobId,
        worker: &str,
        refund: i64,
        at: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = self.now_us();
        let n = with_db!(self, write, "jobs/requeue", |q, ex| {
            q.bind(id.0)
                .bind(worker)
                .bind(refund)
                .bind(at)
                .bind(error)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        lease_held(n, id, worker)?;
        self.job_bell.announce(at, now);
        Ok(())
    }

    /// Returns running jobs whose lease expired to the queue (or to the dead letters when that
    /// was their last allowed attempt). Returns how many were reaped.
    #[tracing::instrument(skip_all)]
    pub async fn reap_expired(&self) -> Result<u64, StoreError> {
        let now = self.now_us();
        let n = with_db!(self, write, "jobs/reap", |q, ex| q
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected());
        if n > 0 {
            tracing::warn!(reaped = n, "Expired job leases reaped.");
            self.job_bell.ring();
        }
        Ok(n)
    }

    /// When the earliest waiting job falls due (it may be now), or `None` with nothing queued:
    /// how long an idle worker may sleep before it has work.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        with_db!(self, read, "jobs/next_due", |q, ex| {
            let row = q.fetch_one(ex).await?;
            row.opt_time("run_at")
        })
    }

    pub async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Job>, StoreError> {
        let kind = filter.kind.as_deref();
        let limit = sql_limit(filter.limit);
        let Some(state) = filter.state.map(JobState::as_str) else {
            return with_db!(self, read, "jobs/list", |q, ex| {
                let rows = q
                    .bind(None::<&str>)
                    .bind(kind)
                    .bind(limit)
                    .fetch_all(ex)
                    .await?;
                rows.iter().map(Job::from_row).collect()
            });
        };
        with_db!(self, read, "jobs/list_in_state", |q, ex| {
            let rows = q.bind(state).bind(kind).bind(limit).fetch_all(ex).await?;
            rows.iter().map(Job::from_row).collect()
        })
    }

    pub async fn job(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        with_db!(self, read, "jobs/get", |q, ex| {
            q.bind(id.0)
                .fetch_optional(ex)
                .await?
                .map(|r| Job::from_row(&r))
                .transpose()
        })
    }

    /// The job holding an idempotency key, in any state.
    pub async fn job_by_key(&self, idempotency_key: &str) -> Result<Option<Job>, StoreError> {
        with_db!(self, read, "jobs/by_key", |q, ex| {
            q.bind(idempotency_key)
                .fetch_optional(ex)
                .await?
                .map(|r| Job::from_row(&r))
                .transpose()
        })
    }

    /// A dead job goes back to the queue, due now, with its attempts reset.
    #[tracing::instrument(skip_all, fields(job = %id))]
    pub async fn replay(&self, id: JobId) -> Result<bool, StoreError> {
        let now = self.now_us();
        let n = with_db!(self, write, "jobs/replay", |q, ex| q
            .bind(id.0)
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected());
        if n == 1 {
            self.job_bell.ring();
        }
        Ok(n == 1)
    }

    /// Replays every dead job of `kind` (any when `None`) that died between `from` and `to` (inclusive).
    pub async fn replay_dead(
        &self,
        kind: Option<&str>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        let now = self.now_us();
        let (from, to) = (from.map(micros), to.map(micros));
        let n = with_db!(self, write, "jobs/replay_dead", |q, ex| {
            q.bind(now)
                .bind(kind)
                .bind(from)
                .bind(to)
                .execute(ex)
                .await?
                .rows_affected()
        });
        if n > 0 {
            self.job_bell.ring();
        }
        Ok(n)
    }

    /// Marks every dead job of `kind` done, noting it was superseded: for periodic work, where a
    /// later run that succeeded has done everything the dead one would have, so it should not sit
    /// among the jobs waiting for a person to replay them. Returns how many were retired.
    pub async fn retire_dead(&self, kind: &str) -> Result<u64, StoreError> {
        let now = self.now_us();
        Ok(with_db!(self, write, "jobs/retire_dead", |q, ex| {
            q.bind(now).bind(kind).execute(ex).await?.rows_affected()
        }))
    }

    pub async fn queue_counts(&self) -> Result<QueueCounts, StoreError> {
        let now = self.now_us();
        let row_counts =
            |r: &dyn Fn(&str) -> Result<i64, StoreError>| -> Result<QueueCounts, StoreError> {
                let n = |c| r(c).map(|v| u64::try_from(v).unwrap_or(0));
                Ok(QueueCounts {
                    queued: n("queued")?,
                    scheduled: n("scheduled")?,
                    running: n("running")?,
                    dead: n("dead")?,
                    done: n("done")?,
                })
            };
        with_db!(self, read, "jobs/counts", |q, ex| {
            let row = q.bind(now).fetch_one(ex).await?;
            row_counts(&|c| row.int(c))
        })
    }
}

fn lease_held(rows: u64, id: JobId, worker: &str) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::LeaseLost {
            id,
            worker: worker.to_string(),
        })
    }
}
