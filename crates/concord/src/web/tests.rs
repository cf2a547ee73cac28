//! API and dashboard tests through the router, on a fresh SQLite store per test.

use super::*;
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use concord_core::catalogue::ExceptionKind;
use concord_store::{ExceptionStatus, NewException, Store};
use tower::ServiceExt;

const VIEWER: &str = "viewer-token";
const OPERATOR: &str = "operator-token";
const ADMIN: &str = "admin-token";

struct TestWeb {
    router: Router,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn spawn() -> TestWeb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let store = Store::connect(&url, concord_core::Clock::real())
        .await
        .unwrap();
    TestWeb {
        router: router(test_state(&store)),
        store,
        _dir: dir,
    }
}

/// The dashboard's state over `store`, with the three test tokens and a healthy Cin7.
fn test_state(store: &Store) -> WebState {
    let tokens = vec![
        (hash_token(VIEWER), Role::Viewer),
        (hash_token(OPERATOR), Role::Operator),
        (hash_token(ADMIN), Role::Admin),
    ];
    let health: HealthCheck = Arc::new(|| {
        Box::pin(async {
            vec![Health {
                system: "cin7",
                ok: true,
                detail: "reachable".into(),
            }]
        })
    });
    WebState::new(
        store.clone(),
        tokens,
        health,
        vec![("cin7-main".into(), 60)],
    )
}

async fn raise(store: &Store, kind: ExceptionKind, subject: &str) -> i64 {
    let ex = NewException {
        kind,
        owner: kind.default_owner(),
        subject: subject.into(),
        fingerprint: format!("{kind}:{subject}"),
        explanation: format!("{kind} on {subject}"),
        suggested_action: kind.suggested_action().into(),
        payload_refs: vec![],
    };
    store.raise(&ex).await.unwrap().id
}

