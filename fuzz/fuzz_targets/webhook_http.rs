//! Webhook bodies through Concord's real receivers: the `/webhooks/oro` and `/webhooks/cin7/{kind}`
//! routes of `concord::engine::webhooks::router`, served in process over an in-memory SQLite store,
//! with the signature, bearer token, `Webhook-Id`, path and body all chosen by the fuzzer (a correct
//! signature or token half of the time, so bodies get past the check and into the decoders).
//!
//! Properties: a delivery never panics a handler and is answered 200, 401, 429 (refusals past the
//! minute's recording budget), 413 (over the body cap) or 503; a wrong signature or token is
//! always refused (401 or 429), an authentic one never; nothing calls out (both systems point at a
//! closed port, and the receivers only enqueue work).
#![no_main]

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use concord::app::{self, Connections};
use concord::config::{Rules, Schedule};
use concord::connectors::cin7::Cin7Settings;
use concord::connectors::oro::OroSettings;
use concord::engine::webhooks::{router, WebhookState};
use concord_core::Clock;
use concord_store::Store;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;
use sha2::Sha256;
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

// Receivers mount only with secrets of at least 24 characters.
const ORO_SECRET: &str = "fuzz-oro-secret-0123456789abcdef";
const CIN7_TOKEN: &str = "fuzz-cin7-token-0123456789abcdef";

#[derive(Debug, Arbitrary)]
struct Delivery {
    route: u8,
    cin7_kind: String,
    authentic: bool,
    signature: String,
    webhook_id: Option<String>,
    body: Vec<u8>,
}

struct Harness {
    rt: tokio::runtime::Runtime,
    state: WebhookState,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let ctx = rt.block_on(async {
            let store = Store::connect("sqlite::memory:", Clock::real())
                .await
                .expect("an in-memory store");
            let closed = "http://127.0.0.1:9".to_owned();
            let connections = Connections {
                oro: OroSettings {
                    base_url: closed.clone(),
                    client_id: "fuzz".into(),
                    client_secret: SecretString::from("fuzz"),
                    timeout: Duration::from_millis(50),
                },
                cin7: Cin7Settings {
                    base_url: closed,
                    account_id: "fuzz".into(),
                    application_key: SecretString::from("fuzz"),
                    timeout: Duration::from_millis(50),
                },
                cin7_calls_per_minute: 55,
            };
            app::build_context(store, connections, Rules::default(), Schedule::default())
                .expect("a context")
        });
        let state = WebhookState::new(
            ctx,
            Some(SecretString::from(ORO_SECRET)),
            Some(SecretString::from(CIN7_TOKEN)),
        );
        Harness { rt, state }
    })
}

fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(ORO_SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn header_safe(s: &str) -> bool {
    axum::http::HeaderValue::from_str(s).is_ok()
}

fuzz_target!(|d: Delivery| {
    let h = harness();
    let (path, oro) = match d.route % 4 {
        0 => ("/webhooks/oro".to_owned(), true),
        1 => ("/webhooks/cin7/stock".to_owned(), false),
        2 => ("/webhooks/cin7/customer".to_owned(), false),
        _ => {
            let kind: String = d
                .cin7_kind
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(20)
                .collect();
            (format!("/webhooks/cin7/{kind}"), false)
        }
    };
    let mut req = Request::builder().method("POST").uri(&path);
    let forged;
    if oro {
        let sig = if d.authentic { sign(&d.body) } else { d.signature.clone() };
        if header_safe(&sig) {
            forged = !d.authentic && sig.trim().trim_start_matches("sha256=").to_ascii_lowercase() != sign(&d.body);
            req = req.header("webhook-signature", sig);
        } else {
            forged = true;
        }
        if let Some(id) = d.webhook_id.as_deref().filter(|s| header_safe(s)) {
            req = req.header("webhook-id", id);
        }
    } else {
        let token = if d.authentic { CIN7_TOKEN.to_owned() } else { d.signature.clone() };
        if header_safe(&format!("Bearer {token}")) {
            // The scheme is case-insensitive and the credential is trimmed (RFC 7235).
            forged = token.trim() != CIN7_TOKEN;
            req = req.header("authorization", format!("Bearer {token}"));
        } else {
            forged = true;
        }
    }
    let Ok(req) = req.body(Body::from(d.body)) else {
        return;
    };
    let app = router(h.state.clone());
    let status = h
        .rt
        .block_on(async { app.oneshot(req).await })
        .map(|r| r.status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if path.starts_with("/webhooks/cin7/") && path.len() == "/webhooks/cin7/".len() {
        return; // no kind: the route does not match
    }
    assert!(
        matches!(
            status,
            StatusCode::OK
                | StatusCode::UNAUTHORIZED
                | StatusCode::TOO_MANY_REQUESTS
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::SERVICE_UNAVAILABLE
        ),
        "{path}: answered {status}"
    );
    let refused = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS);
    if forged {
        assert!(refused, "{path}: a forged delivery was answered {status}");
    } else {
        assert!(!refused, "{path}: an authentic delivery was refused ({status})");
    }
});
