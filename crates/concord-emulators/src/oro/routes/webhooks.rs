//! `webhooks` subscriptions (§8, §16: create, list, get, update, delete), plus the `webhooktopics`
//! and `webhookformats` lists. When the scenario has `oro.webhooks: false` these resources answer
//! 404, like an Oro older than 6.1.10 that has no webhooks, so a client must fall back to polling.
//!
//! As a real Oro: ids are GUIDs; `format` is required on create (400 `not blank constraint` at
//! `/data/relationships/format/data`); an unknown topic or format is refused with Oro's
//! `valid webhook topic/format constraint`; and `order.*` topics exist only when Order is webhook
//! accessible (`oro.orders_webhook_accessible`, off out of the box in Oro 6.1.10 to 7.0).

use super::list_with;
use crate::oro::jsonapi::{document, iso, parse_body, rel, single_data, ApiError, ApiResult};
use crate::oro::query::{Kind, Spec};
use crate::oro::render::organization;
use crate::oro::state::{Shared, State as Store, WebhookRec};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::sync::Arc;

const WEBHOOKS: Spec = Spec {
    filters: &[
        ("id", Kind::Str),
        ("topic", Kind::Str),
        ("enabled", Kind::Bool),
    ],
    sorters: &["id"],
    required: &[],
};
const TOPICS: Spec = Spec {
    filters: &[("id", Kind::Str)],
    sorters: &["id"],
    required: &[],
};

/// The topics this emulator can produce: order events (6.1.10+: payment status too), and the
/// per-record `order.updated.{id}`.
pub const TOPICS_LIST: &[&str] = &[
    "order.created",
    "order.updated",
    "order.deleted",
    crate::oro::payments::TOPIC,
];

/// The topics this Oro knows: none of Order's unless Order is webhook accessible.
fn topics_of(st: &Store) -> &'static [&'static str] {
    if st.orders_webhook_accessible {
        TOPICS_LIST
    } else {
        &[]
    }
}

fn valid_topic(st: &Store, topic: &str) -> bool {
    if !st.orders_webhook_accessible {
        return false;
    }
    TOPICS_LIST.contains(&topic)
        || [
            "order.updated.",
            "order.deleted.",
            "order.payment_status_updated.",
        ]
        .iter()
        .any(|p| {
            topic
                .strip_prefix(p)
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
}

pub fn render(st: &Store, id: &str) -> Option<Value> {
    let w = st.webhooks.get(id)?;
    Some(json!({
        "type": "webhooks",
        "id": w.id,
        "attributes": {"notificationUrl": w.url, "enabled": w.enabled, "system": false, "verifySsl": w.verify_ssl,
                       "createdAt": iso(w.created_at), "updatedAt": iso(w.updated_at)},
        "relationships": {
            "topic": rel("webhooktopics", Some(w.topic.clone())),
            "format": rel("webhookformats", Some(w.format.clone())),
            "owner": {"data": {"type": "users", "id": "1"}},
            "organization": organization(),
        }
    }))
}

fn enabled(s: &Shared) -> Result<(), ApiError> {
    if s.with(|st, _| st.webhooks_enabled) {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    enabled(&s)?;
    list_with(&s, &uri, q, &headers, &WEBHOOKS, |st| {
        st.webhooks.keys().filter_map(|id| render(st, id)).collect()
    })
}

pub async fn get(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    enabled(&s)?;
    s.with(|st, _| {
        let record = render(st, &id).ok_or_else(ApiError::not_found)?;
        Ok(document(StatusCode::OK, &json!({"data": record})))
    })
}

/// Reads the writable fields of a webhook body; `None` leaves a field unchanged.
struct Fields {
    url: Option<String>,
    secret: Option<Option<String>>,
    enabled: Option<bool>,
    verify_ssl: Option<bool>,
    topic: Option<String>,
    format: Option<String>,
}

fn fields(st: &Store, data: &Value) -> Result<Fields, ApiError> {
    let attrs = data.get("attributes");
    let attr = |k: &str| attrs.and_then(|a| a.get(k));
    let link = |k: &str| {
        data.get("relationships")
            .and_then(|r| r.get(k))
            .and_then(|r| r.get("data"))
            .and_then(|d| d.get("id"))
            .and_then(Value::as_str)
    };
    let f = Fields {
        url: attr("notificationUrl").map(|v| v.as_str().unwrap_or("").to_owned()),
        secret: attr("secret").map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)),
        enabled: attr("enabled").and_then(Value::as_bool),
        verify_ssl: attr("verifySsl").and_then(Value::as_bool),
        topic: link("topic").map(str::to_owned),
        format: link("format").map(str::to_owned),
    };
    if f.url
        .as_deref()
        .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
    {
        return Err(
            ApiError::bad_request("url constraint", "This value is not a valid URL.")
                .pointer("/data/attributes/notificationUrl"),
        );
    }
    if f.topic.as_deref().is_some_and(|t| !valid_topic(st, t)) {
        return Err(ApiError::bad_request(
            "valid webhook topic constraint",
            "This value is not a known webhook topic.",
        )
        .pointer("/data/relationships/topic/data"));
    }
    if f.format
        .as_deref()
        .is_some_and(|t| t != "default" && t != "thin")
    {
        return Err(ApiError::bad_request(
            "valid webhook format constraint",
            "This value is not a known webhook format.",
        )
        .pointer("/data/relationships/format/data"));
    }
    Ok(f)
}

/// `notificationUrl`, `topic` and `format` must all be there on create; every blank one is
/// reported, as Oro's validator does, each with its pointer.
fn required(
    url: Option<String>,
    topic: Option<String>,
    format: Option<String>,
) -> Result<(String, String, String), ApiError> {
    let url = url.filter(|u| !u.is_empty());
    let blank = [
        ("/data/attributes/notificationUrl", url.is_none()),
        ("/data/relationships/topic/data", topic.is_none()),
        ("/data/relationships/format/data", format.is_none()),
    ];
    let mut errors = Vec::new();
    for (pointer, missing) in blank {
        if missing {
            let e =
                ApiError::bad_request("not blank constraint", "This value should not be blank.")
                    .pointer(pointer);
            errors.extend(e.errors);
        }
    }
    match (url, topic, format) {
        (Some(u), Some(t), Some(f)) => Ok((u, t, f)),
        _ => Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            errors,
        }),
    }
}

