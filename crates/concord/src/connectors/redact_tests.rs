//! Tests of secret redaction: fixed cases and properties over key spellings and secret values.

use super::*;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn secrets_are_redacted_at_any_depth() {
    let v =
        json!({"client_id":"a","client_secret":"s","nested":[{"ExternalPassword":"p","Name":"n"}]});
    let r = redact(&v).to_string();
    assert!(!r.contains("\"s\"") && !r.contains("\"p\""), "{r}");
    assert!(r.contains("\"n\"") && r.contains("\"a\""));
}

#[test]
fn keys_match_whatever_their_case_and_separators() {
    for key in [
        "clientSecret",
        "webhookSecret",
        "refresh_token",
        "api_key",
        "token",
        "API-Key",
        "X-Api-Key",
        "api-auth-applicationkey",
        "Authorization",
        "ExternalBearerToken",
    ] {
        assert!(is_secret_key(key), "{key}");
        let r = redact(&json!({ key: "hunter2" })).to_string();
        assert!(!r.contains("hunter2"), "{key}: {r}");
    }
    for key in ["token_type", "Name", "sku", "key", "Value", "PriceTier"] {
        assert!(!is_secret_key(key), "{key}");
    }
}

#[test]
fn key_value_lists_are_redacted_by_the_name_they_carry() {
    let v = json!({"ExternalHeaders": [
        {"Key": "Authorization", "Value": "Bearer hunter2"},
        {"Key": "X-Shop", "Value": "trade"}
    ]});
    let r = redact(&v).to_string();
    assert!(!r.contains("hunter2"), "{r}");
    assert!(r.contains("trade"), "{r}");
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

#[test]
fn error_text_loses_its_secrets_and_keeps_the_rest() {
    let cases = [
        "POST /oauth2-token?client_secret=hunter2&x=1 failed",
        "Oro answered 400: {\"clientSecret\": \"hunter2\"}",
        "header Authorization: Bearer hunter2 refused",
        "Cin7 400: {\"ExternalHeaders\":[{\"Key\":\"Authorization\",\"Value\":\"hunter2\"}]}",
        "api_key = 'hunter2'",
    ];
    for text in cases {
        let r = redact_free_text(text);
        assert!(!r.contains("hunter2"), "{text} → {r}");
        assert!(r.contains(REDACTED), "{text} → {r}");
    }
    assert_eq!(
        redact_free_text("timed out after 30 s"),
        "timed out after 30 s"
    );
}

/// A secret key spelt in any case, with any of the usual separators between its words.
fn key_spelling() -> impl Strategy<Value = String> {
    let words = prop_oneof![
        Just(vec!["client", "secret"]),
        Just(vec!["webhook", "secret"]),
        Just(vec!["refresh", "token"]),
        Just(vec!["access", "token"]),
        Just(vec!["api", "key"]),
        Just(vec!["token"]),
        Just(vec!["password"]),
        Just(vec!["application", "key"]),
        Just(vec!["external", "bearer", "token"]),
    ];
    let sep = prop_oneof![Just(""), Just("_"), Just("-"), Just(".")];
    (words, sep, any::<bool>(), any::<bool>()).prop_map(|(words, sep, upper, camel)| {
        let joined = words
            .iter()
            .enumerate()
            .map(|(i, w)| match (camel && i > 0, upper) {
                (_, true) => w.to_ascii_uppercase(),
                (true, false) => format!("{}{}", w[..1].to_ascii_uppercase(), &w[1..]),
                _ => (*w).to_owned(),
            })
            .collect::<Vec<_>>()
            .join(sep);
        joined
    })
}

proptest! {
    #[test]
    fn no_secret_survives_redaction(key in key_spelling(), secret in "[A-Za-z0-9]{12,32}") {
        let v = json!({"outer": [{ key.as_str(): secret }]});
        prop_assert!(!redact(&v).to_string().contains(&secret));
        prop_assert!(!redact_text(&v.to_string()).contains(&secret));
        let pair = json!({"ExternalHeaders": [{"Key": key, "Value": secret}]});
        prop_assert!(!redact(&pair).to_string().contains(&secret));
        for text in [format!("{key}={secret}"), format!("{key}: {secret}"), format!("failed: {v}")] {
            let r = redact_free_text(&text);
            prop_assert!(!r.contains(&secret), "{} → {}", text, r);
        }
    }

    #[test]
    fn the_byte_scan_agrees_with_the_normalised_text(
        text in "([A-Za-z0-9_ .:\"{}-]|é|ß|Token|API-Key|pass word|Cookie){0,80}"
    ) {
        let n = normalise(&text);
        let by_text = n.contains("authorization") || STEMS.iter().any(|s| n.contains(s));
        prop_assert_eq!(may_hold_secret(&text), by_text, "{}", text);
    }

    #[test]
    fn text_without_secret_keys_is_untouched(text in "[a-z ]{0,60}") {
        prop_assume!(!may_hold_secret(&text) && !text.contains("bearer") && !text.contains("basic"));
        prop_assert_eq!(redact_free_text(&text), text);
    }
}
