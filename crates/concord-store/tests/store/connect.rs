//! Connection failures give a clear error naming the (redacted) URL and leave files untouched.

use concord_core::Clock;
use concord_store::{Backend, Store, StoreError};

#[tokio::test]
async fn a_corrupted_sqlite_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.db");
    let garbage = b"this is not a database, just some bytes that happen to be here".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let url = format!("sqlite://{}", path.display());
    let err = Store::connect(&url, Clock::real()).await.unwrap_err();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&url) && message.contains("not a database"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "nothing written to the broken file"
    );
}

#[tokio::test]
async fn a_new_sqlite_file_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("new/folder/concord.db").display()
    );
    let store = Store::connect(&url, Clock::real()).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    // Connecting again runs no migration twice.
    store.close().await;
    Store::connect(&url, Clock::real()).await.unwrap();
}

#[tokio::test]
async fn an_unreachable_postgres_is_reported_without_its_password() {
    let url = "postgres://concord:hunter2@127.0.0.1:1/concord";
    let err = Store::connect(url, Clock::real()).await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    assert!(
        message.contains("postgres://concord:***@127.0.0.1:1/concord"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    eprintln!("{message}");
}

#[tokio::test]
async fn an_unknown_scheme_is_refused() {
    let err = Store::connect("mysql://x", Clock::real())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedUrl { .. }), "{err:?}");
}

/// Two processes starting at once on a new SQLite file (a dry run and a CLI reading its store,
/// two `concord run`s) both migrate it, and neither fails on the other's tables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_opening_one_new_sqlite_file_at_once_both_migrate_it() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("concord.db").display());
        let (a, b) = tokio::join!(
            Store::connect(&url, Clock::real()),
            Store::connect(&url, Clock::real())
        );
        assert!(a.is_ok(), "round {round}: {:?}", a.err());
        assert!(b.is_ok(), "round {round}: {:?}", b.err());
    }
}
