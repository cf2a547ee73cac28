//! Tests of the Cin7 emulator over real HTTP (a listener on 127.0.0.1:0, reqwest as the client).

mod api;
mod faults;
mod fulfilment;
mod ledger;
mod required;
mod sales;
mod transport;
mod webhooks;

use super::Cin7Emulator;
use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use reqwest::Method;
use serde_json::{json, Value};

/// A small tenant: a base SKU with a case-of-12 pack, a service, two customers, one seeded sale.
pub(super) fn scenario(rate_limit: Value, faults: Value, webhooks: bool) -> String {
    json!({
        "name": "cin7-unit", "clock": {"start": "2026-11-02T08:00:00Z", "speed": 60},
        "settings": {"shipping_charge": "Freight"},
        "cin7": {
            "base_currency": "GBP", "locations": ["Main Warehouse", "Quarantine"],
            "tax_rules": [{"name": "20% VAT", "percent": "20"}, {"name": "17.5% VAT", "percent": "17.5", "active": false}], "payment_terms": ["30 days", "Proforma"],
            "price_tiers": ["Trade", "Key Account"],
            "products": [
                {"sku": "TEE-BLK-M", "name": "Tee black M", "uom": "Each", "price_tiers": {"Trade": "10.00", "Key Account": "8.90"}},
                {"sku": "TEE-BLK-M-C12", "name": "Tee black M, case of 12", "uom": "Case", "pack_of": {"sku": "TEE-BLK-M", "quantity": "12"}},
                {"sku": "FREIGHT", "name": "Freight", "uom": "Each", "type": "Service"}
            ],
            "availability": [{"sku": "TEE-BLK-M", "location": "Main Warehouse", "on_hand": "100", "allocated": "0"}],
            "customers": [
                {"name": "Acme Retail Group", "currency": "GBP", "payment_term": "30 days", "price_tier": "Trade", "tax_rule": "20% VAT"},
                {"name": "Harbour & Co", "payment_term": "Proforma", "on_credit_hold": true}
            ],
            "sales": [{"external_id": "901", "customer": "Acme Retail Group", "status": "AUTHORISED",
                       "lines": [{"sku": "TEE-BLK-M", "quantity": "10", "price": "10.00", "tax": "20.00"}],
                       "shipping": {"amount": "15.00", "tax": "3.00"}}],
            "rate_limit": rate_limit, "webhooks": webhooks, "faults": faults
        },
        "oro": {}
    })
    .to_string()
}

pub(super) fn default_scenario() -> String {
    scenario(
        json!({"calls_per_minute": 1000, "signal": "429"}),
        json!({}),
        true,
    )
}

pub(super) struct Harness {
    pub emu: Cin7Emulator,
    pub base: String,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Harness {
    /// Serves the emulator of `text` on an ephemeral port, its clock `speed` times real time.
    pub async fn start(text: &str, speed: f64) -> Harness {
        let scenario = parse_scenario(text).expect("scenario parses");
        let clock = Clock::scaled(scenario.clock.start, speed);
        let emu = Cin7Emulator::new(&scenario, clock);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let router = emu.router();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        Harness {
            emu,
            base,
            http: reqwest::Client::new(),
            server,
        }
    }

    pub async fn default() -> Harness {
        Harness::start(&default_scenario(), 1.0).await
    }

    /// An authenticated call; answers (status, JSON body or `null`).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let request = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("api-auth-accountid", self.emu.account_id())
            .header("api-auth-applicationkey", self.emu.application_key());
        let request = match body {
            Some(b) => request.json(&b),
            None => request,
        };
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// The availability row of a SKU at a location: (OnHand, Allocated, Available) as f64 for asserts.
    pub async fn stock(&self, sku: &str, location: &str) -> (f64, f64, f64) {
        let (_, body) = self
            .get(&format!(
                "/ref/productavailability?Sku={sku}&Location={}",
                location.replace(' ', "%20")
            ))
            .await;
        let row = &body["ProductAvailabilityList"][0];
        (
            row["OnHand"].as_f64().unwrap_or(0.0),
            row["Allocated"].as_f64().unwrap_or(0.0),
            row["Available"].as_f64().unwrap_or(0.0),
        )
    }

    /// Creates a sale header for a customer at Main Warehouse; answers its ID.
    pub async fn new_sale(&self, customer: &str, external_id: &str) -> String {
        let (status, sale) = self
            .post("/sale", json!({"Customer": customer, "Location": "Main Warehouse", "SkipQuote": true, "ExternalID": external_id, "CustomerReference": format!("PO-{external_id}")}))
            .await;
        assert_eq!(status, 200, "{sale}");
        sale["ID"].as_str().expect("sale id").to_owned()
    }
}
