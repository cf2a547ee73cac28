//! Both emulators together: served on local ports, playing the scenario's timeline on its clock,
//! and answering the combined state dump. Used by `concord demo`, `concord emulate` and the tests.
//!
//! A separate process (`concord bench` with the emulators in a child) drives them through three
//! routes on either port, outside auth, faults and the API log: `GET /_emulator/clock`,
//! `GET /_emulator/progress` (timeline done, webhooks pending, the timeline's crash seconds) and
//! `POST /_emulator/release` (start the clock and the timeline of a held `concord emulate --hold`).
//!
//! Progress can be long-polled: with `wait_ms`, `crashes` (how many the driver has seen) and
//! `timeline_done` (as the driver last saw it), the answer waits until either moves or `wait_ms`
//! passes. The driver's process is the one whose CPU a benchmark measures, and asking five times a
//! second was a few percent of it.

use crate::cin7::Cin7Emulator;
use crate::oro::OroEmulator;
use concord_core::scenario::{Scenario, System, TimelineEvent};
use concord_core::Clock;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

pub struct Emulators {
    pub cin7: Cin7Emulator,
    pub oro: OroEmulator,
    pub cin7_url: String,
    pub oro_url: String,
    clock: Clock,
    control: Arc<Control>,
    tasks: Vec<JoinHandle<()>>,
}

/// What a driver in another process sees and triggers (see the module docs).
#[derive(Default)]
struct Control {
    timeline_done: AtomicBool,
    /// Scenario seconds of the timeline's `concord_crash` events reached so far.
    crashes: Mutex<Vec<f64>>,
    released: AtomicBool,
    release: Notify,
    /// Notified when a crash is reached or the timeline ends: wakes long-polled progress.
    changed: Notify,
}

/// The longest a progress request waits, whatever it asks for.
const LONGEST_PROGRESS_WAIT_MS: u64 = 5_000;

/// What the driver already knows; a long poll answers once the emulators differ from it.
#[derive(Debug, Default, serde::Deserialize)]
struct ProgressQuery {
    wait_ms: Option<u64>,
    crashes: Option<usize>,
    timeline_done: Option<bool>,
}

impl Control {
    fn differs_from(&self, known: &ProgressQuery) -> bool {
        let crashes = self.crashes.lock().map(|c| c.len()).unwrap_or_default();
        known.crashes != Some(crashes)
            || known.timeline_done != Some(self.timeline_done.load(Ordering::SeqCst))
    }

    /// Returns when the state differs from `known`, or after its `wait_ms` (at once without one).
    async fn wait_for_change(&self, known: &ProgressQuery) {
        let Some(wait_ms) = known.wait_ms else {
            return;
        };
        let notified = self.changed.notified();
        tokio::pin!(notified);
        // Registered before the look, so a change between the look and the wait still wakes it.
        notified.as_mut().enable();
        if self.differs_from(known) {
            return;
        }
        let wait = std::time::Duration::from_millis(wait_ms.min(LONGEST_PROGRESS_WAIT_MS));
        let _ = tokio::time::timeout(wait, notified).await;
    }
}

