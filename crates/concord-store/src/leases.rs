//! Named leases: a lock that holds across processes sharing one database and frees itself when
//! its holder dies (it simply expires), for work that two job kinds could otherwise overlap on.

use crate::db::{duration_us, with_db};
use crate::error::StoreError;
use crate::Store;
use std::time::Duration;

impl Store {
    /// Takes (or renews) lease `name` for `holder` until `ttl` from now. `false` while another
    /// holder's lease is still running. One conditional upsert, so two takers cannot both win.
    pub async fn lease_acquire(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let now = self.now_us();
        let expires = now.saturating_add(duration_us(ttl));
        let taken = with_db!(self, write, "leases/acquire", |q, ex| q
            .bind(name)
            .bind(holder)
            .bind(expires)
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected());
        Ok(taken == 1)
    }

    /// Gives lease `name` back; a no-op when `holder` no longer holds it (it expired and was taken).
    pub async fn lease_release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        with_db!(self, write, "leases/release", |q, ex| q
            .bind(name)
            .bind(holder)
            .execute(ex)
            .await?
            .rows_affected());
        Ok(())
    }
}
