//! Raising and closing exceptions with the configured owners, so every flow words them the same way.

use crate::config::Rules;
use concord_core::catalogue::ExceptionKind;
use concord_store::{NewException, Store, StoreError};

/// Raises (or counts another occurrence of) an exception; the fingerprint is kind + subject + detail key.
pub async fn raise(
    store: &Store,
    rules: &Rules,
    kind: ExceptionKind,
    subject: &str,
    detail_key: &str,
    explanation: String,
) -> Result<(), StoreError> {
    let fingerprint = format!("{}|{}|{}", kind.as_str(), subject, detail_key);
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
