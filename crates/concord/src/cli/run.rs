//! `concord run`: the engine against configured systems (production mode, or a dry run that
//! writes nothing), with its webhook receivers, dashboard and background tasks; and the context a
//! configured process works with.

use crate::app::{self, Connections, WebhookTargets};
use crate::config::Config;
use crate::connectors::cin7::Cin7Settings;
use crate::connectors::oro::OroSettings;
use crate::sync::context::Context;
use anyhow::Context as _;
use concord_core::Clock;
use concord_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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

pub async fn run(path: PathBuf, dry_run: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(&path)?;
    let mut ctx = context_from_config(&config).await?;
    if dry_run {
        crate::dry_run::claim_store(&ctx.store).await?;
        ctx = crate::dry_run::enable(ctx);
        tracing::warn!(
            "Dry run: nothing is written to Cin7 or Oro; each write is recorded in the store \
             (`concord dryrun list`). No webhook is subscribed (orders are found by polling) and \
             no alert is sent."
        );
    } else {
        crate::dry_run::refuse_dry_run_store(&ctx.store).await?;
    }
    let listen: SocketAddr = config
        .web
        .listen
        .clone()
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()
        .context("web.listen is not an address")?;
    let targets = WebhookTargets {
        base_url: app::webhook_base_url(&config),
        oro_secret: config.oro.webhook_secret.clone(),
        cin7_token: config.cin7.webhook_token.clone(),
    };
    let server = serve(&ctx, &config, &targets, listen).await?;
    // Subscribing is a write to both systems: a dry run polls instead.
    if !dry_run {
        app::register_webhooks(&ctx, &targets).await;
    }
    for kind in ["orders.poll", "stock.sync", "prices.sync"] {
        crate::engine::schedule_now(&ctx, kind, 5).await;
    }
    let background = background_tasks(&ctx, &config, dry_run);
    let engine = crate::engine::start(ctx, 4);
    tracing::info!(%listen, "Concord is running; Ctrl-C or SIGTERM stops it.");
    crate::shutdown::signalled().await?;
    engine.stop().await;
    for task in background {
        task.abort();
    }
    server.abort();
    Ok(ExitCode::SUCCESS)
}

/// The webhook receivers and the dashboard, served on `listen` until aborted.
async fn serve(
    ctx: &Context,
    config: &Config,
    targets: &WebhookTargets,
    listen: SocketAddr,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
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
    let explainer = match config.explain.clone() {
        Some(c) => Some(std::sync::Arc::new(
            crate::inbox::explain::Explainer::new(c).context("Failed to set up [explain]")?,
        )),
        None => None,
    };
    let dashboard = super::serve::dashboard(
        ctx,
        &tokens,
        config.web.tls(),
        config.web.access_log,
        explainer,
    );
    let router = crate::engine::webhooks::router(state).merge(dashboard);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("Failed to listen on {listen}"))?;
    Ok(tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service).await;
    }))
}

/// Payload retention, and alerts unless this is a dry run (a rehearsal pages nobody).
fn background_tasks(
    ctx: &Context,
    config: &Config,
    dry_run: bool,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = vec![tokio::spawn(crate::engine::retention::run(
        ctx.store.clone(),
        ctx.clock.clone(),
        config.store.payload_retention_days,
        std::time::Duration::from_secs_f64(config.schedule.retention_s.max(60.0)),
    ))];
    if !dry_run {
        let budget = (
            ctx.cin7.budget().app().to_owned(),
            ctx.cin7.budget().limit(),
        );
        tasks.push(tokio::spawn(crate::alerts::run(
            ctx.store.clone(),
            config.alerts.clone(),
            budget,
        )));
    }
    tasks
}
