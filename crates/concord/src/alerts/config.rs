//! The `[alerts]` settings: rules, channels, per-owner routes and digest times, with the defaults
//! documented in `docs/alerts.md`. The channel settings, which hold every secret, are in
//! `routes`.

pub use super::routes::{EmailConfig, Routes, SmtpAuth, SmtpTls, WebhookConfig};
use chrono::Weekday;
use concord_core::catalogue::{ExceptionKind, Owner};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeSet;
use std::time::Duration;

/// Alerting and digests. Nothing is sent until a `webhook` or `email` channel is configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// Master switch (default `true`); with no channel configured alerting stays idle anyway.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// How often the rules are evaluated, in clock seconds (default 60).
    #[serde(default = "default_tick_s")]
    pub tick_s: f64,
    /// How long an alert that was sent stays quiet, in minutes (default 60). Per rule overridable.
    #[serde(default = "default_cooldown_min")]
    pub cooldown_min: f64,
    /// The rules; leaving the key out gives [`default_rules`], `rules = []` turns them all off.
    #[serde(default = "default_rules", deserialize_with = "unique_rules")]
    pub rules: Vec<AlertRule>,
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    #[serde(default)]
    pub email: Option<EmailConfig>,
    #[serde(default)]
    pub digest: DigestConfig,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            enabled: true,
            tick_s: default_tick_s(),
            cooldown_min: default_cooldown_min(),
            rules: default_rules(),
            webhook: None,
            email: None,
            digest: DigestConfig::default(),
        }
    }
}

impl AlertsConfig {
    /// Alerting does anything only when it is on and has somewhere to send.
    pub fn is_active(&self) -> bool {
        self.enabled && (self.webhook.is_some() || self.email.is_some())
    }

    /// The cool-down of one rule: its own, else the global one.
    pub fn cooldown(&self, rule: &AlertRule) -> Duration {
        minutes(rule.cooldown_min.unwrap_or(self.cooldown_min))
    }
}

/// A span of minutes from config, never negative or NaN.
pub(crate) fn minutes(m: f64) -> Duration {
    Duration::try_from_secs_f64(m * 60.0).unwrap_or(Duration::ZERO)
}

/// One rule. The alert it raises has the stable key `rule:<name>`: renaming a rule restarts its
/// cool-down, editing its threshold does not.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawRule")]
pub struct AlertRule {
    pub name: String,
    pub condition: Condition,
    /// Who is told; by default the owner of the exceptions (exception rules) or operations.
    pub owner: Option<Owner>,
    /// Overrides `[alerts] cooldown_min` for this rule.
    pub cooldown_min: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// At least `at_least` exceptions of `kind` seen within the last `window_min` minutes.
    Count {
        kind: ExceptionKind,
        at_least: u32,
        window_min: f64,
    },
    /// Any exception of `kind` in status `open`.
    Open { kind: ExceptionKind },
    /// Cin7 calls in the last 60 s above `above_percent` of the budget, at every sample for
    /// `for_min` minutes.
    Budget { above_percent: f64, for_min: f64 },
    /// More than `above` jobs in the dead-letter state.
    DeadLetters { above: u64 },
}

/// The flat TOML shape of a rule; `when` picks which of the other keys apply.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    when: When,
    kind: Option<ExceptionKind>,
    at_least: Option<u32>,
    window_min: Option<f64>,
    above_percent: Option<f64>,
    for_min: Option<f64>,
    above: Option<u64>,
    owner: Option<Owner>,
    cooldown_min: Option<f64>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum When {
    Count,
    Open,
    Budget,
    DeadLetters,
}

impl TryFrom<RawRule> for AlertRule {
    type Error = String;

