//! Sync state: Oro ↔ Cin7 id links, per-entity flow records, and named cursors.

use crate::db::{micros, sql, with_db, with_tx, RowExt};
use crate::error::StoreError;
use crate::{Store, StoreTx};
use chrono::{DateTime, Utc};

/// Runs one record write that binds (kind, key, status, data as JSON text, now) and gives the
/// rows it wrote: `records/put` and `records/create` differ only in their conflict clause.
macro_rules! write_record {
    ($store:expr, $file:literal, $kind:expr, $key:expr, $status:expr, $data:expr) => {{
        // Bound by value: sqlx copies a borrowed string, and a kept catalogue is megabytes.
        let (data, now) = (serde_json::to_string($data)?, $store.now_us());
        $crate::db::with_db!($store, write, $file, |q, ex| {
            q.bind($kind)
                .bind($key)
                .bind($status)
                .bind(data)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        })
    }};
}
pub(crate) use write_record;

/// An Oro entity and the Cin7 entity it maps to, for one kind ("customer", "product", …).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub kind: String,
    pub oro_id: String,
    pub cin7_id: String,
    pub data: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

impl Link {
    fn from_row(r: &impl RowExt) -> Result<Link, StoreError> {
        Ok(Link {
            kind: r.text("kind")?,
            oro_id: r.text("oro_id")?,
            cin7_id: r.text("cin7_id")?,
            data: r.json("data")?,
            updated_at: r.time("updated_at")?,
        })
    }
}

/// A flow's state for one entity, e.g. `("order", "1001")` with status `"sent"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: String,
    pub key: String,
    pub status: String,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Record {
    fn from_row(r: &impl RowExt) -> Result<Record, StoreError> {
        Ok(Record {
            kind: r.text("kind")?,
            key: r.text("key")?,
            status: r.text("status")?,
            data: r.json("data")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        })
    }
}

