//! OroCommerce 6.1+ back-office API emulator: OAuth2 client credentials at `/oauth2-token` and the
//! JSON:API under `/admin/api`, playing a scenario's `oro` section on the scenario clock, following
//! `shared/reference/orocommerce-api.md` and the fixtures in `shared/fixtures/oro/`.
//!
//! # Routes
//! - `POST /oauth2-token` (form, JSON or HTTP Basic client auth) → `{"token_type":"Bearer","expires_in","access_token"}`.
//! - `/admin/api`: `orders` (GET list/one, PATCH), `orders/{id}/relationships/{shippingStatus|status}`
//!   (PATCH), `orderlineitems`, `ordersubtotals` (`filter[order]` required), `customers`,
//!   `customerusers`, `products` (GET, PATCH, batch PATCH), `productunitprecisions`, `productunits`,
//!   `productnames/{id}`, `inventorylevels` (GET, PATCH, batch PATCH; POST/DELETE 405), `pricelists`,
//!   `productprices` (`filter[priceList]` required), `pricelisttocustomers`, `customertaxcodes`,
//!   `producttaxcodes` (customers' and products' `taxCode`), `asyncoperations/{id}`
//!   and `/errors`, `webhooks` (CRUD, GUID ids, `format` required), `webhooktopics`, `webhookformats`, and the generic
//!   `/{type}/{id}/{association}` and `/{type}/{id}/relationships/{association}` reads.
//! - `GET /_emulator/state` → `{"oro": state(), "api_log": {"oro": [...]}}` (not logged, not faulted).
//!
//! # Layout
//! - [`state`]: records and the shared lock; [`seed`]: scenario → records; [`timeline`]: hooks.
//! - [`jsonapi`]: errors and value formats; [`query`]: sort, paging, include, links; [`filter`]: filters.
//! - [`render`]: records → resource objects; [`routes`]: handlers; [`middleware`]: auth, faults, log.
//! - [`batch`]: Batch API and async operations; [`webhooks`]: delivery; [`dump`]: the state dump.

mod batch;
mod document;
mod dump;
mod filter;
mod jsonapi;
mod middleware;
mod order_totals;
mod payments;
mod query;
mod render;
mod routes;
mod row_fields;
mod rows;
mod seed;
mod state;
mod tax_codes;
mod timeline;
mod webhooks;

#[cfg(test)]
mod tests;

pub use webhooks::signature as webhook_signature;

use crate::common::{ApiLogEntry, FaultDice};
use concord_core::scenario::{Order, OrderStatusChange, OroCustomer, Scenario};
use concord_core::Clock;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use state::Shared;
use std::sync::Arc;

/// Access token lifetime when the scenario does not set `oro.faults.token_ttl_s` (Oro's default).
const DEFAULT_TOKEN_TTL_S: u64 = 3600;

/// One emulated OroCommerce instance; cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct OroEmulator {
    shared: Arc<Shared>,
}

impl OroEmulator {
    /// Loads the scenario's `oro` section. Client credentials are derived from the scenario name,
    /// so they are stable across runs of the same scenario.
    pub fn new(scenario: &Scenario, clock: Clock) -> Self {
        let faults = &scenario.oro.faults;
        let dice = FaultDice {
            error_rate: faults.error_rate,
            latency_ms: faults.latency_ms,
        };
        let digest = hex::encode(Sha256::digest(
            format!("oro-emulator:{}", scenario.name).as_bytes(),
        ));
        let client_id = format!("concord-{}", &digest[..12]);
        let client_secret = digest[12..44].to_owned();
        let ttl = faults.token_ttl_s.unwrap_or(DEFAULT_TOKEN_TTL_S);
        let shared = Shared::new(
            seed::state_from(scenario),
            clock,
            dice,
            client_id,
            client_secret,
            ttl,
        );
        OroEmulator {
            shared: Arc::new(shared),
        }
    }

    pub fn router(&self) -> axum::Router {
        routes::router(self.shared.clone())
    }

    pub fn client_id(&self) -> String {
        self.shared.client_id.clone()
    }

    pub fn client_secret(&self) -> String {
        self.shared.client_secret.clone()
    }

    /// The webhook delivery loop; runs until the handle is aborted.
    pub fn spawn_background(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(webhooks::run(self.shared.clone()))
    }

    /// Timeline `oro_order`. `Err(reason)` when a storefront checkout is refused (also recorded in
    /// `refused_checkouts`) or the order id is already taken.
    pub fn place_order(&self, order: &Order) -> Result<(), String> {
        self.shared
            .with(|st, now| timeline::place_order(st, order, now))
    }

    /// Timeline `oro_order_status`.
    pub fn order_status(&self, change: &OrderStatusChange) {
        self.shared
            .with(|st, now| timeline::order_status(st, change, now));
    }

    /// Timeline `oro_customer`: a new customer, or a changed name or parent.
    pub fn upsert_customer(&self, customer: &OroCustomer) {
        self.shared
            .with(|st, now| timeline::upsert_customer(st, customer, now));
    }

    /// Timeline `oro_price`.
    pub fn set_price(
        &self,
        price_list: i64,
        sku: &str,
        unit: &str,
        quantity: Decimal,
        value: Decimal,
    ) {
        self.shared
            .with(|st, now| timeline::set_price(st, price_list, sku, unit, quantity, value, now));
    }

    /// Timeline `oro_payment`: a capture, announced by `order.payment_status_updated`.
    pub fn capture_payment(&self, payment: &concord_core::scenario::Payment) {
        self.shared
            .with(|st, now| payments::capture(st, payment, now));
    }

    /// Timeline `outage`: 503 to every request for `duration_s` scenario seconds.
    pub fn outage(&self, duration_s: f64) {
        self.shared.outage.begin(&self.shared.clock, duration_s);
    }

    /// The `oro` half of the state dump.
    pub fn state(&self) -> serde_json::Value {
        dump::state(&self.shared)
    }

    /// Every request answered (except `/_emulator/*`), with its scenario time and final status.
    pub fn api_log(&self) -> Vec<ApiLogEntry> {
        self.shared.log.entries()
    }

    /// Webhook deliveries queued, in flight, or waiting to be retried.
    pub fn pending_webhooks(&self) -> usize {
        self.shared.with(|st, _| st.outbox.len() + st.in_flight)
    }
}
