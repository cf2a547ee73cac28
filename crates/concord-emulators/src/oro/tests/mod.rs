//! Tests of the Oro emulator over real HTTP (a listener on 127.0.0.1:0 and reqwest), on a fast
//! scenario clock.

mod batch_inventory;
mod catalog;
mod checkout_webhooks;
mod discounts;
mod flat_render;
mod legacy_catalog;
mod legacy_orders;
mod orders_auth;
mod realism;
mod strict_webhooks;
mod tax_codes;
mod trackings;

use super::OroEmulator;
use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use serde_json::{json, Value};

/// Scenario seconds per wall second in tests: long enough waits stay short.
pub const SPEED: f64 = 50.0;

/// A small scenario: a parent and a child customer, two products, one price list, three orders.
pub fn scenario(
    tax_detail: &str,
    token_ttl_s: u64,
    webhooks: bool,
) -> concord_core::scenario::Scenario {
    let text = json!({
        "name": "oro-emulator-test",
        "clock": {"start": "2026-11-02T08:00:00Z", "speed": SPEED},
        "cin7": {},
        "oro": {
            "currency": "GBP",
            "customers": [{"id": 1, "name": "Acme Group", "parent": null}, {"id": 2, "name": "Acme Bristol", "parent": 1}],
            "customer_users": [{"id": 10, "customer": 2, "email": "buyer@acme.example"}],
            "products": [
                {"sku": "TEE", "name": "Tee", "units": [{"code": "each", "conversion_rate": "1", "precision": 0},
                                                        {"code": "case", "conversion_rate": "12", "precision": 0}],
                 "inventory": {"each": "30", "case": "2"}, "inventory_status": "in_stock"},
                {"sku": "MUG", "name": "Mug", "units": [{"code": "each", "conversion_rate": "1", "precision": 0}],
                 "inventory": {"each": "5"}, "inventory_status": "in_stock"}
            ],
            "price_lists": [{"id": 1, "name": "Trade", "currency": "GBP", "prices": [
                {"sku": "TEE", "unit": "each", "quantity": "1", "value": "10.00"},
                {"sku": "TEE", "unit": "case", "quantity": "1", "value": "108.00"}]}],
            "price_list_assignments": [{"customer": 2, "price_list": 1}],
            "webhooks": webhooks,
            "tax_detail": tax_detail,
            "faults": {"token_ttl_s": token_ttl_s},
            "orders": [
                order(901, "W-901", 2, "10.00", None),
                order(902, "W-902", 2, "10.00", None),
                order(903, "W-903", 1, "9.50", Some("999.99")),
            ]
        }
    });
    match parse_scenario(&text.to_string()) {
        Ok(s) => s,
        Err(e) => panic!("test scenario does not parse: {e:?}"),
    }
}

/// A back-office order of 2 TEE cases and 3 TEE each, with shipping.
pub fn order(
    id: i64,
    identifier: &str,
    customer: i64,
    each_price: &str,
    total: Option<&str>,
) -> Value {
    json!({
        "id": id, "identifier": identifier, "po_number": format!("PO-{id}"), "customer": customer, "customer_user": 10,
        "currency": "GBP", "checkout": false,
        "lines": [{"sku": "TEE", "unit": "case", "quantity": "2", "price": "108.00", "tax": "43.20"},
                  {"sku": "TEE", "unit": "each", "quantity": "3", "price": each_price, "tax": "6.00"}],
        "shipping": {"amount": "10.00", "tax": "2.00"},
        "total": total,
    })
}

pub fn parse_order(value: Value) -> concord_core::scenario::Order {
    match serde_json::from_value(value) {
        Ok(o) => o,
        Err(e) => panic!("bad test order: {e}"),
    }
}

/// A running emulator and a client for it.
pub struct Harness {
    pub emu: OroEmulator,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Clock,
}

impl Harness {
    pub async fn start(scenario: &concord_core::scenario::Scenario) -> Harness {
        let clock = Clock::scaled(scenario.clock.start, SPEED);
        let emu = OroEmulator::new(scenario, clock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = emu.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Harness {
            emu,
            base,
            http: reqwest::Client::new(),
            clock,
        }
    }

    pub async fn token(&self) -> String {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", &self.emu.client_id()),
            ("client_secret", &self.emu.client_secret()),
        ];
        let resp = self
            .http
            .post(format!("{}/oauth2-token", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(
        &self,
        token: &str,
        path_and_query: &str,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let resp = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .bearer_auth(token)
            .header("accept", "application/vnd.api+json")
            .send()
            .await
            .unwrap();
        split(resp).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        split(req.send().await.unwrap()).await
    }

    /// Waits `s` scenario seconds.
    pub async fn wait(&self, s: f64) {
        self.clock
            .sleep(std::time::Duration::from_secs_f64(s))
            .await;
    }
}

async fn split(resp: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, headers, body)
}

/// The ids of a list document's `data`.
pub fn ids(doc: &Value) -> Vec<String> {
    doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}
