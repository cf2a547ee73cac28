//! Records read by status: only that kind and status, in key order, through the
//! (kind, status, key) index rather than a scan of every record of the kind.

use crate::support::TestDb;
use serde_json::json;
use sqlx::Connection;

pub async fn records_of_a_status_are_read_by_index_in_key_order(db: &TestDb) {
    let s = &db.store;
    for (kind, key, status) in [
        ("order", "3", "held"),
        ("order", "1", "held"),
        ("order", "2", "draft"),
        ("order", "4", "allocated"),
        ("shipment", "1", "held"),
    ] {
        s.record_put(kind, key, status, &json!({ "k": key }))
            .await
            .unwrap();
    }
    let keys = |rs: Vec<concord_store::Record>| rs.into_iter().map(|r| r.key).collect::<Vec<_>>();
    assert_eq!(
        keys(s.records("order", Some("held")).await.unwrap()),
        ["1", "3"]
    );
    assert_eq!(
        keys(s.records("order", Some("draft")).await.unwrap()),
        ["2"]
    );
    assert!(s.records("order", Some("voided")).await.unwrap().is_empty());
    assert_eq!(
        keys(s.records("order", None).await.unwrap()),
        ["1", "2", "3", "4"]
    );
    // A record moved to another status leaves the first one's read.
    s.record_put("order", "1", "draft", &json!({}))
        .await
        .unwrap();
    assert_eq!(keys(s.records("order", Some("held")).await.unwrap()), ["3"]);
    assert_eq!(
        keys(s.records("order", Some("draft")).await.unwrap()),
        ["1", "2"]
    );
    assert!(
        plan(db).await.contains("records_status_key"),
        "a status read must use the (kind, status, key) index:\n{}",
        plan(db).await
    );
}

/// The database's own plan for the store's status read.
async fn plan(db: &TestDb) -> String {
    if db.url.starts_with("sqlite:") {
        let sql = include_str!("../../queries/sqlite/records/list_status.sql");
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .bind("order")
                .bind("held")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
    } else {
        let sql = include_str!("../../queries/postgres/records/list_status.sql");
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        // A handful of rows: without this the planner rightly reads the table whole.
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut conn)
            .await
            .unwrap();
        let sql = sql.replace("$1", "'order'").replace("$2", "'held'");
        let rows: Vec<(String,)> = sqlx::query_as(&format!("EXPLAIN {sql}"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n")
    }
}

pub async fn records_updated_since_a_moment_are_the_changes_oldest_first(db: &TestDb) {
    let early = crate::support::at(&db.store, 10.0);
    let late = crate::support::at(&db.store, 100.0);
    early
        .record_put("level", "a", "written", &json!("1"))
        .await
        .unwrap();
    early
        .record_put("level", "b", "written", &json!("2"))
        .await
        .unwrap();
    late.record_put("level", "c", "written", &json!("3"))
        .await
        .unwrap();
    late.record_put("other", "d", "written", &json!("4"))
        .await
        .unwrap();
    // Rewritten later still: it moves to the end, with its new value.
    let later = crate::support::at(&db.store, 120.0);
    later
        .record_put("level", "a", "written", &json!("5"))
        .await
        .unwrap();

    let since = crate::support::t0() + chrono::Duration::seconds(50);
    let changed = db
        .store
        .records_updated_since("level", since)
        .await
        .unwrap();
    let seen: Vec<_> = changed
        .iter()
        .map(|r| (r.key.as_str(), r.data.clone()))
        .collect();
    assert_eq!(seen, [("c", json!("3")), ("a", json!("5"))]);
    let all = db
        .store
        .records_updated_since("level", crate::support::t0())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["b", "c", "a"]
    );
}

pub async fn records_in_several_statuses_are_read_at_once_in_key_order(db: &TestDb) {
    let s = &db.store;
    for (kind, key, status) in [
        ("order", "3", "held"),
        ("order", "1", "draft"),
        ("order", "2", "settled"),
        ("order", "4", "authorised"),
        ("invoice", "0", "held"),
    ] {
        s.record_put(kind, key, status, &json!({ "k": key }))
            .await
            .unwrap();
    }
    let keys = |rs: Vec<concord_store::Record>| rs.into_iter().map(|r| r.key).collect::<Vec<_>>();
    let wanted = ["held", "draft", "authorised"];
    assert_eq!(
        keys(s.records_in_statuses("order", &wanted).await.unwrap()),
        ["1", "3", "4"]
    );
    assert!(s
        .records_in_statuses("order", &["voided"])
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .records_in_statuses("order", &[])
        .await
        .unwrap()
        .is_empty());
    // Row by row: the same records, with their data as stored.
    let mut each = Vec::new();
    s.records_in_statuses_each("order", &wanted, |key, data| {
        each.push((
            key,
            serde_json::from_str::<serde_json::Value>(data).unwrap(),
        ));
    })
    .await
    .unwrap();
    assert_eq!(
        each,
        [("1", "1"), ("3", "3"), ("4", "4")].map(|(key, k)| (key.to_string(), json!({ "k": k })))
    );
}

