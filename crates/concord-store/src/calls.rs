//! The payload log: one row per external call, for the order trail and for debugging, with
//! retention by age.

use crate::db::{duration_us, with_db, RowExt};
use crate::error::StoreError;
use crate::job::sql_limit;
use crate::Store;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Bodies are cut to this many bytes so one huge response cannot bloat the store.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
const TRUNCATED: &str = "…[truncated]";

/// An external call to log. Callers redact secrets before handing it over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCall {
    /// `"oro"` or `"cin7"` (or anything naming the remote system).
    pub system: String,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub request: Option<String>,
    pub response: Option<String>,
    /// What the call was about, e.g. `order:1001`, so a trail can find it.
    pub subject: Option<String>,
    pub error: Option<String>,
}

/// A logged call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub system: String,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub request: Option<String>,
    pub response: Option<String>,
    pub subject: Option<String>,
    pub error: Option<String>,
}

impl Call {
    fn from_row(r: &impl RowExt) -> Result<Call, StoreError> {
        Ok(Call {
            id: r.int("id")?,
            at: r.time("at")?,
            system: r.text("system")?,
            method: r.text("method")?,
            path: r.text("path")?,
            status: r.opt_int("status")?.and_then(|s| u16::try_from(s).ok()),
            duration_ms: u64::try_from(r.int("duration_ms")?).unwrap_or(0),
            request: r.opt_text("request")?,
            response: r.opt_text("response")?,
            subject: r.opt_text("subject")?,
            error: r.opt_text("error")?,
        })
    }
}

/// Which calls [`Store::calls`] returns, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFilter {
    pub subject: Option<String>,
    pub system: Option<String>,
    /// At most this many; 0 means no limit.
    pub limit: u32,
}

impl Default for CallFilter {
    fn default() -> Self {
        CallFilter {
            subject: None,
            system: None,
            limit: 100,
        }
    }
}

/// Cuts a body to [`MAX_BODY_BYTES`] on a character boundary, marking the cut.
pub fn truncate_body(body: &str) -> String {
    truncate_body_to(body, MAX_BODY_BYTES)
}

/// Cuts a body to `limit` bytes (at most [`MAX_BODY_BYTES`]) on a character boundary, marking
/// the cut.
pub fn truncate_body_to(body: &str, limit: usize) -> String {
    let limit = limit.clamp(TRUNCATED.len(), MAX_BODY_BYTES);
    if body.len() <= limit {
        return body.to_string();
    }
    let mut end = limit - TRUNCATED.len();
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{TRUNCATED}", &body[..end])
}

impl Store {
    /// Calls logged, newest first (what this process logged included: it is written first).
    pub async fn calls(&self, filter: &CallFilter) -> Result<Vec<Call>, StoreError> {
        self.flush_calls().await?;
        let (subject, system) = (filter.subject.as_deref(), filter.system.as_deref());
        with_db!(self, read, "calls/list", |q, ex| {
            let rows = q
                .bind(subject)
                .bind(system)
                .bind(sql_limit(filter.limit))
                .fetch_all(ex)
                .await?;
            rows.iter().map(Call::from_row).collect()
        })
    }

    /// Deletes at most `batch` of the oldest calls logged more than `age` ago; returns how many.
    /// Small batches keep each write short, so retention never holds the store's write lock
    /// (SQLite) or a long transaction (PostgreSQL) against the engine.
    pub async fn purge_calls_batch(&self, age: Duration, batch: u32) -> Result<u64, StoreError> {
        self.flush_calls().await?;
        let cutoff = self.now_us().saturating_sub(duration_us(age));
        Ok(with_db!(self, write, "calls/purge_batch", |q, ex| q
            .bind(cutoff)
            .bind(i64::from(batch.max(1)))
            .execute(ex)
            .await?
            .rows_affected()))
    }

    /// When the oldest call still in the payload log was made; `None` when the log is empty.
    pub async fn oldest_call_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.flush_calls().await?;
        with_db!(self, read, "calls/oldest", |q, ex| {
            match q.fetch_optional(ex).await? {
                Some(row) => row.time("at").map(Some),
                None => Ok(None),
            }
        })
    }

    /// Deletes calls logged more than `age` ago; returns how many.
    pub async fn purge_calls_older_than(&self, age: Duration) -> Result<u64, StoreError> {
        self.flush_calls().await?;
        let cutoff = self.now_us().saturating_sub(duration_us(age));
        Ok(with_db!(self, write, "calls/purge", |q, ex| q
            .bind(cutoff)
            .execute(ex)
            .await?
            .rows_affected()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        let body = "é".repeat(MAX_BODY_BYTES);
        let cut = truncate_body(&body);
        assert!(cut.len() <= MAX_BODY_BYTES);
        assert!(cut.ends_with(TRUNCATED));
        assert_eq!(truncate_body("short"), "short");
    }
}
