//! What each command does. `anyhow` is allowed here, at the top: every error below already names
//! its cause, and this layer only adds which step failed.

use super::{DemoArgs, ExceptionsAction, JobsAction};
use crate::app;
use crate::config::Config;
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
        Box::new(move |ctx| super::serve::dashboard(ctx, &tokens, false, false, None));
    let opts = DemoOptions {
        scenario,
        speed: args.speed,
        store_url,
        exit_when_idle: args.exit_when_idle,
        dump_state: args.dump_state,
        listen: args.listen,
        extra_routes: Some(extra),
        workers: args.workers,
        child_emulators: None,
        rest: None,
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
    hold: bool,
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
    let mut connection = emulators.connection();
    connection["clock"] = serde_json::json!({ "start": scenario.clock.start, "speed": speed.unwrap_or(scenario.clock.speed), "held": hold });
    println!("{connection}");
    if hold {
        tokio::select! {
            () = emulators.released() => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
        }
    }
    clock.release();
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
    let ctx = super::run::context_from_config(&config).await?;
    // On stderr, and only on a terminal: the report on stdout stays clean for scripts.
    let progress = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{spinner} checking {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let report = crate::doctor::run(&ctx, &config, &progress).await;
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
    let ctx = super::run::context_from_config(&config).await?;
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

/// `concord audit`: the newest `limit` audit entries (older than entry `before`, when given), as
/// a table or JSON lines.
pub async fn audit(
    limit: u32,
    before: Option<i64>,
    format: &str,
    store: &str,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let entries = store.audit_page(limit, before).await?;
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
        emulator_exe: if args.in_process {
            None
        } else {
            Some(
                std::env::current_exe()
                    .context("Failed to find the concord binary to run the emulators")?,
            )
        },
        rest_seconds: args.rest,
    })
    .await?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report.print_text(&mut std::io::stdout())?;
    }
    Ok(ExitCode::SUCCESS)
}
