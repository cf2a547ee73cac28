//! Dashboard pages for flow records: orders (list and trail) and stock.

use super::error::{PageError, WebError};
use super::view_parts::{respond, CallRow, Chrome, ExceptionRow, Opt};
use super::{AppState, Principal};
use crate::inbox::format::{ago, time};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use concord_store::{CallFilter, ExceptionFilter, Record};
use serde::Deserialize;

/// Rows shown on list pages; the JSON API and CLI give everything.
const PAGE_ROWS: usize = 200;

/// A flow record as a row: its key, status, age and the scalar fields of its data.
pub struct RecordRow {
    pub key: String,
    pub href: String,
    pub status: String,
    pub updated: String,
    pub fields: Vec<(String, String)>,
}

impl RecordRow {
    fn new(r: &Record, now: chrono::DateTime<chrono::Utc>, href: String) -> Self {
        let fields = match &r.data {
            serde_json::Value::Object(map) => map
                .iter()
                .filter(|(_, v)| !v.is_object() && !v.is_array())
                .map(|(k, v)| {
                    (
                        k.replace('_', " "),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        RecordRow {
            key: r.key.clone(),
            href,
            status: r.status.clone(),
            updated: ago(now, r.updated_at),
            fields,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RecordParams {
    status: Option<String>,
    id: Option<String>,
}

pub struct RecordsView {
    pub heading: &'static str,
    pub empty: &'static str,
    pub statuses: Vec<Opt>,
    pub rows: Vec<RecordRow>,
    pub total: usize,
    pub base: &'static str,
}

#[derive(Template)]
#[template(path = "records.html")]
pub struct RecordsPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a RecordsView,
}

#[derive(Template)]
#[template(path = "records_partial.html")]
pub struct RecordsPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a RecordsView,
}

async fn records_view(
    app: &AppState,
    kind: &str,
    status: Option<&str>,
    base: &'static str,
) -> Result<RecordsView, WebError> {
    let now = app.store.clock().now();
    let mut all = app.store.records(kind, None).await?;
    all.sort_by_key(|r| std::cmp::Reverse(r.updated_at));
    let status = status.filter(|s| !s.is_empty());
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in &all {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    let statuses = counts
        .into_iter()
        .map(|(s, n)| Opt {
            value: s.to_string(),
            label: format!("{s} ({n})"),
            selected: Some(s) == status,
        })
        .collect();
    let matching: Vec<&Record> = all
        .iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect();
    let href = |r: &Record| {
        if kind == "order" {
            format!("/orders/{}", urlencoding::encode(&r.key))
        } else {
            String::new()
        }
    };
    let rows = matching
        .iter()
        .take(PAGE_ROWS)
        .map(|r| RecordRow::new(r, now, href(r)))
        .collect();
    let (heading, empty) = if kind == "order" {
        ("Orders", "No orders have been seen yet.")
    } else {
        ("Stock", "No stock levels have been synced yet.")
    };
    Ok(RecordsView {
        heading,
        empty,
        statuses,
        rows,
        total: matching.len(),
        base,
    })
}

pub async fn orders(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Query(p): Query<RecordParams>,
) -> Result<Response, PageError> {
    if let Some(id) = p.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return Ok(Redirect::to(&format!("/orders/{}", urlencoding::encode(id))).into_response());
    }
    let v = records_view(&app, "order", p.status.as_deref(), "/orders").await?;
    let chrome = Chrome::new(&who, "Orders", "orders");
    respond(
        &headers,
        &RecordsPage {
            chrome: &chrome,
            v: &v,
        },
        &RecordsPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

pub async fn stock(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Query(p): Query<RecordParams>,
) -> Result<Response, PageError> {
    let v = records_view(&app, "stock", p.status.as_deref(), "/stock").await?;
    let chrome = Chrome::new(&who, "Stock", "stock");
    respond(
        &headers,
        &RecordsPage {
            chrome: &chrome,
            v: &v,
        },
        &RecordsPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

pub struct OrderView {
    pub id: String,
    pub record: Option<RecordRow>,
    pub data: String,
    pub cin7: Option<(String, String)>,
    pub exceptions: Vec<ExceptionRow>,
    pub calls: Vec<CallRow>,
    pub back: String,
}

#[derive(Template)]
#[template(path = "order.html")]
pub struct OrderPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a OrderView,
}

#[derive(Template)]
#[template(path = "order_partial.html")]
pub struct OrderPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a OrderView,
}

pub async fn order_trail(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let now = app.store.clock().now();
    let subject = format!("order:{id}");
    let record = app.store.record_get("order", &id).await?;
    let link = app.store.link_get("order", &id).await?;
    let filter = ExceptionFilter {
        subject: Some(subject.clone()),
        limit: 0,
        ..ExceptionFilter::default()
    };
    let exceptions: Vec<ExceptionRow> = app
        .store
        .exceptions(&filter)
        .await?
        .iter()
        .map(|e| ExceptionRow::new(e, now))
        .collect();
    let mut calls = app
        .store
        .calls(&CallFilter {
            subject: Some(subject),
            system: None,
            limit: 0,
        })
        .await?;
    calls.sort_by_key(|c| (c.at, c.id));
    let v = OrderView {
        data: record
            .as_ref()
            .and_then(|r| serde_json::to_string_pretty(&r.data).ok())
            .unwrap_or_default(),
        record: record
            .as_ref()
            .map(|r| RecordRow::new(r, now, String::new())),
        cin7: link.map(|l| (l.cin7_id, time(l.updated_at))),
        exceptions,
        calls: calls.iter().map(|c| CallRow::seen_by(c, &who)).collect(),
        back: format!("/orders/{}", urlencoding::encode(&id)),
        id,
    };
    let chrome = Chrome::new(&who, format!("Order {}", v.id), "orders");
    respond(
        &headers,
        &OrderPage {
            chrome: &chrome,
            v: &v,
        },
        &OrderPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}
