//! Concord's Oro webhook subscriptions (reference §8, §16): one per topic to Concord's URL, made
//! with `format` (required) and `verifySsl: true`. Oro never returns a subscription's `secret`
//! (write-only), so the secret each was made with is remembered as a salted fingerprint; when
//! the operator rotates `oro.webhook_secret`, the next start PATCHes the new secret into every
//! subscription of ours instead of leaving them signing with the old one (every delivery refused).

use super::client::OroClient;
use super::error::OroError;
use super::models::Document;
use crate::connectors::secret_fingerprint;
use reqwest::Method;
use serde_json::json;

/// The `system` under which fingerprints of Oro subscriptions are kept.
const SYSTEM: &str = "oro";

impl OroClient {
    /// Subscribes Concord to `topic` at `url` unless a subscription exists; an existing one not
    /// known to carry `secret` is given it.
    pub async fn ensure_webhook(
        &self,
        topic: &str,
        url: &str,
        secret: &str,
    ) -> Result<(), OroError> {
        let ours = self
            .get_all("/webhooks", vec![], |w, _| {
                let same = w.str("notificationUrl").as_deref() == Some(url)
                    && w.rel_id("topic").as_deref() == Some(topic);
                Ok(same.then(|| w.id.clone()))
            })
            .await?;
        if ours.is_empty() {
            return self.create_webhook(topic, url, secret).await;
        }
        for id in ours {
            if !secret_fingerprint::known(&self.store, SYSTEM, &id, secret).await {
                self.set_webhook_secret(&id, secret).await?;
                tracing::info!(
                    topic,
                    "Gave Concord's Oro webhook subscription the configured secret."
                );
            }
        }
        Ok(())
    }

    async fn create_webhook(&self, topic: &str, url: &str, secret: &str) -> Result<(), OroError> {
        // `format` is required by every Oro with webhooks (§16); `default` sends the whole order.
        let body = json!({"data": {"type": "webhooks",
            "attributes": {"notificationUrl": url, "secret": secret, "enabled": true, "verifySsl": true},
            "relationships": {"topic": {"data": {"type": "webhooktopics", "id": topic}},
                              "format": {"data": {"type": "webhookformats", "id": "default"}}}}});
        let answer = self
            .send(Method::POST, "/webhooks", &[], Some(body), false, None)
            .await?;
        // Without the new id the fingerprint waits for the next start, which PATCHes once.
        let created = serde_json::from_str::<Document>(&answer)
            .ok()
            .and_then(|doc| doc.data.into_vec().into_iter().next());
        if let Some(record) = created {
            secret_fingerprint::remember(&self.store, SYSTEM, &record.id, secret).await;
        }
        Ok(())
    }

    async fn set_webhook_secret(&self, id: &str, secret: &str) -> Result<(), OroError> {
        let body =
            json!({"data": {"type": "webhooks", "id": id, "attributes": {"secret": secret}}});
        self.send(
            Method::PATCH,
            &format!("/webhooks/{id}"),
            &[],
            Some(body),
            false,
            None,
        )
        .await?;
        secret_fingerprint::remember(&self.store, SYSTEM, id, secret).await;
        Ok(())
    }
}
