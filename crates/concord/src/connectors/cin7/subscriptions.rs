//! Cin7 webhook subscriptions: created once, then checked now and then, because Cin7 deactivates a
//! webhook after six failed deliveries and says so to nobody. A deactivated subscription of ours is
//! deleted and created again, so the five-per-type cap is never spent on our own dead ones. An
//! active one not known to carry the configured bearer token (the operator rotated
//! `cin7.webhook_token`) is given it with a `PUT`, so its deliveries are not refused.

use super::client::{Call, Cin7Client};
use super::error::Cin7Error;
use crate::connectors::budget::Priority;
use crate::connectors::secret_fingerprint;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// The `system` under which fingerprints of Cin7 subscriptions are kept.
const SYSTEM: &str = "cin7";

/// Cin7 refuses a sixth webhook of one type (reference §5.10).
pub const PER_TYPE_CAP: usize = 5;

/// Scenario seconds between two checks of the subscriptions (one `GET /webhooks` each).
pub const CHECK_EVERY_S: f64 = 600.0;

/// The subscriptions wanted (type, url), the bearer token they carry, and when they were checked.
#[derive(Clone, Default)]
pub struct Remembered(Arc<Mutex<Option<Wanted>>>);

struct Wanted {
    pairs: Vec<(String, String)>,
    bearer: SecretString,
    checked_s: f64,
}

/// What one pass over the subscriptions did, for the log and the tests.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub created: Vec<String>,
    pub recreated: Vec<String>,
    /// Types whose subscription was given the configured token.
    pub updated: Vec<String>,
}

impl Cin7Client {
    /// Subscribes each (type, url) pair unless an active subscription to it exists; one of ours
    /// that Cin7 deactivated is deleted and created again. One `GET /webhooks` covers every pair:
    /// each call spends the shared budget.
    pub async fn ensure_webhooks(
        &self,
        wanted: &[(&str, String)],
        bearer: &str,
    ) -> Result<(), Cin7Error> {
        let pairs: Vec<(String, String)> = wanted
            .iter()
            .map(|(k, u)| ((*k).to_owned(), u.clone()))
            .collect();
        self.reconcile_webhooks(&pairs, bearer).await?;
        if let Ok(mut slot) = self.subscribed.0.lock() {
            *slot = Some(Wanted {
                pairs,
                bearer: SecretString::from(bearer.to_owned()),
                checked_s: self.store.clock().elapsed_s(),
            });
        }
        Ok(())
    }

    /// The periodic check: `Ok(None)` when nothing was subscribed or the last check is recent.
    pub async fn recheck_webhooks(&self) -> Result<Option<Outcome>, Cin7Error> {
        let now = self.store.clock().elapsed_s();
        let due = {
            let Ok(mut slot) = self.subscribed.0.lock() else {
                return Ok(None);
            };
            match slot.as_mut() {
                Some(w) if now - w.checked_s >= CHECK_EVERY_S => {
                    w.checked_s = now;
                    Some((w.pairs.clone(), w.bearer.expose_secret().to_owned()))
                }
                _ => None,
            }
        };
        let Some((pairs, bearer)) = due else {
            return Ok(None);
        };
        self.reconcile_webhooks(&pairs, &bearer).await.map(Some)
    }

    async fn reconcile_webhooks(
        &self,
        pairs: &[(String, String)],
        bearer: &str,
    ) -> Result<Outcome, Cin7Error> {
        let mut hooks = self.list_webhooks().await?;
        let mut outcome = Outcome::default();
        for (kind, url) in pairs {
            let ours: Vec<&Value> = hooks.iter().filter(|h| is_ours(h, kind, url)).collect();
            let active: Vec<&Value> = ours.iter().copied().filter(|h| is_active(h)).collect();
            if !active.is_empty() {
                for hook in active {
                    if self.update_token(hook, kind, url, bearer).await? {
                        outcome.updated.push(kind.clone());
                    }
                }
                continue;
            }
            let dead: Vec<String> = ours.iter().filter_map(|h| id_of(h)).collect();
            for id in &dead {
                self.delete_webhook(id).await?;
            }
            hooks.retain(|h| id_of(h).is_none_or(|id| !dead.contains(&id)));
            let same_type = hooks.iter().filter(|h| type_is(h, kind)).count();
            if same_type >= PER_TYPE_CAP {
                return Err(Cin7Error::Permanent {
                    status: 400,
                    message: format!(
                        "Cin7 already has {same_type} webhooks of type {kind} (its limit is {PER_TYPE_CAP}) and none is Concord's; remove one in Cin7 so Concord can subscribe."
                    ),
                });
            }
            self.create_webhook(kind, url, bearer).await?;
            if dead.is_empty() {
                outcome.created.push(kind.clone());
            } else {
                tracing::warn!(kind = %kind, "Cin7 had deactivated Concord's webhook; created it again.");
                outcome.recreated.push(kind.clone());
            }
        }
        Ok(outcome)
    }

