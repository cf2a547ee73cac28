//! What every dashboard page shares: the page chrome, row views of exceptions and calls, select
//! options, action notices, and the full-page-or-partial rule (htmx asks for a fragment).

use super::error::PageError;
use super::guard::wants_partial;
use super::{Principal, Role};
use crate::inbox::format::{ago, time, time_s};
use askama::Template;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use concord_store::{Call, ExceptionRecord};

/// What every full page needs around its content.
pub struct Chrome {
    pub title: String,
    pub active: &'static str,
    pub user: String,
    pub role: String,
    pub csrf: String,
    pub can_act: bool,
    pub can_replay: bool,
    /// Admins see the audit log (and its link in the navigation).
    pub is_admin: bool,
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
            is_admin: who.role >= Role::Admin,
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
    /// The bodies exist but this reader's role may not see them.
    pub withheld: bool,
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
            withheld: false,
        }
    }
}

impl CallRow {
    /// The row as `who` may see it: without bodies below operator.
    pub fn seen_by(c: &Call, who: &super::Principal) -> Self {
        let mut row = CallRow::from(c);
        if !who.may_read_bodies() {
            row.withheld = !(row.request.is_empty() && row.response.is_empty());
            row.request.clear();
            row.response.clear();
        }
        row
    }
}

/// A `<select>` option.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn options<'a>(
    any: &str,
    names: impl Iterator<Item = &'a str>,
    current: Option<&str>,
) -> Vec<Opt> {
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

/// `path` with `done` and `id` query parameters for the page's notice.
pub fn with_notice(path: &str, done: &str, id: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={done}&id={id}")
}
