//! The audit page: admins only (viewers and operators get 403 and no link), newest first with the
//! actor's display name, and paged with `limit` and `before`.

use super::*;

async fn audit_entries(store: &Store, entries: &[(&str, &str, &str)]) {
    for (actor, action, target) in entries {
        store.audit(actor, action, target, None).await.unwrap();
    }
}

#[tokio::test]
async fn only_admins_read_the_audit_page_and_see_its_link() {
    let web = spawn().await;
    audit_entries(
        &web.store,
        &[
            ("Priya (finance)", "exported", "report:2026-11"),
            ("Ops lead", "replayed", "job:40"),
        ],
    )
    .await;

    for token in [VIEWER, OPERATOR] {
        assert_eq!(
            web.get("/audit", Some(token)).await.status(),
            StatusCode::FORBIDDEN
        );
        let page = text(web.get("/exceptions", Some(token)).await).await;
        assert!(!page.contains("href=\"/audit\""), "{page}");
    }
    assert_eq!(
        web.get("/audit", None).await.status(),
        StatusCode::SEE_OTHER,
        "a browser without a session is sent to sign in"
    );

    let resp = web.get("/audit", Some(ADMIN)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = text(resp).await;
    let newest = page.find("Ops lead").expect("the replay is listed");
    let older = page.find("Priya (finance)").expect("the export is listed");
    assert!(newest < older, "newest first: {page}");
    assert!(page.contains("replayed") && page.contains("report:2026-11"));
    let nav = text(web.get("/exceptions", Some(ADMIN)).await).await;
    assert!(nav.contains("href=\"/audit\""), "{nav}");
}

#[tokio::test]
async fn the_audit_page_is_read_a_page_at_a_time() {
    let web = spawn().await;
    let targets = ["job:1", "job:2", "job:3", "job:4", "job:5"];
    for t in targets {
        web.store
            .audit("Ops lead", "replayed", t, None)
            .await
            .unwrap();
    }
    let ids: Vec<i64> = web
        .store
        .audit_log(10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();

    let first = text(web.get("/audit?limit=2", Some(ADMIN)).await).await;
    assert!(
        first.contains("job:5") && first.contains("job:4"),
        "{first}"
    );
    assert!(!first.contains("job:3"), "{first}");
    let older = format!("/audit?limit=2&#38;before={}", ids[1]);
    assert!(first.contains(&older), "{first}");

    let next = format!("/audit?limit=2&before={}", ids[1]);
    let second = text(web.get(&next, Some(ADMIN)).await).await;
    assert!(
        second.contains("job:3") && second.contains("job:2"),
        "{second}"
    );
    assert!(
        !second.contains("job:4") && !second.contains("job:1"),
        "{second}"
    );

    let last = format!("/audit?limit=2&before={}", ids[3]);
    let third = text(web.get(&last, Some(ADMIN)).await).await;
    assert!(third.contains("job:1"), "{third}");
    assert!(
        !third.contains("Older entries"),
        "the last page links no further: {third}"
    );
}
