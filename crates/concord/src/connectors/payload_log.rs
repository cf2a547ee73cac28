//! Records every external call in the store's payload log, with secrets redacted first
//! (request, response, path and error text; see [`super::redact`]).

pub use super::redact::{is_secret_key, redact, redact_free_text, redact_text};
use concord_store::{truncate_body, NewCall, Store};
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

/// A response body as the log keeps it: its first [`concord_store::MAX_BODY_BYTES`], redacted.
/// Only the kept part is searched for secret keys: a page of 1,000 levels or prices is several
/// hundred kilobytes, and scanning all of it on every read was a twelfth of the engine's CPU.
fn logged_body(body: &str) -> String {
    let kept = truncate_body(body);
    if !super::redact::may_hold_secret(&kept) {
        return kept;
    }
    // Redacted whole, where the JSON parses, and only then cut.
    truncate_body(&redact_text(body))
}

/// Logs one call; a failure to log is reported but never fails the call itself.
pub async fn record(store: &Store, call: CallRecord<'_>) {
    let new = NewCall {
        system: call.system.to_owned(),
        method: call.method.to_owned(),
        path: redact_free_text(call.path),
        status: call.status,
        duration_ms: call.duration_ms,
        request: call.request.map(|r| redact(r).to_string()),
        response: call.response.map(logged_body),
        subject: call.subject.map(str::to_owned),
        error: call.error.as_deref().map(redact_free_text),
    };
    if let Err(e) = store.log_call(new).await {
        tracing::warn!(error = %e, system = call.system, "Could not write the payload log.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_store::MAX_BODY_BYTES;

    fn big_page(extra: &str) -> String {
        let rows: Vec<String> = (0..20_000)
            .map(|i| format!(r#"{{"id":"{i}","quantity":"5"}}"#))
            .collect();
        format!(r#"{{"data":[{}]{extra}}}"#, rows.join(","))
    }

    #[test]
    fn a_large_body_is_kept_to_its_limit_unchanged_when_it_names_no_secret() {
        let page = big_page("");
        let kept = logged_body(&page);
        assert!(kept.len() <= MAX_BODY_BYTES);
        assert!(page.starts_with(kept.trim_end_matches("…[truncated]")));
    }

    #[test]
    fn a_secret_in_the_kept_part_is_redacted_and_one_past_it_is_cut_off() {
        let early = r#"{"client_secret":"s3cr3t-value","data":[1,2,3]}"#;
        let logged = logged_body(early);
        assert!(!logged.contains("s3cr3t-value"), "{logged}");
        assert!(logged.contains("[redacted]"));

        let late = big_page(r#","access_token":"tok-123456""#);
        let logged = logged_body(&late);
        assert!(!logged.contains("tok-123456"));
        assert!(logged.len() <= MAX_BODY_BYTES);
    }
}
