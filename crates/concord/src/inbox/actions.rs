//! What a person can do to an exception (acknowledge, resolve, ignore, retry) and what they see
//! when they open one, shared by the CLI and the dashboard so both act the same way.

use concord_core::retry::RetryPolicy;
use concord_store::{
    AuditEntry, Call, CallFilter, ExceptionRecord, ExceptionStatus, Job, JobFilter, JobId,
    JobState, NewJob, Store, StoreError,
};
use serde::Serialize;

/// How far back the audit log is searched for one exception's trail.
const AUDIT_SCAN: u32 = 5_000;
/// Calls shown for an exception that references none.
const RECENT_CALLS: usize = 10;

/// A status change a person can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ack,
    Resolve,
    Ignore,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "ack" | "acknowledge" => Some(Action::Ack),
            "resolve" => Some(Action::Resolve),
            "ignore" => Some(Action::Ignore),
            _ => None,
        }
    }

    pub fn status(self) -> ExceptionStatus {
        match self {
            Action::Ack => ExceptionStatus::Acknowledged,
            Action::Resolve => ExceptionStatus::Resolved,
            Action::Ignore => ExceptionStatus::Ignored,
        }
    }
}

/// The actor recorded for CLI actions: `$USER`, or `cli` when it is not set.
pub fn cli_actor() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "cli".to_string())
}

/// What a retry did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RetryOutcome {
    /// The order was queued for another sync (re-validated from scratch).
    OrderQueued { job: i64 },
    /// A dead job about the same subject went back to the queue.
    Replayed { job: i64 },
    /// Nothing could be retried: the subject is not an order and no dead job concerns it.
    NothingToRetry,
}

impl RetryOutcome {
    pub fn message(&self) -> String {
        match self {
            RetryOutcome::OrderQueued { job } => format!("The order is queued for another sync (job {job})."),
            RetryOutcome::Replayed { job } => format!("Dead job {job} is back in the queue."),
            RetryOutcome::NothingToRetry => {
                "Nothing to retry: no dead job concerns this subject. Fix the cause; the next sync picks it up."
                    .to_string()
            }
        }
    }
}

/// Re-validates the exception's subject: an `order:<id>` is queued for a fresh `order.sync`;
/// anything else replays the dead job that concerns the same subject, if there is one. Audited.
pub async fn retry_exception(
    store: &Store,
    ex: &ExceptionRecord,
    actor: &str,
) -> Result<RetryOutcome, StoreError> {
    let outcome = match ex.subject.strip_prefix("order:") {
        Some(order_id) => {
            let now = store.clock().now();
            let job = NewJob {
                kind: "order.sync".to_string(),
                payload: serde_json::json!({ "order_id": id_value(order_id) }),
                idempotency_key: format!("order:{order_id}:retry:{}", now.to_rfc3339()),
                priority: 10,
                run_at: None,
                retry: RetryPolicy::ORDERS,
            };
            match store.enqueue(job).await? {
                Some(id) => RetryOutcome::OrderQueued { job: id.0 },
                None => RetryOutcome::NothingToRetry,
            }
        }
        None => match related_dead_job(store, &ex.subject).await? {
            Some(job) if store.replay(job.id).await? => RetryOutcome::Replayed { job: job.id.0 },
            _ => RetryOutcome::NothingToRetry,
        },
    };
    let target = format!("exception:{}", ex.id);
    store
        .audit(actor, "retried", &target, Some(&outcome.message()))
        .await?;
    Ok(outcome)
}

/// Oro ids are numbers; anything else is passed on as text.
fn id_value(id: &str) -> serde_json::Value {
    id.parse::<i64>()
        .map(serde_json::Value::from)
        .unwrap_or_else(|_| serde_json::Value::from(id))
}

/// The newest dead job about `subject` (`kind:id`): its idempotency key starts with the subject,
/// or its payload carries `subject`, or `<kind>_id` equal to the id.
pub async fn related_dead_job(store: &Store, subject: &str) -> Result<Option<Job>, StoreError> {
    let dead = store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            kind: None,
            limit: 0,
        })
        .await?;
    Ok(dead.into_iter().find(|job| job_concerns(job, subject)))
}

