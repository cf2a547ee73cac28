//! The webhook channel: one JSON POST that Slack and Teams incoming webhooks accept as is (they
//! read `text`) and that any other receiver can parse (the structured fields).

use super::config::WebhookConfig;
use super::message::Message;
use super::DeliveryError;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// Posts `msg` to `url`. The error never contains the URL: chat webhook URLs carry their token.
pub(crate) async fn post(
    http: &reqwest::Client,
    config: &WebhookConfig,
    url: &SecretString,
    msg: &Message,
) -> Result<(), DeliveryError> {
    let timeout = Duration::try_from_secs_f64(config.timeout_s).unwrap_or(Duration::from_secs(10));
    let mut request = http
        .post(url.expose_secret())
        .timeout(timeout)
        .json(&msg.webhook_json());
    if let Some(token) = &config.bearer_token {
        request = request.bearer_auth(token.expose_secret());
    }
    if let Some(secret) = &config.secret {
        request = request.header(config.secret_header.as_str(), secret.expose_secret());
    }
    let response = request
        .send()
        .await
        .map_err(|e| DeliveryError::Webhook(describe(e, url.expose_secret())))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(DeliveryError::Webhook(format!(
            "the receiver answered {status}"
        )))
    }
}

/// The error with its causes ("error sending request: tcp connect error: Connection refused"),
/// stripped of the URL by reqwest and, in case a cause repeats it, by us.
fn describe(error: reqwest::Error, url: &str) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.replace(url, "<webhook url>")
}
