//! Plain data types of the scenario file; field names follow the file exactly.

use crate::decimal::{string_only, string_only_opt};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::timeline::TimelineEntry;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub clock: ClockSpec,
    #[serde(default)]
    pub run_until_s: Option<f64>,
    #[serde(default)]
    pub settings: Settings,
    pub cin7: Cin7Seed,
    pub oro: OroSeed,
    /// Parsed event by event in `parse.rs`, so each error carries its `timeline[i]` path.
    #[serde(skip_deserializing)]
    pub timeline: Vec<TimelineEntry>,
    #[serde(default)]
    pub expect: Option<Expect>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSpec {
    pub start: chrono::DateTime<chrono::Utc>,
    #[serde(default = "one")]
    pub speed: f64,
}

fn one() -> f64 {
    1.0
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FinancialEntityRule {
    #[default]
    TopParent,
    #[serde(rename = "self")]
    Itself,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub financial_entity: FinancialEntityRule,
    /// Cin7 locations whose stock Oro may sell; `None` means all.
    #[serde(default)]
    pub locations: Option<Vec<String>>,
    #[serde(default)]
    pub stock_buffers: Vec<StockBuffer>,
    #[serde(default)]
    pub new_customer: Option<NewCustomer>,
    #[serde(default)]
    pub shipping_charge: Option<String>,
    #[serde(default)]
    pub price_tiers: Vec<PriceTierMapping>,
    #[serde(default)]
    pub order_sla_s: Option<f64>,
    #[serde(default)]
    pub stock_stale_after_s: Option<f64>,
    /// Oro tax codes → Cin7 tax rules, first match wins (spec 4.1).
    #[serde(default)]
    pub tax_rule_map: Vec<TaxRuleMapping>,
    /// The product tax code the shipping charge matches with; absent: only `*` entries match it.
    #[serde(default)]
    pub shipping_tax_code: Option<String>,
    /// The Cin7 service product that carries discounts as negative charges (spec 4.2).
    #[serde(default)]
    pub discount_charge: Option<String>,
    /// Invoices and payments; absent: nothing financial is posted (spec 4.3).
    #[serde(default)]
    pub postings: Option<Postings>,
}

/// One row of the ordered tax table; `*` matches any code, including none.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRuleMapping {
    pub customer_tax_code: String,
    pub product_tax_code: String,
    pub tax_rule: String,
}

/// When invoices are raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceOn {
    #[default]
    Authorise,
    Ship,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Postings {
    #[serde(default)]
    pub invoice_on: InvoiceOn,
    #[serde(default = "quarter_hour")]
    pub batch_every_s: f64,
    #[serde(default = "hour")]
    pub max_lag_s: f64,
    #[serde(default)]
    pub payment_account: Option<String>,
}

fn quarter_hour() -> f64 {
    900.0
}

