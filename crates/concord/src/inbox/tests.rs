//! The CLI commands against a fresh SQLite store: what a person sees in each format.

use super::actions::Action;
use super::{exceptions, jobs, report_out, ExceptionQuery, ListFormat, ReportFormat};
use concord_core::catalogue::ExceptionKind;
use concord_store::{CallFilter, ExceptionStatus, NewCall, NewException, NewJob, Store};

async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    (
        Store::connect(&url, concord_core::Clock::real())
            .await
            .unwrap(),
        dir,
    )
}

async fn raise(store: &Store, kind: ExceptionKind, subject: &str, refs: Vec<i64>) -> i64 {
    let ex = NewException {
        kind,
        owner: kind.default_owner(),
        subject: subject.into(),
        fingerprint: format!("{kind}:{subject}"),
        explanation: format!("{kind}, on {subject}"),
        suggested_action: kind.suggested_action().into(),
        payload_refs: refs,
    };
    store.raise(&ex).await.unwrap().id
}

fn out() -> Vec<u8> {
    Vec::new()
}

fn s(buf: Vec<u8>) -> String {
    String::from_utf8(buf).unwrap()
}

#[tokio::test]
async fn exceptions_list_filters_by_owner_in_every_format() {
    let (store, _dir) = store().await;
    raise(&store, ExceptionKind::SkuUnknown, "order:1", vec![]).await;
    raise(&store, ExceptionKind::TaxMismatch, "order:2", vec![]).await;
    let finance = ExceptionQuery {
        owner: Some("finance".into()),
        ..Default::default()
    };

    let mut buf = out();
    exceptions::list(&store, &finance, ListFormat::Json, &mut buf)
        .await
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["kind"], "tax_mismatch");
    assert_eq!(rows[0]["explanation"], "tax_mismatch, on order:2");

    let mut buf = out();
    exceptions::list(&store, &finance, ListFormat::Csv, &mut buf)
        .await
        .unwrap();
    let csv = s(buf);
    assert!(csv.starts_with("id,kind,owner,subject,status"));
    assert!(csv.contains("\"tax_mismatch, on order:2\""), "{csv}");

    let mut buf = out();
    exceptions::list(
        &store,
        &ExceptionQuery::default(),
        ListFormat::Table,
        &mut buf,
    )
    .await
    .unwrap();
    let table = s(buf);
    assert!(table.starts_with("ID  OWNER"), "{table}");
    assert!(table.contains("sku_unknown") && table.contains("tax_mismatch"));
}

#[tokio::test]
async fn show_explains_the_exception_with_its_payloads_and_audit_trail() {
    let (store, _dir) = store().await;
    let call = NewCall {
        system: "cin7".into(),
        method: "GET".into(),
        path: "/product?sku=AB-1".into(),
        status: Some(200),
        response: Some("{\"Products\":[]}".into()),
        subject: Some("order:1".into()),
        ..Default::default()
    };
    store.log_call(call).await.unwrap();
    let call_id = store.calls(&CallFilter::default()).await.unwrap()[0].id;
    let id = raise(&store, ExceptionKind::SkuUnknown, "order:1", vec![call_id]).await;
    let mut buf = out();
    exceptions::act(&store, id, Action::Ack, Some("looking"), &mut buf)
        .await
        .unwrap();
    assert!(s(buf).contains("acknowledged"));

    let mut buf = out();
    exceptions::show(&store, id, &mut buf).await.unwrap();
    let text = s(buf);
    assert!(text.contains("Create the product in Cin7"), "{text}");
    assert!(
        text.contains("/product?sku=AB-1") && text.contains("{\"Products\":[]}"),
        "{text}"
    );
    assert!(text.contains("acknowledged: looking"), "{text}");
}

#[tokio::test]
async fn acting_on_a_missing_exception_is_an_error() {
    let (store, _dir) = store().await;
    let err = exceptions::act(&store, 99, Action::Resolve, None, &mut out())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no exception with id 99"));
}

