//! `StoreError`, the store's one error type, and URL redaction for the messages that name a URL.

use crate::JobId;

/// Everything the store can fail with. Messages name the (redacted) URL where one is involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported store URL `{url}`: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl { url: String },

    #[error("cannot open the store at `{url}`: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("cannot migrate the store at `{url}`: {source}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    #[error("store query failed: {0}")]
    Database(#[from] sqlx::Error),

    /// A statement on the embedded SQLite store failed (see `lite`).
    #[error("store query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The store was closed ([`crate::Store::close`]); nothing more can be asked of it.
    #[error("the store is closed")]
    Closed,

    /// A row holds a value this version cannot read (a bad timestamp, JSON or enum text).
    #[error("stored value is invalid: {0}")]
    Corrupt(String),

    /// A value to store could not be written as JSON (a map with non-string keys, say).
    #[error("value cannot be stored as JSON: {0}")]
    Encode(#[from] serde_json::Error),

    /// The worker no longer holds the job's lease: it expired and was reaped or claimed again.
    #[error("job {id} is not leased by `{worker}`")]
    LeaseLost { id: JobId, worker: String },
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

/// The URL with any password replaced by `***`, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return redact_query(url);
    };
    let (scheme, rest) = url.split_at(scheme_end + 3);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority.split_at(at);
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{}", &userinfo[..colon], host),
                None => authority.to_string(),
            }
        }
        None => authority.to_string(),
    };
    format!("{scheme}{authority}{}", redact_query(tail))
}

/// Hides a `password=` query parameter, the other place libpq-style URLs carry one.
fn redact_query(s: &str) -> String {
    let Some(q) = s.find('?') else {
        return s.to_string();
    };
    let (head, query) = s.split_at(q + 1);
    let parts: Vec<String> = query
        .split('&')
        .map(|p| {
            if p.to_ascii_lowercase().starts_with("password=") {
                "password=***".to_string()
            } else {
                p.to_string()
            }
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_and_the_rest_kept() {
        assert_eq!(
            redact_url("postgres://u:secret@db:5432/x?sslmode=require"),
            "postgres://u:***@db:5432/x?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://u@db/x?password=secret&a=1"),
            "postgres://u@db/x?password=***&a=1"
        );
        assert_eq!(
            redact_url("sqlite://data/concord.db"),
            "sqlite://data/concord.db"
        );
    }
}
