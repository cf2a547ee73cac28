//! The engine: workers that claim jobs, the schedules that enqueue periodic work, and the webhook
//! receivers. All tasks share one shutdown: stopping (or a simulated crash) aborts them together.

mod dispatch;
pub use dispatch::{reruns_in_full, STOCK_SYNC};
pub mod retention;
mod schedule;
pub mod supervise;
pub mod webhook_limits;
pub mod webhooks;
mod worker;

pub use worker::lease;

use crate::sync::context::Context;
use tokio::task::JoinSet;

/// A running engine; dropping it without [`EngineHandle::stop`] leaves its tasks running.
pub struct EngineHandle {
    tasks: JoinSet<()>,
    board: std::sync::Arc<supervise::WorkerBoard>,
    store: concord_store::Store,
}

pub fn start(ctx: Context, workers: usize) -> EngineHandle {
    let mut tasks = JoinSet::new();
    // Distinct per start, so a restarted engine in the same process never inherits old leases.
    let run_id: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .take(8)
        .collect();
    ctx.workers.expect(workers.max(1));
    let idle = std::sync::Arc::new(worker::IdleWorkers::default());
    for n in 0..workers.max(1) {
        tasks.spawn(supervise::worker(
            ctx.clone(),
            format!("{}-{run_id}-w{n}", std::process::id()),
            idle.clone(),
        ));
    }
    let (board, store) = (ctx.workers.clone(), ctx.store.clone());
    tasks.spawn(schedule::run(ctx.clone()));
    tasks.spawn(schedule::reaper(ctx));
    EngineHandle {
        tasks,
        board,
        store,
    }
}

impl EngineHandle {
    /// Stops every task at once. Jobs in flight keep their lease and are reaped after it expires,
    /// exactly as after a crash; the store never sees a half-done job as done.
    pub async fn stop(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        // Stopped on purpose (shutdown, the end of a demo): no worker is missing, so readiness
        // reflects the store alone until an engine starts again.
        self.board.expect(0);
        // The payload log is written behind the calls: what is waiting goes down now.
        if let Err(e) = self.store.flush_calls().await {
            tracing::warn!(error = %e, "Could not write the last payload-log rows.");
        }
    }
}

/// Enqueues a job now, outside its schedule (start-up, the end of a demo, an operator's request).
pub async fn schedule_now(ctx: &Context, kind: &str, priority: i32) {
    let key = format!("{kind}:now:{:.3}", ctx.clock.elapsed_s());
    schedule::enqueue_keyed(ctx, kind, &key, priority, None, None).await;
}

/// As [`schedule_now`], with a key the caller chooses (to follow the job afterwards).
pub async fn schedule_now_keyed(ctx: &Context, kind: &str, key: &str, priority: i32) {
    schedule::enqueue_keyed(ctx, kind, key, priority, None, None).await;
}
