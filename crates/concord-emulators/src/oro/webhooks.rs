//! Webhook delivery (§8): `order.created` / `order.updated` events are queued under the state lock
//! and a background loop POSTs them to each subscription's URL, on scenario time.
//!
//! Request: `POST <notificationUrl>` with `Content-Type: application/json`, `Webhook-Topic: <the
//! subscription's topic>`, `Webhook-Id: <uuid>` (the same on every retry of one event, so it can be
//! used to deduplicate) and, when the subscription has a secret, `Webhook-Signature: <lowercase hex
//! HMAC-SHA256 of the raw body, keyed by the secret>` with `Webhook-Signature-Algorithm: HMAC-SHA256`.
//! Body: `{"topic", "timestamp" (Unix seconds, scenario clock), "messageId" (= Webhook-Id),
//! "eventData": <the JSON:API GET document of the order, without included>}` (`thin` format:
//! only `{"data": {"type", "id"}}`).
//!
//! Outcome: 2xx delivered; 410 deletes the subscription; 429, 5xx or no answer → retried after
//! 1 s × 2^n (±10 % jitter, or the receiver's `Retry-After` seconds) of scenario time, at most
//! [`MAX_RETRIES`] times (Symfony's default); anything else is dropped. Nothing is sent while an
//! outage is on: queued deliveries wait for it to end.

use super::render;
use super::state::{Delivery, Now, Shared, State};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::json;
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

pub const MAX_RETRIES: u32 = 3;
/// The receiver's time to answer, in scenario seconds (Oro's HTTP client timeout).
const TIMEOUT_S: u64 = 30;

/// A new event's (Webhook-Id, body) for order `id`, or `None` when the order is gone.
pub fn body(st: &State, topic: &str, id: i64, format: &str, now: Now) -> Option<(String, String)> {
    let data = if format == "thin" {
        json!({"type": "orders", "id": id.to_string()})
    } else {
        render::order(st, id)?
    };
    let uuid = uuid::Uuid::new_v4().to_string();
    let body = json!({"topic": topic, "timestamp": now.at.timestamp(), "messageId": uuid, "eventData": {"data": data}});
    Some((uuid, body.to_string()))
}

/// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

enum Outcome {
    Delivered,
    Gone,
    Retry(Option<f64>),
    Failed,
}

/// Runs until aborted.
pub async fn run(s: Arc<Shared>) {
    let client = reqwest::Client::builder()
        .timeout(s.clock.to_real(Duration::from_secs(TIMEOUT_S)))
        .build()
        .unwrap_or_default();
    loop {
        let idle_for = if s.outage.active(&s.clock) {
            Some(1.0)
        } else {
            None
        };
        let (due, next_due) = s.with(|st, now| {
            if idle_for.is_some() {
                return (Vec::new(), None);
            }
            let (due, rest): (Vec<Delivery>, Vec<Delivery>) =
                st.outbox.drain(..).partition(|d| d.due_s <= now.s);
            st.outbox.extend(rest);
            st.in_flight += due.len();
            let next = st
                .outbox
                .iter()
                .map(|d| d.due_s - now.s)
                .fold(None, |m: Option<f64>, w| Some(m.map_or(w, |m| m.min(w))));
            (due, next)
        });
        if due.is_empty() {
            let wait = idle_for.or(next_due).unwrap_or(1.0).clamp(0.01, 1.0);
            tokio::select! {
                _ = s.wake.notified() => {}
                _ = s.clock.sleep(Duration::from_secs_f64(wait)) => {}
            }
            continue;
        }
        let sent = futures::future::join_all(due.iter().map(|d| send(&client, d))).await;
        s.with(|st, now| {
            st.in_flight = st.in_flight.saturating_sub(due.len());
            for (mut d, outcome) in due.into_iter().zip(sent) {
                match outcome {
                    Outcome::Delivered | Outcome::Failed => {}
                    Outcome::Gone => {
                        st.webhooks.remove(&d.webhook);
                        st.outbox.retain(|q| q.webhook != d.webhook);
                    }
                    Outcome::Retry(_) if d.attempt >= MAX_RETRIES => {}
                    Outcome::Retry(after) => {
                        let backoff = 2f64.powi(i32::try_from(d.attempt).unwrap_or(30))
                            * rand::thread_rng().gen_range(0.9..=1.1);
                        d.due_s = now.s + after.unwrap_or(backoff);
                        d.attempt += 1;
                        st.outbox.push_back(d);
                    }
                }
            }
        });
    }
}

async fn send(client: &reqwest::Client, d: &Delivery) -> Outcome {
    let mut req = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-topic", &d.topic)
        .header("webhook-id", &d.webhook_uuid)
        .body(d.body.clone());
    if let Some(secret) = &d.secret {
        req = req
            .header("webhook-signature", signature(secret, d.body.as_bytes()))
            .header("webhook-signature-algorithm", "HMAC-SHA256");
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            if status.is_success() {
                Outcome::Delivered
            } else if status.as_u16() == 410 {
                Outcome::Gone
            } else if status.as_u16() == 429 || status.is_server_error() {
                let after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<f64>().ok());
                Outcome::Retry(after)
            } else {
                Outcome::Failed
            }
        }
        Err(_) => Outcome::Retry(None),
    }
}
