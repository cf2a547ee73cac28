//! Exception and job filters as people type them (CLI flags, dashboard selects, API query
//! strings), parsed into store filters with messages that list the valid values.

use concord_core::catalogue::{ExceptionKind, Owner};
use concord_store::{
    ExceptionFilter, ExceptionRecord, ExceptionStatus, JobState, Store, StoreError,
};
use serde::{Deserialize, Serialize};

/// A filter value that is not one of the allowed names.
#[derive(Debug, thiserror::Error)]
#[error("unknown {field} `{value}`: expected one of {expected}")]
pub struct QueryError {
    pub field: &'static str,
    pub value: String,
    pub expected: String,
}

/// The exception filter as text. Empty strings mean "any", as an HTML select sends them.
/// `status` also takes `active` (open or acknowledged: the default) and `all`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ExceptionQuery {
    pub owner: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// Which statuses a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusScope {
    /// Open or acknowledged: what still needs someone.
    Active,
    One(ExceptionStatus),
    All,
}

/// A parsed [`ExceptionQuery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionScope {
    pub owner: Option<Owner>,
    pub kind: Option<ExceptionKind>,
    pub status: StatusScope,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ExceptionQuery {
    pub fn parse(&self) -> Result<ExceptionScope, QueryError> {
        let owner = match given(&self.owner) {
            None => None,
            Some(v) => Some(
                Owner::parse(v)
                    .ok_or_else(|| err("owner", v, Owner::ALL.iter().map(|o| o.as_str())))?,
            ),
        };
        let kind = match given(&self.kind) {
            None => None,
            Some(v) => Some(
                ExceptionKind::parse(v)
                    .ok_or_else(|| err("kind", v, ExceptionKind::ALL.iter().map(|k| k.as_str())))?,
            ),
        };
        let status = match given(&self.status) {
            None | Some("active") => StatusScope::Active,
            Some("all") => StatusScope::All,
            Some(v) => StatusScope::One(ExceptionStatus::parse(v).ok_or_else(|| {
                let names = ["active", "all"]
                    .into_iter()
                    .chain(ExceptionStatus::ALL.iter().map(|s| s.as_str()));
                err("status", v, names)
            })?),
        };
        Ok(ExceptionScope {
            owner,
            kind,
            status,
        })
    }
}

fn err<'a>(field: &'static str, value: &str, names: impl Iterator<Item = &'a str>) -> QueryError {
    QueryError {
        field,
        value: value.to_string(),
        expected: names.collect::<Vec<_>>().join(", "),
    }
}

/// Parses a job state name (`queued`, `running`, `done`, `dead`); empty means any.
pub fn job_state(v: Option<&str>) -> Result<Option<JobState>, QueryError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => JobState::parse(v).map(Some).ok_or_else(|| {
            err(
                "state",
                v,
                ["queued", "running", "done", "dead"].into_iter(),
            )
        }),
    }
}

/// The exceptions in `scope`, most recently seen first; `limit` 0 means all.
pub async fn find_exceptions(
    store: &Store,
    scope: &ExceptionScope,
    limit: u32,
) -> Result<Vec<ExceptionRecord>, StoreError> {
    let filter = |status| ExceptionFilter {
        owner: scope.owner,
        kind: scope.kind,
        status,
        subject: None,
        limit,
    };
    let mut found = match scope.status {
        StatusScope::All => store.exceptions(&filter(None)).await?,
        StatusScope::One(s) => store.exceptions(&filter(Some(s))).await?,
        StatusScope::Active => {
            let mut open = store
                .exceptions(&filter(Some(ExceptionStatus::Open)))
                .await?;
            open.extend(
                store
                    .exceptions(&filter(Some(ExceptionStatus::Acknowledged)))
                    .await?,
            );
            open
        }
    };
    found.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(b.id.cmp(&a.id)));
    if limit > 0 {
        found.truncate(limit as usize);
    }
    Ok(found)
}

/// An exception as the JSON API and `--format json` show it.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionSummary {
    pub id: i64,
    pub kind: ExceptionKind,
    pub owner: Owner,
    pub subject: String,
    pub status: ExceptionStatus,
    pub occurrences: u32,
    pub first_seen: chrono::DateTime<chrono::Utc>,
    pub last_seen: chrono::DateTime<chrono::Utc>,
    pub explanation: String,
    pub suggested_action: String,
    pub resolution_note: Option<String>,
}

impl From<&ExceptionRecord> for ExceptionSummary {
    fn from(r: &ExceptionRecord) -> Self {
        ExceptionSummary {
            id: r.id,
            kind: r.kind,
            owner: r.owner,
            subject: r.subject.clone(),
            status: r.status,
            occurrences: r.occurrences,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            explanation: r.explanation.clone(),
            suggested_action: r.suggested_action.clone(),
            resolution_note: r.resolution_note.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_mean_any_and_the_default_status_is_active() {
        let q = ExceptionQuery {
            owner: Some(String::new()),
            kind: None,
            status: None,
        };
        let scope = q.parse().unwrap();
        assert_eq!(
            scope,
            ExceptionScope {
                owner: None,
                kind: None,
                status: StatusScope::Active
            }
        );
    }

    #[test]
    fn unknown_values_name_the_valid_ones() {
        let q = ExceptionQuery {
            owner: Some("sales".into()),
            ..Default::default()
        };
        let e = q.parse().unwrap_err().to_string();
        assert!(e.contains("finance, operations, ecommerce"), "{e}");
        let q = ExceptionQuery {
            status: Some("closed".into()),
            ..Default::default()
        };
        assert!(q.parse().unwrap_err().to_string().contains("resolved"));
    }
}
