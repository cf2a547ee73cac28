//! One statement of the embedded store: arguments bound as sqlx binds them, rows read by name.

use super::{LiteExec, ToLite};
use crate::db::RowExt;
use crate::error::StoreError;
use rusqlite::types::Value;
use rusqlite::Connection;
use std::borrow::Cow;
use std::sync::Arc;

/// One statement and its arguments, as `sqlx::query(…).bind(…)` builds it.
pub(crate) struct LiteQuery {
    pub(super) sql: Cow<'static, str>,
    pub(super) args: Vec<Value>,
}

pub(crate) fn query(sql: &'static str) -> LiteQuery {
    LiteQuery {
        sql: Cow::Borrowed(sql),
        args: Vec::new(),
    }
}

/// What a statement changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiteDone(u64);

impl LiteDone {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }
}

impl LiteQuery {
    pub(crate) fn bind(mut self, value: impl ToLite) -> Self {
        self.args.push(value.to_lite());
        self
    }

    pub(crate) async fn execute(self, ex: impl LiteExec) -> Result<LiteDone, StoreError> {
        ex.with_conn(|conn| {
            // Stepped to the end, so a statement with RETURNING finishes its work too.
            self.each_row(conn, |_| Ok(true))?;
            Ok(LiteDone(conn.changes()))
        })
        .await
    }

    pub(crate) async fn fetch_optional(
        self,
        ex: impl LiteExec,
    ) -> Result<Option<LiteRow>, StoreError> {
        ex.with_conn(|conn| {
            let mut first = None;
            self.each_row(conn, |row| {
                first = Some(row);
                Ok(false)
            })?;
            Ok(first)
        })
        .await
    }

    pub(crate) async fn fetch_one(self, ex: impl LiteExec) -> Result<LiteRow, StoreError> {
        self.fetch_optional(ex)
            .await?
            .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    pub(crate) async fn fetch_all(self, ex: impl LiteExec) -> Result<Vec<LiteRow>, StoreError> {
        ex.with_conn(|conn| {
            let mut rows = Vec::new();
            self.each_row(conn, |row| {
                rows.push(row);
                Ok(true)
            })?;
            Ok(rows)
        })
        .await
    }

    /// Hands each row to `each` as it is read, without collecting them.
    pub(crate) async fn for_each(
        self,
        ex: impl LiteExec,
        mut each: impl FnMut(&LiteRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        ex.with_conn(|conn| {
            self.each_row(conn, |row| {
                each(&row)?;
                Ok(true)
            })
        })
        .await
    }

    /// Runs the statement, handing rows to `each` until it returns false or they run out.
    fn each_row(
        &self,
        conn: &Connection,
        each: impl FnMut(LiteRow) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        // A statement census: `CONCORD_LOG=warn,concord_store::sql=trace`.
        tracing::trace!(target: "concord_store::sql", sql = %self.sql);
        match &self.sql {
            Cow::Borrowed(sql) => {
                let mut stmt = conn.prepare_cached(sql)?;
                run(&mut stmt, &self.args, each)
            }
            // Built statements differ in length batch to batch: caching them would only evict
            // the query files' statements.
            Cow::Owned(sql) => {
                let mut stmt = conn.prepare(sql)?;
                run(&mut stmt, &self.args, each)
            }
        }
    }
}

fn run(
    stmt: &mut rusqlite::Statement<'_>,
    args: &[Value],
    mut each: impl FnMut(LiteRow) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    bind_all(stmt, args)?;
    let names: Arc<[Box<str>]> = stmt.column_names().into_iter().map(Box::from).collect();
    let width = names.len();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let values = (0..width)
            .map(|i| row.get_ref(i).map(Value::from))
            .collect::<Result<Vec<_>, _>>()?;
        let row = LiteRow {
            names: names.clone(),
            values,
        };
        if !each(row)? {
            break;
        }
    }
    Ok(())
}

/// Binds arguments as sqlx does: `?NNN` and `$NNN` take the NNNth argument, a bare `?` the next.
fn bind_all(stmt: &mut rusqlite::Statement<'_>, args: &[Value]) -> Result<(), StoreError> {
    let mut next = 0;
    for index in 1..=stmt.parameter_count() {
        let position = match stmt.parameter_name(index) {
            Some(name) => name
                .get(1..)
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .ok_or_else(|| StoreError::corrupt(format!("unsupported parameter `{name}`")))?,
            None => {
                next += 1;
                next - 1
            }
        };
        let value = args.get(position).ok_or_else(|| {
            StoreError::corrupt(format!("parameter {} has no argument", position + 1))
        })?;
        stmt.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

/// A row read off a statement: its column names (shared by every row of the statement) and values.
#[derive(Debug, Clone)]
pub(crate) struct LiteRow {
    names: Arc<[Box<str>]>,
    values: Vec<Value>,
}

impl LiteRow {
    fn get(&self, col: &str) -> Result<&Value, StoreError> {
        self.names
            .iter()
            .position(|n| &**n == col)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| StoreError::corrupt(format!("no column `{col}` in the row")))
    }
}

fn mismatch(col: &str, want: &str, got: &Value) -> StoreError {
    StoreError::corrupt(format!(
        "{col}: expected {want}, found {:?}",
        got.data_type()
    ))
}

impl RowExt for LiteRow {
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.opt_int(col)?
            .ok_or_else(|| mismatch(col, "an integer", &Value::Null))
    }

    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        match self.get(col)? {
            Value::Integer(i) => Ok(Some(*i)),
            Value::Null => Ok(None),
            other => Err(mismatch(col, "an integer", other)),
        }
    }

    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.opt_text(col)?
            .ok_or_else(|| mismatch(col, "text", &Value::Null))
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        match self.get(col)? {
            Value::Text(s) => Ok(Some(s.clone())),
            Value::Null => Ok(None),
            other => Err(mismatch(col, "text", other)),
        }
    }
}
