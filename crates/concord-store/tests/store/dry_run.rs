//! Conformance: the writes a dry run recorded come back whole, in order, filtered and counted.

use crate::support::TestDb;
use concord_store::{DryRunFilter, NewDryRunWrite};
use serde_json::json;

fn write(system: &str, kind: &str, payload: serde_json::Value) -> NewDryRunWrite {
    NewDryRunWrite {
        system: system.into(),
        kind: kind.into(),
        method: "POST".into(),
        path: "/sale".into(),
        subject: Some("order:1001".into()),
        payload: Some(payload),
        answer: json!({"ID": "dryrun-1"}),
    }
}

pub async fn dry_run_writes_round_trip_whole_and_in_order(db: &TestDb) {
    let s = &db.store;
    // Longer than the payload log keeps: a dry run's payload is never cut.
    let big = "x".repeat(concord_store::MAX_BODY_BYTES * 2);
    let first = s
        .dry_run_record(&write(
            "cin7",
            "sale",
            json!({"ExternalID": "1001", "Memo": big}),
        ))
        .await
        .unwrap();
    let second = s
        .dry_run_record(&write("oro", "stock levels", json!({"data": []})))
        .await
        .unwrap();
    let mut bare = write("cin7", "sale void", json!(null));
    bare.payload = None;
    bare.subject = None;
    s.dry_run_record(&bare).await.unwrap();
    assert!(second > first);
    let all = s.dry_run_writes(&DryRunFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].id, first);
    let payload = all[0].payload.as_ref().unwrap();
    assert_eq!(payload["Memo"].as_str().unwrap().len(), big.len());
    assert_eq!(all[0].answer, json!({"ID": "dryrun-1"}));
    assert_eq!(all[2].payload, None);
    assert_eq!(all[2].subject, None);
    let filter = DryRunFilter {
        system: Some("cin7".into()),
        kind: Some("sale".into()),
        limit: 0,
    };
    let sales = s.dry_run_writes(&filter).await.unwrap();
    assert_eq!(sales.iter().map(|w| w.id).collect::<Vec<_>>(), vec![first]);
    let one = DryRunFilter {
        limit: 1,
        ..DryRunFilter::default()
    };
    assert_eq!(s.dry_run_writes(&one).await.unwrap().len(), 1);
    assert_eq!(
        s.dry_run_write(second).await.unwrap().unwrap().kind,
        "stock levels"
    );
    assert!(s.dry_run_write(second + 100).await.unwrap().is_none());
    let counts = s.dry_run_counts().await.unwrap();
    assert_eq!(
        counts,
        vec![
            ("cin7".to_owned(), "sale".to_owned(), 1),
            ("cin7".to_owned(), "sale void".to_owned(), 1),
            ("oro".to_owned(), "stock levels".to_owned(), 1),
        ]
    );
}
