//! One layer in front of every route: scenario latency, outages, random 5xx, bearer-token checks
//! for `/admin/api`, the `Accept` check, and the API log entry with the final status. Handlers
//! therefore only ever see requests that a healthy, authenticated Oro would process.

use super::jsonapi::{ApiError, MEDIA_TYPE};
use super::state::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn guard(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_emulator/") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    s.dice.delay(&s.clock).await;
    let response = if s.outage.active(&s.clock) {
        // OroCloud's edge answers an unavailable instance with 503.
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service unavailable http exception",
            "The service is temporarily unavailable.",
        )
        .into_response()
    } else if s.dice.roll_error() {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal server error",
            "An unexpected error occurred.",
        )
        .into_response()
    } else if path.starts_with("/admin/api") && !authorized(&s, req.headers()) {
        // §2.1: 401 with an empty body, and the OAuth entry point's challenge.
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
        )
            .into_response()
    } else if path.starts_with("/admin/api") && !accepts_json_api(req.headers()) {
        // Without the JSON:API media type Oro switches to plain REST; that variant is not emulated.
        let body = serde_json::json!([{"title": "not acceptable http exception",
            "detail": "Only JSON representation of the requested resource is supported."}]);
        (
            StatusCode::NOT_ACCEPTABLE,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    } else {
        next.run(req).await
    };
    s.log
        .record(&s.clock, &method, &path, response.status().as_u16());
    response
}

fn authorized(s: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return false;
    }
    let token = token.trim().to_owned();
    s.with(|st, now| {
        st.tokens.retain(|_, expires| *expires > now.s);
        st.tokens.contains_key(&token)
    })
}

fn accepts_json_api(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept
        .split(',')
        .map(|p| p.split(';').next().unwrap_or("").trim())
        .any(|m| m == MEDIA_TYPE || m == "*/*" || m == "application/*")
}
