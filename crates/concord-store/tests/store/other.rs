//! Conformance: links, records, cursors, the payload log, exceptions with audit, and the budget.

use crate::support::{at, t0, TestDb};
use concord_core::catalogue::{ExceptionKind, Owner};
use concord_core::Clock;
use concord_store::{
    CallFilter, ExceptionFilter, ExceptionStatus, NewCall, NewException, Store, MAX_BODY_BYTES,
};
use serde_json::json;
use std::time::Duration;

pub async fn a_deleted_record_is_gone_and_others_stay(db: &TestDb) {
    let s = &db.store;
    s.record_put("session_revoked", "a", "revoked", &json!({ "expires": 1 }))
        .await
        .unwrap();
    s.record_put("session_revoked", "b", "revoked", &json!({ "expires": 2 }))
        .await
        .unwrap();
    assert!(s.record_delete("session_revoked", "a").await.unwrap());
    assert!(!s.record_delete("session_revoked", "a").await.unwrap());
    assert!(s
        .record_get("session_revoked", "a")
        .await
        .unwrap()
        .is_none());
    assert!(s
        .record_get("session_revoked", "b")
        .await
        .unwrap()
        .is_some());
}

pub async fn links_records_and_cursors_round_trip(db: &TestDb) {
    let s = &db.store;
    s.link_put("customer", "oro-7", "c7-a", &json!({ "name": "Acme" }))
        .await
        .unwrap();
    s.link_put("customer", "oro-8", "c7-b", &json!({}))
        .await
        .unwrap();
    s.link_put("product", "oro-7", "p-1", &json!({}))
        .await
        .unwrap();
    let later = at(s, 5.0);
    later
        .link_put("customer", "oro-7", "c7-c", &json!({ "name": "Acme Ltd" }))
        .await
        .unwrap();
    let link = s.link_get("customer", "oro-7").await.unwrap().unwrap();
    assert_eq!(
        (link.cin7_id.as_str(), &link.data),
        ("c7-c", &json!({ "name": "Acme Ltd" }))
    );
    assert!((link.updated_at - t0()).num_seconds() >= 5);
    assert_eq!(
        s.link_by_cin7("customer", "c7-b")
            .await
            .unwrap()
            .unwrap()
            .oro_id,
        "oro-8"
    );
    assert!(s.link_by_cin7("customer", "c7-a").await.unwrap().is_none());
    assert!(s.link_get("customer", "nope").await.unwrap().is_none());
    let ids: Vec<_> = s
        .links("customer")
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.oro_id)
        .collect();
    assert_eq!(ids, ["oro-7", "oro-8"]);
    let mut tx = s.begin().await.unwrap();
    s.link_put_in(&mut tx, "customer", "oro-9", "c7-d", &json!(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.links("customer").await.unwrap().len(), 3);

    s.record_put("order", "1001", "held", &json!({ "why": "sku" }))
        .await
        .unwrap();
    s.record_put("order", "1002", "sent", &json!({}))
        .await
        .unwrap();
    later
        .record_put("order", "1001", "sent", &json!({ "sale": "S-1" }))
        .await
        .unwrap();
    let r = s.record_get("order", "1001").await.unwrap().unwrap();
    assert_eq!(
        (r.status.as_str(), &r.data),
        ("sent", &json!({ "sale": "S-1" }))
    );
    assert!(
        r.updated_at > r.created_at,
        "created_at kept from the first write"
    );
    assert_eq!(s.records("order", Some("sent")).await.unwrap().len(), 2);
    assert_eq!(s.records("order", Some("held")).await.unwrap().len(), 0);
    assert_eq!(s.records("order", None).await.unwrap().len(), 2);
    assert!(s.record_get("order", "9").await.unwrap().is_none());

    assert_eq!(s.cursor_get("oro.orders").await.unwrap(), None);
    s.cursor_set("oro.orders", "2026-11-02T08:00:00Z")
        .await
        .unwrap();
    s.cursor_set("oro.orders", "2026-11-02T09:00:00Z")
        .await
        .unwrap();
    assert_eq!(
        s.cursor_get("oro.orders").await.unwrap().as_deref(),
        Some("2026-11-02T09:00:00Z")
    );
}

