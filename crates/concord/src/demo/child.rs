//! Both emulators in a child process (`concord emulate --hold`), driven over their `/_emulator/*`
//! routes, so `concord bench` can measure the engine's own CPU and memory apart from its test
//! equipment and from the parsed scenario, which only the child holds.

use crate::bench::process::{self, Usage};
use anyhow::Context as _;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How often the driver asks the child about its pending webhooks once the timeline is done: the
/// run ends when none are left, so this bounds how late a finished run is seen.
const POLL_EVERY: Duration = Duration::from_millis(200);
/// While the timeline plays, each progress request waits in the child until a crash is reached or
/// the timeline ends (or this passes): a simulated crash is seen at once, and the driver, whose
/// process the benchmark measures, asks once a second instead of five times.
const LONG_POLL_MS: u64 = 1_000;

pub struct ChildEmulators {
    child: Child,
    log_path: PathBuf,
    http: reqwest::Client,
    pub connection: Value,
    pub oro_url: String,
    pub cin7_url: String,
    timeline_done: Arc<AtomicBool>,
    pending_webhooks: Arc<AtomicUsize>,
    poller: Option<JoinHandle<()>>,
}

impl ChildEmulators {
    /// Starts `exe emulate --hold` on the scenario and waits for its connection line (a large
    /// scenario takes a while to load: that is not on the clock, which is held).
    pub async fn start(
        exe: &Path,
        scenario: &Path,
        speed: f64,
        work: &Path,
    ) -> anyhow::Result<Self> {
        let log_path = work.join("emulate.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("Failed to create {}", log_path.display()))?;
        let mut child = Command::new(exe)
            .arg("emulate")
            .arg("--scenario")
            .arg(scenario)
            .arg("--speed")
            .arg(speed.to_string())
            .arg("--hold")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| {
                format!("Failed to start the emulators ({} emulate)", exe.display())
            })?;
        let stdout = child
            .stdout
            .take()
            .context("the emulator child has no stdout")?;
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await??;
        let connection: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!(
                    "The emulators did not start: {}",
                    tail(&log_path).unwrap_or_default()
                );
            }
        };
        let url = |system: &str| {
            connection[system]["base_url"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        Ok(ChildEmulators {
            oro_url: url("oro"),
            cin7_url: url("cin7"),
            connection,
            child,
            log_path,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(600))
                .build()?,
            timeline_done: Arc::default(),
            pending_webhooks: Arc::default(),
            poller: None,
        })
    }

    /// Starts the child's clock and timeline; its `concord_crash` events arrive on `crashes`.
    pub async fn release(&mut self, crashes: mpsc::UnboundedSender<f64>) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/_emulator/release", self.oro_url))
            .send()
            .await?
            .error_for_status()
            .context("The emulators refused to release their clock")?;
        let (http, url) = (
            self.http.clone(),
            format!("{}/_emulator/progress", self.oro_url),
        );
        let (done, pending) = (self.timeline_done.clone(), self.pending_webhooks.clone());
        self.poller = Some(tokio::spawn(async move {
            let mut crashes_seen = 0;
            loop {
                let timeline_done = done.load(Ordering::SeqCst);
                let asked = if timeline_done {
                    tokio::time::sleep(POLL_EVERY).await;
                    url.clone()
                } else {
                    format!(
                        "{url}?wait_ms={LONG_POLL_MS}&crashes={crashes_seen}&timeline_done=false"
                    )
                };
                let Ok(progress) = fetch_json(&http, &asked).await else {
                    tokio::time::sleep(POLL_EVERY).await;
                    continue;
                };
                let at: Vec<f64> = progress["crashes"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                for at_s in at.iter().skip(crashes_seen) {
                    let _ = crashes.send(*at_s);
                }
                crashes_seen = at.len();
                let waiting = progress["pending_webhooks"].as_u64().unwrap_or(0);
                pending.store(
                    usize::try_from(waiting).unwrap_or(usize::MAX),
                    Ordering::SeqCst,
                );
                done.store(
                    progress["timeline_done"].as_bool() == Some(true),
                    Ordering::SeqCst,
                );
            }
        }));
        Ok(())
    }

    pub fn timeline_done(&self) -> bool {
        self.timeline_done.load(Ordering::SeqCst)
    }

    pub fn pending_webhooks(&self) -> usize {
        self.pending_webhooks.load(Ordering::SeqCst)
    }

    /// Both halves of the state dump and both API logs, as the in-process `Emulators::dump`.
    pub async fn dump(&self) -> anyhow::Result<Value> {
        let cin7 = fetch_json(&self.http, &format!("{}/_emulator/state", self.cin7_url)).await?;
        let oro = fetch_json(&self.http, &format!("{}/_emulator/state", self.oro_url)).await?;
        Ok(serde_json::json!({
            "cin7": cin7["cin7"],
            "oro": oro["oro"],
            "api_log": { "cin7": cin7["api_log"]["cin7"], "oro": oro["api_log"]["oro"] },
        }))
    }

    /// What the child has cost so far (read before it is stopped).
    pub fn usage(&self) -> Usage {
        process::usage_of(&self.child.id().to_string())
    }
}

/// The child never outlives its driver, even when the run fails half way.
impl Drop for ChildEmulators {
    fn drop(&mut self) {
        if let Some(poller) = self.poller.take() {
            poller.abort();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        tracing::debug!(log = %self.log_path.display(), "The emulator child stopped.");
    }
}

async fn fetch_json(http: &reqwest::Client, url: &str) -> anyhow::Result<Value> {
    let response = http.get(url).send().await?.error_for_status()?;
    Ok(serde_json::from_slice(&response.bytes().await?)?)
}

/// The last lines of the child's log, for an error that says why it did not start.
fn tail(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    let lines: Vec<&str> = text.lines().collect();
    Ok(lines[lines.len().saturating_sub(15)..].join("\n"))
}
