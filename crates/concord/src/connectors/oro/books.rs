//! What `concord doctor` reads from Oro before go-live: the price lists (reference §6.2), the
//! webhook topics Oro offers and the subscriptions it holds (§16).

use super::client::OroClient;
use super::error::OroError;
use super::models::Resource;
use crate::domain::{BookEntry, WebhookSubscription};

fn price_list(r: &Resource) -> BookEntry {
    BookEntry {
        name: r.id.clone(),
        label: r.str("name"),
        // Absent in older answers: a list Oro lists is in use unless it says otherwise.
        active: r.str("active").is_none_or(|a| a == "true"),
    }
}

fn subscription(r: &Resource) -> Option<WebhookSubscription> {
    Some(WebhookSubscription {
        topic: r.rel_id("topic")?,
        url: r.str("notificationUrl").unwrap_or_default(),
        active: r.str("enabled").is_none_or(|e| e == "true"),
    })
}

/// `None` for an Oro without the webhooks module (before 6.1.10): it has no such resources.
fn unless_absent<T>(result: Result<T, OroError>) -> Result<Option<T>, OroError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(OroError::Permanent {
            status: 400 | 404 | 405,
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl OroClient {
    /// Every price list, keyed by its id (as the configuration names them).
    pub async fn price_lists(&self) -> Result<Vec<BookEntry>, OroError> {
        self.get_all("/pricelists", vec![], |r, _| Ok(Some(price_list(r))))
            .await
    }

    /// The webhook topics this Oro offers; `None` when it has no webhooks at all.
    pub async fn webhook_topics(&self) -> Result<Option<Vec<String>>, OroError> {
        let topics = self
            .get_all("/webhooktopics", vec![], |r, _| Ok(Some(r.id.clone())))
            .await;
        unless_absent(topics)
    }

    /// Every webhook subscription; `None` when this Oro has no webhooks at all.
    pub async fn webhooks(&self) -> Result<Option<Vec<WebhookSubscription>>, OroError> {
        let hooks = self
            .get_all("/webhooks", vec![], |r, _| Ok(subscription(r)))
            .await;
        unless_absent(hooks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(v: serde_json::Value) -> Resource {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn price_lists_read_by_id_with_their_activity() {
        let r = resource(json!({"type": "pricelists", "id": "2",
            "attributes": {"name": "Key accounts", "active": false}}));
        let entry = price_list(&r);
        assert_eq!(entry.name, "2");
        assert_eq!(entry.label.as_deref(), Some("Key accounts"));
        assert!(!entry.active);
    }

    #[test]
    fn a_subscription_reads_its_topic_url_and_enabled_flag() {
        let r = resource(json!({"type": "webhooks", "id": "9f0c",
            "attributes": {"notificationUrl": "https://c.example/webhooks/oro", "enabled": false},
            "relationships": {"topic": {"data": {"type": "webhooktopics", "id": "order.created"}}}}));
        let hook = subscription(&r).unwrap();
        assert_eq!(hook.topic, "order.created");
        assert!(!hook.active);
    }
}
