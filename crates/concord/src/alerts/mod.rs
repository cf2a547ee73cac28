//! Alerts and digests: rules evaluated on the store's clock turn exception patterns, a hot Cin7
//! rate budget and dead letters into messages for the owning team, over a chat webhook (Slack,
//! Teams) and e-mail (SMTP); a daily digest per owner and a weekly summary go the same way.
//!
//! # Layout
//! - [`config`]: `[alerts]` settings ([`AlertsConfig`]) with the default rules; `routes`: the
//!   channel settings and per-owner routes.
//! - `rules`: evaluates one rule into a [`Message`] or nothing.
//! - `digest`: the daily and weekly digests and their slots.
//! - `deliver`: fans a message out to the owner's routes with a per-route ledger in the store
//!   (records of kind `alert`), which is what makes cool-downs and digests survive a restart.
//! - `webhook`, `email`: the two channels.
//! - [`message`]: what a message says, rendered for each channel.
//!
//! Failures to deliver are logged as warnings and retried at the next tick; nothing here ends the
//! engine. No secret (webhook URL, token, SMTP password, recipient list) is ever logged: routes are
//! named by their slot (`webhook:finance`, `email:default`).

pub mod config;
mod deliver;
mod digest;
mod email;
pub mod message;
mod routes;
mod rules;
mod webhook;

#[cfg(test)]
mod tests;

pub use config::{AlertRule, AlertsConfig, Condition, DigestConfig, EmailConfig, WebhookConfig};
pub use deliver::RECORD_KIND;
pub use message::{Category, Message};

use concord_store::Store;
use std::time::Duration;

/// Why a message did not reach a channel. The text is safe to log: it never holds the URL, the
/// token or the password.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("webhook delivery failed: {0}")]
    Webhook(String),
    #[error("e-mail delivery failed: {0}")]
    Email(String),
}

/// What one tick did, by `<message key>@<route>` (or the message key for `fired`): for tests and
/// the debug log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// Messages the rules and digests produced this tick.
    pub fired: Vec<String>,
    pub sent: Vec<String>,
    /// Held back by a cool-down, or already sent for this digest slot.
    pub suppressed: Vec<String>,
    /// Will be retried at the next tick.
    pub failed: Vec<String>,
}

/// What alerting keeps between ticks of one process. Everything that must survive a restart is in
/// the store; this is only the HTTP client and the budget samples.
#[derive(Debug, Default)]
pub struct Memory {
    http: reqwest::Client,
    /// Recent budget readings per rule: a rate is "high for W minutes" only over several ticks.
    samples: rules::BudgetSamples,
}

impl Memory {
    pub fn new() -> Self {
        Memory::default()
    }
}

/// Evaluates every rule and the digest schedule once, at the store's clock time, and delivers
/// what is due. `budget_app` is the Cin7 application's budget name and its calls per minute.
pub async fn tick(
    store: &Store,
    config: &AlertsConfig,
    budget_app: &(String, u32),
    memory: &mut Memory,
) -> TickReport {
    let mut report = TickReport::default();
    for rule in &config.rules {
        let now = store.clock().now();
        match rules::evaluate(store, rule, budget_app, &mut memory.samples, now).await {
            Ok(Some(msg)) => {
                report.fired.push(msg.key.clone());
                let due = deliver::Due::AfterCooldown(config.cooldown(rule));
                deliver::dispatch(store, config, &memory.http, &msg, due, &mut report).await;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(rule = %rule.name, %error, "Cannot evaluate an alert rule; retrying at the next tick.");
            }
        }
    }
    digest::run_due(store, config, &memory.http, &mut report).await;
    report
}

/// Runs alerting forever on the store's clock. With alerting off or no channel configured it
/// idles instead of returning, so an engine joining its tasks never mistakes it for a crash.
pub async fn run(store: Store, config: AlertsConfig, budget_app: (String, u32)) {
    if !config.is_active() {
        tracing::info!("Alerts are off: no webhook or e-mail channel is configured.");
        std::future::pending::<()>().await;
        return;
    }
    tracing::info!(
        rules = config.rules.len(),
        webhook = config.webhook.is_some(),
        email = config.email.is_some(),
        "Alerts are on."
    );
    let every =
        Duration::try_from_secs_f64(config.tick_s.max(1.0)).unwrap_or(Duration::from_secs(60));
    let mut memory = Memory::new();
    loop {
        let report = tick(&store, &config, &budget_app, &mut memory).await;
        if report != TickReport::default() {
            tracing::debug!(
                fired = report.fired.len(),
                sent = report.sent.len(),
                suppressed = report.suppressed.len(),
                failed = report.failed.len(),
                "Alert tick done."
            );
        }
        store.clock().sleep(every).await;
    }
}