impl TestWeb {
    async fn send(&self, req: Request<Body>) -> Response {
        self.router.clone().oneshot(req).await.unwrap()
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, token: &str, body: &str) -> Response {
        let req = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Signs in through the login form and returns the session cookie.
    async fn login(&self, token: &str) -> String {
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={token}&next=%2Fexceptions")))
            .unwrap();
        let resp = self.send(req).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let cookie = resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        cookie.split(';').next().unwrap().to_string()
    }
}

async fn text(resp: Response) -> String {
    String::from_utf8(to_bytes(resp.into_body(), 10 << 20).await.unwrap().to_vec()).unwrap()
}

async fn json(resp: Response) -> serde_json::Value {
    serde_json::from_str(&text(resp).await).unwrap()
}

#[tokio::test]
async fn api_calls_without_a_token_get_401() {
    let web = spawn().await;
    let resp = web.get("/api/exceptions", None).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        web.get("/api/exceptions", Some("wrong")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        web.get("/metrics", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_lists_exceptions_as_json_with_a_token() {
    let web = spawn().await;
    raise(&web.store, ExceptionKind::SkuUnknown, "order:1001").await;
    let resp = web
        .get("/api/exceptions?owner=ecommerce", Some(VIEWER))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = json(resp).await;
    let first = &body.as_array().unwrap()[0];
    assert_eq!(first["kind"], "sku_unknown");
    assert_eq!(first["owner"], "ecommerce");
    assert_eq!(first["subject"], "order:1001");
    assert_eq!(first["status"], "open");
    for field in ["occurrences", "first_seen", "last_seen", "explanation"] {
        assert!(first.get(field).is_some(), "{field} missing");
    }
}

#[tokio::test]
async fn a_viewer_cannot_resolve_an_exception() {
    let web = spawn().await;
    let id = raise(&web.store, ExceptionKind::TaxMismatch, "order:7").await;
    let resp = web
        .post(&format!("/api/exceptions/{id}/resolve"), VIEWER, "")
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        web.store.exception(id).await.unwrap().unwrap().status,
        ExceptionStatus::Open
    );
}

#[tokio::test]
async fn resolving_moves_an_exception_out_of_the_open_list_and_audits_it() {
    let web = spawn().await;
    let id = raise(&web.store, ExceptionKind::TaxMismatch, "order:7").await;
    let resp = web
        .post(
            &format!("/api/exceptions/{id}/resolve"),
            OPERATOR,
            r#"{"note":"totals fixed in Oro"}"#,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json(resp).await["status"], "resolved");
    let open = json(web.get("/api/exceptions?status=open", Some(VIEWER)).await).await;
    assert!(open.as_array().unwrap().is_empty(), "{open}");
    let audit = web.store.audit_log(10).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.target == format!("exception:{id}"))
        .unwrap();
    assert_eq!(entry.action, "resolved");
    assert_eq!(entry.note.as_deref(), Some("totals fixed in Oro"));
    assert!(entry.actor.starts_with("token-"));
}

#[tokio::test]
async fn retrying_an_order_exception_queues_an_order_sync() {
    let web = spawn().await;
    let id = raise(&web.store, ExceptionKind::SkuUnknown, "order:1001").await;
    let resp = web
        .post(&format!("/api/exceptions/{id}/retry"), OPERATOR, "")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let jobs = web
        .store
        .list_jobs(&concord_store::JobFilter::default())
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "order.sync");
    assert_eq!(jobs[0].payload["order_id"], 1001);
    assert_eq!(jobs[0].priority, 10);
}

#[tokio::test]
async fn replaying_a_job_needs_the_admin_role() {
    let web = spawn().await;
    let resp = web.post("/api/jobs/1/replay", OPERATOR, "").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = web.post("/api/jobs/1/replay", ADMIN, "").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let web = spawn().await;
    let id = raise(&web.store, ExceptionKind::StockDrift, "sku:AB-1").await;
    let cookie = web.login(OPERATOR).await;
    let form = |body: String| {
        Request::post(format!("/exceptions/{id}"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let resp = web
        .send(form("action=resolve&back=%2Fexceptions".into()))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        web.store.exception(id).await.unwrap().unwrap().status,
        ExceptionStatus::Open
    );

    // The inbox page carries the session's token; posting it works.
    let page = text(
        web.send(
            Request::get("/exceptions")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let resp = web
        .send(form(format!(
            "csrf={csrf}&action=resolve&back=%2Fexceptions"
        )))
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        web.store.exception(id).await.unwrap().unwrap().status,
        ExceptionStatus::Resolved
    );
}

#[tokio::test]
async fn healthz_answers_without_a_token_and_metrics_are_concord_prefixed() {
    let web = spawn().await;
    assert_eq!(web.get("/healthz", None).await.status(), StatusCode::OK);
    assert_eq!(web.get("/readyz", None).await.status(), StatusCode::OK);
    let resp = web.get("/metrics", Some(VIEWER)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = text(resp).await;
    assert!(body.contains("concord_queue_jobs"), "{body}");
    assert!(body.contains("concord_exceptions_open"));
    assert!(body.contains("concord_rate_budget_used"));
}

#[tokio::test]
async fn every_page_renders_in_full_and_as_an_htmx_partial() {
    let web = spawn().await;
    raise(&web.store, ExceptionKind::SkuUnknown, "order:1001").await;
    web.store
        .record_put("order", "1001", "held", &serde_json::json!({"po": "PO-1"}))
        .await
        .unwrap();
    web.store
        .record_put(
            "stock",
            "AB-1",
            "synced",
            &serde_json::json!({"sellable": 4}),
        )
        .await
        .unwrap();
    let report = serde_json::json!({"at": "2025-03-31T23:00:00Z", "orders_checked": 3, "sales_checked": 2,
        "discrepancies": [{"kind": "order_missing_in_cin7", "subject": "order:9", "detail": "no sale"}],
        "totals": {"GBP": {"oro": "123.00", "cin7": "120.00"}}, "orders_by_status": {"authorised": 2}});
    web.store
        .record_put("report", "latest", "done", &report)
        .await
        .unwrap();
    for path in [
        "/",
        "/exceptions",
        "/exceptions/1",
        "/orders",
        "/orders/1001",
        "/stock",
        "/reconciliation",
        "/jobs",
    ] {
        let full = web.get(path, Some(VIEWER)).await;
        assert_eq!(full.status(), StatusCode::OK, "{path}");
        assert!(full.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'self'"));
        assert_eq!(full.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert!(text(full).await.contains("<html"), "{path}");
        let req = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {VIEWER}"))
            .header("HX-Request", "true")
            .body(Body::empty())
            .unwrap();
        let partial = text(web.send(req).await).await;
        assert!(!partial.contains("<html"), "{path} partial is a full page");
    }
    let recon = text(web.get("/reconciliation", Some(VIEWER)).await).await;
    assert!(
        recon.contains("order:9") && recon.contains("-3.00"),
        "{recon}"
    );
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_the_login_form() {
    let web = spawn().await;
    let resp = web.get("/exceptions", None).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()[header::LOCATION],
        "/login?next=%2Fexceptions"
    );
    assert_eq!(web.get("/login", None).await.status(), StatusCode::OK);
    assert_eq!(
        web.get("/static/htmx.min.js", None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let web = spawn().await;
    let doc = json(web.get("/api/openapi.json", Some(VIEWER)).await).await;
    for path in [
        "/api/exceptions",
        "/api/exceptions/{id}",
        "/api/exceptions/{id}/{action}",
        "/api/orders/{id}",
        "/api/jobs",
        "/api/jobs/{id}/replay",
        "/api/health",
        "/api/reconciliation",
        "/api/root-causes",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert_eq!(doc["openapi"], "3.0.3");
}

#[tokio::test]
async fn root_causes_lead_the_overview_and_the_inbox_reads_by_cause() {
    let web = spawn().await;
    for (order, detail) in [(7, "sku:MUG"), (8, "sku:MUG"), (9, "unit:TEE:pallet")] {
        let kind = if detail.starts_with("sku") {
            ExceptionKind::SkuUnknown
        } else {
            ExceptionKind::UnitUnmapped
        };
        let subject = format!("order:{order}");
        let ex = NewException {
            kind,
            owner: kind.default_owner(),
            subject: subject.clone(),
            fingerprint: format!("{kind}|{subject}|{detail}"),
            explanation: "held".into(),
            suggested_action: kind.suggested_action().into(),
            payload_refs: vec![],
        };
        web.store.raise(&ex).await.unwrap();
    }
    let body = json(web.get("/api/root-causes", Some(VIEWER)).await).await;
    let keys: Vec<&str> = body["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["sku:MUG", "unit:TEE:pallet"]);
    assert_eq!(
        body["causes"][0]["subjects"],
        serde_json::json!(["order:7", "order:8"])
    );
    assert!(
        body["headline"]
            .as_str()
            .unwrap()
            .starts_with("2 things to fix"),
        "{body}"
    );
    let cookie = web.login(VIEWER).await;
    let page = |path: &'static str| {
        Request::get(path)
            .header("cookie", cookie.clone())
            .body(Body::empty())
            .unwrap()
    };
    let overview = text(web.send(page("/")).await).await;
    assert!(overview.contains("2 things to fix"), "{overview}");
    assert!(
        overview.contains("/exceptions?cause=sku%3AMUG"),
        "{overview}"
    );
    let inbox = text(web.send(page("/exceptions?cause=sku%3AMUG")).await).await;
    assert!(
        inbox.contains("order:7") && inbox.contains("order:8"),
        "{inbox}"
    );
    assert!(
        !inbox.contains("order:9"),
        "another cause's exception is listed: {inbox}"
    );
}
#[path = "tests_security.rs"]
mod security;

#[path = "tests_audit.rs"]
mod audit_page;

#[tokio::test]
async fn explanations_are_off_unless_configured_and_need_the_operator_role() {
    let web = spawn().await;

    let as_viewer = web
        .post("/api/root-causes/explain?key=sku:MUG", VIEWER, "")
        .await;
    let as_operator = web
        .post("/api/root-causes/explain?key=sku:MUG", OPERATOR, "")
        .await;

    assert_eq!(as_viewer.status(), StatusCode::FORBIDDEN);
    assert_eq!(as_operator.status(), StatusCode::NOT_FOUND);
    let body = json(as_operator).await;
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("explanations are off"),
        "{body}"
    );
}
