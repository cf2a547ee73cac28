//! Whether Oro accepted Concord's order webhook subscriptions, kept in the store so the dashboard
//! overview and `concord doctor` (another process) can say so, and raised as an `anomaly` when Oro
//! refused them: Concord then finds orders by polling alone, and an operator must know why.

use super::context::Context;
use crate::connectors::oro::OroError;
use crate::connectors::Health;
use concord_core::catalogue::ExceptionKind;
use concord_store::{Store, StoreError};

/// Store cursor holding the outcome of the last subscription attempt.
pub const STATUS_CURSOR: &str = "oro.webhooks.status";
/// Subject of the exception raised when Oro refuses the subscriptions.
pub const SUBJECT: &str = "system:oro-webhooks";
const SUBSCRIBED: &str = "subscribed";
const REFUSED: &str = "refused: ";

/// What the last attempt to subscribe to Oro's order topics came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Subscription {
    Subscribed,
    Refused(String),
    /// No attempt: no Oro webhook secret is configured, so Concord polls by design.
    NotConfigured,
}

/// Records the outcome; a refusal raises (or counts again) an `anomaly`, a success closes it.
pub async fn record(ctx: &Context, outcome: &Result<(), OroError>) -> Result<(), StoreError> {
    match outcome {
        Ok(()) => {
            ctx.store.cursor_set(STATUS_CURSOR, SUBSCRIBED).await?;
            super::exceptions::resolve(
                &ctx.store,
                ExceptionKind::Anomaly,
                SUBJECT,
                "Oro accepted the order webhook subscriptions.",
            )
            .await
        }
        Err(e) => {
            let reason = e.to_string().trim_end_matches('.').to_owned();
            tracing::warn!(error = %reason, "Oro refused the order webhooks; orders are found by polling only.");
            ctx.store
                .cursor_set(STATUS_CURSOR, &format!("{REFUSED}{reason}"))
                .await?;
            let explanation = format!(
                "Oro refused Concord's order webhook subscription: {reason}. Concord keeps finding \
                 orders by polling every {} s, so new orders reach Cin7 later than they would by \
                 webhook. If Oro has no order topics, make Order \"webhook accessible\" in Oro \
                 (System > Entities > Entity Management > Order) and restart Concord.",
                ctx.schedule.order_poll_s
            );
            super::exceptions::raise(
                &ctx.store,
                &ctx.rules,
                ExceptionKind::Anomaly,
                SUBJECT,
                "oro_webhooks_refused",
                explanation,
            )
            .await
        }
    }
}

/// The stored outcome of the last attempt (`NotConfigured` when none was made).
pub async fn status(store: &Store) -> Result<Subscription, StoreError> {
    Ok(match store.cursor_get(STATUS_CURSOR).await? {
        Some(v) if v == SUBSCRIBED => Subscription::Subscribed,
        Some(v) => Subscription::Refused(v.strip_prefix(REFUSED).unwrap_or(&v).to_owned()),
        None => Subscription::NotConfigured,
    })
}

/// The health row shown on the overview and by `concord doctor`: failing while Oro refuses.
pub async fn health(store: &Store) -> Health {
    let (ok, detail) = match status(store).await {
        Ok(Subscription::Subscribed) => (
            true,
            "order webhooks subscribed; polling as a backstop".to_owned(),
        ),
        Ok(Subscription::NotConfigured) => (
            true,
            "no Oro webhook secret configured: orders are found by polling".to_owned(),
        ),
        Ok(Subscription::Refused(reason)) => (
            false,
            format!("Oro refused the order webhooks ({reason}); orders are found by polling only"),
        ),
        Err(e) => (false, format!("cannot read the subscription status: {e}")),
    };
    Health {
        system: "oro webhooks",
        ok,
        detail,
    }
}
