//! Optional drafts of a fuller explanation of a root cause by an OpenAI-compatible endpoint
//! (issue 16). Off unless `[explain]` is configured. What is sent is the cause's evidence only
//! (kind, key, counts, order ids, amounts, first seen, the suggested action): never a secret,
//! never a name, e-mail or address. The draft is shown to a person; Concord acts on nothing in it.

use super::causes::RootCause;
use reqwest::Client;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// `[explain]`: where drafts come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainConfig {
    /// The API base, e.g. `https://api.openai.com/v1` (`/chat/completions` is appended).
    pub endpoint: String,
    pub model: String,
    /// Sent as `Authorization: Bearer`; set it with `CONCORD_EXPLAIN__API_KEY`, not in the file.
    #[serde(default)]
    pub api_key: Option<SecretString>,
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u64,
}

fn default_timeout_s() -> u64 {
    30
}

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("the explanation endpoint could not be reached: {0}")]
    Transport(String),
    #[error("the explanation endpoint answered {status}")]
    Status { status: u16 },
    #[error("the explanation endpoint's answer holds no draft")]
    Empty,
}

/// At most this many order ids go with the evidence: examples, not a data export.
const EXAMPLES: usize = 10;
/// A draft longer than this is cut: it is read on a dashboard, not printed.
const MAX_DRAFT_CHARS: usize = 4000;

const SYSTEM: &str = "You help the operations and finance staff of a B2B brand whose storefront (OroCommerce) \
and ERP (Cin7 Core) are kept in agreement by an integration. Explain, in at most 150 words of plain English, \
what the problem described by the JSON evidence means for the business, its likely cause, and how to confirm \
and fix it at its source. Use only the evidence; do not invent figures. Do not tell the reader to change \
data you cannot see.";

/// The evidence sent for one cause: structured facts, no free text that could carry personal data.
pub fn evidence(cause: &RootCause) -> Value {
    let examples: Vec<&str> = cause
        .subjects
        .iter()
        .take(EXAMPLES)
        .map(String::as_str)
        .collect();
    json!({
        "cause_key": cause.key,
        "exception_kind": cause.kind,
        "owner_team": cause.owner,
        "orders_affected": cause.subjects.len(),
        "orders_held": cause.orders_held,
        "money_held": cause.money_held,
        "open_exceptions": cause.exceptions,
        "first_seen": cause.first_seen,
        "example_orders": examples,
        "suggested_action": cause.suggested_action,
    })
}

pub struct Explainer {
    config: ExplainConfig,
    client: Client,
}

impl Explainer {
    pub fn new(config: ExplainConfig) -> Result<Self, ExplainError> {
        let client = Client::builder()
            .timeout(Duration::from_secs(config.timeout_s))
            .build()
            .map_err(|e| ExplainError::Transport(e.to_string()))?;
        Ok(Explainer { config, client })
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// One chat completion over the cause's evidence.
    pub async fn draft(&self, cause: &RootCause) -> Result<String, ExplainError> {
        let url = format!(
            "{}/chat/completions",
            self.config.endpoint.trim_end_matches('/')
        );
        let body = json!({
            "model": self.config.model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": evidence(cause).to_string()},
            ],
        });
        let mut request = self.client.post(url).json(&body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request
            .send()
            .await
            .map_err(|e| ExplainError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ExplainError::Status {
                status: status.as_u16(),
            });
        }
        let answer: Value = response
            .json()
            .await
            .map_err(|e| ExplainError::Transport(e.without_url().to_string()))?;
        let text = answer
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ExplainError::Empty)?;
        Ok(text.chars().take(MAX_DRAFT_CHARS).collect())
    }
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
