//! The JSON API under `/api`, for scripts and other tools; `static/openapi.json` documents it.
//! Reads need the viewer role, exception actions the operator role, replays the admin role.

use super::error::{ApiError, WebError};
use super::{AppState, Principal, Role};
use crate::inbox::actions::{exception_detail, retry_exception, Action, RetryOutcome};
use crate::inbox::causes::{root_causes, CauseReport};
use crate::inbox::jobs::JobSummary;
use crate::inbox::query::{find_exceptions, job_state, ExceptionQuery, ExceptionSummary};
use crate::inbox::report::{month_end, MonthEnd};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use concord_store::{CallFilter, ExceptionFilter, JobFilter, JobId};
use serde::Deserialize;
use serde_json::{json, Value};

type ApiResult<T> = Result<Json<T>, ApiError>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/exceptions", get(list_exceptions))
        .route("/api/exceptions/{id}", get(get_exception))
        .route("/api/exceptions/{id}/{action}", post(act_on_exception))
        .route("/api/root-causes", get(list_root_causes))
        .route("/api/root-causes/explain", post(explain_root_cause))
        .route("/api/orders/{id}", get(get_order))
        .route("/api/jobs", get(list_jobs))
        .route("/api/jobs/{id}/replay", post(replay_job))
        .route("/api/health", get(health))
        .route("/api/reconciliation", get(reconciliation))
        .route("/api/openapi.json", get(openapi))
}

#[derive(Debug, Deserialize)]
pub struct ExceptionsParams {
    owner: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
}

async fn list_exceptions(
    State(app): State<AppState>,
    Query(p): Query<ExceptionsParams>,
) -> ApiResult<Vec<ExceptionSummary>> {
    let scope = ExceptionQuery {
        owner: p.owner,
        kind: p.kind,
        status: p.status,
    }
    .parse()?;
    let found = find_exceptions(&app.store, &scope, p.limit.unwrap_or(500)).await?;
    Ok(Json(found.iter().map(ExceptionSummary::from).collect()))
}

/// The open exceptions grouped by cause, biggest first, with the overview's headline.
async fn list_root_causes(State(app): State<AppState>) -> ApiResult<CauseReport> {
    Ok(Json(root_causes(&app.store).await?))
}

#[derive(Debug, Deserialize)]
pub struct ExplainParams {
    key: String,
}

/// A draft of a fuller explanation of one open cause (operators; off unless `[explain]` is set).
/// Nothing is changed: the draft is returned to the person who asked, and the request is audited.
async fn explain_root_cause(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Query(p): Query<ExplainParams>,
) -> ApiResult<Value> {
    who.require(Role::Operator)?;
    let Some(explainer) = app.explainer.clone() else {
        return Err(ApiError(WebError::NotFound(
            "explanations are off: configure [explain] (an OpenAI-compatible endpoint) to draft them".into(),
        )));
    };
    let report = root_causes(&app.store).await?;
    let cause = report
        .causes
        .iter()
        .find(|c| c.key == p.key)
        .ok_or_else(|| WebError::NotFound(format!("no open root cause {:?}", p.key)))?;
    let draft = explainer
        .draft(cause)
        .await
        .map_err(|e| WebError::Upstream(e.to_string()))?;
    app.store
        .audit(
            &who.name,
            "explain",
            &p.key,
            Some(&format!("draft by {}", explainer.model())),
        )
        .await?;
    Ok(Json(json!({
        "key": cause.key,
        "model": explainer.model(),
        "draft": draft,
        "note": "A machine-written draft from the cause's evidence; Concord took no action.",
    })))
}

