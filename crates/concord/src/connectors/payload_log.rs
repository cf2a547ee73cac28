//! Records every external call in the store's payload log, with secrets redacted first
//! (request, response, path and error text; see [`super::redact`]).

pub use super::redact::{is_secret_key, redact, redact_free_text, redact_text};
use concord_store::{NewCall, Store};
use serde_json::Value;

pub struct CallRecord<'a> {
    pub system: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub request: Option<&'a Value>,
    pub response: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub error: Option<String>,
}

/// Logs one call; a failure to log is reported but never fails the call itself.
pub async fn record(store: &Store, call: CallRecord<'_>) -> Option<i64> {
    let new = NewCall {
        system: call.system.to_owned(),
        method: call.method.to_owned(),
        path: redact_free_text(call.path),
        status: call.status,
        duration_ms: call.duration_ms,
        request: call.request.map(|r| redact(r).to_string()),
        response: call.response.map(redact_text),
        subject: call.subject.map(str::to_owned),
        error: call.error.as_deref().map(redact_free_text),
    };
    match store.log_call(&new).await {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::warn!(error = %e, system = call.system, "Could not write the payload log.");
            None
        }
    }
}
