//! Oro order webhooks: Concord subscribes the way a real Oro requires (with a `format`), and when
//! Oro refuses (Order not webhook accessible) it keeps polling and says so: an `anomaly`, a failing
//! "oro webhooks" health row for the overview and `concord doctor`.

use crate::helpers::{scenario_file, spawn_parts, Parts, SPEED};
use concord::app::{register_webhooks, WebhookTargets};
use concord::sync::oro_webhooks::{self, Subscription};
use concord_store::ExceptionFilter;
use secrecy::SecretString;
use serde_json::json;

async fn parts(orders_webhook_accessible: bool) -> Parts {
    let mut scenario = scenario_file("trade-shop.json");
    scenario["name"] = json!("oro-subscriptions");
    scenario["oro"]["webhooks"] = json!(true);
    scenario["oro"]["orders_webhook_accessible"] = json!(orders_webhook_accessible);
    spawn_parts(&scenario.to_string(), SPEED).await
}

fn targets() -> WebhookTargets {
    WebhookTargets {
        base_url: "http://127.0.0.1:9".into(),
        oro_secret: Some(SecretString::from("oro-secret")),
        cin7_token: None,
    }
}

/// Statuses of Concord's `POST /admin/api/webhooks` calls, as the emulator logged them.
fn subscribe_calls(parts: &Parts) -> Vec<u16> {
    parts
        .emulators
        .oro
        .api_log()
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/admin/api/webhooks")
        .map(|e| e.status)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concord_subscribes_to_order_topics_with_the_format_oro_requires() {
    let parts = parts(true).await;
    register_webhooks(&parts.ctx, &targets()).await;
    assert_eq!(
        subscribe_calls(&parts),
        vec![201, 201, 201],
        "order.created, order.updated, then order.payment_status_updated"
    );
    let status = oro_webhooks::status(&parts.ctx.store).await.unwrap();
    assert_eq!(status, Subscription::Subscribed);
    assert!(oro_webhooks::health(&parts.ctx.store).await.ok);
    // A second start finds all three subscriptions and creates nothing.
    register_webhooks(&parts.ctx, &targets()).await;
    assert_eq!(subscribe_calls(&parts).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_subscription_is_an_anomaly_and_a_failing_health_row_not_a_silent_fallback() {
    let parts = parts(false).await;
    register_webhooks(&parts.ctx, &targets()).await;
    assert!(subscribe_calls(&parts).iter().all(|s| *s == 400));
    match oro_webhooks::status(&parts.ctx.store).await.unwrap() {
        Subscription::Refused(reason) => {
            assert!(
                reason.contains("/data/relationships/topic/data"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    let health = oro_webhooks::health(&parts.ctx.store).await;
    assert!(!health.ok);
    assert!(health.detail.contains("polling only"), "{}", health.detail);
    let filter = ExceptionFilter {
        limit: 0,
        ..ExceptionFilter::default()
    };
    let exceptions = parts.ctx.store.exceptions(&filter).await.unwrap();
    let anomaly = exceptions
        .iter()
        .find(|e| e.kind.as_str() == "anomaly" && e.subject == oro_webhooks::SUBJECT)
        .expect("an anomaly for the refused subscription");
    assert!(
        anomaly.explanation.contains("webhook accessible"),
        "{}",
        anomaly.explanation
    );
}
