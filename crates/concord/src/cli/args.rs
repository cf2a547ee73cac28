//! The arguments of the subcommands that have their own: demo, bench, scenario, and the actions
//! of the store commands (jobs, exceptions, postings, prices, dry run).

use clap::Subcommand;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ScenarioAction {
    /// Write a seeded, deterministic B2B wholesale scenario (stdout unless --out).
    Generate(GenerateArgs),
    /// Read the configured Cin7 and Oro (catalogue, prices, customers, stock, recent orders) into
    /// a scenario that `concord demo --scenario` replays against the emulators.
    Capture(CaptureArgs),
}

#[derive(clap::Args, Debug)]
pub struct CaptureArgs {
    /// The configuration file (TOML) naming the systems to read and the rules to carry over.
    #[arg(long, env = "CONCORD_CONFIG")]
    pub config: PathBuf,
    /// Write the scenario here.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace customer names and e-mail addresses with stable pseudonyms (SKUs, prices and
    /// quantities are kept).
    #[arg(long)]
    pub anonymise: bool,
    /// The secret the pseudonyms are keyed with, so two captures agree (default: a random key,
    /// stable within this capture only). Implies --anonymise.
    #[arg(long, env = "CONCORD_ANONYMISE_KEY", hide_env_values = true)]
    pub anonymise_key: Option<String>,
    /// Orders placed in the last N days become the replay day's timeline.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=90))]
    pub days: u32,
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// How many orders the customers place.
    #[arg(long, default_value_t = 40)]
    pub orders: usize,
    /// How many products the catalogue holds.
    #[arg(long, default_value_t = 60)]
    pub skus: usize,
    /// Random seed: the same seed writes the same scenario.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Cin7 errors and lost responses, an outage of each system and Concord crashes.
    #[arg(long)]
    pub faults: bool,
    /// Write the scenario here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Clock speed (default: the timeline plays in about three minutes).
    #[arg(long)]
    pub speed: Option<f64>,
    /// Hours of scenario time the orders arrive over (default: 3.5 h for 40 orders, up to 5 days).
    #[arg(long)]
    pub hours: Option<f64>,
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// The scenario file to run.
    #[arg(long)]
    pub scenario: PathBuf,
    /// `text` or `json`.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Clock speed: scenario seconds per real second (default: the scenario's own).
    #[arg(long)]
    pub speed: Option<f64>,
    /// How many job workers run in parallel.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Also keep the state dump here (for tools/check-scenario).
    #[arg(long)]
    pub dump_state: Option<PathBuf>,
    /// Run the emulators in this process too (by default they run in a child process, so the
    /// engine's own CPU and memory are measured apart).
    #[arg(long)]
    pub in_process: bool,
    /// Once the run is idle, keep the engine running this many (wall) seconds and report the
    /// share of a core it uses at rest (`engine_rest_core_pct`). Run at `--speed 1` for the
    /// cost of a real quiet hour.
    #[arg(long)]
    pub rest: Option<f64>,
}

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// The scenario file to play (default: the built-in wholesale morning).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Clock speed: scenario seconds per real second (default: the scenario's own).
    #[arg(long)]
    pub speed: Option<f64>,
    /// Stop once the timeline has played and every job is done, then print the report.
    #[arg(long)]
    pub exit_when_idle: bool,
    /// Write the state dump of both systems here (for tools/check-scenario).
    #[arg(long)]
    pub dump_state: Option<PathBuf>,
    /// `text` or `json`.
    #[arg(long, default_value = "text")]
    pub report: String,
    /// Store URL (default: a SQLite file in a fresh temporary folder, printed at start).
    #[arg(long)]
    pub store: Option<String>,
    /// The dashboard listens here.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The dashboard token (a random one is printed otherwise).
    #[arg(long)]
    pub dashboard_token: Option<String>,
    /// How many job workers run in parallel.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
}

#[derive(Subcommand, Debug)]
pub enum JobsAction {
    /// List jobs, newest first.
    List {
        /// Only jobs in this state (e.g. `pending`, `running`, `done`, `dead`).
        #[arg(long)]
        state: Option<String>,
        /// Only jobs of this kind.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Put one job back in the queue.
    Retry {
        /// The job's id.
        id: i64,
    },
    /// Put dead-lettered jobs back in the queue in bulk.
    Replay {
        /// Only jobs of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only jobs that died at or after this time (RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// Only jobs that died at or before this time (RFC 3339).
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExceptionsAction {
    /// List exceptions.
    List {
        /// Only exceptions this owner must act on.
        #[arg(long)]
        owner: Option<String>,
        /// Only exceptions of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only exceptions in this status (`open`, `acknowledged`, `resolved`, `ignored`).
        #[arg(long)]
        status: Option<String>,
        /// `table` or `json`.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Show one exception with its history.
    Show {
        /// The exception's id.
        id: i64,
    },
    /// Open exceptions grouped by root cause: what to fix, the orders and money it holds.
    Causes {
        /// `table`, `json` or `csv`.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Acknowledge an exception: someone is on it.
    Ack {
        /// The exception's id.
        id: i64,
        /// A note kept in the exception's history.
        #[arg(long)]
        note: Option<String>,
    },
    /// Mark an exception resolved.
    Resolve {
        /// The exception's id.
        id: i64,
        /// A note kept in the exception's history.
        #[arg(long)]
        note: Option<String>,
    },
    /// Ignore an exception (it stays in the history).
    Ignore {
        /// The exception's id.
        id: i64,
        /// A note kept in the exception's history.
        #[arg(long)]
        note: Option<String>,
    },
    /// Retry the work behind an exception.
    Retry {
        /// The exception's id.
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum PostingsAction {
    /// Every posting (or those of one status: waiting, posted, refused, dropped).
    List {
        /// Only postings of this status: `waiting`, `posted`, `refused` or `dropped`.
        #[arg(long)]
        status: Option<String>,
    },
    /// Back to waiting for the next slot: `invoice:<order id>` or `payment:<reference>`.
    Retry {
        /// `invoice:<order id>` or `payment:<reference>`.
        key: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PricesAction {
    /// Push Oro price lists to Cin7 price tiers.
    Sync {
        /// The configuration file (TOML).
        #[arg(long, env = "CONCORD_CONFIG")]
        config: PathBuf,
        /// Show what would change without writing to Cin7.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum DryrunAction {
    /// The writes a dry run held back, in the order it would have made them.
    List {
        /// Only writes to this system: `cin7` or `oro`.
        #[arg(long)]
        system: Option<String>,
        /// Only writes of this kind (e.g. `sale`, `customer`, `stock levels`).
        #[arg(long)]
        kind: Option<String>,
        /// At most this many (0: all).
        #[arg(long, default_value_t = 0)]
        limit: u32,
        /// `table` or `json` (JSON carries every payload whole).
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// One held-back write with its whole payload.
    Show {
        /// The write's id, from `dryrun list`.
        id: i64,
    },
}
