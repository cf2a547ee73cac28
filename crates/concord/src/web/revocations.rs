//! Signed-out sessions kept in the store, so a sign-out on one Concord process ends the session on
//! every process sharing the database (each also keeps its own in-memory list for speed).

use super::auth::Keyring;
use concord_store::{Store, StoreError};

const KIND: &str = "session_revoked";

/// Records the cookie's session as signed out until it would have expired anyway.
pub async fn record(store: &Store, cookie: &str, now: i64) -> Result<(), StoreError> {
    let Some((sig, expires)) = Keyring::session_id(cookie, now) else {
        return Ok(());
    };
    let data = serde_json::json!({ "expires": expires });
    store.record_put(KIND, &sig, "revoked", &data).await
}

/// Has any process signed this cookie's session out? A store that cannot answer counts as yes:
/// a session is never let through on a failed check.
pub async fn is_revoked(store: &Store, cookie: &str, now: i64) -> bool {
    let Some((sig, _)) = Keyring::session_id(cookie, now) else {
        return true;
    };
    match store.record_get(KIND, &sig).await {
        Ok(found) => found.is_some(),
        Err(e) => {
            tracing::warn!(error = %e, "Could not read session revocations; refusing the session.");
            true
        }
    }
}
