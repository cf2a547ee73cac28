//! Fail-closed configuration: each refusal names its key and never prints the secret.

use super::*;
use secrecy::ExposeSecret;

const MINIMAL: &str = r#"
[oro]
base_url = "http://127.0.0.1:1"
client_id = "id"
client_secret = "s3cret"
[cin7]
base_url = "http://127.0.0.1:2"
account_id = "acc"
application_key = "key"
"#;

fn refused(text: &str, env: &[(&str, &str)]) -> String {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::parse(text, &env).unwrap_err().to_string()
}

#[test]
fn a_webhook_url_without_a_secret_stops_start_naming_the_secret() {
    let text = MINIMAL.replace(
        "client_secret = \"s3cret\"",
        "client_secret = \"s3cret\"\nwebhook_url = \"https://concord.example.com\"",
    );
    let err = refused(&text, &[]);
    assert!(err.contains("oro.webhook_secret"), "{err}");
}

#[test]
fn empty_short_and_placeholder_webhook_secrets_are_refused() {
    for (secret, why) in [
        ("", "empty"),
        ("short-secret", "too short"),
        ("a-long-random-string", "placeholder"),
    ] {
        let err = refused(MINIMAL, &[("CONCORD_CIN7__WEBHOOK_TOKEN", secret)]);
        assert!(err.contains("cin7.webhook_token"), "{err}");
        assert!(err.contains(why), "{why}: {err}");
        if !secret.is_empty() {
            assert!(!err.contains(secret), "the secret is printed: {err}");
        }
    }
    let strong = "0123456789abcdef0123456789abcdef";
    let c = Config::parse(
        MINIMAL,
        &[("CONCORD_CIN7__WEBHOOK_TOKEN".into(), strong.into())],
    )
    .unwrap();
    assert!(c.cin7.webhook_token.is_some());
}

#[test]
fn a_token_without_a_role_is_a_viewer_and_an_unknown_role_stops_start() {
    let with = |tokens: &str| format!("{MINIMAL}\n[web]\ntokens = [{tokens}]\n");
    let c = Config::parse(
        &with(r#"{ token = "viewer-token-0123456789", name = "Priya (finance)" }"#),
        &[],
    )
    .unwrap();
    let tokens = c.web.named_tokens().unwrap();
    assert_eq!(tokens[0].1, crate::web::Role::Viewer);
    assert_eq!(tokens[0].2.as_deref(), Some("Priya (finance)"));
    let err = refused(
        &with(
            r#"{ token = "a", role = "viewer" }, { token = "admin-token-0123456789", role = "admn" }"#,
        ),
        &[],
    );
    assert!(err.contains("web.tokens[0].token"), "{err}");
    let err = refused(
        &with(r#"{ token = "admin-token-0123456789", role = "admn" }"#),
        &[],
    );
    assert!(
        err.contains("web.tokens[0].role") && err.contains("admn"),
        "{err}"
    );
}

#[test]
fn base_urls_must_be_https_unless_loopback() {
    let text = MINIMAL.replace("http://127.0.0.1:1", "http://shop.example.com");
    let err = refused(&text, &[]);
    assert!(
        err.contains("oro.base_url") && err.contains("https"),
        "{err}"
    );
    let text = MINIMAL.replace("http://127.0.0.1:1", "https://shop.example.com");
    assert!(Config::parse(&text, &[]).is_ok());
}

#[test]
fn an_all_digit_secret_from_the_environment_stays_a_string_and_never_prints() {
    let env = vec![(
        "CONCORD_CIN7__APPLICATION_KEY".to_owned(),
        "31415926535897".to_owned(),
    )];
    let c = Config::parse(MINIMAL, &env).unwrap();
    assert_eq!(c.cin7.application_key.expose_secret(), "31415926535897");
    // A secret of the wrong type in the file: the error names the line, not the value.
    let text = MINIMAL.replace("\"s3cret\"", "27182818284590");
    let err = refused(&text, &[]);
    assert!(!err.contains("27182818284590"), "{err}");
    // Numbers still reach numeric keys.
    let env = vec![(
        "CONCORD_SCHEDULE__ORDER_POLL_S".to_owned(),
        "30.5".to_owned(),
    )];
    assert_eq!(
        Config::parse(MINIMAL, &env).unwrap().schedule.order_poll_s,
        30.5
    );
}

#[test]
fn tls_is_assumed_for_listeners_other_than_loopback() {
    let web = |listen: &str, behind: Option<bool>| WebConfig {
        listen: Some(listen.to_owned()),
        behind_tls: behind,
        ..WebConfig::default()
    };
    assert!(!web("127.0.0.1:8080", None).tls());
    assert!(web("0.0.0.0:8080", None).tls());
    assert!(!web("0.0.0.0:8080", Some(false)).tls());
    assert!(web("127.0.0.1:8080", Some(true)).tls());
}

#[test]
fn explanations_go_out_only_over_tls_with_a_real_key_from_the_environment() {
    let explain = |endpoint: &str| {
        format!("{MINIMAL}\n[explain]\nendpoint = \"{endpoint}\"\nmodel = \"m\"\n")
    };
    let err = refused(&explain("http://llm.example.com/v1"), &[]);
    assert!(err.contains("explain.endpoint"), "{err}");
    let err = refused(
        &explain("https://llm.example.com/v1"),
        &[("CONCORD_EXPLAIN__API_KEY", "change-me")],
    );
    assert!(err.contains("explain.api_key"), "{err}");
    let c = Config::parse(
        &explain("https://llm.example.com/v1"),
        &[("CONCORD_EXPLAIN__API_KEY".into(), "sk-0123456789".into())],
    )
    .unwrap();
    let key = c.explain.and_then(|e| e.api_key).unwrap();
    assert_eq!(key.expose_secret(), "sk-0123456789");
}

/// Values the redaction of deserialisation errors missed (the `config_load` fuzz property).
#[test]
fn a_token_list_or_alert_urls_given_as_one_string_never_print() {
    let token = "viewer-token-0f3a9c2e71b4";
    let err = refused(MINIMAL, &[("CONCORD_WEB__TOKENS", token)]);
    assert!(err.contains("web") || err.contains("line"), "{err}");
    assert!(!err.contains(token), "{err}");

    let slack = "https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/q1w2e3r4t5y6u7i8o9p0";
    let text = format!("{MINIMAL}[alerts.webhook]\nurls = \"{slack}\"\n");
    let err = refused(&text, &[]);
    assert!(!err.contains("q1w2e3r4t5y6u7i8o9p0"), "{err}");
}

/// Found by the `config_load` fuzz target: serde quotes a wrong-typed string escaped, so a
/// secret holding a quote, a backslash or a control character escaped the plain-text redaction.
#[test]
fn a_secret_with_quotes_backslashes_or_control_characters_never_prints_escaped() {
    let token = "tok\"en\\with\u{0}odd-characters-0f3a9c";
    let err = refused(MINIMAL, &[("CONCORD_WEB__TOKENS", token)]);
    let escaped = format!("{token:?}");
    assert!(!err.contains(escaped.trim_matches('"')), "{err}");
    assert!(!err.contains("odd-characters-0f3a9c"), "{err}");
}