    async fn list_webhooks(&self) -> Result<Vec<Value>, Cin7Error> {
        let existing: Value = self
            .get_json("/webhooks", vec![], Priority::Stock, None)
            .await?;
        Ok(existing
            .get("Webhooks")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    async fn create_webhook(&self, kind: &str, url: &str, bearer: &str) -> Result<(), Cin7Error> {
        let body = json!({
            "Type": kind, "IsActive": true, "ExternalURL": url,
            "ExternalAuthorizationType": "bearerauth", "ExternalBearerToken": bearer,
        });
        let answer = self.write_webhook(Method::POST, body).await?;
        // Cin7 answers `{Webhooks: [the new one]}`; without its ID the next check PUTs once.
        let created = serde_json::from_str::<Value>(&answer).ok().and_then(|v| {
            v.get("Webhooks")
                .and_then(Value::as_array)
                .and_then(|hooks| hooks.first())
                .and_then(id_of)
        });
        if let Some(id) = created {
            secret_fingerprint::remember(&self.store, SYSTEM, &id, bearer).await;
        }
        Ok(())
    }

    /// Gives one of our active subscriptions `bearer` unless it is known to carry it; `true`
    /// when it was updated. A subscription without an `ID` cannot be addressed and is left.
    async fn update_token(
        &self,
        hook: &Value,
        kind: &str,
        url: &str,
        bearer: &str,
    ) -> Result<bool, Cin7Error> {
        let Some(id) = id_of(hook) else {
            return Ok(false);
        };
        if self.carries(&id, hook, bearer).await {
            return Ok(false);
        }
        let body = json!({
            "ID": id, "Type": kind, "IsActive": true, "ExternalURL": url,
            "ExternalAuthorizationType": "bearerauth", "ExternalBearerToken": bearer,
        });
        self.write_webhook(Method::PUT, body).await?;
        secret_fingerprint::remember(&self.store, SYSTEM, &id, bearer).await;
        tracing::info!(kind = %kind, "Gave Concord's Cin7 webhook the configured token.");
        Ok(true)
    }

    /// Whether subscription `id` carries `bearer`: by the fingerprint remembered when Concord
    /// set it, else by the token Cin7 shows (remembered then, so later checks need not read it).
    async fn carries(&self, id: &str, hook: &Value, bearer: &str) -> bool {
        use subtle::ConstantTimeEq;
        if secret_fingerprint::known(&self.store, SYSTEM, id, bearer).await {
            return true;
        }
        let shown = hook
            .get("ExternalBearerToken")
            .and_then(Value::as_str)
            .is_some_and(|t| bool::from(t.as_bytes().ct_eq(bearer.as_bytes())));
        if shown {
            secret_fingerprint::remember(&self.store, SYSTEM, id, bearer).await;
        }
        shown
    }

    async fn write_webhook(&self, method: Method, body: Value) -> Result<String, Cin7Error> {
        self.send(Call {
            method,
            path: "/webhooks",
            query: vec![],
            body: Some(body),
            priority: Priority::Stock,
            subject: None,
        })
        .await
    }

    async fn delete_webhook(&self, id: &str) -> Result<(), Cin7Error> {
        self.send(Call {
            method: Method::DELETE,
            path: "/webhooks",
            query: vec![("ID", id.to_owned())],
            body: None,
            priority: Priority::Stock,
            subject: None,
        })
        .await
        .map(|_| ())
    }
}

fn type_is(hook: &Value, kind: &str) -> bool {
    hook.get("Type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case(kind))
}

fn is_ours(hook: &Value, kind: &str, url: &str) -> bool {
    type_is(hook, kind) && hook.get("ExternalURL").and_then(Value::as_str) == Some(url)
}

/// `IsActive` as a boolean or, as Cin7's samples sometimes print booleans, a string; absent means
/// active (older answers omit it).
fn is_active(hook: &Value) -> bool {
    match hook.get("IsActive") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.trim().eq_ignore_ascii_case("false"),
        _ => true,
    }
}

fn id_of(hook: &Value) -> Option<String> {
    hook.get("ID").and_then(Value::as_str).map(str::to_owned)
}
