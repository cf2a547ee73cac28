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
            price_tiers: s.price_tiers.clone(),
            tax_rule_map: s.tax_rule_map.clone(),
            shipping_tax_code: s.shipping_tax_code.clone(),
            order_sla_s: s.order_sla_s.unwrap_or_else(default_sla),
            stock_stale_after_s: s.stock_stale_after_s.unwrap_or_else(default_stale),
            prices_oro_wins: true,
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
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            stock_snapshot_s: 300.0,
            order_poll_s: 60.0,
            price_poll_s: 300.0,
            reconcile_s: 3600.0,
            revalidate_s: 300.0,
            catalogue_refresh_s: 1800.0,
            credit_hold_poll_s: 900.0,
            poll_overlap_s: 60.0,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub token: SecretString,
    #[serde(default = "admin")]
    pub role: String,
}

fn admin() -> String {
    "admin".to_owned()
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
        for (key, url) in [
            ("oro.base_url", &self.oro.base_url),
            ("cin7.base_url", &self.cin7.base_url),
        ] {
            url::Url::parse(url).map_err(|e| invalid(key, format!("{url:?} is not a URL: {e}")))?;
        }
        if !(self.store.url.starts_with("sqlite:") || self.store.url.starts_with("postgres")) {
            return Err(invalid(
                "store.url",
                "must start with sqlite:// or postgres://",
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

/// Well-known env names only: `CONCORD_CIN7__APPLICATION_KEY` sets `[cin7] application_key`.
fn apply_override(doc: &mut toml::Table, name: &str, value: &str) -> Result<(), ConfigError> {
    // Variables of Concord's tools and scripts, not config keys.
    const IGNORED: [&str; 6] = [
        "CONCORD_TEST_POSTGRES_URL",
        "CONCORD_LOG",
        "CONCORD_LOG_FORMAT",
        "CONCORD_CONFIG",
        "CONCORD_BIN",
        "CONCORD_IT_KEEP",
    ];
    if IGNORED.contains(&name) {
        return Ok(());
    }
    let path: Vec<String> = name
        .trim_start_matches("CONCORD_")
        .split("__")
        .map(str::to_ascii_lowercase)
        .collect();
    let [section, key] = path.as_slice() else {
        tracing::warn!(
            variable = name,
            "Ignoring an environment variable that names no config key."
        );
        return Ok(());
    };
    let table = doc
        .entry(section.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .ok_or_else(|| invalid(section, "is not a table"))?;
    let parsed = value
        .parse::<i64>()
        .map(toml::Value::Integer)
        .unwrap_or_else(|_| toml::Value::String(value.to_owned()));
    table.insert(key.clone(), parsed);
    Ok(())
}

fn serde_path_to_error_toml(doc: toml::Table) -> Result<Config, ConfigError> {
    let text = toml::to_string(&doc).map_err(|e| invalid("(file)", e.to_string()))?;
    toml::from_str::<Config>(&text).map_err(|e| {
        let key = e
            .span()
            .map(|s| text.get(..s.start).unwrap_or("").lines().count())
            .map(|l| format!("(line {l})"))
            .unwrap_or_default();
        invalid(&key, e.message().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const MINIMAL: &str = r#"
[oro]
base_url = "http://127.0.0.1:1"
client_id = "id"
client_secret = "s3cret"
[cin7]
base_url = "http://127.0.0.1:2"
account_id = "acc"
application_key = "key"
"#;

    #[test]
    fn a_minimal_file_gets_the_documented_defaults() {
        let c = Config::parse(MINIMAL, &[]).unwrap();
        assert_eq!(c.cin7.calls_per_minute, 55);
        assert_eq!(c.schedule.stock_snapshot_s, 300.0);
        assert_eq!(c.store.url, "sqlite://concord.db");
    }

    #[test]
    fn environment_overrides_win_over_the_file() {
        let env = vec![(
            "CONCORD_CIN7__APPLICATION_KEY".to_owned(),
            "from-env".to_owned(),
        )];
        let c = Config::parse(MINIMAL, &env).unwrap();
        assert_eq!(c.cin7.application_key.expose_secret(), "from-env");
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::parse(MINIMAL, &[]).unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn an_error_names_the_key() {
        let bad = MINIMAL.replace("calls", "x") + "\n[rules]\nbogus = 1\n";
        let err = Config::parse(&bad, &[]).unwrap_err().to_string();
        assert!(err.contains("bogus"), "{err}");
        let env = vec![("CONCORD_CIN7__CALLS_PER_MINUTE".to_owned(), "90".to_owned())];
        let err = Config::parse(MINIMAL, &env).unwrap_err().to_string();
        assert!(err.contains("cin7.calls_per_minute"), "{err}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn the_annotated_example_config_is_valid() {
        let text = include_str!("../../../config/example.toml");
        let config = Config::parse(text, &[]).unwrap();
        assert_eq!(config.rules.price_tiers.len(), 1);
        assert_eq!(config.web.tokens.len(), 2);
    }
}
