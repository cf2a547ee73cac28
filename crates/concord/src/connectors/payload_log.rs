//! Records every external call in the store's payload log, with secrets redacted first.

use concord_store::{NewCall, Store};
use serde_json::Value;

/// Keys whose values never reach the log, whatever system sent them.
const SECRET_KEYS: [&str; 8] = [
    "client_secret",
    "access_token",
    "secret",
    "password",
    "externalpassword",
    "externalbearertoken",
    "api-auth-applicationkey",
    "authorization",
];

/// Replaces the value of every secret-looking key, at any depth.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let secret = SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str());
                    (
                        k.clone(),
                        if secret {
                            Value::String("[redacted]".into())
                        } else {
                            redact(v)
                        },
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// Redacts a body that may or may not be JSON; non-JSON text is kept only up to 4 KiB.
pub fn redact_text(text: &str) -> String {
    // Most bodies (product pages, level lists) name no secret key at all: parsing megabytes of
    // JSON only to learn that was a fifth of Concord's CPU in a soak.
    if !may_hold_secret(text) {
        return text.to_owned();
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => redact(&v).to_string(),
        // Not JSON, so the secret cannot be cut out by key: keep none of it.
        Err(_) => "[body withheld: not JSON and it names a credential field]".to_owned(),
    }
}

/// Whether `text` mentions any secret key (any case). May say yes for an innocent body (the word
/// "secret" in a description); never says no for a body holding one.
fn may_hold_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|key| lower.contains(key))
}

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
        path: call.path.to_owned(),
        status: call.status,
        duration_ms: call.duration_ms,
        request: call.request.map(|r| redact(r).to_string()),
        response: call.response.map(redact_text),
        subject: call.subject.map(str::to_owned),
        error: call.error,
    };
    match store.log_call(&new).await {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::warn!(error = %e, system = call.system, "Could not write the payload log.");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let v = json!({"client_id":"a","client_secret":"s","nested":[{"ExternalPassword":"p","Name":"n"}]});
        let r = redact(&v).to_string();
        assert!(!r.contains("\"s\"") && !r.contains("\"p\""), "{r}");
        assert!(r.contains("\"n\"") && r.contains("\"a\""));
    }

    #[test]
    fn a_body_without_secret_keys_is_kept_exactly() {
        let body = format!(
            r#"{{"data":[{}]}}"#,
            r#"{"sku":"TEE","note":"a  b"},"#.repeat(1000)
        );
        assert_eq!(redact_text(&body), body);
    }

    #[test]
    fn a_body_that_is_not_json_but_names_a_secret_is_withheld() {
        let r = redact_text("grant_type=client_credentials&client_secret=hunter2");
        assert!(!r.contains("hunter2"), "{r}");
        let r = redact_text("<html>Access_Token: abc</html>");
        assert!(!r.contains("abc"), "{r}");
    }

    #[test]
    fn a_token_response_is_redacted_as_text() {
        let r = redact_text(r#"{"token_type":"Bearer","access_token":"eyJ.secret"}"#);
        assert!(!r.contains("eyJ"), "{r}");
    }
}
