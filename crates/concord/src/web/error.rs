//! One error type for the web surfaces and one response policy per surface: the JSON API answers
//! `{"error": "..."}`, the dashboard an HTML page. Internal causes are logged once and never shown.

use super::auth::Role;
use crate::inbox::query::QueryError;
use crate::inbox::report::ReportError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use concord_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign in with an API token first")]
    Unauthorized,
    #[error("your role ({have}) cannot do this; it needs the {need} role")]
    Forbidden { have: Role, need: Role },
    #[error("the form was stale or did not come from this dashboard (CSRF check failed); reload the page and try again")]
    Csrf,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// A service Concord asked on the caller's behalf failed (e.g. the explanation endpoint).
    #[error("{0}")]
    Upstream(String),
    #[error("the store did not answer: {0}")]
    Store(#[from] StoreError),
    #[error("a page failed to render: {0}")]
    Render(#[from] askama::Error),
}

impl From<QueryError> for WebError {
    fn from(e: QueryError) -> Self {
        WebError::BadRequest(e.to_string())
    }
}

impl From<ReportError> for WebError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Period(_) => WebError::BadRequest(e.to_string()),
            ReportError::Store(s) => WebError::Store(s),
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden { .. } | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Upstream(_) => StatusCode::BAD_GATEWAY,
            WebError::Store(_) | WebError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the caller may read: internal failures get a generic sentence, logged here (once).
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "Web request failed.");
            "Something went wrong on Concord's side; it has been logged. Try again in a moment."
                .to_string()
        } else {
            self.to_string()
        }
    }
}

/// The JSON API's error response.
#[derive(Debug)]
pub struct ApiError(pub WebError);

/// `?` converts every error a handler meets into either surface's response.
macro_rules! into_surface {
    ($($from:ty),*) => {$(
        impl From<$from> for ApiError {
            fn from(e: $from) -> Self {
                ApiError(e.into())
            }
        }
        impl From<$from> for PageError {
            fn from(e: $from) -> Self {
                PageError(e.into())
            }
        }
    )*};
}

into_surface!(WebError, StoreError, QueryError, ReportError, askama::Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let body = axum::Json(serde_json::json!({ "error": self.0.public_message() }));
        let mut resp = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

/// The dashboard's error response: a small page in plain words with a way back.
#[derive(Debug)]
pub struct PageError(pub WebError);

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            message: self.0.public_message(),
        };
        let html = askama::Template::render(&page).unwrap_or_else(|_| page.message.clone());
        (status, Html(html)).into_response()
    }
}
