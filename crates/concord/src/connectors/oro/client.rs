//! The OroCommerce client: JSON:API reads with paging, batch writes of inventory levels, and the
//! few PATCHes Concord makes (inventory status, shipping status), all logged with tokens redacted.
//! Webhook subscriptions are in `subscriptions.rs`.

use super::config::OroSettings;
use super::convert;
use super::error::{classify, OroError};
use super::models::{Document, Included, Resource};
use super::token::TokenManager;
use crate::connectors::limits::MAX_RESPONSE_BYTES;
use crate::connectors::payload_log::{self, CallRecord};
use crate::connectors::Health;
use crate::domain::*;
use concord_store::Store;
use reqwest::Method;
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::time::Duration;

const MEDIA: &str = "application/vnd.api+json";
/// Orders come with their line items and subtotals included: modest pages keep responses small.
pub(super) const ORDER_PAGE: usize = 100;
/// Flat reference data (products, levels, prices, customers): Oro sets no page cap, and large
/// pages turn a 20,000-product catalogue into 20 requests instead of 200.
const PAGE: usize = 1000;
/// The synchronous Batch API takes at most 100 primary records.
const SYNC_BATCH: usize = 100;
/// Attempts of one idempotent request before its error reaches the job.
const QUICK_RETRIES: u64 = 3;

#[derive(Clone)]
pub struct OroClient {
    http: reqwest::Client,
    settings: OroSettings,
    tokens: TokenManager,
    pub(super) store: Store,
    /// Set in a dry run: writes are recorded instead of sent (see `dry_run.rs`).
    pub(super) dry_run: Option<crate::connectors::dry_run::DryRun>,
}

