//! The configuration's fail-closed checks: secrets present, long enough and not the example's
//! placeholders; dashboard roles known; base URLs on `https://` unless they are loopback.
//! Every refusal names the key and never prints the secret.

use super::{invalid, Config, ConfigError, TokenConfig};
use crate::web::Role;
use secrecy::{ExposeSecret, SecretString};

/// Webhook secrets Concord chooses itself: short ones can be guessed or brute-forced offline
/// from one signed delivery.
pub const MIN_WEBHOOK_SECRET_CHARS: usize = 24;
/// Dashboard tokens are typed by people but must still resist guessing.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The example configuration's stand-ins; a file that still holds one was never finished.
const PLACEHOLDERS: [&str; 4] = [
    "change-me",
    "changeme",
    "a-long-random-string",
    "another-long-random-string",
];

fn is_placeholder(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    PLACEHOLDERS
        .iter()
        .any(|p| lower == *p || lower.starts_with(&format!("{p}-")))
}

/// A secret that must be present: not empty, not a placeholder, at least `min_chars` long.
fn check_secret(key: &str, secret: &SecretString, min_chars: usize) -> Result<(), ConfigError> {
    let value = secret.expose_secret();
    if value.trim().is_empty() {
        return Err(invalid(key, "is empty; set a secret"));
    }
    if is_placeholder(value) {
        return Err(invalid(
            key,
            "still holds the example's placeholder; set a real secret",
        ));
    }
    if value.chars().count() < min_chars {
        return Err(invalid(
            key,
            format!("is too short: use at least {min_chars} random characters"),
        ));
    }
    Ok(())
}

/// `https://`, or `http://` to a loopback host (the emulators, a local proxy).
pub fn check_transport(key: &str, raw: &str) -> Result<(), ConfigError> {
    let url =
        url::Url::parse(raw).map_err(|e| invalid(key, format!("{raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        scheme => Err(invalid(
            key,
            format!("must use https:// (only loopback hosts may use http://), not {scheme}://"),
        )),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The role a token's `role` names; a token without one may only read.
pub fn token_role(index: usize, token: &TokenConfig) -> Result<Role, ConfigError> {
    match token.role.as_deref() {
        None => Ok(Role::Viewer),
        Some(name) => Role::parse(name.trim()).ok_or_else(|| {
            invalid(
                &format!("web.tokens[{index}].role"),
                format!("{name:?} is not a role: use viewer, operator or admin"),
            )
        }),
    }
}

pub fn validate(config: &Config) -> Result<(), ConfigError> {
    check_transport("oro.base_url", &config.oro.base_url)?;
    check_transport("cin7.base_url", &config.cin7.base_url)?;
    check_secret("oro.client_secret", &config.oro.client_secret, 1)?;
    check_secret("cin7.application_key", &config.cin7.application_key, 1)?;
    if let Some(key) = &config.cin7.bulk_application_key {
        check_secret("cin7.bulk_application_key", key, 1)?;
    }
    check_webhook(
        ("oro.webhook_url", config.oro.webhook_url.as_deref()),
        ("oro.webhook_secret", config.oro.webhook_secret.as_ref()),
    )?;
    check_webhook(
        ("cin7.webhook_url", config.cin7.webhook_url.as_deref()),
        ("cin7.webhook_token", config.cin7.webhook_token.as_ref()),
    )?;
    if let Some(explain) = &config.explain {
        // Evidence leaves for a third party: only over TLS, and never to a placeholder key.
        check_transport("explain.endpoint", &explain.endpoint)?;
        if let Some(key) = &explain.api_key {
            check_secret("explain.api_key", key, 1)?;
        }
    }
    for (i, token) in config.web.tokens.iter().enumerate() {
        check_secret(
            &format!("web.tokens[{i}].token"),
            &token.token,
            MIN_TOKEN_CHARS,
        )?;
        token_role(i, token)?;
    }
    Ok(())
}

/// A receiver is mounted only with a strong secret, and a URL we give a system to call needs one.
fn check_webhook(
    (url_key, url): (&str, Option<&str>),
    (secret_key, secret): (&str, Option<&SecretString>),
) -> Result<(), ConfigError> {
    if let Some(url) = url {
        check_transport(url_key, url)?;
    }
    match (url, secret) {
        (_, Some(secret)) => check_secret(secret_key, secret, MIN_WEBHOOK_SECRET_CHARS),
        (Some(_), None) => Err(invalid(
            secret_key,
            format!("is missing: {url_key} is set, and webhooks are only accepted with a secret"),
        )),
        (None, None) => Ok(()),
    }
}

/// Whether a webhook secret handed to a receiver in code is strong enough to mount it.
pub fn strong_webhook_secret(secret: &SecretString) -> bool {
    check_secret("webhook", secret, MIN_WEBHOOK_SECRET_CHARS).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised_but_real_values_are_not() {
        for p in [
            "change-me",
            "CHANGE-ME",
            "change-me-admin",
            "a-long-random-string",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["c0ffee-9a7b-change", "exchange-mechanism-1234567890"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn only_loopback_may_use_plain_http() {
        for ok in [
            "https://shop.example.com",
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:9/",
        ] {
            assert!(check_transport("k", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://shop.example.com",
            "http://127.0.0.1.evil.example",
            "ftp://127.0.0.1",
        ] {
            let err = check_transport("oro.base_url", bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("oro.base_url"), "{err}");
        }
    }
}
