//! The payload log's write-behind buffer: calls are gathered for a moment and written with one
//! statement, so logging costs one write per batch instead of one write per call (it was the
//! largest single kind of write the engine made: one row for every request it sent).

use crate::calls::{truncate_body, NewCall};
use crate::db::Db;
use crate::error::StoreError;
use crate::lite::LiteBuilder;
use crate::Store;
use sqlx::QueryBuilder;
use std::sync::Mutex;
use std::time::Duration;

/// How long a logged call may wait for others before the batch is written. Reads of the log in
/// this process write what is waiting first, so only other processes (a dashboard elsewhere)
/// ever see a call this much later.
const LINGER: Duration = Duration::from_millis(250);
/// A batch this large is written at once, by the caller that filled it.
const MAX_BATCH: usize = 200;
/// As is a batch whose bodies reach this many bytes: at 20,000 SKUs most reads return a full
/// 64 KiB body, and 200 of them waiting raised the engine's peak by a tenth.
const MAX_BATCH_BYTES: usize = 1024 * 1024;

/// Calls logged but not yet written, and the bytes of their bodies.
#[derive(Debug, Default)]
pub(crate) struct CallBuffer(Mutex<(Vec<PendingCall>, usize)>);

#[derive(Debug)]
struct PendingCall {
    at: i64,
    call: NewCall,
    status: Option<i64>,
    duration_ms: i64,
}

impl CallBuffer {
    /// Adds a call; returns how many are waiting now, and whether they make a full batch.
    fn push(&self, call: PendingCall) -> (usize, bool) {
        let mut pending = self.lock();
        pending.1 += call.body_bytes();
        pending.0.push(call);
        let full = pending.0.len() >= MAX_BATCH || pending.1 >= MAX_BATCH_BYTES;
        (pending.0.len(), full)
    }

    fn take(&self) -> Vec<PendingCall> {
        let mut pending = self.lock();
        pending.1 = 0;
        std::mem::take(&mut pending.0)
    }

    /// A poisoned buffer still holds valid rows: a panic elsewhere must not stop the log.
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<PendingCall>, usize)> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl PendingCall {
    fn body_bytes(&self) -> usize {
        let len = |body: &Option<String>| body.as_ref().map_or(0, String::len);
        len(&self.call.request) + len(&self.call.response)
    }
}

/// A body cut to the payload log's limit; one within it is kept as it is, not copied.
fn cut(body: String) -> String {
    if body.len() > crate::MAX_BODY_BYTES {
        truncate_body(&body)
    } else {
        body
    }
}

impl Store {
    /// Logs a call. It is written within [`LINGER`], with the calls logged around it; a read of
    /// the log in this process (or [`Store::flush_calls`]) writes it first.
    pub async fn log_call(&self, mut call: NewCall) -> Result<(), StoreError> {
        // Cut now: a waiting batch of full pages must not hold megabytes.
        call.request = call.request.map(cut);
        call.response = call.response.map(cut);
        let pending = PendingCall {
            at: self.now_us(),
            status: call.status.map(i64::from),
            duration_ms: i64::try_from(call.duration_ms).unwrap_or(i64::MAX),
            call,
        };
        match self.call_buffer.push(pending) {
            (_, true) => self.flush_calls().await,
            // The first of a batch arranges its writing; the rest join it.
            (1, false) => {
                let store = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(LINGER).await;
                    if let Err(e) = store.flush_calls().await {
                        tracing::warn!(error = %e, "Could not write the payload log.");
                    }
                });
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Writes every call waiting in this process's buffer. A batch the store refuses is lost,
    /// as a single call's row was before: the payload log never fails or holds up the calls.
    pub async fn flush_calls(&self) -> Result<(), StoreError> {
        let waiting = self.call_buffer.take();
        for batch in waiting.chunks(MAX_BATCH) {
            self.insert_calls(batch).await?;
        }
        Ok(())
    }

    async fn insert_calls(&self, batch: &[PendingCall]) -> Result<(), StoreError> {
        const INSERT: &str = "INSERT INTO calls (at, system, method, path, status, duration_ms, \
                              request, response, subject, error) ";
        macro_rules! insert {
            ($builder:expr, $pool:expr) => {{
                let mut query = $builder;
                query.push_values(batch, |mut row, p| {
                    row.push_bind(p.at)
                        .push_bind(p.call.system.as_str())
                        .push_bind(p.call.method.as_str())
                        .push_bind(p.call.path.as_str())
                        .push_bind(p.status)
                        .push_bind(p.duration_ms)
                        .push_bind(p.call.request.as_deref())
                        .push_bind(p.call.response.as_deref())
                        .push_bind(p.call.subject.as_deref())
                        .push_bind(p.call.error.as_deref());
                });
                query.build().execute($pool).await?;
            }};
        }
        match &self.db {
            Db::Sqlite { write, .. } => insert!(LiteBuilder::new(INSERT), write),
            Db::Postgres(pool) => insert!(QueryBuilder::<sqlx::Postgres>::new(INSERT), pool),
        }
        Ok(())
    }
}
