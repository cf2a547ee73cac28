//! Wire helpers: lenient readers for request bodies and query strings, the array error body,
//! list envelopes and paging, and how money and dates are printed.
//!
//! Cin7 is a .NET service: it binds JSON keys and query keys case-insensitively and its own portal
//! samples send booleans and numbers as strings, so every reader here accepts both.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use concord_core::Clock;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// A refusal in Cin7's array error shape: `[{"ErrorCode":400,"Exception":"…"}]`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: u16,
    pub message: String,
}

impl ApiError {
    /// Validation failure: HTTP 400 with `ErrorCode` 400.
    pub fn bad(message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            code: 400,
            message: message.into(),
        }
    }

    /// A name or id that is not in a reference book or list. Live bodies carry `ErrorCode` 404; the
    /// HTTP status is not documented, and 400 ("validation failed") is what a client must not retry
    /// and cannot confuse with "this endpoint does not exist".
    pub fn missing(message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            code: 404,
            message: message.into(),
        }
    }

    pub fn with_status(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!([{ "ErrorCode": self.code, "Exception": self.message }]);
        (status, axum::Json(body)).into_response()
    }
}

/// What a route handler answers: a JSON body (200) or a refusal.
pub(crate) type Reply = Result<Value, ApiError>;

/// Query parameters with lower-cased keys (Cin7 matches them case-insensitively).
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
        Params(
            pairs
                .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
                .collect(),
        )
    }

    /// A non-blank parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(&key.to_ascii_lowercase())
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// `Page` (default 1) and `Limit` (default 100, clamped to 1..=1000: clamping is safer than the
    /// untested 400 a real tenant might answer above 1000).
    pub fn paging(&self) -> (usize, usize) {
        let page = self
            .get("Page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let limit = self
            .get("Limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100);
        (page, limit.clamp(1, 1000))
    }
}

/// `{Total, Page, <key>: [rows of this page]}`, the documented list envelope.
pub(crate) fn envelope(key: &str, rows: Vec<Value>, params: &Params) -> Value {
    envelope_lazy(key, rows, params, |row| row)
}

/// As [`envelope`], rendering only the rows of the requested page: paging through 20,000
/// products rendered all 20,000 for each of the 20 pages.
pub(crate) fn envelope_lazy<T>(
    key: &str,
    rows: Vec<T>,
    params: &Params,
    render: impl Fn(T) -> Value,
) -> Value {
    let (page, limit) = params.paging();
    let total = rows.len();
    let slice: Vec<Value> = rows
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .map(render)
        .collect();
    let mut out = Map::new();
    out.insert("Total".into(), json!(total));
    out.insert("Page".into(), json!(page));
    out.insert(key.into(), Value::Array(slice));
    Value::Object(out)
}

/// A field of a JSON object, matched case-insensitively; `null` reads as absent.
pub(crate) fn field<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    let map = obj.as_object()?;
    let found = map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    });
    found.filter(|v| !v.is_null())
}

/// A string field (numbers are read as their text); blank strings read as absent.
pub(crate) fn text(obj: &Value, key: &str) -> Option<String> {
    match field(obj, key)? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A decimal field sent as a number or a string; a present but unreadable value is an error.
pub(crate) fn num(obj: &Value, key: &str) -> Result<Option<Decimal>, ApiError> {
    let parsed = match field(obj, key) {
        None => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => concord_core::decimal::parse(s),
        // The shortest text of the number is what the sender wrote; no float arithmetic happens.
        Some(Value::Number(n)) => concord_core::decimal::parse(&n.to_string()),
        Some(_) => None,
    };
    parsed
        .map(Some)
        .ok_or_else(|| ApiError::bad(format!("Attribute '{key}' is not a valid decimal.")))
}

/// A boolean sent as `true`/`false`, `"true"`/`"false"` or 1/0.
pub(crate) fn flag(obj: &Value, key: &str) -> Option<bool> {
    match field(obj, key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        Value::Number(n) => Some(n.as_f64().is_some_and(|f| f != 0.0)),
        _ => None,
    }
}

/// A GUID field or query value, in any letter case.
pub(crate) fn guid(value: Option<&str>) -> Option<Uuid> {
    value.and_then(|v| Uuid::parse_str(v.trim()).ok())
}

/// Money and quantities leave as JSON numbers (`108.0`). Arithmetic is done in `Decimal`; the
/// float exists only in the printed body.
pub(crate) fn money(d: Decimal) -> Value {
    d.normalize().to_f64().map_or(Value::Null, |f| json!(f))
}

/// Rounded to cents, halves away from zero (how Cin7 quotes "Expected value is").
pub(crate) fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A timestamp field (`LastModifiedOn`, `Updated`): UTC with milliseconds and `Z`.
pub(crate) fn stamp(clock: &Clock, at_s: f64) -> String {
    clock.at(at_s).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A date field (`OrderDate`, `SaleOrderDate`): midnight, no zone, as the samples print them.
pub(crate) fn date_only(clock: &Clock, at_s: f64) -> String {
    clock.at(at_s).format("%Y-%m-%dT00:00:00").to_string()
}

/// A filter date (`ModifiedSince`, `UpdatedSince`, …) as scenario seconds. Parsed leniently: with or
/// without `Z` or fraction, or a bare date; zone-less values are UTC.
pub(crate) fn since(clock: &Clock, params: &Params, key: &str) -> Result<Option<f64>, ApiError> {
    let Some(raw) = params.get(key) else {
        return Ok(None);
    };
    let when = parse_when(raw)
        .ok_or_else(|| ApiError::bad(format!("Parameter '{key}' is not a valid date: {raw}")))?;
    Ok(Some(clock.elapsed_at(when)))
}

fn parse_when(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let bare = raw.trim_end_matches('Z');
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(bare, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(bare, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Copies every field of `from` except the listed ones (compared case-insensitively) into `into`,
/// so fields the emulator does not model are still echoed back as they were sent.
pub(crate) fn keep_extra(into: &mut Map<String, Value>, from: &Value, modelled: &[&str]) {
    if let Some(map) = from.as_object() {
        for (k, v) in map {
            if !modelled.iter().any(|m| m.eq_ignore_ascii_case(k)) {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Case-insensitive text equality, the way Cin7 compares names.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}
