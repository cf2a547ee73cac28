//! The `/charts` page: orders, latency, Cin7 calls against the budget, stock freshness and open
//! exceptions by owner, each an inline SVG chart built on the server (see [`super::charts`]).

use super::charts::{build, ChartsView};
use super::error::PageError;
use super::view_parts::{respond, Chrome};
use super::{AppState, Principal};
use crate::inbox::format::time;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;

#[derive(Template)]
#[template(path = "charts.html")]
pub struct ChartsPage<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a ChartsView,
    pub refreshed: &'a str,
}

#[derive(Template)]
#[template(path = "charts_partial.html")]
pub struct ChartsPartial<'a> {
    pub chrome: &'a Chrome,
    pub v: &'a ChartsView,
    pub refreshed: &'a str,
}

pub async fn charts(
    State(app): State<AppState>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let v = build(&app).await?;
    let refreshed = time(app.store.clock().now());
    let chrome = Chrome::new(&who, "Charts", "charts");
    respond(
        &headers,
        &ChartsPage {
            chrome: &chrome,
            v: &v,
            refreshed: &refreshed,
        },
        &ChartsPartial {
            chrome: &chrome,
            v: &v,
            refreshed: &refreshed,
        },
    )
}
