//! Configuration: a TOML file plus `CONCORD_*` environment overrides, validated into typed settings.
//! Secrets are wrapped so they never print; every error names the key and the problem.

use concord_core::catalogue::{ExceptionKind, Owner, Rule};
use concord_core::scenario::{
    FinancialEntityRule, NewCustomer, PriceTierMapping, Settings, StockBuffer,
};
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

mod load;
mod security;
use load::{apply_override, serde_path_to_error_toml};
pub use security::{
    check_transport, strong_webhook_secret, MIN_TOKEN_CHARS, MIN_WEBHOOK_SECRET_CHARS,
};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config {key}: {message}")]
    Invalid { key: String, message: String },
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// The validated configuration of one Concord process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub store: StoreConfig,
    pub oro: OroConfig,
    pub cin7: Cin7Config,
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub schedule: Schedule,
    #[serde(default)]
    pub web: WebConfig,
    #[serde(default)]
    pub clock: ClockConfig,
    /// Alert rules, channels and digests (`crate::alerts`); idle until a channel is configured.
    #[serde(default)]
    pub alerts: crate::alerts::AlertsConfig,
    /// Drafts of fuller root-cause explanations by an OpenAI-compatible endpoint; off when absent.
    #[serde(default)]
    pub explain: Option<crate::inbox::explain::ExplainConfig>,
}

/// Production runs on the wall clock. A rehearsal against `concord emulate` joins the emulators'
/// scenario clock instead (`follow` = either emulator's base URL), so budgets and schedules agree.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClockConfig {
    #[serde(default)]
    pub follow: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    #[serde(default = "default_store_url")]
    pub url: String,
    /// Days of payload log kept.
    #[serde(default = "default_retention_days")]
    pub payload_retention_days: u32,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: default_store_url(),
            payload_retention_days: default_retention_days(),
        }
    }
}

fn default_store_url() -> String {
    "sqlite://concord.db".to_owned()
}

fn default_retention_days() -> u32 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OroConfig {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Secret used to sign webhooks Concord registers; `None` registers no webhooks (polling only).
    #[serde(default)]
    pub webhook_secret: Option<SecretString>,
    /// The URL Oro should deliver webhooks to (Concord's own `/webhooks/oro`).
    #[serde(default)]
    pub webhook_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cin7Config {
    pub base_url: String,
    pub account_id: String,
    pub application_key: SecretString,
    /// Calls a minute Concord allows itself on this application (Cin7 allows 60; keep headroom).
    #[serde(default = "default_budget")]
    pub calls_per_minute: u32,
    /// The longest pause a Cin7 `Retry-After` may impose, in seconds (Cin7's window is 60 s; a
    /// huge value must not stop Concord for days).
    #[serde(default = "default_max_retry_after")]
    pub max_retry_after_s: u64,
    /// Optional second application used only by reconciliation and bulk price work.
    #[serde(default)]
    pub bulk_application_key: Option<SecretString>,
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default)]
    pub webhook_token: Option<SecretString>,
}

fn default_budget() -> u32 {
    55
}

fn default_max_retry_after() -> u64 {
    crate::connectors::budget::DEFAULT_MAX_PAUSE.as_secs()
}

