//! A worker: claim due jobs with a lease, run each, heartbeat while it runs, then complete or fail
//! it with the failure's own retry intent.

use super::dispatch;
use crate::sync::context::Context;
use concord_core::Clock;
use concord_store::{FailOutcome, Job};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How long a claimed job is ours before another worker may take it: two minutes of clock time,
/// but never under two wall seconds, so a fast scenario clock cannot expire a lease while a job
/// is merely busy on the CPU.
pub fn lease(clock: &Clock) -> Duration {
    Duration::from_secs(120).max(Duration::from_secs_f64(2.0 * clock.speed()))
}

/// The heartbeat runs as its own task (so a CPU-busy job cannot starve it) and is aborted when
/// this guard drops: when the job ends, and when the engine stops or crashes mid-job.
struct Heartbeat(JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn start_heartbeat(ctx: &Context, worker: &str, job: &Job) -> Heartbeat {
    let (store, clock, id, worker) = (
        ctx.store.clone(),
        ctx.clock.clone(),
        job.id,
        worker.to_owned(),
    );
    Heartbeat(tokio::spawn(async move {
        let lease = lease(&clock);
        loop {
            clock.sleep(lease / 3).await;
            match store.heartbeat(id, &worker, lease).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(
                        job = id.0,
                        "Lost the lease; the job now belongs to another worker."
                    );
                    return;
                }
                Err(e) => tracing::warn!(error = %e, job = id.0, "Could not renew a lease."),
            }
        }
    }))
}

pub async fn run(ctx: Context, worker: String, idle: Arc<IdleWorkers>) {
    let lease = lease(&ctx.clock);
    loop {
        match ctx.store.claim(&worker, 1, lease).await {
            Ok(jobs) if !jobs.is_empty() => {
                for job in jobs {
                    run_one(&ctx, &worker, job).await;
                }
            }
            Ok(_) => idle.wait(&ctx).await,
            Err(e) => {
                tracing::warn!(error = %e, "Could not claim jobs.");
                ctx.clock.sleep(Duration::from_secs(10)).await;
            }
        }
    }
}

/// How a process's idle workers share the waiting: one of them (the timekeeper) sleeps until the
/// earliest queued job falls due, the rest only until a bell rings. A job falling due then wakes
/// one worker, not all of them: with every idle worker watching the clock, each due time cost one
/// claim per worker, all but one finding nothing (two fifths of the store's statements).
#[derive(Debug, Default)]
pub struct IdleWorkers {
    timekeeper_taken: AtomicBool,
    /// Rung when the timekeeper gives up its watch, so another idle worker takes it over.
    handover: Notify,
}

/// Gives the timekeeper's watch back when the timekeeper wakes (or is aborted) and hands it on.
struct Watch<'a>(&'a IdleWorkers);

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        self.0.timekeeper_taken.store(false, Ordering::SeqCst);
        self.0.handover.notify_one();
    }
}

impl IdleWorkers {
    /// Returns when this worker should try to claim again.
    async fn wait(&self, ctx: &Context) {
        loop {
            if self
                .timekeeper_taken
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let _watch = Watch(self);
                wait_for_work(ctx).await;
                return;
            }
            // A bound all the same, so no mistake in the hand-over can leave work unclaimed.
            let bound = 10 * longest_idle(&ctx.clock);
            tokio::select! {
                () = ctx.store.job_bell().rung() => return,
                () = self.handover.notified() => {}
                () = ctx.clock.sleep(bound) => return,
            }
        }
    }
}

/// The longest an idle worker sleeps unless its bell rings: two seconds of clock time, but at
/// least half a wall second. Jobs another process enqueues ring no bell here, so this bounds how
/// late they are seen; asking the database more often than that only burned CPU (at 70x, four
/// idle workers made 140 claim transactions a second).
pub fn longest_idle(clock: &Clock) -> Duration {
    Duration::from_secs(2).max(Duration::from_secs_f64(0.5 * clock.speed()))
}

