//! The `Store` handle: backend picked from the URL, connection set-up, migrations, transactions,
//! and the small macros that run one mirrored query file on whichever backend is in use.

use crate::error::{redact_url, StoreError};
use crate::lite::{LiteOptions, LitePool, LiteTx};
use chrono::{DateTime, Utc};
use concord_core::Clock;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, PgConnection, Postgres, Row, Transaction};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store: jobs, links, records, cursors, payload log, exceptions, audit and rate budgets.
/// Cloning is cheap; clones share the pools and the clock.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// Every timestamp the store writes comes from here, so scenario runs stay in scenario time.
    clock: Clock,
    /// Rung when this process makes a job due (enqueue, retry, reap), so idle workers wake at
    /// once instead of asking the database every few seconds whether anything arrived.
    pub(crate) job_bell: JobBell,
    /// Payload-log rows waiting to be written in one batch (see `call_buffer`).
    pub(crate) call_buffer: Arc<crate::call_buffer::CallBuffer>,
    /// Job keys this process has seen in the queue (see `known_keys`).
    pub(crate) known_job_keys: Arc<crate::known_keys::KnownKeys>,
}

/// Wakes this process's idle workers when a job becomes due. Jobs another process enqueues ring
/// no bell here: the workers' longest sleep bounds how late they see those.
#[derive(Clone, Debug, Default)]
pub struct JobBell(Arc<BellInner>);

#[derive(Debug)]
struct BellInner {
    /// Rung once per job made due now: one idle worker wakes for each.
    due_now: Notify,
    /// Rung when a job was put in the queue for later (a retry, a deferral, a scheduled run), so
    /// whoever sleeps until the next due job can wake earlier if this one comes first.
    due_later: Notify,
    /// The earliest such time (microseconds) not yet taken by [`JobBell::take_earliest_later`].
    earliest_later_us: AtomicI64,
}

impl Default for BellInner {
    fn default() -> Self {
        BellInner {
            due_now: Notify::new(),
            due_later: Notify::new(),
            earliest_later_us: AtomicI64::new(i64::MAX),
        }
    }
}

impl JobBell {
    /// One idle worker wakes per ring; with none idle, the next to wait returns at once.
    pub fn ring(&self) {
        self.0.due_now.notify_one();
    }

    /// Waits for a ring.
    pub async fn rung(&self) {
        self.0.due_now.notified().await;
    }

    /// Announces a job this process queued for `at_us` (the store's microseconds): a ring when
    /// that is now, else a note for whoever watches the clock.
    pub(crate) fn announce(&self, at_us: i64, now_us: i64) {
        if at_us <= now_us {
            self.ring();
        } else {
            self.0.earliest_later_us.fetch_min(at_us, Ordering::SeqCst);
            self.0.due_later.notify_one();
        }
    }

    /// Waits until a job is queued for later (see [`JobBell::take_earliest_later`]).
    pub async fn queued_for_later(&self) {
        self.0.due_later.notified().await;
    }