/// The merchant's rules: the `settings` block of a scenario, plus rule and owner overrides.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub financial_entity: FinancialEntityRule,
    #[serde(default)]
    pub locations: Option<Vec<String>>,
    #[serde(default)]
    pub stock_buffers: Vec<StockBuffer>,
    #[serde(default)]
    pub new_customer: Option<NewCustomer>,
    #[serde(default)]
    pub shipping_charge: Option<String>,
    /// The Cin7 service product that carries Oro's order discounts as negative charges (spec 4.2);
    /// absent: discounts become exact line percentages, or the order is held when none is exact.
    #[serde(default)]
    pub discount_charge: Option<String>,
    #[serde(default)]
    pub price_tiers: Vec<PriceTierMapping>,
    #[serde(default = "default_sla")]
    pub order_sla_s: f64,
    #[serde(default = "default_stale")]
    pub stock_stale_after_s: f64,
    /// Oro tax codes → Cin7 tax rules, ordered, first match wins; `*` matches any code (spec 4.1).
    /// Empty: every line and charge takes the Cin7 customer's tax rule.
    #[serde(default)]
    pub tax_rule_map: Vec<concord_core::scenario::TaxRuleMapping>,
    /// The product tax code the shipping charge is matched with; absent: only `*` entries match.
    #[serde(default)]
    pub shipping_tax_code: Option<String>,
    /// Oro `sku:unit` → Cin7 SKU, for units the pack-size rule cannot find.
    #[serde(default)]
    pub unit_overrides: BTreeMap<String, String>,
    /// Per-kind hold/flag overrides of the catalogue defaults.
    #[serde(default)]
    pub validation: BTreeMap<ExceptionKind, Rule>,
    /// Per-kind owner overrides.
    #[serde(default)]
    pub owners: BTreeMap<ExceptionKind, Owner>,
    /// When Cin7's price tier differs from Oro: true = push Oro's price ("Oro wins"), false = flag only.
    #[serde(default = "yes")]
    pub prices_oro_wins: bool,
    /// Invoices and payments to Cin7 (spec 4.3); absent: Concord posts nothing financial.
    #[serde(default)]
    pub postings: Option<concord_core::scenario::Postings>,
}

fn default_sla() -> f64 {
    900.0
}

fn default_stale() -> f64 {
    1800.0
}

fn yes() -> bool {
    true
}

impl Rules {
    /// A scenario's settings become the rules, as an operator would write them.
    pub fn from_settings(s: &Settings) -> Self {
        Rules {
            financial_entity: s.financial_entity,
            locations: s.locations.clone(),
            stock_buffers: s.stock_buffers.clone(),
            new_customer: s.new_customer.clone(),
            shipping_charge: s.shipping_charge.clone(),
            discount_charge: s.discount_charge.clone(),
            price_tiers: s.price_tiers.clone(),
            tax_rule_map: s.tax_rule_map.clone(),
            shipping_tax_code: s.shipping_tax_code.clone(),
            order_sla_s: s.order_sla_s.unwrap_or_else(default_sla),
            stock_stale_after_s: s.stock_stale_after_s.unwrap_or_else(default_stale),
            prices_oro_wins: true,
            postings: s.postings.clone(),
            ..Rules::default()
        }
    }

    pub fn rule_for(&self, kind: ExceptionKind) -> Rule {
        self.validation
            .get(&kind)
            .copied()
            .or(kind.default_rule())
            .unwrap_or(Rule::Flag)
    }

    pub fn owner_for(&self, kind: ExceptionKind) -> Owner {
        self.owners
            .get(&kind)
            .copied()
            .unwrap_or(kind.default_owner())
    }
}

/// How often each periodic job runs, in (clock) seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    #[serde(default = "s300")]
    pub stock_snapshot_s: f64,
    #[serde(default = "s60")]
    pub order_poll_s: f64,
    #[serde(default = "s300")]
    pub price_poll_s: f64,
    /// How often each price list is read whole. Oro gives no sign that a price changed (§6.2),
    /// so this bounds how late a price no order used reaches Cin7; an order's own prices are
    /// re-read whenever they disagree.
    #[serde(default = "s1800")]
    pub price_full_read_s: f64,
    #[serde(default = "s3600")]
    pub reconcile_s: f64,
    #[serde(default = "s300")]
    pub revalidate_s: f64,
    #[serde(default = "s1800")]
    pub catalogue_refresh_s: f64,
    /// How often credit holds are polled while drafts wait on one and Cin7 webhooks are off.
    #[serde(default = "s900")]
    pub credit_hold_poll_s: f64,
    /// Overlap of each order poll with the previous one (Oro timestamps have second precision).
    #[serde(default = "s60")]
    pub poll_overlap_s: f64,
    /// How often payload bodies past `store.payload_retention_days` are purged.
    #[serde(default = "s3600")]
    pub retention_s: f64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            stock_snapshot_s: 300.0,
            order_poll_s: 60.0,
            price_poll_s: 300.0,
            price_full_read_s: 1800.0,
            reconcile_s: 3600.0,
            revalidate_s: 300.0,
            catalogue_refresh_s: 1800.0,
            credit_hold_poll_s: 900.0,
            poll_overlap_s: 60.0,
            retention_s: 3600.0,
        }
    }
}

