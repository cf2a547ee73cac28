//! The job types of the durable queue: what is enqueued, what a claim returns, and the filters.

use crate::db::RowExt;
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use concord_core::retry::RetryPolicy;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A job's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A job's lifecycle. A retry that is waiting is `Queued` with a future `run_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Dead,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job to enqueue. The idempotency key makes a second enqueue of the same work a no-op.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub priority: i32,
    /// `None` means now (on the store's clock).
    pub run_at: Option<DateTime<Utc>>,
    pub retry: RetryPolicy,
}

impl NewJob {
    /// A job due now, priority 0, with the default retry policy.
    pub fn new(
        kind: impl Into<String>,
        idempotency_key: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        NewJob {
            kind: kind.into(),
            payload,
            idempotency_key: idempotency_key.into(),
            priority: 0,
            run_at: None,
            retry: RetryPolicy::DEFAULT,
        }
    }

    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub priority: i32,
    pub state: JobState,
    /// Runs that counted: each claim adds one; a `RetryAfter` failure or a reschedule gives it back.
    pub attempts: u32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub retry: RetryPolicy,
}

impl Job {
    pub(crate) fn from_row(row: &impl RowExt) -> Result<Job, StoreError> {
        let state = row.text("state")?;
        Ok(Job {
            id: JobId(row.int("id")?),
            kind: row.text("kind")?,
            payload: row.json("payload")?,
            idempotency_key: row.text("idempotency_key")?,
            priority: to_i32(row.int("priority")?)?,
            state: JobState::parse(&state)
                .ok_or_else(|| StoreError::corrupt(format!("job state `{state}`")))?,
            attempts: u32::try_from(row.int("attempts")?.max(0)).unwrap_or(u32::MAX),
            run_at: row.time("run_at")?,
            last_error: row.opt_text("last_error")?,
            created_at: row.time("created_at")?,
            updated_at: row.time("updated_at")?,
            lease_owner: row.opt_text("lease_owner")?,
            lease_expires_at: row.opt_time("lease_expires_at")?,
            retry: parse_retry(&row.text("retry")?)?,
        })
    }
}

pub(crate) fn parse_retry(text: &str) -> Result<RetryPolicy, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("retry policy: {e}")))
}

fn to_i32(v: i64) -> Result<i32, StoreError> {
    i32::try_from(v).map_err(|_| StoreError::corrupt(format!("priority {v}")))
}

/// What [`crate::Store::fail`] did with the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    Retrying { at: DateTime<Utc> },
    DeadLettered,
}

/// Which jobs [`crate::Store::list_jobs`] returns, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub kind: Option<String>,
    /// At most this many; 0 means no limit.
    pub limit: u32,
}

impl Default for JobFilter {
    fn default() -> Self {
        JobFilter {
            state: None,
            kind: None,
            limit: 100,
        }
    }
}

/// Jobs per state. `queued` are due now; `scheduled` are queued with a future `run_at`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    pub queued: u64,
    pub scheduled: u64,
    pub running: u64,
    pub dead: u64,
    pub done: u64,
}

/// A `limit: u32` where 0 means "all", as SQL's `LIMIT`.
pub(crate) fn sql_limit(limit: u32) -> i64 {
    if limit == 0 {
        i64::MAX
    } else {
        i64::from(limit)
    }
}
