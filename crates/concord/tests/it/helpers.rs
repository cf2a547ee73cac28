//! Test harness: `spawn_app` runs a scenario through `concord demo` (both emulators in process, a
//! fresh SQLite store in a temp dir) to idle and keeps the state dump; `check` runs the acceptance
//! checker on it; small builders keep the scenario files short.

use concord::demo::{self, DemoOptions, Summary};
use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use concord_store::{ExceptionFilter, ExceptionRecord, Store};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Scenario seconds per wall second unless a test says otherwise.
pub const SPEED: f64 = 600.0;
/// A run that takes longer than this on the wall clock is a hang, not a slow machine.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// One finished scenario run.
pub struct TestApp {
    pub dump: Value,
    pub summary: Summary,
    pub store_url: String,
    pub scenario_path: PathBuf,
    pub dump_path: PathBuf,
    pub scenario: Value,
    /// Holds the store and both JSON files until the test ends.
    _dir: tempfile::TempDir,
}

/// A scenario file of `tests/scenarios/`, parsed.
pub fn scenario_file(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("Failed to read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Path of a file in the shared folder that CI keeps beside the repository.
pub fn shared(path: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(path)
}

pub async fn spawn_app(scenario_json: &str) -> TestApp {
    spawn_app_at(scenario_json, SPEED).await
}

/// Runs the scenario at `speed` until idle and reads back the dump.
pub async fn spawn_app_at(scenario_json: &str, speed: f64) -> TestApp {
    // CONCORD_IT_KEEP=1 keeps every run's store, scenario and dump for a post-mortem.
    let keep = std::env::var_os("CONCORD_IT_KEEP").is_some();
    let dir = tempfile::Builder::new()
        .prefix("concord-it-")
        .disable_cleanup(keep)
        .tempdir()
        .expect("Failed to create a temp dir");
    if keep {
        eprintln!("Run kept in {}", dir.path().display());
    }
    let scenario_path = dir.path().join("scenario.json");
    let dump_path = dir.path().join("dump.json");
    std::fs::write(&scenario_path, scenario_json).expect("Failed to write the scenario");
    let scenario = parse_scenario(scenario_json).unwrap_or_else(|e| panic!("Bad scenario: {e}"));
    let store_url = format!("sqlite://{}", dir.path().join("concord.db").display());
    let opts = DemoOptions {
        scenario,
        speed: Some(speed),
        store_url: store_url.clone(),
        exit_when_idle: true,
        dump_state: Some(dump_path.clone()),
        listen: "127.0.0.1:0".parse().expect("a socket address"),
        extra_routes: None,
        workers: 4,
        child_emulators: None,
        rest: None,
    };
    let summary = tokio::time::timeout(RUN_TIMEOUT, demo::run(opts))
        .await
        .expect("The demo run did not become idle in time")
        .expect("The demo run failed");
    let dump_text = std::fs::read_to_string(&dump_path).expect("No state dump was written");
    TestApp {
        dump: serde_json::from_str(&dump_text).expect("The dump is not JSON"),
        summary,
        store_url,
        scenario_path,
        dump_path,
        scenario: serde_json::from_str(scenario_json).expect("The scenario is not JSON"),
        _dir: dir,
    }
}

/// Runs the acceptance checker on the run; `only` limits it to those areas (empty: all).
/// Returns (checks passed, checks failed, everything it printed).
pub fn check(app: &TestApp, only: &[&str]) -> (u32, u32, String) {
    let mut cmd = Command::new("python3");
    cmd.arg(shared("tools/check-scenario"))
        .arg(&app.scenario_path)
        .arg(&app.dump_path);
    if !only.is_empty() {
        cmd.arg("--only").arg(only.join(","));
    }
    let out = cmd.output().expect("Failed to run python3 check-scenario");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let last = text
        .lines()
        .rev()
        .find(|l| l.starts_with("check-scenario "))
        .unwrap_or("");
    let count = |word: &str| -> u32 {
        last.split([':', ';', ','])
            .find_map(|part| part.trim().strip_suffix(word)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("Cannot read '{word}' in the checker's output:\n{text}"))
    };
    (count(" passed"), count(" failed"), text)
}

impl TestApp {
    pub fn sales(&self) -> &[Value] {
        self.dump["cin7"]["sales"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every sale carrying this Oro order id as its `ExternalID`, voided ones included.
    pub fn sales_for(&self, order_id: i64) -> Vec<&Value> {
        self.sales()
            .iter()
            .filter(|s| external_id(s) == order_id.to_string())
            .collect()
    }

    /// Sales that are not voided, counted by `ExternalID`.
    pub fn live_sales_by_order(&self) -> BTreeMap<String, usize> {
        let mut by = BTreeMap::new();
        for s in self.sales().iter().filter(|s| s["Status"] != "VOIDED") {
            *by.entry(external_id(s)).or_insert(0) += 1;
        }
        by
    }

    /// The dump's exceptions of `kind` about `subject`.
    pub fn exceptions(&self, kind: &str, subject: &str) -> Vec<&Value> {
        self.dump["concord"]["exceptions"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|e| e["kind"] == kind && e["subject"] == subject)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn exception_kinds(&self) -> Vec<String> {
        self.dump["concord"]["exceptions"]
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|e| format!("{} {}", e["kind"], e["subject"]))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Oro order ids placed in the scenario (seeded and timeline).
    pub fn order_ids(&self) -> Vec<i64> {
        let seeded = self.scenario["oro"]["orders"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let placed = self.scenario["timeline"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        seeded
            .iter()
            .filter_map(|o| o["id"].as_i64())
            .chain(
                placed
                    .iter()
                    .filter(|e| e["event"] == "oro_order")
                    .filter_map(|e| e["order"]["id"].as_i64()),
            )
            .collect()
    }

    pub fn refused_checkouts(&self) -> Vec<i64> {
        self.dump["oro"]["refused_checkouts"]
            .as_array()
            .map(|r| r.iter().filter_map(|x| x["order_id"].as_i64()).collect())
            .unwrap_or_default()
    }

    /// Opens the run's store again, on a clock that no longer matters.
    pub async fn store(&self) -> Store {
        Store::connect(&self.store_url, Clock::real())
            .await
            .expect("Failed to reopen the store")
    }

    pub async fn stored_exceptions(&self) -> Vec<ExceptionRecord> {
        let filter = ExceptionFilter {
            limit: 0,
            ..ExceptionFilter::default()
        };
        self.store()
            .await
            .exceptions(&filter)
            .await
            .expect("Failed to list exceptions")
    }

    /// Concord's record of an Oro order (`OrderRecord` JSON).
    pub async fn order_record(&self, order_id: i64) -> Option<Value> {
        let store = self.store().await;
        let record = store
            .record_get("order", &order_id.to_string())
            .await
            .expect("record_get");
        record.map(|r| r.data)
    }
}

fn external_id(sale: &Value) -> String {
    match &sale["ExternalID"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A decimal field of the dump, which may be a JSON number or a string; in hundredths.
pub fn cents(v: &Value) -> i64 {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let f: f64 = text
        .parse()
        .unwrap_or_else(|_| panic!("{text} is not a number"));
    (f * 100.0).round() as i64
}

/// An order line whose tax is 20 % of quantity × price, rounded half up to the penny.
pub fn line(sku: &str, unit: &str, quantity: u32, price_pence: i64) -> Value {
    let net = i64::from(quantity) * price_pence;
    let tax = (net * 20 + 50) / 100;
    json!({ "sku": sku, "unit": unit, "quantity": quantity.to_string(),
            "price": pounds(price_pence), "tax": pounds(tax) })
}

pub fn pounds(pence: i64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

/// A timeline `oro_order` event; `checkout` says whether Oro's stock check applies.
pub fn order_event(
    at_s: u32,
    id: i64,
    customer: i64,
    user: i64,
    checkout: bool,
    lines: Vec<Value>,
) -> Value {
    json!({ "at_s": at_s, "event": "oro_order", "order": {
        "id": id, "identifier": format!("T-{id}"), "po_number": null, "customer": customer,
        "customer_user": user, "currency": "GBP", "checkout": checkout, "internal_status": "open",
        "status": null, "lines": lines, "shipping": { "amount": "15.00", "tax": "3.00" } } })
}

/// Puts the orders of `events` (from [`order_event`]) in Oro before the run starts (a backlog)
/// and returns the whole scenario as text.
pub fn with_backlog(mut scenario: Value, events: impl IntoIterator<Item = Value>) -> String {
    scenario["oro"]["orders"] = events.into_iter().map(|e| e["order"].clone()).collect();
    scenario.to_string()
}

/// Another process on the same store and systems as `ctx`: its own caches, locks and name.
pub fn second_process(ctx: &concord::sync::context::Context) -> concord::sync::context::Context {
    let mut other = ctx.clone();
    other.instance = "the-other-process".into();
    other.cache = Default::default();
    other.order_locks = Default::default();
    other.load_lock = Default::default();
    other
}

/// Appends events to the scenario's timeline and returns the whole scenario as text.
pub fn with_timeline(mut scenario: Value, events: impl IntoIterator<Item = Value>) -> String {
    let timeline = scenario["timeline"]
        .as_array_mut()
        .expect("a timeline array");
    timeline.extend(events);
    timeline.sort_by(|a, b| {
        a["at_s"]
            .as_f64()
            .partial_cmp(&b["at_s"].as_f64())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    scenario.to_string()
}

/// Both emulators and a Concord context against them, without an engine: for tests that drive
/// one piece (the webhook server, a worker) by hand.
pub struct Parts {
    pub ctx: concord::sync::context::Context,
    pub emulators: concord_emulators::Emulators,
    pub clock: Clock,
    _dir: tempfile::TempDir,
}

/// Starts the emulators on `scenario_json` at `speed` and builds a context the way `demo` does.
pub async fn spawn_parts(scenario_json: &str, speed: f64) -> Parts {
    use concord::app::{build_context, Connections};
    use concord::config::{Rules, Schedule};
    use concord::connectors::{cin7::Cin7Settings, oro::OroSettings};
    use secrecy::SecretString;

    let scenario = parse_scenario(scenario_json).unwrap_or_else(|e| panic!("Bad scenario: {e}"));
    let clock = Clock::scaled(scenario.clock.start, speed);
    let dir = tempfile::tempdir().expect("Failed to create a temp dir");
    let url = format!("sqlite://{}", dir.path().join("concord.db").display());
    let store = Store::connect(&url, clock.clone())
        .await
        .expect("Failed to open the store");
    let any: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
    let emulators = concord_emulators::Emulators::start(&scenario, clock.clone(), any, any)
        .await
        .expect("Failed to start the emulators");
    let conn = emulators.connection();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let connections = Connections {
        oro: OroSettings {
            base_url: emulators.oro_url.clone(),
            client_id: text(&conn["oro"]["client_id"]),
            client_secret: SecretString::from(text(&conn["oro"]["client_secret"])),
            timeout: Duration::from_secs(30),
        },
        cin7: Cin7Settings {
            base_url: emulators.cin7_url.clone(),
            account_id: text(&conn["cin7"]["account_id"]),
            application_key: SecretString::from(text(&conn["cin7"]["application_key"])),
            timeout: Duration::from_secs(30),
        },
        cin7_calls_per_minute: demo::budget_for(scenario.cin7.rate_limit.calls_per_minute),
    };
    let rules = Rules::from_settings(&scenario.settings);
    let ctx = build_context(store, connections, rules, Schedule::default())
        .expect("Failed to build the context");
    Parts {
        ctx,
        emulators,
        clock,
        _dir: dir,
    }
}
