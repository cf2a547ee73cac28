//! The retry policy stored with each job, and the three ways a failure can ask to be treated.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Stored on the job row so a policy change never rewrites the schedule of jobs already queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Delays before each retry, in seconds; the job dead-letters after the last one fails.
    pub schedule_s: [u32; 8],
    /// How many entries of `schedule_s` are used.
    pub retries: u8,
}

impl RetryPolicy {
    /// 30 s, 2 min, 10 min, 30 min, 2 h, then dead letter.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        schedule_s: [30, 120, 600, 1800, 7200, 0, 0, 0],
        retries: 5,
    };

    /// 30 s, 1, 2, 5, 10, 15, 30 min, 1 h, then dead letter: about two hours in all, as the
    /// default, but never more than an hour between tries. An order has a service level of minutes,
    /// and what uses up its attempts is a run of unlucky calls (an outage opens the circuit
    /// breaker, whose waits use no attempt), so a two-hour gap after four failures helps nobody.
    pub const ORDERS: RetryPolicy = RetryPolicy {
        schedule_s: [30, 60, 120, 300, 600, 900, 1800, 3600],
        retries: 8,
    };

    /// Builds a policy from up to eight delays.
    pub fn with_schedule(delays: &[Duration]) -> Self {
        let mut schedule_s = [0u32; 8];
        let retries = delays.len().min(8);
        for (slot, d) in schedule_s.iter_mut().zip(delays) {
            *slot = u32::try_from(d.as_secs()).unwrap_or(u32::MAX);
        }
        RetryPolicy {
            schedule_s,
            retries: retries as u8,
        }
    }

    /// The delay before retry number `attempt` (1-based), or `None` when retries are exhausted.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
        if index >= usize::from(self.retries) {
            return None;
        }
        self.schedule_s
            .get(index)
            .map(|s| Duration::from_secs(u64::from(*s)))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a failed attempt asks of the queue; decided by the code that understood the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Try again on the stored schedule.
    Retryable(String),
    /// Try again after this delay (a rate limit's `Retry-After`), without using up an attempt.
    RetryAfter(Duration, String),
    /// Do not retry: dead-letter now.
    Fatal(String),
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Retryable(m) | Failure::RetryAfter(_, m) | Failure::Fatal(m) => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_thirty_seconds_to_two_hours_then_dead_letter() {
        let p = RetryPolicy::DEFAULT;
        let got: Vec<_> = (1..=6)
            .map(|a| p.delay_after(a).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            got,
            vec![Some(30), Some(120), Some(600), Some(1800), Some(7200), None]
        );
        assert_eq!(p.delay_after(0), None);
    }

    #[test]
    fn an_order_is_retried_at_least_hourly_for_about_as_long_as_the_default() {
        let p = RetryPolicy::ORDERS;
        let delays: Vec<u64> = (1..=8)
            .map(|a| p.delay_after(a).map_or(0, |d| d.as_secs()))
            .collect();
        assert_eq!(delays, vec![30, 60, 120, 300, 600, 900, 1800, 3600]);
        assert_eq!(p.delay_after(9), None);
        let total: u64 = delays.iter().sum();
        assert_eq!(
            total, 7410,
            "two hours and a few minutes before the dead letter"
        );
    }

    #[test]
    fn a_custom_schedule_keeps_its_delays() {
        let p = RetryPolicy::with_schedule(&[Duration::from_secs(1), Duration::from_secs(5)]);
        assert_eq!(p.delay_after(2), Some(Duration::from_secs(5)));
        assert_eq!(p.delay_after(3), None);
    }
}
