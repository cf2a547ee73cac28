//! Conformance: a store call cancelled at any await point (an aborted task, a dropped request
//! handler, an engine stopped mid-job) never leaves the store unable to write.

use crate::support::TestDb;
use std::time::{Duration, Instant};

/// Aborts transactions at every point of their life, then proves the store still commits writes
/// that other connections read. Before `begin` ran in a task of its own, SQLite's single write
/// connection was lost within the first few rounds and every later write timed out.
pub async fn a_transaction_cancelled_anywhere_never_wedges_the_store(db: &TestDb) {
    // Arrange
    let s = &db.store;
    for round in 0..2000u64 {
        let store = s.clone();
        let (started, running) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let _ = started.send(());
            let mut tx = store.begin().await?;
            store
                .cursor_set_in(&mut tx, "cancelled", &round.to_string())
                .await?;
            tx.commit().await
        });
        let _ = running.await;
        // Cancel at a different moment each round: before, during and after BEGIN and COMMIT.
        // Timer sleeps are a millisecond at best, so the offset is spun while the task runs on
        // the runtime's other worker.
        let until = Instant::now() + Duration::from_micros(round * 3 % 600);
        while Instant::now() < until {
            std::hint::spin_loop();
        }
        task.abort();
        let _ = task.await;
    }

    // Act
    let written = tokio::time::timeout(Duration::from_secs(60), async {
        let mut tx = s.begin().await?;
        s.cursor_set_in(&mut tx, "after", "written").await?;
        tx.commit().await?;
        s.record_put("check", "k", "done", &serde_json::json!(1))
            .await
    })
    .await
    .expect("the store hung after cancelled transactions");

    // Assert
    written.expect("the store refused a write after cancelled transactions");
    assert_eq!(
        s.cursor_get("after").await.unwrap().as_deref(),
        Some("written")
    );
    let record = s.record_get("check", "k").await.unwrap();
    assert!(
        record.is_some(),
        "a write outside a transaction was not visible to readers"
    );
}
