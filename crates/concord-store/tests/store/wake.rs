//! Conformance: the job bell that wakes idle workers, and when the next queued job falls due.

use crate::support::{t0, TestDb};
use concord_store::{NewJob, Store};
use serde_json::json;
use std::time::Duration;

fn job(key: &str) -> NewJob {
    NewJob::new("test", key, json!({}))
}

/// Whether the bell has rung (a ring with nobody waiting is kept for the next waiter).
async fn rang(store: &Store) -> bool {
    let wait = Duration::from_millis(150);
    tokio::time::timeout(wait, store.job_bell().rung())
        .await
        .is_ok()
}

pub async fn a_new_job_rings_the_bell_and_a_duplicate_does_not(db: &TestDb) {
    let s = &db.store;
    assert!(!rang(s).await, "nothing was enqueued yet");
    s.enqueue(job("a")).await.unwrap();
    assert!(rang(s).await);
    assert_eq!(s.enqueue(job("a")).await.unwrap(), None);
    assert!(!rang(s).await, "a duplicate adds no work");

    let waiter = tokio::spawn({
        let s = s.clone();
        async move { s.job_bell().rung().await }
    });
    tokio::task::yield_now().await;
    s.enqueue(job("b")).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("a waiting worker wakes when a job arrives")
        .unwrap();
}

pub async fn a_job_enqueued_in_a_transaction_rings_only_when_it_commits(db: &TestDb) {
    let s = &db.store;
    let mut tx = s.begin().await.unwrap();
    s.enqueue_in(&mut tx, job("rolled")).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(!rang(s).await, "a rolled-back job is no work");

    let mut tx = s.begin().await.unwrap();
    s.enqueue_in(&mut tx, job("kept")).await.unwrap();
    assert!(
        !rang(s).await,
        "no worker can see the job before the commit"
    );
    tx.commit().await.unwrap();
    assert!(rang(s).await);
}

pub async fn next_due_is_the_earliest_queued_job(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.next_due().await.unwrap(), None);
    let later = t0() + chrono::Duration::seconds(3600);
    let sooner = t0() + chrono::Duration::seconds(600);
    s.enqueue(job("later").run_at(later)).await.unwrap();
    s.enqueue(job("sooner").run_at(sooner)).await.unwrap();
    assert_eq!(s.next_due().await.unwrap(), Some(sooner));

    // A running job is not waiting: the next due is the one still queued.
    s.enqueue(job("now").run_at(t0())).await.unwrap();
    let claimed = s.claim("w", 1, Duration::from_secs(30)).await.unwrap();
    assert_eq!(claimed[0].idempotency_key, "now");
    assert_eq!(s.next_due().await.unwrap(), Some(sooner));
}

/// A job queued for later rings no worker awake (nothing to claim yet) but tells whoever watches
/// the clock when it falls due; so does a job put back to wait (a deferral or a retry).
pub async fn a_job_queued_for_later_tells_the_timekeeper_when_not_the_workers(db: &TestDb) {
    let s = &db.store;
    let later = t0() + chrono::Duration::seconds(90);
    s.enqueue(job("later").run_at(later)).await.unwrap();
    assert!(!rang(s).await, "nothing is due yet");
    let heard = tokio::time::timeout(Duration::from_secs(5), s.job_bell().queued_for_later()).await;
    assert!(heard.is_ok(), "the timekeeper hears of it");
    assert_eq!(s.job_bell().take_earliest_later(), Some(later));
    assert_eq!(s.job_bell().take_earliest_later(), None, "taken once");

    s.enqueue(job("now")).await.unwrap();
    let claimed = s.claim("w", 1, Duration::from_secs(60)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    s.reschedule(claimed[0].id, "w", Duration::from_secs(30))
        .await
        .unwrap();
    let back_at = s
        .job_bell()
        .take_earliest_later()
        .expect("a deferral is announced");
    let expected = t0() + chrono::Duration::seconds(30);
    assert!((back_at - expected).num_seconds().abs() <= 2, "{back_at}");
}
