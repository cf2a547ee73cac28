//! Tracing subscriber (text or JSON) and the metrics registry exposed at `/metrics`.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing_subscriber::{fmt, EnvFilter};

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global subscriber once; `json` switches to one JSON object per line.
pub fn init(json: bool, default_level: &str) {
    let filter =
        EnvFilter::try_from_env("CONCORD_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
    install_metrics();
}

/// Installs the Prometheus recorder once per process (tests may call it many times).
pub fn install_metrics() -> Option<&'static PrometheusHandle> {
    if PROMETHEUS.get().is_none() {
        if let Ok(handle) = PrometheusBuilder::new().install_recorder() {
            let _ = PROMETHEUS.set(handle);
        }
    }
    PROMETHEUS.get()
}

/// The metrics in Prometheus text format.
pub fn render_metrics() -> String {
    install_metrics().map(|h| h.render()).unwrap_or_default()
}

/// One external call, by system, endpoint and status (`error` when no answer came).
pub fn count_call(system: &'static str, path: &str, status: Option<u16>) {
    let endpoint = path.split('?').next().unwrap_or(path).to_ascii_lowercase();
    let status = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
    metrics::counter!("concord_external_calls_total", "system" => system, "endpoint" => endpoint, "status" => status).increment(1);
}
