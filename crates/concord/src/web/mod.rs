//! The dashboard, JSON API and metrics endpoint, served by axum.
//!
//! - [`auth`]: tokens, roles, signed session cookies and CSRF tokens; [`guard`]: the middleware
//!   that applies them, plus the security headers.
//! - [`api`]: the JSON API under `/api` (documented by `static/openapi.json`).
//! - [`views`]: server-rendered pages (askama); each renders its `_partial` template for htmx
//!   requests and the full page otherwise. [`overview`] builds the front page; [`charts`] the
//!   `/charts` page of inline SVG charts; [`views_audit`] is the admins' audit log.
//! - [`probes`]: `/healthz`, `/readyz` and `/metrics`; [`assets`]: the vendored static files.
//! - [`error`]: one error type, one response policy per surface (JSON or HTML).

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod error;
pub mod guard;
pub mod overview;
pub mod probes;
pub mod revocations;
pub mod throttle;
pub mod view_parts;
pub mod views;
pub mod views_audit;
pub mod views_charts;
pub mod views_dry_run;
pub mod views_ops;
pub mod views_orders;

#[cfg(test)]
mod tests;

pub use auth::{hash_token, ApiToken, Principal, Role};

use crate::connectors::Health;
use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Runs every connector's healthcheck; the dashboard and `/api/health` call it on demand.
pub type HealthCheck = Arc<dyn Fn() -> BoxFuture<'static, Vec<Health>> + Send + Sync>;

/// A flow whose progress the overview shows: a label and the store cursor that flow advances.
#[derive(Debug, Clone)]
pub struct FlowCursor {
    pub label: String,
    pub cursor: String,
}

/// Everything the web surfaces need. Build with [`WebState::new`], then the `with_*` methods.
pub struct WebState {
    pub store: concord_store::Store,
    pub health: HealthCheck,
    /// API applications and their calls allowed per 60 s, shown as rate-budget use.
    pub budget_apps: Vec<(String, u32)>,
    /// Cursors shown as "last sync" per flow on the overview.
    pub flows: Vec<FlowCursor>,
    /// `settings.postings`, when Concord posts invoices and payments (shown on the overview).
    pub postings: Option<concord_core::scenario::Postings>,
    /// Adds `Secure` to the session cookie; set it whenever Concord is served over HTTPS.
    pub secure_cookies: bool,
    pub(crate) keys: auth::Keyring,
    /// Failed sign-ins per client address.
    pub(crate) sign_ins: throttle::SignInThrottle,
    /// Logs one line per request (see [`guard::access_log`]).
    pub access_log: bool,
    /// The engine's workers, when this process runs one; `/readyz` fails while one is down.
    pub workers: Option<Arc<crate::engine::supervise::WorkerBoard>>,
    /// (kind, owner) pairs already exported as `concord_exceptions_open`, so a pair whose last
    /// exception closed is set back to 0 instead of keeping its old value.
    pub(crate) exported_exceptions: Mutex<BTreeSet<(String, String)>>,
    /// Drafts root-cause explanations when `[explain]` is configured.
    pub explainer: Option<Arc<crate::inbox::explain::Explainer>>,
    /// `rules.stock_stale_after_s`, drawn as the limit on the stock freshness chart.
    pub stock_stale_after_s: Option<f64>,
    /// `rules.order_sla_s`, drawn as the limit on the order latency chart.
    pub order_sla_s: Option<f64>,
}

impl WebState {
    /// `tokens` are `(sha256 hex of the token, role)` pairs; malformed hashes are skipped with a warning.
    pub fn new(
        store: concord_store::Store,
        tokens: Vec<(String, Role)>,
        health: HealthCheck,
        budget_apps: Vec<(String, u32)>,
    ) -> Self {
        let named = tokens
            .into_iter()
            .map(|(hash, role)| (hash, role, None))
            .collect();
        Self::with_named_tokens(store, named, health, budget_apps)
    }

