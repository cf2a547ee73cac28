//! Threshold rules fire at their boundary and not one step short of it.

use super::super::{tick, Memory};
use super::{budget_app, hook_config, hook_receiver, Env};
use concord_core::catalogue::ExceptionKind::{OrderSyncFailed, StockStale};
use concord_core::retry::Failure;
use concord_store::{ExceptionStatus, NewJob};
use std::time::Duration;

const COUNT_RULE: &str = r#"
[[rules]]
name = "failures"
when = "count"
kind = "order_sync_failed"
at_least = 5
window_min = 15
"#;

#[tokio::test]
async fn a_count_rule_fires_at_its_threshold_and_not_one_below() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, COUNT_RULE);
    for n in 0..4 {
        env.raise(f64::from(n) * 60.0, OrderSyncFailed, &format!("order:{n}"))
            .await;
    }
    let mut memory = Memory::new();

    // Act
    let four = tick(&env.at(300.0), &config, &budget_app(), &mut memory).await;
    env.raise(300.0, OrderSyncFailed, "order:4").await;
    let five = tick(&env.at(300.0), &config, &budget_app(), &mut memory).await;

    // Assert
    assert!(four.fired.is_empty(), "{four:?}");
    assert_eq!(five.fired, vec!["rule:failures"]);
    assert_eq!(five.sent, vec!["rule:failures@webhook:default"]);
    let hits = hook.hits();
    assert_eq!(hits.len(), 1);
    let text = hits[0].body["text"].as_str().unwrap();
    assert!(text.contains("5 order_sync_failed in 15 min"), "{text}");
    assert_eq!(hits[0].body["owner"], "operations");
    assert_eq!(hits[0].body["fields"]["count"], 5);
}

#[tokio::test]
async fn a_count_rule_counts_what_was_seen_inside_its_window_only() {
    // Arrange: five failures, the first at second 0.
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, COUNT_RULE);
    for n in 0..5 {
        env.raise(f64::from(n) * 10.0, OrderSyncFailed, &format!("order:{n}"))
            .await;
    }

    // Act: exactly 15 minutes after the first, then one second later.
    let edge = tick(&env.at(900.0), &config, &budget_app(), &mut Memory::new()).await;
    let past = tick(&env.at(901.0), &config, &budget_app(), &mut Memory::new()).await;

    // Assert
    assert_eq!(edge.fired, vec!["rule:failures"]);
    assert!(past.fired.is_empty(), "{past:?}");
}

#[tokio::test]
async fn an_open_rule_fires_while_one_is_open_and_stops_once_it_is_resolved() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let rules = "[[rules]]\nname = \"stale\"\nwhen = \"open\"\nkind = \"stock_stale\"\n";
    let config = hook_config(&hook, rules);
    let mut memory = Memory::new();

    // Act
    let none = tick(&env.at(0.0), &config, &budget_app(), &mut memory).await;
    let id = env.raise(10.0, StockStale, "stock:main").await;
    let open = tick(&env.at(20.0), &config, &budget_app(), &mut memory).await;
    env.store
        .set_exception_status(id, ExceptionStatus::Resolved, "ops", Some("fixed"))
        .await
        .unwrap();
    let resolved = tick(&env.at(30.0), &config, &budget_app(), &mut memory).await;

    // Assert
    assert!(none.fired.is_empty());
    assert_eq!(open.fired, vec!["rule:stale"]);
    assert!(resolved.fired.is_empty());
    let body = &hook.hits()[0].body;
    assert!(body["details"][1].as_str().unwrap().contains("stock:main"));
}

const BUDGET_RULE: &str = r#"
[[rules]]
name = "budget"
when = "budget"
above_percent = 80
for_min = 0.5
"#;

/// Spends `calls` of the test app's budget (10 a minute) at clock second `t`.
async fn spend(env: &Env, t: f64, calls: u32) {
    for _ in 0..calls {
        let taken = env
            .at(t)
            .budget_try_take("cin7-main", 100, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(taken.is_ok());
    }
}

#[tokio::test]
async fn a_budget_rule_fires_only_after_a_whole_window_above_the_threshold() {
    // Arrange: 9 of 10 calls a minute is 90 %, above 80 %.
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, BUDGET_RULE);
    spend(&env, 100.0, 9).await;
    let mut memory = Memory::new();

    // Act: samples at the start of the span, inside it, and when it is covered.
    let mut fired = Vec::new();
    for t in [100.0, 115.0, 130.0] {
        let report = tick(&env.at(t), &config, &budget_app(), &mut memory).await;
        fired.push(!report.fired.is_empty());
    }

    // Assert
    assert_eq!(fired, vec![false, false, true]);
    assert_eq!(hook.hits()[0].body["fields"]["used"], 9);
}

#[tokio::test]
async fn a_budget_rule_does_not_fire_at_exactly_its_threshold() {
    // Arrange: 8 of 10 is 80 %, not above 80 %.
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(&hook, BUDGET_RULE);
    spend(&env, 100.0, 8).await;
    let mut memory = Memory::new();

    // Act
    let mut fired = false;
    for t in [100.0, 115.0, 130.0, 145.0] {
        let report = tick(&env.at(t), &config, &budget_app(), &mut memory).await;
        fired |= !report.fired.is_empty();
    }

    // Assert
    assert!(!fired);
    assert!(hook.hits().is_empty());
}

#[tokio::test]
async fn a_dead_letter_rule_fires_only_above_its_limit() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = hook_config(
        &hook,
        "[[rules]]\nname = \"dead\"\nwhen = \"dead_letters\"\nabove = 1\n",
    );
    let store = env.at(0.0);
    let mut reports = Vec::new();

    // Act: one dead letter, then two.
    for n in 0..2 {
        let job = NewJob::new("test.job", format!("job-{n}"), serde_json::json!({}));
        store.enqueue(job).await.unwrap();
        let claimed = store.claim("w", 1, Duration::from_secs(60)).await.unwrap();
        let failure = Failure::Fatal("boom".to_owned());
        store.fail(claimed[0].id, "w", &failure).await.unwrap();
        reports.push(tick(&store, &config, &budget_app(), &mut Memory::new()).await);
    }

    // Assert
    assert!(reports[0].fired.is_empty());
    assert_eq!(reports[1].fired, vec!["rule:dead"]);
    assert_eq!(hook.hits()[0].body["fields"]["dead"], 2);
}
