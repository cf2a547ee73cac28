//! Order polls that pile up behind one another (stock syncs and lowerings poll around each write)
//! share a read that started after they were asked for, and never one that started before.

use super::{poll, BACKLOG_CHECKED};
use crate::app::{build_context, Connections};
use crate::config::{Rules, Schedule};
use crate::connectors::cin7::Cin7Settings;
use crate::connectors::oro::OroSettings;
use crate::sync::context::Context;
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn context(server: &MockServer, dir: &tempfile::TempDir) -> Context {
    let store = concord_store::Store::connect(
        &format!("sqlite://{}", dir.path().join("c.db").display()),
        concord_core::Clock::real(),
    )
    .await
    .unwrap();
    let connections = Connections {
        oro: OroSettings {
            base_url: server.uri(),
            client_id: "i".into(),
            client_secret: SecretString::from("s"),
            timeout: Duration::from_secs(30),
        },
        cin7: Cin7Settings {
            base_url: server.uri(),
            account_id: "a".into(),
            application_key: SecretString::from("k"),
            timeout: Duration::from_secs(5),
        },
        cin7_calls_per_minute: 55,
    };
    build_context(store, connections, Rules::default(), Schedule::default()).unwrap()
}

#[tokio::test]
async fn a_poll_asked_for_during_another_reads_again_and_later_askers_share_that_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "tok"}),
        ))
        .mount(&server)
        .await;
    // Each read takes 400 ms, so later polls are asked for while one is in flight.
    Mock::given(method("GET"))
        .and(path("/admin/api/orders"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/vnd.api+json")
                .set_body_json(json!({"data": []}))
                .set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&server, &dir).await;
    ctx.store
        .cursor_set(BACKLOG_CHECKED, "2026-11-02T08:00:00Z")
        .await
        .unwrap();

    let first = tokio::spawn({
        let ctx = ctx.clone();
        async move { poll(&ctx).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Asked for after the first read started: it may have missed what these want, so one of
    // them reads again, and the other shares that read.
    let second = tokio::spawn({
        let ctx = ctx.clone();
        async move { poll(&ctx).await }
    });
    let third = tokio::spawn({
        let ctx = ctx.clone();
        async move { poll(&ctx).await }
    });
    for task in [first, second, third] {
        assert_eq!(task.await.unwrap().unwrap(), 0);
    }
    let reads = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/admin/api/orders")
        .count();
    assert_eq!(
        reads, 2,
        "three polls, the last two asked during the first: two reads"
    );

    // Asked for after every read so far: a poll of its own.
    poll(&ctx).await.unwrap();
    let reads = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/admin/api/orders")
        .count();
    assert_eq!(reads, 3);
}
