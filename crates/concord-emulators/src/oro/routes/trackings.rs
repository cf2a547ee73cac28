//! `ordershippingtrackings` (reference §15): list, get and create. `method` and `number` are
//! required (at most 255 characters each) and so is the to-many `orders` relationship; every
//! order named must exist. The order side reads them as `orders.shippingTrackings`.

use super::{get_with, list_with};
use crate::oro::jsonapi::{document, parse_body, ApiError, ApiResult};
use crate::oro::query::{Kind, Spec};
use crate::oro::state::{Shared, TrackingRec};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const TRACKINGS: Spec = Spec {
    filters: &[("id", Kind::Num)],
    sorters: &["id"],
    required: &[],
};

const MAX_LEN: usize = 255;

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &TRACKINGS, |st| {
        st.trackings
            .keys()
            .filter_map(|id| render(st, *id))
            .collect()
    })
}

pub async fn get(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| render(st, id.parse().ok()?))
}

pub fn render(st: &crate::oro::state::State, id: i64) -> Option<Value> {
    let t = st.trackings.get(&id)?;
    let orders: Vec<Value> = t
        .orders
        .iter()
        .map(|o| json!({"type": "orders", "id": o.to_string()}))
        .collect();
    Some(json!({
        "type": "ordershippingtrackings", "id": id.to_string(),
        "attributes": {"method": t.method, "number": t.number},
        "relationships": {"orders": {"data": orders}},
    }))
}

/// A required, length-limited string attribute.
fn required_text(data: &Value, name: &str) -> Result<String, ApiError> {
    let pointer = format!("/data/attributes/{name}");
    let value = data
        .get("attributes")
        .and_then(|a| a.get(name))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("not blank constraint", "This value should not be blank.")
                .pointer(pointer.as_str())
        })?;
    if value.chars().count() > MAX_LEN {
        return Err(ApiError::bad_request(
            "length constraint",
            format!("This value is too long. It should have {MAX_LEN} characters or less."),
        )
        .pointer(pointer));
    }
    Ok(value.to_owned())
}

/// The `orders` linkage: at least one, each `{"type": "orders", "id"}`.
fn order_ids(data: &Value) -> Result<Vec<(usize, String)>, ApiError> {
    let linkage = data
        .get("relationships")
        .and_then(|r| r.get("orders"))
        .and_then(|o| o.get("data"))
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("not blank constraint", "This value should not be blank.")
                .pointer("/data/relationships/orders/data")
        })?;
    let mut out = Vec::new();
    for (i, item) in linkage.iter().enumerate() {
        let kind = item.get("type").and_then(Value::as_str);
        let id = crate::oro::state::id_string(item.get("id"));
        match (kind, id) {
            (Some("orders"), Some(id)) => out.push((i, id)),
            _ => {
                return Err(ApiError::bad_request(
                    "request data constraint",
                    "The 'type' and 'id' properties are required and 'type' must be \"orders\".",
                )
                .pointer(format!("/data/relationships/orders/data/{i}")))
            }
        }
    }
    Ok(out)
}

pub async fn create(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let body = parse_body(&headers, &body)?;
    let data = body
        .get("data")
        .filter(|d| d.get("type").and_then(Value::as_str) == Some("ordershippingtrackings"))
        .ok_or_else(|| {
            ApiError::conflict(
                "The entity class must be equal to the entity class of the endpoint.",
            )
            .pointer("/data/type")
        })?;
    let method = required_text(data, "method")?;
    let number = required_text(data, "number")?;
    let linked = order_ids(data)?;
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    s.with(|st, _| {
        let mut orders = Vec::new();
        for (i, raw) in linked {
            match raw
                .parse::<i64>()
                .ok()
                .filter(|id| st.orders.contains_key(id))
            {
                Some(id) => orders.push(id),
                None => {
                    return Err(ApiError::bad_request(
                        "form constraint",
                        "The entity does not exist.",
                    )
                    .pointer(format!("/data/relationships/orders/data/{i}")))
                }
            }
        }
        let id = st.fresh_id();
        st.trackings.insert(
            id,
            TrackingRec {
                method,
                number,
                orders,
            },
        );
        let mut response = document(StatusCode::CREATED, &json!({"data": render(st, id)}));
        let location = format!("http://{host}/admin/api/ordershippingtrackings/{id}");
        if let Ok(v) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, v);
        }
        Ok(response)
    })
}
