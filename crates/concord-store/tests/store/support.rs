//! Test databases: a temp SQLite file, or a fresh PostgreSQL schema dropped afterwards.

use chrono::{DateTime, Utc};
use concord_core::Clock;
use concord_store::Store;
use sqlx::Connection;

/// Scenario time zero for the suite.
pub fn t0() -> DateTime<Utc> {
    "2026-11-02T08:00:00Z".parse().unwrap()
}

/// The same store read at `secs` seconds after [`t0`] (time then runs at wall speed).
pub fn at(store: &Store, secs: f64) -> Store {
    store.with_clock(Clock::scaled_from(t0(), 1.0, secs))
}

pub struct TestDb {
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    /// (server URL, schema) to drop when the test ends.
    schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("concord.db").display());
        let store = Store::connect(&url, Clock::scaled(t0(), 1.0))
            .await
            .unwrap();
        TestDb {
            url,
            store,
            _dir: Some(dir),
            schema: None,
        }
    }

    /// A store on its own schema, so parallel tests and runs never see each other's rows.
    pub async fn postgres() -> Option<TestDb> {
        let base = std::env::var("CONCORD_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let schema = format!("concord_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::connect(&url, Clock::scaled(t0(), 1.0))
            .await
            .unwrap();
        Some(TestDb {
            url,
            store,
            _dir: None,
            schema: Some((base, schema)),
        })
    }

    /// Another `Store` on the same database, as a second process would open it.
    pub async fn second_store(&self, clock: Clock) -> Store {
        Store::connect(&self.url, clock).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, schema)) = self.schema.take() else {
            return;
        };
        // Drop runs outside async: a throwaway runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&base).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}