impl Store {
    /// Creates or replaces the link of `(kind, oro_id)`.
    pub async fn link_put(
        &self,
        kind: &str,
        oro_id: &str,
        cin7_id: &str,
        data: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let (data, now) = (data.to_string(), self.now_us());
        with_db!(self, write, "links/put", |q, ex| {
            q.bind(kind)
                .bind(oro_id)
                .bind(cin7_id)
                .bind(&data)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn link_put_in(
        &self,
        tx: &mut StoreTx,
        kind: &str,
        oro_id: &str,
        cin7_id: &str,
        data: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let (data, now) = (data.to_string(), self.now_us());
        with_tx!(tx, "links/put", |q, ex| {
            q.bind(kind)
                .bind(oro_id)
                .bind(cin7_id)
                .bind(&data)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn link_get(&self, kind: &str, oro_id: &str) -> Result<Option<Link>, StoreError> {
        with_db!(self, read, "links/get", |q, ex| {
            q.bind(kind)
                .bind(oro_id)
                .fetch_optional(ex)
                .await?
                .map(|r| Link::from_row(&r))
                .transpose()
        })
    }

    /// The link pointing at a Cin7 id; the most recently updated one if several do.
    pub async fn link_by_cin7(
        &self,
        kind: &str,
        cin7_id: &str,
    ) -> Result<Option<Link>, StoreError> {
        with_db!(self, read, "links/by_cin7", |q, ex| {
            q.bind(kind)
                .bind(cin7_id)
                .fetch_optional(ex)
                .await?
                .map(|r| Link::from_row(&r))
                .transpose()
        })
    }

    /// Every link of a kind, by Oro id.
    pub async fn links(&self, kind: &str) -> Result<Vec<Link>, StoreError> {
        with_db!(self, read, "links/list", |q, ex| {
            q.bind(kind)
                .fetch_all(ex)
                .await?
                .iter()
                .map(Link::from_row)
                .collect()
        })
    }

    pub async fn record_get(&self, kind: &str, key: &str) -> Result<Option<Record>, StoreError> {
        with_db!(self, read, "records/get", |q, ex| {
            q.bind(kind)
                .bind(key)
                .fetch_optional(ex)
                .await?
                .map(|r| Record::from_row(&r))
                .transpose()
        })
    }

    /// Creates or replaces a record; `created_at` is kept from the first write. `data` is written
    /// straight to JSON text: a large value (a 20,000-product catalogue) never becomes a
    /// `serde_json::Value` tree on the way.
    pub async fn record_put(
        &self,
        kind: &str,
        key: &str,
        status: &str,
        data: &(impl serde::Serialize + ?Sized),
    ) -> Result<(), StoreError> {
        write_record!(self, "records/put", kind, key, status, data);
        Ok(())
    }

    /// As [`Store::record_put`] for many records of one kind and status, in one statement per
    /// few hundred: a stock sync notes every level it wrote, and a write each was most of its cost
    /// in the store.
    ///
    /// Each statement's rows are written to JSON text just before it goes: a 20,000-product
    /// catalogue never exists as one text.
    pub async fn record_put_many<K: AsRef<str>, T: serde::Serialize>(
        &self,
        kind: &str,
        status: &str,
        records: &[(K, T)],
    ) -> Result<(), StoreError> {
        const UPSERT: &str = " ON CONFLICT (kind, key) DO UPDATE SET status = excluded.status, \
                              data = excluded.data, updated_at = excluded.updated_at, \
                              version = records.version + 1";
        let now = self.now_us();
        macro_rules! upsert {
            ($builder:ty, $pool:expr, $rows:expr) => {{
                let mut query = <$builder>::new(
                    "INSERT INTO records (kind, key, status, data, created_at, updated_at, version) ",
                );
                // A new record's version starts at the moment it is written (see `records/put`).
                query.push_values($rows, |mut row, (key, data)| {
                    row.push_bind(kind)
                        .push_bind(*key)
                        .push_bind(status)
                        .push_bind(data.as_str())
                        .push_bind(now)
                        .push_bind(now)
                        .push_bind(now);
                });
                query.push(UPSERT);
                query.build().execute($pool).await?;
            }};
        }
        for chunk in records.chunks(500) {
            let rows = chunk
                .iter()
                .map(|(key, data)| Ok((key.as_ref(), serde_json::to_string(data)?)))
                .collect::<Result<Vec<(&str, String)>, serde_json::Error>>()?;
            match &self.db {
                crate::db::Db::Sqlite { write, .. } => {
                    upsert!(crate::lite::LiteBuilder, write, &rows)
                }
                crate::db::Db::Postgres(pool) => {
                    upsert!(sqlx::QueryBuilder::<sqlx::Postgres>, pool, &rows)
                }
            }
        }
        Ok(())
    }

    /// The keys of every record of a kind, in order, without their data.
    pub async fn record_keys(&self, kind: &str) -> Result<Vec<String>, StoreError> {
        with_db!(self, read, "records/keys", |q, ex| {
            q.bind(kind)
                .fetch_all(ex)
                .await?
                .iter()
                .map(|r| r.text("key"))
                .collect()
        })
    }

    pub async fn record_put_in(
        &self,
        tx: &mut StoreTx,
        kind: &str,
        key: &str,
        status: &str,
        data: &(impl serde::Serialize + ?Sized),
    ) -> Result<(), StoreError> {
        let (data, now) = (serde_json::to_string(data)?, self.now_us());
        with_tx!(tx, "records/put", |q, ex| {
            q.bind(kind)
                .bind(key)
                .bind(status)
                .bind(data)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Deletes one record; `true` when it existed.
    pub async fn record_delete(&self, kind: &str, key: &str) -> Result<bool, StoreError> {
        let deleted = with_db!(self, write, "records/delete", |q, ex| {
            q.bind(kind).bind(key).execute(ex).await?.rows_affected()
        });
        Ok(deleted == 1)
    }

    /// Records of a kind, optionally of one status, by key. A status read is one range of the
    /// (kind, status, key) index: it costs the records in that status, not every record.
    pub async fn records(
        &self,
        kind: &str,
        status: Option<&str>,
    ) -> Result<Vec<Record>, StoreError> {
        let Some(status) = status else {
            return with_db!(self, read, "records/list", |q, ex| {
                q.bind(kind)
                    .fetch_all(ex)
                    .await?
                    .iter()
                    .map(Record::from_row)
                    .collect()
            });
        };
        with_db!(self, read, "records/list_status", |q, ex| {
            q.bind(kind)
                .bind(status)
                .fetch_all(ex)
                .await?
                .iter()
                .map(Record::from_row)
                .collect()
        })
    }

    /// Hands each record of a kind to `each` as (key, data as stored), in key order, one row at a
    /// time: for a whole kind too large to hold as [`Record`]s at once (a JSON value per row was
    /// 16 MB for 27,000 written stock levels), folded into whatever the caller keeps.
    pub async fn records_each(
        &self,
        kind: &str,
        mut each: impl FnMut(String, &str),
    ) -> Result<(), StoreError> {
        use futures::TryStreamExt;
        match &self.db {
            crate::db::Db::Sqlite { read, .. } => {
                crate::lite::query(sql!(sqlite, "records/data"))
                    .bind(kind)
                    .for_each(read, |row| {
                        each(row.text("key")?, &row.text("data")?);
                        Ok(())
                    })
                    .await
            }
            crate::db::Db::Postgres(pool) => {
                let mut rows = sqlx::query(sql!(postgres, "records/data"))
                    .bind(kind)
                    .fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(row.text("key")?, &row.text("data")?);
                }
                Ok(())
            }
        }
    }

    /// Key and version of each record of `kind` in any of `statuses`, in no particular order. A
    /// record's version moves with every write of it, so a caller that keeps parsed records reads
    /// again only those whose version moved.
    pub async fn record_versions_in_statuses(
        &self,
        kind: &str,
        statuses: &[&str],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let statuses = serde_json::to_string(statuses)?;
        with_db!(self, read, "records/versions_statuses", |q, ex| {
            q.bind(kind)
                .bind(&statuses)
                .fetch_all(ex)
                .await?
                .iter()
                .map(|r| Ok((r.text("key")?, r.int("version")?)))
                .collect()
        })
    }

    /// As [`Store::records_each`], for the records of a kind in any of `statuses`: what a caller
    /// that parses the data into its own type reads (no JSON value tree per row on the way).
    pub async fn records_in_statuses_each(
        &self,
        kind: &str,
        statuses: &[&str],
        mut each: impl FnMut(String, &str),
    ) -> Result<(), StoreError> {
        use futures::TryStreamExt;
        let statuses = serde_json::to_string(statuses)?;
        match &self.db {
            crate::db::Db::Sqlite { read, .. } => {
                crate::lite::query(sql!(sqlite, "records/list_statuses"))
                    .bind(kind)
                    .bind(statuses)
                    .for_each(read, |row| {
                        each(row.text("key")?, &row.text("data")?);
                        Ok(())
                    })
                    .await
            }
            crate::db::Db::Postgres(pool) => {
                let mut rows = sqlx::query(sql!(postgres, "records/list_statuses"))
                    .bind(kind)
                    .bind(statuses)
                    .fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(row.text("key")?, &row.text("data")?);
                }
                Ok(())
            }
        }
    }

    /// Records of a kind in any of `statuses`, in key order: one indexed read for all of them.
    pub async fn records_in_statuses(
        &self,
        kind: &str,
        statuses: &[&str],
    ) -> Result<Vec<Record>, StoreError> {
        let statuses = serde_json::to_string(statuses)?;
        with_db!(self, read, "records/list_statuses", |q, ex| {
            q.bind(kind)
                .bind(statuses)
                .fetch_all(ex)
                .await?
                .iter()
                .map(Record::from_row)
                .collect()
        })
    }

    /// Records of a kind written at or after `since`, oldest first: what changed since a reader
    /// last looked (other processes' writes included), at the cost of the changes only.
    pub async fn records_updated_since(
        &self,
        kind: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Record>, StoreError> {
        with_db!(self, read, "records/list_updated", |q, ex| {
            q.bind(kind)
                .bind(micros(since))
                .fetch_all(ex)
                .await?
                .iter()
                .map(Record::from_row)
                .collect()
        })
    }

    pub async fn cursor_get(&self, name: &str) -> Result<Option<String>, StoreError> {
        with_db!(self, read, "cursors/get", |q, ex| {
            q.bind(name)
                .fetch_optional(ex)
                .await?
                .map(|r| r.text("value"))
                .transpose()
        })
    }

    pub async fn cursor_set(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let now = self.now_us();
        with_db!(self, write, "cursors/set", |q, ex| q
            .bind(name)
            .bind(value)
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Moves a cursor inside `tx`, so it only advances if the jobs enqueued with it commit.
    pub async fn cursor_set_in(
        &self,
        tx: &mut StoreTx,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let now = self.now_us();
        with_tx!(tx, "cursors/set", |q, ex| q
            .bind(name)
            .bind(value)
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected());
        Ok(())
    }
}
