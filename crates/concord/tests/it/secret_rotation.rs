//! Rotating a webhook secret: after the operator changes `oro.webhook_secret` or
//! `cin7.webhook_token` and restarts, the subscriptions Concord made carry the new secret, so
//! deliveries keep verifying instead of being refused one by one.

use crate::helpers::{line, order_event, scenario_file, spawn_parts, with_backlog, Parts, SPEED};
use concord::app::{cin7_webhooks_wanted, register_webhooks, WebhookTargets};
use concord::engine::webhooks::{router, WebhookState};
use concord_core::scenario::OrderStatusChange;
use concord_store::{ExceptionFilter, JobFilter};
use secrecy::SecretString;
use serde_json::{json, Value};

const OLD_SECRET: &str = "webhook-secret-before-rotation-11";
const NEW_SECRET: &str = "webhook-secret-after-rotation-222";

/// Concord's Oro webhook receiver on a free port, checking `secret`; returns the base URL.
async fn serve_oro_receiver(parts: &Parts, secret: &str) -> String {
    let state = WebhookState::new(parts.ctx.clone(), Some(SecretString::from(secret)), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(state)).await;
    });
    url
}

fn oro_targets(base_url: &str, secret: &str) -> WebhookTargets {
    WebhookTargets {
        base_url: base_url.to_owned(),
        oro_secret: Some(SecretString::from(secret)),
        cin7_token: None,
    }
}

/// Statuses of Concord's `method` calls to Oro paths starting with `prefix`.
fn oro_calls(parts: &Parts, method: &str, prefix: &str) -> Vec<u16> {
    parts
        .emulators
        .oro
        .api_log()
        .iter()
        .filter(|e| e.method == method && e.path.starts_with(prefix))
        .map(|e| e.status)
        .collect()
}

async fn wait_for_deliveries(parts: &Parts) {
    for _ in 0..200 {
        if parts.emulators.oro.pending_webhooks() == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_oro_webhook_secret_updates_the_subscriptions_so_deliveries_verify() {
    // Arrange: order 9001 in Oro; Concord subscribed with the old secret, and its receiver now
    // checks the new one, as after an operator changed `oro.webhook_secret` and restarted.
    let mut scenario = scenario_file("trade-shop.json");
    scenario["oro"]["webhooks"] = json!(true);
    scenario["oro"]["orders_webhook_accessible"] = json!(true);
    let order = order_event(
        0,
        9001,
        2,
        21,
        false,
        vec![line("TEE-GRN", "each", 3, 1000)],
    );
    let parts = spawn_parts(&with_backlog(scenario, [order]), SPEED).await;
    let url = serve_oro_receiver(&parts, NEW_SECRET).await;
    register_webhooks(&parts.ctx, &oro_targets(&url, OLD_SECRET)).await;

    // Act: the restart with the new secret, then Oro announces a change to the order.
    register_webhooks(&parts.ctx, &oro_targets(&url, NEW_SECRET)).await;
    let change = OrderStatusChange {
        order_id: 9001,
        internal_status: Some("closed".into()),
        status: None,
    };
    parts.emulators.oro.order_status(&change);
    wait_for_deliveries(&parts).await;

    // Assert: each of the three subscriptions was updated in place, none created twice, and
    // the delivery verified against the new secret (nothing refused, the order queued).
    assert_eq!(oro_calls(&parts, "POST", "/admin/api/webhooks").len(), 3);
    assert_eq!(
        oro_calls(&parts, "PATCH", "/admin/api/webhooks/"),
        vec![200; 3]
    );
    assert_eq!(parts.emulators.oro.pending_webhooks(), 0);
    let exceptions = parts
        .ctx
        .store
        .exceptions(&ExceptionFilter::default())
        .await
        .expect("exceptions");
    let refused: Vec<_> = exceptions
        .iter()
        .filter(|e| e.kind.as_str() == "webhook_rejected")
        .collect();
    assert!(refused.is_empty(), "deliveries refused: {refused:?}");
    let syncs = JobFilter {
        kind: Some("order.sync".into()),
        ..JobFilter::default()
    };
    let jobs = parts.ctx.store.list_jobs(&syncs).await.expect("jobs");
    assert!(!jobs.is_empty(), "the delivery queued no order sync");

    // Another start with the same secret changes nothing.
    register_webhooks(&parts.ctx, &oro_targets(&url, NEW_SECRET)).await;
    assert_eq!(oro_calls(&parts, "PATCH", "/admin/api/webhooks/").len(), 3);
}

/// Cin7's subscriptions as its `GET /webhooks` lists them.
async fn cin7_subscriptions(parts: &Parts) -> Vec<Value> {
    let conn = parts.emulators.connection();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let answer: Value = reqwest::Client::new()
        .get(format!("{}/webhooks", parts.emulators.cin7_url))
        .header("api-auth-accountid", text(&conn["cin7"]["account_id"]))
        .header(
            "api-auth-applicationkey",
            text(&conn["cin7"]["application_key"]),
        )
        .send()
        .await
        .expect("the Cin7 emulator answered")
        .json()
        .await
        .expect("JSON");
    answer["Webhooks"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_cin7_webhook_token_updates_the_subscriptions_in_place() {
    // Arrange: Concord subscribed to Cin7 with the old token.
    let mut scenario = scenario_file("trade-shop.json");
    scenario["cin7"]["webhooks"] = json!(true);
    let parts = spawn_parts(&scenario.to_string(), SPEED).await;
    let wanted = cin7_webhooks_wanted("https://concord.example.com");
    parts
        .ctx
        .cin7
        .ensure_webhooks(&wanted, OLD_SECRET)
        .await
        .expect("subscribed");

    // Act: the restart with the rotated token.
    parts
        .ctx
        .cin7
        .ensure_webhooks(&wanted, NEW_SECRET)
        .await
        .expect("subscribed again");

    // Assert: the same subscriptions, each now carrying the new token.
    let subscriptions = cin7_subscriptions(&parts).await;
    assert_eq!(subscriptions.len(), wanted.len(), "{subscriptions:?}");
    for s in &subscriptions {
        assert_eq!(s["ExternalBearerToken"], NEW_SECRET, "{s}");
        assert_eq!(s["IsActive"], true, "{s}");
    }
}
