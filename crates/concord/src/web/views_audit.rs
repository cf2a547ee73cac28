//! The audit page (admins only): the audit log newest first, as `concord audit` prints it: who
//! (the token's display name), what, on what, when, a page at a time.

use super::error::PageError;
use super::view_parts::{respond, Chrome};
use super::{AppState, Principal, Role};
use crate::inbox::format::time_s;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use concord_store::AuditEntry;
use serde::Deserialize;

/// Entries per page unless `limit` says otherwise.
const DEFAULT_ROWS: u32 = 100;
/// The most one page shows.
const MAX_ROWS: u32 = 1000;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
    /// Show entries older than this id (the next page).
    before: Option<i64>,
}

pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub note: String,
}

impl AuditRow {
    fn new(e: &AuditEntry) -> Self {
        AuditRow {
            id: e.id,
            at: time_s(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            note: e.note.clone().unwrap_or_default(),
        }
    }
}

pub struct AuditView {
    pub rows: Vec<AuditRow>,
    pub limit: u32,
    /// Whether this page starts after a `before` (so "newest" is a link back).
    pub paged: bool,
    /// The link to the next (older) page, when there is one.
    pub older: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a AuditView,
}

#[derive(Template)]
#[template(path = "audit_partial.html")]
pub struct AuditPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a AuditView,
}

pub async fn audit(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Query(q): Query<AuditQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    who.require(Role::Admin)?;
    let limit = q.limit.unwrap_or(DEFAULT_ROWS).clamp(1, MAX_ROWS);
    // One more than shown says whether an older page exists.
    let mut entries = app.store.audit_page(limit + 1, q.before).await?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let older = match entries.last() {
        Some(last) if more => Some(format!("/audit?limit={limit}&before={}", last.id)),
        _ => None,
    };
    let v = AuditView {
        rows: entries.iter().map(AuditRow::new).collect(),
        limit,
        paged: q.before.is_some(),
        older,
    };
    let chrome = Chrome::new(&who, "Audit log", "audit");
    respond(
        &headers,
        &AuditPage {
            chrome: &chrome,
            v: &v,
        },
        &AuditPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}