#[tokio::test]
async fn retrying_a_non_order_exception_replays_its_dead_job() {
    let (store, _dir) = store().await;
    let id = raise(&store, ExceptionKind::HierarchyDrift, "customer:7", vec![]).await;
    let job = store
        .enqueue(NewJob::new(
            "customer.sync",
            "customer:7:v1",
            serde_json::json!({}),
        ))
        .await
        .unwrap()
        .unwrap();
    let claimed = store
        .claim("w", 1, std::time::Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(claimed[0].id, job);
    store
        .fail(
            job,
            "w",
            &concord_core::retry::Failure::Fatal("boom".into()),
        )
        .await
        .unwrap();

    let mut buf = out();
    exceptions::retry(&store, id, &mut buf).await.unwrap();
    assert!(s(buf).contains(&format!("Dead job {job} is back")));
    let audit = store.audit_log(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "retried" && a.target == format!("exception:{id}")));
}

#[tokio::test]
async fn jobs_retry_refuses_a_job_that_is_not_dead_and_replay_counts() {
    let (store, _dir) = store().await;
    let job = store
        .enqueue(NewJob::new(
            "order.sync",
            "order:1:a",
            serde_json::json!({}),
        ))
        .await
        .unwrap()
        .unwrap();
    let err = jobs::retry(&store, job.0, &mut out()).await.unwrap_err();
    assert!(err.to_string().contains("not dead"), "{err}");
    let mut buf = out();
    jobs::replay(
        &store,
        Some("order.sync"),
        Some("2020-01-01"),
        None,
        &mut buf,
    )
    .await
    .unwrap();
    assert_eq!(s(buf).trim(), "0 dead job(s) are back in the queue.");
    let mut buf = out();
    jobs::list(&store, Some("queued"), None, ListFormat::Table, &mut buf)
        .await
        .unwrap();
    assert!(s(buf).contains("order.sync"));
}

#[tokio::test]
async fn the_report_degrades_gracefully_without_a_reconciliation() {
    let (store, _dir) = store().await;
    let mut buf = out();
    report_out::report(&store, Some("2025-03"), ReportFormat::Csv, &mut buf)
        .await
        .unwrap();
    let csv = s(buf);
    assert!(
        csv.ends_with("close,2025-03,,,,not_ready,no reconciliation has run yet,,,,\r\n"),
        "{csv}"
    );
    let mut buf = out();
    report_out::report(&store, Some("2025-03"), ReportFormat::Html, &mut buf)
        .await
        .unwrap();
    assert!(s(buf).contains("No reconciliation has run yet"));
    assert!(
        report_out::report(&store, Some("03/2025"), ReportFormat::Json, &mut out())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_report_lists_every_difference_once_with_totals_and_statuses() {
    let (store, _dir) = store().await;
    let report = serde_json::json!({"at": "2025-03-31T23:00:00Z", "orders_checked": 3, "sales_checked": 2,
        "discrepancies": [
            {"kind": "order_missing_in_cin7", "subject": "order:9", "detail": "no sale after 2 h"},
            {"kind": "order_total_mismatch", "subject": "order:5", "detail": "GBP 3.00 apart"}],
        "totals": {"GBP": {"oro": "123.00", "cin7": "120.00"}}, "orders_by_status": {"authorised": 2, "held": 1}});
    store
        .record_put("report", "latest", "done", &report)
        .await
        .unwrap();
    let id = raise(&store, ExceptionKind::OrderTotalMismatch, "order:5", vec![]).await;
    store
        .set_exception_status(id, ExceptionStatus::Acknowledged, "ann", None)
        .await
        .unwrap();

    let mut buf = out();
    report_out::report(&store, None, ReportFormat::Csv, &mut buf)
        .await
        .unwrap();
    let csv = s(buf);
    let differences: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("difference,"))
        .collect();
    assert_eq!(differences.len(), 2, "{csv}");
    assert!(csv.contains("order:5,finance,acknowledged"), "{csv}");
    assert!(
        csv.contains("order:9,operations,reported,no sale after 2 h"),
        "{csv}"
    );
    assert!(
        csv.contains("total,") && csv.contains("GBP,123.00,120.00,-3.00"),
        "{csv}"
    );
    assert!(csv.contains("orders,") && csv.contains(",held,"), "{csv}");

    let mut buf = out();
    report_out::report(&store, None, ReportFormat::Json, &mut buf)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(json["standing"], 2);
    assert_eq!(json["latest"]["orders_checked"], 3);
}
