//! The reconciliation of orders: entity drift and findings dropped for orders settled meanwhile.

use super::*;

#[tokio::test]
async fn an_order_synced_while_the_pass_ran_is_not_reported_missing() {
    let server = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = crate::sync::test_context::against(&server, &dir, Default::default()).await;
    let missing = |id: i64| Discrepancy {
        kind: "order_missing_in_cin7".into(),
        subject: format!("order:{id}"),
        detail: String::new(),
    };
    // 1 was synced by another worker after the pass read it; 2 is still only received.
    let mut synced = OrderRecord::new(1, 0.0);
    synced.state = OrderState::Authorised;
    synced.sale_id = Some("S-1".into());
    record::save(&ctx.store, &synced).await.unwrap();
    record::save(&ctx.store, &OrderRecord::new(2, 0.0))
        .await
        .unwrap();
    let drift = Discrepancy {
        kind: "hierarchy_drift".into(),
        subject: "customer:1".into(),
        detail: String::new(),
    };
    let mut found = vec![missing(1), missing(2), missing(3), drift];

    drop_synced_since_read(&ctx, &mut found).await.unwrap();

    let subjects: Vec<(&str, &str)> = found
        .iter()
        .map(|d| (d.kind.as_str(), d.subject.as_str()))
        .collect();
    assert_eq!(
        subjects,
        [
            ("order_missing_in_cin7", "order:2"),
            ("order_missing_in_cin7", "order:3"),
            ("hierarchy_drift", "customer:1"),
        ]
    );
}

#[test]
fn only_a_moved_entity_drifts_and_only_moved_or_new_ones_are_written() {
    let recorded = HashMap::from([
        ("1".to_owned(), "1".to_owned()),
        ("2".to_owned(), "1".to_owned()),
    ]);
    let now = vec![
        (1, "1".to_owned()),
        (2, "2".to_owned()),
        (3, "3".to_owned()),
    ];
    let (drifts, moved) = entity_changes(&now, &recorded);
    assert_eq!(drifts.len(), 1);
    assert_eq!(
        (drifts[0].kind.as_str(), drifts[0].subject.as_str()),
        ("hierarchy_drift", "customer:2")
    );
    assert!(drifts[0]
        .detail
        .contains("now billed to entity 2, previously 1"));
    assert_eq!(
        moved,
        vec![
            ("2".to_owned(), "2".to_owned()),
            ("3".to_owned(), "3".to_owned())
        ]
    );
}
