//! Order polls that pile up behind one another (stock syncs and lowerings poll around each write)
//! share a read that started after they were asked for, and never one that started before.

use super::{poll, Reach, BACKLOG_CHECKED, CURSOR};
use crate::sync::context::Context;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn context(server: &MockServer, dir: &tempfile::TempDir) -> Context {
    crate::sync::test_context::against(server, dir, crate::config::Rules::default()).await
}

async fn mount_token_and_orders(server: &MockServer, delay: Duration) {
    Mock::given(method("POST"))
        .and(path("/oauth2-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "tok"}),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/api/orders"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/vnd.api+json")
                .set_body_json(json!({"data": []}))
                .set_delay(delay),
        )
        .mount(server)
        .await;
}

/// The `filter[updatedAt][gte]` of each order read, in order.
async fn order_reads_since(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == "/admin/api/orders")
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "filter[updatedAt][gte]")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// A context whose backlog check is done, so each poll is one order read.
async fn polling_context(server: &MockServer) -> (Context, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(server, &dir).await;
    ctx.store
        .cursor_set(BACKLOG_CHECKED, "2026-11-02T08:00:00Z")
        .await
        .unwrap();
    (ctx, dir)
}

fn spawn_poll(
    ctx: &Context,
    reach: Reach,
) -> tokio::task::JoinHandle<Result<usize, crate::sync::context::FlowError>> {
    let ctx = ctx.clone();
    tokio::spawn(async move { poll(&ctx, reach).await })
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
    // Each read takes 400 ms, so later polls are asked for while one is in flight.
    mount_token_and_orders(&server, Duration::from_millis(400)).await;
    let (ctx, _dir) = polling_context(&server).await;

    let first = spawn_poll(&ctx, Reach::Recent);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Asked for after the first read started: it may have missed what these want, so one of
    // them reads again, and the other shares that read.
    let second = spawn_poll(&ctx, Reach::Recent);
    let third = spawn_poll(&ctx, Reach::Recent);
    for task in [first, second, third] {
        assert_eq!(task.await.unwrap().unwrap(), 0);
    }
    let reads = order_reads(&server).await;
    assert_eq!(
        reads, 2,
        "three polls, the last two asked during the first: two reads"
    );

    // Asked for after every read so far: a poll of its own.
    poll(&ctx, Reach::Recent).await.unwrap();
    let reads = order_reads(&server).await;
    assert_eq!(reads, 3);
}

#[tokio::test]
async fn a_sweep_reads_back_over_the_overlap_and_a_recent_poll_from_the_cursor_second() {
    let server = MockServer::start().await;
    mount_token_and_orders(&server, Duration::ZERO).await;
    let (ctx, _dir) = polling_context(&server).await;
    ctx.store
        .cursor_set(CURSOR, "2026-11-02T09:00:00Z")
        .await
        .unwrap();
    let overlap = chrono::Duration::seconds(ctx.schedule.poll_overlap_s as i64);
    let swept_from = (chrono::DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z").unwrap()
        - overlap)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();

    poll(&ctx, Reach::Recent).await.unwrap();
    poll(&ctx, Reach::Sweep).await.unwrap();
    assert_eq!(
        order_reads_since(&server).await,
        vec!["2026-11-02T09:00:00Z".to_owned(), swept_from]
    );
}

#[tokio::test]
async fn a_sweep_never_shares_a_recent_poll_but_a_recent_poll_shares_a_sweep() {
    let server = MockServer::start().await;
    mount_token_and_orders(&server, Duration::from_millis(400)).await;
    let (ctx, _dir) = polling_context(&server).await;
    let spawn = |reach| spawn_poll(&ctx, reach);
    // The poll lock is fair: waiting polls run in the order they asked.
    let first = spawn(Reach::Sweep);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let recent = spawn(Reach::Recent);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let sweep = spawn(Reach::Sweep);
    for task in [first, recent, sweep] {
        task.await.unwrap().unwrap();
    }
    // The recent poll read after the sweep was asked for, but did not look back over the overlap.
    assert_eq!(order_reads(&server).await, 3);

    let first = spawn(Reach::Sweep);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sweep = spawn(Reach::Sweep);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let recent = spawn(Reach::Recent);
    for task in [first, sweep, recent] {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        order_reads(&server).await,
        5,
        "the recent poll shared the sweep's read"
    );
}

#[tokio::test]
async fn a_first_sighting_never_overwrites_the_record_a_job_saved_while_it_looked() {
    use crate::sync::orders::record::{self, OrderRecord, OrderState};
    let server = MockServer::start().await;
    mount_token_and_orders(&server, Duration::ZERO).await;
    // Every other read (the order's products, customer and prices; Cin7's catalogue) is slow and
    // empty: a process just restarted works out an order's units while another syncs it.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/vnd.api+json")
                .set_body_json(json!({"data": [], "Products": [], "Total": 0, "Page": 1}))
                .set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let (ctx, _dir) = polling_context(&server).await;
    let order: crate::domain::OroOrder = serde_json::from_value(json!({
        "id": 1007, "identifier": "1007", "po_number": null, "customer_id": 3,
        "currency": "GBP", "internal_status": "open", "status": null, "shipping_status": null,
        "updated_at": "2026-11-02T09:00:00Z", "total": "10", "shipping_amount": "0",
        "shipping_tax": null, "tax_total": null, "lines": []
    }))
    .unwrap();

    let sighting = {
        let (ctx, order) = (ctx.clone(), order.clone());
        tokio::spawn(async move { super::record_first_sight(&ctx, &order).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut synced = OrderRecord::new(1007, 1.0);
    synced.state = OrderState::Authorised;
    synced.sale_id = Some("S-1007".into());
    record::save(&ctx.store, &synced).await.unwrap();
    let created = sighting.await.unwrap().unwrap();

    assert!(
        !created,
        "the record already existed when the sighting wrote"
    );
    let kept = record::load(&ctx.store, 1007).await.unwrap().unwrap();
    assert_eq!(kept.state, OrderState::Authorised);
    assert_eq!(kept.sale_id.as_deref(), Some("S-1007"));
}