/// Many records written at once read back as if written one by one: new ones created, existing
/// ones replaced with their first `created_at` kept, more rows than one statement carries.
pub async fn many_records_are_written_at_once_and_replace_what_was_there(db: &TestDb) {
    let s = crate::support::at(&db.store, 0.0);
    s.record_put("level", "L0", "written", &json!({"quantity": "1"}))
        .await
        .unwrap();
    let later = crate::support::at(&db.store, 60.0);
    let many: Vec<(String, serde_json::Value)> = (0..1_200)
        .map(|n| (format!("L{n}"), json!({"quantity": n.to_string()})))
        .collect();
    later
        .record_put_many("level", "written", &many)
        .await
        .unwrap();

    let all = later.records("level", None).await.unwrap();
    assert_eq!(all.len(), 1_200);
    let keys = later.record_keys("level").await.unwrap();
    let in_order: Vec<String> = all.iter().map(|r| r.key.clone()).collect();
    assert_eq!(keys, in_order, "the keys alone, in key order");
    assert!(later.record_keys("no such kind").await.unwrap().is_empty());
    let mut each = Vec::new();
    later
        .records_each("level", |key, data| each.push((key, data.to_owned())))
        .await
        .unwrap();
    let stored: Vec<(String, String)> = all
        .iter()
        .map(|r| (r.key.clone(), r.data.to_string()))
        .collect();
    assert_eq!(each, stored, "each record's data as stored, in key order");
    let first = later.record_get("level", "L0").await.unwrap().unwrap();
    assert_eq!(first.data, json!({"quantity": "0"}), "replaced");
    assert!(first.created_at < first.updated_at, "first creation kept");
    let last = later.record_get("level", "L1199").await.unwrap().unwrap();
    assert_eq!(
        (last.status.as_str(), last.data.clone()),
        ("written", json!({"quantity": "1199"}))
    );
}

/// Every write of a record moves its version, one at a time or many at once, and the versions of
/// the records in some statuses read without their data.
pub async fn every_write_of_a_record_moves_its_version(db: &TestDb) {
    let s = &db.store;
    let versions = |mut v: Vec<(String, i64)>| {
        v.sort();
        v
    };
    s.record_put("order", "1", "held", &json!({ "n": 1 }))
        .await
        .unwrap();
    s.record_put("order", "2", "draft", &json!({ "n": 2 }))
        .await
        .unwrap();
    s.record_put("order", "3", "voided", &json!({ "n": 3 }))
        .await
        .unwrap();
    let first = versions(
        s.record_versions_in_statuses("order", &["held", "draft"])
            .await
            .unwrap(),
    );
    assert_eq!(
        first.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["1", "2"]
    );

    // The same data written again is still a write: its version moves.
    s.record_put("order", "1", "held", &json!({ "n": 1 }))
        .await
        .unwrap();
    s.record_put_many("order", "draft", &[("2", json!({ "n": 22 }))])
        .await
        .unwrap();
    let second = versions(
        s.record_versions_in_statuses("order", &["held", "draft"])
            .await
            .unwrap(),
    );
    for ((key, before), (_, after)) in first.iter().zip(&second) {
        assert!(after > before, "record {key}: {before} → {after}");
    }
    assert!(s
        .record_versions_in_statuses("order", &["settled"])
        .await
        .unwrap()
        .is_empty());

    // Deleted and written again later, a record never comes back at a version read before.
    assert!(s.record_delete("order", "1").await.unwrap());
    let s = crate::support::at(&db.store, 5.0);
    s.record_put("order", "1", "held", &json!({ "n": 1 }))
        .await
        .unwrap();
    let third = versions(
        s.record_versions_in_statuses("order", &["held"])
            .await
            .unwrap(),
    );
    let seen: Vec<i64> = first.iter().chain(&second).map(|(_, v)| *v).collect();
    assert!(!seen.contains(&third[0].1), "{third:?} after {seen:?}");
}

/// A record's data read into a type: present, absent, and data of another shape named in the
/// error rather than taken for "no record".
pub async fn a_record_is_read_straight_into_a_type(db: &TestDb) {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Order {
        order_id: i64,
        sale_id: Option<String>,
    }
    let s = &db.store;
    s.record_put(
        "order",
        "7",
        "authorised",
        &json!({ "order_id": 7, "sale_id": "S-7" }),
    )
    .await
    .unwrap();
    s.record_put("order", "8", "received", &json!({ "order_id": "eight" }))
        .await
        .unwrap();
    let read = s.record_data::<Order>("order", "7").await.unwrap();
    assert_eq!(
        read,
        Some(Order {
            order_id: 7,
            sale_id: Some("S-7".into())
        })
    );
    assert_eq!(s.record_data::<Order>("order", "9").await.unwrap(), None);
    let err = s.record_data::<Order>("order", "8").await.unwrap_err();
    assert!(err.to_string().contains("order/8"), "{err}");
}
