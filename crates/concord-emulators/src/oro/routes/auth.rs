//! `POST /oauth2-token`: the OAuth 2.0 client-credentials grant (§2.1), with client credentials in
//! a form body, a JSON body, or HTTP Basic. Tokens are opaque random strings (a real server issues
//! an RS256 JWT; clients must not parse it) that expire after `oro.faults.token_ttl_s` scenario
//! seconds.

use crate::oro::state::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub async fn token(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut params: HashMap<String, String> = if content_type.contains("json") {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                .collect(),
            _ => HashMap::new(),
        }
    } else {
        form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    if let Some((id, secret)) = basic_credentials(&headers) {
        params.entry("client_id".into()).or_insert(id);
        params.entry("client_secret".into()).or_insert(secret);
    }
    match params.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
                Some("Check that all required parameters have been provided"),
            );
        }
        None => return invalid_request("grant_type"),
    }
    let Some(client_id) = params.get("client_id") else {
        return invalid_request("client_id");
    };
    if *client_id != s.client_id || params.get("client_secret") != Some(&s.client_secret) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
            None,
        );
    }
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let ttl = s.token_ttl_s;
    s.with(|st, now| {
        // `as f64` is exact for any realistic lifetime (well under 2^53 seconds).
        st.tokens.insert(token.clone(), now.s + ttl as f64);
    });
    let body = json!({"token_type": "Bearer", "expires_in": ttl, "access_token": token});
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

fn invalid_request(parameter: &str) -> Response {
    let message = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        message,
        Some(&format!("Check the `{parameter}` parameter")),
    )
}

fn oauth_error(status: StatusCode, error: &str, message: &str, hint: Option<&str>) -> Response {
    let mut body = json!({"error": error, "message": message, "error_description": message});
    if let Some(hint) = hint {
        body["hint"] = json!(hint);
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