fn hour() -> f64 {
    3600.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockBuffer {
    /// A SKU, or a prefix ending in `*`.
    pub sku: String,
    #[serde(deserialize_with = "string_only")]
    pub units: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub payment_term: String,
    #[serde(default = "yes")]
    pub on_credit_hold: bool,
    #[serde(default)]
    pub price_tier: Option<String>,
    #[serde(default)]
    pub tax_rule: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    /// Cin7 requires both accounts on a new customer; absent: Cin7's default chart (610, 200).
    #[serde(default)]
    pub account_receivable: Option<String>,
    #[serde(default)]
    pub revenue_account: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTierMapping {
    pub price_list: i64,
    pub tier: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cin7Seed {
    #[serde(default = "gbp")]
    pub base_currency: String,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub tax_rules: Vec<TaxRule>,
    #[serde(default)]
    pub payment_terms: Vec<String>,
    #[serde(default)]
    pub price_tiers: Vec<String>,
    #[serde(default)]
    pub products: Vec<Cin7Product>,
    #[serde(default)]
    pub availability: Vec<Availability>,
    #[serde(default)]
    pub customers: Vec<Cin7Customer>,
    #[serde(default)]
    pub sales: Vec<SeedSale>,
    #[serde(default)]
    pub rate_limit: RateLimit,
    #[serde(default)]
    pub webhooks: bool,
    #[serde(default)]
    pub faults: Cin7Faults,
    /// Bins every product's stock is spread over at each location: availability then shows one
    /// row without a bin plus one row per bin, as a real Cin7 with bins does (reference §5.3).
    #[serde(default)]
    pub availability_bins: Vec<String>,
}

fn gbp() -> String {
    "GBP".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRule {
    pub name: String,
    #[serde(deserialize_with = "string_only")]
    pub percent: Decimal,
    /// Cin7 refuses a line or charge naming an inactive rule.
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cin7Product {
    pub sku: String,
    pub name: String,
    #[serde(default = "each")]
    pub uom: String,
    #[serde(default, deserialize_with = "decimal_map")]
    pub price_tiers: BTreeMap<String, Decimal>,
    #[serde(default)]
    pub pack_of: Option<PackOf>,
    /// `Stock` (default) or `Service`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

fn each() -> String {
    "Each".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackOf {
    pub sku: String,
    #[serde(deserialize_with = "string_only")]
    pub quantity: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub sku: String,
    pub location: String,
    #[serde(deserialize_with = "string_only")]
    pub on_hand: Decimal,
    #[serde(default, deserialize_with = "string_only_or_zero")]
    pub allocated: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cin7Customer {
    pub name: String,
    #[serde(default = "gbp")]
    pub currency: String,
    pub payment_term: String,
    #[serde(default)]
    pub price_tier: Option<String>,
    #[serde(default)]
    pub tax_rule: Option<String>,
    #[serde(default, deserialize_with = "string_only_opt")]
    pub credit_limit: Option<Decimal>,
    #[serde(default)]
    pub on_credit_hold: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSale {
    #[serde(deserialize_with = "string_or_number")]
    pub external_id: String,
    pub customer: String,
    #[serde(default = "authorised")]
    pub status: String,
    pub lines: Vec<SeedSaleLine>,
    #[serde(default)]
    pub shipping: Option<Shipping>,
}

fn authorised() -> String {
    "AUTHORISED".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSaleLine {
    pub sku: String,
    #[serde(deserialize_with = "string_only")]
    pub quantity: Decimal,
    #[serde(deserialize_with = "string_only")]
    pub price: Decimal,
    #[serde(default, deserialize_with = "string_only_or_zero")]
    pub tax: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    #[serde(default = "sixty")]
    pub calls_per_minute: u32,
    #[serde(default)]
    pub signal: RateLimitSignal,
    /// Signals by endpoint: a path prefix (case-insensitive, e.g. `"/purchase"`) → signal. The
    /// longest matching prefix wins; other paths use `signal`. Live Cin7 answers `/saleList` with
    /// 503 and `/purchase` with 400 in the same hour.
    #[serde(default)]
    pub by_endpoint: BTreeMap<String, RateLimitSignal>,
    /// The share (0..=1) of 429 answers sent without a `Retry-After` header.
    #[serde(default)]
    pub retry_after_absent_rate: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            calls_per_minute: 60,
            signal: RateLimitSignal::TooManyRequests,
            by_endpoint: BTreeMap::new(),
            retry_after_absent_rate: 0.0,
        }
    }
}

impl RateLimit {
    /// The signal for a request path: the longest `by_endpoint` prefix, else `signal`.
    pub fn signal_for(&self, path: &str) -> RateLimitSignal {
        let path = path.to_ascii_lowercase();
        self.by_endpoint
            .iter()
            .filter(|(prefix, _)| path.starts_with(&prefix.to_ascii_lowercase()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(self.signal, |(_, signal)| *signal)
    }
}

fn sixty() -> u32 {
    60
}

/// How Cin7 answers past its limit; it has changed over the years and differs by endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RateLimitSignal {
    #[default]
    #[serde(rename = "429")]
    TooManyRequests,
    #[serde(rename = "503")]
    ServiceUnavailable,
    #[serde(rename = "400")]
    BadRequestMessage,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cin7Faults {
    #[serde(default)]
    pub error_rate: f64,
    #[serde(default)]
    pub lost_response_rate: f64,
    #[serde(default)]
    pub latency_ms: Option<[u64; 2]>,
    /// The share of requests a gateway in front of Cin7 answers with an HTML 503 page.
    #[serde(default)]
    pub gateway_html_rate: f64,
    /// The share of requests whose connection is reset before any body arrives.
    #[serde(default)]
    pub connection_reset_rate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroSeed {
    #[serde(default = "gbp")]
    pub currency: String,
    #[serde(default)]
    pub customers: Vec<OroCustomer>,
    #[serde(default)]
    pub customer_users: Vec<OroCustomerUser>,
    #[serde(default)]
    pub products: Vec<OroProduct>,
    #[serde(default)]
    pub price_lists: Vec<PriceList>,
    #[serde(default)]
    pub price_list_assignments: Vec<PriceListAssignment>,
    #[serde(default)]
    pub webhooks: bool,
    /// Whether an administrator made Order "webhook accessible" (Entity Management). Oro 6.1.10 to
    /// 7.0 ship it off: without it there are no `order.*` webhook topics. Default on, so scenarios
    /// written before this switch keep their order webhooks.
    #[serde(default = "yes")]
    pub orders_webhook_accessible: bool,
    #[serde(default)]
    pub tax_detail: TaxDetail,
    /// How this Oro's configuration shapes the order subtotal rows.
    #[serde(default)]
    pub subtotals: OroSubtotals,
    #[serde(default)]
    pub faults: OroFaults,
    #[serde(default)]
    pub orders: Vec<Order>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroCustomer {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub parent: Option<i64>,
    /// Oro's customer tax code; without one the nearest ancestor's applies.
    #[serde(default)]
    pub tax_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroCustomerUser {
    pub id: i64,
    pub customer: i64,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroProduct {
    pub sku: String,
    pub name: String,
    pub units: Vec<OroUnit>,
    #[serde(default, deserialize_with = "decimal_map")]
    pub inventory: BTreeMap<String, Decimal>,
    #[serde(default)]
    pub inventory_status: Option<String>,
    /// Oro's product tax code.
    #[serde(default)]
    pub tax_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroUnit {
    pub code: String,
    #[serde(deserialize_with = "string_only")]
    pub conversion_rate: Decimal,
    #[serde(default)]
    pub precision: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    pub id: i64,
    pub name: String,
    #[serde(default = "gbp")]
    pub currency: String,
    #[serde(default)]
    pub prices: Vec<Price>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub sku: String,
    pub unit: String,
    #[serde(deserialize_with = "string_only")]
    pub quantity: Decimal,
    #[serde(deserialize_with = "string_only")]
    pub value: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceListAssignment {
    pub customer: i64,
    pub price_list: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaxDetail {
    #[default]
    PerLine,
    TotalOnly,
}

/// The order subtotal rows an Oro answers: their labels follow the back-office language, and which
/// rows exist follows the tax and promotion configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroSubtotals {
    /// Language of the row labels: `en`, `de` or `fr`.
    #[serde(default = "english")]
    pub locale: String,
    /// Separate "Subtotal Tax" and "Shipping Tax" rows before the "Tax" row (Oro's default); when
    /// false only the one tax row exists (it then itemises the lines itself).
    #[serde(default = "yes")]
    pub split_tax: bool,
    /// The promotion "Discount" and "Shipping Discount" rows (off when promotions are disabled).
    #[serde(default = "yes")]
    pub promotions: bool,
}

impl Default for OroSubtotals {
    fn default() -> Self {
        OroSubtotals {
            locale: english(),
            split_tax: true,
            promotions: true,
        }
    }
}

fn english() -> String {
    "en".to_owned()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroFaults {
    #[serde(default)]
    pub error_rate: f64,
    #[serde(default)]
    pub latency_ms: Option<[u64; 2]>,
    #[serde(default)]
    pub token_ttl_s: Option<u64>,
    /// OroCloud's WAF in front of Oro: off unless set.
    #[serde(default)]
    pub firewall: Option<OroFirewall>,
    /// Share of synchronous Batch API requests (`X-Mode: sync`) that run past Oro's 25 s limit
    /// and continue as an asynchronous operation (202).
    #[serde(default)]
    pub slow_sync_batch_rate: f64,
}

/// Throttling by the WAF: a share of requests refused with 429 or 503 and a `Retry-After`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroFirewall {
    /// Share of API requests refused (0..=1).
    pub rate: f64,
    /// The `Retry-After` seconds sent; none when absent.
    #[serde(default)]
    pub retry_after_s: Option<u64>,
    /// Answer with an HTML page (as a WAF does) instead of an empty body.
    #[serde(default)]
    pub html_body: bool,
}

/// An Oro order, as placed on the timeline or already present at the start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    pub id: i64,
    pub identifier: String,
    #[serde(default)]
    pub po_number: Option<String>,
    pub customer: i64,
    #[serde(default)]
    pub customer_user: Option<i64>,
    #[serde(default = "gbp")]
    pub currency: String,
    #[serde(default)]
    pub checkout: bool,
    #[serde(default = "open")]
    pub internal_status: String,
    /// The external status (`wait_for_approval`, …); `None` means none.
    #[serde(default)]
    pub status: Option<String>,
    pub lines: Vec<OrderLine>,
    #[serde(default)]
    pub shipping: Option<Shipping>,
    /// A reported total that may deliberately not add up.
    #[serde(default, deserialize_with = "string_only_opt")]
    pub total: Option<Decimal>,
    /// Order-level discounts (promotions, coupons) before tax (spec 4.2).
    #[serde(default)]
    pub discounts: Vec<Discount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    pub description: String,
    #[serde(deserialize_with = "string_only")]
    pub amount: Decimal,
}

fn open() -> String {
    "open".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub sku: String,
    pub unit: String,
    #[serde(deserialize_with = "string_only")]
    pub quantity: Decimal,
    #[serde(deserialize_with = "string_only")]
    pub price: Decimal,
    #[serde(default, deserialize_with = "string_only_or_zero")]
    pub tax: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    #[serde(deserialize_with = "string_only")]
    pub amount: Decimal,
    #[serde(default, deserialize_with = "string_only_or_zero")]
    pub tax: Decimal,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, deserialize_with = "string_only_opt")]
    pub max_oversold_units: Option<Decimal>,
    #[serde(default)]
    pub max_cin7_calls_per_order: Option<f64>,
    #[serde(default)]
    pub min_orders_synced: Option<u64>,
    #[serde(default)]
    pub max_order_latency_s: Option<f64>,
}

fn string_only_or_zero<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(string_only_opt(d)?.unwrap_or_default())
}

fn decimal_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "string_only")] Decimal);
    let raw: BTreeMap<String, Wrap> = Deserialize::deserialize(d)?;
    Ok(raw.into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}
