//! The reads behind the dashboard's charts: calls per minute, successful calls of one kind,
//! when records were first stored, and how long each exception stayed open. Each returns only
//! the few columns a chart needs (no payload bodies, no record data).

use crate::db::{micros, with_db, RowExt};
use crate::error::StoreError;
use crate::Store;
use chrono::{DateTime, Utc};
use concord_core::catalogue::Owner;

/// How many calls to one system were logged in one minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteCount {
    pub minute: DateTime<Utc>,
    pub calls: u64,
}

/// One successful call: when, and what it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMark {
    pub at: DateTime<Utc>,
    pub subject: Option<String>,
}

/// When an exception was first raised and, if it is resolved or ignored now, when it was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionSpan {
    pub owner: Owner,
    pub opened: DateTime<Utc>,
    pub closed: Option<DateTime<Utc>>,
}

const MINUTE_US: i64 = 60_000_000;

impl Store {
    /// Calls logged for `system` per minute since `since`, oldest first; minutes without calls
    /// are absent.
    pub async fn calls_per_minute(
        &self,
        system: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<MinuteCount>, StoreError> {
        self.flush_calls().await?;
        with_db!(self, read, "charts/calls_per_minute", |q, ex| {
            let rows = q.bind(system).bind(micros(since)).fetch_all(ex).await?;
            rows.iter()
                .map(|r| {
                    Ok(MinuteCount {
                        minute: crate::db::from_micros(r.int("minute")? * MINUTE_US)?,
                        calls: u64::try_from(r.int("n")?).unwrap_or(0),
                    })
                })
                .collect()
        })
    }

    /// Successful (2xx) calls of `method` to paths matching the SQL `LIKE` pattern `path`,
    /// logged for `system` since `since`, oldest first.
    pub async fn call_marks(
        &self,
        system: &str,
        method: &str,
        path: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<CallMark>, StoreError> {
        self.flush_calls().await?;
        with_db!(self, read, "charts/call_marks", |q, ex| {
            let rows = q
                .bind(system)
                .bind(method)
                .bind(path)
                .bind(micros(since))
                .fetch_all(ex)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(CallMark {
                        at: r.time("at")?,
                        subject: r.opt_text("subject")?,
                    })
                })
                .collect()
        })
    }

    /// (key, first stored) of the records of `kind` first stored since `since`, oldest first.
    pub async fn records_created_since(
        &self,
        kind: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        with_db!(self, read, "charts/records_created", |q, ex| {
            let rows = q.bind(kind).bind(micros(since)).fetch_all(ex).await?;
            rows.iter()
                .map(|r| Ok((r.text("key")?, r.time("created_at")?)))
                .collect()
        })
    }

    /// Every exception open at some moment between `since` and `until`: raised by `until`, and
    /// still open or closed after `since`. The closing time is that of its last resolution or
    /// dismissal in the audit log (its last sighting when the log has none).
    pub async fn exception_spans(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<ExceptionSpan>, StoreError> {
        with_db!(self, read, "charts/exception_spans", |q, ex| {
            let rows = q
                .bind(micros(since))
                .bind(micros(until))
                .fetch_all(ex)
                .await?;
            rows.iter()
                .map(|r| {
                    let owner = r.text("owner")?;
                    Ok(ExceptionSpan {
                        owner: Owner::parse(&owner)
                            .ok_or_else(|| StoreError::corrupt(format!("owner `{owner}`")))?,
                        opened: r.time("first_seen")?,
                        closed: r.opt_time("closed_at")?,
                    })
                })
                .collect()
        })
    }
}