pub async fn create(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    enabled(&s)?;
    let body = parse_body(&headers, &body)?;
    let data = body
        .get("data")
        .filter(|d| d.get("type").and_then(Value::as_str) == Some("webhooks"))
        .ok_or_else(|| {
            ApiError::conflict(
                "The entity class must be equal to the entity class of the endpoint.",
            )
            .pointer("/data/type")
        })?;
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    s.with(|st, now| {
        let f = fields(st, data)?;
        let (url, topic, format) = required(f.url, f.topic, f.format)?;
        let id = uuid::Uuid::new_v4().to_string();
        let rec = WebhookRec {
            id: id.clone(),
            url,
            secret: f.secret.flatten(),
            topic,
            format,
            enabled: f.enabled.unwrap_or(true),
            verify_ssl: f.verify_ssl.unwrap_or(true),
            created_at: now.at,
            updated_at: now.at,
        };
        st.webhooks.insert(id.clone(), rec);
        let mut response = document(StatusCode::CREATED, &json!({"data": render(st, &id)}));
        if let Ok(v) = HeaderValue::from_str(&format!("http://{host}/admin/api/webhooks/{id}")) {
            response.headers_mut().insert(header::LOCATION, v);
        }
        Ok(response)
    })
}

pub async fn patch(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    enabled(&s)?;
    let body = parse_body(&headers, &body)?;
    let data = single_data(&body, "webhooks", &id)?;
    s.with(|st, now| {
        let f = fields(st, data)?;
        let w = st.webhooks.get_mut(&id).ok_or_else(ApiError::not_found)?;
        if let Some(url) = f.url.filter(|u| !u.is_empty()) {
            w.url = url;
        }
        if let Some(secret) = f.secret {
            w.secret = secret;
        }
        w.enabled = f.enabled.unwrap_or(w.enabled);
        w.verify_ssl = f.verify_ssl.unwrap_or(w.verify_ssl);
        w.topic = f.topic.unwrap_or_else(|| w.topic.clone());
        w.format = f.format.unwrap_or_else(|| w.format.clone());
        w.updated_at = now.at;
        Ok(document(StatusCode::OK, &json!({"data": render(st, &id)})))
    })
}

pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    enabled(&s)?;
    s.with(|st, _| match st.webhooks.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        None => Err(ApiError::not_found()),
    })
}

pub async fn topics(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    enabled(&s)?;
    list_with(&s, &uri, q, &headers, &TOPICS, |st| {
        topics_of(st)
            .iter()
            .map(|t| json!({"type": "webhooktopics", "id": t, "attributes": {"label": t}}))
            .collect()
    })
}

pub async fn formats(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    enabled(&s)?;
    list_with(&s, &uri, q, &headers, &TOPICS, |_| {
        ["default", "thin"]
            .iter()
            .map(|f| json!({"type": "webhookformats", "id": f, "attributes": {"label": f}}))
            .collect()
    })
}
