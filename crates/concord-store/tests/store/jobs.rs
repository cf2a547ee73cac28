//! Conformance: the durable job queue.

use crate::support::{at, t0, TestDb};
use concord_core::retry::{Failure, RetryPolicy};
use concord_store::{Coalesce, FailOutcome, JobFilter, JobId, JobState, NewJob, StoreError};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(30);

/// Whether `enqueue_coalesced` added the job (rather than finding one of its kind waiting).
async fn queued(s: &concord_store::Store, job: NewJob, mode: Coalesce) -> bool {
    s.enqueue_coalesced(job, mode).await.unwrap().is_some()
}

fn job(key: &str) -> NewJob {
    NewJob::new("test", key, json!({ "key": key }))
}

pub async fn enqueue_is_idempotent(db: &TestDb) {
    let s = &db.store;
    let id = s
        .enqueue(job("a"))
        .await
        .unwrap()
        .expect("first enqueue creates the job");
    assert_eq!(s.enqueue(job("a")).await.unwrap(), None);
    let claimed = s.claim("w", 10, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    s.complete(id, "w").await.unwrap();
    // A finished job still owns its key: replays of the same event stay harmless.
    assert_eq!(s.enqueue(job("a")).await.unwrap(), None);
    // Another process that never saw the key is refused by the database itself, and so is this
    // one asking again, for a key it was told about or for one only the other process queued.
    let other = db.second_store(s.clock().clone()).await;
    assert_eq!(other.enqueue(job("a")).await.unwrap(), None);
    let b = other.enqueue(job("b")).await.unwrap().expect("a new key");
    assert_eq!(s.enqueue(job("b")).await.unwrap(), None);
    assert_eq!(s.enqueue(job("b")).await.unwrap(), None);
    assert_eq!(s.job_by_key("b").await.unwrap().map(|j| j.id), Some(b));
    let stored = s.job_by_key("a").await.unwrap().unwrap();
    assert_eq!(
        (stored.id, stored.state, stored.payload),
        (id, JobState::Done, json!({ "key": "a" }))
    );
}

pub async fn enqueue_in_a_rolled_back_transaction_leaves_nothing(db: &TestDb) {
    let s = &db.store;
    let mut tx = s.begin().await.unwrap();
    assert!(s
        .enqueue_in(&mut tx, job("rolled"))
        .await
        .unwrap()
        .is_some());
    s.record_put_in(&mut tx, "order", "1", "sent", &json!({}))
        .await
        .unwrap();
    s.cursor_set_in(&mut tx, "poll", "10").await.unwrap();
    tx.rollback().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(s
        .enqueue_in(&mut tx, job("dropped"))
        .await
        .unwrap()
        .is_some());
    drop(tx);
    assert!(s.job_by_key("rolled").await.unwrap().is_none());
    assert!(s.job_by_key("dropped").await.unwrap().is_none());
    assert!(s.record_get("order", "1").await.unwrap().is_none());
    assert_eq!(s.cursor_get("poll").await.unwrap(), None);

    let mut tx = s.begin().await.unwrap();
    s.enqueue_in(&mut tx, job("kept")).await.unwrap();
    s.cursor_set_in(&mut tx, "poll", "11").await.unwrap();
    tx.commit().await.unwrap();
    assert!(s.job_by_key("kept").await.unwrap().is_some());
    assert_eq!(s.cursor_get("poll").await.unwrap().as_deref(), Some("11"));
}

pub async fn concurrent_claimers_never_share_a_job(db: &TestDb) {
    let s = &db.store;
    for i in 0..200 {
        s.enqueue(job(&format!("j{i}"))).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..6 {
        // Half the claimers use a second pool, as a second process would.
        let store = if w % 2 == 0 {
            s.clone()
        } else {
            db.second_store(s.clock().clone()).await
        };
        tasks.push(tokio::spawn(async move {
            let worker = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let jobs = store.claim(&worker, 7, LEASE).await.unwrap();
                if jobs.is_empty() {
                    break;
                }
                for j in jobs {
                    assert_eq!(j.lease_owner.as_deref(), Some(worker.as_str()));
                    store.complete(j.id, &worker).await.unwrap();
                    mine.push(j.id);
                }
            }
            mine
        }));
    }
    let mut seen: HashMap<JobId, u32> = HashMap::new();
    for t in tasks {
        for id in t.await.unwrap() {
            *seen.entry(id).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 200, "every job claimed");
    assert!(seen.values().all(|n| *n == 1), "no job claimed twice");
    assert_eq!(s.queue_counts().await.unwrap().done, 200);
}

pub async fn claims_take_priority_then_oldest(db: &TestDb) {
    let s = &db.store;
    let start = t0();
    s.enqueue(job("low-old").run_at(start - chrono::Duration::seconds(50)))
        .await
        .unwrap();
    s.enqueue(
        job("high-new")
            .priority(5)
            .run_at(start - chrono::Duration::seconds(1)),
    )
    .await
    .unwrap();
    s.enqueue(
        job("high-old")
            .priority(5)
            .run_at(start - chrono::Duration::seconds(9)),
    )
    .await
    .unwrap();
    s.enqueue(job("low-new")).await.unwrap();
    s.enqueue(
        job("future")
            .priority(9)
            .run_at(start + chrono::Duration::seconds(3600)),
    )
    .await
    .unwrap();
    let first = s.claim("w", 1, LEASE).await.unwrap();
    assert_eq!(first[0].idempotency_key, "high-old");
    let rest: Vec<_> = s
        .claim("w", 10, LEASE)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.idempotency_key)
        .collect();
    assert_eq!(rest, ["high-new", "low-old", "low-new"]);
    let later = at(s, 3600.0).claim("w", 10, LEASE).await.unwrap();
    assert_eq!(later[0].idempotency_key, "future");
}

pub async fn a_job_waiting_past_the_starvation_limit_goes_first(db: &TestDb) {
    let s = &db.store;
    let waited = chrono::Duration::from_std(concord_store::queue::STARVATION_LIMIT).unwrap()
        + chrono::Duration::seconds(60);
    s.enqueue(job("starved-low").run_at(t0() - waited))
        .await
        .unwrap();
    s.enqueue(
        job("fresh-high")
            .priority(10)
            .run_at(t0() - chrono::Duration::seconds(1)),
    )
    .await
    .unwrap();
    let keys = |jobs: Vec<concord_store::Job>| -> Vec<String> {
        jobs.into_iter().map(|j| j.idempotency_key).collect()
    };
    assert_eq!(keys(s.claim("w", 1, LEASE).await.unwrap()), ["starved-low"]);
    assert_eq!(keys(s.claim("w", 1, LEASE).await.unwrap()), ["fresh-high"]);
}

pub async fn a_kind_already_queued_is_not_queued_again(db: &TestDb) {
    let s = &db.store;
    let slot = |n: u32| NewJob::new("periodic", format!("periodic:slot:{n}"), json!({}));
    assert!(queued(s, slot(1), Coalesce::WhileQueued).await);
    assert!(!queued(s, slot(2), Coalesce::WhileQueued).await);
    // Another kind is not affected.
    assert!(queued(s, job("other"), Coalesce::WhileQueued).await);
    let claimed = s.claim("w", 2, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 2);
    // Once the waiting one is running, the next slot queues again, even a key turned away
    // before (a coalesced key was never taken)...
    assert!(queued(s, slot(2), Coalesce::WhileQueued).await);
    assert!(!queued(s, slot(2), Coalesce::WhileQueued).await);
    // ...unless the caller wants no copy beside a running one either.
    let solo = |n: u32| NewJob::new("solo", format!("solo:slot:{n}"), json!({}));
    assert!(queued(s, solo(1), Coalesce::WhileQueuedOrRunning).await);
    let running = s.claim("w", 5, LEASE).await.unwrap();
    assert!(running.iter().any(|j| j.kind == "solo"));
    assert!(!queued(s, solo(2), Coalesce::WhileQueuedOrRunning).await);
    for job in running {
        s.complete(job.id, "w").await.unwrap();
    }
    assert!(queued(s, solo(3), Coalesce::WhileQueuedOrRunning).await);
}

pub async fn expired_leases_are_reaped(db: &TestDb) {
    let s = &db.store;
    let id = s.enqueue(job("a")).await.unwrap().unwrap();
    let claimed = s.claim("crashed", 1, LEASE).await.unwrap();
    assert_eq!(
        claimed[0].lease_expires_at.unwrap().timestamp(),
        (claimed[0].updated_at.timestamp() + 30)
    );
    assert_eq!(s.reap_expired().await.unwrap(), 0);
    assert!(at(s, 20.0)
        .claim("other", 1, LEASE)
        .await
        .unwrap()
        .is_empty());
    let later = at(s, 31.0);
    assert_eq!(later.reap_expired().await.unwrap(), 1);
    let reaped = later.job(id).await.unwrap().unwrap();
    assert_eq!(
        (reaped.state, reaped.lease_owner, reaped.attempts),
        (JobState::Queued, None, 1)
    );
    assert!(reaped.last_error.unwrap().contains("crashed"));
    assert_eq!(later.claim("other", 1, LEASE).await.unwrap()[0].id, id);
    assert!(matches!(
        later.complete(id, "crashed").await,
        Err(StoreError::LeaseLost { .. })
    ));
    later.complete(id, "other").await.unwrap();

    // A lease lost on the last allowed attempt dead-letters rather than looping forever.
    let one_try = RetryPolicy::with_schedule(&[]);
    let id = s.enqueue(job("b").retry(one_try)).await.unwrap().unwrap();
    s.claim("crashed", 1, LEASE).await.unwrap();
    assert_eq!(later.reap_expired().await.unwrap(), 1);
    assert_eq!(s.job(id).await.unwrap().unwrap().state, JobState::Dead);
}

pub async fn heartbeat_extends_the_lease(db: &TestDb) {
    let s = &db.store;
    let id = s.enqueue(job("a")).await.unwrap().unwrap();
    s.claim("w", 1, LEASE).await.unwrap();
    assert!(at(s, 20.0).heartbeat(id, "w", LEASE).await.unwrap());
    assert!(!s.heartbeat(id, "intruder", LEASE).await.unwrap());
    assert_eq!(
        at(s, 40.0).reap_expired().await.unwrap(),
        0,
        "the heartbeat moved expiry to 50 s"
    );
    assert_eq!(at(s, 51.0).reap_expired().await.unwrap(), 1);
    assert!(
        !s.heartbeat(id, "w", LEASE).await.unwrap(),
        "a reaped lease cannot be renewed"
    );
}

pub async fn retries_follow_the_schedule_then_dead_letter(db: &TestDb) {
    let s = &db.store;
    let policy = RetryPolicy::with_schedule(&[Duration::from_secs(10), Duration::from_secs(20)]);
    let id = s.enqueue(job("a").retry(policy)).await.unwrap().unwrap();
    let boom = Failure::Retryable("HTTP 503".into());

    s.claim("w", 1, LEASE).await.unwrap();
    let FailOutcome::Retrying { at: first } = s.fail(id, "w", &boom).await.unwrap() else {
        panic!("should retry")
    };
    assert!((first - t0()).num_seconds() >= 10 && (first - t0()).num_seconds() < 12);
    assert!(
        s.claim("w", 1, LEASE).await.unwrap().is_empty(),
        "not due before its retry time"
    );
    let counts = s.queue_counts().await.unwrap();
    assert_eq!((counts.queued, counts.scheduled), (0, 1));

    let s10 = at(s, 12.0);
    assert_eq!(s10.claim("w", 1, LEASE).await.unwrap().len(), 1);
    let FailOutcome::Retrying { at: second } = s10.fail(id, "w", &boom).await.unwrap() else {
        panic!("should retry")
    };
    assert!((second - first).num_seconds() >= 20);

    let s40 = at(s, 40.0);
    assert_eq!(s40.claim("w", 1, LEASE).await.unwrap().len(), 1);
    assert_eq!(
        s40.fail(id, "w", &Failure::Retryable("still 503".into()))
            .await
            .unwrap(),
        FailOutcome::DeadLettered
    );
    let dead = s.job(id).await.unwrap().unwrap();
    assert_eq!(
        (dead.state, dead.attempts, dead.last_error.as_deref()),
        (JobState::Dead, 3, Some("still 503"))
    );
    assert!(matches!(
        s40.fail(id, "w", &boom).await,
        Err(StoreError::LeaseLost { .. })
    ));

    let id = s.enqueue(job("fatal")).await.unwrap().unwrap();
    s.claim("w", 1, LEASE).await.unwrap();
    assert_eq!(
        s.fail(id, "w", &Failure::Fatal("400 bad SKU".into()))
            .await
            .unwrap(),
        FailOutcome::DeadLettered
    );
    assert_eq!(s.job(id).await.unwrap().unwrap().state, JobState::Dead);
}

pub async fn retry_after_and_reschedule_do_not_use_attempts(db: &TestDb) {
    let s = &db.store;
    let policy = RetryPolicy::with_schedule(&[Duration::from_secs(10)]);
    let id = s.enqueue(job("a").retry(policy)).await.unwrap().unwrap();
    let mut t = 1.0;
    for _ in 0..3 {
        let now = at(s, t);
        assert_eq!(now.claim("w", 1, LEASE).await.unwrap().len(), 1);
        let out = now
            .fail(
                id,
                "w",
                &Failure::RetryAfter(Duration::from_secs(5), "429".into()),
            )
            .await
            .unwrap();
        assert!(matches!(out, FailOutcome::Retrying { .. }));
        t += 6.0;
        let now = at(s, t);
        assert_eq!(now.claim("w", 1, LEASE).await.unwrap().len(), 1);
        now.reschedule(id, "w", Duration::from_secs(1))
            .await
            .unwrap();
        t += 2.0;
    }
    let stored = s.job(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.attempts, stored.last_error.as_deref()),
        (0, Some("429"))
    );
    // The one real retry is still there.
    let now = at(s, t);
    now.claim("w", 1, LEASE).await.unwrap();
    assert!(matches!(
        now.fail(id, "w", &Failure::Retryable("x".into()))
            .await
            .unwrap(),
        FailOutcome::Retrying { .. }
    ));
    let now = at(s, t + 11.0);
    now.claim("w", 1, LEASE).await.unwrap();
    assert_eq!(
        now.fail(id, "w", &Failure::Retryable("x".into()))
            .await
            .unwrap(),
        FailOutcome::DeadLettered
    );
}

