//! `concord scenario capture`: reads the merchant's real systems through Concord's own connectors
//! and writes a scenario file (`spec/scenario.md`) that replays a day of their business against
//! the emulators: `concord demo --scenario my.json`.
//!
//! # Layout
//! - [`read`]: every read, in one [`read::Snapshot`] of domain values, with progress.
//! - [`catalogue`]: Cin7 products and stock, Oro products, units, inventory and price lists.
//! - [`accounts`]: Cin7 and Oro customers, the hierarchy, customer users and list assignments.
//! - [`orders`]: recent Oro orders as timeline events spread over a replay day.
//! - [`settings`]: the configuration's rules as the scenario's settings.
//! - [`anonymise`]: stable keyed pseudonyms for names and e-mail addresses.
//! - [`build`]: puts the parts together into the scenario document.

pub mod accounts;
pub mod anonymise;
pub mod build;
pub mod catalogue;
pub mod orders;
pub mod read;
pub mod settings;
#[cfg(test)]
mod tests;

use crate::config::Rules;
use crate::connectors::{cin7::Cin7Error, oro::OroError};
use crate::sync::context::Context;
use indicatif::ProgressBar;
use serde_json::Value;

/// What to capture and how.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Orders placed in the last `days` days (by the configured clock) become the timeline.
    pub days: u32,
    /// Replace names and e-mail addresses with pseudonyms keyed by this secret.
    pub anonymise: Option<anonymise::Key>,
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("reading Oro: {0}")]
    Oro(#[from] OroError),
    #[error("reading Cin7: {0}")]
    Cin7(#[from] Cin7Error),
}

/// The scenario document, and what was left out of it and why (for the operator).
#[derive(Debug, Clone)]
pub struct Captured {
    pub scenario: Value,
    pub notes: Vec<String>,
}

/// Reads both systems and builds the scenario. `progress` names each read as it runs (pass
/// [`ProgressBar::hidden`] for none).
pub async fn capture(
    ctx: &Context,
    rules: &Rules,
    opts: &CaptureOptions,
    progress: &ProgressBar,
) -> Result<Captured, CaptureError> {
    let now = ctx.clock.now();
    let since = now - chrono::Duration::days(i64::from(opts.days.max(1)));
    let snapshot = read::snapshot(ctx, since, progress).await?;
    progress.finish_and_clear();
    Ok(build::scenario(&snapshot, rules, opts, now))
}
