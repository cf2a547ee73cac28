//! `concord doctor`: before go-live and whenever something looks wrong, every reference Concord
//! will name is checked in the system that must hold it (Cin7 locations, service products, tax
//! rules, payment term, price tiers, accounts; Oro price lists and unit precisions), with the
//! webhooks on both sides and the rate budget. One line per check, `OK`, `WARN` or `FAIL`, each
//! problem with its fix; any `FAIL` makes the command exit non-zero.

mod cin7_books;
mod cin7_refs;
mod local;
mod oro;
mod render;
#[cfg(test)]
mod tests;

use crate::config::Config;
use crate::sync::context::Context;
use indicatif::ProgressBar;
use serde::Serialize;

/// How a check came out. `Warn` is worth knowing but does not stop Concord working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// One line of the report: what was checked, what was found, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// `store`, `cin7`, `oro` or `budget`.
    pub area: &'static str,
    /// What was checked, naming the reference (e.g. `tax rule "5% VAT"`).
    pub name: String,
    pub status: Status,
    pub detail: String,
    /// What to do, for a `WARN` or `FAIL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(area: &'static str, name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            area,
            name: name.into(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn warn(
        area: &'static str,
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            status: Status::Warn,
            fix: Some(fix.into()),
            ..Check::ok(area, name, detail)
        }
    }

    pub fn fail(
        area: &'static str,
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            status: Status::Fail,
            ..Check::warn(area, name, detail, fix)
        }
    }
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// Any `FAIL`: the command exits non-zero.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail)
    }

    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}

/// Runs every check against the systems `ctx` reaches, with the references `config` names.
/// A system that cannot be reached gets one `FAIL` instead of a failure per reference.
/// `progress` says which group is being checked (Cin7's reads are paced by the rate budget, so
/// a full doctor takes a while on a busy account); pass [`ProgressBar::hidden`] for none.
pub async fn run(ctx: &Context, config: &Config, progress: &ProgressBar) -> Report {
    let mut checks = vec![local::store(config)];
    progress.set_message("reaching Cin7 and Oro");
    let oro_up = ctx.oro.healthcheck().await;
    let cin7_up = ctx.cin7.healthcheck().await;
    checks.push(local::reachability(&cin7_up, cin7_fix()));
    if cin7_up.ok {
        progress.set_message("Cin7: locations, service products, tax rules");
        checks.extend(cin7_refs::run(ctx).await);
        progress.set_message("Cin7: payment term, price tiers, accounts, webhooks");
        checks.extend(cin7_books::run(ctx, config).await);
    }
    checks.push(local::reachability(&oro_up, oro_fix()));
    if oro_up.ok {
        progress.set_message("Oro: price lists, unit precisions, webhooks");
        checks.extend(oro::run(ctx, config).await);
    }
    progress.set_message("the store and the rate budget");
    checks.extend(local::run(ctx, config).await);
    progress.finish_and_clear();
    Report { checks }
}

fn cin7_fix() -> &'static str {
    "check cin7.base_url, cin7.account_id and cin7.application_key (Cin7: Integrations > API)"
}

fn oro_fix() -> &'static str {
    "check oro.base_url, oro.client_id and oro.client_secret, and that the OAuth application has \
     the Client Credentials grant and Oro's Web API is enabled"
}

pub use render::{write_json, write_text};

/// A doctor's Cin7 read, tried again after a transient failure: Cin7 answers the odd call with a
/// 5xx and "try again later", and one such answer must not fail a go-live check (the engine's
/// jobs retry the same way).
pub(crate) async fn read_patiently<T, F, Fut>(
    read: F,
) -> Result<T, crate::connectors::cin7::Cin7Error>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::connectors::cin7::Cin7Error>>,
{
    const ATTEMPTS: u64 = 3;
    let mut attempt = 1;
    loop {
        match read().await {
            Err(crate::connectors::cin7::Cin7Error::Transient(_)) if attempt < ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(250 * attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}
