//! Dashboard pages for reconciliation (with its downloads) and jobs (with replays).

use super::api::PeriodParams;
use super::error::{PageError, WebError};
use super::guard::local_path;
use super::view_parts::{notice, respond, with_notice, Chrome};
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
use concord_store::{JobFilter, JobId, JobState};
use serde::Deserialize;

/// Jobs shown per page; the JSON API and CLI give more.
const PAGE_ROWS: u32 = 200;

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
    Extension(who): Extension<Principal>,
    Query(p): Query<ExportParams>,
) -> Result<Response, PageError> {
    let m = month_end(
        &app.store,
        period(PeriodParams { period: p.period }).as_deref(),
    )
    .await?;
    let name = format!("concord-month-end-{}", m.period);
    // Finance data leaving Concord: who took which month, in which format.
    let note = format!("format {}", p.format.as_deref().unwrap_or("csv"));
    app.store
        .audit(
            &who.name,
            "exported",
            &format!("report:{}", m.period),
            Some(&note),
        )
        .await?;
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
    let jobs = app
        .store
        .list_jobs(&JobFilter {
            state,
            kind: kind.clone(),
            limit: PAGE_ROWS,
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
