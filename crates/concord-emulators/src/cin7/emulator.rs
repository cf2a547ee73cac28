//! `Cin7Emulator`: the handle the demo, `concord emulate` and tests hold. It owns the tenant state,
//! serves the router, takes the timeline's hooks and dumps the state.

use super::fulfilment::{self, Shipment};
use super::state::State;
use super::{middleware, routes, seed, ship_events, views, webhooks};
use crate::common::{round_ms, ApiLog, ApiLogEntry, FaultDice, Outage};
use axum::routing::get;
use axum::Router;
use concord_core::scenario::ShipLine;
use concord_core::scenario::{RateLimit, Scenario};
use concord_core::Clock;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The Cin7 Core API v2 emulator. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct Cin7Emulator {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub clock: Clock,
    pub state: Mutex<State>,
    pub log: ApiLog,
    pub outage: Outage,
    pub dice: FaultDice,
    pub lost_response_rate: f64,
    pub gateway: middleware::GatewayFaults,
    pub limit: RateLimit,
    /// Scenario times of the calls accepted in the last 60 s: the sliding rate-limit window.
    pub window: Mutex<VecDeque<f64>>,
    pub account_id: String,
    pub application_key: String,
    pub http: reqwest::Client,
}

impl Inner {
    /// The tenant state. A poisoned lock (a panicking test) still yields the data.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn now_s(&self) -> f64 {
        self.clock.elapsed_s()
    }
}

impl Cin7Emulator {
    pub fn new(scenario: &Scenario, clock: Clock) -> Self {
        let faults = &scenario.cin7.faults;
        // Credentials derive from the scenario name so a process that joins a run (or restarts
        // against the same emulator) can be configured with the same values.
        let digest = hex::encode(Sha256::digest(format!("concord-cin7:{}", scenario.name)));
        let account_id = format!(
            "{}-{}-4{}-a{}-{}",
            &digest[0..8],
            &digest[8..12],
            &digest[13..16],
            &digest[17..20],
            &digest[20..32]
        );
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        let mut state = seed::build(scenario);
        state.bins = scenario.cin7.availability_bins.clone();
        let inner = Inner {
            clock,
            state: Mutex::new(state),
            log: ApiLog::default(),
            outage: Outage::default(),
            dice: FaultDice {
                error_rate: faults.error_rate,
                latency_ms: faults.latency_ms,
            },
            lost_response_rate: faults.lost_response_rate,
            gateway: middleware::GatewayFaults {
                html_rate: faults.gateway_html_rate,
                reset_rate: faults.connection_reset_rate,
            },
            limit: scenario.cin7.rate_limit.clone(),
            window: Mutex::new(VecDeque::new()),
            account_id,
            application_key: digest[32..64].to_owned(),
            http,
        };
        Cin7Emulator {
            inner: Arc::new(inner),
        }
    }

    /// The API at the root (`/me`, `/product`, `/sale`, …, any letter case) plus
    /// `GET /_emulator/state`, which bypasses auth, faults, the rate limit and the log.
    pub fn router(&self) -> Router {
        let me = self.clone();
        let dump = move || {
            let me = me.clone();
            async move { axum::Json(json!({"cin7": me.state(), "api_log": {"cin7": me.api_log()}})) }
        };
        Router::new()
            .route("/_emulator/state", get(dump))
            .fallback(routes::dispatch)
            .layer(axum::middleware::from_fn_with_state(
                self.inner.clone(),
                middleware::gate,
            ))
            .with_state(self.inner.clone())
    }

    pub fn account_id(&self) -> String {
        self.inner.account_id.clone()
    }

    pub fn application_key(&self) -> String {
        self.inner.application_key.clone()
    }

    /// The webhook delivery loop; runs until the handle is aborted.
    pub fn spawn_background(&self) -> JoinHandle<()> {
        tokio::spawn(webhooks::run(self.inner.clone()))
    }

    /// Timeline `cin7_stock_adjust`: stock moves at a location (a row is created if needed).
    pub fn stock_adjust(&self, sku: &str, location: &str, delta: Decimal) {
        let now = self.inner.now_s();
        let mut state = self.inner.lock();
        let Some(id) = state.product_by_sku(sku).map(|p| p.id) else {
            tracing::warn!(sku, "Stock adjustment for an unknown SKU ignored.");
            return;
        };
        state.row_or_new(id, location).on_hand += delta;
        webhooks::emit_stock(&mut state, now, vec![(id, location.to_owned())]);
    }

    /// Timeline `cin7_customer_update`: finance changes a customer (fires `Customer/Updated`).
    pub fn customer_update(&self, name: &str, on_credit_hold: Option<bool>) {
        let now = self.inner.now_s();
        let mut state = self.inner.lock();
        let Some(customer) = state
            .customers
            .iter_mut()
            .find(|c| super::wire::same(&c.name, name))
        else {
            if let Some(hold) = on_credit_hold {
                tracing::info!(
                    name,
                    "Credit-hold change kept until the customer is created."
                );
                state.pending_holds.push((name.to_owned(), hold));
            }
            return;
        };
        if let Some(hold) = on_credit_hold {
            customer.on_credit_hold = hold;
        }
        customer.modified_s = now;
        let id = customer.id;
        webhooks::emit_customer(&mut state, &self.inner.clock, now, id);
    }

