//! Raising and closing exceptions with the configured owners, so every flow words them the same way.

use crate::config::Rules;
use concord_core::catalogue::ExceptionKind;
use concord_store::{ExceptionStatus, NewException, Store, StoreError};

/// Raises (or counts another occurrence of) an exception; the fingerprint is kind + subject + detail key.
pub async fn raise(
    store: &Store,
    rules: &Rules,
    kind: ExceptionKind,
    subject: &str,
    detail_key: &str,
    explanation: String,
) -> Result<(), StoreError> {
    let fingerprint = fingerprint(kind, subject, detail_key);
    let new = NewException {
        kind,
        owner: rules.owner_for(kind),
        subject: subject.to_owned(),
        fingerprint,
        explanation,
        suggested_action: kind.suggested_action().to_owned(),
        payload_refs: Vec::new(),
    };
    let outcome = store.raise(&new).await?;
    if outcome.new {
        tracing::info!(kind = kind.as_str(), subject, "Raised an exception.");
        metrics::counter!("concord_exceptions_raised_total", "kind" => kind.as_str()).increment(1);
    }
    Ok(())
}

/// What makes two raises "the same problem": kind, subject and detail key (for the order
/// findings, the root-cause key).
pub fn fingerprint(kind: ExceptionKind, subject: &str, detail_key: &str) -> String {
    format!("{}|{}|{}", kind.as_str(), subject, detail_key)
}

/// Closes one exception whose cause went away, as Concord, with a note saying what fixed it.
pub async fn resolve_one(store: &Store, id: i64, note: &str) -> Result<(), StoreError> {
    let closed = store
        .set_exception_status(id, ExceptionStatus::Resolved, "concord", Some(note))
        .await?;
    if closed {
        tracing::info!(
            exception = id,
            note,
            "Closed an exception whose cause was fixed."
        );
    }
    Ok(())
}

/// Closes open exceptions of a kind for a subject whose cause has gone away.
pub async fn resolve(
    store: &Store,
    kind: ExceptionKind,
    subject: &str,
    note: &str,
) -> Result<(), StoreError> {
    let closed = store.auto_resolve(kind, subject, note).await?;
    if closed > 0 {
        tracing::info!(
            kind = kind.as_str(),
            subject,
            "Closed an exception whose cause is gone."
        );
    }
    Ok(())
}
