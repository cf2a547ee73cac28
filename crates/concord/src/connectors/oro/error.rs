//! Oro errors and how each should be retried.

use crate::connectors::RetryAction;
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum OroError {
    #[error("Oro asked to slow down (HTTP {status})")]
    RateLimited {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("Oro is unavailable: {0}")]
    Transient(String),
    #[error("Oro refused the request ({status}) at {pointer}: {detail}")]
    Permanent {
        status: u16,
        pointer: String,
        detail: String,
    },
    #[error("Oro rejected Concord's credentials: {0}")]
    Unauthorized(String),
    #[error("Oro sent a response Concord cannot read: {0}")]
    Decode(String),
    #[error("Oro's batch operation {operation} refused {}", describe(failed))]
    BatchRefused {
        operation: String,
        failed: Vec<RecordError>,
    },
}

/// One record of a Batch API request that Oro refused: the request's record id, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub id: String,
    pub pointer: String,
    pub detail: String,
}

fn describe(failed: &[RecordError]) -> String {
    let each: Vec<String> = failed
        .iter()
        .map(|e| format!("record {} at {}: {}", e.id, e.pointer, e.detail))
        .collect();
    format!("{} record(s): {}", failed.len(), each.join("; "))
}

impl OroError {
    pub fn retry_action(&self) -> RetryAction {
        match self {
            OroError::RateLimited {
                retry_after: Some(d),
                ..
            } => RetryAction::RetryAfter(*d),
            OroError::RateLimited { .. } | OroError::Transient(_) => RetryAction::Retry,
            OroError::Permanent { .. }
            | OroError::Unauthorized(_)
            | OroError::Decode(_)
            | OroError::BatchRefused { .. } => RetryAction::DontRetry,
        }
    }
}

/// The longest wait a `Retry-After` can impose: a firewall asking for ten days must not stop
/// Concord for ten days; after this it tries again (and is told again if still throttled).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// A `Retry-After` in seconds, capped at [`MAX_RETRY_AFTER`]; anything else (an HTTP date, text)
/// is read as absent, so the job's own backoff applies.
pub fn retry_after(value: Option<&str>) -> Option<Duration> {
    let seconds = value?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// OroCloud's firewall answers 429 or 503 when it throttles; Oro itself has no rate limiter.
/// Bodies are read only when they are Oro's JSON:API errors: a firewall or proxy sends HTML or
/// nothing, and that is classified by its status alone.
pub fn classify(status: u16, retry_after_header: Option<&str>, body: &str) -> OroError {
    let retry_after = retry_after(retry_after_header);
    match status {
        429 => OroError::RateLimited {
            status,
            retry_after,
        },
        503 if retry_after.is_some() => OroError::RateLimited {
            status,
            retry_after,
        },
        401 => OroError::Unauthorized("401 with a bearer token".into()),
        s if s >= 500 || s == 408 => OroError::Transient(format!("HTTP {s}")),
        s => {
            let (pointer, detail) = first_error(body);
            OroError::Permanent {
                status: s,
                pointer,
                detail,
            }
        }
    }
}

/// The first entry of a JSON:API errors document: its pointer (or parameter) and detail. An empty
/// or HTML body (a proxy's or firewall's page) is named as such instead.
fn first_error(body: &str) -> (String, String) {
    let trimmed = body.trim_start();
    if trimmed.is_empty() {
        return ("(request)".into(), "an empty response body".into());
    }
    if trimmed.starts_with('<') {
        let page: String = trimmed.chars().take(200).collect();
        return (
            "(request)".into(),
            format!("an HTML page, not Oro's JSON (a proxy or firewall?): {page}"),
        );
    }
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let first = value
        .get("errors")
        .and_then(|e| e.get(0))
        .cloned()
        .unwrap_or_default();
    let source = first.get("source").cloned().unwrap_or_default();
    let pointer = source
        .get("pointer")
        .or_else(|| source.get("parameter"))
        .and_then(|p| p.as_str())
        .unwrap_or("(request)")
        .to_owned();
    let detail = first
        .get("detail")
        .or_else(|| first.get("title"))
        .and_then(|d| d.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(300).collect());
    (pointer, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_error_keeps_its_pointer() {
        let body = r#"{"errors":[{"status":"400","title":"filter constraint","detail":"The \"priceList\" filter is required.","source":{"parameter":"filter[priceList]"}}]}"#;
        match classify(400, None, body) {
            OroError::Permanent {
                pointer, detail, ..
            } => {
                assert_eq!(pointer, "filter[priceList]");
                assert!(detail.contains("priceList"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_huge_retry_after_is_capped_and_html_or_empty_bodies_are_classified() {
        let html = "<html><body><h1>429 Too Many Requests</h1></body></html>";
        for (status, body) in [(429, html), (503, ""), (429, "")] {
            assert_eq!(
                classify(status, Some("864000"), body).retry_action(),
                RetryAction::RetryAfter(MAX_RETRY_AFTER),
                "{status} {body:?}"
            );
        }
        assert_eq!(
            classify(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), html).retry_action(),
            RetryAction::Retry
        );
        assert_eq!(classify(503, None, html).retry_action(), RetryAction::Retry);
        match classify(403, None, html) {
            OroError::Permanent { detail, .. } => assert!(detail.contains("HTML page"), "{detail}"),
            other => panic!("{other:?}"),
        }
        match classify(400, None, "") {
            OroError::Permanent { detail, .. } => assert_eq!(detail, "an empty response body"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn firewall_throttling_and_outages_are_retried() {
        assert_eq!(
            classify(429, Some("5"), "").retry_action(),
            RetryAction::RetryAfter(Duration::from_secs(5))
        );
        assert_eq!(classify(503, None, "").retry_action(), RetryAction::Retry);
        assert_eq!(classify(500, None, "").retry_action(), RetryAction::Retry);
        assert_eq!(
            classify(404, None, "{}").retry_action(),
            RetryAction::DontRetry
        );
    }
}
