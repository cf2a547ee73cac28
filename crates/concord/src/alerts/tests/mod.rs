//! Tests of alerting against real receivers: a tiny SMTP sink and an axum webhook receiver, both
//! on ephemeral ports, and a SQLite store read through frozen clocks to move time exactly.

mod channels;
mod digests;
mod parsing;
mod rules;

use super::AlertsConfig;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use concord_core::catalogue::ExceptionKind;
use concord_core::Clock;
use concord_store::{NewException, Store};
use serde_json::Value;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Monday 2026-11-02 08:00 UTC: clock second 0 of every test.
pub(super) fn start() -> DateTime<Utc> {
    "2026-11-02T08:00:00Z".parse().unwrap()
}

/// A clock stopped `t` seconds after [`start`] (speed 1e-9: it does not move during a test).
pub(super) fn frozen(t: f64) -> Clock {
    Clock::scaled_from(start(), 1e-9, t)
}

pub(super) struct Env {
    _dir: tempfile::TempDir,
    pub store: Store,
}

impl Env {
    pub async fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/a.db", dir.path().display());
        let store = Store::connect(&url, frozen(0.0)).await.unwrap();
        Env { _dir: dir, store }
    }

    /// The same database seen at clock second `t`.
    pub fn at(&self, t: f64) -> Store {
        self.store.with_clock(frozen(t))
    }

    /// Raises an exception of `kind` on `subject` at clock second `t`; returns its id.
    pub async fn raise(&self, t: f64, kind: ExceptionKind, subject: &str) -> i64 {
        let ex = NewException {
            kind,
            owner: kind.default_owner(),
            subject: subject.to_owned(),
            fingerprint: format!("{kind}:{subject}"),
            explanation: format!("{kind} on {subject}"),
            suggested_action: kind.suggested_action().to_owned(),
            payload_refs: vec![],
        };
        self.at(t).raise(&ex).await.unwrap().id
    }
}

pub(super) fn budget_app() -> (String, u32) {
    ("cin7-main".to_owned(), 10)
}

/// `[alerts]` settings from TOML, as an operator writes them.
pub(super) fn config(toml_text: &str) -> AlertsConfig {
    toml::from_str(toml_text).unwrap()
}

/// One captured SMTP transaction.
#[derive(Debug, Clone, Default)]
pub(super) struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub auth: Option<String>,
    pub data: String,
}

pub(super) struct SmtpSink {
    pub port: u16,
    pub mail: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub fn mail(&self) -> Vec<Mail> {
        self.mail.lock().unwrap().clone()
    }
}

/// Speaks just enough SMTP for a client: 220, EHLO → 250 (AUTH offered), AUTH → 235,
/// MAIL/RCPT → 250, DATA → 354 … 250, QUIT → 221.
pub(super) async fn smtp_sink() -> SmtpSink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mail = Arc::new(Mutex::new(Vec::new()));
    let shared = mail.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(smtp_session(socket, shared.clone()));
        }
    });
    SmtpSink { port, mail }
}

async fn smtp_session(socket: TcpStream, mail: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    let mut current = Mail::default();
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.to_ascii_uppercase();
        let reply: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
            b"250-sink\r\n250 AUTH PLAIN LOGIN\r\n"
        } else if verb.starts_with("AUTH") {
            current.auth = Some(line.clone());
            b"235 2.7.0 Authenticated\r\n"
        } else if verb.starts_with("MAIL FROM:") {
            current.from = line[10..].trim().to_owned();
            b"250 OK\r\n"
        } else if verb.starts_with("RCPT TO:") {
            current.to.push(line[8..].trim().to_owned());
            b"250 OK\r\n"
        } else if verb == "DATA" {
            let _ = write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await;
            while let Ok(Some(data)) = lines.next_line().await {
                if data == "." {
                    break;
                }
                current.data.push_str(&data);
                current.data.push('\n');
            }
            current.data = decode_quoted_printable(&current.data);
            mail.lock().unwrap().push(std::mem::take(&mut current));
            b"250 OK queued\r\n"
        } else if verb == "QUIT" {
            let _ = write.write_all(b"221 Bye\r\n").await;
            break;
        } else {
            b"250 OK\r\n"
        };
        let _ = write.write_all(reply).await;
    }
}

/// Readable text from a quoted-printable body (lettre picks it for long lines), headers kept.
fn decode_quoted_printable(data: &str) -> String {
    if !data.contains("Content-Transfer-Encoding: quoted-printable") {
        return data.to_owned();
    }
    let (head, body) = data.split_once("\n\n").unwrap_or((data, ""));
    let body = body.replace("=\n", "");
    let mut bytes = Vec::new();
    let mut rest = body.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(v)) => {
                bytes.push(v);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    format!("{head}\n\n{}", String::from_utf8_lossy(&bytes))
}

/// One webhook POST as received.
#[derive(Debug, Clone)]
pub(super) struct Hit {
    pub path_token: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone)]
pub(super) struct Hook {
    pub base: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
    /// The status the receiver answers with, so a test can make delivery fail.
    pub status: Arc<AtomicU16>,
}

impl Hook {
    /// A URL with its secret token in the path, as Slack's are.
    pub fn url(&self, token: &str) -> String {
        format!("{}/hook/{token}", self.base)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }
}

pub(super) async fn hook_receiver() -> Hook {
    let hook = Hook {
        base: String::new(),
        hits: Arc::new(Mutex::new(Vec::new())),
        status: Arc::new(AtomicU16::new(200)),
    };
    async fn receive(
        State(hook): State<Hook>,
        Path(token): Path<String>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> StatusCode {
        let status = hook.status.load(Ordering::SeqCst);
        if status == 200 {
            hook.hits.lock().unwrap().push(Hit {
                path_token: token,
                headers,
                body,
            });
        }
        StatusCode::from_u16(status).unwrap()
    }
    let app = Router::new()
        .route("/hook/{token}", post(receive))
        .with_state(hook.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Hook { base, ..hook }
}

/// `[alerts]` TOML sending to `hook` only, digests off, with the given rules.
pub(super) fn hook_config(hook: &Hook, rules: &str) -> AlertsConfig {
    config(&format!(
        r#"
{rules}
[webhook.urls]
default = "{}"
[digest]
daily = false
weekly = false
"#,
        hook.url("DEFAULT-T0K3N")
    ))
}
