//! `concord demo`: both emulators in process, the engine against them on the scenario clock, a
//! simulated crash when the timeline says so, and the state dump once the run is idle.

mod child;
mod harness;
mod idle;
mod progress;
mod summary;

use crate::app::{self, Connections, WebhookTargets};
use crate::config::{Rules, Schedule};
use crate::connectors::cin7::Cin7Settings;
use crate::connectors::oro::OroSettings;
use crate::engine::{self, webhooks};
use crate::sync::context::Context;
use anyhow::Context as _;
use concord_core::scenario::Scenario;
use concord_core::Clock;
use concord_emulators::Emulators;
use concord_store::Store;
use harness::{CallCounts, Harness};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpListener;

pub use summary::{Rest, RunUsage, Summary};

/// Emulators in a child process: `exe emulate --hold --scenario scenario_path`, logging into
/// `work_dir`. The scenario passed to [`run`] then needs only its settings, clock and flags.
pub struct ChildSpec {
    pub exe: PathBuf,
    pub scenario_path: PathBuf,
    pub work_dir: PathBuf,
}

/// Builds routes merged into Concord's own server (the dashboard) for a given context.
pub type ExtraRoutes = dyn Fn(&Context) -> axum::Router + Send + Sync;

pub struct DemoOptions {
    pub scenario: Scenario,
    pub speed: Option<f64>,
    pub store_url: String,
    pub exit_when_idle: bool,
    pub dump_state: Option<PathBuf>,
    pub listen: SocketAddr,
    /// Extra routes (the dashboard) merged into Concord's own server.
    pub extra_routes: Option<Box<ExtraRoutes>>,
    pub workers: usize,
    /// Where the emulators run: `None` in this process.
    pub child_emulators: Option<ChildSpec>,
    /// Once idle, keep the engine running this long (wall time) and measure what it costs at rest:
    /// the periodic reads and checks of a quiet day.
    pub rest: Option<Duration>,
}

/// Runs a scenario to idle (or `run_until_s`) and returns what happened.
pub async fn run(opts: DemoOptions) -> anyhow::Result<Summary> {
    let scenario = opts.scenario;
    // Held until the emulators are loaded and the engine is up: a large scenario's load must not
    // run on the scenario clock, or a scale run measures its test equipment instead of Concord.
    let clock = Clock::scaled_held(
        scenario.clock.start,
        opts.speed.unwrap_or(scenario.clock.speed),
    );
    let store = Store::connect(&opts.store_url, clock.clone())
        .await
        .context("Failed to open the store")?;
    let speed = opts.speed.unwrap_or(scenario.clock.speed);
    let mut emulators =
        start_emulators(&scenario, &clock, speed, opts.child_emulators.as_ref()).await?;
    let cpu_at_start = crate::bench::process::cpu_seconds();
    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("Failed to listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    tracing::info!(dashboard = %base_url, "Concord is serving.");
    let targets = WebhookTargets {
        base_url: base_url.clone(),
        oro_secret: scenario.oro.webhooks.then(app::random_secret),
        cin7_token: scenario.cin7.webhooks.then(app::random_secret),
    };
    let mut ctx = build_context(&scenario, &emulators, &store, &clock)?;
    let mut server = serve(listener, &ctx, &targets, opts.extra_routes.as_deref());
    app::register_webhooks(&ctx, &targets).await;
    kick_off(&ctx).await;
    let mut engine = engine::start(ctx.clone(), opts.workers);
    let (crash_tx, mut crashes) = tokio::sync::mpsc::unbounded_channel();
    emulators.start(&scenario, &clock, crash_tx).await?;
    let mut idle = idle::IdleWatch::new(scenario.run_until_s);
    let progress = progress::Progress::start();
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            Some(at) = crashes.recv() => {
                tracing::warn!(at_s = at, "Simulated crash: stopping every engine task without a graceful shutdown.");
                engine.stop().await;
                server.abort();
                clock.sleep(Duration::from_secs(30)).await;
                ctx = build_context(&scenario, &emulators, &store, &clock)?;
                let listener = TcpListener::bind(addr).await.with_context(|| format!("Failed to listen again on {addr}"))?;
                server = serve(listener, &ctx, &targets, opts.extra_routes.as_deref());
                app::register_webhooks(&ctx, &targets).await;
                kick_off(&ctx).await;
                engine = engine::start(ctx.clone(), opts.workers);
                tracing::info!("Concord restarted from its store.");
            }
            _ = tokio::time::sleep(Duration::from_millis(50)) => {
                ticks += 1;
                if ticks.is_multiple_of(20) {
                    progress.update(&ctx, scenario.run_until_s).await;
                }
                if idle.check(&ctx, &emulators).await? {
                    break;
                }
            }
        }
    }
    progress.finish();
    let rest = match opts.rest {
        Some(wall) => Some(measure_rest(wall).await),
        None => None,
    };
    engine.stop().await;
    let usage = RunUsage {
        rest,
        ..run_usage(&emulators, cpu_at_start)
    };
    let emulator_dump = match &opts.dump_state {
        Some(_) => Some(emulators.dump().await?),
        None => None,
    };
    let calls = match &emulator_dump {
        Some(dump) => CallCounts::from_dump(dump),
        None => emulators.call_counts().await?,
    };
    let mut summary = summary::collect(&ctx, &calls).await?;
    summary.usage = Some(usage);
    if let (Some(path), Some(emulator_dump)) = (&opts.dump_state, emulator_dump) {
        let dump = summary::dump(&scenario, &ctx, emulator_dump).await?;
        std::fs::write(path, serde_json::to_vec_pretty(&dump)?)
            .with_context(|| format!("Failed to write {}", path.display()))?;
    }
    if !opts.exit_when_idle {
        summary.print_text(&mut std::io::stdout())?;
        println!("The dashboard stays up at {base_url} until Ctrl-C.");
        tokio::signal::ctrl_c().await?;
    }
    server.abort();
    emulators.stop();
    Ok(summary)
}

