//! Pieces both emulators share: the API log the state dump reports, and scenario-time faults.

use concord_core::Clock;
use rand::Rng;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request an emulator answered (refused and failed ones included), at its scenario time.
#[derive(Debug, Clone, Serialize)]
pub struct ApiLogEntry {
    pub at_s: f64,
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// Append-only request log; the checker counts Cin7 calls per 60 s window from it.
#[derive(Debug, Clone, Default)]
pub struct ApiLog(Arc<Mutex<Vec<ApiLogEntry>>>);

impl ApiLog {
    pub fn record(&self, clock: &Clock, method: &str, path: &str, status: u16) {
        let entry = ApiLogEntry {
            at_s: round_ms(clock.elapsed_s()),
            method: method.to_owned(),
            path: path.to_owned(),
            status,
        };
        if let Ok(mut log) = self.0.lock() {
            log.push(entry);
        }
    }

    pub fn entries(&self) -> Vec<ApiLogEntry> {
        self.0.lock().map(|log| log.clone()).unwrap_or_default()
    }
}

/// Scenario seconds rounded to the millisecond, as the dump reports them.
pub fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Random faults drawn per request. Latency is in scenario milliseconds, like every other duration.
#[derive(Debug, Clone, Default)]
pub struct FaultDice {
    pub error_rate: f64,
    pub latency_ms: Option<[u64; 2]>,
}

impl FaultDice {
    /// True when this request should fail with a 5xx.
    pub fn roll_error(&self) -> bool {
        self.error_rate > 0.0 && rand::thread_rng().gen_bool(self.error_rate.clamp(0.0, 1.0))
    }

    /// Sleeps the drawn latency, scaled to the scenario clock.
    pub async fn delay(&self, clock: &Clock) {
        if let Some([low, high]) = self.latency_ms {
            let ms = if high > low {
                rand::thread_rng().gen_range(low..=high)
            } else {
                low
            };
            clock.sleep(Duration::from_millis(ms)).await;
        }
    }
}

/// A window of scenario time during which a system answers 503 to everything.
#[derive(Debug, Clone, Default)]
pub struct Outage(Arc<Mutex<Option<f64>>>);

impl Outage {
    /// Starts (or extends) an outage lasting `duration_s` from now.
    pub fn begin(&self, clock: &Clock, duration_s: f64) {
        if let Ok(mut until) = self.0.lock() {
            let end = clock.elapsed_s() + duration_s;
            *until = Some(until.map_or(end, |u| u.max(end)));
        }
    }

    pub fn active(&self, clock: &Clock) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|u| *u)
            .is_some_and(|end| clock.elapsed_s() < end)
    }
}
