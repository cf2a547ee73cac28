//! Filters and sort comparisons of a JSON:API list read, evaluated on rendered records
//! (attributes, relationship ids, `id`), so a filter always sees exactly what the client sees,
//! including second-precision timestamps.

use super::jsonapi::{parse_time, ApiError};
use super::query::Spec;
use rust_decimal::Decimal;
use serde_json::Value;
use std::cmp::Ordering;

/// How a filterable or sortable field compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Num,
    Str,
    Time,
    Bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Exists,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub field: String,
    pub op: Op,
    pub kind: Kind,
    pub value: String,
}

pub fn value_error(param: &str, detail: &str) -> ApiError {
    ApiError::bad_request("filter constraint", detail).parameter(param)
}

pub fn parse_filter(
    param: &str,
    inner: &str,
    value: &str,
    spec: &Spec,
) -> Result<Filter, ApiError> {
    let mut parts = inner.split("][");
    let field = parts.next().unwrap_or("").to_owned();
    let op = match parts.next() {
        None | Some("eq") => Op::Eq,
        Some("neq") => Op::Neq,
        Some("lt") => Op::Lt,
        Some("lte") => Op::Lte,
        Some("gt") => Op::Gt,
        Some("gte") => Op::Gte,
        Some("exists") => Op::Exists,
        Some(other) => {
            return Err(ApiError::bad_request(
                "filter constraint",
                format!("The operator \"{other}\" is not supported."),
            )
            .parameter(param))
        }
    };
    let Some(&(_, kind)) = spec.filters.iter().find(|(name, _)| *name == field) else {
        return Err(ApiError::bad_request(
            "filter constraint",
            format!("Filter \"{param}\" is not supported."),
        )
        .parameter(param));
    };
    if op != Op::Exists {
        for item in value.split(',').flat_map(|v| v.split("..")) {
            let ok = match kind {
                Kind::Num => item.trim().parse::<Decimal>().is_ok(),
                Kind::Time => parse_time(item).is_some(),
                Kind::Str | Kind::Bool => true,
            };
            if !ok {
                let expected = if kind == Kind::Num {
                    "integer"
                } else {
                    "datetime"
                };
                return Err(ApiError::bad_request(
                    "unexpected value exception",
                    format!("Expected {expected} value. Given \"{item}\"."),
                )
                .parameter(param));
            }
        }
    }
    Ok(Filter {
        field,
        op,
        kind,
        value: value.to_owned(),
    })
}

/// The (type, id) of a record.
pub fn key(record: &Value) -> (String, String) {
    let s = |k: &str| {
        record
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    (s("type"), s("id"))
}

/// The (type, id) pairs a relationship of `record` points at.
pub fn linkage(record: &Value, name: &str) -> Vec<(String, String)> {
    let pair = |v: &Value| Some(key(v)).filter(|(t, i)| !t.is_empty() && !i.is_empty());
    match record
        .get("relationships")
        .and_then(|r| r.get(name))
        .and_then(|r| r.get("data"))
    {
        Some(Value::Array(items)) => items.iter().filter_map(pair).collect(),
        Some(one @ Value::Object(_)) => pair(one).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The values a filter or sorter sees for `field`: `id`, an attribute, or relationship ids.
pub fn values(record: &Value, field: &str) -> Vec<String> {
    if field == "id" {
        return vec![key(record).1];
    }
    if let Some(attr) = record.get("attributes").and_then(|a| a.get(field)) {
        return match attr {
            Value::Null => Vec::new(),
            Value::String(s) => vec![s.clone()],
            other => vec![other.to_string()],
        };
    }
    linkage(record, field)
        .into_iter()
        .map(|(_, id)| id)
        .collect()
}

pub fn first(record: &Value, field: &str) -> Option<String> {
    values(record, field).into_iter().next()
}

pub fn compare(kind: Kind, a: &str, b: &str) -> Option<Ordering> {
    match kind {
        Kind::Num => Some(
            a.trim()
                .parse::<Decimal>()
                .ok()?
                .cmp(&b.trim().parse::<Decimal>().ok()?),
        ),
        Kind::Time => Some(parse_time(a)?.cmp(&parse_time(b)?)),
        Kind::Str => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        Kind::Bool => {
            let norm = |s: &str| matches!(s.trim().to_lowercase().as_str(), "true" | "1" | "yes");
            Some(norm(a).cmp(&norm(b)))
        }
    }
}

pub fn compare_opt(kind: Kind, a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => compare(kind, a, b).unwrap_or_else(|| a.cmp(b)),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

pub fn matches(record: &Value, f: &Filter) -> bool {
    let have = values(record, &f.field);
    let eq = |v: &str| {
        f.value.split(',').any(|want| match want.split_once("..") {
            Some((lo, hi)) => {
                compare(f.kind, v, lo).is_some_and(|o| o != Ordering::Less)
                    && compare(f.kind, v, hi).is_some_and(|o| o != Ordering::Greater)
            }
            None => compare(f.kind, v, want) == Some(Ordering::Equal),
        })
    };
    let cmp = |v: &str| compare(f.kind, v, &f.value);
    match f.op {
        Op::Eq => have.iter().any(|v| eq(v)),
        Op::Neq => !have.iter().any(|v| eq(v)),
        Op::Lt => have.iter().any(|v| cmp(v) == Some(Ordering::Less)),
        Op::Lte => have
            .iter()
            .any(|v| matches!(cmp(v), Some(Ordering::Less | Ordering::Equal))),
        Op::Gt => have.iter().any(|v| cmp(v) == Some(Ordering::Greater)),
        Op::Gte => have
            .iter()
            .any(|v| matches!(cmp(v), Some(Ordering::Greater | Ordering::Equal))),
        Op::Exists => {
            matches!(f.value.trim().to_lowercase().as_str(), "true" | "1" | "yes")
                != have.is_empty()
        }
    }
}