async fn start_emulators(
    scenario: &Scenario,
    clock: &Clock,
    speed: f64,
    child: Option<&ChildSpec>,
) -> anyhow::Result<Harness> {
    Ok(match child {
        None => {
            let any_port: SocketAddr = ([127, 0, 0, 1], 0).into();
            let emulators = Emulators::start(scenario, clock.clone(), any_port, any_port)
                .await
                .context("Failed to start the emulators")?;
            Harness::InProcess(emulators)
        }
        Some(spec) => Harness::Child(
            child::ChildEmulators::start(&spec.exe, &spec.scenario_path, speed, &spec.work_dir)
                .await?,
        ),
    })
}

/// Lets the engine run on for `wall` with nothing to do and reads the CPU it used meanwhile.
async fn measure_rest(wall: Duration) -> summary::Rest {
    tracing::info!(
        seconds = wall.as_secs_f64(),
        "Idle: measuring the engine at rest."
    );
    let before = crate::bench::process::cpu_seconds();
    tokio::time::sleep(wall).await;
    summary::Rest {
        wall_seconds: wall.as_secs_f64(),
        cpu_seconds: (crate::bench::process::cpu_seconds() - before).max(0.0),
    }
}

/// CPU since `cpu_at_start` and the peak so far of this process, and of the emulator child.
fn run_usage(emulators: &Harness, cpu_at_start: f64) -> RunUsage {
    use crate::bench::process;
    RunUsage {
        engine: process::Usage {
            cpu_seconds: (process::cpu_seconds() - cpu_at_start).max(0.0),
            peak_rss_mb: process::peak_rss_mb(),
        },
        emulators: match emulators {
            Harness::Child(c) => Some(c.usage()),
            Harness::InProcess(_) => None,
        },
        rest: None,
    }
}

fn build_context(
    scenario: &Scenario,
    emulators: &Harness,
    store: &Store,
    clock: &Clock,
) -> anyhow::Result<Context> {
    let conn = emulators.connection();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    // Timeouts are clock time too, but never so short on the wall clock that a busy machine trips them.
    let timeout = clock
        .to_real(app::default_timeout())
        .max(Duration::from_secs(3));
    let connections = Connections {
        oro: OroSettings {
            base_url: emulators.oro_url().to_owned(),
            client_id: text(&conn["oro"]["client_id"]),
            client_secret: SecretString::from(text(&conn["oro"]["client_secret"])),
            timeout,
        },
        cin7: Cin7Settings {
            base_url: emulators.cin7_url().to_owned(),
            account_id: text(&conn["cin7"]["account_id"]),
            application_key: SecretString::from(text(&conn["cin7"]["application_key"])),
            timeout,
        },
        // As an operator would set it for their own account: Cin7's limit less Concord's headroom.
        cin7_calls_per_minute: budget_for(scenario.cin7.rate_limit.calls_per_minute),
    };
    app::build_context(
        store.clone(),
        connections,
        Rules::from_settings(&scenario.settings),
        Schedule::default(),
    )
}

/// Concord keeps about 8 % of Cin7's limit free for other integrations and clock jitter.
pub fn budget_for(limit: u32) -> u32 {
    (limit - (limit / 12).max(1).min(limit - 1)).max(1)
}

fn serve(
    listener: TcpListener,
    ctx: &Context,
    targets: &WebhookTargets,
    extra: Option<&ExtraRoutes>,
) -> tokio::task::JoinHandle<()> {
    let state = webhooks::WebhookState::new(
        ctx.clone(),
        targets.oro_secret.clone(),
        targets.cin7_token.clone(),
    );
    let mut router = webhooks::router(state);
    if let Some(extra) = extra {
        router = router.merge(extra(ctx));
    }
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service).await;
    })
}

/// What a (re)started engine does first: poll for orders, mirror prices, sync stock.
async fn kick_off(ctx: &Context) {
    use crate::engine::schedule_now;
    for (kind, priority) in [("orders.poll", 9), ("stock.sync", 5), ("prices.sync", 1)] {
        schedule_now(ctx, kind, priority).await;
    }
}
