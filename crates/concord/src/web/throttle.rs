//! Sign-in throttling: failed sign-ins per client address in a one-minute window. Past the limit
//! every attempt from that address is refused until the window ends, so a token cannot be
//! guessed online; each failure is audited by the caller.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per client address and minute.
pub const FAILURES_PER_MINUTE: u32 = 5;
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; beyond it, windows that ended are forgotten first.
const MAX_CLIENTS: usize = 10_000;

#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl SignInThrottle {
    /// Whether `client` may try to sign in now.
    pub fn allows(&self, client: &str) -> bool {
        self.allows_at(client, Instant::now())
    }

    /// Counts a failed sign-in from `client`.
    pub fn failed(&self, client: &str) {
        self.failed_at(client, Instant::now());
    }

    fn allows_at(&self, client: &str, now: Instant) -> bool {
        let Ok(map) = self.failures.lock() else {
            return false;
        };
        match map.get(client) {
            Some((start, count)) if now.duration_since(*start) < WINDOW => {
                *count < FAILURES_PER_MINUTE
            }
            _ => true,
        }
    }

    fn failed_at(&self, client: &str, now: Instant) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= MAX_CLIENTS {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = map.entry(client.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_locked_out_after_the_limit_until_the_window_ends() {
        let t = SignInThrottle::default();
        let t0 = Instant::now();
        for _ in 0..FAILURES_PER_MINUTE {
            assert!(t.allows_at("10.0.0.1", t0));
            t.failed_at("10.0.0.1", t0);
        }
        assert!(!t.allows_at("10.0.0.1", t0));
        assert!(
            t.allows_at("10.0.0.2", t0),
            "other addresses are unaffected"
        );
        assert!(t.allows_at("10.0.0.1", t0 + WINDOW));
    }
}
