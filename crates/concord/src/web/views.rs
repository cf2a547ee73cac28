//! Dashboard pages for the overview, the exceptions inbox and one exception, and the inbox's
//! action buttons.

use super::error::{PageError, WebError};
use super::guard::local_path;
use super::view_parts::{
    notice, options, respond, with_notice, CallRow, Chrome, ExceptionRow, Opt,
};
use super::{overview, AppState, Principal, Role};
use crate::inbox::actions::{exception_detail, retry_exception, Action, RetryOutcome};
use crate::inbox::format::{time, time_s};
use crate::inbox::query::{find_exceptions, ExceptionQuery};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use concord_core::catalogue::{ExceptionKind, Owner};
use concord_store::ExceptionStatus;
use serde::Deserialize;

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
    /// A root-cause key: only the exceptions of that cause.
    cause: Option<String>,
    done: Option<String>,
    id: Option<String>,
}

pub struct InboxView {
    pub owners: Vec<Opt>,
    pub kinds: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub rows: Vec<ExceptionRow>,
    /// The cause being read, when the inbox is read by cause.
    pub cause: Option<String>,
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
    let cause = p.cause.filter(|c| !c.trim().is_empty());
    let rows = find_exceptions(&app.store, &scope, 500)
        .await?
        .iter()
        .filter(|e| cause.is_none() || cause_of(e) == cause)
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
        cause,
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
        payloads: d
            .payloads
            .iter()
            .map(|c| CallRow::seen_by(c, &who))
            .collect(),
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

pub async fn not_found() -> PageError {
    PageError(WebError::NotFound("There is no page here.".to_string()))
}

/// The root-cause key an exception is filed under, if its kind has one.
fn cause_of(e: &concord_store::ExceptionRecord) -> Option<String> {
    crate::sync::orders::cause_keys::key_of_fingerprint(e.kind.as_str(), &e.fingerprint)
}