/// The driver routes, merged into both emulators' routers.
fn control_routes(
    clock: &Clock,
    scenario: &Scenario,
    control: &Arc<Control>,
    pending: impl Fn() -> usize + Clone + Send + Sync + 'static,
) -> axum::Router {
    let start = scenario.clock.start;
    let (clock_a, clock_b, control_a, control_b) = (
        clock.clone(),
        clock.clone(),
        control.clone(),
        control.clone(),
    );
    axum::Router::new()
        .route(
            "/_emulator/clock",
            axum::routing::get(move || {
                let clock = clock_a.clone();
                async move { axum::Json(json!({ "start": start, "speed": clock.speed(), "elapsed_s": clock.elapsed_s() })) }
            }),
        )
        .route(
            "/_emulator/progress",
            axum::routing::get(move |known: axum::extract::Query<ProgressQuery>| {
                let (clock, control, pending) = (clock_b.clone(), control_a.clone(), pending.clone());
                async move {
                    control.wait_for_change(&known).await;
                    let crashes = control.crashes.lock().map(|c| c.clone()).unwrap_or_default();
                    axum::Json(json!({
                        "elapsed_s": clock.elapsed_s(),
                        "timeline_done": control.timeline_done.load(Ordering::SeqCst),
                        "pending_webhooks": pending(),
                        "crashes": crashes,
                    }))
                }
            }),
        )
        .route(
            "/_emulator/release",
            axum::routing::post(move || {
                let control = control_b.clone();
                async move {
                    control.released.store(true, Ordering::SeqCst);
                    control.release.notify_waiters();
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        )
}

impl Emulators {
    /// Binds both servers (port 0 picks a free port) and starts their webhook delivery loops.
    pub async fn start(
        scenario: &Scenario,
        clock: Clock,
        oro_addr: SocketAddr,
        cin7_addr: SocketAddr,
    ) -> std::io::Result<Self> {
        let cin7 = Cin7Emulator::new(scenario, clock.clone());
        let oro = OroEmulator::new(scenario, clock.clone());
        let cin7_listener = TcpListener::bind(cin7_addr).await?;
        let oro_listener = TcpListener::bind(oro_addr).await?;
        let cin7_url = format!("http://{}", cin7_listener.local_addr()?);
        let oro_url = format!("http://{}", oro_listener.local_addr()?);
        let control = Arc::new(Control::default());
        let (c, o) = (cin7.clone(), oro.clone());
        let pending = move || c.pending_webhooks() + o.pending_webhooks();
        let routes = control_routes(&clock, scenario, &control, pending);
        let cin7_router = cin7.router().merge(routes.clone());
        let oro_router = oro.router().merge(routes);
        let tasks = vec![
            tokio::spawn(async move {
                let _ = axum::serve(cin7_listener, cin7_router).await;
            }),
            tokio::spawn(async move {
                let _ = axum::serve(oro_listener, oro_router).await;
            }),
            cin7.spawn_background(),
            oro.spawn_background(),
        ];
        Ok(Emulators {
            cin7,
            oro,
            cin7_url,
            oro_url,
            clock,
            control,
            tasks,
        })
    }

    /// The first line `concord emulate` prints: where each system is and its credentials.
    pub fn connection(&self) -> Value {
        json!({
            "oro": { "base_url": self.oro_url, "client_id": self.oro.client_id(), "client_secret": self.oro.client_secret() },
            "cin7": { "base_url": self.cin7_url, "account_id": self.cin7.account_id(), "application_key": self.cin7.application_key() },
        })
    }

    /// Plays the timeline; each `concord_crash` is sent on `crashes` with its scenario second.
    pub fn play_timeline(&mut self, scenario: &Scenario, crashes: mpsc::UnboundedSender<f64>) {
        let (cin7, oro, clock, control) = (
            self.cin7.clone(),
            self.oro.clone(),
            self.clock.clone(),
            self.control.clone(),
        );
        let timeline = scenario.timeline.clone();
        self.tasks.push(tokio::spawn(async move {
            for entry in timeline {
                clock.sleep_until_elapsed(entry.at_s).await;
                match &entry.event {
                    TimelineEvent::OroOrder { order } => {
                        if let Err(reason) = oro.place_order(order) {
                            tracing::info!(order_id = order.id, reason, "Oro refused a checkout.");
                        }
                    }
                    TimelineEvent::OroOrderStatus(change) => oro.order_status(change),
                    TimelineEvent::OroCustomer { customer } => oro.upsert_customer(customer),
                    TimelineEvent::OroPrice {
                        price_list,
                        sku,
                        unit,
                        quantity,
                        value,
                    } => oro.set_price(*price_list, sku, unit, *quantity, *value),
                    TimelineEvent::Cin7StockAdjust {
                        sku,
                        location,
                        delta,
                    } => cin7.stock_adjust(sku, location, *delta),
                    TimelineEvent::Cin7CustomerUpdate {
                        name,
                        on_credit_hold,
                    } => cin7.customer_update(name, *on_credit_hold),
                    TimelineEvent::Cin7Ship {
                        order_id,
                        lines,
                        tracking_number,
                    } => cin7.ship(*order_id, lines, tracking_number.as_deref()),
                    TimelineEvent::Cin7Product { product } => cin7.add_product(product),
                    TimelineEvent::OroPayment(p) => oro.capture_payment(p),
                    TimelineEvent::Cin7Payment(p) => cin7.record_payment(p),
                    TimelineEvent::Outage {
                        system: System::Cin7,
                        duration_s,
                    } => cin7.outage(*duration_s),
                    TimelineEvent::Outage {
                        system: System::Oro,
                        duration_s,
                    } => oro.outage(*duration_s),
                    TimelineEvent::ConcordCrash => {
                        if let Ok(mut seen) = control.crashes.lock() {
                            seen.push(entry.at_s);
                        }
                        control.changed.notify_waiters();
                        let _ = crashes.send(entry.at_s);
                    }
                }
            }
            control.timeline_done.store(true, Ordering::SeqCst);
            control.changed.notify_waiters();
        }));
    }

    pub fn timeline_done(&self) -> bool {
        self.control.timeline_done.load(Ordering::SeqCst)
    }

    /// Waits for `POST /_emulator/release` (a driver in another process is ready).
    pub async fn released(&self) {
        loop {
            let notified = self.control.release.notified();
            if self.control.released.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }

    pub fn pending_webhooks(&self) -> usize {
        self.cin7.pending_webhooks() + self.oro.pending_webhooks()
    }

    /// Both halves of the state dump and both API logs.
    pub fn dump(&self) -> Value {
        json!({
            "cin7": self.cin7.state(),
            "oro": self.oro.state(),
            "api_log": { "cin7": self.cin7.api_log(), "oro": self.oro.api_log() },
        })
    }

    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

#[cfg(test)]
#[path = "harness_tests.rs"]
mod tests;
