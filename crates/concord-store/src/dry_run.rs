//! The writes a dry run would have made: each one Concord's clients recorded instead of sending
//! to Cin7 or Oro, with its full payload (never cut, unlike the payload log: showing exactly what
//! would be written is the point) and the synthetic answer the flow continued with.

use crate::db::{with_db, RowExt};
use crate::error::StoreError;
use crate::job::sql_limit;
use crate::Store;
use chrono::{DateTime, Utc};

/// A write to record. Callers redact secrets before handing it over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewDryRunWrite {
    /// `"cin7"` or `"oro"`.
    pub system: String,
    /// What it would have written: `sale`, `customer`, `stock levels`, …
    pub kind: String,
    pub method: String,
    /// The path with its query, as it would have been sent.
    pub path: String,
    /// What the write was about, e.g. `order:1001`.
    pub subject: Option<String>,
    pub payload: Option<serde_json::Value>,
    /// The answer the flow was given in place of the system's.
    pub answer: serde_json::Value,
}

/// A recorded write.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRunWrite {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub system: String,
    pub kind: String,
    pub method: String,
    pub path: String,
    pub subject: Option<String>,
    pub payload: Option<serde_json::Value>,
    pub answer: serde_json::Value,
}

impl DryRunWrite {
    fn from_row(r: &impl RowExt) -> Result<DryRunWrite, StoreError> {
        let payload = match r.opt_text("payload")? {
            Some(text) => Some(
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::corrupt(format!("payload: {e}")))?,
            ),
            None => None,
        };
        Ok(DryRunWrite {
            id: r.int("id")?,
            at: r.time("at")?,
            system: r.text("system")?,
            kind: r.text("kind")?,
            method: r.text("method")?,
            path: r.text("path")?,
            subject: r.opt_text("subject")?,
            payload,
            answer: r.json("answer")?,
        })
    }
}

/// Which writes [`Store::dry_run_writes`] returns, oldest first (the order they would have run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DryRunFilter {
    pub system: Option<String>,
    pub kind: Option<String>,
    /// At most this many; 0 means no limit.
    pub limit: u32,
}

impl Store {
    /// Records a write a dry run kept back; returns its id.
    pub async fn dry_run_record(&self, write: &NewDryRunWrite) -> Result<i64, StoreError> {
        let now = self.now_us();
        let payload = write.payload.as_ref().map(|p| p.to_string());
        let answer = write.answer.to_string();
        with_db!(self, write, "dry_run/insert", |q, ex| {
            let row = q
                .bind(now)
                .bind(&write.system)
                .bind(&write.kind)
                .bind(&write.method)
                .bind(&write.path)
                .bind(write.subject.as_deref())
                .bind(payload)
                .bind(answer)
                .fetch_one(ex)
                .await?;
            row.int("id")
        })
    }

    pub async fn dry_run_writes(
        &self,
        filter: &DryRunFilter,
    ) -> Result<Vec<DryRunWrite>, StoreError> {
        let (system, kind) = (filter.system.as_deref(), filter.kind.as_deref());
        with_db!(self, read, "dry_run/list", |q, ex| {
            let rows = q
                .bind(system)
                .bind(kind)
                .bind(sql_limit(filter.limit))
                .fetch_all(ex)
                .await?;
            rows.iter().map(DryRunWrite::from_row).collect()
        })
    }

    pub async fn dry_run_write(&self, id: i64) -> Result<Option<DryRunWrite>, StoreError> {
        with_db!(self, read, "dry_run/get", |q, ex| {
            q.bind(id)
                .fetch_optional(ex)
                .await?
                .map(|r| DryRunWrite::from_row(&r))
                .transpose()
        })
    }

    /// (system, kind, how many) for every kind recorded, for a summary.
    pub async fn dry_run_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        with_db!(self, read, "dry_run/counts", |q, ex| {
            let rows = q.fetch_all(ex).await?;
            rows.iter()
                .map(|r| Ok((r.text("system")?, r.text("kind")?, r.int("n")?)))
                .collect()
        })
    }
}
