//! The Cin7 Core client: one typed method per endpoint the flows use, each call paced by the shared
//! rate budget, logged to the payload log, and classified on failure.

use super::config::Cin7Settings;
use super::error::{classify, unreadable_success, Cin7Error};
use super::{convert, models};
use crate::connectors::budget::{Priority, RateBudget};
use crate::connectors::limits::MAX_RESPONSE_BYTES;
use crate::connectors::payload_log::{self, CallRecord};
use crate::connectors::Health;
use crate::domain::*;
use concord_store::Store;
use reqwest::Method;
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Cin7's largest page; a full availability snapshot of N rows costs ceil(N / 1000) calls.
pub(super) const PAGE: usize = 1000;

#[derive(Clone)]
pub struct Cin7Client {
    http: reqwest::Client,
    settings: Cin7Settings,
    budget: RateBudget,
    pub(super) store: Store,
    /// What `ensure_webhooks` last subscribed, so a periodic check can notice a deactivation.
    pub(super) subscribed: super::subscriptions::Remembered,
    /// Set in a dry run: writes are recorded instead of sent (see `dry_run.rs`).
    pub(super) dry_run: Option<crate::connectors::dry_run::DryRun>,
}

#[derive(Debug, Clone, Default)]
pub struct SaleListFilter {
    pub external_id: Option<String>,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    pub created_since: Option<chrono::DateTime<chrono::Utc>>,
}

pub(super) struct Call<'a> {
    pub method: Method,
    pub path: &'a str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub priority: Priority,
    pub subject: Option<&'a str>,
}

