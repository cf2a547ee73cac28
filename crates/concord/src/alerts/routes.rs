//! Channel settings and per-owner routes: where a message for finance, operations or ecommerce
//! goes. Every secret (webhook URLs, tokens, the SMTP password) is a [`SecretString`], so printing
//! the config never shows one.

use concord_core::catalogue::Owner;
use secrecy::SecretString;
use serde::Deserialize;

/// One value per owner, plus a default for owners without their own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routes<T> {
    #[serde(default)]
    pub default: Option<T>,
    #[serde(default)]
    pub finance: Option<T>,
    #[serde(default)]
    pub operations: Option<T>,
    #[serde(default)]
    pub ecommerce: Option<T>,
}

impl<T> Routes<T> {
    /// The owner's own value, else the default, with the slot's name (logged instead of the value).
    pub fn for_owner(&self, owner: Owner) -> Option<(&'static str, &T)> {
        let own = match owner {
            Owner::Finance => &self.finance,
            Owner::Operations => &self.operations,
            Owner::Ecommerce => &self.ecommerce,
        };
        own.as_ref()
            .map(|v| (owner.as_str(), v))
            .or_else(|| self.default.as_ref().map(|v| ("default", v)))
    }

    /// Every configured slot, for messages meant for everyone (the weekly summary).
    pub fn all(&self) -> Vec<(&'static str, &T)> {
        let slots = [
            ("default", &self.default),
            ("finance", &self.finance),
            ("operations", &self.operations),
            ("ecommerce", &self.ecommerce),
        ];
        slots
            .into_iter()
            .filter_map(|(n, v)| v.as_ref().map(|v| (n, v)))
            .collect()
    }
}

/// A JSON POST that Slack and Teams incoming webhooks both accept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// URLs per owner. Secret: Slack and Teams URLs carry their token in the path.
    pub urls: Routes<SecretString>,
    /// Sent as `Authorization: Bearer <token>` when set.
    #[serde(default)]
    pub bearer_token: Option<SecretString>,
    /// Sent as the header `secret_header` (default `X-Concord-Secret`) when set.
    #[serde(default)]
    pub secret: Option<SecretString>,
    #[serde(default = "default_secret_header")]
    pub secret_header: String,
    #[serde(default = "default_timeout_s")]
    pub timeout_s: f64,
}

/// E-mail over SMTP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: String,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    #[serde(default)]
    pub auth: SmtpAuth,
    /// The sender, e.g. `Concord <concord@example.com>`.
    pub from: String,
    /// Recipient lists per owner.
    pub to: Routes<Vec<String>>,
    #[serde(default = "default_timeout_s")]
    pub timeout_s: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which the server must offer.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpAuth {
    #[default]
    Plain,
    Login,
}

fn default_timeout_s() -> f64 {
    10.0
}

fn default_secret_header() -> String {
    "X-Concord-Secret".to_owned()
}
