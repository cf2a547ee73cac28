//! Order polls that pile up behind one another (stock syncs and lowerings poll around each write)
//! share a read that started after they were asked for, and never one that started before.

use super::{poll, BACKLOG_CHECKED};
use crate::sync::context::Context;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn context(server: &MockServer, dir: &tempfile::TempDir) -> Context {
    crate::sync::test_context::against(server, dir, crate::config::Rules::default()).await
}

async fn order_reads(server: &MockServer) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == "/admin/api/orders")
        .count()
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
    let reads = order_reads(&server).await;
    assert_eq!(
        reads, 2,
        "three polls, the last two asked during the first: two reads"
    );

    // Asked for after every read so far: a poll of its own.
    poll(&ctx).await.unwrap();
    let reads = order_reads(&server).await;
    assert_eq!(reads, 3);
}
