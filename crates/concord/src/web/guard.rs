//! The middleware in front of every protected route: a bearer token or a session cookie, then a
//! CSRF check on state-changing requests made with a cookie. Also the login form and the security
//! headers every response carries.

use super::auth::{csrf_matches, Keyring, Principal, SESSION_COOKIE, SESSION_HOURS};
use super::error::{ApiError, PageError, WebError};
use super::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::Extensions;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

/// Form bodies are read whole to find the CSRF field; none of ours comes near this.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// True for htmx requests that want a fragment (`HX-Request`), not boosted page loads.
pub fn wants_partial(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-boosted")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics"
}

fn authenticate(keys: &Keyring, headers: &HeaderMap, now: i64) -> Option<Principal> {
    if let Some(token) = bearer(headers) {
        return keys.find_token(token).map(Keyring::principal);
    }
    keys.verify(cookie(headers, SESSION_COOKIE)?, now)
}

/// Rejects requests without a valid token or session; checks CSRF on cookie-authenticated writes;
/// hands the [`Principal`] to the handler as an extension.
pub async fn require_auth(State(app): State<AppState>, req: Request, next: Next) -> Response {
    // Keep the query so a filtered link survives the login.
    let path = req.uri().path_and_query().map_or_else(
        || req.uri().path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    let now = app.store.clock().now().timestamp();
    let Some(principal) = authenticate(&app.keys, req.headers(), now) else {
        return unauthorized(&path, req.headers());
    };
    if let Some(session) =
        cookie(req.headers(), SESSION_COOKIE).filter(|_| principal.csrf.is_some())
    {
        if super::revocations::is_revoked(&app.store, session, now).await {
            return unauthorized(&path, req.headers());
        }
    }
    let req = match principal.csrf.as_deref() {
        Some(expected)
            if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) =>
        {
            match check_csrf(expected, req).await {
                Ok(req) => req,
                Err(e) if is_api(&path) => return ApiError(e).into_response(),
                Err(e) => return PageError(e).into_response(),
            }
        }
        _ => req,
    };
    let mut req = req;
    req.extensions_mut().insert(principal);
    next.run(req).await
}

fn unauthorized(path: &str, headers: &HeaderMap) -> Response {
    if is_api(path) {
        return ApiError(WebError::Unauthorized).into_response();
    }
    if headers.contains_key("hx-request") {
        let mut resp = StatusCode::UNAUTHORIZED.into_response();
        resp.headers_mut()
            .insert("hx-redirect", HeaderValue::from_static("/login"));
        return resp;
    }
    Redirect::to(&format!("/login?next={}", urlencoding::encode(path))).into_response()
}

/// Accepts the CSRF token from the `X-CSRF-Token` header or the form field `csrf`; gives the
/// request back with its body intact.
async fn check_csrf(expected: &str, req: Request) -> Result<Request, WebError> {
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if csrf_matches(expected, h) {
            Ok(req)
        } else {
            Err(WebError::Csrf)
        };
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| WebError::Csrf)?;
    let presented = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    match presented {
        Some(p) if csrf_matches(expected, &p) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(WebError::Csrf),
    }
}

/// Security headers on every response: nothing loads from elsewhere, nothing frames the dashboard;
/// behind TLS, browsers are told to use nothing but HTTPS from now on (HSTS).
pub async fn security_headers(State(app): State<AppState>, mut resp: Response) -> Response {
    let h = resp.headers_mut();
    if app.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
               object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// A path on this site, or `/`: never an open redirect. Browsers drop tabs and newlines from a
/// URL and read `\\` as `/`, so `/\t/evil.example` or `/\\evil.example` would leave the site: any
/// control character, whitespace or backslash refuses the path.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The client's address, when the server was started with connection info.
fn client_address(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

/// One line per request when `web.access_log` is on: never the query (it may name a filter a
/// person typed) nor any header, so no token reaches the log.
pub async fn access_log(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if !app.access_log {
        return next.run(req).await;
    }
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let client = client_address(req.extensions());
    let started = Instant::now();
    let resp = next.run(req).await;
    tracing::info!(
        target: "concord::access",
        %method,
        path,
        status = resp.status().as_u16(),
        duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        client,
        "HTTP request"
    );
    resp
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Result<Html<String>, PageError> {
    Ok(Html(
        LoginPage {
            next: local_path(q.next.as_deref()),
            error: None,
        }
        .render()?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

/// Exchanges a token for a session cookie (HttpOnly, SameSite=Strict). Audited, success and
/// failure; failures are throttled per client address.
pub async fn login(
    State(app): State<AppState>,
    extensions: Extensions,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = local_path(form.next.as_deref());
    let client = client_address(&extensions);
    let note = format!("client {client}");
    if !app.sign_ins.allows(&client) {
        app.store
            .audit("anonymous", "sign_in_throttled", "dashboard", Some(&note))
            .await?;
        let error = Some("Too many failed sign-ins. Wait a minute and try again.".to_string());
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            Html(LoginPage { next, error }.render()?),
        )
            .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return Ok(resp);
    }
    let Some(token) = app.keys.find_token(&form.token) else {
        app.sign_ins.failed(&client);
        app.store
            .audit("anonymous", "sign_in_failed", "dashboard", Some(&note))
            .await?;
        let error = Some("That token is not recognised. Check it and try again.".to_string());
        return Ok((
            StatusCode::UNAUTHORIZED,
            Html(LoginPage { next, error }.render()?),
        )
            .into_response());
    };
    let now = app.store.clock().now().timestamp();
    let value = app.keys.issue(token, now);
    app.store
        .audit(&token.name, "signed_in", "dashboard", Some(&note))
        .await?;
    let secure = if app.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_HOURS * 3600
    );
    let mut resp = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// Ends the browser session: revoked server-side (a copy of the cookie stops working too) and
/// cleared in the browser. Audited. A bearer token is unaffected.
pub async fn logout(
    State(app): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        let now = app.store.clock().now().timestamp();
        app.keys.revoke(session, now);
        if let Err(e) = super::revocations::record(&app.store, session, now).await {
            tracing::warn!(error = %e, "Could not share a sign-out with other processes; this one refuses the session.");
        }
    }
    if let Err(e) = app
        .store
        .audit(&who.name, "signed_out", "dashboard", None)
        .await
    {
        tracing::warn!(error = %e, "Could not audit a sign-out.");
    }
    let mut resp = Redirect::to("/login").into_response();
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(
            local_path(Some("/exceptions?owner=finance")),
            "/exceptions?owner=finance"
        );
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(None), "/");
        for sneaky in [
            "/\t/evil.example",
            "/\\evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
        ] {
            assert_eq!(local_path(Some(sneaky)), "/", "{sneaky:?}");
        }
    }
}
