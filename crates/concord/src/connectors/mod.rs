//! Connectors: the only code that knows a wire format. One folder per external system, each with
//! the same files (`config`, `client`, `models`, `convert`, `error`, `tests`), a client and a
//! healthcheck; [`budget`] is the shared Cin7 rate budget, [`payload_log`] records every call and
//! [`dry_run`] records the writes a dry run holds back.

pub mod budget;
pub mod cin7;
pub mod dry_run;
pub mod limits;
pub mod oro;
pub mod payload_log;
pub mod redact;
pub mod secret_fingerprint;

/// How a caller should treat a failed call; decided where the error is understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAction {
    /// Try again later on the job's schedule.
    Retry,
    /// Try again after this long (a rate limit's `Retry-After`).
    RetryAfter(std::time::Duration),
    /// A write whose outcome is unknown: look it up before trying again.
    LookUpFirst,
    /// Do not retry: a person must fix the data or the configuration.
    DontRetry,
}

/// A healthcheck result shown by `concord doctor` and the dashboard.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Health {
    pub system: &'static str,
    pub ok: bool,
    pub detail: String,
}
