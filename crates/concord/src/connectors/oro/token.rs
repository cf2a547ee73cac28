//! OAuth2 client-credentials tokens: fetched once, cached, refreshed before expiry and once after a
//! 401. Concurrent callers share one refresh (the mutex), as Oro's own clients do.

use super::config::OroSettings;
use super::error::OroError;
use concord_core::Clock;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Refresh this many (clock) seconds before the token says it expires.
const EARLY_S: f64 = 30.0;

/// A token answer is a few hundred bytes (a JWT and its lifetime); anything near this is not one.
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct TokenManager {
    http: reqwest::Client,
    settings: OroSettings,
    clock: Clock,
    /// The cached token and the clock second it stops being used.
    cached: Arc<Mutex<Option<(SecretString, f64)>>>,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

impl TokenManager {
    pub fn new(http: reqwest::Client, settings: OroSettings, clock: Clock) -> Self {
        TokenManager {
            http,
            settings,
            clock,
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// A valid bearer token, fetching a new one if the cached one is missing or near expiry.
    pub async fn bearer(&self) -> Result<SecretString, OroError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if self.clock.elapsed_s() < *until {
                return Ok(token.clone());
            }
        }
        let (token, ttl) = self.fetch().await?;
        let until = self.clock.elapsed_s() + (ttl - EARLY_S).max(ttl / 2.0);
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    /// Forgets the cached token (after a 401) so the next call fetches a fresh one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    #[tracing::instrument(skip_all)]
    async fn fetch(&self) -> Result<(SecretString, f64), OroError> {
        let url = format!(
            "{}/oauth2-token",
            self.settings.base_url.trim_end_matches('/')
        );
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.expose_secret()),
        ];
        let resp = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| OroError::Transient(format!("token request: {e}")))?;
        let status = resp.status().as_u16();
        // OroCloud's firewall guards the token endpoint too: keep its Retry-After.
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Read with a limit like every other answer: a broken or hostile endpoint must not
        // exhaust memory through the token request either.
        let text = crate::connectors::limits::read_limited(resp, MAX_TOKEN_RESPONSE_BYTES)
            .await
            .map_err(|e| OroError::Transient(format!("token response: {e}")))?;
        if status == 401 || status == 400 {
            return Err(OroError::Unauthorized(format!(
                "token endpoint answered {status}; check oro.client_id and oro.client_secret"
            )));
        }
        if !(200..300).contains(&status) {
            return Err(super::error::classify(
                status,
                retry_after.as_deref(),
                &text,
            ));
        }
        let token: TokenResponse = serde_json::from_str(&text)
            .map_err(|e| OroError::Decode(format!("token response: {e}")))?;
        Ok((
            SecretString::from(token.access_token),
            token.expires_in.unwrap_or(3600.0),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn manager_for(body: String) -> (TokenManager, MockServer) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth2-token"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let settings = OroSettings {
            base_url: server.uri(),
            client_id: "concord".into(),
            client_secret: SecretString::from("client-secret"),
            timeout: Duration::from_secs(5),
        };
        let manager = TokenManager::new(reqwest::Client::new(), settings, Clock::real());
        (manager, server)
    }

    #[tokio::test]
    async fn a_token_answer_over_the_limit_is_refused_unread() {
        let token = r#"{"access_token":"abc","expires_in":3600}"#;
        // Valid JSON either way: only the size tells them apart.
        let padded = format!("{token}{}", " ".repeat(MAX_TOKEN_RESPONSE_BYTES));
        let (oversized, _server) = manager_for(padded).await;
        let err = oversized.bearer().await.unwrap_err().to_string();
        assert!(err.contains(&MAX_TOKEN_RESPONSE_BYTES.to_string()), "{err}");

        let (normal, _server) = manager_for(token.to_owned()).await;
        assert_eq!(normal.bearer().await.unwrap().expose_secret(), "abc");
    }
}
