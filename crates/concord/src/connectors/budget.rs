//! The Cin7 rate budget: one per API application, shared by every caller in the process and, on
//! PostgreSQL, by every Concord process on that database (the window lives in the store).
//!
//! Priority classes reserve headroom: order writes may use the whole budget, stock reads all but a
//! few calls, bulk price and reconciliation work only part of it, so an order never waits behind a
//! price push.

use concord_store::Store;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Priority {
    Orders,
    Stock,
    Bulk,
}

impl Priority {
    /// The share of the budget this class may fill; higher classes keep the rest for themselves.
    fn ceiling(self, limit: u32) -> u32 {
        match self {
            Priority::Orders => limit,
            Priority::Stock => limit.saturating_sub((limit / 10).max(2)).max(1),
            Priority::Bulk => (limit * 7 / 10).max(1),
        }
    }
}

#[derive(Clone)]
pub struct RateBudget {
    store: Store,
    app: String,
    limit: u32,
    /// Set when Cin7 itself said "slow down" (a 429 or its siblings): everyone waits, whatever our
    /// own count says, because another integration on the same account may be spending the budget.
    paused_until_s: Arc<Mutex<f64>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl RateBudget {
    pub fn new(store: Store, app: impl Into<String>, limit: u32) -> Self {
        RateBudget { store, app: app.into(), limit, paused_until_s: Arc::new(Mutex::new(0.0)) }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn app(&self) -> &str {
        &self.app
    }

    /// Waits (on the clock) until a call of this priority may start, then counts it.
    pub async fn acquire(&self, priority: Priority) -> Result<(), concord_store::StoreError> {
        let clock = self.store.clock().clone();
        loop {
            let paused = self.paused_until_s.lock().map(|p| *p).unwrap_or(0.0);
            let now = clock.elapsed_s();
            if paused > now {
                clock.sleep(Duration::from_secs_f64(paused - now)).await;
                continue;
            }
            match self.store.budget_try_take(&self.app, priority.ceiling(self.limit), WINDOW).await? {
                Ok(()) => return Ok(()),
                Err(wait) => clock.sleep(wait.max(Duration::from_millis(200))).await,
            }
        }
    }

    /// Cin7 refused a call for its rate limit: nobody calls again before `retry_after` has passed.
    pub fn pause_for(&self, retry_after: Duration) {
        let until = self.store.clock().elapsed_s() + retry_after.as_secs_f64();
        if let Ok(mut p) = self.paused_until_s.lock() {
            *p = p.max(until);
        }
    }

    /// Calls counted in the last minute (for the dashboard and metrics).
    pub async fn used(&self) -> Result<u32, concord_store::StoreError> {
        self.store.budget_used(&self.app, WINDOW).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_priorities_leave_headroom_for_orders() {
        assert_eq!(Priority::Orders.ceiling(55), 55);
        assert_eq!(Priority::Stock.ceiling(55), 50);
        assert_eq!(Priority::Bulk.ceiling(55), 38);
        assert_eq!(Priority::Bulk.ceiling(1), 1);
    }
}