fn s60() -> f64 {
    60.0
}
fn s300() -> f64 {
    300.0
}
fn s900() -> f64 {
    900.0
}
fn s1800() -> f64 {
    1800.0
}
fn s3600() -> f64 {
    3600.0
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    #[serde(default)]
    pub listen: Option<String>,
    /// Dashboard tokens with their role (`viewer`, `operator`, `admin`); stored hashed at start.
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
    /// Served to browsers over HTTPS (by Concord's own proxy or a load balancer): the session
    /// cookie is `Secure` and responses carry HSTS. Unset: on unless `listen` is a loopback address.
    #[serde(default)]
    pub behind_tls: Option<bool>,
    /// Logs one line per HTTP request (method, path, status, duration, client; never a token).
    #[serde(default)]
    pub access_log: bool,
}

impl WebConfig {
    /// Whether browsers reach this listener over TLS (see [`WebConfig::behind_tls`]).
    pub fn tls(&self) -> bool {
        self.behind_tls.unwrap_or_else(|| {
            let listen = self.listen.as_deref().unwrap_or("127.0.0.1:8080");
            !listen
                .parse::<std::net::SocketAddr>()
                .is_ok_and(|a| a.ip().is_loopback())
        })
    }

    /// Each token with its role and display name, in the order of the file.
    pub fn named_tokens(
        &self,
    ) -> Result<Vec<(SecretString, crate::web::Role, Option<String>)>, ConfigError> {
        self.tokens
            .iter()
            .enumerate()
            .map(|(i, t)| Ok((t.token.clone(), security::token_role(i, t)?, t.name.clone())))
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub token: SecretString,
    /// `viewer` (the default), `operator` or `admin`; anything else stops Concord at start.
    #[serde(default)]
    pub role: Option<String>,
    /// Shown in the dashboard header and recorded in the audit log (default `token-<hash prefix>`).
    #[serde(default)]
    pub name: Option<String>,
}

impl Config {
    /// Reads a TOML file, applies `CONCORD_SECTION__KEY` overrides and validates the result.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("CONCORD_"))
            .collect();
        Self::parse(&text, &env)
    }

    pub fn parse(text: &str, env: &[(String, String)]) -> Result<Config, ConfigError> {
        let mut doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| invalid("(file)", e.message().to_owned()))?;
        for (name, value) in env {
            apply_override(&mut doc, name, value)?;
        }
        let config: Config = serde_path_to_error_toml(doc)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        security::validate(self)?;
        if !(self.store.url.starts_with("sqlite:") || self.store.url.starts_with("postgres")) {
            return Err(invalid(
                "store.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        if self.cin7.max_retry_after_s == 0 {
            return Err(invalid(
                "cin7.max_retry_after_s",
                "must be at least 1 (seconds)",
            ));
        }
        if self.cin7.calls_per_minute == 0 || self.cin7.calls_per_minute > 60 {
            return Err(invalid(
                "cin7.calls_per_minute",
                "must be between 1 and 60 (Cin7 allows 60 a minute)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "config/tests.rs"]
mod tests;

#[cfg(test)]
#[path = "config/tests_security.rs"]
mod tests_security;
