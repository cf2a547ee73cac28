//! The Batch API (§7) for `inventorylevels` and `products`: `PATCH /admin/api/{type}` with
//! `{"data":[…]}`. Asynchronous by default (202 + an `asyncoperations` record that finishes
//! [`ASYNC_DELAY_S`] scenario seconds later); `X-Mode: sync` runs up to [`SYNC_LIMIT`] records
//! at once and atomically, except a share (`oro.faults.slow_sync_batch_rate`) that "runs past
//! 25 s" and answers 202 with an async operation, as Oro does.
//!
//! Choices where Oro's behaviour is not pinned down: records must carry `meta.update: true` (or
//! `meta.upsert`), since neither type can be created here; in an async job valid records are
//! written and invalid ones reported, as Oro retries a failed chunk without its bad records; the
//! job's status is `success` (even with errors, as Oro reports partial success) unless no record
//! was written, then `failed`.

use super::jsonapi::{document, iso, parse_body, ApiError, ApiResult};
use super::routes::inventory::{apply_level, level_change, LevelChange};
use super::routes::products::{apply_product, product_change, ProductChange};
use super::state::{id_string, Now, Shared, State as Store};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

/// Scenario seconds an asynchronous job takes (a short message-queue round trip).
pub const ASYNC_DELAY_S: f64 = 5.0;
/// Records a synchronous batch may carry (§7.3).
pub const SYNC_LIMIT: usize = 100;
/// Records per message-queue chunk; the chunk number is part of an error id.
const CHUNK: usize = 100;

pub struct AsyncOp {
    pub id: i64,
    pub entity_type: String,
    records: Vec<Value>,
    created_at: DateTime<Utc>,
    finish_at_s: f64,
    finished_at: Option<DateTime<Utc>>,
    status: &'static str,
    errors: Vec<Value>,
    summary: Value,
}

enum Change {
    Level(LevelChange),
    Product(ProductChange),
}

/// Checks record `index` of a batch of `kind`.
fn check(st: &Store, kind: &str, index: usize, record: &Value) -> Result<Change, ApiError> {
    let pointer = format!("/data/{index}");
    if record.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(ApiError::conflict(
            "The entity class must be equal to the entity class of the endpoint.",
        )
        .pointer(format!("{pointer}/type")));
    }
    let meta = record.get("meta");
    let update = meta.and_then(|m| m.get("update")).and_then(Value::as_bool) == Some(true)
        || meta
            .and_then(|m| m.get("upsert"))
            .is_some_and(|u| u.as_bool() == Some(true));
    if !update {
        return Err(ApiError::not_allowed().pointer(pointer));
    }
    let id = id_string(record.get("id")).unwrap_or_default();
    match kind {
        "inventorylevels" => level_change(st, &id, record, &pointer).map(Change::Level),
        _ => product_change(st, &id, record, &pointer).map(Change::Product),
    }
}

fn apply(st: &mut Store, change: Change, now: Now) -> i64 {
    match change {
        Change::Level(c) => {
            let id = c.0;
            apply_level(st, c, now);
            id
        }
        Change::Product(c) => {
            let id = c.0;
            apply_product(st, c, now);
            id
        }
    }
}

/// `PATCH /admin/api/inventorylevels` and `PATCH /admin/api/products`.
pub async fn update_list(
    s: Arc<Shared>,
    kind: &'static str,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let body = parse_body(&headers, &body)?;
    let records = match body.get("data") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        _ => {
            return Err(ApiError::bad_request(
                "request data constraint",
                "The primary data object collection should not be empty.",
            )
            .pointer("/data"))
        }
    };
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let sync = headers.get("x-mode").and_then(|v| v.to_str().ok()) == Some("sync");
    if sync {
        if records.len() > SYNC_LIMIT {
            return Err(ApiError::bad_request(
                "request data constraint",
                format!("The data limit for the synchronous operation exceeded. The maximum number of records that can be processed by the synchronous operation is {SYNC_LIMIT}."),
            ));
        }
        let outruns = s.with(|st, _| st.slow_sync_batch_rate);
        if !(outruns > 0.0 && rand::Rng::gen_bool(&mut rand::thread_rng(), outruns.min(1.0))) {
            return s.with(|st, now| run_sync(st, kind, &records, now));
        }
        // §7.3: past 25 s a synchronous request silently continues as an asynchronous operation.
    }
    s.with(|st, now| {
        let id = st.fresh_id();
        let op = AsyncOp {
            id,
            entity_type: kind.to_owned(),
            records,
            created_at: now.at,
            finish_at_s: now.s + ASYNC_DELAY_S,
            finished_at: None,
            status: "new",
            errors: Vec::new(),
            summary: Value::Null,
        };
        st.async_ops.insert(id, op);
        let doc = json!({"data": render(st, id)});
        let mut response = document(StatusCode::ACCEPTED, &doc);
        if let Ok(v) =
            HeaderValue::from_str(&format!("http://{host}/admin/api/asyncoperations/{id}"))
        {
            response.headers_mut().insert("content-location", v);
        }
        Ok(response)
    })
}

