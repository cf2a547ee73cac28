//! The benchmark's output: one flat JSON object (`--format json`) or a readable table with each
//! figure beside its target.

use super::metrics::Figures;
use serde::Serialize;
use serde_json::Value;

/// What the run cost the process.
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    pub wall_seconds: f64,
    pub cpu_seconds: f64,
    /// Peak RSS of the run itself (the mark is reset once the scenario is parsed).
    pub peak_rss_mb: f64,
    /// Peak RSS while reading and parsing the scenario file, before the run.
    pub parse_peak_rss_mb: f64,
    /// RSS when the run started (the parsed scenario is held for the whole run).
    pub start_rss_mb: f64,
    pub speed: f64,
    /// The engine and the emulator child apart, when the emulators ran in one.
    #[serde(skip)]
    pub usage: Option<crate::demo::RunUsage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub scenario: String,
    pub skus: usize,
    pub orders: usize,
    pub orders_synced: usize,
    pub cin7_calls: usize,
    pub cin7_calls_per_order: f64,
    pub cin7_order_calls: std::collections::BTreeMap<String, usize>,
    /// The fewest order calls the outcome required (see `bench::floor`), how far above it the
    /// run was, and the calls above it by reason.
    pub cin7_order_calls_floor: usize,
    pub cin7_order_calls_over_floor_pct: f64,
    pub cin7_order_calls_above_floor: std::collections::BTreeMap<String, usize>,
    pub peak_cin7_calls_per_minute: usize,
    pub budget_calls_per_minute: u32,
    pub budget_orders_per_minute: f64,
    pub orders_per_minute_at_limit: Option<f64>,
    pub peak_orders_per_minute: f64,
    pub stock_latency_p95_s: Option<f64>,
    pub stock_events_measured: usize,
    pub order_latency_p95_s: Option<f64>,
    pub cpu_seconds: f64,
    pub cpu_seconds_per_1000_orders: f64,
    pub peak_rss_mb: f64,
    pub parse_peak_rss_mb: f64,
    pub start_rss_mb: f64,
    /// This process alone (the engine and the bench's driver), the emulators in a child process;
    /// `null` when they ran in this process.
    pub engine_peak_rss_mb: Option<f64>,
    pub engine_cpu_seconds: Option<f64>,
    pub engine_cpu_seconds_per_1000_orders: Option<f64>,
    /// The emulator child: loading the scenario, serving and the API logs.
    pub emulators_peak_rss_mb: Option<f64>,
    pub emulators_cpu_seconds: Option<f64>,
    /// With `--rest`: how long the engine ran on idle, and the share of one core it used.
    pub engine_rest_seconds: Option<f64>,
    pub engine_rest_core_pct: Option<f64>,
    pub wall_seconds: f64,
    pub speed: f64,
}

impl BenchReport {
    pub fn new(scenario: &Value, f: Figures, p: Process) -> Self {
        let skus = scenario["oro"]["products"].as_array().map_or(0, Vec::len);
        let per_1000 = |cpu: f64| {
            if f.orders > 0 {
                cpu / f.orders as f64 * 1000.0
            } else {
                0.0
            }
        };
        let engine = p.usage.filter(|u| u.emulators.is_some()).map(|u| u.engine);
        let emulators = p.usage.and_then(|u| u.emulators);
        let rest = p.usage.and_then(|u| u.rest);
        BenchReport {
            scenario: scenario["name"].as_str().unwrap_or("").to_owned(),
            skus,
            orders: f.orders,
            orders_synced: f.orders_synced,
            cin7_calls: f.cin7_calls,
            cin7_calls_per_order: round(f.cin7_calls_per_order, 3),
            cin7_order_calls: f.cin7_order_calls,
            cin7_order_calls_floor: 0,
            cin7_order_calls_over_floor_pct: 0.0,
            cin7_order_calls_above_floor: std::collections::BTreeMap::new(),
            peak_cin7_calls_per_minute: f.peak_cin7_calls_per_minute,
            budget_calls_per_minute: f.budget_calls_per_minute,
            budget_orders_per_minute: round(f.budget_orders_per_minute, 2),
            orders_per_minute_at_limit: f.orders_per_minute_at_limit.map(|v| round(v, 2)),
            peak_orders_per_minute: round(f.peak_orders_per_minute, 2),
            stock_latency_p95_s: f.stock_latency_p95_s.map(|v| round(v, 1)),
            stock_events_measured: f.stock_events_measured,
            order_latency_p95_s: f.order_latency_p95_s.map(|v| round(v, 1)),
            cpu_seconds: round(p.cpu_seconds, 2),
            cpu_seconds_per_1000_orders: round(per_1000(p.cpu_seconds), 2),
            peak_rss_mb: round(p.peak_rss_mb, 1),
            parse_peak_rss_mb: round(p.parse_peak_rss_mb, 1),
            start_rss_mb: round(p.start_rss_mb, 1),
            engine_peak_rss_mb: engine.map(|u| round(u.peak_rss_mb, 1)),
            engine_cpu_seconds: engine.map(|u| round(u.cpu_seconds, 2)),
            engine_cpu_seconds_per_1000_orders: engine.map(|u| round(per_1000(u.cpu_seconds), 2)),
            emulators_peak_rss_mb: emulators.map(|u| round(u.peak_rss_mb, 1)),
            emulators_cpu_seconds: emulators.map(|u| round(u.cpu_seconds, 2)),
            engine_rest_seconds: rest.map(|r| round(r.wall_seconds, 1)),
            engine_rest_core_pct: rest
                .filter(|r| r.wall_seconds > 0.0)
                .map(|r| round(r.cpu_seconds / r.wall_seconds * 100.0, 2)),
            wall_seconds: round(p.wall_seconds, 1),
            speed: p.speed,
        }
    }

