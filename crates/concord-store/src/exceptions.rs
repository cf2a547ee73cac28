//! Exceptions: owned discrepancies, deduplicated by fingerprint, reopened when they recur after
//! being resolved, with every status change audited.

use crate::db::{with_db, with_tx, RowExt};
use crate::error::StoreError;
use crate::job::sql_limit;
use crate::{Store, StoreTx};
use chrono::{DateTime, Utc};
use concord_core::catalogue::{ExceptionKind, Owner};
use std::fmt;

/// How many payload references an exception keeps: the most recent occurrences matter most.
const MAX_PAYLOAD_REFS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExceptionStatus {
    Open,
    Acknowledged,
    Resolved,
    Ignored,
}

impl ExceptionStatus {
    pub const ALL: [ExceptionStatus; 4] = [
        ExceptionStatus::Open,
        ExceptionStatus::Acknowledged,
        ExceptionStatus::Resolved,
        ExceptionStatus::Ignored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionStatus::Open => "open",
            ExceptionStatus::Acknowledged => "acknowledged",
            ExceptionStatus::Resolved => "resolved",
            ExceptionStatus::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<ExceptionStatus> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The audit action for moving an exception into this status.
    fn action(self) -> &'static str {
        match self {
            ExceptionStatus::Open => "reopened",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for ExceptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exception to raise. The fingerprint identifies "the same problem" across occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    pub kind: ExceptionKind,
    pub owner: Owner,
    /// `order:<oro id>`, `sku:<sku>`, `customer:<oro id>`, …
    pub subject: String,
    pub fingerprint: String,
    pub explanation: String,
    pub suggested_action: String,
    /// Ids of payload-log calls that show the problem.
    pub payload_refs: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRecord {
    pub id: i64,
    pub kind: ExceptionKind,
    pub owner: Owner,
    pub subject: String,
    pub fingerprint: String,
    pub status: ExceptionStatus,
    pub occurrences: u32,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub explanation: String,
    pub suggested_action: String,
    pub payload_refs: Vec<i64>,
    pub resolution_note: Option<String>,
}

impl ExceptionRecord {
    fn from_row(r: &impl RowExt) -> Result<ExceptionRecord, StoreError> {
        let (kind, owner, status) = (r.text("kind")?, r.text("owner")?, r.text("status")?);
        let refs = r.text("payload_refs")?;
        Ok(ExceptionRecord {
            id: r.int("id")?,
            kind: ExceptionKind::parse(&kind)
                .ok_or_else(|| StoreError::corrupt(format!("exception kind `{kind}`")))?,
            owner: Owner::parse(&owner)
                .ok_or_else(|| StoreError::corrupt(format!("owner `{owner}`")))?,
            subject: r.text("subject")?,
            fingerprint: r.text("fingerprint")?,
            status: ExceptionStatus::parse(&status)
                .ok_or_else(|| StoreError::corrupt(format!("exception status `{status}`")))?,
            occurrences: u32::try_from(r.int("occurrences")?).unwrap_or(u32::MAX),
            first_seen: r.time("first_seen")?,
            last_seen: r.time("last_seen")?,
            explanation: r.text("explanation")?,
            suggested_action: r.text("suggested_action")?,
            payload_refs: serde_json::from_str(&refs)
                .map_err(|e| StoreError::corrupt(format!("payload_refs: {e}")))?,
            resolution_note: r.opt_text("resolution_note")?,
        })
    }
}

/// What [`Store::raise`] did: a new exception, or another occurrence of a known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaiseOutcome {
    pub id: i64,
    pub new: bool,
    /// The exception had been resolved and is open again.
    pub reopened: bool,
}

/// Which exceptions [`Store::exceptions`] returns, most recently seen first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionFilter {
    pub owner: Option<Owner>,
    pub kind: Option<ExceptionKind>,
    pub status: Option<ExceptionStatus>,
    pub subject: Option<String>,
    /// At most this many; 0 means no limit.
    pub limit: u32,
}

impl Default for ExceptionFilter {
    fn default() -> Self {
        ExceptionFilter {
            owner: None,
            kind: None,
            status: None,
            subject: None,
            limit: 100,
        }
    }
}

fn refs_json(refs: &[i64]) -> String {
    serde_json::Value::from(refs.to_vec()).to_string()
}

impl Store {
    /// Raises an exception, or counts another occurrence of the open one with the same
    /// fingerprint. A resolved one is reopened (audited); an ignored one stays ignored.
    pub async fn raise(&self, ex: &NewException) -> Result<RaiseOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = self.raise_in(&mut tx, ex).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub async fn raise_in(
        &self,
        tx: &mut StoreTx,
        ex: &NewException,
    ) -> Result<RaiseOutcome, StoreError> {
        let now = self.now_us();
        // Insert first: it takes the row (or unique-key) lock, so concurrent raises of one
        // fingerprint serialise instead of both inserting.
        let inserted = with_tx!(tx, "exceptions/insert", |q, ex_| {
            q.bind(ex.kind.as_str())
                .bind(ex.owner.as_str())
                .bind(&ex.subject)
                .bind(&ex.fingerprint)
                .bind(now)
                .bind(&ex.explanation)
                .bind(&ex.suggested_action)
                .bind(refs_json(&ex.payload_refs))
                .fetch_optional(ex_)
                .await?
                .map(|r| r.int("id"))
                .transpose()?
        });
        if let Some(id) = inserted {
            tracing::info!(exception = id, kind = %ex.kind, subject = %ex.subject, "Exception raised.");
            return Ok(RaiseOutcome {
                id,
                new: true,
                reopened: false,
            });
        }
        let existing = with_tx!(tx, "exceptions/by_fingerprint", |q, ex_| {
            q.bind(&ex.fingerprint)
                .fetch_optional(ex_)
                .await?
                .map(|r| ExceptionRecord::from_row(&r))
                .transpose()?
        })
        .ok_or_else(|| {
            StoreError::corrupt(format!(
                "exception fingerprint `{}` vanished",
                ex.fingerprint
            ))
        })?;

        let reopened = existing.status == ExceptionStatus::Resolved;
        let status = if reopened {
            ExceptionStatus::Open
        } else {
            existing.status
        };
        let note = if reopened {
            None
        } else {
            existing.resolution_note.clone()
        };
        let mut refs = existing.payload_refs.clone();
        refs.extend(
            ex.payload_refs
                .iter()
                .filter(|r| !existing.payload_refs.contains(r)),
        );
        let refs = &refs[refs.len().saturating_sub(MAX_PAYLOAD_REFS)..];
        with_tx!(tx, "exceptions/bump", |q, ex_| {
            q.bind(existing.id)
                .bind(status.as_str())
                .bind(now)
                .bind(&ex.explanation)
                .bind(&ex.suggested_action)
                .bind(refs_json(refs))
                .bind(note.as_deref())
                .execute(ex_)
                .await?
                .rows_affected()
        });
        if reopened {
            let target = format!("exception:{}", existing.id);
            self.audit_in(
                tx,
                "concord",
                "reopened",
                &target,
                Some("seen again after it was resolved"),
            )
            .await?;
            tracing::info!(exception = existing.id, kind = %ex.kind, "Resolved exception reopened.");
        }
        Ok(RaiseOutcome {
            id: existing.id,
            new: false,
            reopened,
        })
    }

