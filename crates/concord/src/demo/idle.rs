//! When a demo run is over: the timeline has ended, nothing is queued, running or waiting to retry,
//! no webhook delivery is pending, and a full stock sync and a reconciliation have completed after
//! that. A slow, rate-limited run is therefore never idle early.

use crate::engine::schedule_now;
use crate::sync::context::Context;
use concord_emulators::Emulators;

pub struct IdleWatch {
    run_until_s: Option<f64>,
    final_pass: bool,
    quiet_checks: u32,
}

/// Consecutive quiet observations needed: a job may be between claim and start for a moment.
const QUIET_CHECKS: u32 = 4;

impl IdleWatch {
    pub fn new(run_until_s: Option<f64>) -> Self {
        IdleWatch {
            run_until_s,
            final_pass: false,
            quiet_checks: 0,
        }
    }

    /// True when the run should end.
    pub async fn check(&mut self, ctx: &Context, emulators: &Emulators) -> anyhow::Result<bool> {
        if self
            .run_until_s
            .is_some_and(|until| ctx.clock.elapsed_s() >= until)
        {
            return Ok(true);
        }
        if !emulators.timeline_done() {
            return Ok(false);
        }
        let counts = ctx.store.queue_counts().await?;
        let busy = counts.queued + counts.scheduled + counts.running > 0
            || emulators.pending_webhooks() > 0;
        self.quiet_checks = if busy { 0 } else { self.quiet_checks + 1 };
        if self.quiet_checks < QUIET_CHECKS {
            return Ok(false);
        }
        if !self.final_pass {
            self.final_pass = true;
            self.quiet_checks = 0;
            schedule_now(ctx, "stock.sync", 5).await;
            schedule_now(ctx, "reconcile", 1).await;
            return Ok(false);
        }
        // Idle. Without --exit-when-idle the caller keeps serving the dashboard after the summary.
        Ok(true)
    }
}