    /// The earliest time a job was queued for later since the last call, if any.
    pub fn take_earliest_later(&self) -> Option<DateTime<Utc>> {
        let us = self.0.earliest_later_us.swap(i64::MAX, Ordering::SeqCst);
        (us != i64::MAX).then(|| from_micros(us).ok()).flatten()
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    /// SQLite allows one writer at a time: writes go through a single connection so in-process
    /// writers wait their turn for it (fair, no sleeping) rather than in SQLite's busy handler.
    /// Reads use the writer's connection when it is free (its page cache is the one a commit
    /// leaves warm), else their own; WAL lets those run beside the writer.
    Sqlite {
        write: LitePool,
        read: LitePool,
    },
    Postgres(PgPool),
}

/// An open transaction for the `*_in` methods. Dropping it without [`StoreTx::commit`] rolls back.
/// The bell hears of the jobs the transaction enqueued on commit (before that no worker can see
/// them): one ring per job due now, one announcement per job due later.
pub struct StoreTx(
    pub(crate) TxInner,
    pub(crate) Option<(JobBell, Vec<(i64, i64)>)>,
);

pub(crate) enum TxInner {
    Sqlite(LiteTx),
    Postgres(Transaction<'static, Postgres>),
}

impl StoreTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.commit()?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        if let Some((bell, jobs)) = self.1 {
            for (at_us, now_us) in jobs {
                bell.announce(at_us, now_us);
            }
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.rollback()?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// The SQLite migrations, embedded; run by sqlx on a file, by [`LitePool::open_memory`] in memory.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// sqlx takes no lock to migrate SQLite (PostgreSQL gets an advisory lock), and switching a new
/// file to WAL can meet a lock without waiting: two processes starting on one new file collide
/// (the second fails on tables the first just made, or on "database is locked"). Each migration is
/// one transaction, so opening again after a short wait finds the other's work and goes on.
async fn open_sqlite(url: &str, shown: &str) -> Result<Db, StoreError> {
    const ATTEMPTS: u32 = 5;
    let mut attempt = 1;
    loop {
        match connect_sqlite(url, shown).await {
            Err(e) if attempt < ATTEMPTS && is_start_up_collision(&e) => {
                tracing::debug!(error = %e, attempt, "Another process is opening the store; trying again.");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_start_up_collision(e: &StoreError) -> bool {
    use sqlx::migrate::MigrateError;
    match e {
        StoreError::Migrate { source, .. } => matches!(
            source,
            MigrateError::Execute(_) | MigrateError::ExecuteMigration(..)
        ),
        StoreError::Connect { source, .. } => source
            .as_database_error()
            .is_some_and(|d| d.code().as_deref() == Some("5")),
        _ => false,
    }
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`, then runs migrations.
    #[tracing::instrument(skip_all, fields(url = %redact_url(url)))]
    pub async fn connect(url: &str, clock: Clock) -> Result<Store, StoreError> {
        let shown = redact_url(url);
        let db = if url.starts_with("sqlite:") {
            open_sqlite(url, &shown).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            connect_postgres(url, &shown).await?
        } else {
            return Err(StoreError::UnsupportedUrl { url: shown });
        };
        tracing::debug!(url = %shown, "Store connected and migrated.");
        Ok(Store {
            db,
            clock,
            job_bell: JobBell::default(),
            call_buffer: Arc::default(),
            known_job_keys: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The bell this process's workers wait on between claims.
    pub fn job_bell(&self) -> &JobBell {
        &self.job_bell
    }

    /// The same store (same pools) read through another clock: how a second component with its
    /// own view of time, or a test moving time forward, shares one database.
    pub fn with_clock(&self, clock: Clock) -> Store {
        Store {
            db: self.db.clone(),
            clock,
            job_bell: self.job_bell.clone(),
            call_buffer: self.call_buffer.clone(),
            known_job_keys: self.known_job_keys.clone(),
        }
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so a
    /// read followed by a write can never fail on a snapshot another process moved on.
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        let inner = match &self.db {
            Db::Sqlite { write, .. } => TxInner::Sqlite(write.begin().await?),
            Db::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(StoreTx(inner, None))
    }

    /// Closes the pools; later calls fail. Useful before dropping a test schema or database.
    pub async fn close(&self) {
        if let Err(e) = self.flush_calls().await {
            tracing::warn!(error = %e, "Could not write the last payload-log rows.");
        }
        match &self.db {
            Db::Sqlite { write, read } => {
                read.close();
                write.close();
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// "Now" on the store's clock, as stored: microseconds since the Unix epoch.
    pub(crate) fn now_us(&self) -> i64 {
        micros(self.clock.now())
    }
}

/// Reads and strips our own `synchronous=normal|full` URL parameter (sqlx rejects unknown ones).
///
/// NORMAL is the default: in WAL mode a commit survives the process being killed (the kill test
/// proves it) and the file can never be corrupted; only a power cut or OS crash may lose the last
/// commits. FULL also syncs the WAL on every commit, which survives power cuts at roughly a
/// fifth of the write throughput on an ordinary disk.
fn take_synchronous(url: &str) -> Result<(String, SqliteSynchronous), sqlx::Error> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), SqliteSynchronous::Normal));
    };
    let mut synchronous = SqliteSynchronous::Normal;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            // OFF is refused: a store that may lose committed jobs on a kill is not a queue.
            Some(("synchronous", v)) => {
                synchronous = match v.to_ascii_lowercase().as_str() {
                    "normal" => SqliteSynchronous::Normal,
                    "full" => SqliteSynchronous::Full,
                    "extra" => SqliteSynchronous::Extra,
                    _ => {
                        let msg = format!("synchronous must be normal, full or extra, not `{v}`");
                        return Err(sqlx::Error::Configuration(msg.into()));
                    }
                };
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, synchronous))
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

async fn connect_sqlite(url: &str, shown: &str) -> Result<Db, StoreError> {
    let err = |source| StoreError::Connect {
        url: shown.to_string(),
        source,
    };
    let (url, synchronous) = take_synchronous(url).map_err(err)?;
    let lite = LiteOptions {
        synchronous: match synchronous {
            SqliteSynchronous::Full => "FULL",
            SqliteSynchronous::Extra => "EXTRA",
            _ => "NORMAL",
        },
        busy_timeout: Duration::from_secs(10),
    };
    let options = SqliteConnectOptions::from_str(&url)
        .map_err(err)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .busy_timeout(lite.busy_timeout)
        .foreign_keys(true);
    if url.contains(":memory:") || url.contains("mode=memory") {
        // An in-memory database exists only on its own connection, so it reads where it writes.
        let migrations: Vec<&str> = SQLITE_MIGRATIONS.iter().map(|m| &*m.sql).collect();
        let pool = LitePool::open_memory(&migrations, lite)?;
        return Ok(Db::Sqlite {
            write: pool.clone(),
            read: pool,
        });
    }
    let path = options.get_filename().to_path_buf();
    // "Create if missing" includes the folder, so `sqlite://data/concord.db` works on a fresh checkout.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(sqlx::Error::Io(e)))?;
    }
    // sqlx creates the file, switches it to WAL and migrates it; Concord then works through
    // its own connections (see `lite`).
    let mut setup = SqliteConnection::connect_with(&options)
        .await
        .map_err(err)?;
    // Reading the schema proves the file is a database before anything is written to it.
    sqlx::query("SELECT COUNT(*) FROM sqlite_master")
        .fetch_one(&mut setup)
        .await
        .map_err(err)?;
    let migrated = SQLITE_MIGRATIONS.run(&mut setup).await;
    setup.close().await.map_err(err)?;
    migrated.map_err(|source| StoreError::Migrate {
        url: shown.to_string(),
        source,
    })?;
    let write = LitePool::open(&path, 1, lite)?;
    let read = LitePool::open_trying_first(&path, 4, lite, &write)?;
    Ok(Db::Sqlite { write, read })
}

async fn connect_postgres(url: &str, shown: &str) -> Result<Db, StoreError> {
    let err = |source| StoreError::Connect {
        url: shown.to_string(),
        source,
    };
    let options = PgConnectOptions::from_str(url).map_err(err)?;
    // One direct connection first: the pool would only say "timed out", hiding the cause
    // (refused, unknown host, bad credentials, missing database).
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| {
            err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer within 10 s",
            )))
        })?
        .map_err(err)?;
    probe.close().await.map_err(err)?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(err)?;
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .map_err(|source| StoreError::Migrate {
            url: shown.to_string(),
            source,
        })?;
    Ok(Db::Postgres(pool))
}

/// Microseconds since the Unix epoch: the one time format on both backends.
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(v: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(v)
        .ok_or_else(|| StoreError::corrupt(format!("timestamp {v} out of range")))
}

pub(crate) fn duration_us(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Typed column access shared by both row types, so each struct is decoded by one function.
pub(crate) trait RowExt {
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;

    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        from_micros(self.int(col)?)
    }
    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.opt_int(col)?.map(from_micros).transpose()
    }
    fn json(&self, col: &str) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.text(col)?)
            .map_err(|e| StoreError::corrupt(format!("{col}: {e}")))
    }
}

