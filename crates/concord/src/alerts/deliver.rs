//! Delivery: one message fanned out to the routes of its owner, each route with its own entry in
//! the store (records of kind `alert`), so a restart neither repeats a message nor forgets one,
//! and a route that failed is retried at the next tick without re-sending to the ones that worked.

use super::config::AlertsConfig;
use super::message::Message;
use super::{email, webhook, TickReport};
use chrono::{DateTime, Utc};
use concord_core::catalogue::Owner;
use concord_store::{Store, StoreError};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// The record kind every alert ledger entry is stored under.
pub const RECORD_KIND: &str = "alert";

/// When a message may go out again on a route.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Due {
    /// Alerts: not again until the cool-down has passed since the last send.
    AfterCooldown(Duration),
    /// Digests: once per slot, so not if the last send was at or after the slot.
    OncePer(DateTime<Utc>),
}

impl Due {
    fn allows(self, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        let Some(last) = last else { return true };
        match self {
            // A last send "in the future" (a rehearsal clock started earlier) counts as recent.
            Due::AfterCooldown(cooldown) => {
                (now - last).to_std().is_ok_and(|since| since >= cooldown)
            }
            Due::OncePer(slot) => last < slot,
        }
    }
}

/// Where one copy of a message goes. `label` names the channel and the route slot, never the
/// address or URL, so it is safe to log and to store.
struct Route<'a> {
    label: String,
    target: Target<'a>,
}

enum Target<'a> {
    Webhook(&'a SecretString),
    Email(Vec<String>),
}

fn routes(config: &AlertsConfig, owner: Option<Owner>) -> Vec<Route<'_>> {
    let mut out = Vec::new();
    if let Some(hook) = &config.webhook {
        let slots = match owner {
            Some(o) => hook.urls.for_owner(o).into_iter().collect(),
            None => hook.urls.all(),
        };
        let mut seen: Vec<&str> = Vec::new();
        for (slot, url) in slots {
            // Two owners sharing one channel get one copy of a message meant for everyone.
            if !seen.contains(&url.expose_secret()) {
                seen.push(url.expose_secret());
                out.push(Route {
                    label: format!("webhook:{slot}"),
                    target: Target::Webhook(url),
                });
            }
        }
    }
    if let Some(mail) = &config.email {
        let (slot, mut to) = match owner {
            Some(o) => match mail.to.for_owner(o) {
                Some((slot, list)) => (slot, list.clone()),
                None => ("none", Vec::new()),
            },
            None => (
                "all",
                mail.to
                    .all()
                    .into_iter()
                    .flat_map(|(_, l)| l.clone())
                    .collect(),
            ),
        };
        to.sort();
        to.dedup();
        if !to.is_empty() {
            out.push(Route {
                label: format!("email:{slot}"),
                target: Target::Email(to),
            });
        }
    }
    out
}

/// Sends `msg` on every route that is due. True when every route has it now (sent or already
/// had it); false when any failed and should be tried again.
pub(crate) async fn dispatch(
    store: &Store,
    config: &AlertsConfig,
    http: &reqwest::Client,
    msg: &Message,
    due: Due,
    report: &mut TickReport,
) -> bool {
    let now = store.clock().now();
    let mut complete = true;
    for route in routes(config, msg.owner) {
        let entry = format!("{}@{}", msg.key, route.label);
        let last = match last_sent(store, &entry).await {
            Ok(last) => last,
            Err(error) => {
                tracing::warn!(key = %msg.key, route = %route.label, %error, "Cannot read the alert ledger; retrying at the next tick.");
                report.failed.push(entry);
                complete = false;
                continue;
            }
        };
        if !due.allows(last, now) {
            report.suppressed.push(entry);
            continue;
        }
        let sent = match &route.target {
            Target::Webhook(url) => match &config.webhook {
                Some(hook) => webhook::post(http, hook, url, msg).await,
                None => Ok(()),
            },
            Target::Email(to) => match &config.email {
                Some(mail) => email::send(mail, to, msg).await,
                None => Ok(()),
            },
        };
        match sent {
            Ok(()) => {
                record_sent(store, &entry, msg, now).await;
                tracing::info!(key = %msg.key, route = %route.label, "Alert sent.");
                report.sent.push(entry);
            }
            Err(error) => {
                tracing::warn!(key = %msg.key, route = %route.label, %error, "Alert delivery failed; retrying at the next tick.");
                report.failed.push(entry);
                complete = false;
            }
        }
    }
    complete
}

/// When `entry` (`<message key>@<route>`) was last delivered.
pub async fn last_sent(store: &Store, entry: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let Some(record) = store.record_get(RECORD_KIND, entry).await? else {
        return Ok(None);
    };
    let at = record
        .data
        .get("sent_at")
        .and_then(|v| v.as_str())
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc));
    Ok(Some(at.unwrap_or(record.updated_at)))
}

/// Writes the ledger entry and the audit line. A failure here is logged, not retried: the message
/// did go out, and repeating it would be worse than a missing ledger line.
async fn record_sent(store: &Store, entry: &str, msg: &Message, now: DateTime<Utc>) {
    let data = serde_json::json!({ "sent_at": now.to_rfc3339(), "title": msg.title });
    if let Err(error) = store.record_put(RECORD_KIND, entry, "sent", &data).await {
        tracing::warn!(%entry, %error, "Alert sent but its ledger entry was not saved.");
    }
    let target = format!("alert:{}", msg.key);
    let note = entry.rsplit('@').next();
    if let Err(error) = store.audit("concord", "alert_sent", &target, note).await {
        tracing::warn!(%entry, %error, "Alert sent but not audited.");
    }
}
