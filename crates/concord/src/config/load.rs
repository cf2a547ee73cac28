//! Reading the configuration: `CONCORD_SECTION__KEY` environment overrides typed as their key
//! expects, and deserialisation errors that name the line and never print a secret.

use super::{invalid, Config, ConfigError};

/// Well-known env names only: `CONCORD_CIN7__APPLICATION_KEY` sets `[cin7] application_key`.
pub(super) fn apply_override(
    doc: &mut toml::Table,
    name: &str,
    value: &str,
) -> Result<(), ConfigError> {
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
    let typed = typed_value(table.get(key.as_str()), key, value);
    table.insert(key.clone(), typed);
    Ok(())
}

/// Keys (by suffix) that hold numbers even when the file does not set them.
const NUMERIC_SUFFIXES: [&str; 3] = ["_s", "_days", "calls_per_minute"];

/// An environment value typed as its key expects: a number only where a number belongs, so an
/// all-digit secret stays a string (and is never echoed back by a type error).
fn typed_value(existing: Option<&toml::Value>, key: &str, value: &str) -> toml::Value {
    let numeric = matches!(
        existing,
        Some(toml::Value::Integer(_) | toml::Value::Float(_))
    ) || (existing.is_none() && NUMERIC_SUFFIXES.iter().any(|s| key.ends_with(s)));
    if numeric && !crate::connectors::payload_log::is_secret_key(key) {
        if let Ok(i) = value.parse::<i64>() {
            return toml::Value::Integer(i);
        }
        if let Ok(f) = value.parse::<f64>() {
            return toml::Value::Float(f);
        }
    }
    if matches!(existing, Some(toml::Value::Boolean(_))) {
        if let Ok(b) = value.parse::<bool>() {
            return toml::Value::Boolean(b);
        }
    }
    toml::Value::String(value.to_owned())
}

/// Keys whose values are secret: the redactor's names, their plurals (`web.tokens` given as one
/// string is a token), and the alert webhook `urls`, which carry their token in the path.
fn holds_secrets(key: &str) -> bool {
    use crate::connectors::payload_log::is_secret_key;
    let singular = key.strip_suffix(['s', 'S']).unwrap_or(key);
    is_secret_key(key) || is_secret_key(singular) || key.eq_ignore_ascii_case("urls")
}

/// Every value held under a secret-looking key, so an error message can be cleaned of them.
fn secret_values(value: &toml::Value, under_secret: bool, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let secret = under_secret || holds_secrets(k);
                secret_values(v, secret, out);
            }
        }
        toml::Value::Array(items) => items
            .iter()
            .for_each(|v| secret_values(v, under_secret, out)),
        toml::Value::String(s) if under_secret && !s.is_empty() => out.push(s.clone()),
        toml::Value::Integer(i) if under_secret => out.push(i.to_string()),
        toml::Value::Float(f) if under_secret => out.push(f.to_string()),
        _ => {}
    }
}

/// `secret` as `{:?}` prints it inside the quotes, when that differs from the secret itself.
fn escaped_form(secret: &str) -> Option<String> {
    let debug = format!("{secret:?}");
    let inner = debug.get(1..debug.len().saturating_sub(1))?;
    (inner != secret).then(|| inner.to_owned())
}

pub(super) fn serde_path_to_error_toml(doc: toml::Table) -> Result<Config, ConfigError> {
    let text = toml::to_string(&doc).map_err(|e| invalid("(file)", e.to_string()))?;
    toml::from_str::<Config>(&text).map_err(|e| {
        let key = e
            .span()
            .map(|s| text.get(..s.start).unwrap_or("").lines().count())
            .map(|l| format!("(line {l})"))
            .unwrap_or_default();
        let mut secrets = Vec::new();
        secret_values(&toml::Value::Table(doc.clone()), false, &mut secrets);
        // serde quotes a wrong-typed string escaped (`{:?}`): a secret with a quote, a backslash
        // or a control character appears only in that form.
        let escaped: Vec<String> = secrets.iter().filter_map(|s| escaped_form(s)).collect();
        secrets.extend(escaped);
        // Longest first, so a secret that contains another is cut whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let message = secrets.iter().fold(e.message().to_owned(), |m, s| {
            m.replace(s.as_str(), "[redacted]")
        });
        invalid(&key, message)
    })
}