macro_rules! impl_row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn int(&self, col: &str) -> Result<i64, StoreError> {
                Ok(self.try_get(col)?)
            }
            fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
                Ok(self.try_get(col)?)
            }
            fn text(&self, col: &str) -> Result<String, StoreError> {
                Ok(self.try_get(col)?)
            }
            fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
                Ok(self.try_get(col)?)
            }
        }
    };
}
impl_row_ext!(PgRow);

/// The text of a mirrored query file: `sql!(sqlite, "jobs/claim")`.
macro_rules! sql {
    (sqlite, $file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/queries/sqlite/",
            $file,
            ".sql"
        ))
    };
    (postgres, $file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/queries/postgres/",
            $file,
            ".sql"
        ))
    };
}

/// Runs `$body` on the store's backend with `$q` = `sqlx::query(file)` and `$ex` = the pool
/// (`write` or `read` side on SQLite). The body is compiled once per backend.
macro_rules! with_db {
    ($store:expr, $side:ident, $file:literal, |$q:ident, $ex:ident| $body:expr) => {
        match &$store.db {
            $crate::db::Db::Sqlite { $side: $ex, .. } => {
                let $q = $crate::lite::query($crate::db::sql!(sqlite, $file));
                $body
            }
            $crate::db::Db::Postgres($ex) => {
                let $q = sqlx::query($crate::db::sql!(postgres, $file));
                $body
            }
        }
    };
}

/// As [`with_db!`], inside a [`StoreTx`]: `$ex` is the transaction's connection.
macro_rules! with_tx {
    ($tx:expr, $file:literal, |$q:ident, $ex:ident| $body:expr) => {
        match &mut $tx.0 {
            $crate::db::TxInner::Sqlite(inner) => {
                let $ex = &mut *inner;
                let $q = $crate::lite::query($crate::db::sql!(sqlite, $file));
                $body
            }
            $crate::db::TxInner::Postgres(inner) => {
                let $ex = &mut **inner;
                let $q = sqlx::query($crate::db::sql!(postgres, $file));
                $body
            }
        }
    };
}

pub(crate) use {sql, with_db, with_tx};
