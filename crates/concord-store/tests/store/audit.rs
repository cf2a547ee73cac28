//! Conformance: the audit log reads back newest first, a page at a time, each entry once.

use crate::support::TestDb;

pub async fn audit_pages_run_newest_first_without_repeats_or_gaps(db: &TestDb) {
    let s = &db.store;
    for i in 1..=5 {
        let note = format!("entry {i}");
        s.audit(
            "Priya (finance)",
            "exported",
            &format!("report:{i}"),
            Some(&note),
        )
        .await
        .unwrap();
    }

    let first = s.audit_page(2, None).await.unwrap();
    let second = s.audit_page(2, first.last().map(|e| e.id)).await.unwrap();
    let third = s.audit_page(2, second.last().map(|e| e.id)).await.unwrap();

    let targets = |page: &[concord_store::AuditEntry]| -> Vec<String> {
        page.iter().map(|e| e.target.clone()).collect()
    };
    assert_eq!(targets(&first), ["report:5", "report:4"]);
    assert_eq!(targets(&second), ["report:3", "report:2"]);
    assert_eq!(targets(&third), ["report:1"]);
    assert_eq!(first[0].actor, "Priya (finance)");
    assert_eq!(first[0].note.as_deref(), Some("entry 5"));
    assert_eq!(
        s.audit_log(3).await.unwrap(),
        s.audit_page(3, None).await.unwrap()
    );
}