async fn kill(db: &TestDb, key: &str, kind: &str) -> JobId {
    let s = &db.store;
    let id = s
        .enqueue(NewJob::new(kind, key, json!({})))
        .await
        .unwrap()
        .unwrap();
    let claimed = s.claim("w", 1, LEASE).await.unwrap();
    assert_eq!(claimed[0].id, id);
    s.fail(id, "w", &Failure::Fatal("no".into())).await.unwrap();
    id
}

pub async fn replay_one_and_replay_dead_by_kind(db: &TestDb) {
    let s = &db.store;
    let one = kill(db, "one", "order").await;
    assert!(s.replay(one).await.unwrap());
    assert!(!s.replay(one).await.unwrap(), "only dead jobs replay");
    let replayed = s.job(one).await.unwrap().unwrap();
    assert_eq!((replayed.state, replayed.attempts), (JobState::Queued, 0));
    assert_eq!(s.claim("w", 1, LEASE).await.unwrap()[0].id, one);
    s.complete(one, "w").await.unwrap();

    for i in 0..3 {
        kill(db, &format!("o{i}"), "order").await;
    }
    for i in 0..2 {
        kill(db, &format!("s{i}"), "stock").await;
    }
    let future = t0() + chrono::Duration::hours(1);
    assert_eq!(
        s.replay_dead(Some("order"), Some(future), None)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        s.replay_dead(Some("order"), None, Some(future))
            .await
            .unwrap(),
        3
    );
    let dead = s
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(dead.iter().all(|j| j.kind == "stock") && dead.len() == 2);
    assert_eq!(s.replay_dead(None, None, None).await.unwrap(), 2);
    assert_eq!(s.queue_counts().await.unwrap().queued, 5);
}

