//! The `[alerts]` settings: documented defaults, mistakes named, secrets never printed, and the
//! annotated example in docs/alerts.md kept valid.

use super::super::config::{default_rules, Condition, SmtpTls};
use super::super::AlertsConfig;
use super::config;
use chrono::Weekday;

#[test]
fn an_empty_alerts_table_gets_the_documented_defaults_and_stays_idle() {
    let c = config("");
    assert!(c.enabled && !c.is_active());
    assert_eq!((c.tick_s, c.cooldown_min), (60.0, 60.0));
    assert_eq!(c.rules, default_rules());
    assert_eq!(c.rules.len(), 5);
    assert_eq!(
        c.rules[0].condition,
        Condition::Count {
            kind: concord_core::catalogue::ExceptionKind::OrderSyncFailed,
            at_least: 5,
            window_min: 15.0
        }
    );
    assert_eq!(
        (c.digest.daily_hour, c.digest.weekly_day),
        (7, Weekday::Mon)
    );
}

#[test]
fn a_rule_with_a_key_of_another_kind_of_rule_is_rejected_by_name() {
    let text = "[[rules]]\nname = \"x\"\nwhen = \"open\"\nkind = \"stock_stale\"\nat_least = 3\n";
    let err = toml::from_str::<AlertsConfig>(text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`at_least` does not apply"), "{err}");
}

#[test]
fn a_rule_missing_a_required_key_and_duplicate_names_are_rejected() {
    let missing =
        "[[rules]]\nname = \"x\"\nwhen = \"count\"\nkind = \"stock_stale\"\nat_least = 3\n";
    let err = toml::from_str::<AlertsConfig>(missing)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`window_min` is required"), "{err}");
    let rule = "[[rules]]\nname = \"x\"\nwhen = \"dead_letters\"\n";
    let err = toml::from_str::<AlertsConfig>(&rule.repeat(2))
        .unwrap_err()
        .to_string();
    assert!(err.contains("used twice"), "{err}");
    let hour = toml::from_str::<AlertsConfig>("[digest]\ndaily_hour = 24\n").unwrap_err();
    assert!(hour.to_string().contains("0-23"), "{hour}");
}

/// The first ```toml block of docs/alerts.md, read as a Concord config file.
fn documented_example() -> crate::config::Config {
    let doc = include_str!("../../../../../docs/alerts.md");
    let block = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let file = format!(
        "[oro]\nbase_url = \"http://127.0.0.1:1\"\nclient_id = \"i\"\nclient_secret = \"s\"\n\
         [cin7]\nbase_url = \"http://127.0.0.1:2\"\naccount_id = \"a\"\napplication_key = \"k\"\n{block}"
    );
    crate::config::Config::parse(&file, &[]).unwrap()
}

#[test]
fn the_annotated_example_in_the_docs_is_a_valid_config_and_hides_its_secrets() {
    let alerts = documented_example().alerts;
    assert!(alerts.is_active());
    assert_eq!(alerts.email.as_ref().unwrap().tls, SmtpTls::Starttls);
    let printed = format!("{alerts:?}");
    for secret in ["XXXXXXXX", "smtp-password", "shared-secret"] {
        assert!(!printed.contains(secret), "{secret} printed");
    }
}
