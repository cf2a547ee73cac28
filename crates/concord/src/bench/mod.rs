//! `concord bench`: runs a scenario to idle as `concord demo --exit-when-idle` would (a fresh
//! SQLite store), then measures it from the state dump and the processes. The emulators run in a
//! child process (`concord emulate --hold`) that alone loads the scenario, so the engine's own CPU
//! and peak memory are reported apart (`engine_*`); `--in-process` keeps everything in one process.
//!
//! # Layout
//! - [`floor`]: the fewest Cin7 order calls the run's outcome required, and the rest by reason.
//! - [`head`]: the scenario's settings and clock, read without its catalogue or timeline.
//! - [`metrics`]: pure figures from the scenario and the dump (calls per order, throughput at the
//!   rate limit, stock and order latency); unit-tested without a run.
//! - [`process`]: CPU time and peak memory of this process, read from `/proc`.
//! - [`report`]: the JSON object and the text table.

pub mod floor;
pub mod head;
pub mod metrics;
pub mod process;
pub mod report;

use crate::demo::{self, ChildSpec, DemoOptions};
use anyhow::Context as _;
use concord_core::scenario::parse_scenario;
use std::path::PathBuf;
use std::time::Instant;

pub use report::BenchReport;

pub struct BenchOptions {
    pub scenario: PathBuf,
    pub speed: Option<f64>,
    pub workers: usize,
    /// Keep the state dump here (it is written to a temporary folder otherwise).
    pub keep_dump: Option<PathBuf>,
    /// The `concord` binary that serves the emulators in a child process; `None`: in process.
    pub emulator_exe: Option<PathBuf>,
    /// Wall seconds to keep the engine running once idle, measuring its CPU at rest.
    pub rest_seconds: Option<f64>,
}

/// Runs the scenario and returns the measured figures.
pub async fn run(opts: BenchOptions) -> anyhow::Result<BenchReport> {
    let text = std::fs::read_to_string(&opts.scenario)
        .with_context(|| format!("Failed to read the scenario {}", opts.scenario.display()))?;
    let scenario = match opts.emulator_exe {
        Some(_) => head::scenario_head(&text),
        None => parse_scenario(&text).map_err(anyhow::Error::from),
    }
    .map_err(|e| anyhow::anyhow!("scenario {} is not valid: {e}", opts.scenario.display()))?;
    // The raw JSON is read again after the run so it does not count towards the peak memory.
    drop(text);
    let dir = tempfile::Builder::new()
        .prefix("concord-bench-")
        .tempdir()?;
    let child_emulators = opts.emulator_exe.map(|exe| ChildSpec {
        exe,
        scenario_path: opts.scenario.clone(),
        work_dir: dir.path().to_owned(),
    });
    let dump_path = opts
        .keep_dump
        .clone()
        .unwrap_or_else(|| dir.path().join("dump.json"));
    let limit = scenario.cin7.rate_limit.calls_per_minute;
    let speed = opts.speed.unwrap_or(scenario.clock.speed);
    let parse_peak_rss_mb = process::peak_rss_mb();
    let start_rss_mb = process::rss_mb();
    process::reset_peak_rss();
    let cpu_before = process::cpu_seconds();
    let started = Instant::now();
    let summary = demo::run(DemoOptions {
        scenario,
        speed: opts.speed,
        store_url: format!("sqlite://{}", dir.path().join("concord.db").display()),
        exit_when_idle: true,
        dump_state: Some(dump_path.clone()),
        listen: "127.0.0.1:0".parse()?,
        extra_routes: None,
        workers: opts.workers,
        child_emulators,
        rest: opts.rest_seconds.map(std::time::Duration::from_secs_f64),
    })
    .await
    .context("The benchmark run failed")?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = (process::cpu_seconds() - cpu_before).max(0.0);
    let peak_rss_mb = process::peak_rss_mb();
    let dump: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&dump_path)
            .with_context(|| format!("Failed to read the dump {}", dump_path.display()))?,
    )?;
    let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(&opts.scenario)?)?;
    let figures = metrics::compute(&raw, &dump, demo::budget_for(limit));
    let floor = floor::floor(&raw, &dump);
    let report = BenchReport::new(
        &raw,
        figures,
        report::Process {
            wall_seconds,
            cpu_seconds,
            peak_rss_mb,
            parse_peak_rss_mb,
            start_rss_mb,
            speed,
            usage: summary.usage,
        },
    );
    Ok(report.with_floor(floor))
}