    fn try_from(r: RawRule) -> Result<Self, String> {
        let name = r.name.clone();
        let need = |v: Option<f64>, key: &str| -> Result<f64, String> {
            match v {
                Some(x) if x.is_finite() && x > 0.0 => Ok(x),
                Some(_) => Err(format!("rule `{name}`: `{key}` must be a positive number")),
                None => Err(format!("rule `{name}`: `{key}` is required")),
            }
        };
        let kind = || {
            r.kind
                .ok_or_else(|| format!("rule `{name}`: `kind` is required"))
        };
        // Keys that belong to another `when` are mistakes worth reporting, not silently ignored.
        let stray = |allowed: &[&str]| -> Result<(), String> {
            let given = [
                ("kind", r.kind.is_some()),
                ("at_least", r.at_least.is_some()),
                ("window_min", r.window_min.is_some()),
                ("above_percent", r.above_percent.is_some()),
                ("for_min", r.for_min.is_some()),
                ("above", r.above.is_some()),
            ];
            match given.iter().find(|(k, set)| *set && !allowed.contains(k)) {
                Some((k, _)) => Err(format!("rule `{name}`: `{k}` does not apply here")),
                None => Ok(()),
            }
        };
        let condition = match r.when {
            When::Count => {
                stray(&["kind", "at_least", "window_min"])?;
                let at_least = r
                    .at_least
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("rule `{name}`: `at_least` (> 0) is required"))?;
                Condition::Count {
                    kind: kind()?,
                    at_least,
                    window_min: need(r.window_min, "window_min")?,
                }
            }
            When::Open => {
                stray(&["kind"])?;
                Condition::Open { kind: kind()? }
            }
            When::Budget => {
                stray(&["above_percent", "for_min"])?;
                Condition::Budget {
                    above_percent: need(r.above_percent, "above_percent")?,
                    for_min: need(r.for_min, "for_min")?,
                }
            }
            When::DeadLetters => {
                stray(&["above"])?;
                Condition::DeadLetters {
                    above: r.above.unwrap_or(0),
                }
            }
        };
        if name.trim().is_empty() {
            return Err("a rule needs a non-empty `name`".to_owned());
        }
        Ok(AlertRule {
            name,
            condition,
            owner: r.owner,
            cooldown_min: r.cooldown_min,
        })
    }
}

fn unique_rules<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AlertRule>, D::Error> {
    let rules = Vec::<AlertRule>::deserialize(d)?;
    let mut seen = BTreeSet::new();
    for rule in &rules {
        if !seen.insert(rule.name.as_str()) {
            let msg = format!("rule name `{}` is used twice", rule.name);
            return Err(serde::de::Error::custom(msg));
        }
    }
    Ok(rules)
}

/// The defaults: five `order_sync_failed` in 15 minutes, any `order_missing_in_cin7`, any
/// `stock_stale`, the Cin7 budget above 90 % for 10 minutes, more than 10 dead letters.
pub fn default_rules() -> Vec<AlertRule> {
    let rule = |name: &str, condition| AlertRule {
        name: name.to_owned(),
        condition,
        owner: None,
        cooldown_min: None,
    };
    vec![
        rule(
            "order-sync-failures",
            Condition::Count {
                kind: ExceptionKind::OrderSyncFailed,
                at_least: 5,
                window_min: 15.0,
            },
        ),
        rule(
            "orders-missing-in-cin7",
            Condition::Open {
                kind: ExceptionKind::OrderMissingInCin7,
            },
        ),
        rule(
            "stock-stale",
            Condition::Open {
                kind: ExceptionKind::StockStale,
            },
        ),
        rule(
            "cin7-budget-high",
            Condition::Budget {
                above_percent: 90.0,
                for_min: 10.0,
            },
        ),
        rule("dead-letters", Condition::DeadLetters { above: 10 }),
    ]
}

/// The daily digest per owner and the weekly summary; hours are clock hours in UTC.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    #[serde(default = "yes")]
    pub daily: bool,
    #[serde(default = "default_hour", deserialize_with = "hour")]
    pub daily_hour: u32,
    #[serde(default = "yes")]
    pub weekly: bool,
    #[serde(default = "default_weekday")]
    pub weekly_day: Weekday,
    #[serde(default = "default_hour", deserialize_with = "hour")]
    pub weekly_hour: u32,
    /// How many of the oldest open exceptions a daily digest lists.
    #[serde(default = "default_oldest")]
    pub oldest: usize,
    /// Send a daily digest even when an owner has nothing new and nothing open.
    #[serde(default)]
    pub send_empty: bool,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            daily: true,
            daily_hour: default_hour(),
            weekly: true,
            weekly_day: default_weekday(),
            weekly_hour: default_hour(),
            oldest: default_oldest(),
            send_empty: false,
        }
    }
}

fn hour<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let h = u32::deserialize(d)?;
    if h > 23 {
        return Err(serde::de::Error::custom(format!("hour {h} is not 0-23")));
    }
    Ok(h)
}

fn yes() -> bool {
    true
}
fn default_tick_s() -> f64 {
    60.0
}
fn default_cooldown_min() -> f64 {
    60.0
}
fn default_hour() -> u32 {
    7
}
fn default_weekday() -> Weekday {
    Weekday::Mon
}
fn default_oldest() -> usize {
    5
}
