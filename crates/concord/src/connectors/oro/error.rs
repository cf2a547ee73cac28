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
}

impl OroError {
    pub fn retry_action(&self) -> RetryAction {
        match self {
            OroError::RateLimited {
                retry_after: Some(d),
                ..
            } => RetryAction::RetryAfter(*d),
            OroError::RateLimited { .. } | OroError::Transient(_) => RetryAction::Retry,
            OroError::Permanent { .. } | OroError::Unauthorized(_) | OroError::Decode(_) => {
                RetryAction::DontRetry
            }
        }
    }
}

/// OroCloud's firewall answers 429 or 503 when it throttles; Oro itself has no rate limiter.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> OroError {
    let retry_after = retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
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

/// The first entry of a JSON:API errors document: its pointer (or parameter) and detail.
fn first_error(body: &str) -> (String, String) {
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
