//! Dashboard pages for orders (list and trail), stock, reconciliation and jobs.

use super::api::PeriodParams;
use super::error::{PageError, WebError};
use super::guard::local_path;
use super::views::{notice, respond, with_notice, CallRow, Chrome, ExceptionRow};
use super::{AppState, Principal, Role};
use crate::inbox::format::{ago, time};
use crate::inbox::jobs::parse_time;
use crate::inbox::report::{month_end, MonthEnd};
use crate::inbox::report_out::{write_csv, ReportPage};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use concord_store::{CallFilter, ExceptionFilter, JobFilter, JobId, JobState, Record};
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
    pub statuses: Vec<super::views::Opt>,
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
    all.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
    let status = status.filter(|s| !s.is_empty());
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in &all {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    let statuses = counts
        .into_iter()
        .map(|(s, n)| super::views::Opt {
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
        calls: calls.iter().map(CallRow::from).collect(),
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

#[derive(Template)]
#[template(path = "reconciliation.html")]
pub struct ReconPage<'a> {
    pub chrome: &'a Chrome,
    pub m: &'a MonthEnd,
}

#[derive(Template)]
#[template(path = "reconciliation_partial.html")]
pub struct ReconPartial<'a> {
    pub chrome: &'a Chrome,
    pub m: &'a MonthEnd,
}

fn period(p: PeriodParams) -> Option<String> {
    p.period.filter(|s| !s.trim().is_empty())
}

pub async fn reconciliation(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Query(p): Query<PeriodParams>,
) -> Result<Response, PageError> {
    let m = month_end(&app.store, period(p).as_deref()).await?;
    let chrome = Chrome::new(
        &who,
        format!("Reconciliation {}", m.period),
        "reconciliation",
    );
    respond(
        &headers,
        &ReconPage {
            chrome: &chrome,
            m: &m,
        },
        &ReconPartial {
            chrome: &chrome,
            m: &m,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    period: Option<String>,
    format: Option<String>,
}

/// The month-end report as a download: `format` is `csv` (default), `json` or `html`.
pub async fn reconciliation_export(
    State(app): State<AppState>,
    Query(p): Query<ExportParams>,
) -> Result<Response, PageError> {
    let m = month_end(
        &app.store,
        period(PeriodParams { period: p.period }).as_deref(),
    )
    .await?;
    let name = format!("concord-month-end-{}", m.period);
    let attach = |ext: &str| format!("attachment; filename=\"{name}.{ext}\"");
    Ok(match p.format.as_deref().unwrap_or("csv") {
        "json" => ([(header::CONTENT_DISPOSITION, attach("json"))], Json(&m)).into_response(),
        "html" => Html(
            ReportPage {
                m: &m,
                generated: time(m.generated_at),
                css: "",
            }
            .render()?,
        )
        .into_response(),
        "csv" => {
            let mut out = Vec::new();
            write_csv(&m, &mut out).map_err(|e| WebError::BadRequest(e.to_string()))?;
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, attach("csv")),
                ],
                out,
            )
                .into_response()
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown format `{other}`: expected csv, json or html"
            ))
            .into())
        }
    })
}

#[derive(Debug, Deserialize)]
pub struct JobsParams {
    state: Option<String>,
    kind: Option<String>,
    done: Option<String>,
    id: Option<String>,
}

pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub updated: String,
    pub key: String,
    pub error: String,
}

pub struct JobsView {
    pub counts: concord_store::QueueCounts,
    pub state: String,
    pub kind: String,
    pub dead_kinds: Vec<(String, usize)>,
    pub rows: Vec<JobRow>,
    pub notice: Option<String>,
    pub back: String,
}

#[derive(Template)]
#[template(path = "jobs.html")]
pub struct JobsPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a JobsView,
}

#[derive(Template)]
#[template(path = "jobs_partial.html")]
pub struct JobsPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a JobsView,
}

pub async fn jobs(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Query(p): Query<JobsParams>,
) -> Result<Response, PageError> {
    let now = app.store.clock().now();
    let state_name = p
        .state
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "dead".to_string());
    let state = crate::inbox::query::job_state(
        Some(&state_name)
            .filter(|s| *s != "any")
            .map(String::as_str),
    )?;
    let kind = p.kind.clone().filter(|k| !k.trim().is_empty());
    let limit = u32::try_from(PAGE_ROWS).unwrap_or(200);
    let jobs = app
        .store
        .list_jobs(&JobFilter {
            state,
            kind: kind.clone(),
            limit,
        })
        .await?;
    let dead = app
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            kind: None,
            limit: 0,
        })
        .await?;
    let mut dead_kinds: Vec<(String, usize)> = Vec::new();
    for j in &dead {
        match dead_kinds.iter_mut().find(|(k, _)| *k == j.kind) {
            Some(e) => e.1 += 1,
            None => dead_kinds.push((j.kind.clone(), 1)),
        }
    }
    let rows = jobs
        .iter()
        .map(|j| JobRow {
            id: j.id.0,
            kind: j.kind.clone(),
            state: j.state.to_string(),
            attempts: j.attempts,
            updated: ago(now, j.updated_at),
            key: j.idempotency_key.clone(),
            error: j.last_error.clone().unwrap_or_default(),
        })
        .collect();
    let back = format!(
        "/jobs?state={}&kind={}",
        urlencoding::encode(&state_name),
        urlencoding::encode(kind.as_deref().unwrap_or(""))
    );
    let v = JobsView {
        counts: app.store.queue_counts().await?,
        state: state_name,
        kind: kind.unwrap_or_default(),
        dead_kinds,
        rows,
        notice: notice(p.done.as_deref(), p.id.as_deref()),
        back,
    };
    let chrome = Chrome::new(&who, "Jobs", "jobs");
    respond(
        &headers,
        &JobsPage {
            chrome: &chrome,
            v: &v,
        },
        &JobsPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ReplayForm {
    back: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub async fn job_replay(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<ReplayForm>,
) -> Result<Response, PageError> {
    who.require(Role::Admin)?;
    if !app.store.replay(JobId(id)).await? {
        return Err(WebError::BadRequest(format!(
            "job {id} is not dead, so there is nothing to replay"
        ))
        .into());
    }
    app.store
        .audit(&who.name, "replayed", &format!("job:{id}"), None)
        .await?;
    Ok(Redirect::to(&with_notice(
        &local_path(form.back.as_deref()),
        "replayed",
        &id.to_string(),
    ))
    .into_response())
}

/// Replays every dead job of a kind (any when empty), optionally within a time window.
pub async fn jobs_replay_bulk(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Form(form): Form<ReplayForm>,
) -> Result<Response, PageError> {
    who.require(Role::Admin)?;
    let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let bad = |e: anyhow::Error| WebError::BadRequest(e.to_string());
    let from = given(&form.from)
        .map(|t| parse_time(&t, false))
        .transpose()
        .map_err(bad)?;
    let to = given(&form.to)
        .map(|t| parse_time(&t, true))
        .transpose()
        .map_err(bad)?;
    let kind = given(&form.kind);
    let n = app.store.replay_dead(kind.as_deref(), from, to).await?;
    let note = format!(
        "kind={} from={from:?} to={to:?}: {n} job(s)",
        kind.as_deref().unwrap_or("any")
    );
    app.store
        .audit(&who.name, "replayed_dead", "jobs", Some(&note))
        .await?;
    Ok(Redirect::to(&with_notice(
        &local_path(form.back.as_deref()),
        "replayed-all",
        &n.to_string(),
    ))
    .into_response())
}