    pub fn with_floor(mut self, floor: super::floor::Floor) -> Self {
        let made: usize = self.cin7_order_calls.values().sum();
        self.cin7_order_calls_floor = floor.calls;
        self.cin7_order_calls_over_floor_pct = if floor.calls > 0 {
            round((made as f64 / floor.calls as f64 - 1.0) * 100.0, 1)
        } else {
            0.0
        };
        self.cin7_order_calls_above_floor = floor.above;
        self
    }

    pub fn print_text(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let opt = |v: Option<f64>, unit: &str| v.map_or("n/a".to_owned(), |v| format!("{v}{unit}"));
        writeln!(
            out,
            "Benchmark of {} ({} SKUs, {} orders, speed {}x)",
            self.scenario, self.skus, self.orders, self.speed
        )?;
        writeln!(out, "{:<34} {:>14}   target", "figure", "value")?;
        let rows: Vec<(&str, String, &str)> = vec![
            ("orders synced to Cin7", self.orders_synced.to_string(), ""),
            ("cin7 calls (all)", self.cin7_calls.to_string(), ""),
            (
                "cin7 calls per order",
                format!("{:.2}", self.cin7_calls_per_order),
                "<= 2.05",
            ),
            (
                "order calls over the floor",
                format!(
                    "{:.1} % (floor {})",
                    self.cin7_order_calls_over_floor_pct, self.cin7_order_calls_floor
                ),
                "<= 5 %",
            ),
            (
                "peak cin7 calls / 60 s",
                format!(
                    "{} / {}",
                    self.peak_cin7_calls_per_minute, self.budget_calls_per_minute
                ),
                "<= budget",
            ),
            (
                "orders/min at the limit",
                opt(self.orders_per_minute_at_limit, ""),
                "budget / calls per order",
            ),
            (
                "budget / calls per order",
                format!("{:.2}", self.budget_orders_per_minute),
                "",
            ),
            (
                "best 10-min sales/min",
                format!("{:.2}", self.peak_orders_per_minute),
                "",
            ),
            (
                "stock latency p95",
                format!(
                    "{} ({} moves)",
                    opt(self.stock_latency_p95_s, " s"),
                    self.stock_events_measured
                ),
                "",
            ),
            (
                "order latency p95",
                opt(self.order_latency_p95_s, " s"),
                "scenario's max_order_latency_s",
            ),
            (
                "cpu seconds (this process)",
                format!("{:.2}", self.cpu_seconds),
                "",
            ),
            (
                "engine cpu s per 1000 orders",
                opt(self.engine_cpu_seconds_per_1000_orders, ""),
                "<= 10",
            ),
            (
                "engine at rest (share of a core)",
                opt(self.engine_rest_core_pct, " %"),
                "< 2 % at 20k SKUs, speed 1",
            ),
            (
                "engine peak RSS",
                opt(self.engine_peak_rss_mb, " MB"),
                "<= 150 MB at 20k SKUs",
            ),
            (
                "emulators: cpu s / peak RSS",
                format!(
                    "{} / {}",
                    opt(self.emulators_cpu_seconds, ""),
                    opt(self.emulators_peak_rss_mb, " MB")
                ),
                "",
            ),
            (
                "RSS at start / parse peak",
                format!(
                    "{:.1} / {:.1} MB",
                    self.start_rss_mb, self.parse_peak_rss_mb
                ),
                "",
            ),
            ("wall time", format!("{:.1} s", self.wall_seconds), ""),
        ];
        for (name, value, target) in rows {
            writeln!(out, "{name:<34} {value:>14}   {target}")?;
        }
        writeln!(out, "order and customer calls by endpoint:")?;
        for (endpoint, n) in &self.cin7_order_calls {
            writeln!(out, "  {endpoint:<32} {n:>14}")?;
        }
        Ok(())
    }
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::process::Usage;
    use crate::demo::{Rest, RunUsage};

    fn process(rest: Option<Rest>) -> Process {
        let usage = Usage {
            cpu_seconds: 30.0,
            peak_rss_mb: 120.0,
        };
        Process {
            wall_seconds: 200.0,
            cpu_seconds: 40.0,
            peak_rss_mb: 200.0,
            parse_peak_rss_mb: 20.0,
            start_rss_mb: 20.0,
            speed: 1.0,
            usage: Some(RunUsage {
                engine: usage,
                emulators: Some(usage),
                rest,
            }),
        }
    }

    #[test]
    fn the_rest_figure_is_the_engines_share_of_one_core_while_idle() {
        let rest = Rest {
            wall_seconds: 600.0,
            cpu_seconds: 6.0,
        };
        let report = BenchReport::new(&Value::Null, Figures::default(), process(Some(rest)));
        assert_eq!(report.engine_rest_seconds, Some(600.0));
        assert_eq!(report.engine_rest_core_pct, Some(1.0));
    }

    #[test]
    fn without_a_rest_there_is_no_rest_figure() {
        let report = BenchReport::new(&Value::Null, Figures::default(), process(None));
        assert_eq!(report.engine_rest_core_pct, None);
        let mut text = Vec::new();
        report.print_text(&mut text).unwrap();
        assert!(String::from_utf8(text).unwrap().contains("engine at rest"));
    }
}
