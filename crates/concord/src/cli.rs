//! The command line: `demo`, `emulate`, `run`, and the commands that read or act on the store.

mod args;
mod capture;
mod commands;
mod dryrun;
mod postings;
mod run;
mod serve;

pub use args::*;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "concord",
    version,
    about = "Keeps an OroCommerce B2B storefront and a Cin7 Core ERP in agreement."
)]
pub struct Cli {
    /// Log one JSON object per line (for log shippers) instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    /// Show debug logs.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// True for the commands that run the engine by itself (`run`, and `bench` unless it keeps
    /// the emulators in process): those get a single-threaded runtime (see `main`).
    pub fn engine_alone(&self) -> bool {
        match &self.command {
            Command::Run { .. } => true,
            Command::Bench(args) => !args.in_process,
            _ => false,
        }
    }

    pub fn default_log_level(&self) -> &'static str {
        match (&self.command, self.verbose) {
            (_, true) => "concord=debug,info",
            (Command::Demo(_), false) => "warn,concord=warn",
            (Command::Bench(_), false) => "warn,concord=warn",
            // The report is the output; routine logs would break the progress line.
            (Command::Doctor { .. }, false) => "warn,concord=warn",
            _ => "info",
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario (the built-in wholesale morning by default) against both emulators, in process.
    Demo(DemoArgs),
    /// Serve only the two emulators, playing a scenario on its clock.
    Emulate {
        /// The scenario file whose timeline the emulators play.
        #[arg(long)]
        scenario: PathBuf,
        /// Oro listens here; Cin7 on the next port (port 0 picks two free ports).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// Clock speed: scenario seconds per real second (default: the scenario's own).
        #[arg(long)]
        speed: Option<f64>,
        /// Keep the clock and the timeline still until `POST /_emulator/release`, so a driver in
        /// another process (`concord bench`) starts its engine first.
        #[arg(long)]
        hold: bool,
    },
    /// The engine alone, against real systems (or emulators): production mode.
    Run {
        /// The configuration file (TOML).
        #[arg(long, env = "CONCORD_CONFIG")]
        config: PathBuf,
        /// Read both systems and do everything but write: each write is recorded in the store
        /// instead (see `concord dryrun list`). Needs a store of its own.
        #[arg(long)]
        dry_run: bool,
    },
    /// Apply the store's migrations and exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Check that both systems hold everything the configuration names, one line per check.
    Doctor {
        /// The configuration file (TOML).
        #[arg(long, env = "CONCORD_CONFIG")]
        config: PathBuf,
        /// `text` (one line per check) or `json`.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Durable jobs: list, retry one, replay dead letters in bulk.
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The exception inbox.
    Exceptions {
        #[command(subcommand)]
        action: ExceptionsAction,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Financial postings (invoices and payments to Cin7): list them, retry a refused one.
    Postings {
        #[command(subcommand)]
        action: PostingsAction,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// What a dry run (`run --dry-run`) would have written: list them, show one whole.
    Dryrun {
        #[command(subcommand)]
        action: DryrunAction,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The latest reconciliation and the month-end report.
    Report {
        /// The month to report on, `YYYY-MM` (default: the latest reconciliation).
        #[arg(long)]
        period: Option<String>,
        /// `text` or `json`.
        #[arg(long, default_value = "text")]
        format: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The audit log: who signed in, acted, exported, replayed or pushed prices, newest first.
    Audit {
        /// How many entries, newest first.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Only entries older than this entry id (the next page starts before the last id shown).
        #[arg(long)]
        before: Option<i64>,
        /// `table` or `json`.
        #[arg(long, default_value = "table")]
        format: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Oro price lists → Cin7 price tiers.
    Prices {
        #[command(subcommand)]
        action: PricesAction,
    },
    /// Scenario files: generate a seeded wholesale scenario, or capture one from real systems.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
    /// Run a scenario to idle and measure calls per order, throughput, latency, CPU and memory.
    Bench(BenchArgs),
}

/// Where a store command finds its store: `--store`, else `CONCORD_STORE__URL`, else the
/// `[store] url` of `--config` (or `CONCORD_CONFIG`), else `sqlite://concord.db`. The URL may
/// hold a password, so it need not be typed on a command line.
#[derive(clap::Args, Debug, Clone)]
pub struct StoreArgs {
    /// The store URL (`sqlite://PATH` or `postgres://…`); else `CONCORD_STORE__URL`, else the
    /// config's `[store] url`, else `sqlite://concord.db`.
    #[arg(
        long,
        global = true,
        env = "CONCORD_STORE__URL",
        hide_env_values = true
    )]
    pub store: Option<String>,
    /// A configuration file whose `[store] url` names the store.
    #[arg(long = "config", global = true, env = "CONCORD_CONFIG")]
    pub config: Option<PathBuf>,
}

impl StoreArgs {
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.store {
            return Ok(url.clone());
        }
        match &self.config {
            Some(path) => Ok(crate::config::Config::load(path)?.store.url),
            None => Ok("sqlite://concord.db".to_owned()),
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => commands::demo(args).await,
        Command::Emulate {
            scenario,
            listen,
            speed,
            hold,
        } => commands::emulate(scenario, listen, speed, hold).await,
        Command::Run { config, dry_run } => run::run(config, dry_run).await,
        Command::Migrate { store } => commands::migrate(&store.url()?).await,
        Command::Doctor { config, format } => commands::doctor(config, &format).await,
        Command::Jobs { action, store } => commands::jobs(action, &store.url()?).await,
        Command::Exceptions { action, store } => commands::exceptions(action, &store.url()?).await,
        Command::Postings { action, store } => {
            let out = &mut std::io::stdout();
            match action {
                PostingsAction::List { status } => {
                    postings::list(&store.url()?, status.as_deref(), out).await
                }
                PostingsAction::Retry { key } => postings::retry(&store.url()?, &key, out).await,
            }
        }
        Command::Dryrun { action, store } => dryrun::dryrun(action, &store.url()?).await,
        Command::Report {
            period,
            format,
            store,
        } => commands::report(period, &format, &store.url()?).await,
        Command::Audit {
            limit,
            before,
            format,
            store,
        } => commands::audit(limit, before, &format, &store.url()?).await,
        Command::Prices {
            action: PricesAction::Sync { config, dry_run },
        } => commands::prices_sync(config, dry_run).await,
        Command::Scenario {
            action: ScenarioAction::Generate(args),
        } => commands::scenario_generate(args),
        Command::Scenario {
            action: ScenarioAction::Capture(args),
        } => capture::capture(args).await,
        Command::Bench(args) => commands::bench(args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every argument of every (sub)command, named by its path, that has no help text.
    fn args_without_help(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_about().is_none() && sub.get_name() != "help" {
                missing.push(format!("{path} {} (command)", sub.get_name()));
            }
            args_without_help(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }

    #[test]
    fn every_cli_argument_and_command_has_help_text() {
        let mut missing = Vec::new();
        args_without_help(&Cli::command(), "concord", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
