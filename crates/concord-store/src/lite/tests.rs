//! The embedded store's statements: binding as sqlx binds, typed reads, transactions that roll
//! back when dropped, built multi-row inserts. (The store conformance suite runs every query
//! file through this on SQLite.)

use super::*;
use crate::db::RowExt;

fn options() -> LiteOptions {
    LiteOptions {
        synchronous: "NORMAL",
        busy_timeout: Duration::from_secs(1),
    }
}

fn memory() -> LitePool {
    LitePool::open_memory(
        &["CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)"],
        options(),
    )
    .unwrap()
}

async fn names(pool: &LitePool) -> Vec<String> {
    query("SELECT name FROM t ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.text("name").unwrap())
        .collect()
}

#[tokio::test]
async fn numbered_parameters_take_their_argument_and_bare_ones_the_next() {
    let pool = memory();
    // (sql, arguments) → the row it reads back as (a, b, c).
    let cases: &[(&'static str, &[i64], [i64; 3])] = &[
        ("SELECT ? AS a, ? AS b, ? AS c", &[1, 2, 3], [1, 2, 3]),
        ("SELECT ?2 AS a, ?1 AS b, ?2 AS c", &[1, 2], [2, 1, 2]),
        ("SELECT $3 AS a, $1 AS b, $2 AS c", &[7, 8, 9], [9, 7, 8]),
    ];
    for (sql, args, want) in cases {
        let q = args.iter().fold(query(sql), |q, a| q.bind(*a));
        let row = q.fetch_one(&pool).await.unwrap();
        let got = [
            row.int("a").unwrap(),
            row.int("b").unwrap(),
            row.int("c").unwrap(),
        ];
        assert_eq!(&got, want, "{sql}");
    }
}

#[tokio::test]
async fn a_missing_argument_or_column_is_an_error_that_says_which() {
    let pool = memory();
    let err = query("SELECT ?1 AS a, ?2 AS b")
        .bind(1_i64)
        .fetch_one(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("parameter 2"), "{err}");
    let row = query("SELECT 1 AS a").fetch_one(&pool).await.unwrap();
    assert!(row.int("b").unwrap_err().to_string().contains("`b`"));
}

#[tokio::test]
async fn reads_are_typed_and_null_is_none() {
    let pool = memory();
    query("INSERT INTO t (id, name, n) VALUES (?, ?, ?)")
        .bind(1_i64)
        .bind(None::<String>)
        .bind(Some(5_i64))
        .execute(&pool)
        .await
        .unwrap();
    let row = query("SELECT * FROM t").fetch_one(&pool).await.unwrap();
    assert_eq!(row.opt_text("name").unwrap(), None);
    assert_eq!(row.opt_int("n").unwrap(), Some(5));
    assert!(row.text("name").is_err(), "NULL is not text");
    assert!(row.int("name").is_err(), "NULL is not an integer");
    let err = row.text("n").unwrap_err().to_string();
    assert!(err.contains("expected text"), "{err}");
}

#[tokio::test]
async fn execute_counts_rows_and_fetch_one_refuses_no_rows() {
    let pool = memory();
    for (id, name) in [(1_i64, "a"), (2, "b")] {
        query("INSERT INTO t (id, name) VALUES (?, ?)")
            .bind(id)
            .bind(name)
            .execute(&pool)
            .await
            .unwrap();
    }
    let done = query("UPDATE t SET n = 1").execute(&pool).await.unwrap();
    assert_eq!(done.rows_affected(), 2);
    // RETURNING runs to the end under execute too.
    let done = query("UPDATE t SET n = 2 RETURNING id")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 2);
    let left = query("SELECT COUNT(*) AS c FROM t WHERE n = 2")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left.int("c").unwrap(), 2);
    assert!(query("SELECT * FROM t WHERE id = 9")
        .fetch_one(&pool)
        .await
        .is_err());
}

#[tokio::test]
async fn a_dropped_transaction_rolls_back_and_frees_its_connection() {
    let pool = memory();
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t (id, name) VALUES (1, 'gone')")
        .execute(&mut tx)
        .await
        .unwrap();
    drop(tx);
    assert!(names(&pool).await.is_empty());
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t (id, name) VALUES (2, 'kept')")
        .execute(&mut tx)
        .await
        .unwrap();
    tx.commit().unwrap();
    assert_eq!(names(&pool).await, ["kept"]);
}

#[tokio::test]
async fn a_cancelled_caller_leaves_the_connection_usable() {
    let pool = memory();
    let held = pool.begin().await.unwrap();
    // Waits for the held connection, then is cancelled while waiting.
    let waiting = tokio::time::timeout(Duration::from_millis(20), pool.begin()).await;
    assert!(waiting.is_err(), "the only connection is held");
    drop(held);
    let tx = pool.begin().await.unwrap();
    tx.rollback().unwrap();
}

#[tokio::test]
async fn a_built_insert_writes_every_tuple_in_order() {
    let pool = memory();
    let rows = [(1_i64, "a"), (2, "b"), (3, "c")];
    let mut builder = LiteBuilder::new("INSERT INTO t (id, name) ");
    builder.push_values(rows, |mut tuple, (id, name)| {
        tuple.push_bind(id).push_bind(name);
    });
    builder.push(" ON CONFLICT (id) DO NOTHING");
    builder.build().execute(&pool).await.unwrap();
    assert_eq!(names(&pool).await, ["a", "b", "c"]);
}

#[tokio::test]
async fn for_each_hands_over_every_row_and_a_closed_pool_refuses() {
    let pool = memory();
    for id in 1..=3_i64 {
        query("INSERT INTO t (id) VALUES (?)")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    query("SELECT id FROM t ORDER BY id")
        .for_each(&pool, |row| {
            seen.push(row.int("id")?);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(seen, [1, 2, 3]);
    pool.close();
    assert!(matches!(
        query("SELECT 1").fetch_all(&pool).await,
        Err(StoreError::Closed)
    ));
}

#[tokio::test]
async fn a_read_takes_the_free_writer_and_never_waits_for_a_busy_one() {
    // Arrange: a file both pools open; a temp table exists only on the writer's connection, so
    // a read of it tells which connection served the read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .unwrap();
    let write = LitePool::open(&path, 1, options()).unwrap();
    let read = LitePool::open_trying_first(&path, 1, options(), &write).unwrap();
    query("CREATE TEMP TABLE writer_only (x INTEGER)")
        .execute(&write)
        .await
        .unwrap();
    let on_writer = || query("SELECT COUNT(*) AS n FROM temp.writer_only").fetch_one(&read);

    // Act / Assert: the writer is free, so the read runs there.
    assert!(on_writer().await.is_ok(), "a free writer serves the read");

    // A transaction holds the writer: the read runs at once on its own connection.
    let tx = write.begin().await.unwrap();
    let served = tokio::time::timeout(Duration::from_secs(2), on_writer())
        .await
        .expect("a read never waits behind a write");
    let err = served.unwrap_err().to_string();
    assert!(err.contains("no such table"), "{err}");

    tx.rollback().unwrap();
    assert!(
        on_writer().await.is_ok(),
        "the writer serves reads again once free"
    );
}