async fn get_exception(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Value> {
    let d = exception_detail(&app.store, id)
        .await?
        .ok_or_else(|| not_found("exception", id))?;
    let payloads: Vec<Value> = d.payloads.iter().map(|c| call_json(c, &who)).collect();
    let audit: Vec<Value> = d
        .audit
        .iter()
        .map(|a| json!({"at": a.at, "actor": a.actor, "action": a.action, "note": a.note}))
        .collect();
    Ok(Json(json!({
        "exception": ExceptionSummary::from(&d.exception),
        "payload_refs": d.exception.payload_refs,
        "payloads": payloads,
        "payloads_are_recent": d.payloads_are_recent,
        "payloads_missing": d.payloads_missing,
        "audit": audit,
        "dead_job": d.dead_job.map(|j| j.0),
    })))
}

/// A logged call; its bodies (buyers' names, addresses, e-mails) only for operators and above.
fn call_json(c: &concord_store::Call, who: &Principal) -> Value {
    let bodies = who.may_read_bodies();
    json!({
        "id": c.id, "at": c.at, "system": c.system, "method": c.method, "path": c.path,
        "status": c.status, "duration_ms": c.duration_ms,
        "request": if bodies { c.request.as_deref() } else { None },
        "response": if bodies { c.response.as_deref() } else { None },
        "bodies_withheld": !bodies && (c.request.is_some() || c.response.is_some()),
        "subject": c.subject, "error": c.error,
    })
}

fn not_found(what: &str, id: impl std::fmt::Display) -> WebError {
    WebError::NotFound(format!("no {what} with id {id}"))
}

#[derive(Debug, Default, Deserialize)]
struct NoteBody {
    note: Option<String>,
}

/// `ack`, `resolve`, `ignore` or `retry`, with an optional JSON body `{"note": "..."}`.
async fn act_on_exception(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> ApiResult<Value> {
    who.require(Role::Operator)?;
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<NoteBody>(&body)
            .map_err(|e| {
                WebError::BadRequest(format!(
                    "the body must be JSON like {{\"note\": \"...\"}}: {e}"
                ))
            })?
            .note
    };
    let note = note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if action == "retry" {
        let ex = app
            .store
            .exception(id)
            .await?
            .ok_or_else(|| not_found("exception", id))?;
        let outcome: RetryOutcome = retry_exception(&app.store, &ex, &who.name).await?;
        return Ok(Json(
            json!({"id": id, "message": outcome.message(), "retry": outcome}),
        ));
    }
    let action = Action::parse(&action).ok_or_else(|| {
        WebError::BadRequest(format!(
            "unknown action `{action}`: expected ack, resolve, ignore or retry"
        ))
    })?;
    if !app
        .store
        .set_exception_status(id, action.status(), &who.name, note)
        .await?
    {
        return Err(not_found("exception", id).into());
    }
    let ex = app
        .store
        .exception(id)
        .await?
        .ok_or_else(|| not_found("exception", id))?;
    Ok(Json(json!(ExceptionSummary::from(&ex))))
}

/// The order trail: its flow record, Cin7 link, exceptions and every logged call.
async fn get_order(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> ApiResult<Value> {
    let subject = format!("order:{id}");
    let record = app.store.record_get("order", &id).await?;
    let link = app.store.link_get("order", &id).await?;
    let filter = ExceptionFilter {
        subject: Some(subject.clone()),
        limit: 0,
        ..ExceptionFilter::default()
    };
    let exceptions: Vec<ExceptionSummary> = app
        .store
        .exceptions(&filter)
        .await?
        .iter()
        .map(ExceptionSummary::from)
        .collect();
    let calls = app
        .store
        .calls(&CallFilter {
            subject: Some(subject),
            system: None,
            limit: 0,
        })
        .await?;
    if record.is_none() && link.is_none() && exceptions.is_empty() && calls.is_empty() {
        return Err(not_found("order", &id).into());
    }
    Ok(Json(json!({
        "order_id": id,
        "record": record.map(|r| json!({"status": r.status, "data": r.data, "created_at": r.created_at, "updated_at": r.updated_at})),
        "cin7": link.map(|l| json!({"id": l.cin7_id, "data": l.data, "updated_at": l.updated_at})),
        "exceptions": exceptions,
        "calls": calls.iter().map(|c| call_json(c, &who)).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
struct JobsParams {
    state: Option<String>,
    kind: Option<String>,
    limit: Option<u32>,
}

async fn list_jobs(
    State(app): State<AppState>,
    Query(p): Query<JobsParams>,
) -> ApiResult<Vec<JobSummary>> {
    let kind = p.kind.filter(|k| !k.trim().is_empty());
    let filter = JobFilter {
        state: job_state(p.state.as_deref())?,
        kind,
        limit: p.limit.unwrap_or(200),
    };
    Ok(Json(
        app.store
            .list_jobs(&filter)
            .await?
            .iter()
            .map(JobSummary::from)
            .collect(),
    ))
}

async fn replay_job(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<i64>,
) -> ApiResult<Value> {
    who.require(Role::Admin)?;
    let job = app
        .store
        .job(JobId(id))
        .await?
        .ok_or_else(|| not_found("job", id))?;
    if !app.store.replay(JobId(id)).await? {
        return Err(WebError::BadRequest(format!(
            "job {id} is {}, not dead: only dead jobs can be replayed",
            job.state
        ))
        .into());
    }
    app.store
        .audit(&who.name, "replayed", &format!("job:{id}"), None)
        .await?;
    Ok(Json(json!({"id": id, "replayed": true})))
}

async fn health(State(app): State<AppState>) -> ApiResult<Value> {
    let systems = (app.health)().await;
    let queue = app.store.queue_counts().await?;
    let ok = systems.iter().all(|h| h.ok);
    Ok(Json(json!({"ok": ok, "systems": systems, "queue": queue})))
}

#[derive(Debug, Deserialize)]
pub struct PeriodParams {
    pub period: Option<String>,
}

async fn reconciliation(
    State(app): State<AppState>,
    Query(p): Query<PeriodParams>,
) -> ApiResult<MonthEnd> {
    let period = p.period.filter(|s| !s.trim().is_empty());
    Ok(Json(month_end(&app.store, period.as_deref()).await?))
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::assets::OPENAPI,
    )
        .into_response()
}
