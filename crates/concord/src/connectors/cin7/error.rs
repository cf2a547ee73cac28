//! Cin7 errors and how each should be retried. Classification lives here, where the API's quirks
//! (three different rate-limit signals, non-numeric `Retry-After`) are understood.

use crate::connectors::RetryAction;
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Cin7Error {
    #[error("Cin7 rate limit reached (retry after {retry_after:?})")]
    RateLimited { retry_after: Duration },
    #[error("Cin7 calls are paused after repeated failures (for {retry_after:?})")]
    CircuitOpen { retry_after: Duration },
    #[error("Cin7 is unavailable: {0}")]
    Transient(String),
    #[error("Cin7 write outcome unknown: {0}")]
    Ambiguous(String),
    #[error("Cin7 refused the request ({status}): {message}")]
    Permanent { status: u16, message: String },
    #[error("Cin7 sent a response Concord cannot read: {0}")]
    Decode(String),
    #[error("store error while calling Cin7: {0}")]
    Store(String),
}

impl Cin7Error {
    pub fn retry_action(&self) -> RetryAction {
        match self {
            Cin7Error::RateLimited { retry_after } | Cin7Error::CircuitOpen { retry_after } => {
                RetryAction::RetryAfter(*retry_after)
            }
            Cin7Error::Transient(_) | Cin7Error::Store(_) => RetryAction::Retry,
            Cin7Error::Ambiguous(_) => RetryAction::LookUpFirst,
            Cin7Error::Permanent { .. } | Cin7Error::Decode(_) => RetryAction::DontRetry,
        }
    }

    /// A reference-book name (payment term, location, tax rule) that does not exist.
    pub fn is_missing_reference(&self) -> bool {
        matches!(self, Cin7Error::Permanent { message, .. } if message.contains("reference book"))
    }
}

const LIMIT_PHRASES: [&str; 2] = ["calls per 60 seconds", "calls per minute"];

/// The wait when Cin7 signals its limit without a usable `Retry-After` (it often sends none): one
/// whole window, which is certain to have emptied by then.
pub const RETRY_AFTER_ABSENT: Duration = Duration::from_secs(60);

/// Classifies a non-2xx answer. `write` marks a non-idempotent call whose 5xx may have committed.
/// The `Retry-After` is returned as sent; the client caps it (see `RateBudget::capped_pause`).
pub fn classify(status: u16, retry_after: Option<&str>, body: &str, write: bool) -> Cin7Error {
    let message = error_message(body);
    let limit_text = LIMIT_PHRASES.iter().any(|p| message.contains(p));
    if status == 429 || (status == 400 && limit_text) || (status == 503 && limit_text) {
        return Cin7Error::RateLimited {
            retry_after: parse_retry_after(retry_after).unwrap_or(RETRY_AFTER_ABSENT),
        };
    }
    // Gateways in front of Cin7 answer 5xx with an HTML page: transient, whatever the body.
    if status >= 500 || status == 408 {
        let text = format!("HTTP {status}: {message}");
        return if write {
            Cin7Error::Ambiguous(text)
        } else {
            Cin7Error::Transient(text)
        };
    }
    Cin7Error::Permanent { status, message }
}

/// `Retry-After` as Cin7 sends it: "60", "60 Seconds", "30 sec". The first integer wins.
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    let digits: String = value?
        .trim()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse::<u64>().ok().map(Duration::from_secs)
}

/// A 2xx answer whose body is not JSON at all (an HTML page from a gateway or a wrong path, or
/// nothing): the request's outcome is unknown, which is not the same as a body Concord misreads.
pub fn unreadable_success(body: &str, write: bool) -> Option<Cin7Error> {
    if looks_like_json(body) {
        return None;
    }
    let text = format!("HTTP 200 without JSON: {}", error_message(body));
    Some(if write {
        Cin7Error::Ambiguous(text)
    } else {
        Cin7Error::Transient(text)
    })
}

fn looks_like_json(body: &str) -> bool {
    body.trim_start().starts_with(['[', '{'])
}

/// Cin7's error body is an array of `{ErrorCode, Exception}`, sometimes one object, sometimes text,
/// an HTML page (gateways, wrong paths) or nothing at all.
pub fn error_message(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "an empty body".to_owned();
    }
    if trimmed.starts_with('<') {
        return html_summary(trimmed);
    }
    let value: serde_json::Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => return body.chars().take(500).collect(),
    };
    let first = value.as_array().and_then(|a| a.first()).unwrap_or(&value);
    first
        .get("Exception")
        .and_then(|e| e.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(500).collect())
}

/// "an HTML page: <title>" rather than kilobytes of markup in an exception.
fn html_summary(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let title = lower
        .find("<title>")
        .map(|start| start + "<title>".len())
        .and_then(|start| {
            let end = lower[start..].find("</title>")? + start;
            html.get(start..end)
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match title {
        Some(title) => format!(
            "an HTML page: {}",
            title.chars().take(200).collect::<String>()
        ),
        None => "an HTML page".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_rate_limit_signals_are_recognised() {
        let body = r#"[{"ErrorCode":400,"Exception":"You have reached 60 calls per 60 seconds API limit."}]"#;
        for (status, ra) in [(429, Some("60 Seconds")), (503, None), (400, None)] {
            let e = classify(status, ra, body, true);
            assert!(
                matches!(e, Cin7Error::RateLimited { .. }),
                "{status}: {e:?}"
            );
        }
        let e = classify(429, Some("30 sec"), "", false);
        assert_eq!(
            e.retry_action(),
            RetryAction::RetryAfter(Duration::from_secs(30))
        );
    }

    #[test]
    fn a_5xx_on_a_write_is_ambiguous_and_on_a_read_transient() {
        assert!(matches!(
            classify(502, None, "", true),
            Cin7Error::Ambiguous(_)
        ));
        assert!(matches!(
            classify(500, None, "", false),
            Cin7Error::Transient(_)
        ));
        assert!(matches!(
            classify(503, None, "Service Unavailable", false),
            Cin7Error::Transient(_)
        ));
    }

    #[test]
    fn validation_errors_are_permanent_and_keep_their_message() {
        let body = r#"[{"ErrorCode":404,"Exception":"Active payment term with name 'X' was not found in Payment Terms reference book"}]"#;
        let e = classify(400, None, body, true);
        assert!(e.is_missing_reference());
        assert_eq!(e.retry_action(), RetryAction::DontRetry);
        assert!(matches!(
            classify(403, None, "[]", false),
            Cin7Error::Permanent { status: 403, .. }
        ));
    }

    #[test]
    fn html_and_empty_error_bodies_are_gateway_failures_not_refusals() {
        let page = "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>";
        let read = classify(503, None, page, false);
        assert!(
            matches!(&read, Cin7Error::Transient(m) if m.contains("HTML page: 503 Service Temporarily Unavailable") && !m.contains("nginx")),
            "{read:?}"
        );
        assert_eq!(read.retry_action(), RetryAction::Retry);
        assert!(
            matches!(classify(503, None, "", true), Cin7Error::Ambiguous(m) if m.contains("empty body"))
        );
        assert!(matches!(
            unreadable_success("<html>Not here</html>", false),
            Some(Cin7Error::Transient(_))
        ));
        assert!(matches!(
            unreadable_success("", true),
            Some(Cin7Error::Ambiguous(_))
        ));
        assert!(unreadable_success(" {\"ID\": 1}", false).is_none());
    }

    #[test]
    fn retry_after_takes_the_first_integer() {
        assert_eq!(
            parse_retry_after(Some("60 Seconds")),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_retry_after(Some("  5")), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(None), None);
    }
}
