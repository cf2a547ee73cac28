//! Guarded record writes: a create that keeps an existing record, and a status move made only
//! from the expected status, so a process deciding from an older copy never writes it back.

use crate::support::TestDb;
use serde_json::json;

pub async fn a_create_never_replaces_a_record_already_there(db: &TestDb) {
    let s = &db.store;
    assert!(s
        .record_create("order", "7", "received", &json!({ "seen": "first" }))
        .await
        .unwrap());
    // Another process's job fills the record in; a late first sighting must not undo it.
    s.record_put("order", "7", "authorised", &json!({ "sale": "S-1" }))
        .await
        .unwrap();
    assert!(!s
        .record_create("order", "7", "received", &json!({ "seen": "late" }))
        .await
        .unwrap());
    let kept = s.record_get("order", "7").await.unwrap().unwrap();
    assert_eq!(kept.status, "authorised");
    assert_eq!(kept.data, json!({ "sale": "S-1" }));
}

pub async fn a_status_moves_only_from_the_status_expected(db: &TestDb) {
    let s = &db.store;
    s.record_put("order", "1", "authorised", &json!({ "v": 1 }))
        .await
        .unwrap();
    let version = |key: &'static str| async move {
        s.record_versions_in_statuses("order", &["authorised", "allocated", "voided"])
            .await
            .unwrap()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    };
    let before = version("1").await.unwrap();
    assert!(s
        .record_move_status("order", "1", "authorised", "allocated")
        .await
        .unwrap());
    let moved = s.record_get("order", "1").await.unwrap().unwrap();
    assert_eq!(moved.status, "allocated");
    assert_eq!(moved.data, json!({ "v": 1 }), "the data stays as it was");
    assert!(version("1").await.unwrap() > before, "readers see the move");

    // Voided elsewhere after the caller read it as authorised: the move does nothing.
    s.record_put("order", "2", "voided", &json!({ "v": 2 }))
        .await
        .unwrap();
    assert!(!s
        .record_move_status("order", "2", "authorised", "allocated")
        .await
        .unwrap());
    assert_eq!(
        s.record_get("order", "2").await.unwrap().unwrap().status,
        "voided"
    );
    assert!(!s
        .record_move_status("order", "none", "authorised", "allocated")
        .await
        .unwrap());
}