fn call(system: &str, subject: &str) -> NewCall {
    NewCall {
        system: system.into(),
        method: "GET".into(),
        path: "/api/orders/1".into(),
        status: Some(200),
        duration_ms: 12,
        request: None,
        response: Some("{\"ok\":true}".into()),
        subject: Some(subject.into()),
        error: None,
    }
}

/// Calls are written in batches, behind the callers: a read in the same process writes what is
/// waiting first, and another process sees every call once the short linger has passed.
pub async fn the_payload_log_writes_behind_in_batches_and_loses_nothing(db: &TestDb) {
    let s = &db.store;
    for n in 0..450 {
        s.log_call(call("cin7", &format!("order:{n}")))
            .await
            .unwrap();
    }
    let elsewhere = db.second_store(Clock::scaled(t0(), 1.0)).await;
    let all = CallFilter {
        limit: 0,
        ..Default::default()
    };
    // Full batches were written by the callers that filled them (the rest waits for the linger,
    // unless the loop above took longer than it).
    let seen_at_once = elsewhere.calls(&all).await.unwrap().len();
    assert!((400..=450).contains(&seen_at_once), "{seen_at_once}");
    assert_eq!(
        s.calls(&all).await.unwrap().len(),
        450,
        "a read here writes what waits"
    );

    // A few full-size bodies make a full batch too: the buffer never holds megabytes.
    let mut page = call("oro", "page");
    page.response = Some("x".repeat(MAX_BODY_BYTES));
    for _ in 0..16 {
        s.log_call(page.clone()).await.unwrap();
    }
    let pages = CallFilter {
        subject: Some("page".into()),
        limit: 0,
        ..Default::default()
    };
    assert_eq!(
        elsewhere.calls(&pages).await.unwrap().len(),
        16,
        "1 MiB of bodies is a batch"
    );

    s.log_call(call("oro", "order:late")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let late = CallFilter {
        subject: Some("order:late".into()),
        ..Default::default()
    };
    assert_eq!(
        elsewhere.calls(&late).await.unwrap().len(),
        1,
        "written after the linger"
    );
}

pub async fn payload_log_filters_truncates_and_purges(db: &TestDb) {
    let s = &db.store;
    s.log_call(call("oro", "order:1")).await.unwrap();
    let old = s.calls(&CallFilter::default()).await.unwrap()[0].id;
    let day = at(s, 86_400.0);
    let mut big = call("cin7", "order:1");
    big.response = Some("x".repeat(MAX_BODY_BYTES * 2));
    big.status = None;
    big.error = Some("timeout".into());
    day.log_call(big).await.unwrap();
    let newer = day.calls(&CallFilter::default()).await.unwrap()[0].id;
    day.log_call(call("cin7", "order:2")).await.unwrap();

    let order1 = s
        .calls(&CallFilter {
            subject: Some("order:1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        order1.iter().map(|c| c.id).collect::<Vec<_>>(),
        [newer, old],
        "newest first"
    );
    assert!(order1[0].response.as_ref().unwrap().len() <= MAX_BODY_BYTES);
    assert_eq!(
        (order1[0].status, order1[0].error.as_deref()),
        (None, Some("timeout"))
    );
    assert_eq!(order1[1].status, Some(200));
    let cin7 = s
        .calls(&CallFilter {
            system: Some("cin7".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (cin7.len(), cin7[0].subject.as_deref()),
        (1, Some("order:2"))
    );

    assert_eq!(
        day.purge_calls_older_than(Duration::from_secs(3600))
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.calls(&CallFilter::default()).await.unwrap().len(), 2);
}

/// Retention: the oldest calls go first, a batch at a time, and the oldest kept one is known.
pub async fn payload_retention_purges_in_small_batches(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.oldest_call_at().await.unwrap(), None);
    for (secs, path) in [(0.0, "/a"), (10.0, "/b"), (20.0, "/c"), (7200.0, "/d")] {
        let call = NewCall {
            system: "oro".into(),
            method: "GET".into(),
            path: path.into(),
            ..NewCall::default()
        };
        at(s, secs).log_call(call.clone()).await.unwrap();
    }
    let later = at(s, 7200.0 + 1800.0);
    let hour = Duration::from_secs(3600);
    assert_eq!(later.purge_calls_batch(hour, 2).await.unwrap(), 2);
    let left: Vec<String> = s
        .calls(&CallFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.path)
        .collect();
    assert_eq!(left, ["/d", "/c"], "the oldest went first");
    assert_eq!(later.purge_calls_batch(hour, 2).await.unwrap(), 1);
    assert_eq!(later.purge_calls_batch(hour, 2).await.unwrap(), 0);
    let oldest = s.oldest_call_at().await.unwrap().expect("one call kept");
    let since = oldest - (t0() + chrono::Duration::seconds(7200));
    assert!((0..10).contains(&since.num_seconds()), "{oldest}");
}

fn sku_unknown(explanation: &str, refs: Vec<i64>) -> NewException {
    NewException {
        kind: ExceptionKind::SkuUnknown,
        owner: Owner::Ecommerce,
        subject: "order:1001".into(),
        fingerprint: "sku_unknown:order:1001:ABC".into(),
        explanation: explanation.into(),
        suggested_action: ExceptionKind::SkuUnknown.suggested_action().into(),
        payload_refs: refs,
    }
}

pub async fn exceptions_dedup_reopen_and_audit(db: &TestDb) {
    let s = &db.store;
    let first = s
        .raise(&sku_unknown("SKU ABC unknown", vec![1]))
        .await
        .unwrap();
    assert!(first.new && !first.reopened);
    let again = at(s, 61.0)
        .raise(&sku_unknown("SKU ABC still unknown", vec![1, 2]))
        .await
        .unwrap();
    assert_eq!((again.id, again.new), (first.id, false));
    let ex = s.exception(first.id).await.unwrap().unwrap();
    assert_eq!(
        (ex.occurrences, ex.status, ex.explanation.as_str()),
        (2, ExceptionStatus::Open, "SKU ABC still unknown")
    );
    assert_eq!(ex.payload_refs, [1, 2]);
    assert!((ex.last_seen - ex.first_seen).num_seconds() >= 60);

    assert!(s
        .set_exception_status(first.id, ExceptionStatus::Acknowledged, "ana", None)
        .await
        .unwrap());
    s.raise(&sku_unknown("again", vec![])).await.unwrap();
    assert_eq!(
        s.exception(first.id).await.unwrap().unwrap().status,
        ExceptionStatus::Acknowledged
    );
    assert!(s
        .set_exception_status(
            first.id,
            ExceptionStatus::Resolved,
            "ana",
            Some("product created")
        )
        .await
        .unwrap());
    assert_eq!(
        s.exception(first.id)
            .await
            .unwrap()
            .unwrap()
            .resolution_note
            .as_deref(),
        Some("product created")
    );
    let reopened = s.raise(&sku_unknown("back", vec![3])).await.unwrap();
    assert!(!reopened.new && reopened.reopened && reopened.id == first.id);
    let ex = s.exception(first.id).await.unwrap().unwrap();
    assert_eq!(
        (ex.status, ex.occurrences, ex.resolution_note),
        (ExceptionStatus::Open, 4, None)
    );
    assert!(!s
        .set_exception_status(999_999, ExceptionStatus::Resolved, "ana", None)
        .await
        .unwrap());

    // Another exception on another subject, then the filters.
    let mut tax = NewException {
        kind: ExceptionKind::TaxMismatch,
        owner: Owner::Finance,
        subject: "order:1002".into(),
        fingerprint: "tax:1002".into(),
        explanation: "totals differ".into(),
        suggested_action: "fix".into(),
        payload_refs: vec![],
    };
    let other = s.raise(&tax).await.unwrap();
    let finance = s
        .exceptions(&ExceptionFilter {
            owner: Some(Owner::Finance),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(finance.iter().map(|e| e.id).collect::<Vec<_>>(), [other.id]);
    let by_subject = s
        .exceptions(&ExceptionFilter {
            subject: Some("order:1001".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_subject.len(), 1);
    let open = s
        .exceptions(&ExceptionFilter {
            status: Some(ExceptionStatus::Open),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].id, other.id, "most recently seen first");
    let kind = ExceptionFilter {
        kind: Some(ExceptionKind::SkuUnknown),
        ..Default::default()
    };
    assert_eq!(s.exceptions(&kind).await.unwrap().len(), 1);

    assert_eq!(
        s.auto_resolve(ExceptionKind::SkuUnknown, "order:1001", "SKU now exists")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.auto_resolve(ExceptionKind::SkuUnknown, "order:1001", "again")
            .await
            .unwrap(),
        0
    );
    assert!(s
        .set_exception_status(other.id, ExceptionStatus::Ignored, "bo", Some("known"))
        .await
        .unwrap());
    tax.explanation = "still differ".into();
    s.raise(&tax).await.unwrap();
    let ignored = s.exception(other.id).await.unwrap().unwrap();
    assert_eq!(
        (ignored.status, ignored.occurrences),
        (ExceptionStatus::Ignored, 2),
        "ignored stays ignored"
    );

    let log = s.audit_log(10).await.unwrap();
    let entries: Vec<_> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.note.as_deref()))
        .collect();
    assert_eq!(
        entries,
        [
            ("bo", "ignored", Some("known")),
            ("concord", "resolved", Some("SKU now exists")),
            (
                "concord",
                "reopened",
                Some("seen again after it was resolved")
            ),
            ("ana", "resolved", Some("product created")),
            ("ana", "acknowledged", None),
        ]
    );
    assert_eq!(log[1].target, format!("exception:{}", first.id));
    s.audit("ana", "replayed", "job:4", None).await.unwrap();
    assert_eq!(s.audit_log(1).await.unwrap()[0].action, "replayed");
}

/// Many takers at one instant: exactly `limit` succeed, and the refusal says when a slot frees.
async fn exact_limit_under_contention(stores: Vec<Store>, app: &str) {
    let window = Duration::from_secs(3600);
    let mut tasks = Vec::new();
    for (i, store) in stores.into_iter().cycle().take(8).enumerate() {
        let app = app.to_string();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..10 {
                match store.budget_try_take(&app, 25, window).await.unwrap() {
                    Ok(()) => ok += 1,
                    Err(wait) => assert!(
                        wait <= window && wait > Duration::from_secs(3500),
                        "task {i}: {wait:?}"
                    ),
                }
            }
            ok
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 25);
}

pub async fn budget_never_exceeds_its_limit(db: &TestDb) {
    let s = &db.store;
    let window = Duration::from_secs(60);
    for _ in 0..5 {
        assert_eq!(s.budget_try_take("cin7", 5, window).await.unwrap(), Ok(()));
    }
    let wait = s
        .budget_try_take("cin7", 5, window)
        .await
        .unwrap()
        .unwrap_err();
    assert!(wait > Duration::from_secs(58) && wait <= window, "{wait:?}");
    assert_eq!(s.budget_used("cin7", window).await.unwrap(), 5);
    assert_eq!(s.budget_used("oro", window).await.unwrap(), 0);
    let later = at(s, 61.0);
    assert_eq!(
        later.budget_try_take("cin7", 5, window).await.unwrap(),
        Ok(())
    );
    assert_eq!(later.budget_used("cin7", window).await.unwrap(), 1);

    exact_limit_under_contention(vec![s.clone()], "contended").await;

    // A fast clock (1 real ms = 0.2 s): several takers for many windows; the trailing window
    // never holds more than the limit.
    let fast = s.with_clock(Clock::scaled(t0() + chrono::Duration::days(1), 200.0));
    let (limit, window) = (3, Duration::from_secs(5));
    let started_s = fast.clock().elapsed_s();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = fast.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0u32;
            let deadline = tokio::time::Instant::now() + Duration::from_millis(400);
            while tokio::time::Instant::now() < deadline {
                if store
                    .budget_try_take("sliding", limit, window)
                    .await
                    .unwrap()
                    .is_ok()
                {
                    ok += 1;
                    // The trailing window up to this reading; a call another taker stamps after
                    // it (between the reading and the query) is in a later window.
                    assert!(store.budget_used("sliding", window).await.unwrap() <= limit);
                }
            }
            ok
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    // About 80 scenario seconds (400 ms), more on a loaded machine: measured, not assumed. At
    // most 3 calls in each 5 s window that started in that span.
    let span_s = fast.clock().elapsed_s() - started_s;
    let windows = (span_s / 5.0).ceil() as u32 + 1;
    assert!(
        total > 0 && total <= 3 * windows,
        "{total} in {span_s:.1} s"
    );
}

/// Two `Store`s with their own pools, as two processes: one budget between them.
pub async fn budget_is_shared_by_separate_stores(db: &TestDb) {
    let second = db.second_store(db.store.clock().clone()).await;
    exact_limit_under_contention(vec![db.store.clone(), second], "shared").await;
}
