//! What each command does. `anyhow` is allowed here, at the top: every error below already names
//! its cause, and this layer only adds which step failed.

use super::{DemoArgs, ExceptionsAction, JobsAction};
use crate::app::{self, Connections, WebhookTargets};
use crate::config::Config;
use crate::connectors::cin7::Cin7Settings;
use crate::connectors::oro::OroSettings;
use crate::demo::{self, DemoOptions};
use crate::inbox;
use crate::sync::context::Context;
use anyhow::Context as _;
use concord_core::scenario::{parse_scenario, Scenario};
use concord_core::Clock;
use concord_emulators::Emulators;
use concord_store::Store;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The built-in demo: a wholesale morning, about two minutes on the wall clock.
const BUILT_IN_SCENARIO: &str = include_str!("../../scenarios/wholesale-morning.json");

pub fn load_scenario(path: &Path) -> anyhow::Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read the scenario {}", path.display()))?;
    parse_scenario(&text)
        .map_err(|e| anyhow::anyhow!("scenario {} is not valid: {e}", path.display()))
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let scenario = match &args.scenario {
        Some(path) => load_scenario(path)?,
        None => parse_scenario(BUILT_IN_SCENARIO)
            .map_err(|e| anyhow::anyhow!("the built-in scenario is broken: {e}"))?,
    };
    let store_url = match args.store {
        Some(url) => url,
        None => {
            let dir = tempfile::Builder::new()
                .prefix("concord-demo-")
                .tempdir()?
                .keep();
            let url = format!("sqlite://{}", dir.join("concord.db").display());
            eprintln!("Store: {url}");
            url
        }
    };
    let token = args.dashboard_token.clone().unwrap_or_else(|| {
        secrecy::ExposeSecret::expose_secret(&app::random_secret())
            .chars()
            .take(24)
            .collect()
    });
    eprintln!("Dashboard: http://{} (token {token})", args.listen);
    let tokens = vec![(token, crate::web::Role::Admin, Some("demo".to_owned()))];
    let extra: Box<dyn Fn(&Context) -> axum::Router + Send + Sync> =
        Box::new(move |ctx| super::serve::dashboard(ctx, &tokens, false, false));
    let opts = DemoOptions {
        scenario,
        speed: args.speed,
        store_url,
        exit_when_idle: args.exit_when_idle,
        dump_state: args.dump_state,
        listen: args.listen,
        extra_routes: Some(extra),
        workers: args.workers,
    };
    let summary = demo::run(opts).await?;
    if args.report == "json" {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else if args.exit_when_idle {
        summary.print_text(&mut std::io::stdout())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn emulate(
    scenario: PathBuf,
    listen: SocketAddr,
    speed: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let scenario = load_scenario(&scenario)?;
    // Held while the emulators load the scenario, so a large one does not start its clock late.
    let clock = Clock::scaled_held(scenario.clock.start, speed.unwrap_or(scenario.clock.speed));
    let cin7_addr = if listen.port() == 0 {
        listen
    } else {
        SocketAddr::new(listen.ip(), listen.port() + 1)
    };
    let mut emulators = Emulators::start(&scenario, clock.clone(), listen, cin7_addr)
        .await
        .context("Failed to start the emulators")?;
    clock.release();
    let mut connection = emulators.connection();
    connection["clock"] = serde_json::json!({ "start": scenario.clock.start, "speed": speed.unwrap_or(scenario.clock.speed) });
    println!("{connection}");
    let (tx, mut crashes) = tokio::sync::mpsc::unbounded_channel();
    emulators.play_timeline(&scenario, tx);
    loop {
        tokio::select! {
            Some(at) = crashes.recv() => tracing::info!(at_s = at, "The timeline crashes Concord here; emulate leaves that to whoever runs it."),
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    emulators.stop();
    Ok(ExitCode::SUCCESS)
}

/// Store, context and webhook targets for a configured (production) process.
pub async fn context_from_config(config: &Config) -> anyhow::Result<Context> {
    let clock = match &config.clock.follow {
        Some(url) => follow_clock(url).await?,
        None => Clock::real(),
    };
    let store = Store::connect(&config.store.url, clock)
        .await
        .context("Failed to open the store")?;
    let timeout = app::default_timeout();
    let connections = Connections {
        oro: OroSettings {
            base_url: config.oro.base_url.clone(),
            client_id: config.oro.client_id.clone(),
            client_secret: config.oro.client_secret.clone(),
            timeout,
        },
        cin7: Cin7Settings {
            base_url: config.cin7.base_url.clone(),
            account_id: config.cin7.account_id.clone(),
            application_key: config.cin7.application_key.clone(),
            timeout,
        },
        cin7_calls_per_minute: config.cin7.calls_per_minute,
    };
    let ctx = app::build_context(
        store,
        connections,
        config.rules.clone(),
        config.schedule.clone(),
    )?;
    ctx.cin7
        .budget()
        .set_max_pause(std::time::Duration::from_secs(
            config.cin7.max_retry_after_s,
        ));
    Ok(ctx)
}

/// Joins an emulator's scenario clock (`GET /_emulator/clock`).
async fn follow_clock(base_url: &str) -> anyhow::Result<Clock> {
    #[derive(serde::Deserialize)]
    struct Remote {
        start: chrono::DateTime<chrono::Utc>,
        speed: f64,
        elapsed_s: f64,
    }
    let url = format!("{}/_emulator/clock", base_url.trim_end_matches('/'));
    let remote: Remote = reqwest::get(&url)
        .await
        .and_then(|r| r.error_for_status())
        .with_context(|| format!("Failed to read the clock at {url} (clock.follow)"))?
        .json()
        .await
        .context("clock.follow answered something that is not a clock")?;
    Ok(Clock::scaled_from(
        remote.start,
        remote.speed,
        remote.elapsed_s,
    ))
}

pub async fn run(path: PathBuf) -> anyhow::Result<ExitCode> {
    let config = Config::load(&path)?;
    let ctx = context_from_config(&config).await?;
    let listen: SocketAddr = config
        .web
        .listen
        .clone()
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()
        .context("web.listen is not an address")?;
    let targets = WebhookTargets {
        base_url: config
            .oro
            .webhook_url
            .clone()
            .or(config.cin7.webhook_url.clone())
            .unwrap_or_else(|| format!("http://{listen}")),
        oro_secret: config.oro.webhook_secret.clone(),
        cin7_token: config.cin7.webhook_token.clone(),
    };
    let state = crate::engine::webhooks::WebhookState::new(
        ctx.clone(),
        targets.oro_secret.clone(),
        targets.cin7_token.clone(),
    );
    let tokens: Vec<super::serve::DashboardToken> = config
        .web
        .named_tokens()?
        .into_iter()
        .map(|(token, role, name)| {
            let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();
            (token, role, name)
        })
        .collect();
    let dashboard = super::serve::dashboard(&ctx, &tokens, config.web.tls(), config.web.access_log);
    let router = crate::engine::webhooks::router(state).merge(dashboard);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("Failed to listen on {listen}"))?;
    let server = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service).await;
    });
    app::register_webhooks(&ctx, &targets).await;
    for kind in ["orders.poll", "stock.sync", "prices.sync"] {
        crate::engine::schedule_now(&ctx, kind, 5).await;
    }
    let budget = (
        ctx.cin7.budget().app().to_owned(),
        ctx.cin7.budget().limit(),
    );
    let alerts = tokio::spawn(crate::alerts::run(
        ctx.store.clone(),
        config.alerts.clone(),
        budget,
    ));
    let retention = tokio::spawn(crate::engine::retention::run(
        ctx.store.clone(),
        ctx.clock.clone(),
        config.store.payload_retention_days,
        std::time::Duration::from_secs_f64(config.schedule.retention_s.max(60.0)),
    ));
    let engine = crate::engine::start(ctx, 4);
    tracing::info!(%listen, "Concord is running; Ctrl-C or SIGTERM stops it.");
    crate::shutdown::signalled().await?;
    engine.stop().await;
    alerts.abort();
    retention.abort();
    server.abort();
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(url: &str) -> anyhow::Result<ExitCode> {
    Store::connect(url, Clock::real())
        .await
        .context("Failed to migrate the store")?;
    println!("The store at {} is up to date.", redact_url(url));
    Ok(ExitCode::SUCCESS)
}

/// `concord doctor`: every check, as text or JSON; exit 1 on any `FAIL`.
pub async fn doctor(path: PathBuf, format: &str) -> anyhow::Result<ExitCode> {
    if !matches!(format, "text" | "json") {
        anyhow::bail!("--format: expected text or json, not `{format}`");
    }
    let config = Config::load(&path)?;
    let ctx = context_from_config(&config).await?;
    let report = crate::doctor::run(&ctx, &config).await;
    let out = &mut std::io::stdout();
    if format == "json" {
        crate::doctor::write_json(&report, out)?;
    } else {
        crate::doctor::write_text(&report, out)?;
    }
    Ok(if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn prices_sync(path: PathBuf, dry_run: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(&path)?;
    let ctx = context_from_config(&config).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} products pushed ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (drifted, pushed) =
        crate::sync::prices::push::sync_with_progress(&ctx, dry_run, &bar).await?;
    bar.finish_and_clear();
    if !dry_run {
        let note = format!("{drifted} drifted, {pushed} pushed");
        ctx.store
            .audit(&inbox::cli_actor(), "pushed_prices", "prices", Some(&note))
            .await?;
    }
    println!(
        "{drifted} products had drifted tiers; {pushed} pushed{}.",
        if dry_run { " (dry run)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn jobs(action: JobsAction, store: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let out = &mut std::io::stdout();
    match action {
        JobsAction::List { state, kind } => {
            inbox::jobs::list(
                &store,
                state.as_deref(),
                kind.as_deref(),
                inbox::ListFormat::Table,
                out,
            )
            .await?
        }
        JobsAction::Retry { id } => inbox::jobs::retry(&store, id, out).await?,
        JobsAction::Replay { kind, from, to } => {
            inbox::jobs::replay(&store, kind.as_deref(), from.as_deref(), to.as_deref(), out)
                .await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn exceptions(action: ExceptionsAction, store: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let out = &mut std::io::stdout();
    match action {
        ExceptionsAction::List {
            owner,
            kind,
            status,
            format,
        } => {
            let format: inbox::ListFormat = format
                .parse()
                .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
            inbox::exceptions::list(
                &store,
                &inbox::ExceptionQuery {
                    owner,
                    kind,
                    status,
                },
                format,
                out,
            )
            .await?
        }
        ExceptionsAction::Show { id } => inbox::exceptions::show(&store, id, out).await?,
        ExceptionsAction::Causes { format } => {
            let format: inbox::ListFormat = format
                .parse()
                .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
            inbox::causes_out::list(&store, format, out).await?
        }
        ExceptionsAction::Ack { id, note } => {
            inbox::exceptions::act(&store, id, inbox::Action::Ack, note.as_deref(), out).await?
        }
        ExceptionsAction::Resolve { id, note } => {
            inbox::exceptions::act(&store, id, inbox::Action::Resolve, note.as_deref(), out).await?
        }
        ExceptionsAction::Ignore { id, note } => {
            inbox::exceptions::act(&store, id, inbox::Action::Ignore, note.as_deref(), out).await?
        }
        ExceptionsAction::Retry { id } => inbox::exceptions::retry(&store, id, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn report(period: Option<String>, format: &str, store: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let format: inbox::ReportFormat = format
        .parse()
        .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    inbox::report_out::report(&store, period.as_deref(), format, &mut std::io::stdout()).await?;
    Ok(ExitCode::SUCCESS)
}

/// `concord audit`: the newest `limit` audit entries, as a table or JSON lines.
pub async fn audit(limit: u32, format: &str, store: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let entries = store.audit_log(limit).await?;
    let out = &mut std::io::stdout();
    crate::inbox::audit_out::write(&entries, format, out)?;
    Ok(ExitCode::SUCCESS)
}

/// A store URL with any password hidden, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// `concord scenario generate`: writes the scenario to `--out`, or to stdout.
pub fn scenario_generate(args: super::GenerateArgs) -> anyhow::Result<ExitCode> {
    let opts = crate::scenario_gen::GenerateOptions {
        orders: args.orders,
        skus: args.skus,
        seed: args.seed,
        faults: args.faults,
        speed: args.speed,
        hours: args.hours,
    };
    let text = serde_json::to_string_pretty(&crate::scenario_gen::generate(&opts))?;
    match &args.out {
        Some(path) => std::fs::write(path, text + "\n")
            .with_context(|| format!("Failed to write {}", path.display()))?,
        None => {
            use std::io::Write as _;
            // A closed pipe (`| head`) is the reader's choice, not an error.
            match writeln!(std::io::stdout().lock(), "{text}") {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `concord bench`: runs the scenario to idle and prints the figures.
pub async fn bench(args: super::BenchArgs) -> anyhow::Result<ExitCode> {
    let report = crate::bench::run(crate::bench::BenchOptions {
        scenario: args.scenario,
        speed: args.speed,
        workers: args.workers,
        keep_dump: args.dump_state,
    })
    .await?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report.print_text(&mut std::io::stdout())?;
    }
    Ok(ExitCode::SUCCESS)
}