impl OroClient {
    pub fn new(settings: OroSettings, store: Store) -> Result<Self, OroError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| OroError::Transient(format!("cannot build the HTTP client: {e}")))?;
        let tokens = TokenManager::new(http.clone(), settings.clone(), store.clock().clone());
        Ok(OroClient {
            http,
            settings,
            tokens,
            store,
            dry_run: None,
        })
    }

    /// The store's clock: scenario time under the demo, wall time in production.
    pub(super) fn clock(&self) -> &concord_core::Clock {
        self.store.clock()
    }

    pub async fn healthcheck(&self) -> Health {
        match self
            .get_doc("/orders", &[("page[size]", "1".into())], None)
            .await
        {
            Ok(_) => Health {
                system: "oro",
                ok: true,
                detail: "token and orders readable".into(),
            },
            Err(e) => Health {
                system: "oro",
                ok: false,
                detail: e.to_string(),
            },
        }
    }

    pub async fn order(&self, id: i64) -> Result<OroOrder, OroError> {
        let query = [("include", "lineItems,orderSubtotals,discounts".to_owned())];
        let doc = self
            .get_doc(
                &format!("/orders/{id}"),
                &query,
                Some(&format!("order:{id}")),
            )
            .await?;
        let included = Included::new(doc.included);
        let resource = doc
            .data
            .into_vec()
            .into_iter()
            .next()
            .ok_or_else(|| OroError::Decode(format!("order {id} came back empty")))?;
        convert::order(&resource, &included)
    }

    /// Every customer with its own tax code. The codes come included with each page rather than
    /// from a separate `customertaxcodes` read: one request per page, and each code is the one
    /// the page's customers point at when it was read, never a code changed in between.
    pub async fn customers(&self) -> Result<Vec<OroCustomer>, OroError> {
        let query = vec![("include", "taxCode".to_owned())];
        self.get_all("/customers", query, |r, inc| Ok(convert::customer(r, inc)))
            .await
    }

    /// Every product with its units and its tax code (included, as for customers).
    pub async fn products(&self) -> Result<Vec<OroProduct>, OroError> {
        let query = vec![("include", "unitPrecisions,taxCode".to_owned())];
        self.get_all("/products", query, |r, inc| {
            Ok(Some(convert::product(r, inc)))
        })
        .await
    }

    pub async fn inventory_levels(&self) -> Result<Vec<InventoryLevel>, OroError> {
        self.inventory_levels_for(&[]).await
    }

    /// Levels of these products only (all products when empty), each with its unit.
    pub async fn inventory_levels_for(
        &self,
        product_ids: &[String],
    ) -> Result<Vec<InventoryLevel>, OroError> {
        let mut query = vec![("include", "productUnitPrecision".to_owned())];
        if !product_ids.is_empty() {
            query.push(("filter[product]", product_ids.join(",")));
        }
        self.get_all("/inventorylevels", query, |r, inc| {
            Ok(convert::inventory_level(r, inc))
        })
        .await
    }

    /// Every price of one price list (`filter[priceList]` is required by Oro).
    pub async fn prices(&self, price_list: i64) -> Result<Vec<OroPrice>, OroError> {
        let query = vec![("filter[priceList]", price_list.to_string())];
        self.get_all("/productprices", query, |r, _| Ok(convert::price(r)))
            .await
    }

    /// Every price of one price list, each handed to `each` as its page arrives: a whole list
    /// collected first was a second copy of it (55,000 prices a list at 20,000 SKUs).
    pub async fn prices_each(
        &self,
        price_list: i64,
        mut each: impl FnMut(OroPrice),
    ) -> Result<(), OroError> {
        let query = vec![("filter[priceList]", price_list.to_string())];
        self.get_each("/productprices", query, |r, _| {
            if let Some(price) = convert::price(r) {
                each(price);
            }
            Ok(())
        })
        .await
    }

    /// (customer id, price list id) pairs.
    pub async fn price_list_assignments(&self) -> Result<Vec<(i64, i64)>, OroError> {
        self.get_all("/pricelisttocustomers", vec![], |r, _| {
            let customer = r.rel_id("customer").and_then(|c| c.parse().ok());
            let list = r.rel_id("priceList").and_then(|l| l.parse().ok());
            Ok(customer.zip(list))
        })
        .await
    }

    /// Writes levels through the synchronous Batch API, 100 records a request (all or nothing each).
    /// A request that Oro lets run past 25 s comes back as an async operation: it is followed to
    /// its end, and the records it refused are named.
    pub async fn update_levels(&self, levels: &[(String, Decimal)]) -> Result<(), OroError> {
        for chunk in levels.chunks(SYNC_BATCH) {
            let data: Vec<Value> = chunk
                .iter()
                .map(|(id, qty)| json!({"type": "inventorylevels", "id": id, "meta": {"update": true}, "attributes": {"quantity": qty.normalize().to_string()}}))
                .collect();
            let answer = self
                .send(
                    Method::PATCH,
                    "/inventorylevels",
                    &[],
                    Some(json!({ "data": data })),
                    true,
                    None,
                )
                .await?;
            let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
            self.finish_if_async(&answer, &ids).await?;
        }
        Ok(())
    }

    pub async fn set_inventory_status(
        &self,
        product_id: &str,
        status: &str,
    ) -> Result<(), OroError> {
        let body = json!({"data": {"type": "products", "id": product_id,
            "relationships": {"inventory_status": {"data": {"type": "prodinventorystatuses", "id": status}}}}});
        self.send(
            Method::PATCH,
            &format!("/products/{product_id}"),
            &[],
            Some(body),
            false,
            None,
        )
        .await
        .map(|_| ())
    }

    pub async fn set_shipping_status(&self, order_id: i64, status: &str) -> Result<(), OroError> {
        let body = json!({"data": {"type": "orders", "id": order_id.to_string(),
            "relationships": {"shippingStatus": {"data": {"type": "ordershippingstatuses", "id": status}}}}});
        let subject = format!("order:{order_id}");
        self.send(
            Method::PATCH,
            &format!("/orders/{order_id}"),
            &[],
            Some(body),
            false,
            Some(&subject),
        )
        .await
        .map(|_| ())
    }

    /// Every page of a list, each page's records converted as it arrives (with the records that
    /// page includes) and `None`s skipped. Only the converted records are kept: a 20,000-product
    /// catalogue held as JSON documents until the last page was most of a sync's peak memory.
    pub(super) async fn get_all<T>(
        &self,
        path: &str,
        base: Vec<(&'static str, String)>,
        mut convert: impl FnMut(&Resource, &Included) -> Result<Option<T>, OroError>,
    ) -> Result<Vec<T>, OroError> {
        let mut out = Vec::new();
        self.get_each(path, base, |r, inc| {
            out.extend(convert(r, inc)?);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// As [`Self::get_all`], handing each record to `each` as its page arrives instead of
    /// collecting them, for a caller that folds a long list into its own shape.
    pub(super) async fn get_each(
        &self,
        path: &str,
        base: Vec<(&'static str, String)>,
        mut each: impl FnMut(&Resource, &Included) -> Result<(), OroError>,
    ) -> Result<(), OroError> {
        let page_size = if path == "/orders" { ORDER_PAGE } else { PAGE };
        for page in 1.. {
            let mut query = base.clone();
            query.push(("page[size]", page_size.to_string()));
            query.push(("page[number]", page.to_string()));
            let doc = self.get_doc(path, &query, None).await?;
            let rows = doc.data.into_vec();
            let included = Included::new(doc.included);
            for row in &rows {
                each(row, &included)?;
            }
            if rows.len() < page_size {
                break;
            }
        }
        Ok(())
    }

    pub(super) async fn get_doc(
        &self,
        path: &str,
        query: &[(&'static str, String)],
        subject: Option<&str>,
    ) -> Result<Document, OroError> {
        let text = self.get_text(path, query, subject).await?;
        serde_json::from_str(&text).map_err(|e| OroError::Decode(format!("{path}: {e}")))
    }

    /// A read's answer as text, once it is known not to be an HTML page.
    pub(super) async fn get_text(
        &self,
        path: &str,
        query: &[(&'static str, String)],
        subject: Option<&str>,
    ) -> Result<String, OroError> {
        let text = self
            .send(Method::GET, path, query, None, false, subject)
            .await?;
        // A proxy or maintenance page can answer 200 with HTML: that is Oro being unreachable,
        // worth retrying, not a record Concord cannot read.
        if text.trim_start().starts_with('<') {
            return Err(OroError::Transient(format!(
                "{path} answered an HTML page instead of JSON:API (a proxy or maintenance page?)"
            )));
        }
        Ok(text)
    }

    /// One request, retried once with a fresh token after a 401, and up to twice more after a
    /// transient failure: every request Concord makes to Oro is idempotent (reads, and PATCHes
    /// that set absolute values), and a quick retry is far cheaper than re-running the whole job.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&'static str, String)],
        body: Option<Value>,
        sync_batch: bool,
        subject: Option<&str>,
    ) -> Result<String, OroError> {
        if let Some(answer) = self.held_back(&method, path, body.as_ref(), subject).await {
            return answer;
        }
        let idempotent = method != Method::POST;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .send_once(
                    method.clone(),
                    path,
                    query,
                    body.as_ref(),
                    sync_batch,
                    subject,
                )
                .await;
            match result {
                Err(OroError::Unauthorized(_)) if attempt == 1 => self.tokens.invalidate().await,
                Err(OroError::Transient(_)) if idempotent && attempt < QUICK_RETRIES => {
                    self.store.clock().sleep(Duration::from_secs(attempt)).await;
                }
                other => return other,
            }
        }
    }

    #[tracing::instrument(skip_all, fields(method = %method, path))]
    async fn send_once(
        &self,
        method: Method,
        path: &str,
        query: &[(&'static str, String)],
        body: Option<&Value>,
        sync_batch: bool,
        subject: Option<&str>,
    ) -> Result<String, OroError> {
        let token = self.tokens.bearer().await?;
        let url = format!(
            "{}/admin/api{path}",
            self.settings.base_url.trim_end_matches('/')
        );
        let mut request = self
            .http
            .request(method.clone(), &url)
            .query(query)
            .bearer_auth(token.expose_secret())
            .header("Accept", MEDIA);
        if sync_batch {
            request = request.header("X-Mode", "sync");
        }
        if let Some(body) = body {
            request = request.header("Content-Type", MEDIA).body(body.to_string());
        }
        let started = std::time::Instant::now();
        let result = request.send().await;
        let duration_ms = started.elapsed().as_millis() as u64;
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
        let logged_path = format!("/admin/api{path}");
        let record = CallRecord {
            system: "oro",
            method: method.as_str(),
            path: &logged_path,
            status,
            duration_ms,
            request: body,
            response: Some(&text),
            subject,
            error: error.clone(),
        };
        payload_log::record(&self.store, record).await;
        crate::telemetry::count_call("oro", path, status);
        match status {
            Some(s) if (200..300).contains(&s) => Ok(text),
            Some(s) => Err(classify(s, retry_after.as_deref(), &text)),
            None => Err(OroError::Transient(error.unwrap_or_default())),
        }
    }
}
