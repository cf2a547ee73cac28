//! One layer in front of every route: scenario latency, outages, the optional WAF throttling, random 5xx, bearer-token checks
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
    } else if let Some(refusal) = firewall(&s, &path) {
        refusal
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

/// OroCloud's WAF (reference §9): a share of API requests refused with 429 or 503, an optional
/// `Retry-After` in seconds, and an empty body or the WAF's own HTML page, never JSON:API.
fn firewall(s: &Shared, path: &str) -> Option<Response> {
    use rand::Rng;
    if !path.starts_with("/admin/api") {
        return None;
    }
    let rule = s.with(|st, _| st.firewall.clone())?;
    let mut rng = rand::thread_rng();
    if !(rule.rate > 0.0 && rng.gen_bool(rule.rate.clamp(0.0, 1.0))) {
        return None;
    }
    let status = if rng.gen_bool(0.5) {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = if rule.html_body {
        format!("<html><head><title>{status}</title></head><body><h1>{status}</h1><p>Request rate limit exceeded.</p></body></html>")
    } else {
        String::new()
    };
    let mut response = (status, body).into_response();
    if rule.html_body {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    if let Some(seconds) = rule.retry_after_s {
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    Some(response)
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