    /// Timeline `cin7_ship`: the warehouse picks, packs and ships (part of) the authorised,
    /// non-voided sale whose `ExternalID` is the Oro order id, as one fulfilment task (lines empty:
    /// all that has not shipped yet). Nothing to ship (no such sale, all shipped): ignored.
    pub fn ship(&self, oro_order_id: i64, lines: &[ShipLine], tracking_number: Option<&str>) {
        let now = self.inner.now_s();
        let external = oro_order_id.to_string();
        let mut state = self.inner.lock();
        let found = state.sales.iter().position(|s| {
            !s.voided
                && s.order.status == "AUTHORISED"
                && s.external_id.as_deref() == Some(external.as_str())
        });
        let shipment = Shipment {
            lines: lines.iter().map(|l| (l.sku.clone(), l.quantity)).collect(),
            tracking_number: tracking_number.map(str::to_owned),
        };
        let shipped = found.and_then(|idx| {
            fulfilment::ship(&mut state, idx, &shipment, now).map(|done| (idx, done))
        });
        let Some((idx, (task_id, changed))) = shipped else {
            tracing::warn!(oro_order_id, "Nothing to ship for this order in Cin7.");
            return;
        };
        let tenant = self.inner.account_id.clone();
        ship_events::emit(&mut state, &self.inner.clock, &tenant, idx, task_id, now);
        webhooks::emit_stock(&mut state, now, changed);
    }

    /// Timeline `cin7_product`: a product is created (a pack names its base by SKU), as if by hand
    /// in Cin7; a SKU that exists already is left as it is.
    pub fn add_product(&self, p: &concord_core::scenario::Cin7Product) {
        let now = self.inner.now_s();
        let mut state = self.inner.lock();
        if state.product_by_sku(&p.sku).is_some() {
            tracing::warn!(sku = %p.sku, "Product creation for an existing SKU ignored.");
            return;
        }
        let mut product = super::seed::product(&state, p);
        product.modified_s = now;
        if let Some(pack) = &p.pack_of {
            product.bom = state
                .product_by_sku(&pack.sku)
                .map(|b| (b.id, pack.quantity));
        }
        state.add_product(product);
    }

    /// Timeline `cin7_payment`: finance records a payment by hand on the order's live sale, with
    /// the event's `Reference`: against its authorised invoice, else as a prepayment. Cin7's own
    /// rules apply (an overpayment is refused and the event ignored).
    pub fn record_payment(&self, payment: &concord_core::scenario::Payment) {
        let now = self.inner.now_s();
        let external = payment.order_id.to_string();
        let mut state = self.inner.lock();
        let Some(idx) = state
            .sales
            .iter()
            .position(|s| !s.voided && s.external_id.as_deref() == Some(external.as_str()))
        else {
            tracing::warn!(
                order_id = payment.order_id,
                "No Cin7 sale to record a payment on."
            );
            return;
        };
        let sale = &state.sales[idx];
        let invoice = sale
            .ledger
            .invoices
            .iter()
            .find(|i| i.status == "AUTHORISED");
        let (kind, task_id) = match invoice {
            Some(i) => ("Payment", i.task_id),
            None => ("Prepayment", sale.id),
        };
        let record = super::ledger::Payment {
            id: uuid::Uuid::new_v4(),
            task_id,
            kind: kind.to_owned(),
            reference: payment.reference.clone(),
            amount: payment.amount,
            date_paid: super::wire::date_only(&self.inner.clock, now),
            account: "1200".to_owned(),
            currency_rate: Decimal::ONE,
            created_s: now,
        };
        if let Err(e) = super::routes::ledger::add_payment(&mut state, idx, record, now) {
            tracing::warn!(order_id = payment.order_id, error = %e.message, "Cin7 refused a payment recorded by hand.");
        }
    }

    /// Timeline `outage`: 503 to everything for `duration_s` scenario seconds.
    pub fn outage(&self, duration_s: f64) {
        self.inner.outage.begin(&self.inner.clock, duration_s);
    }

    /// The `cin7` half of the state dump (spec/scenario.md §3), in Cin7's field names.
    pub fn state(&self) -> Value {
        let clock = &self.inner.clock;
        let state = self.inner.lock();
        let sales: Vec<Value> = state
            .sales
            .iter()
            .map(|s| {
                let mut v = views::sale(&state, clock, s);
                v["created_at_s"] = json!(round_ms(s.created_s));
                v["Invoices"] = json!(s.ledger.invoices.iter().map(|i| {
                    let (before, tax, total) = i.totals(s.tax_inclusive);
                    json!({"Status": s.invoice_status(i), "InvoiceNumber": i.number, "TaskID": i.task_id,
                        "TotalBeforeTax": super::wire::money(before), "Tax": super::wire::money(tax),
                        "Total": super::wire::money(total), "created_at_s": round_ms(i.created_s)})
                }).collect::<Vec<_>>());
                v["Payments"] = json!(s.ledger.payments.iter().map(|p| json!({
                    "Type": p.kind.to_uppercase(), "Amount": super::wire::money(p.amount), "Reference": p.reference,
                    "Account": p.account, "created_at_s": round_ms(p.created_s),
                })).collect::<Vec<_>>());
                v
            })
            .collect();
        json!({
            "sales": sales,
            "customers": state.customers.iter().map(|c| views::customer(clock, c)).collect::<Vec<_>>(),
            "availability": state.stock.iter().flat_map(|r| routes::availability::rows_of(&state, r)).collect::<Vec<_>>(),
            "products": state.products.iter().map(|p| views::product(&state, clock, p, true)).collect::<Vec<_>>(),
        })
    }

    /// Every request answered (refused, failed and rate-limited ones included), except `/_emulator/*`.
    pub fn api_log(&self) -> Vec<ApiLogEntry> {
        self.inner.log.entries()
    }

    /// Webhook deliveries queued, awaiting a retry, or being sent.
    pub fn pending_webhooks(&self) -> usize {
        let state = self.inner.lock();
        state.deliveries.len() + state.in_flight
    }
}
