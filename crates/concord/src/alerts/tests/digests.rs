//! Digests: the daily one lists the oldest open exception with its age, goes out once per slot
//! (kept across restarts), and the weekly summary counts opened and closed by kind and owner.

use super::super::{tick, Memory};
use super::{budget_app, config, hook_receiver, smtp_sink, Env};
use concord_core::catalogue::ExceptionKind::{OrderMissingInCin7, StockStale, TaxMismatch};
use concord_store::ExceptionStatus;

const DAY: f64 = 86_400.0;

#[tokio::test]
async fn the_daily_digest_lists_the_oldest_open_exception_with_its_age() {
    // Arrange: clock second 0 is Monday 08:00; the digest hour is 09:00.
    let (env, sink) = (Env::new().await, smtp_sink().await);
    let config = config(&format!(
        r#"rules = []
[email]
host = "127.0.0.1"
port = {}
tls = "none"
from = "concord@example.com"
[email.to]
operations = ["ops@example.com"]
[digest]
daily_hour = 9
weekly = false
"#,
        sink.port
    ));
    let oldest = env
        .raise(-2.0 * DAY - 3600.0, OrderMissingInCin7, "order:1")
        .await;
    env.raise(-600.0, StockStale, "stock:main").await;
    let mut memory = Memory::new();

    // Act: before the hour (the first run only schedules), at the hour, and again after it.
    let before = tick(&env.at(0.0), &config, &budget_app(), &mut memory).await;
    let at_hour = tick(&env.at(3600.0), &config, &budget_app(), &mut memory).await;
    let again = tick(&env.at(4000.0), &config, &budget_app(), &mut Memory::new()).await;

    // Assert
    assert!(before.sent.is_empty(), "{before:?}");
    assert_eq!(
        at_hour.sent,
        vec!["digest:daily:operations@email:operations"]
    );
    assert!(again.sent.is_empty() && again.fired.is_empty(), "{again:?}");
    let mail = sink.mail();
    assert_eq!(mail.len(), 1);
    let data = &mail[0].data;
    assert!(
        data.contains("Subject: [Concord] Daily digest for operations: 1 new, 2 open"),
        "{data}"
    );
    let first_oldest = data
        .lines()
        .skip_while(|l| !l.contains("Oldest open:"))
        .nth(1)
        .unwrap();
    let expected = format!("- #{oldest} order_missing_in_cin7 order:1: open for 2 d 2 h.");
    assert!(first_oldest.starts_with(&expected), "{first_oldest}");
}

#[tokio::test]
async fn a_missed_daily_slot_is_sent_after_a_restart_and_only_once() {
    // Arrange
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = config(&format!(
        "rules = []\n[webhook.urls]\ndefault = \"{}\"\n[digest]\ndaily_hour = 9\nweekly = false\n",
        hook.url("T")
    ));
    env.raise(0.0, TaxMismatch, "order:9").await;
    tick(&env.at(0.0), &config, &budget_app(), &mut Memory::new()).await;

    // Act: down from 08:00 until the next day at 10:00, then two ticks of a new run.
    let first = tick(
        &env.at(DAY + 7200.0),
        &config,
        &budget_app(),
        &mut Memory::new(),
    )
    .await;
    let second = tick(
        &env.at(DAY + 7260.0),
        &config,
        &budget_app(),
        &mut Memory::new(),
    )
    .await;

    // Assert: only finance has something to say; it goes to the default route once.
    assert_eq!(first.sent, vec!["digest:daily:finance@webhook:default"]);
    assert!(second.sent.is_empty());
    assert_eq!(hook.hits()[0].body["category"], "daily_digest");
}

#[tokio::test]
async fn the_weekly_summary_counts_opened_and_closed_by_kind_and_owner() {
    // Arrange: the summary is due Mondays at 08:00, which is clock second 0.
    let (env, hook) = (Env::new().await, hook_receiver().await);
    let config = config(&format!(
        r#"rules = []
[webhook.urls]
finance = "{}"
operations = "{}"
[digest]
daily = false
weekly_day = "monday"
weekly_hour = 8
"#,
        hook.url("FIN"),
        hook.url("OPS")
    ));
    tick(&env.at(-60.0), &config, &budget_app(), &mut Memory::new()).await;
    let a = env.raise(-DAY, TaxMismatch, "order:1").await;
    env.raise(-DAY, TaxMismatch, "order:2").await;
    env.raise(-8.0 * DAY, StockStale, "stock:main").await;
    env.at(-3600.0)
        .set_exception_status(a, ExceptionStatus::Resolved, "finance", None)
        .await
        .unwrap();

    // Act
    let report = tick(&env.at(0.0), &config, &budget_app(), &mut Memory::new()).await;

    // Assert: everyone's routes get it, each once.
    let mut sent = report.sent.clone();
    sent.sort();
    assert_eq!(
        sent,
        vec![
            "digest:weekly@webhook:finance",
            "digest:weekly@webhook:operations"
        ]
    );
    let body = &hook.hits()[0].body;
    assert_eq!(body["fields"]["opened"], 2);
    assert_eq!(body["fields"]["closed"], 1);
    let rows = body["fields"]["by_kind"].as_array().unwrap();
    let tax = rows.iter().find(|r| r["kind"] == "tax_mismatch").unwrap();
    assert_eq!(
        (&tax["owner"], &tax["opened"], &tax["closed"]),
        (&"finance".into(), &2.into(), &1.into())
    );
    let stale = rows.iter().find(|r| r["kind"] == "stock_stale").unwrap();
    assert_eq!(
        (&stale["opened"], &stale["still_open"]),
        (&0.into(), &1.into())
    );
}
