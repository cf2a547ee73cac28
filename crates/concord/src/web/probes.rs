//! `/healthz` (the process answers), `/readyz` (the store answers and every engine worker runs;
//! the body shows the workers and the queue) and `/metrics` (Prometheus
//! text: the process's counters plus gauges read from the store on each scrape).

use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use concord_store::ExceptionFilter;
use concord_store::ExceptionStatus;
use std::collections::BTreeMap;
use std::time::Duration;

/// The window budget limits apply to (Cin7: 60 calls per 60 s per application).
pub const BUDGET_WINDOW: Duration = Duration::from_secs(60);

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(app): State<AppState>) -> Response {
    let queue = match app.store.queue_counts().await {
        Ok(q) => q,
        Err(e) => {
            tracing::warn!(error = %e, "Readiness check failed: the store did not answer.");
            return (StatusCode::SERVICE_UNAVAILABLE, "the store does not answer").into_response();
        }
    };
    let workers = app.workers.as_ref().map(|b| b.status());
    let ready = workers.is_none_or(|w| w.ready());
    let body = serde_json::json!({
        "ready": ready,
        "workers": workers,
        "queue": {"queued": queue.queued, "scheduled": queue.scheduled, "running": queue.running, "dead": queue.dead},
    });
    let status = if ready {
        StatusCode::OK
    } else {
        tracing::warn!(
            ?workers,
            "Readiness check failed: an engine worker is down."
        );
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

pub async fn metrics(State(app): State<AppState>) -> Response {
    crate::telemetry::install_metrics();
    if let Err(e) = set_gauges(&app).await {
        tracing::warn!(error = %e, "Store gauges could not be read for /metrics.");
    }
    let body = crate::telemetry::render_metrics();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn set_gauges(app: &AppState) -> Result<(), concord_store::StoreError> {
    let q = app.store.queue_counts().await?;
    for (state, n) in [
        ("queued", q.queued),
        ("scheduled", q.scheduled),
        ("running", q.running),
        ("dead", q.dead),
        ("done", q.done),
    ] {
        metrics::gauge!("concord_queue_jobs", "state" => state).set(n as f64);
    }

    let filter = ExceptionFilter {
        status: Some(ExceptionStatus::Open),
        limit: 0,
        ..ExceptionFilter::default()
    };
    let mut open: BTreeMap<(String, String), u64> = BTreeMap::new();
    for kind in concord_core::catalogue::ExceptionKind::ALL {
        open.insert((kind.to_string(), kind.default_owner().to_string()), 0);
    }
    for e in app.store.exceptions(&filter).await? {
        *open
            .entry((e.kind.to_string(), e.owner.to_string()))
            .or_default() += 1;
    }
    if let Ok(mut exported) = app.exported_exceptions.lock() {
        for pair in exported.iter() {
            open.entry(pair.clone()).or_insert(0);
        }
        exported.extend(open.keys().cloned());
    }
    for ((kind, owner), n) in open {
        metrics::gauge!("concord_exceptions_open", "kind" => kind, "owner" => owner).set(n as f64);
    }

    for (name, limit) in &app.budget_apps {
        let used = app.store.budget_used(name, BUDGET_WINDOW).await?;
        metrics::gauge!("concord_rate_budget_used", "app" => name.clone()).set(f64::from(used));
        metrics::gauge!("concord_rate_budget_limit", "app" => name.clone()).set(f64::from(*limit));
    }
    Ok(())
}
