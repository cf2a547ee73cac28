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

/// Forgets revocations whose session has expired anyway (a signed-out cookie past its expiry is
/// refused by its own date); returns how many went.
pub async fn purge_expired(store: &Store, now: i64) -> Result<u64, StoreError> {
    let mut purged = 0;
    for record in store.records(KIND, None).await? {
        let expires = record
            .data
            .get("expires")
            .and_then(serde_json::Value::as_i64);
        if expires.is_none_or(|e| e <= now) && store.record_delete(KIND, &record.key).await? {
            purged += 1;
        }
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::Clock;

    #[tokio::test]
    async fn only_revocations_past_their_sessions_expiry_are_purged() {
        let store = Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap();
        record(&store, "id.1000.nonce.sig-old", 900).await.unwrap();
        record(&store, "id.5000.nonce.sig-new", 900).await.unwrap();

        assert_eq!(purge_expired(&store, 2000).await.unwrap(), 1);

        assert!(!is_revoked(&store, "id.1000.nonce.sig-old", 2000).await);
        assert!(is_revoked(&store, "id.5000.nonce.sig-new", 2000).await);
    }
}
