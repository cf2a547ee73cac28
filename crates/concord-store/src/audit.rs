//! The audit log: who changed what, and why. Exception status changes write here too.

use crate::db::{with_db, with_tx, RowExt};
use crate::error::StoreError;
use crate::{Store, StoreTx};
use chrono::{DateTime, Utc};

/// One audited action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// A person's name, or `"concord"` for automatic actions.
    pub actor: String,
    pub action: String,
    /// What was acted on, e.g. `exception:12` or `job:40`.
    pub target: String,
    pub note: Option<String>,
}

impl Store {
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = self.now_us();
        with_db!(self, write, "audit/insert", |q, ex| {
            q.bind(now)
                .bind(actor)
                .bind(action)
                .bind(target)
                .bind(note)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Audits inside `tx`, so the entry exists exactly when the change it describes does.
    pub async fn audit_in(
        &self,
        tx: &mut StoreTx,
        actor: &str,
        action: &str,
        target: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = self.now_us();
        with_tx!(tx, "audit/insert", |q, ex| {
            q.bind(now)
                .bind(actor)
                .bind(action)
                .bind(target)
                .bind(note)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_page(limit, None).await
    }

    /// The newest `limit` entries older than entry `before` (all when `None`), newest first:
    /// a page of the log, the next one starting before the last id shown.
    pub async fn audit_page(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.unwrap_or(i64::MAX);
        with_db!(self, read, "audit/page", |q, ex| {
            let rows = q.bind(i64::from(limit)).bind(before).fetch_all(ex).await?;
            rows.iter()
                .map(|r| {
                    Ok(AuditEntry {
                        id: r.int("id")?,
                        at: r.time("at")?,
                        actor: r.text("actor")?,
                        action: r.text("action")?,
                        target: r.text("target")?,
                        note: r.opt_text("note")?,
                    })
                })
                .collect()
        })
    }
}
