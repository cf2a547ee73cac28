//! A worker: claim due jobs with a lease, run each, heartbeat while it runs, then complete or fail
//! it with the failure's own retry intent.

use super::dispatch;
use super::LEASE;
use crate::sync::context::Context;
use concord_store::{FailOutcome, Job};
use std::time::Duration;

/// Renews the lease while the job runs; returns only if the lease was lost to another worker,
/// in which case this worker must stop working on the job.
async fn heartbeat(ctx: &Context, worker: &str, job: &Job) {
    loop {
        ctx.clock.sleep(LEASE / 3).await;
        match ctx.store.heartbeat(job.id, worker, LEASE).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    job = job.id.0,
                    "Lost the lease; leaving the job to its new owner."
                );
                return;
            }
            Err(e) => tracing::warn!(error = %e, job = job.id.0, "Could not renew a lease."),
        }
    }
}

pub async fn run(ctx: Context, worker: String) {
    loop {
        match ctx.store.claim(&worker, 1, LEASE).await {
            Ok(jobs) if !jobs.is_empty() => {
                for job in jobs {
                    run_one(&ctx, &worker, job).await;
                }
            }
            Ok(_) => ctx.clock.sleep(Duration::from_secs(2)).await,
            Err(e) => {
                tracing::warn!(error = %e, "Could not claim jobs.");
                ctx.clock.sleep(Duration::from_secs(10)).await;
            }
        }
    }
}

async fn run_one(ctx: &Context, worker: &str, job: Job) {
    // The heartbeat lives inside this future, not in a task of its own: when the engine stops (or
    // crashes), it stops with the job and the lease can expire, so another worker takes over.
    let result = tokio::select! {
        result = dispatch::run(ctx, &job) => result,
        () = heartbeat(ctx, worker, &job) => return,
    };
    let outcome = match result {
        Ok(()) => ctx.store.complete(job.id, worker).await.map(|_| None),
        Err(failure) => {
            tracing::warn!(
                job = job.id.0,
                kind = job.kind,
                error = failure.message(),
                "Job failed."
            );
            ctx.store.fail(job.id, worker, &failure).await.map(Some)
        }
    };
    match outcome {
        Ok(Some(FailOutcome::DeadLettered)) => dispatch::dead_lettered(ctx, &job).await,
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, job = job.id.0, "Could not record a job's outcome; its lease will expire and it will run again.")
        }
    }
}
