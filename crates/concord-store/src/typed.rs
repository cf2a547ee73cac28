//! A record's data read straight into the caller's type: by way of a JSON value tree, each order
//! record read (several per order synced) cost twice the parsing and a tree of allocations.

use crate::db::{with_db, RowExt};
use crate::error::StoreError;
use crate::Store;
use serde::de::DeserializeOwned;

impl Store {
    /// The data of one record as `T`; `None` when there is no such record. Data that does not
    /// parse as `T` is an error that names the record, never a silent `None`.
    pub async fn record_data<T: DeserializeOwned>(
        &self,
        kind: &str,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let text = with_db!(self, read, "records/get", |q, ex| {
            q.bind(kind)
                .bind(key)
                .fetch_optional(ex)
                .await?
                .map(|r| r.text("data"))
                .transpose()?
        });
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| StoreError::corrupt(format!("record {kind}/{key}: {e}")))
        })
        .transpose()
    }
}