fn job_concerns(job: &Job, subject: &str) -> bool {
    let key = &job.idempotency_key;
    if key == subject || key.starts_with(&format!("{subject}:")) {
        return true;
    }
    if job.payload.get("subject").and_then(|s| s.as_str()) == Some(subject) {
        return true;
    }
    let Some((kind, id)) = subject.split_once(':') else {
        return false;
    };
    match job.payload.get(format!("{kind}_id")) {
        Some(serde_json::Value::String(s)) => s == id,
        Some(serde_json::Value::Number(n)) => n.to_string() == id,
        _ => false,
    }
}

/// Everything a person needs to judge one exception.
#[derive(Debug, Clone)]
pub struct ExceptionDetail {
    pub exception: ExceptionRecord,
    /// The referenced calls from the payload log; the subject's recent calls when it references none.
    pub payloads: Vec<Call>,
    /// True when `payloads` are the subject's recent calls rather than referenced ones.
    pub payloads_are_recent: bool,
    /// Referenced calls that are no longer in the payload log (retention) or carry another subject.
    pub payloads_missing: usize,
    /// Oldest first.
    pub audit: Vec<AuditEntry>,
    /// A dead job about the same subject, if any.
    pub dead_job: Option<JobId>,
}

pub async fn exception_detail(
    store: &Store,
    id: i64,
) -> Result<Option<ExceptionDetail>, StoreError> {
    let Some(exception) = store.exception(id).await? else {
        return Ok(None);
    };
    let subject_calls = store
        .calls(&CallFilter {
            subject: Some(exception.subject.clone()),
            system: None,
            limit: 0,
        })
        .await?;
    let refs = &exception.payload_refs;
    let (payloads, payloads_are_recent) = if refs.is_empty() {
        (
            subject_calls
                .into_iter()
                .take(RECENT_CALLS)
                .collect::<Vec<_>>(),
            true,
        )
    } else {
        (
            subject_calls
                .into_iter()
                .filter(|c| refs.contains(&c.id))
                .collect(),
            false,
        )
    };
    let payloads_missing = if payloads_are_recent {
        0
    } else {
        refs.len().saturating_sub(payloads.len())
    };
    let target = format!("exception:{id}");
    let mut audit: Vec<AuditEntry> = store
        .audit_log(AUDIT_SCAN)
        .await?
        .into_iter()
        .filter(|e| e.target == target)
        .collect();
    audit.reverse();
    let dead_job = related_dead_job(store, &exception.subject)
        .await?
        .map(|j| j.id);
    Ok(Some(ExceptionDetail {
        exception,
        payloads,
        payloads_are_recent,
        payloads_missing,
        audit,
        dead_job,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(key: &str, payload: serde_json::Value) -> Job {
        let now = chrono::Utc::now();
        Job {
            id: JobId(1),
            kind: "k".into(),
            payload,
            idempotency_key: key.into(),
            priority: 0,
            state: JobState::Dead,
            attempts: 1,
            run_at: now,
            last_error: None,
            created_at: now,
            updated_at: now,
            lease_owner: None,
            lease_expires_at: None,
            retry: RetryPolicy::DEFAULT,
        }
    }

    #[test]
    fn a_job_concerns_a_subject_by_key_prefix_or_payload_id() {
        assert!(job_concerns(
            &job("customer:7:2024", serde_json::json!({})),
            "customer:7"
        ));
        assert!(!job_concerns(
            &job("customer:70", serde_json::json!({})),
            "customer:7"
        ));
        assert!(job_concerns(
            &job("x", serde_json::json!({"sku_id": "AB-1"})),
            "sku:AB-1"
        ));
        assert!(job_concerns(
            &job("x", serde_json::json!({"customer_id": 7})),
            "customer:7"
        ));
        assert!(job_concerns(
            &job("x", serde_json::json!({"subject": "sku:Z"})),
            "sku:Z"
        ));
    }

    #[test]
    fn actions_parse_from_their_cli_and_url_names() {
        assert_eq!(Action::parse("ack"), Some(Action::Ack));
        assert_eq!(
            Action::parse("resolve").map(Action::status),
            Some(ExceptionStatus::Resolved)
        );
        assert_eq!(Action::parse("retry"), None);
    }
}
