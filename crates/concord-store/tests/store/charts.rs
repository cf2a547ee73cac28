//! Conformance: the reads behind the dashboard's charts, on both backends.

use crate::support::{at, t0, TestDb};
use chrono::Duration;
use concord_core::catalogue::{ExceptionKind, Owner};
use concord_store::{ExceptionStatus, NewCall, NewException};
use serde_json::json;

fn call(system: &str, method: &str, path: &str, status: u16, subject: Option<&str>) -> NewCall {
    NewCall {
        system: system.into(),
        method: method.into(),
        path: path.into(),
        status: Some(status),
        subject: subject.map(str::to_owned),
        ..NewCall::default()
    }
}

pub async fn calls_are_counted_per_minute_and_marked_by_kind(db: &TestDb) {
    let s = &db.store;
    let avail = "/ref/productavailability";
    for (secs, c) in [
        (1.0, call("cin7", "GET", avail, 200, None)),
        (10.0, call("cin7", "GET", avail, 200, None)),
        (15.0, call("oro", "GET", "/admin/api/orders", 200, None)),
        (70.0, call("cin7", "POST", "/sale", 200, Some("order:1"))),
        (80.0, call("cin7", "POST", "/sale", 500, Some("order:2"))),
        (
            90.0,
            call("cin7", "POST", "/sale/invoice", 200, Some("order:1")),
        ),
    ] {
        at(s, secs).log_call(c.clone()).await.unwrap();
    }
    let per_minute = at(s, 100.0).calls_per_minute("cin7", t0()).await.unwrap();
    let counts: Vec<(i64, u64)> = per_minute
        .iter()
        .map(|m| ((m.minute - t0()).num_seconds(), m.calls))
        .collect();
    assert_eq!(counts, vec![(0, 2), (60, 3)]);
    let later = s
        .calls_per_minute("cin7", t0() + Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(later.iter().map(|m| m.calls).sum::<u64>(), 3);

    // Only successful POSTs to exactly /sale; a LIKE pattern reaches every page of a read.
    let sales = s.call_marks("cin7", "POST", "/sale", t0()).await.unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!(sales[0].subject.as_deref(), Some("order:1"));
    assert_eq!((sales[0].at - t0()).num_seconds(), 70);
    let reads = s
        .call_marks(
            "cin7",
            "GET",
            "/ref/productavailability%",
            t0() + Duration::seconds(5),
        )
        .await
        .unwrap();
    assert_eq!(reads.len(), 1);
}

pub async fn records_keep_when_they_were_first_stored(db: &TestDb) {
    let s = &db.store;
    at(s, 0.0)
        .record_put("order", "1", "received", &json!({}))
        .await
        .unwrap();
    at(s, 100.0)
        .record_put("order", "2", "received", &json!({}))
        .await
        .unwrap();
    at(s, 200.0)
        .record_put("order", "1", "sent", &json!({}))
        .await
        .unwrap();
    at(s, 200.0)
        .record_put("stock", "latest", "ok", &json!({}))
        .await
        .unwrap();
    let all = s.records_created_since("order", t0()).await.unwrap();
    let seen: Vec<(String, i64)> = all
        .iter()
        .map(|(k, t)| (k.clone(), (*t - t0()).num_seconds()))
        .collect();
    assert_eq!(seen, vec![("1".to_owned(), 0), ("2".to_owned(), 100)]);
    let recent = s
        .records_created_since("order", t0() + Duration::seconds(50))
        .await
        .unwrap();
    assert_eq!(recent.len(), 1);
}

fn exception(n: u32, owner: Owner) -> NewException {
    NewException {
        kind: ExceptionKind::SkuUnknown,
        owner,
        subject: format!("order:{n}"),
        fingerprint: format!("sku_unknown:order:{n}"),
        explanation: "unknown".into(),
        suggested_action: "create it".into(),
        payload_refs: vec![],
    }
}

pub async fn exception_spans_show_when_each_was_open(db: &TestDb) {
    let s = &db.store;
    let resolved = at(s, 0.0)
        .raise(&exception(1, Owner::Ecommerce))
        .await
        .unwrap();
    at(s, 100.0)
        .raise(&exception(2, Owner::Finance))
        .await
        .unwrap();
    at(s, 5000.0)
        .raise(&exception(3, Owner::Operations))
        .await
        .unwrap();
    at(s, 300.0)
        .set_exception_status(resolved.id, ExceptionStatus::Resolved, "ana", None)
        .await
        .unwrap();

    let spans = s
        .exception_spans(t0(), t0() + Duration::seconds(1000))
        .await
        .unwrap();
    let seen: Vec<(Owner, i64, Option<i64>)> = spans
        .iter()
        .map(|x| {
            let secs = |t: chrono::DateTime<chrono::Utc>| (t - t0()).num_seconds();
            (x.owner, secs(x.opened), x.closed.map(secs))
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (Owner::Ecommerce, 0, Some(300)),
            (Owner::Finance, 100, None)
        ]
    );
    // Closed before the window: not shown; raised after it: not shown.
    let later = s
        .exception_spans(
            t0() + Duration::seconds(400),
            t0() + Duration::seconds(4000),
        )
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].owner, Owner::Finance);
}
