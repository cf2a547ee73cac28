//! Production commands (`doctor`, `run`) as an operator runs them: both emulators served in this
//! process as if they were the real systems, a TOML configuration pointing at them, and the
//! `concord` binary run against that configuration.

use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use concord_emulators::Emulators;
use serde_json::Value;
use std::path::PathBuf;

pub struct Live {
    pub emulators: Emulators,
    pub config_path: PathBuf,
    pub store_url: String,
    _dir: tempfile::TempDir,
}

/// JSON settings as TOML: nulls dropped (TOML has none; every nullable setting is optional).
fn toml_of(v: &Value) -> toml::Value {
    match v {
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), toml_of(v)))
                .collect(),
        ),
        Value::Array(items) => toml::Value::Array(items.iter().map(toml_of).collect()),
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or_default()),
        },
        Value::Null => toml::Value::String(String::new()),
    }
}

/// The configuration an operator would write for these systems: the scenario's settings as
/// `[rules]`, webhooks configured (to a loopback URL nobody serves), the scenario clock followed.
fn config_text(scenario: &Value, conn: &Value, oro_url: &str, store_url: &str) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let doc = serde_json::json!({
        "store": { "url": store_url },
        "oro": { "base_url": oro_url, "client_id": text(&conn["oro"]["client_id"]),
                 "client_secret": text(&conn["oro"]["client_secret"]),
                 "webhook_url": "http://127.0.0.1:9", "webhook_secret": "s3cret-s3cret-s3cret-s3cret" },
        "cin7": { "base_url": text(&conn["cin7"]["base_url"]), "account_id": text(&conn["cin7"]["account_id"]),
                  "application_key": text(&conn["cin7"]["application_key"]), "calls_per_minute": 55,
                  "webhook_token": "t0ken-t0ken-t0ken-t0ken-t0ken" },
        "rules": scenario["settings"],
        "clock": { "follow": oro_url },
        "web": { "listen": "127.0.0.1:0" },
    });
    toml::to_string(&toml_of(&doc)).expect("the config serialises as TOML")
}

/// Serves the scenario's two systems at `speed` (their timeline playing) and writes a config.
pub async fn start(scenario: &Value, speed: f64) -> Live {
    let parsed = parse_scenario(&scenario.to_string()).expect("a valid scenario");
    let clock = Clock::scaled(parsed.clock.start, speed);
    let any: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
    let mut emulators = Emulators::start(&parsed, clock, any, any)
        .await
        .expect("the emulators start");
    let (tx, _crashes) = tokio::sync::mpsc::unbounded_channel();
    emulators.play_timeline(&parsed, tx);
    let dir = tempfile::tempdir().expect("a temp dir");
    let store_url = format!("sqlite://{}", dir.path().join("concord.db").display());
    let config_path = dir.path().join("concord.toml");
    let text = config_text(
        scenario,
        &emulators.connection(),
        &emulators.oro_url,
        &store_url,
    );
    std::fs::write(&config_path, text).expect("the config is written");
    Live {
        emulators,
        config_path,
        store_url,
        _dir: dir,
    }
}

impl Live {
    pub fn config(&self) -> String {
        self.config_path.display().to_string()
    }

    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Every request an emulator answered: (system, method, path).
    pub fn requests(&self) -> Vec<(String, String, String)> {
        let log = self.emulators.dump()["api_log"].clone();
        let mut out = Vec::new();
        for system in ["cin7", "oro"] {
            for call in log[system].as_array().into_iter().flatten() {
                let field = |k: &str| call[k].as_str().unwrap_or_default().to_owned();
                out.push((system.to_owned(), field("method"), field("path")));
            }
        }
        out
    }
}

/// Runs the `concord` binary off the runtime (the emulators keep answering meanwhile).
pub async fn concord(args: &[&str]) -> (Option<i32>, String, String) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(&args)
            .env_remove("CONCORD_CONFIG")
            .env_remove("CONCORD_STORE__URL")
            .output()
            .expect("the concord binary runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .expect("the command's thread")
}