impl Cin7Client {
    pub fn new(
        settings: Cin7Settings,
        budget: RateBudget,
        store: Store,
    ) -> Result<Self, Cin7Error> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| Cin7Error::Transient(format!("cannot build the HTTP client: {e}")))?;
        Ok(Cin7Client {
            http,
            settings,
            budget,
            store,
            subscribed: Default::default(),
            dry_run: None,
        })
    }

    /// How long one request may take before Concord gives up on its answer (wall time).
    pub fn request_timeout(&self) -> std::time::Duration {
        self.settings.timeout
    }

    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    /// Can Concord reach Cin7 with these credentials? (`GET /me`, one call of the budget.)
    pub async fn healthcheck(&self) -> Health {
        let result = self
            .get_json::<Value>("/me", vec![], Priority::Stock, None)
            .await;
        match result {
            Ok(me) => Health {
                system: "cin7",
                ok: true,
                detail: format!(
                    "company {}",
                    me.get("Company").and_then(Value::as_str).unwrap_or("?")
                ),
            },
            Err(e) => Health {
                system: "cin7",
                ok: false,
                detail: e.to_string(),
            },
        }
    }

    /// Every product, with the prices of the named tiers only: Cin7 sends ten tiers a product
    /// and Concord compares the few its rules map, so the rest would only take memory.
    pub async fn products(
        &self,
        tiers: &[String],
        priority: Priority,
    ) -> Result<Vec<ErpProduct>, Cin7Error> {
        self.product_pages(vec![], priority, |p| convert::product_of_tiers(p, tiers))
            .await
    }

    /// Products modified at or after `since`, deprecated ones included and flagged (`true`), so a
    /// refresh can drop them: one page in a quiet hour instead of the whole catalogue.
    pub async fn products_modified_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        tiers: &[String],
        priority: Priority,
    ) -> Result<Vec<(ErpProduct, bool)>, Cin7Error> {
        let filter = vec![
            ("IncludeDeprecated", "true".to_owned()),
            (
                "ModifiedSince",
                since.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ),
        ];
        self.product_pages(filter, priority, |p| {
            let deprecated = p
                .status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("deprecated"));
            (convert::product_of_tiers(p, tiers), deprecated)
        })
        .await
    }

    /// Every page of `GET /product` (with bills of materials) under `filter`, each product
    /// converted as its page arrives so wire records never pile up.
    async fn product_pages<T>(
        &self,
        filter: Vec<(&'static str, String)>,
        priority: Priority,
        convert: impl Fn(models::Product) -> T,
    ) -> Result<Vec<T>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let mut query = vec![
                ("Page", page.to_string()),
                ("Limit", PAGE.to_string()),
                ("IncludeBOM", "true".into()),
            ];
            query.extend(filter.iter().cloned());
            let list: models::ProductList =
                self.get_json("/product", query, priority, None).await?;
            let n = list.products.len();
            out.extend(list.products.into_iter().map(&convert));
            if last_page(n, page, list.total) {
                break;
            }
        }
        Ok(out)
    }

    pub async fn customers(&self, priority: Priority) -> Result<Vec<ErpCustomer>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let query = vec![("Page", page.to_string()), ("Limit", PAGE.to_string())];
            let list: models::CustomerList =
                self.get_json("/customer", query, priority, None).await?;
            let n = list.customer_list.len();
            out.extend(list.customer_list.into_iter().map(convert::customer));
            if last_page(n, page, list.total) {
                break;
            }
        }
        Ok(out)
    }

    /// `GET /customer?ID=`: one customer as Cin7 holds it now; `None` when Cin7 knows no such id.
    pub async fn customer(&self, id: &str) -> Result<Option<ErpCustomer>, Cin7Error> {
        let query = vec![("ID", id.to_owned())];
        let list: models::CustomerList = self
            .get_json("/customer", query, Priority::Orders, None)
            .await?;
        // The filter is the server's; only an exact id is trusted.
        Ok(list
            .customer_list
            .into_iter()
            .map(convert::customer)
            .find(|c| c.id.eq_ignore_ascii_case(id)))
    }

    pub async fn create_customer(
        &self,
        customer: &NewErpCustomer,
        subject: &str,
    ) -> Result<ErpCustomer, Cin7Error> {
        let body = serde_json::to_value(convert::customer_write(customer))
            .map_err(|e| Cin7Error::Decode(e.to_string()))?;
        let call = Call {
            method: Method::POST,
            path: "/customer",
            query: vec![],
            body: Some(body),
            priority: Priority::Orders,
            subject: Some(subject),
        };
        let list: models::CustomerList = self.send_json(call).await?;
        list.customer_list
            .into_iter()
            .next()
            .map(convert::customer)
            .ok_or_else(|| Cin7Error::Decode("POST /customer returned no customer".into()))
    }

    pub async fn sale_list(
        &self,
        filter: &SaleListFilter,
        priority: Priority,
    ) -> Result<Vec<SaleSummary>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let mut query = vec![("Page", page.to_string()), ("Limit", PAGE.to_string())];
            if let Some(id) = &filter.external_id {
                query.push(("ExternalID", id.clone()));
            }
            if let Some(since) = filter.updated_since {
                query.push((
                    "UpdatedSince",
                    since.format("%Y-%m-%dT%H:%M:%S").to_string(),
                ));
            }
            if let Some(since) = filter.created_since {
                query.push((
                    "CreatedSince",
                    since.format("%Y-%m-%dT%H:%M:%S").to_string(),
                ));
            }
            let list: models::SaleListPage =
                self.get_json("/saleList", query, priority, None).await?;
            let n = list.sale_list.len();
            out.extend(list.sale_list.into_iter().map(convert::sale_summary));
            if last_page(n, page, list.total) {
                break;
            }
        }
        // ExternalID is documented as a filter, but a client must not trust a fuzzy match.
        if let Some(id) = &filter.external_id {
            out.retain(|s| s.external_id.as_deref() == Some(id.as_str()));
        }
        Ok(out)
    }

    /// `POST /sale` with `SkipQuote`; returns the new sale's id. A 5xx here is ambiguous.
    pub async fn create_sale(&self, sale: &NewSale, subject: &str) -> Result<String, Cin7Error> {
        let body = json!({
            "CustomerID": sale.customer_id,
            "Location": sale.location,
            "SkipQuote": true,
            "ExternalID": sale.external_id,
            "CustomerReference": sale.customer_reference,
            "TaxInclusive": false,
        });
        let call = Call {
            method: Method::POST,
            path: "/sale",
            query: vec![],
            body: Some(body),
            priority: Priority::Orders,
            subject: Some(subject),
        };
        let created: models::Sale = self.send_json(call).await?;
        if created.id.is_empty() {
            return Err(Cin7Error::Decode("POST /sale returned no ID".into()));
        }
        Ok(created.id)
    }

    /// `POST /sale/order`: replaces the order's lines while it is not authorised.
    pub async fn post_order(
        &self,
        sale_id: &str,
        stage: OrderStage,
        order: &SaleOrder,
        subject: &str,
    ) -> Result<(), Cin7Error> {
        let body = convert::order_body(sale_id, stage, order);
        let call = Call {
            method: Method::POST,
            path: "/sale/order",
            query: vec![],
            body: Some(body),
            priority: Priority::Orders,
            subject: Some(subject),
        };
        self.send(call).await.map(|_| ())
    }

    pub async fn sale(
        &self,
        id: &str,
        priority: Priority,
        subject: Option<&str>,
    ) -> Result<SaleDetail, Cin7Error> {
        let sale: models::Sale = self
            .get_json("/sale", vec![("ID", id.to_owned())], priority, subject)
            .await?;
        Ok(convert::sale_detail(sale))
    }

    /// `DELETE /sale?ID=&Void=true`: voids (never "undo", which only reverts one stage).
    pub async fn void_sale(&self, id: &str, subject: &str) -> Result<(), Cin7Error> {
        let query = vec![("ID", id.to_owned()), ("Void", "true".to_owned())];
        let call = Call {
            method: Method::DELETE,
            path: "/sale",
            query,
            body: None,
            priority: Priority::Orders,
            subject: Some(subject),
        };
        self.send(call).await.map(|_| ())
    }

    /// Every availability row, a page of 1000 per call (there is no change feed).
    pub async fn availability(&self, sku: Option<&str>) -> Result<Vec<StockRow>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let mut query = vec![("Page", page.to_string()), ("Limit", PAGE.to_string())];
            if let Some(sku) = sku {
                query.push(("Sku", sku.to_owned()));
            }
            let list: models::AvailabilityPage = self
                .get_json("/ref/productavailability", query, Priority::Stock, None)
                .await?;
            let n = list.product_availability_list.len();
            out.extend(
                list.product_availability_list
                    .into_iter()
                    .map(convert::stock_row),
            );
            if last_page(n, page, list.total) {
                break;
            }
        }
        if let Some(sku) = sku {
            out.retain(|r| r.sku == sku);
        }
        Ok(out)
    }

    /// `PUT /product` with the named tiers only; other tiers and fields stay as they are.
    pub async fn update_price_tiers(
        &self,
        product_id: &str,
        tiers: &BTreeMap<String, Decimal>,
        subject: &str,
    ) -> Result<(), Cin7Error> {
        let tiers: serde_json::Map<String, Value> = tiers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!(v.to_string().parse::<f64>().unwrap_or(0.0)),
                )
            })
            .collect();
        let body = json!({ "ID": product_id, "PriceTiers": tiers });
        let call = Call {
            method: Method::PUT,
            path: "/product",
            query: vec![],
            body: Some(body),
            priority: Priority::Bulk,
            subject: Some(subject),
        };
        self.send(call).await.map(|_| ())
    }

    /// After an outage, one cheap `GET /me` decides whether Cin7 is back, instead of letting every
    /// waiting order spend a call (and a retry) finding out.
    async fn probe(&self) -> Result<(), Cin7Error> {
        let lock = self.budget.probe_lock();
        let _only_one = lock.lock().await;
        if !self.budget.half_open() {
            return Ok(());
        }
        if let Some(wait) = self.budget.open_for() {
            return Err(Cin7Error::CircuitOpen { retry_after: wait });
        }
        let call = Call {
            method: Method::GET,
            path: "/me",
            query: vec![],
            body: None,
            priority: Priority::Orders,
            subject: None,
        };
        match self.send_unguarded(call).await {
            Ok(_) => Ok(()),
            Err(_) => Err(Cin7Error::CircuitOpen {
                retry_after: self.budget.open_for().unwrap_or(Duration::from_secs(30)),
            }),
        }
    }

    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
        priority: Priority,
        subject: Option<&str>,
    ) -> Result<T, Cin7Error> {
        self.send_json(Call {
            method: Method::GET,
            path,
            query,
            body: None,
            priority,
            subject,
        })
        .await
    }

    pub(super) async fn send_json<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<T, Cin7Error> {
        let path = call.path.to_owned();
        let write = call.method != Method::GET;
        let text = self.send(call).await?;
        if let Some(error) = unreadable_success(&text, write) {
            return Err(error);
        }
        serde_json::from_str(&text).map_err(|e| Cin7Error::Decode(format!("{path}: {e}")))
    }

    #[tracing::instrument(skip_all, fields(method = %call.method, path = call.path))]
    pub(super) async fn send(&self, call: Call<'_>) -> Result<String, Cin7Error> {
        if let Some(answer) = self.held_back(&call).await {
            return answer;
        }
        if let Some(wait) = self.budget.open_for() {
            return Err(Cin7Error::CircuitOpen { retry_after: wait });
        }
        if self.budget.half_open() {
            self.probe().await?;
        }
        let dry_list = self.lists_made_up(&call);
        let text = self.send_unguarded(call).await?;
        if dry_list {
            return self.add_made_up(text).await;
        }
        Ok(text)
    }

    /// One call, paced by the budget and classified, without the breaker's gate.
    async fn send_unguarded(&self, call: Call<'_>) -> Result<String, Cin7Error> {
        self.budget
            .acquire(call.priority)
            .await
            .map_err(|e| Cin7Error::Store(e.to_string()))?;
        let write = call.method != Method::GET;
        let url = format!(
            "{}{}",
            self.settings.base_url.trim_end_matches('/'),
            call.path
        );
        let mut request = self
            .http
            .request(call.method.clone(), &url)
            .query(&call.query)
            .header("api-auth-accountid", &self.settings.account_id)
            .header(
                "api-auth-applicationkey",
                self.settings.application_key.expose_secret(),
            );
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let started = std::time::Instant::now();
        let result = request.send().await;
        let duration_ms = started.elapsed().as_millis() as u64;
        let log_path = path_with_query(call.path, &call.query);
        let (status, retry_after, text, error) = match result {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                match crate::connectors::limits::read_limited(resp, MAX_RESPONSE_BYTES).await {
                    Ok(text) => (Some(status), retry_after, text, None),
                    // Unread, so treated like no answer: a read retries, a write is looked up first.
                    Err(e) => (
                        None,
                        retry_after,
                        String::new(),
                        Some(format!("HTTP {status}: {e}")),
                    ),
                }
            }
            Err(e) => (None, None, String::new(), Some(e.to_string())),
        };
        let record = CallRecord {
            system: "cin7",
            method: call.method.as_str(),
            path: &log_path,
            status,
            duration_ms,
            request: call.body.as_ref(),
            response: Some(&text),
            subject: call.subject,
            error: error.clone(),
        };
        payload_log::record(&self.store, record).await;
        crate::telemetry::count_call("cin7", call.path, status);
        let result = match status {
            // An HTML page with a 2xx (a wrong path, a captive gateway) is not Cin7's answer. An
            // empty 2xx is fine here (204 is documented); `send_json` refuses it where a body is due.
            Some(s) if (200..300).contains(&s) => match unreadable_success(&text, write) {
                Some(error) if !text.trim().is_empty() => Err(error),
                _ => Ok(text),
            },
            Some(s) => Err(self.capped(classify(s, retry_after.as_deref(), &text, write))),
            None => {
                let message = error.unwrap_or_default();
                Err(if write {
                    Cin7Error::Ambiguous(message)
                } else {
                    Cin7Error::Transient(message)
                })
            }
        };
        match &result {
            Err(Cin7Error::RateLimited { retry_after }) => {
                // Said here: the job it fails is only deferred, which the worker logs at debug.
                tracing::warn!(
                    retry_after_s = retry_after.as_secs(),
                    "Cin7 rate-limited Concord; every call waits."
                );
                self.budget.pause_for(*retry_after)
            }
            Err(Cin7Error::Transient(_) | Cin7Error::Ambiguous(_)) => self.budget.record_failure(),
            _ => self.budget.record_success(),
        }
        result
    }
}

impl Cin7Client {
    /// A rate-limit error whose wait is at most the configured cap, so the job it defers comes
    /// back as soon as the budget's pause ends.
    fn capped(&self, error: Cin7Error) -> Cin7Error {
        match error {
            Cin7Error::RateLimited { retry_after } => {
                let capped = self.budget.capped_pause(retry_after);
                if capped < retry_after {
                    tracing::warn!(
                        asked_s = retry_after.as_secs(),
                        waiting_s = capped.as_secs(),
                        "Cin7 asked for a longer pause than cin7.max_retry_after_s allows; waiting the cap."
                    );
                }
                Cin7Error::RateLimited {
                    retry_after: capped,
                }
            }
            other => other,
        }
    }
}

pub(super) fn last_page(rows: usize, page: usize, total: Option<i64>) -> bool {
    rows < PAGE || total.is_some_and(|t| (page * PAGE) as i64 >= t)
}

pub(super) fn path_with_query(path: &str, query: &[(&'static str, String)]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{path}?{}", q.join("&"))
}
