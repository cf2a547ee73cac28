//! Delivery: the webhook and e-mail channels against real receivers, owner routing, retries after
//! a failure, cool-downs that survive a restart, and secrets kept out of errors.

use super::super::{run, tick, Memory};
use super::{budget_app, config, hook_config, hook_receiver, smtp_sink, start, Env};
use concord_core::catalogue::ExceptionKind::{OrderMissingInCin7, TaxMismatch};
use concord_core::Clock;
use std::time::Duration;

const OPEN_RULES: &str = r#"
[[rules]]
name = "missing"
when = "open"
kind = "order_missing_in_cin7"

[[rules]]
name = "tax"
when = "open"
kind = "tax_mismatch"
"#;

#[tokio::test]
async fn an_alert_reaches_the_owners_webhook_with_its_auth_headers() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = config(&format!(
        r#"{OPEN_RULES}
[webhook]
bearer_token = "bearer-s3cret"
secret = "header-s3cret"
[webhook.urls]
default = "{}"
finance = "{}"
[digest]
daily = false
weekly = false
"#,
        hook.url("DEFAULT-T0K3N"),
        hook.url("FINANCE-T0K3N")
    ));
    env.raise(0.0, TaxMismatch, "order:7").await;

    // Act
    let report = tick(&env.at(60.0), &config, &budget_app(), &mut Memory::new()).await;

    // Assert
    assert_eq!(report.sent, vec!["rule:tax@webhook:finance"]);
    let hit = &hook.hits()[0];
    assert_eq!(hit.path_token, "FINANCE-T0K3N");
    assert_eq!(hit.headers["authorization"], "Bearer bearer-s3cret");
    assert_eq!(hit.headers["x-concord-secret"], "header-s3cret");
    assert_eq!(hit.body["category"], "alert");
    assert!(hit.body["text"]
        .as_str()
        .unwrap()
        .starts_with("[Concord] 1 open tax_mismatch"));
}

#[tokio::test]
async fn an_alert_reaches_the_owners_recipients_over_smtp_with_auth_plain() {
    // Arrange
    let (env, sink) = (Env::new().await, smtp_sink().await);
    let config = config(&format!(
        r#"{OPEN_RULES}
[email]
host = "127.0.0.1"
port = {}
tls = "none"
username = "concord"
password = "smtp-s3cret"
from = "Concord <concord@example.com>"
[email.to]
default = ["all@example.com"]
operations = ["ops@example.com", "lead@example.com"]
[digest]
daily = false
weekly = false
"#,
        sink.port
    ));
    env.raise(0.0, OrderMissingInCin7, "order:1001").await;

    // Act
    let report = tick(&env.at(60.0), &config, &budget_app(), &mut Memory::new()).await;

    // Assert
    assert_eq!(report.sent, vec!["rule:missing@email:operations"]);
    let mail = sink.mail();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].from, "<concord@example.com>");
    assert_eq!(mail[0].to, vec!["<lead@example.com>", "<ops@example.com>"]);
    assert!(mail[0].auth.as_deref().unwrap().starts_with("AUTH PLAIN "));
    assert!(mail[0]
        .data
        .contains("Subject: [Concord] 1 open order_missing_in_cin7"));
    assert!(mail[0].data.contains("order:1001"), "{}", mail[0].data);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_at_the_next_tick() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, OPEN_RULES);
    env.raise(0.0, OrderMissingInCin7, "order:1").await;
    let mut memory = Memory::new();

    // Act
    hook.answer(503);
    let failed = tick(&env.at(60.0), &config, &budget_app(), &mut memory).await;
    hook.answer(200);
    let retried = tick(&env.at(120.0), &config, &budget_app(), &mut memory).await;

    // Assert
    assert_eq!(failed.failed, vec!["rule:missing@webhook:default"]);
    assert_eq!(retried.sent, vec!["rule:missing@webhook:default"]);
    assert_eq!(hook.hits().len(), 1);
}

#[tokio::test]
async fn a_delivery_error_never_shows_the_webhook_url_or_its_token() {
    // Arrange: nothing listens on the port.
    let url = "http://127.0.0.1:9/hook/T0K3N-IN-PATH".to_owned();
    let hook = hook_config(
        &super::Hook {
            base: "http://127.0.0.1:9".to_owned(),
            hits: Default::default(),
            status: Default::default(),
        },
        "rules = []",
    );
    let webhook = hook.webhook.clone().unwrap();
    let msg = super::super::Message {
        key: "rule:x".into(),
        category: super::super::Category::Alert,
        owner: None,
        title: "t".into(),
        summary: "s".into(),
        lines: vec![],
        fields: Default::default(),
        at: start(),
    };

    // Act
    let err = super::super::webhook::post(&reqwest::Client::new(), &webhook, &url.into(), &msg)
        .await
        .unwrap_err()
        .to_string();

    // Assert
    assert!(!err.contains("T0K3N"), "{err}");
    assert!(err.contains("error sending request"), "{err}");
    assert!(!format!("{hook:?}").contains("T0K3N"));
}

#[tokio::test]
async fn the_cooldown_suppresses_a_repeat_until_it_has_passed() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, OPEN_RULES);
    env.raise(0.0, OrderMissingInCin7, "order:1").await;

    // Act: a fresh `Memory` each time, as after a restart.
    let mut reports = Vec::new();
    for t in [0.0, 60.0, 3599.0, 3600.0] {
        reports.push(tick(&env.at(t), &config, &budget_app(), &mut Memory::new()).await);
    }

    // Assert
    let sent: Vec<usize> = reports.iter().map(|r| r.sent.len()).collect();
    assert_eq!(sent, vec![1, 0, 0, 1]);
    assert_eq!(reports[1].suppressed, vec!["rule:missing@webhook:default"]);
    assert_eq!(hook.hits().len(), 2);
}

/// Waits (real time) until `hook` has `n` hits or ten seconds pass.
async fn wait_for_hits(hook: &super::Hook, n: usize) {
    for _ in 0..500 {
        if hook.hits().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_cooldown_survives_a_new_run_on_the_same_store() {
    // Arrange: a clock 1000× faster, so a 60 s tick takes 60 ms.
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, OPEN_RULES);
    env.raise(0.0, OrderMissingInCin7, "order:1").await;
    let fast = env
        .store
        .with_clock(Clock::scaled_from(start(), 1000.0, 10.0));

    // Act: one run until it has alerted, then a second run on the same store for ~10 ticks.
    let first = tokio::spawn(run(fast.clone(), config.clone(), budget_app()));
    wait_for_hits(&hook, 1).await;
    first.abort();
    let second = tokio::spawn(run(fast.clone(), config.clone(), budget_app()));
    tokio::time::sleep(Duration::from_millis(600)).await;
    second.abort();

    // Assert
    assert_eq!(hook.hits().len(), 1);
    let audit = env.store.audit_log(50).await.unwrap();
    let sends = audit.iter().filter(|a| a.action == "alert_sent").count();
    assert_eq!(sends, 1);
}
