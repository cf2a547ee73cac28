//! Builds what a running Concord needs from its settings: the store-backed rate budget, both
//! clients, the shared context; and subscribes to both systems' webhooks.

use crate::config::{Config, Rules, Schedule};
use crate::connectors::budget::RateBudget;
use crate::connectors::cin7::{Cin7Client, Cin7Settings};
use crate::connectors::oro::{OroClient, OroSettings};
use crate::sync::context::Context;
use concord_store::Store;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;

pub struct Connections {
    pub oro: OroSettings,
    pub cin7: Cin7Settings,
    pub cin7_calls_per_minute: u32,
}

pub fn build_context(
    store: Store,
    connections: Connections,
    rules: Rules,
    schedule: Schedule,
) -> anyhow::Result<Context> {
    let clock = store.clock().clone();
    let app_name = format!("cin7:{}", connections.cin7.account_id);
    let budget = RateBudget::new(store.clone(), app_name, connections.cin7_calls_per_minute);
    let cin7 = Cin7Client::new(connections.cin7, budget, store.clone())?;
    let oro = OroClient::new(connections.oro, store.clone())?;
    Ok(Context {
        store,
        cin7,
        oro,
        rules: Arc::new(rules),
        schedule: Arc::new(schedule),
        clock,
        cache: Default::default(),
        instance: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()).into(),
        order_locks: Default::default(),
        customer_lock: Default::default(),
        cin7_webhooks: Default::default(),
        load_lock: Default::default(),
        oro_load_lock: Default::default(),
        poll_lock: Default::default(),
        stock_lock: Default::default(),
        lowered_orders: Default::default(),
        polled_orders: Default::default(),
        backlog_checked: Default::default(),
        last_snapshot: Default::default(),
        level_book: Default::default(),
        stock_hints: Default::default(),
        kept_orders: Default::default(),
        workers: Default::default(),
    })
}

/// Where the systems should deliver webhooks, and the secrets that prove a delivery is genuine.
pub struct WebhookTargets {
    pub base_url: String,
    pub oro_secret: Option<SecretString>,
    pub cin7_token: Option<SecretString>,
}

/// Subscribes to order, stock and customer webhooks. A system that refuses (no webhooks module,
/// Oro before 6.1.10, Order not webhook accessible) is left to polling, which runs either way; an
/// Oro refusal is recorded for the overview and `doctor` and raised as an `anomaly`.
pub async fn register_webhooks(ctx: &Context, targets: &WebhookTargets) {
    if let Some(secret) = &targets.oro_secret {
        let url = oro_webhook_url(&targets.base_url);
        let mut outcome = Ok(());
        for topic in ORO_ORDER_TOPICS {
            outcome =
                with_retries(|| ctx.oro.ensure_webhook(topic, &url, secret.expose_secret())).await;
            if outcome.is_err() {
                break;
            }
        }
        // Polling runs either way; a refusal is said where an operator looks, never silently.
        if let Err(e) = crate::sync::oro_webhooks::record(ctx, &outcome).await {
            tracing::warn!(error = %e, "Cannot record the Oro webhook subscription status.");
        }
        // Payments need the Oro order webhooks working first.
        if outcome.is_ok() {
            subscribe_payments(ctx, &url, secret.expose_secret()).await;
        }
    }
    if let Some(token) = &targets.cin7_token {
        let wanted = cin7_webhooks_wanted(&targets.base_url);
        let subscribed =
            with_retries(|| ctx.cin7.ensure_webhooks(&wanted, token.expose_secret())).await;
        if let Err(e) = &subscribed {
            tracing::warn!(error = %e, "Cin7 webhooks unavailable; polling only.");
        }
        ctx.cin7_webhooks
            .store(subscribed.is_ok(), std::sync::atomic::Ordering::SeqCst);
    }
}

/// The Oro topics Concord learns orders from.
pub const ORO_ORDER_TOPICS: [&str; 2] = ["order.created", "order.updated"];

/// Where Oro delivers to under `base`.
pub fn oro_webhook_url(base: &str) -> String {
    format!("{base}/webhooks/oro")
}

/// The Cin7 webhooks Concord subscribes to under `base`: (type, URL) pairs.
pub fn cin7_webhooks_wanted(base: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "Stock/AvailableStockLevelChanged",
            format!("{base}/webhooks/cin7/stock"),
        ),
        ("Customer/Updated", format!("{base}/webhooks/cin7/customer")),
        (
            "Sale/ShipmentAuthorised",
            format!("{base}/webhooks/cin7/shipment"),
        ),
        (
            "Sale/ShipmentTrackingNumberChanged",
            format!("{base}/webhooks/cin7/shipment"),
        ),
    ]
}

/// The base URL both systems deliver webhooks to: `oro.webhook_url`, else `cin7.webhook_url`,
/// else Concord's own listen address.
pub fn webhook_base_url(config: &Config) -> String {
    let listen = config.web.listen.as_deref().unwrap_or("127.0.0.1:8080");
    config
        .oro
        .webhook_url
        .clone()
        .or(config.cin7.webhook_url.clone())
        .unwrap_or_else(|| format!("http://{listen}"))
}

/// Oro announces payments only by webhook (6.1.10+); the outcome is kept so the overview and
/// `doctor` can say when Concord cannot learn payments.
async fn subscribe_payments(ctx: &Context, url: &str, secret: &str) {
    let topic = crate::engine::webhooks::PAYMENT_TOPIC;
    let outcome = with_retries(|| ctx.oro.ensure_webhook(topic, url, secret)).await;
    if let Err(e) = &outcome {
        tracing::warn!(error = %e, "Oro refused the payment webhook (before 6.1.10?): Concord cannot learn payments.");
    }
    let value = if outcome.is_ok() {
        "subscribed"
    } else {
        "unavailable"
    };
    let cursor = crate::sync::postings::ORO_PAYMENTS_CURSOR;
    if let Err(e) = ctx.store.cursor_set(cursor, value).await {
        tracing::warn!(error = %e, "Could not record the payment webhook's state.");
    }
}

/// Subscribing is idempotent (each call first looks for the subscription), so a transient failure
/// is retried a few times rather than leaving Concord on polling for the whole run.
async fn with_retries<F, Fut, E>(call: F) -> Result<(), E>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
{
    let mut last = None;
    for attempt in 0..3u64 {
        match call().await {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
    }
    match last {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

/// A random secret for webhooks Concord registers itself.
pub fn random_secret() -> SecretString {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().gen();
    SecretString::from(hex::encode(bytes))
}
