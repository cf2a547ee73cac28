//! Keeps the workers alive: each runs in its own task, and one that ends (a panic outside a job)
//! is restarted after a pause. [`WorkerBoard`] counts live workers and restarts for `/readyz`.

use crate::sync::context::Context;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Pause before a dead worker is restarted, so a worker that dies at once cannot spin.
const RESTART_PAUSE: Duration = Duration::from_secs(1);

/// Live workers, how many there should be, and how often one had to be restarted.
#[derive(Debug, Default)]
pub struct WorkerBoard {
    expected: AtomicUsize,
    alive: AtomicUsize,
    restarts: AtomicU64,
    job_panics: AtomicU64,
}

/// What `/readyz` reports about the workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WorkerStatus {
    pub expected: usize,
    pub alive: usize,
    pub restarts: u64,
    pub job_panics: u64,
}

impl WorkerStatus {
    /// Every worker an engine started is running (no engine in this process: nothing to miss).
    pub fn ready(&self) -> bool {
        self.alive >= self.expected
    }
}

impl WorkerBoard {
    pub fn status(&self) -> WorkerStatus {
        WorkerStatus {
            expected: self.expected.load(Ordering::SeqCst),
            alive: self.alive.load(Ordering::SeqCst),
            restarts: self.restarts.load(Ordering::SeqCst),
            job_panics: self.job_panics.load(Ordering::SeqCst),
        }
    }

    pub fn job_panicked(&self) {
        self.job_panics.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn expect(&self, workers: usize) {
        self.expected.store(workers, Ordering::SeqCst);
    }
}

/// Aborts the worker's task when the supervisor is aborted (engine stop or simulated crash).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Counts a worker alive while it exists.
struct Alive<'a>(&'a WorkerBoard);

impl<'a> Alive<'a> {
    fn new(board: &'a WorkerBoard) -> Self {
        board.alive.fetch_add(1, Ordering::SeqCst);
        Alive(board)
    }
}

impl Drop for Alive<'_> {
    fn drop(&mut self) {
        self.0.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `worker::run` for `name` forever, restarting it whenever it ends.
pub async fn worker(ctx: Context, name: String, idle: Arc<super::worker::IdleWorkers>) {
    let board = ctx.workers.clone();
    keep_alive(&board, &name, || {
        super::worker::run(ctx.clone(), name.clone(), idle.clone())
    })
    .await;
}

/// Runs what `start` makes in its own task, again after every end, counting it on `board`.
async fn keep_alive<F, Fut>(board: &WorkerBoard, name: &str, start: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        let mut task = AbortOnDrop(tokio::spawn(start()));
        let ended = {
            let _alive = Alive::new(board);
            (&mut task.0).await
        };
        match ended {
            Err(e) if e.is_panic() => {
                tracing::error!(worker = name, "A worker panicked; restarting it.");
            }
            _ => tracing::error!(worker = name, "A worker stopped; restarting it."),
        }
        board.restarts.fetch_add(1, Ordering::SeqCst);
        metrics::counter!("concord_worker_restarts_total").increment(1);
        tokio::time::sleep(RESTART_PAUSE).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_worker_that_panics_is_restarted_and_counted() {
        let board = Arc::new(WorkerBoard::default());
        board.expect(1);
        let runs = Arc::new(AtomicUsize::new(0));
        let (b, r) = (board.clone(), runs.clone());
        let supervisor = tokio::spawn(async move {
            keep_alive(&b, "w0", move || {
                let r = r.clone();
                async move {
                    if r.fetch_add(1, Ordering::SeqCst) == 0 {
                        panic!("first run dies");
                    }
                    std::future::pending::<()>().await;
                }
            })
            .await;
        });
        // Wait for the restart (one pause), with room for a busy machine.
        for _ in 0..100 {
            if board.status().alive == 1 && runs.load(Ordering::SeqCst) == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = board.status();
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!((status.alive, status.restarts), (1, 1));
        assert!(status.ready());
        supervisor.abort();
        let _ = supervisor.await;
        assert_eq!(
            board.status().alive,
            0,
            "an aborted supervisor stops its worker"
        );
        assert!(!board.status().ready());
    }
}
