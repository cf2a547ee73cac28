//! Security tests of the dashboard: who reads payload bodies, sign-out (on every process),
//! sign-in throttling and auditing, HSTS and the `Secure` cookie behind TLS.

use super::*;
use concord_store::NewCall;

/// A logged call about order 1001 whose bodies name a buyer.
async fn log_buyer_call(store: &Store) {
    let call = NewCall {
        system: "oro".into(),
        method: "GET".into(),
        path: "/admin/api/orders/1001".into(),
        status: Some(200),
        request: Some(r#"{"email":"jane.buyer@example.com"}"#.into()),
        response: Some(r#"{"customerName":"Jane Buyer","street":"1 High St"}"#.into()),
        subject: Some("order:1001".into()),
        ..NewCall::default()
    };
    store.log_call(call.clone()).await.unwrap();
}

async fn csrf_of(web: &TestWeb, cookie: &str) -> String {
    let page = text(
        web.send(
            Request::get("/exceptions")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn sign_in_form(token: &str) -> Request<Body> {
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("token={token}&next=%2F")))
        .unwrap()
}

#[tokio::test]
async fn viewers_see_call_metadata_and_operators_see_bodies() {
    let web = spawn().await;
    log_buyer_call(&web.store).await;

    let as_viewer = json(web.get("/api/orders/1001", Some(VIEWER)).await).await;
    let call = &as_viewer["calls"][0];
    assert_eq!(call["path"], "/admin/api/orders/1001");
    assert_eq!(call["bodies_withheld"], true);
    assert!(!as_viewer.to_string().contains("Jane Buyer"), "{as_viewer}");
    let page = text(web.get("/orders/1001", Some(VIEWER)).await).await;
    assert!(!page.contains("Jane Buyer") && !page.contains("jane.buyer"));
    assert!(page.contains("Bodies are shown to operators and admins."));

    let as_operator = json(web.get("/api/orders/1001", Some(OPERATOR)).await).await;
    assert!(as_operator.to_string().contains("Jane Buyer"));
    let page = text(web.get("/orders/1001", Some(OPERATOR)).await).await;
    assert!(page.contains("Jane Buyer"));
}

/// Signs out through the dashboard's form, as the browser does.
async fn sign_out(web: &TestWeb, cookie: &str) {
    let csrf = csrf_of(web, cookie).await;
    let out = web
        .send(
            Request::post("/logout")
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_out_revokes_the_session_on_the_server_and_is_audited() {
    let web = spawn().await;
    let cookie = web.login(OPERATOR).await;
    sign_out(&web, &cookie).await;

    // A copy of the old cookie (kept by an attacker, or a second tab) no longer works.
    let again = web
        .send(
            Request::get("/api/exceptions")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let actions: Vec<String> = web
        .store
        .audit_log(10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(actions.contains(&"signed_out".to_string()), "{actions:?}");
    assert!(actions.contains(&"signed_in".to_string()), "{actions:?}");
}

#[tokio::test]
async fn failed_sign_ins_are_audited_and_then_throttled() {
    let web = spawn().await;
    for _ in 0..throttle::FAILURES_PER_MINUTE {
        let resp = web.send(sign_in_form("guessed-token")).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }

    // Even the right token waits once the address is over the limit.
    let resp = web.send(sign_in_form(OPERATOR)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key(header::RETRY_AFTER));
    let log = web.store.audit_log(20).await.unwrap();
    let failed = log.iter().filter(|a| a.action == "sign_in_failed").count();
    assert_eq!(failed, throttle::FAILURES_PER_MINUTE as usize);
    assert!(log.iter().any(|a| a.action == "sign_in_throttled"));
    assert!(
        !log.iter()
            .any(|a| a.note.as_deref().unwrap_or("").contains("guessed")),
        "a presented token never reaches the audit log"
    );
}

#[tokio::test]
async fn behind_tls_the_cookie_is_secure_and_hsts_is_sent() {
    let plain = spawn().await;
    let resp = plain.get("/healthz", None).await;
    assert!(!resp
        .headers()
        .contains_key(header::STRICT_TRANSPORT_SECURITY));

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let store = Store::connect(&url, concord_core::Clock::real())
        .await
        .unwrap();
    let state = WebState::new(
        store,
        vec![(hash_token(ADMIN), Role::Admin)],
        WebState::no_health(),
        vec![],
    )
    .with_secure_cookies(true);
    let web = TestWeb {
        router: router(state),
        store: plain.store.clone(),
        _dir: dir,
    };
    let resp = web.get("/healthz", None).await;
    let hsts = resp.headers()[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age="), "{hsts}");
    let resp = web.send(sign_in_form(ADMIN)).await;
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn an_export_is_audited_with_the_tokens_name() {
    let web = spawn().await;
    let resp = web
        .get("/reconciliation/export?format=csv", Some(VIEWER))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let log = web.store.audit_log(5).await.unwrap();
    let export = log
        .iter()
        .find(|a| a.action == "exported")
        .expect("audited");
    assert!(export.actor.starts_with("token-"), "{}", export.actor);
    assert_eq!(export.note.as_deref(), Some("format csv"));
}

#[tokio::test]
async fn readyz_fails_while_an_engine_worker_is_down_and_shows_the_queue() {
    let web = spawn().await;
    let ok = json(web.get("/readyz", None).await).await;
    assert_eq!(ok["ready"], true);
    assert!(ok["queue"]["dead"].is_u64(), "{ok}");

    let board = std::sync::Arc::new(crate::engine::supervise::WorkerBoard::default());
    board.expect(2);
    let state =
        WebState::new(web.store.clone(), vec![], WebState::no_health(), vec![]).with_workers(board);
    let down = router(state)
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = json(down).await;
    assert_eq!(body["workers"]["alive"], 0);
    assert_eq!(body["workers"]["expected"], 2);
}

/// Two Concord processes behind one load balancer share the store and the session key: signing
/// out on one ends the session on the other too.
#[tokio::test]
async fn a_sign_out_on_one_process_ends_the_session_on_every_process() {
    let first = spawn().await;
    let key = [7u8; 32];
    let process = |store: &Store| TestWeb {
        router: router(test_state(store).with_session_key(key)),
        store: store.clone(),
        _dir: tempfile::tempdir().unwrap(),
    };
    let (one, two) = (process(&first.store), process(&first.store));
    let cookie = one.login(OPERATOR).await;
    let read = || {
        Request::get("/api/exceptions")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(two.send(read()).await.status(), StatusCode::OK);

    sign_out(&one, &cookie).await;

    assert_eq!(two.send(read()).await.status(), StatusCode::UNAUTHORIZED);
}
