//! The gate every API request passes before a handler: outage, gateway failures (an HTML 503, a
//! reset connection), auth, latency, rate limit (its signal per endpoint), injected errors, lost
//! responses, and the API log. Handlers stay pure state transitions.

use super::emulator::Inner;
use super::wire::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use concord_core::scenario::RateLimitSignal;
use rand::Rng;
use std::sync::Arc;

pub(crate) async fn gate(
    State(inner): State<Arc<Inner>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.to_ascii_lowercase().starts_with("/_emulator/") {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let response = screen(&inner, request, next).await;
    // A reset connection answers nothing: logged as status 0.
    let status = if response.extensions().get::<Reset>().is_some() {
        0
    } else {
        response.status().as_u16()
    };
    inner
        .log
        .record(&inner.clock, method.as_str(), &path, status);
    response
}

async fn screen(inner: &Inner, request: Request, next: Next) -> Response {
    if inner.outage.active(&inner.clock) {
        return ApiError::with_status(503, "Service Unavailable").into_response();
    }
    // Gateways stand in front of Cin7: the request never reaches it, so nothing is committed.
    if roll(inner.gateway.html_rate) {
        return gateway_page();
    }
    if roll(inner.gateway.reset_rate) {
        return reset_connection();
    }
    let path = request.uri().path().to_owned();
    if !authorised(inner, &request) {
        return ApiError::with_status(403, "Incorrect credentials. Check the api-auth-accountid and api-auth-applicationkey headers.")
            .into_response();
    }
    // Latency is spent before the limiter counts the call, so the call's log time and the time the
    // limiter saw it are the same instant.
    inner.dice.delay(&inner.clock).await;
    if !admit(inner) {
        return rate_limited(inner, &path);
    }
    if inner.dice.roll_error() {
        let status = [500, 502, 503][rand::thread_rng().gen_range(0..3)];
        return ApiError::with_status(
            status,
            "An unexpected error occurred. Please try again later.",
        )
        .into_response();
    }
    let write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::DELETE
    );
    let response = next.run(request).await;
    // The write is committed; only its answer is lost (the duplicate-sale trap). A dropped
    // connection cannot be produced cleanly from inside an axum handler, so a gateway error stands in.
    if write && response.status().is_success() && roll(inner.lost_response_rate) {
        let status = if rand::thread_rng().gen_bool(0.5) {
            502
        } else {
            504
        };
        return ApiError::with_status(status, "Gateway error: the upstream response was lost.")
            .into_response();
    }
    response
}

fn roll(rate: f64) -> bool {
    rate > 0.0 && rand::thread_rng().gen_bool(rate.clamp(0.0, 1.0))
}

fn authorised(inner: &Inner, request: &Request) -> bool {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let account =
        header("api-auth-accountid").is_some_and(|a| a.eq_ignore_ascii_case(&inner.account_id));
    let key = header("api-auth-applicationkey").is_some_and(|k| k == inner.application_key);
    account && key
}

/// Sliding 60-second window of accepted calls (stricter than a fixed window). Refused calls count
/// toward nothing. There is one application key, so one window.
fn admit(inner: &Inner) -> bool {
    let now = inner.clock.elapsed_s();
    let mut window = inner
        .window
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    while window.front().is_some_and(|t| *t <= now - 60.0) {
        window.pop_front();
    }
    if window.len() >= inner.limit.calls_per_minute as usize {
        return false;
    }
    window.push_back(now);
    true
}

/// The limit signal for this endpoint (scenario `cin7.rate_limit.by_endpoint`, else `signal`): 429
/// with `Retry-After: 60 Seconds` (non-RFC text, as seen live) unless the dice leave the header
/// out, the legacy 503, or the purchase-family 400; all with the same array body.
fn rate_limited(inner: &Inner, path: &str) -> Response {
    let message = format!(
        "You have reached {} calls per 60 seconds API limit.",
        inner.limit.calls_per_minute
    );
    match inner.limit.signal_for(path) {
        RateLimitSignal::TooManyRequests => {
            let mut response = ApiError::with_status(429, message).into_response();
            if !roll(inner.limit.retry_after_absent_rate) {
                response
                    .headers_mut()
                    .insert("Retry-After", HeaderValue::from_static("60 Seconds"));
            }
            response
        }
        RateLimitSignal::ServiceUnavailable => ApiError::with_status(503, message).into_response(),
        RateLimitSignal::BadRequestMessage => ApiError::with_status(400, message).into_response(),
    }
}

/// Gateway fault rates (scenario `cin7.faults.gateway_html_rate`, `connection_reset_rate`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GatewayFaults {
    pub html_rate: f64,
    pub reset_rate: f64,
}

/// Marks a response whose connection is cut, for the API log.
#[derive(Clone, Copy)]
struct Reset;

/// What a load balancer in front of Cin7 answers when the service behind it is down: an HTML page.
fn gateway_page() -> Response {
    let page = "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n<body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>\n";
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, page).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// The connection dies before any body arrives. From inside a handler the closest honest thing is
/// a body stream that fails at once: hyper then aborts the connection, and the client reads an
/// error where the body should be.
fn reset_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    response.extensions_mut().insert(Reset);
    response
}
