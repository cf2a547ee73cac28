//! Idempotency keys this process knows are taken. Jobs are never deleted, so a key seen once stays
//! taken, and enqueueing it again is a no-op the database need not be asked about: a stock webhook
//! burst, a poll seeing an order its webhook already queued, and each minute's periodic slots all
//! enqueue keys that exist (about half of the 600-order day's enqueues, each a write).

use std::collections::HashSet;
use std::sync::Mutex;

/// Past this many keys the set starts over: forgetting a key only costs one statement for it.
const BOUND: usize = 50_000;

#[derive(Debug, Default)]
pub(crate) struct KnownKeys(Mutex<HashSet<String>>);

impl KnownKeys {
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.0.lock().is_ok_and(|keys| keys.contains(key))
    }

    /// Notes a key the queue holds (this call inserted it, or found it there).
    pub(crate) fn insert(&self, key: &str) {
        if let Ok(mut keys) = self.0.lock() {
            if keys.len() >= BOUND {
                keys.clear();
            }
            keys.insert(key.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_known_once_inserted_and_the_set_stays_bounded() {
        let known = KnownKeys::default();
        assert!(!known.contains("order:1:a"));
        known.insert("order:1:a");
        assert!(known.contains("order:1:a"));
        assert!(!known.contains("order:1:b"));
        for i in 0..BOUND {
            known.insert(&format!("k{i}"));
        }
        // The bound was reached once: the set started over, so the first key is forgotten.
        assert!(!known.contains("order:1:a"));
        assert!(known.contains(&format!("k{}", BOUND - 1)));
        assert!(known.0.lock().map(|k| k.len()).unwrap_or(0) <= BOUND);
    }
}
