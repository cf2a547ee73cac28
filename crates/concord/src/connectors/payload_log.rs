//! Records every external call in the store's payload log, with secrets redacted first
//! (request, response, path and error text; see [`super::redact`]).

pub use super::redact::{is_secret_key, redact, redact_free_text, redact_text};
use concord_store::{truncate_body_to, NewCall, Store, MAX_BODY_BYTES};
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

/// How much of a successful read about one thing (an order, a sale: the call carries its
/// subject) the log keeps. That is what a person opens to see what Concord was given, so it keeps
/// a whole order with its lines.
pub const READ_KEPT_BYTES: usize = 16 * 1024;
/// How much of a successful read of a list page (no subject) the log keeps. A page is hundreds of
/// kilobytes, the system still holds it, and its first records show what came back. The 600-order
/// day makes about 3,000 of them: at 16 KB each they were most of the store's bytes and most of
/// what SQLite wrote to its journal.
pub const PAGE_KEPT_BYTES: usize = 4 * 1024;

/// The most of a response the log keeps for this call. Writes and failures keep
/// [`MAX_BODY_BYTES`]: that is what a person debugs.
fn kept_bytes(method: &str, status: Option<u16>, subject: Option<&str>) -> usize {
    let read_ok = method == "GET" && status.is_some_and(|s| (200..300).contains(&s));
    match (read_ok, subject) {
        (true, Some(_)) => READ_KEPT_BYTES,
        (true, None) => PAGE_KEPT_BYTES,
        (false, _) => MAX_BODY_BYTES,
    }
}

/// A response body as the log keeps it: its first `limit` bytes, redacted. Only the kept part is
/// searched for secret keys: a page of 1,000 levels or prices is several hundred kilobytes, and
/// scanning all of it on every read was a twelfth of the engine's CPU.
fn logged_body(body: &str, limit: usize) -> String {
    let kept = truncate_body_to(body, limit);
    if !super::redact::may_hold_secret(&kept) {
        return kept;
    }
    // Redacted whole, where the JSON parses, and only then cut.
    truncate_body_to(&redact_text(body), limit)
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
        response: call
            .response
            .map(|body| logged_body(body, kept_bytes(call.method, call.status, call.subject))),
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
        let kept = logged_body(&page, MAX_BODY_BYTES);
        assert!(kept.len() <= MAX_BODY_BYTES);
        assert!(page.starts_with(kept.trim_end_matches("…[truncated]")));
    }

    #[test]
    fn a_secret_in_the_kept_part_is_redacted_and_one_past_it_is_cut_off() {
        let early = r#"{"client_secret":"s3cr3t-value","data":[1,2,3]}"#;
        let logged = logged_body(early, MAX_BODY_BYTES);
        assert!(!logged.contains("s3cr3t-value"), "{logged}");
        assert!(logged.contains("[redacted]"));

        let late = big_page(r#","access_token":"tok-123456""#);
        let logged = logged_body(&late, MAX_BODY_BYTES);
        assert!(!logged.contains("tok-123456"));
        assert!(logged.len() <= MAX_BODY_BYTES);
    }

    #[test]
    fn a_successful_read_keeps_less_than_a_write_or_a_failure_and_a_page_least() {
        let page = big_page("");
        let one = Some("order:7");
        // (method, status, subject) → most bytes kept.
        let cases = [
            ("GET", Some(200), one, READ_KEPT_BYTES),
            ("GET", Some(200), None, PAGE_KEPT_BYTES),
            ("GET", Some(404), one, MAX_BODY_BYTES),
            ("GET", Some(503), None, MAX_BODY_BYTES),
            ("GET", None, None, MAX_BODY_BYTES),
            ("POST", Some(200), one, MAX_BODY_BYTES),
            ("PATCH", Some(200), None, MAX_BODY_BYTES),
        ];
        for (method, status, subject, most) in cases {
            let kept = logged_body(&page, kept_bytes(method, status, subject));
            assert!(kept.len() <= most, "{method} {status:?} {subject:?}");
            assert!(
                kept.len() > most - 64,
                "{method} {status:?} {subject:?}: {} bytes",
                kept.len()
            );
            assert!(kept.ends_with("…[truncated]"));
        }
        let small = r#"{"data":[]}"#;
        assert_eq!(
            logged_body(small, kept_bytes("GET", Some(200), None)),
            small
        );
    }
}
