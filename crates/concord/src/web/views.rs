//! Dashboard pages for the overview and the exceptions inbox, and the pieces every page shares:
//! the page chrome, row views, and the full-page-or-partial rule (htmx asks for a fragment).

use super::error::{PageError, WebError};
use super::guard::{local_path, wants_partial};
use super::{overview, AppState, Principal, Role};
use crate::inbox::actions::{exception_detail, retry_exception, Action, RetryOutcome};
use crate::inbox::format::{ago, time, time_s};
use crate::inbox::query::{find_exceptions, ExceptionQuery};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use concord_core::catalogue::{ExceptionKind, Owner};
use concord_store::{Call, ExceptionRecord, ExceptionStatus};
use serde::Deserialize;

/// What every full page needs around its content.
pub struct Chrome {
    pub title: String,
    pub active: &'static str,
    pub user: String,
    pub role: String,
    pub csrf: String,
    pub can_act: bool,
    pub can_replay: bool,
}

impl Chrome {
    pub fn new(who: &Principal, title: impl Into<String>, active: &'static str) -> Self {
        Chrome {
            title: title.into(),
            active,
            user: who.name.clone(),
            role: who.role.to_string(),
            csrf: who.csrf_token().to_string(),
            can_act: who.role >= Role::Operator,
            can_replay: who.role >= Role::Admin,
        }
    }
}

/// The partial for htmx requests, the full page otherwise.
pub fn respond(
    headers: &HeaderMap,
    full: &impl Template,
    partial: &impl Template,
) -> Result<Response, PageError> {
    let html = if wants_partial(headers) {
        partial.render()?
    } else {
        full.render()?
    };
    Ok(Html(html).into_response())
}

/// An exception as a table row.
pub struct ExceptionRow {
    pub id: i64,
    pub kind: String,
    pub owner: String,
    pub subject: String,
    /// The order trail for `order:<id>` subjects.
    pub subject_href: Option<String>,
    pub status: String,
    pub occurrences: u32,
    pub last_seen: String,
    pub last_seen_at: String,
    pub explanation: String,
    pub suggested_action: String,
    pub note: String,
}

impl ExceptionRow {
    pub fn new(e: &ExceptionRecord, now: DateTime<Utc>) -> Self {
        ExceptionRow {
            id: e.id,
            kind: e.kind.to_string(),
            owner: e.owner.to_string(),
            subject: e.subject.clone(),
            subject_href: e
                .subject
                .strip_prefix("order:")
                .map(|id| format!("/orders/{}", urlencoding::encode(id))),
            status: e.status.to_string(),
            occurrences: e.occurrences,
            last_seen: ago(now, e.last_seen),
            last_seen_at: time(e.last_seen),
            explanation: e.explanation.clone(),
            suggested_action: e.suggested_action.clone(),
            note: e.resolution_note.clone().unwrap_or_default(),
        }
    }
}

/// A logged external call, bodies pretty-printed when they are JSON.
pub struct CallRow {
    pub id: i64,
    pub at: String,
    pub system: String,
    pub method: String,
    pub path: String,
    pub status: String,
    pub ok: bool,
    pub duration_ms: u64,
    pub request: String,
    pub response: String,
    pub error: String,
}

fn pretty(body: &Option<String>) -> String {
    let Some(body) = body else {
        return String::new();
    };
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.clone())
}

impl From<&Call> for CallRow {
    fn from(c: &Call) -> Self {
        CallRow {
            id: c.id,
            at: time_s(c.at),
            system: c.system.clone(),
            method: c.method.clone(),
            path: c.path.clone(),
            status: c
                .status
                .map_or_else(|| "no answer".to_string(), |s| s.to_string()),
            ok: c.status.is_some_and(|s| (200..300).contains(&s)),
            duration_ms: c.duration_ms,
            request: pretty(&c.request),
            response: pretty(&c.response),
            error: c.error.clone().unwrap_or_default(),
        }
    }
}

/// A `<select>` option.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn options<'a>(any: &str, names: impl Iterator<Item = &'a str>, current: Option<&str>) -> Vec<Opt> {
    let current = current.unwrap_or("");
    let mut opts = vec![Opt {
        value: String::new(),
        label: any.to_string(),
        selected: current.is_empty(),
    }];
    opts.extend(names.map(|n| Opt {
        value: n.to_string(),
        label: n.replace('_', " "),
        selected: n == current,
    }));
    opts
}

/// What a finished action says at the top of the page it returns to.
pub fn notice(done: Option<&str>, id: Option<&str>) -> Option<String> {
    let id = id.unwrap_or("?");
    Some(match done? {
        "acknowledged" => format!("Exception {id} acknowledged."),
        "resolved" => format!("Exception {id} resolved."),
        "ignored" => format!("Exception {id} ignored."),
        "retry-order" => format!("Exception {id}: the order is queued for another sync."),
        "retry-job" => format!("Exception {id}: its dead job is back in the queue."),
        "retry-none" => format!(
            "Exception {id}: nothing to retry; fix the cause and the next sync picks it up."
        ),
        "replayed" => format!("Job {id} is back in the queue."),
        "replayed-all" => format!("{id} dead job(s) are back in the queue."),
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a overview::OverviewView,
}

#[derive(Template)]
#[template(path = "overview_partial.html")]
pub struct OverviewPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a overview::OverviewView,
}

pub async fn overview(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let v = overview::build(&app).await?;
    let chrome = Chrome::new(&who, "Overview", "overview");
    respond(
        &headers,
        &OverviewPage {
            chrome: &chrome,
            v: &v,
        },
        &OverviewPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    owner: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    done: Option<String>,
    id: Option<String>,
}

pub struct InboxView {
    pub owners: Vec<Opt>,
    pub kinds: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub rows: Vec<ExceptionRow>,
    pub notice: Option<String>,
    /// This listing's URL, where actions return to.
    pub back: String,
}

#[derive(Template)]
#[template(path = "exceptions.html")]
pub struct InboxPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a InboxView,
}

#[derive(Template)]
#[template(path = "exceptions_partial.html")]
pub struct InboxPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a InboxView,
}

