//! Both emulators together: served on local ports, playing the scenario's timeline on its clock,
//! and answering the combined state dump. Used by `concord demo`, `concord emulate` and the tests.

use crate::cin7::Cin7Emulator;
use crate::oro::OroEmulator;
use concord_core::scenario::{Scenario, System, TimelineEvent};
use concord_core::Clock;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub struct Emulators {
    pub cin7: Cin7Emulator,
    pub oro: OroEmulator,
    pub cin7_url: String,
    pub oro_url: String,
    clock: Clock,
    timeline_done: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
}

/// `GET /_emulator/clock`: where the scenario clock is, so a separate `concord run` can join it.
fn clock_route(clock: &Clock, scenario: &Scenario) -> axum::Router {
    let clock = clock.clone();
    let start = scenario.clock.start;
    axum::Router::new().route(
        "/_emulator/clock",
        axum::routing::get(move || {
            let clock = clock.clone();
            async move { axum::Json(json!({ "start": start, "speed": clock.speed(), "elapsed_s": clock.elapsed_s() })) }
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
        let cin7_router = cin7.router().merge(clock_route(&clock, scenario));
        let oro_router = oro.router().merge(clock_route(&clock, scenario));
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
            timeline_done: Arc::new(AtomicBool::new(false)),
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
        let (cin7, oro, clock, done) = (
            self.cin7.clone(),
            self.oro.clone(),
            self.clock.clone(),
            self.timeline_done.clone(),
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
                        let _ = crashes.send(entry.at_s);
                    }
                }
            }
            done.store(true, Ordering::SeqCst);
        }));
    }

    pub fn timeline_done(&self) -> bool {
        self.timeline_done.load(Ordering::SeqCst)
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
