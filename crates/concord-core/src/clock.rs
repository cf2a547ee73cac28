//! The one clock. Production reads the wall clock; a scenario runs on a scaled clock (speed N) that
//! the engine and the emulators share, so timers, retry schedules, rate windows and timestamps all
//! move in scenario time.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Clock(Arc<Inner>);

#[derive(Debug)]
enum Inner {
    Real {
        origin: Instant,
    },
    Scaled {
        /// Unset while the clock is held at its start (see [`Clock::scaled_held`]).
        origin: OnceLock<Instant>,
        start: DateTime<Utc>,
        speed: f64,
        offset_s: f64,
    },
}

impl Clock {
    /// The wall clock; `elapsed_s` counts from the moment it was made.
    pub fn real() -> Self {
        Clock(Arc::new(Inner::Real {
            origin: Instant::now(),
        }))
    }

    /// A scenario clock that reads `start` now and runs `speed` times faster than the wall clock.
    pub fn scaled(start: DateTime<Utc>, speed: f64) -> Self {
        Self::scaled_from(start, speed, 0.0)
    }

    /// A scenario clock already `elapsed_s` scenario seconds in: how a second process joins a run.
    pub fn scaled_from(start: DateTime<Utc>, speed: f64, elapsed_s: f64) -> Self {
        let clock = Self::held_at(start, speed, elapsed_s);
        clock.release();
        clock
    }

    /// A scenario clock that reads `start` and stands still until [`Clock::release`]: a run loads
    /// its emulators and starts its engine first, so the scenario's first seconds measure Concord,
    /// not the time it took to load a large scenario.
    pub fn scaled_held(start: DateTime<Utc>, speed: f64) -> Self {
        Self::held_at(start, speed, 0.0)
    }

    fn held_at(start: DateTime<Utc>, speed: f64, elapsed_s: f64) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        Clock(Arc::new(Inner::Scaled {
            origin: OnceLock::new(),
            start,
            speed,
            offset_s: elapsed_s,
        }))
    }

    /// Lets a held clock run from now; a clock that runs already is left as it is.
    pub fn release(&self) {
        if let Inner::Scaled { origin, .. } = &*self.0 {
            origin.get_or_init(Instant::now);
        }
    }

    pub fn speed(&self) -> f64 {
        match &*self.0 {
            Inner::Real { .. } => 1.0,
            Inner::Scaled { speed, .. } => *speed,
        }
    }

    /// Seconds of (scenario) time since the clock started.
    pub fn elapsed_s(&self) -> f64 {
        match &*self.0 {
            Inner::Real { origin } => origin.elapsed().as_secs_f64(),
            Inner::Scaled {
                origin,
                speed,
                offset_s,
                ..
            } => {
                offset_s
                    + origin
                        .get()
                        .map_or(0.0, |o| o.elapsed().as_secs_f64() * speed)
            }
        }
    }

    /// The current time on this clock.
    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Inner::Real { .. } => Utc::now(),
            Inner::Scaled { start, .. } => {
                *start + ChronoDuration::microseconds((self.elapsed_s() * 1e6) as i64)
            }
        }
    }

    /// The instant on this clock `elapsed_s` seconds after its start.
    pub fn at(&self, elapsed_s: f64) -> DateTime<Utc> {
        match &*self.0 {
            Inner::Real { origin } => {
                Utc::now()
                    - ChronoDuration::microseconds(
                        ((origin.elapsed().as_secs_f64() - elapsed_s) * 1e6) as i64,
                    )
            }
            Inner::Scaled { start, .. } => {
                *start + ChronoDuration::microseconds((elapsed_s * 1e6) as i64)
            }
        }
    }

    /// Seconds since the start for an instant on this clock (the inverse of [`Clock::at`]).
    pub fn elapsed_at(&self, when: DateTime<Utc>) -> f64 {
        let now = self.now();
        self.elapsed_s() - (now - when).num_microseconds().unwrap_or(0) as f64 / 1e6
    }

    /// How long a span of clock time lasts on the wall clock.
    pub fn to_real(&self, clock_time: Duration) -> Duration {
        clock_time.div_f64(self.speed())
    }

    /// Sleeps for a span of clock time.
    pub async fn sleep(&self, clock_time: Duration) {
        tokio::time::sleep(self.to_real(clock_time)).await;
    }

    /// Sleeps until the clock reads `elapsed_s` seconds from its start (returns at once if past).
    pub async fn sleep_until_elapsed(&self, elapsed_s: f64) {
        let wait = elapsed_s - self.elapsed_s();
        if wait > 0.0 {
            self.sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_scaled_clock_runs_speed_times_faster() {
        let start = "2026-11-02T08:00:00Z".parse().unwrap();
        let clock = Clock::scaled(start, 120.0);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!((clock.elapsed_s() - 120.0).abs() < 0.01);
        assert_eq!(
            clock.now(),
            "2026-11-02T08:02:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            clock.to_real(Duration::from_secs(60)),
            Duration::from_millis(500)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn sleeping_is_measured_in_clock_time() {
        let clock = Clock::scaled("2026-11-02T08:00:00Z".parse().unwrap(), 60.0);
        clock.sleep_until_elapsed(300.0).await;
        assert!(clock.elapsed_s() >= 300.0 && clock.elapsed_s() < 301.0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_clock_stands_at_its_start_until_released() {
        let clock = Clock::scaled_held("2026-11-02T08:00:00Z".parse().unwrap(), 10.0);
        tokio::time::advance(Duration::from_secs(50)).await;
        assert_eq!(clock.elapsed_s(), 0.0);
        clock.release();
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!((clock.elapsed_s() - 10.0).abs() < 0.01);
        clock.release();
        assert!(
            (clock.elapsed_s() - 10.0).abs() < 0.01,
            "a second release changes nothing"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_joining_clock_starts_where_the_run_is() {
        let clock = Clock::scaled_from("2026-11-02T08:00:00Z".parse().unwrap(), 10.0, 500.0);
        assert!((clock.elapsed_s() - 500.0).abs() < 0.01);
        assert!((clock.elapsed_at(clock.at(123.0)) - 123.0).abs() < 0.01);
    }
}
