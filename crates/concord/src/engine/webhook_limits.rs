//! What keeps the webhook receivers closed and cheap to attack: the body-size cap, the bearer
//! check, and a limit on how many refused deliveries per minute reach the store (beyond it a
//! refusal costs nothing but a 429).

use secrecy::{ExposeSecret, SecretString};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// The largest webhook body accepted. Oro's order events and Cin7's notifications are a few KiB;
/// Cin7 batches at most a few hundred customers in one `Customer/Updated`.
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;
/// Refused deliveries recorded per receiver and minute; the rest are answered 429 unrecorded.
pub const REJECTIONS_PER_MINUTE: u32 = 10;
const WINDOW: Duration = Duration::from_secs(60);

/// The credential of `Authorization: Bearer <token>`, the scheme in any case (RFC 7235).
pub fn bearer_credential(header: &str) -> Option<&str> {
    let (scheme, credential) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credential.trim())
}

/// Whether `header` carries exactly `expected` as its bearer token, compared in constant time.
pub fn bearer_matches(header: Option<&str>, expected: &SecretString) -> bool {
    header.and_then(bearer_credential).is_some_and(|given| {
        bool::from(given.as_bytes().ct_eq(expected.expose_secret().as_bytes()))
    })
}

/// A fixed one-minute window of refused deliveries, per receiver.
#[derive(Debug, Default)]
pub struct RejectionLimiter {
    window: Mutex<Option<(Instant, u32)>>,
}

impl RejectionLimiter {
    /// True while this window still has room to record a refusal; counts this one.
    pub fn admit(&self) -> bool {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> bool {
        let Ok(mut window) = self.window.lock() else {
            return false;
        };
        let (start, count) = match *window {
            Some((start, count)) if now.duration_since(start) < WINDOW => (start, count),
            _ => (now, 0),
        };
        *window = Some((start, count.saturating_add(1)));
        count < REJECTIONS_PER_MINUTE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_is_not() {
        let secret = SecretString::from("tok-123456789012345678901234");
        for header in [
            "Bearer tok-123456789012345678901234",
            "bearer tok-123456789012345678901234",
            "BEARER  tok-123456789012345678901234 ",
        ] {
            assert!(bearer_matches(Some(header), &secret), "{header}");
        }
        for header in [
            "Bearer TOK-123456789012345678901234",
            "Basic tok-123456789012345678901234",
            "tok-123456789012345678901234",
            "Bearer",
        ] {
            assert!(!bearer_matches(Some(header), &secret), "{header}");
        }
        assert!(!bearer_matches(None, &secret));
    }

    #[test]
    fn refusals_beyond_the_limit_are_not_recorded_until_the_window_ends() {
        let limiter = RejectionLimiter::default();
        let t0 = Instant::now();
        let admitted = (0..25).filter(|_| limiter.admit_at(t0)).count();
        assert_eq!(admitted, REJECTIONS_PER_MINUTE as usize);
        assert!(limiter.admit_at(t0 + WINDOW));
    }
}