    /// As [`WebState::new`], with a name per token for the audit log (`None`: `token-<hash prefix>`).
    pub fn with_named_tokens(
        store: concord_store::Store,
        tokens: Vec<(String, Role, Option<String>)>,
        health: HealthCheck,
        budget_apps: Vec<(String, u32)>,
    ) -> Self {
        let tokens = tokens
            .into_iter()
            .filter_map(|(hash, role, name)| {
                let token = ApiToken::from_hash(&hash, role, name);
                if token.is_none() {
                    tracing::warn!(role = %role, "Token hash is not 64 hex digits; token ignored.");
                }
                token
            })
            .collect();
        WebState {
            store,
            health,
            budget_apps,
            flows: Vec::new(),
            postings: None,
            secure_cookies: false,
            keys: auth::Keyring::new(tokens, None),
            sign_ins: throttle::SignInThrottle::default(),
            access_log: false,
            workers: None,
            exported_exceptions: Mutex::new(BTreeSet::new()),
            explainer: None,
            stock_stale_after_s: None,
            order_sla_s: None,
        }
    }

    pub fn with_stock_stale_after(mut self, seconds: f64) -> Self {
        self.stock_stale_after_s = Some(seconds);
        self
    }

    pub fn with_order_sla(mut self, seconds: f64) -> Self {
        self.order_sla_s = Some(seconds);
        self
    }

    pub fn with_explainer(
        mut self,
        explainer: Option<Arc<crate::inbox::explain::Explainer>>,
    ) -> Self {
        self.explainer = explainer;
        self
    }

    pub fn with_flows(mut self, flows: Vec<FlowCursor>) -> Self {
        self.flows = flows;
        self
    }

    pub fn with_postings(mut self, postings: Option<concord_core::scenario::Postings>) -> Self {
        self.postings = postings;
        self
    }

    pub fn with_workers(mut self, board: Arc<crate::engine::supervise::WorkerBoard>) -> Self {
        self.workers = Some(board);
        self
    }

    pub fn with_access_log(mut self, on: bool) -> Self {
        self.access_log = on;
        self
    }

    /// Served over TLS: the session cookie is `Secure` and every response carries HSTS.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// A fixed session key (e.g. from the config) so sessions survive restarts and are shared
    /// by several Concord processes behind one load balancer.
    pub fn with_session_key(mut self, key: [u8; 32]) -> Self {
        self.keys = auth::Keyring::new(self.keys_tokens(), Some(key));
        self
    }

    fn keys_tokens(&self) -> Vec<ApiToken> {
        self.keys.tokens().to_vec()
    }

    /// A health check that reports nothing, for tests and tools without connectors.
    pub fn no_health() -> HealthCheck {
        Arc::new(|| Box::pin(async { Vec::new() }))
    }
}

pub type AppState = Arc<WebState>;

/// Every route. `/healthz`, `/readyz`, `/static/*` and `/login` are public; the rest need a token.
pub fn router(state: WebState) -> Router {
    let state: AppState = Arc::new(state);
    let protected = Router::new()
        .route("/", get(views::overview))
        .route("/exceptions", get(views::exceptions))
        .route(
            "/exceptions/{id}",
            get(views::exception).post(views::exception_action),
        )
        .route("/orders", get(views_orders::orders))
        .route("/orders/{id}", get(views_orders::order_trail))
        .route("/stock", get(views_orders::stock))
        .route("/reconciliation", get(views_ops::reconciliation))
        .route(
            "/reconciliation/export",
            get(views_ops::reconciliation_export),
        )
        .route("/dry-run", get(views_dry_run::dry_run))
        .route("/charts", get(views_charts::charts))
        .route("/audit", get(views_audit::audit))
        .route("/jobs", get(views_ops::jobs))
        .route("/jobs/replay", post(views_ops::jobs_replay_bulk))
        .route("/jobs/{id}/replay", post(views_ops::job_replay))
        .route("/logout", post(guard::logout))
        .route("/metrics", get(probes::metrics))
        .merge(api::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_auth,
        ));
    let public = Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .route("/login", get(guard::login_page).post(guard::login))
        .route("/static/{file}", get(assets::serve));
    protected
        .merge(public)
        .fallback(views::not_found)
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            guard::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::access_log,
        ))
        .with_state(state)
}
