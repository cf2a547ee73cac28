//! The dry-run page: every write a dry run held back (`concord run --dry-run`), newest last, with
//! what was held back per kind and each payload whole behind a click.

use super::error::PageError;
use super::view_parts::{respond, Chrome};
use super::{AppState, Principal};
use crate::inbox::format::time_s;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use concord_store::{DryRunFilter, DryRunWrite};

/// Writes shown on the page; `concord dryrun list` gives every one.
const PAGE_ROWS: u32 = 500;

pub struct WriteRow {
    pub id: i64,
    pub at: String,
    pub system: String,
    pub kind: String,
    pub subject: String,
    pub request: String,
    pub payload: String,
}

impl WriteRow {
    fn new(w: &DryRunWrite) -> Self {
        let pretty = |v: &serde_json::Value| {
            serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
        };
        WriteRow {
            id: w.id,
            at: time_s(w.at),
            system: w.system.clone(),
            kind: w.kind.clone(),
            subject: w.subject.clone().unwrap_or_default(),
            request: format!("{} {}", w.method, w.path),
            payload: w.payload.as_ref().map(pretty).unwrap_or_default(),
        }
    }
}

pub struct DryRunView {
    /// (system, kind, count), for the summary line.
    pub counts: Vec<(String, String, i64)>,
    pub rows: Vec<WriteRow>,
    pub total: i64,
}

#[derive(Template)]
#[template(path = "dry_run.html")]
pub struct DryRunPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a DryRunView,
}

#[derive(Template)]
#[template(path = "dry_run_partial.html")]
pub struct DryRunPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a DryRunView,
}

pub async fn dry_run(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let counts = app.store.dry_run_counts().await?;
    let filter = DryRunFilter {
        limit: PAGE_ROWS,
        ..DryRunFilter::default()
    };
    let writes = app.store.dry_run_writes(&filter).await?;
    let v = DryRunView {
        total: counts.iter().map(|(_, _, n)| n).sum(),
        counts,
        rows: writes.iter().map(WriteRow::new).collect(),
    };
    let chrome = Chrome::new(&who, "Dry run", "dry-run");
    respond(
        &headers,
        &DryRunPage {
            chrome: &chrome,
            v: &v,
        },
        &DryRunPartial {
            chrome: &chrome,
            v: &v,
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::web::{hash_token, router, Role, WebState};
    use axum::body::{to_bytes, Body};
    use axum::http::{header, Request, StatusCode};
    use concord_store::{NewDryRunWrite, Store};
    use tower::ServiceExt;

    #[tokio::test]
    async fn the_page_lists_each_held_back_write_with_its_payload() {
        let store = Store::connect("sqlite::memory:", concord_core::Clock::real())
            .await
            .unwrap();
        let write = NewDryRunWrite {
            system: "cin7".into(),
            kind: "sale".into(),
            method: "POST".into(),
            path: "/sale".into(),
            subject: Some("order:1001".into()),
            payload: Some(serde_json::json!({"ExternalID": "1001", "Note": "<b>"})),
            answer: serde_json::json!({"ID": "dryrun-1"}),
        };
        store.dry_run_record(&write).await.unwrap();
        let tokens = vec![(hash_token("viewer-token-123"), Role::Viewer)];
        let app = router(WebState::new(store, tokens, WebState::no_health(), vec![]));
        let req = Request::get("/dry-run")
            .header(header::AUTHORIZATION, "Bearer viewer-token-123")
            .body(Body::empty())
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html =
            String::from_utf8(to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert!(html.contains("1 write(s) held back, none sent"), "{html}");
        assert!(html.contains("cin7 sale 1"), "{html}");
        assert!(
            html.contains(r#"<a href="/orders/1001">order:1001</a>"#),
            "{html}"
        );
        assert!(
            html.contains("&#34;ExternalID&#34;: &#34;1001&#34;"),
            "{html}"
        );
        // Payloads are escaped, never markup.
        assert!(!html.contains("<b>"), "{html}");
    }
}
