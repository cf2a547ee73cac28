//! SQLite on the calling thread (rusqlite), with the query surface the mirrored query bodies use.
//!
//! sqlx's SQLite driver runs each connection on a thread of its own and hands every statement
//! there and its rows back through channels: two thread wake-ups per statement, three with the
//! pool's ping. On the 600-order day those wake-ups were a third of the engine's CPU, more than
//! SQLite's own work. A local file answers in microseconds, so here a statement runs where it is
//! asked for, under an async lock on its connection (a transaction holds that lock across awaits).
//! sqlx still creates and migrates the file (its migration bookkeeping stays as it was).

mod builder;
mod query;
#[cfg(test)]
mod tests;

pub(crate) use builder::{LiteBuilder, ToLite};
pub(crate) use query::{query, LiteQuery};

use crate::error::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Prepared statements kept per connection: every query file fits, with room for the dashboard's.
const STATEMENT_CACHE: usize = 128;

/// WAL pages between automatic checkpoints (SQLite's default is 1,000). A checkpoint copies each
/// page once however often it was rewritten since the last, and ends in an fsync: the queue's and
/// the order records' pages are rewritten with every job, so at the default the checkpoints and
/// their fsyncs were about 3 % of the engine's CPU on the 600-order day. The cost is a WAL file
/// of up to about 40 MB between checkpoints.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// A few connections to one database. Cloning shares them.
#[derive(Clone)]
pub(crate) struct LitePool(Arc<PoolInner>);

struct PoolInner {
    /// Another pool's connection, used first when it is free and never waited for (see
    /// [`LitePool::open_trying_first`]).
    first: Option<Arc<Mutex<Connection>>>,
    connections: Vec<Arc<Mutex<Connection>>>,
    /// Where a caller that found every connection busy queues, turn by turn.
    next: AtomicUsize,
    closed: AtomicBool,
}

impl std::fmt::Debug for LitePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LitePool")
            .field("connections", &self.0.connections.len())
            .finish()
    }
}

/// How each connection is set up (the URL's `synchronous` and the store's fixed choices).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiteOptions {
    /// `NORMAL`, `FULL` or `EXTRA`, as SQLite spells it.
    pub synchronous: &'static str,
    pub busy_timeout: Duration,
}

impl LitePool {
    /// `count` connections to the database file at `path` (which sqlx created and migrated).
    pub(crate) fn open(
        path: &Path,
        count: usize,
        options: LiteOptions,
    ) -> Result<Self, StoreError> {
        Ok(Self::from_connections(connect(path, count, options)?))
    }

    /// One private in-memory database (it exists only on its one connection), migrated here.
    pub(crate) fn open_memory(
        migrations: &[&str],
        options: LiteOptions,
    ) -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        configure(&conn, options)?;
        for sql in migrations {
            conn.execute_batch(sql)?;
        }
        Ok(Self::from_connections(vec![Arc::new(Mutex::new(conn))]))
    }

    fn from_connections(connections: Vec<Arc<Mutex<Connection>>>) -> Self {
        LitePool(Arc::new(PoolInner::new(connections)))
    }

    /// As [`LitePool::open`], trying `other`'s connection first whenever it is free. For the read side:
    /// SQLite throws a connection's page cache away whenever another connection has committed,
    /// so a read connection re-read the pages of every index it used after each write (about 4 %
    /// of the engine's CPU on the 600-order day). The writer's own cache stays warm; a read
    /// takes that connection when nothing holds it and otherwise one of its own, never waiting
    /// behind a write.
    pub(crate) fn open_trying_first(
        path: &Path,
        count: usize,
        options: LiteOptions,
        other: &LitePool,
    ) -> Result<Self, StoreError> {
        Ok(LitePool(Arc::new(PoolInner {
            first: other.0.connections.first().cloned(),
            ..PoolInner::new(connect(path, count, options)?)
        })))
    }

    /// A free connection at once if there is one, else a turn at the next one in line.
    async fn acquire(&self) -> Result<OwnedMutexGuard<Connection>, StoreError> {
        if self.0.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        if let Some(free) = self
            .0
            .first
            .as_ref()
            .and_then(|c| c.clone().try_lock_owned().ok())
        {
            return Ok(free);
        }
        let all = &self.0.connections;
        if let Some(free) = all.iter().find_map(|c| c.clone().try_lock_owned().ok()) {
            return Ok(free);
        }
        let turn = self.0.next.fetch_add(1, Ordering::Relaxed) % all.len();
        Ok(all[turn].clone().lock_owned().await)
    }

    /// `BEGIN IMMEDIATE`: the write lock is taken at once, so a read followed by a write in the
    /// transaction never fails on a snapshot another process moved on.
    pub(crate) async fn begin(&self) -> Result<LiteTx, StoreError> {
        let conn = self.acquire().await?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(LiteTx { conn, done: false })
    }

    /// Later calls fail; connections close as their last user lets go.
    pub(crate) fn close(&self) {
        self.0.closed.store(true, Ordering::Release);
    }
}

impl PoolInner {
    fn new(connections: Vec<Arc<Mutex<Connection>>>) -> Self {
        PoolInner {
            first: None,
            connections,
            next: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }
}

/// `count` connections (at least one) to the database file at `path`.
fn connect(
    path: &Path,
    count: usize,
    options: LiteOptions,
) -> Result<Vec<Arc<Mutex<Connection>>>, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    (0..count.max(1))
        .map(|_| {
            let conn = Connection::open_with_flags(path, flags)?;
            configure(&conn, options)?;
            Ok(Arc::new(Mutex::new(conn)))
        })
        .collect()
}

fn configure(conn: &Connection, options: LiteOptions) -> Result<(), StoreError> {
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES};",
        options.synchronous
    ))?;
    Ok(())
}

/// An open transaction on its connection. Dropped without [`LiteTx::commit`], it rolls back, so
/// a caller cancelled mid-transaction leaves nothing half-written and the connection usable.
pub(crate) struct LiteTx {
    conn: OwnedMutexGuard<Connection>,
    done: bool,
}

impl LiteTx {
    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT")?;
        self.done = true;
        Ok(())
    }

    pub(crate) fn rollback(mut self) -> Result<(), StoreError> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK")?;
        Ok(())
    }
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        // SQLite may already have rolled back on its own (a full disk, say): nothing left to do.
        if !self.done && !self.conn.is_autocommit() {
            if let Err(e) = self.conn.execute_batch("ROLLBACK") {
                tracing::warn!(error = %e, "Could not roll back an abandoned store transaction.");
            }
        }
    }
}

/// Where a statement runs: a pool (one statement, its own implicit transaction) or an open
/// transaction.
pub(crate) trait LiteExec {
    async fn with_conn<R>(
        self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;
}

impl LiteExec for &LitePool {
    async fn with_conn<R>(
        self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let conn = self.acquire().await?;
        f(&conn)
    }
}

impl LiteExec for &mut LiteTx {
    async fn with_conn<R>(
        self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        f(&self.conn)
    }
}
