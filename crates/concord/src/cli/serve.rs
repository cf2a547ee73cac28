//! Wires the dashboard into a running process: hashed tokens, a cached healthcheck (a Cin7 check
//! spends budget, so the dashboard must not call it on every refresh), and the flows it shows.

use crate::connectors::Health;
use crate::sync::context::Context;
use crate::web::{self, FlowCursor, HealthCheck, Role, WebState};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Health older than this (clock seconds) is checked again on the next request.
const HEALTH_TTL_S: f64 = 300.0;

/// When the checks last ran (clock seconds) and what they said.
type TimedHealth = (f64, Vec<Health>);

pub fn cached_health(ctx: &Context) -> HealthCheck {
    let cache: Arc<Mutex<Option<TimedHealth>>> = Arc::default();
    let ctx = ctx.clone();
    Arc::new(move || {
        let (cache, ctx) = (cache.clone(), ctx.clone());
        Box::pin(async move {
            let mut guard = cache.lock().await;
            let now = ctx.clock.elapsed_s();
            if let Some((at, health)) = guard.as_ref() {
                if now - at < HEALTH_TTL_S {
                    return health.clone();
                }
            }
            let health = vec![
                ctx.oro.healthcheck().await,
                crate::sync::oro_webhooks::health(&ctx.store).await,
                ctx.cin7.healthcheck().await,
            ];
            *guard = Some((now, health.clone()));
            health
        })
    })
}

/// A dashboard token in plain text, its role and its display name.
pub type DashboardToken = (String, Role, Option<String>);

/// The dashboard router for one process, with its tokens (plain text here, hashed at once);
/// `tls`: browsers reach it over HTTPS, so the session cookie is `Secure` and HSTS is sent;
/// `access_log`: one log line per request.
pub fn dashboard(
    ctx: &Context,
    tokens: &[DashboardToken],
    tls: bool,
    access_log: bool,
    explainer: Option<Arc<crate::inbox::explain::Explainer>>,
) -> axum::Router {
    let hashed = tokens
        .iter()
        .map(|(t, r, name)| (web::hash_token(t), *r, name.clone()))
        .collect();
    let app = ctx.cin7.budget();
    let state = WebState::with_named_tokens(
        ctx.store.clone(),
        hashed,
        cached_health(ctx),
        vec![(app.app().to_owned(), app.limit())],
    )
    .with_flows(vec![
        FlowCursor {
            label: "Order polling (Oro)".into(),
            cursor: crate::sync::orders::intake::CURSOR.into(),
        },
        FlowCursor {
            label: "Full stock sync".into(),
            cursor: "stock.synced_at".into(),
        },
        FlowCursor {
            label: "Reconciliation".into(),
            cursor: "reconcile.last_at".into(),
        },
    ])
    .with_workers(ctx.workers.clone())
    .with_secure_cookies(tls)
    .with_access_log(access_log)
    .with_postings(ctx.rules.postings.clone())
    .with_stock_stale_after(ctx.rules.stock_stale_after_s)
    .with_order_sla(ctx.rules.order_sla_s)
    .with_explainer(explainer);
    web::router(state)
}
