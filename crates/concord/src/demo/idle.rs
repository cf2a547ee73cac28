//! When a demo run is over: the timeline has ended, no work is queued, running or waiting to retry,
//! no webhook delivery is pending, and a full stock sync and a reconciliation have completed after
//! that. A slow, rate-limited run is therefore never idle early.
//!
//! Periodic jobs (polls, monitors) that merely come due are not "work": at high speeds a poll is
//! due every few milliseconds and would keep a finished run busy for ever. A periodic job that is
//! failing and waiting to retry is work.

use super::harness::Harness;
use crate::engine::schedule_now_keyed;
use crate::sync::context::Context;
use concord_store::{Job, JobFilter, JobState};

pub struct IdleWatch {
    run_until_s: Option<f64>,
    final_keys: Option<[String; 2]>,
    quiet_checks: u32,
}

/// Consecutive quiet observations needed: a job may be between claim and start for a moment.
const QUIET_CHECKS: u32 = 4;

impl IdleWatch {
    pub fn new(run_until_s: Option<f64>) -> Self {
        IdleWatch {
            run_until_s,
            final_keys: None,
            quiet_checks: 0,
        }
    }

    /// True when the run should end.
    pub async fn check(&mut self, ctx: &Context, emulators: &Harness) -> anyhow::Result<bool> {
        if self
            .run_until_s
            .is_some_and(|until| ctx.clock.elapsed_s() >= until)
        {
            return Ok(true);
        }
        if !emulators.timeline_done() {
            return Ok(false);
        }
        let busy = has_work(ctx).await? || emulators.pending_webhooks() > 0;
        self.quiet_checks = if busy { 0 } else { self.quiet_checks + 1 };
        if self.quiet_checks < QUIET_CHECKS {
            return Ok(false);
        }
        match &self.final_keys {
            None => {
                let stamp = format!("final:{:.3}", ctx.clock.elapsed_s());
                let keys = [format!("stock.sync:{stamp}"), format!("reconcile:{stamp}")];
                schedule_now_keyed(ctx, "stock.sync", &keys[0], 5).await;
                schedule_now_keyed(ctx, "reconcile", &keys[1], 1).await;
                self.final_keys = Some(keys);
                self.quiet_checks = 0;
                Ok(false)
            }
            Some(keys) => {
                for key in keys {
                    let state = ctx.store.job_by_key(key).await?.map(|j| j.state);
                    if !matches!(state, Some(JobState::Done | JobState::Dead)) {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        }
    }
}

/// Work still to do: any queued or running job but a periodic one that is merely due.
async fn has_work(ctx: &Context) -> anyhow::Result<bool> {
    for state in [JobState::Running, JobState::Queued] {
        let jobs = ctx
            .store
            .list_jobs(&JobFilter {
                state: Some(state),
                kind: None,
                limit: 0,
            })
            .await?;
        if jobs.iter().any(is_work) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn is_work(job: &Job) -> bool {
    let periodic = job.idempotency_key.contains(":slot:");
    !periodic || job.last_error.is_some()
}