pub async fn counts_and_listing(db: &TestDb) {
    let s = &db.store;
    kill(db, "d", "test").await;
    for i in 0..4 {
        s.enqueue(job(&format!("q{i}"))).await.unwrap();
    }
    s.enqueue(job("later").run_at(t0() + chrono::Duration::hours(2)))
        .await
        .unwrap();
    s.enqueue(NewJob::new("other", "o", json!(null)))
        .await
        .unwrap();
    let claimed = s.claim("w", 2, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 2, "a claim never exceeds its limit");
    s.complete(claimed[0].id, "w").await.unwrap();
    let c = s.queue_counts().await.unwrap();
    assert_eq!(
        (c.queued, c.scheduled, c.running, c.dead, c.done),
        (3, 1, 1, 1, 1)
    );
    let tests = s
        .list_jobs(&JobFilter {
            kind: Some("test".into()),
            limit: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(tests.len(), 6);
    assert!(tests.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let two = s
        .list_jobs(&JobFilter {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
    let running = s
        .list_jobs(&JobFilter {
            state: Some(JobState::Running),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].lease_owner.as_deref(), Some("w"));
    // A state and a kind together (the monitors' question), newest first.
    let waiting_tests = s
        .list_jobs(&JobFilter {
            state: Some(JobState::Queued),
            kind: Some("test".into()),
            limit: 0,
        })
        .await
        .unwrap();
    let keys: Vec<&str> = waiting_tests
        .iter()
        .map(|j| j.idempotency_key.as_str())
        .collect();
    assert_eq!(keys, vec!["later", "q3", "q2"]);
}

pub async fn a_later_success_retires_the_dead_jobs_of_its_kind(db: &TestDb) {
    // Arrange: a periodic run and an order job both die; a later periodic run succeeds.
    let s = &db.store;
    let no_retry = RetryPolicy::with_schedule(&[]);
    let kill = |kind: &str, key: &str| NewJob::new(kind, key, json!({})).retry(no_retry);
    for new in [kill("stock.sync", "slot:1"), kill("order.sync", "order:7")] {
        let id = s.enqueue(new).await.unwrap().unwrap();
        s.claim("w", 1, LEASE).await.unwrap();
        let outage = Failure::Retryable("HTTP 503".into());
        assert_eq!(
            s.fail(id, "w", &outage).await.unwrap(),
            FailOutcome::DeadLettered
        );
    }

    // Act
    let later = at(s, 60.0);
    let retired = later.retire_dead("stock.sync").await.unwrap();

    // Assert: the periodic one is done with its error kept; the order job still waits for a person.
    assert_eq!(retired, 1);
    let dead = s
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            kind: None,
            limit: 0,
        })
        .await
        .unwrap();
    assert_eq!(
        dead.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(),
        ["order.sync"]
    );
    let done = s.job_by_key("slot:1").await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Done);
    let note = done.last_error.unwrap_or_default();
    assert!(
        note.starts_with("superseded") && note.ends_with("HTTP 503"),
        "{note}"
    );
    assert_eq!(later.retire_dead("stock.sync").await.unwrap(), 0);
}
