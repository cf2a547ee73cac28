//! Which secret a webhook subscription was made with, so a rotated secret reaches the systems
//! that sign or authenticate deliveries with it. Oro never returns a subscription's secret, so
//! Concord remembers a salted hash of it in the store (never the secret itself) under the
//! subscription's id, and updates a subscription whose fingerprint is missing or differs.

use concord_store::Store;
use sha2::{Digest, Sha256};

/// Tags the fingerprint's shape, so another one can replace it later.
const VERSION: &str = "v1";

/// The store cursor holding the fingerprint of subscription `id` of `system`.
pub fn cursor_name(system: &str, id: &str) -> String {
    format!("webhook.secret.{system}:{id}")
}

/// `v1$<salt hex>$<SHA-256(salt ‖ secret) hex>` with a fresh random salt.
pub fn fingerprint(secret: &str) -> String {
    use rand::Rng;
    let salt: [u8; 16] = rand::thread_rng().gen();
    format!(
        "{VERSION}${}${}",
        hex::encode(salt),
        hex::encode(digest(&salt, secret))
    )
}

/// Whether `stored` is a fingerprint of `secret` (compared in constant time).
pub fn matches(stored: &str, secret: &str) -> bool {
    use subtle::ConstantTimeEq;
    let mut parts = stored.split('$');
    let (Some(VERSION), Some(salt), Some(expected), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (hex::decode(salt), hex::decode(expected)) else {
        return false;
    };
    bool::from(digest(&salt, secret).as_slice().ct_eq(expected.as_slice()))
}

fn digest(salt: &[u8], secret: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(secret.as_bytes());
    hasher.finalize().to_vec()
}

/// Whether subscription `id` is known to carry `secret`. A store that cannot answer counts as
/// "not known", so the caller updates the subscription (an idempotent write) rather than risk
/// every delivery being refused.
pub async fn known(store: &Store, system: &str, id: &str, secret: &str) -> bool {
    match store.cursor_get(&cursor_name(system, id)).await {
        Ok(Some(stored)) => matches(&stored, secret),
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(error = %e, system, "Cannot read a webhook secret's fingerprint.");
            false
        }
    }
}

/// Records that subscription `id` now carries `secret`. A failure only costs one more update at
/// the next start.
pub async fn remember(store: &Store, system: &str, id: &str, secret: &str) {
    if let Err(e) = store
        .cursor_set(&cursor_name(system, id), &fingerprint(secret))
        .await
    {
        tracing::warn!(error = %e, system, "Cannot record a webhook secret's fingerprint.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_matches_its_secret_only_and_never_contains_it() {
        let secret = "oro-webhook-secret-4f9a1c7e2b5d";
        let stored = fingerprint(secret);
        assert!(matches(&stored, secret));
        assert!(!matches(&stored, "oro-webhook-secret-rotated-0000"));
        assert!(!stored.contains(secret), "{stored}");
        // Salted: the same secret never gives the same text twice.
        assert_ne!(stored, fingerprint(secret));
        for broken in ["", "v1$zz$00", "v2$00$00", &format!("{stored}$extra")] {
            assert!(!matches(broken, secret), "{broken}");
        }
    }

    #[tokio::test]
    async fn a_remembered_secret_is_known_and_another_is_not() {
        let store = Store::connect("sqlite::memory:", concord_core::Clock::real())
            .await
            .unwrap();
        assert!(!known(&store, "oro", "9f0c", "first-secret-abcdefghijkl").await);
        remember(&store, "oro", "9f0c", "first-secret-abcdefghijkl").await;
        assert!(known(&store, "oro", "9f0c", "first-secret-abcdefghijkl").await);
        assert!(!known(&store, "oro", "9f0c", "second-secret-abcdefghijk").await);
        assert!(!known(&store, "cin7", "9f0c", "first-secret-abcdefghijkl").await);
    }
}