pub async fn exceptions(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Query(p): Query<InboxParams>,
) -> Result<Response, PageError> {
    let query = ExceptionQuery {
        owner: p.owner,
        kind: p.kind,
        status: p.status,
    };
    let scope = query.parse()?;
    let now = app.store.clock().now();
    let rows = find_exceptions(&app.store, &scope, 500)
        .await?
        .iter()
        .map(|e| ExceptionRow::new(e, now))
        .collect();
    let statuses = ["active", "all"]
        .into_iter()
        .chain(ExceptionStatus::ALL.iter().map(|s| s.as_str()));
    let status_now = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("active");
    let back = format!(
        "/exceptions?owner={}&kind={}&status={}",
        urlencoding::encode(query.owner.as_deref().unwrap_or("")),
        urlencoding::encode(query.kind.as_deref().unwrap_or("")),
        urlencoding::encode(status_now),
    );
    let v = InboxView {
        owners: options(
            "every owner",
            Owner::ALL.iter().map(|o| o.as_str()),
            query.owner.as_deref(),
        ),
        kinds: options(
            "every kind",
            ExceptionKind::ALL.iter().map(|k| k.as_str()),
            query.kind.as_deref(),
        ),
        statuses: options(
            "active",
            statuses.skip(1),
            Some(status_now).filter(|s| *s != "active"),
        ),
        rows,
        notice: notice(p.done.as_deref(), p.id.as_deref()),
        back,
    };
    let chrome = Chrome::new(&who, "Exceptions", "exceptions");
    respond(
        &headers,
        &InboxPage {
            chrome: &chrome,
            v: &v,
        },
        &InboxPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

pub struct ExceptionView {
    pub row: ExceptionRow,
    pub first_seen: String,
    pub payloads: Vec<CallRow>,
    pub payloads_heading: &'static str,
    pub payloads_missing: usize,
    pub audit: Vec<(String, String, String, String)>,
    pub dead_job: Option<i64>,
    pub notice: Option<String>,
    pub back: String,
}

#[derive(Template)]
#[template(path = "exception.html")]
pub struct ExceptionPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a ExceptionView,
}

#[derive(Template)]
#[template(path = "exception_partial.html")]
pub struct ExceptionPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a ExceptionView,
}

pub async fn exception(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(p): Query<InboxParams>,
) -> Result<Response, PageError> {
    let d = exception_detail(&app.store, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("no exception with id {id}")))?;
    let now = app.store.clock().now();
    let v = ExceptionView {
        row: ExceptionRow::new(&d.exception, now),
        first_seen: time(d.exception.first_seen),
        payloads: d.payloads.iter().map(CallRow::from).collect(),
        payloads_heading: if d.payloads_are_recent {
            "Recent calls about this subject"
        } else {
            "Payloads involved"
        },
        payloads_missing: d.payloads_missing,
        audit: d
            .audit
            .iter()
            .map(|a| {
                (
                    time_s(a.at),
                    a.actor.clone(),
                    a.action.clone(),
                    a.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        dead_job: d.dead_job.map(|j| j.0),
        notice: notice(p.done.as_deref(), p.id.as_deref()),
        back: format!("/exceptions/{id}"),
    };
    let chrome = Chrome::new(&who, format!("Exception {id}"), "exceptions");
    respond(
        &headers,
        &ExceptionPage {
            chrome: &chrome,
            v: &v,
        },
        &ExceptionPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    action: String,
    note: Option<String>,
    back: Option<String>,
}

/// The inbox's buttons: `action` is `ack`, `resolve`, `ignore` or `retry`. Returns to `back`.
pub async fn exception_action(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    who.require(Role::Operator)?;
    let note = form
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let done = if form.action == "retry" {
        let ex = app
            .store
            .exception(id)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("no exception with id {id}")))?;
        match retry_exception(&app.store, &ex, &who.name).await? {
            RetryOutcome::OrderQueued { .. } => "retry-order",
            RetryOutcome::Replayed { .. } => "retry-job",
            RetryOutcome::NothingToRetry => "retry-none",
        }
    } else {
        let action = Action::parse(&form.action)
            .ok_or_else(|| WebError::BadRequest(format!("unknown action `{}`", form.action)))?;
        if !app
            .store
            .set_exception_status(id, action.status(), &who.name, note)
            .await?
        {
            return Err(WebError::NotFound(format!("no exception with id {id}")).into());
        }
        action.status().as_str()
    };
    Ok(Redirect::to(&with_notice(
        &local_path(form.back.as_deref()),
        done,
        &id.to_string(),
    ))
    .into_response())
}

/// `path` with `done` and `id` query parameters for the page's notice.
pub fn with_notice(path: &str, done: &str, id: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={done}&id={id}")
}

pub async fn not_found() -> PageError {
    PageError(WebError::NotFound("There is no page here.".to_string()))
}