    pub async fn exception(&self, id: i64) -> Result<Option<ExceptionRecord>, StoreError> {
        with_db!(self, read, "exceptions/get", |q, ex| {
            q.bind(id)
                .fetch_optional(ex)
                .await?
                .map(|r| ExceptionRecord::from_row(&r))
                .transpose()
        })
    }

    pub async fn exceptions(
        &self,
        filter: &ExceptionFilter,
    ) -> Result<Vec<ExceptionRecord>, StoreError> {
        let owner = filter.owner.map(Owner::as_str);
        let kind = filter.kind.map(ExceptionKind::as_str);
        let status = filter.status.map(ExceptionStatus::as_str);
        with_db!(self, read, "exceptions/list", |q, ex| {
            let rows = q
                .bind(owner)
                .bind(kind)
                .bind(status)
                .bind(filter.subject.as_deref())
                .bind(sql_limit(filter.limit))
                .fetch_all(ex)
                .await?;
            rows.iter().map(ExceptionRecord::from_row).collect()
        })
    }

    /// A person (or Concord) moves an exception; `false` if it does not exist. The note, when
    /// given, becomes the resolution note. Audited in the same transaction.
    pub async fn set_exception_status(
        &self,
        id: i64,
        status: ExceptionStatus,
        actor: &str,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(tx, "exceptions/set_status", |q, ex| {
            q.bind(id)
                .bind(status.as_str())
                .bind(note)
                .execute(ex)
                .await?
                .rows_affected()
        });
        if n == 1 {
            self.audit_in(
                &mut tx,
                actor,
                status.action(),
                &format!("exception:{id}"),
                note,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Resolves the open or acknowledged exceptions of `kind` on `subject` (the problem went
    /// away by itself), as actor `concord`, audited with `note`. Returns how many.
    pub async fn auto_resolve(
        &self,
        kind: ExceptionKind,
        subject: &str,
        note: &str,
    ) -> Result<u64, StoreError> {
        // Most calls find nothing open (a monitor confirming all is well); a read says so without
        // taking the write lock. One raised just after this read is one the call came too early
        // to close either way.
        let open = with_db!(self, read, "exceptions/any_open", |q, ex| {
            q.bind(kind.as_str())
                .bind(subject)
                .fetch_one(ex)
                .await?
                .int("n")?
        });
        if open == 0 {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let ids = with_tx!(tx, "exceptions/auto_resolve", |q, ex| {
            let rows = q
                .bind(kind.as_str())
                .bind(subject)
                .bind(note)
                .fetch_all(ex)
                .await?;
            rows.iter()
                .map(|r| r.int("id"))
                .collect::<Result<Vec<_>, _>>()?
        });
        for id in &ids {
            self.audit_in(
                &mut tx,
                "concord",
                "resolved",
                &format!("exception:{id}"),
                Some(note),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }
}
