//! The dashboard's static files, compiled into the binary: no CDN, nothing fetched at run time.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// htmx 2.0.11, vendored from the npm package `htmx.org` (`dist/htmx.min.js`).
const HTMX: &str = include_str!("../../static/htmx.min.js");
const CSS: &str = include_str!("../../static/concord.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");
pub const OPENAPI: &str = include_str!("../../static/openapi.json");

pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, mime) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "concord.css" => (CSS, "text/css; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        "openapi.json" => (OPENAPI, "application/json"),
        _ => return (StatusCode::NOT_FOUND, "no such file").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
