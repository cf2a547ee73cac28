//! JSON:API plumbing shared by every resource: the errors document, value formats, request bodies.
//!
//! Query handling (filters, sorting, paging, `include`, sparse fieldsets) lives in [`super::query`].

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// The JSON:API media type: every `/admin/api` answer carries it, and every write must send it.
pub const MEDIA_TYPE: &str = "application/vnd.api+json";

/// An error answer: the `{"errors":[…]}` document, or an empty body when `errors` is empty (401).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<Value>,
}

impl ApiError {
    /// One error object; `status` inside it is a string, as Oro's document builder casts it.
    pub fn new(status: StatusCode, title: &str, detail: impl Into<String>) -> Self {
        let error =
            json!({"status": status.as_u16().to_string(), "title": title, "detail": detail.into()});
        ApiError {
            status,
            errors: vec![error],
        }
    }

    pub fn bad_request(title: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, title, detail)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not found http exception",
            "An entity with the requested identifier does not exist.",
        )
    }

    pub fn not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "action not allowed exception",
            "The action is not allowed.",
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict constraint", detail)
    }

    /// Adds `source.pointer` (a JSON Pointer into the request body) to the last error.
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        if let Some(e) = self.errors.last_mut() {
            e["source"] = json!({"pointer": pointer.into()});
        }
        self
    }

    /// Adds `source.parameter` (the offending query parameter) to the last error.
    pub fn parameter(mut self, parameter: impl Into<String>) -> Self {
        if let Some(e) = self.errors.last_mut() {
            e["source"] = json!({"parameter": parameter.into()});
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.errors.is_empty() {
            return self.status.into_response();
        }
        let body = json!({"errors": self.errors});
        (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
            body.to_string(),
        )
            .into_response()
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// A JSON:API document answer with the media type set.
pub fn document(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
        body.to_string(),
    )
        .into_response()
}

/// Money and prices: a string with exactly four decimals (`"108.0000"`).
pub fn money(value: Decimal) -> String {
    let mut v = value.round_dp(4);
    v.rescale(4);
    v.to_string()
}

/// Inventory level quantities: a decimal string without trailing zeros (`"10"`, `"2.5"`).
pub fn decimal_string(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Order line and price quantities are JSON numbers: an integer when whole, else a float.
pub fn quantity_number(value: Decimal) -> Value {
    let v = value.normalize();
    if v.scale() == 0 {
        if let Ok(i) = i64::try_from(v.mantissa()) {
            return json!(i);
        }
    }
    v.to_string()
        .parse::<f64>()
        .map(|f| json!(f))
        .unwrap_or(Value::Null)
}

/// Datetimes: UTC, second precision (`2026-11-02T08:00:00Z`).
pub fn iso(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    // Written by hand: a page of orders prints thousands, and chrono's format parser dominated.
    if !(0..=9999).contains(&at.year()) {
        return at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Parses a datetime as clients send it in filters: RFC 3339 (offset or `Z`, fractions allowed),
/// a naive `YYYY-MM-DDTHH:MM:SS` (taken as UTC) or a date (midnight UTC). A `+` that the query
/// decoding turned into a space is put back first, since clients often forget to escape it.
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let text = raw.trim().replace(' ', "+");
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// A decimal from a JSON number or a decimal string (Oro accepts both for quantities).
pub fn decimal_from(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n
            .to_string()
            .parse()
            .ok()
            .or_else(|| n.as_f64().and_then(|f| Decimal::try_from(f).ok())),
        _ => None,
    }
}

/// A relationship to one record (or `null`).
pub fn rel(kind: &str, id: Option<String>) -> Value {
    match id {
        Some(id) => json!({"data": {"type": kind, "id": id}}),
        None => json!({"data": null}),
    }
}

/// A to-many relationship.
pub fn rels(kind: &str, ids: impl IntoIterator<Item = String>) -> Value {
    let data: Vec<Value> = ids
        .into_iter()
        .map(|id| json!({"type": kind, "id": id}))
        .collect();
    json!({"data": data})
}

/// Checks the write media type and parses a request body into JSON.
///
/// Oro treats a request without the JSON:API media type as the *plain REST* variant, whose body
/// shape differs; rather than emulate that variant we refuse it (415), so a client that forgets
/// the header fails here instead of misbehaving against a real server.
pub fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.trim() != MEDIA_TYPE {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported media type http exception",
            format!("The \"Content-Type\" request header must be \"{MEDIA_TYPE}\"."),
        ));
    }
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "request data constraint",
            "The request data should not be empty.",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "request data constraint",
            format!("The request data is not valid JSON: {e}."),
        )
    })
}

/// The `data` member of a single-record write, checked against the URL (409 on a mismatch).
pub fn single_data<'a>(body: &'a Value, kind: &str, id: &str) -> Result<&'a Value, ApiError> {
    let data = body.get("data").filter(|d| d.is_object()).ok_or_else(|| {
        ApiError::bad_request(
            "request data constraint",
            "The primary data object should exist.",
        )
        .pointer("/data")
    })?;
    if data.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(ApiError::conflict(
            "The entity class must be equal to the entity class of the endpoint.",
        )
        .pointer("/data/type"));
    }
    let given = match data.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if given != id {
        return Err(ApiError::conflict(
            "The entity identifier must be equal to the identifier of the endpoint.",
        )
        .pointer("/data/id"));
    }
    Ok(data)
}

/// The id of a to-one relationship in a write body, when it is sent.
pub fn rel_id(data: &Value, name: &str) -> Option<Option<String>> {
    let linkage = data.get("relationships")?.get(name)?.get("data")?;
    Some(linkage.get("id").and_then(|v| {
        v.as_str()
            .map(str::to_owned)
            .or_else(|| v.as_i64().map(|i| i.to_string()))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formats_follow_the_fixtures() {
        assert_eq!(money(dec!(108)), "108.0000");
        assert_eq!(money(dec!(15.7)), "15.7000");
        assert_eq!(decimal_string(dec!(10.000)), "10");
        assert_eq!(quantity_number(dec!(5.00)), json!(5));
        assert_eq!(quantity_number(dec!(2.5)), json!(2.5));
        assert_eq!(
            parse_time("2026-11-02T08:00:00 00:00"),
            parse_time("2026-11-02T08:00:00Z")
        );
        assert_eq!(
            parse_time("2026-11-02").map(iso).as_deref(),
            Some("2026-11-02T00:00:00Z")
        );
        for at in ["0999-01-02T03:04:05.9Z", "2026-12-31T23:59:59Z"] {
            let t: DateTime<Utc> = at.parse().unwrap();
            assert_eq!(iso(t), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }
}
