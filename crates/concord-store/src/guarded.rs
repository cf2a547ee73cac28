//! Record writes that never overwrite another process's newer write: a create that keeps what is
//! there, and a status move made only from the status the caller read.

use crate::db::with_db;
use crate::error::StoreError;
use crate::Store;

impl Store {
    /// Writes a record only when none exists under its key; `true` when this call created it.
    /// Where several processes may see the same thing first (an order in two polls), the one that
    /// loses must not replace the record the other's job has since filled in.
    pub async fn record_create(
        &self,
        kind: &str,
        key: &str,
        status: &str,
        data: &(impl serde::Serialize + ?Sized),
    ) -> Result<bool, StoreError> {
        let created = crate::state::write_record!(self, "records/create", kind, key, status, data);
        Ok(created == 1)
    }

    /// Moves a record from status `from` to `to`, leaving its data as it is; `true` when it was
    /// still in `from`. A decision made on an older copy then never writes that copy back.
    pub async fn record_move_status(
        &self,
        kind: &str,
        key: &str,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now_us();
        let moved = with_db!(self, write, "records/move_status", |q, ex| {
            q.bind(kind)
                .bind(key)
                .bind(from)
                .bind(to)
                .bind(now)
                .execute(ex)
                .await?
                .rows_affected()
        });
        Ok(moved == 1)
    }
}