/// The timekeeper's wait: until the earliest queued job falls due, a job is enqueued here (the
/// bell), or [`longest_idle`] passes, whichever comes first. A job this process queues for later
/// (a retry, a deferral) moves the wake-up earlier when it comes first.
async fn wait_for_work(ctx: &Context) {
    let bell = ctx.store.job_bell();
    // Anything queued for later before this read is in it.
    let _ = bell.take_earliest_later();
    let longest = chrono::Duration::from_std(longest_idle(&ctx.clock))
        .ok()
        .and_then(|idle| ctx.clock.now().checked_add_signed(idle))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    let mut wake_at = match ctx.store.next_due().await {
        Ok(Some(due)) => due.min(longest),
        Ok(None) => longest,
        Err(e) => {
            tracing::warn!(error = %e, "Could not read when the next job is due.");
            longest
        }
    };
    loop {
        if let Some(later) = bell.take_earliest_later() {
            wake_at = wake_at.min(later);
        }
        let wait = until(&ctx.clock, wake_at);
        if wait.is_zero() {
            // Due already (another worker may take it first): claim after a breath, never spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            return;
        }
        tokio::select! {
            () = bell.rung() => return,
            () = bell.queued_for_later() => {}
            () = ctx.clock.sleep(wait) => return,
        }
    }
}

/// Clock time from now until `when` (zero when it has passed).
fn until(clock: &Clock, when: chrono::DateTime<chrono::Utc>) -> Duration {
    (when - clock.now()).to_std().unwrap_or(Duration::ZERO)
}

/// Runs one job so that a panic in it fails that job (retried, then dead-lettered) instead of
/// killing the worker and every job behind it.
async fn isolated(ctx: &Context, job: &Job) -> Result<(), concord_core::retry::Failure> {
    match catch_panic(dispatch::run(ctx, job)).await {
        Ok(result) => result,
        Err(what) => {
            ctx.workers.job_panicked();
            metrics::counter!("concord_job_panics_total").increment(1);
            tracing::error!(
                job = job.id.0,
                kind = job.kind,
                panic = what,
                "A job panicked; it fails and is retried like any failure."
            );
            Err(concord_core::retry::Failure::Retryable(format!(
                "the job panicked: {what}"
            )))
        }
    }
}

/// The job's own result, or what its panic said.
async fn catch_panic<T>(job: impl std::future::Future<Output = T>) -> Result<T, String> {
    use futures::FutureExt;
    std::panic::AssertUnwindSafe(job)
        .catch_unwind()
        .await
        .map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned())
        })
}

async fn run_one(ctx: &Context, worker: &str, job: Job) {
    let heartbeat = start_heartbeat(ctx, worker, &job);
    let result = isolated(ctx, &job).await;
    drop(heartbeat);
    let outcome = match result {
        Ok(()) => ctx.store.complete(job.id, worker).await.map(|_| None),
        Err(failure) => {
            if let concord_core::retry::Failure::RetryAfter(..) = failure {
                // Waiting its turn (budget, another process, a running sync) is not a failure.
                tracing::debug!(
                    job = job.id.0,
                    kind = job.kind,
                    reason = failure.message(),
                    "Job deferred."
                );
            } else {
                tracing::warn!(
                    job = job.id.0,
                    kind = job.kind,
                    error = failure.message(),
                    "Job failed."
                );
            }
            ctx.store.fail(job.id, worker, &failure).await.map(Some)
        }
    };
    match outcome {
        Ok(Some(FailOutcome::DeadLettered)) => dispatch::dead_lettered(ctx, &job).await,
        Ok(None) if dispatch::reruns_in_full(&job.kind) => {
            // Runs that died in an outage are done now: nobody needs to replay them.
            if let Err(e) = ctx.store.retire_dead(&job.kind).await {
                tracing::warn!(error = %e, kind = job.kind, "Could not retire superseded dead jobs.");
            }
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, job = job.id.0, "Could not record a job's outcome; its lease will expire and it will run again.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_becomes_a_failure_and_the_caller_carries_on() {
        let job = async {
            if true {
                panic!("quantity × price overflowed");
            }
            Ok::<(), String>(())
        };
        match catch_panic(job).await {
            Err(what) => assert!(what.contains("overflowed"), "{what}"),
            Ok(_) => panic!("the panic was not caught"),
        }
        let ok = catch_panic(async { 7u8 }).await;
        assert_eq!(ok, Ok(7));
    }
}
