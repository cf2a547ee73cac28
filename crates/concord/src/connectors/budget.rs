//! The Cin7 rate budget: one per API application, shared by every caller in the process and, on
//! PostgreSQL, by every Concord process on that database (the window lives in the store).
//!
//! Priority classes reserve headroom: order writes may use the whole budget, stock reads all but a
//! few calls, bulk price and reconciliation work only part of it, and financial postings (invoices,
//! payments) the least, so an order never waits behind a price push or a posting slot.

use concord_store::Store;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Priority {
    Orders,
    Stock,
    Bulk,
    /// Invoices and payments: they may wait for the next slot, orders and stock may not.
    Postings,
}

impl Priority {
    /// The share of the budget this class may fill; higher classes keep the rest for themselves.
    fn ceiling(self, limit: u32) -> u32 {
        match self {
            Priority::Orders => limit,
            Priority::Stock => limit.saturating_sub((limit / 10).max(2)).max(1),
            Priority::Bulk => (limit * 7 / 10).max(1),
            Priority::Postings => (limit / 2).max(1),
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
    /// A circuit breaker: after consecutive failures (an outage), calls fail fast without spending
    /// budget until the breaker half-opens, so an outage costs a handful of calls, not hundreds.
    breaker: Arc<Mutex<Breaker>>,
    probe: Arc<tokio::sync::Mutex<()>>,
    /// The longest pause a `Retry-After` may impose (config `cin7.max_retry_after_s`).
    max_pause_s: Arc<AtomicU64>,
}

/// Default cap on a `Retry-After`: Cin7's window is a minute, so a larger value is a proxy's or a
/// bug's, and obeying "retry after a week" would stop every flow for a week.
pub const DEFAULT_MAX_PAUSE: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
struct Breaker {
    consecutive_failures: u32,
    open_until_s: f64,
}

/// Failures in a row that open the breaker; a random 5xx here and there never does.
const TRIP_AFTER: u32 = 3;

const WINDOW: Duration = Duration::from_secs(60);
/// Stock calls a minute guaranteed even when orders fill the budget.
const STOCK_FLOOR_PER_MINUTE: u32 = 1;

impl RateBudget {
    pub fn new(store: Store, app: impl Into<String>, limit: u32) -> Self {
        RateBudget {
            store,
            app: app.into(),
            limit,
            paused_until_s: Arc::new(Mutex::new(0.0)),
            breaker: Arc::default(),
            probe: Arc::default(),
            max_pause_s: Arc::new(AtomicU64::new(DEFAULT_MAX_PAUSE.as_secs())),
        }
    }

    /// Sets the cap on a `Retry-After` (at least one second).
    pub fn set_max_pause(&self, max: Duration) {
        self.max_pause_s
            .store(max.as_secs().max(1), Ordering::Relaxed);
    }

    /// `retry_after` no longer than the cap.
    pub fn capped_pause(&self, retry_after: Duration) -> Duration {
        retry_after.min(Duration::from_secs(
            self.max_pause_s.load(Ordering::Relaxed),
        ))
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
            match self
                .store
                .budget_try_take(&self.app, priority.ceiling(self.limit), WINDOW)
                .await?
            {
                Ok(()) => return Ok(()),
                Err(_) if priority == Priority::Stock && self.take_stock_floor().await? => {
                    return Ok(())
                }
                Err(wait) => clock.sleep(wait.max(Duration::from_millis(200))).await,
            }
        }
    }

    /// One stock call a minute outside the shared window, so a flood of orders can delay stock
    /// but never starve it (Oro would keep selling from ever older levels). It spends part of the
    /// headroom Concord keeps under Cin7's own limit, never the orders' share.
    async fn take_stock_floor(&self) -> Result<bool, concord_store::StoreError> {
        let floor = format!("{}:stock-floor", self.app);
        Ok(self
            .store
            .budget_try_take(&floor, STOCK_FLOOR_PER_MINUTE, WINDOW)
            .await?
            .is_ok())
    }

    /// Cin7 refused a call for its rate limit: nobody calls again before `retry_after` (capped)
    /// has passed.
    pub fn pause_for(&self, retry_after: Duration) {
        let until = self.store.clock().elapsed_s() + self.capped_pause(retry_after).as_secs_f64();
        if let Ok(mut p) = self.paused_until_s.lock() {
            *p = p.max(until);
        }
    }

    /// True once the breaker has tripped and its pause is over: the next call should be a probe.
    pub fn half_open(&self) -> bool {
        self.breaker
            .lock()
            .map(|b| b.consecutive_failures >= TRIP_AFTER)
            .unwrap_or(false)
    }

    /// Only one caller probes a half-open breaker; the others wait for its verdict.
    pub fn probe_lock(&self) -> Arc<tokio::sync::Mutex<()>> {
        self.probe.clone()
    }

    /// `Some(wait)` while the breaker is open: the caller should not call Cin7 now.
    pub fn open_for(&self) -> Option<Duration> {
        let now = self.store.clock().elapsed_s();
        let until = self.breaker.lock().map(|b| b.open_until_s).unwrap_or(0.0);
        (until > now).then(|| Duration::from_secs_f64(until - now))
    }

    pub fn record_success(&self) {
        if let Ok(mut b) = self.breaker.lock() {
            b.consecutive_failures = 0;
        }
    }

    /// A transient failure; the third in a row opens the breaker for 30 s, doubling to 4 min.
    pub fn record_failure(&self) {
        let now = self.store.clock().elapsed_s();
        if let Ok(mut b) = self.breaker.lock() {
            b.consecutive_failures += 1;
            if b.consecutive_failures >= TRIP_AFTER {
                let exponent = (b.consecutive_failures - TRIP_AFTER).min(3);
                b.open_until_s = now + 30.0 * f64::from(1u32 << exponent);
                tracing::warn!(
                    failures = b.consecutive_failures,
                    open_s = 30 * (1 << exponent),
                    "Cin7 keeps failing; pausing calls."
                );
            }
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

    #[tokio::test]
    async fn the_breaker_opens_after_three_failures_and_doubles() {
        let dir = tempfile::tempdir().unwrap();
        let clock = concord_core::Clock::scaled("2026-11-02T08:00:00Z".parse().unwrap(), 1.0);
        let store = Store::connect(
            &format!("sqlite://{}", dir.path().join("b.db").display()),
            clock,
        )
        .await
        .unwrap();
        let budget = RateBudget::new(store, "app", 55);
        budget.record_failure();
        budget.record_failure();
        assert!(budget.open_for().is_none(), "two failures do not trip it");
        budget.record_failure();
        let first = budget.open_for().unwrap();
        assert!(first.as_secs_f64() > 29.0 && first.as_secs_f64() <= 30.0);
        budget.record_failure();
        assert!(budget.open_for().unwrap().as_secs_f64() > 59.0);
        budget.record_success();
        budget.record_failure();
        assert!(
            budget.open_for().unwrap().as_secs_f64() > 59.0,
            "still open until it expires"
        );
    }

    #[tokio::test]
    async fn a_flood_of_orders_delays_stock_but_never_starves_it() {
        let dir = tempfile::tempdir().unwrap();
        let clock = concord_core::Clock::scaled("2026-11-02T08:00:00Z".parse().unwrap(), 1.0);
        let store = Store::connect(
            &format!("sqlite://{}", dir.path().join("f.db").display()),
            clock,
        )
        .await
        .unwrap();
        let budget = RateBudget::new(store, "app", 10);
        for _ in 0..10 {
            budget.acquire(Priority::Orders).await.unwrap();
        }
        let quick = Duration::from_millis(300);
        assert!(
            tokio::time::timeout(quick, budget.acquire(Priority::Orders))
                .await
                .is_err(),
            "orders wait for the window"
        );
        assert!(
            tokio::time::timeout(quick, budget.acquire(Priority::Stock))
                .await
                .is_ok(),
            "stock gets its floor call"
        );
        assert!(
            tokio::time::timeout(quick, budget.acquire(Priority::Stock))
                .await
                .is_err(),
            "but only one a minute"
        );
        assert!(
            tokio::time::timeout(quick, budget.acquire(Priority::Bulk))
                .await
                .is_err(),
            "bulk work has no floor"
        );
    }

    #[tokio::test]
    async fn a_huge_retry_after_pauses_only_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let clock = concord_core::Clock::scaled("2026-11-02T08:00:00Z".parse().unwrap(), 1.0);
        let store = Store::connect(
            &format!("sqlite://{}", dir.path().join("c.db").display()),
            clock.clone(),
        )
        .await
        .unwrap();
        let budget = RateBudget::new(store, "app", 55);
        let week = Duration::from_secs(7 * 24 * 3600);
        assert_eq!(budget.capped_pause(week), DEFAULT_MAX_PAUSE);
        assert_eq!(
            budget.capped_pause(Duration::from_secs(30)),
            Duration::from_secs(30)
        );
        budget.set_max_pause(Duration::from_secs(90));
        assert_eq!(budget.capped_pause(week), Duration::from_secs(90));
        budget.pause_for(week);
        let paused = *budget.paused_until_s.lock().unwrap() - clock.elapsed_s();
        assert!(paused <= 90.0 && paused > 89.0, "{paused}");
    }

    #[test]
    fn lower_priorities_leave_headroom_for_orders() {
        assert_eq!(Priority::Orders.ceiling(55), 55);
        assert_eq!(Priority::Stock.ceiling(55), 50);
        assert_eq!(Priority::Bulk.ceiling(55), 38);
        assert_eq!(Priority::Bulk.ceiling(1), 1);
        assert_eq!(Priority::Postings.ceiling(55), 27);
        assert!(Priority::Postings.ceiling(55) < Priority::Bulk.ceiling(55));
    }
}