/// All or nothing: any invalid record → 400 with every error, and nothing is written.
fn run_sync(st: &mut Store, kind: &str, records: &[Value], now: Now) -> ApiResult {
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in records.iter().enumerate() {
        match check(st, kind, i, record) {
            Ok(c) => changes.push((c, id_string(record.get("id")))),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let status = if errors.iter().any(|e| e.status == StatusCode::CONFLICT) {
            StatusCode::CONFLICT
        } else {
            StatusCode::BAD_REQUEST
        };
        return Err(ApiError {
            status,
            errors: errors.into_iter().flat_map(|e| e.errors).collect(),
        });
    }
    let mut data = Vec::new();
    for (change, request_id) in changes {
        let id = apply(st, change, now);
        if let Some(mut record) = super::render::resource(st, kind, &id.to_string()) {
            record["meta"] = json!({"dataId": request_id});
            data.push(record);
        }
    }
    Ok(document(StatusCode::OK, &json!({"data": data})))
}

/// Finishes every asynchronous job that is due (called under the state lock).
pub fn settle(st: &mut Store, now: Now) {
    let due: Vec<i64> = st
        .async_ops
        .values()
        .filter(|op| op.finished_at.is_none() && op.finish_at_s <= now.s)
        .map(|op| op.id)
        .collect();
    for id in due {
        let Some(op) = st.async_ops.get(&id) else {
            continue;
        };
        let (kind, records) = (op.entity_type.clone(), op.records.clone());
        let (mut errors, mut written) = (Vec::new(), 0);
        for (i, record) in records.iter().enumerate() {
            match check(st, &kind, i, record) {
                Ok(change) => {
                    apply(st, change, now);
                    written += 1;
                }
                Err(e) => {
                    for mut err in e.errors {
                        let n = errors.len() + 1;
                        let status = err
                            .get("status")
                            .and_then(Value::as_str)
                            .and_then(|s| s.parse::<u16>().ok())
                            .unwrap_or(400);
                        err["status"] = json!(status);
                        errors.push(json!({"type": "asyncoperationerrors", "id": format!("{id}-{}-{n}", i / CHUNK + 1), "attributes": err}));
                    }
                }
            }
        }
        if let Some(op) = st.async_ops.get_mut(&id) {
            op.status = if written == 0 && !errors.is_empty() {
                "failed"
            } else {
                "success"
            };
            op.finished_at = Some(now.at);
            op.summary = json!({"aggregateTime": (ASYNC_DELAY_S * 1000.0) as u64, "readCount": records.len(), "writeCount": written,
                                "errorCount": errors.len(), "createCount": 0, "updateCount": written});
            op.errors = errors;
        }
    }
}

pub fn render(st: &Store, id: i64) -> Option<Value> {
    let op = st.async_ops.get(&id)?;
    let mut attributes = json!({
        "entityType": op.entity_type,
        "status": op.status,
        "progress": if op.finished_at.is_some() { 1 } else { 0 },
        "createdAt": iso(op.created_at),
        "updatedAt": iso(op.finished_at.unwrap_or(op.created_at)),
        "elapsedTime": op.finished_at.map_or(0, |f| (f - op.created_at).num_seconds()),
    });
    if op.finished_at.is_some() {
        attributes["summary"] = op.summary.clone();
    }
    Some(json!({
        "type": "asyncoperations",
        "id": id.to_string(),
        "attributes": attributes,
        "relationships": {"owner": {"data": {"type": "users", "id": "1"}}, "organization": super::render::organization()}
    }))
}

pub async fn get(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    s.with(|st, _| {
        let record = id
            .parse()
            .ok()
            .and_then(|id| render(st, id))
            .ok_or_else(ApiError::not_found)?;
        Ok(document(StatusCode::OK, &json!({"data": record})))
    })
}

/// `GET /asyncoperations/{id}/errors`: every error of a finished job (empty while it runs).
pub async fn errors(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    s.with(
        |st, _| match id.parse::<i64>().ok().and_then(|id| st.async_ops.get(&id)) {
            Some(op) => document(StatusCode::OK, &json!({"data": op.errors})),
            None => ApiError::not_found().into_response(),
        },
    )
}
