//! Checks read from Concord's own side: the store, reachability of each system, what the last
//! start recorded about Oro's webhooks and postings, and the shared Cin7 rate budget.

use super::Check;
use crate::config::Config;
use crate::connectors::Health;
use crate::sync::context::Context;
use crate::sync::oro_webhooks::{self, Subscription};
use std::time::Duration;

/// Cin7 counts calls per 60 seconds, per account.
const WINDOW: Duration = Duration::from_secs(60);
/// Cin7's own limit, shared by every integration on the account (reference §4.3).
const CIN7_LIMIT: u32 = 60;

/// The store opened and migrated (the command stops before any check otherwise).
pub fn store(config: &Config) -> Check {
    Check::ok(
        "store",
        "store",
        format!(
            "open and migrated ({})",
            concord_store::redact_url(&config.store.url)
        ),
    )
}

pub fn reachability(health: &Health, fix: &str) -> Check {
    let area = if health.system == "cin7" {
        "cin7"
    } else {
        "oro"
    };
    if health.ok {
        Check::ok(area, "reachable", health.detail.clone())
    } else {
        Check::fail(
            area,
            "reachable",
            format!("{}; its references were not checked", health.detail),
            fix,
        )
    }
}

pub async fn run(ctx: &Context, config: &Config) -> Vec<Check> {
    let mut checks = Vec::new();
    if config.oro.webhook_secret.is_some() {
        checks.push(last_oro_subscription(ctx).await);
    }
    checks.extend(postings(ctx).await);
    checks.push(budget(ctx).await);
    checks
}

/// What the last `concord run` recorded when it subscribed to Oro's order topics.
async fn last_oro_subscription(ctx: &Context) -> Check {
    let name = "order webhooks at the last start";
    match oro_webhooks::status(&ctx.store).await {
        Ok(Subscription::Subscribed) => Check::ok("oro", name, "Oro accepted them"),
        Ok(Subscription::NotConfigured) => {
            Check::ok("oro", name, "Concord has not started on this store yet")
        }
        Ok(Subscription::Refused(reason)) => Check::fail(
            "oro",
            name,
            format!("Oro refused them ({reason}): orders are found by polling only"),
            "fix the cause above, then restart Concord",
        ),
        Err(e) => Check::fail(
            "store",
            name,
            format!("cannot read the store: {e}"),
            "check the store",
        ),
    }
}

async fn postings(ctx: &Context) -> Vec<Check> {
    let Some(cfg) = &ctx.rules.postings else {
        return Vec::new();
    };
    let summary =
        crate::sync::postings::summary::summarise(&ctx.store, cfg, ctx.clock.elapsed_s()).await;
    let s = match summary {
        Ok(s) => s,
        Err(e) => {
            return vec![Check::fail(
                "store",
                "postings",
                format!("cannot read the store: {e}"),
                "check the store",
            )]
        }
    };
    let mut checks = vec![Check::ok("store", "postings", s.line())];
    if s.oro_payments == Some(false) {
        checks.push(Check::fail(
            "oro",
            "payment webhook at the last start",
            "Oro refused order.payment_status_updated: Concord cannot learn payments, none is posted",
            "upgrade Oro to 6.1.10+ and make Order webhook accessible, then restart Concord",
        ));
    }
    if let Some(wait) = s.oldest_wait_s.filter(|w| *w > s.max_lag_s) {
        checks.push(Check::warn(
            "store",
            "postings lag",
            format!(
                "the oldest waiting posting has waited {wait:.0} s, over max_lag_s {:.0} s",
                s.max_lag_s
            ),
            "see `concord postings list --status waiting`; Cin7's budget may be spent by orders",
        ));
    }
    checks
}

/// Calls every Concord process on this store made in the last minute, against the budget.
async fn budget(ctx: &Context) -> Check {
    let budget = ctx.cin7.budget();
    let limit = budget.limit();
    let used = match ctx.store.budget_used(budget.app(), WINDOW).await {
        Ok(used) => used,
        Err(e) => {
            return Check::fail(
                "budget",
                "rate budget",
                format!("cannot read the store: {e}"),
                "check the store",
            )
        }
    };
    budget_check(used, limit)
}

fn budget_check(used: u32, limit: u32) -> Check {
    let name = "rate budget";
    let detail = format!(
        "{used} of Concord's {limit} Cin7 calls a minute used in the last minute (these checks \
         included); Cin7 allows {CIN7_LIMIT} per account and shows no other integration's use"
    );
    if limit >= CIN7_LIMIT {
        return Check::warn(
            "budget",
            name,
            detail,
            "lower cin7.calls_per_minute below 60 if any other integration uses this Cin7 account",
        );
    }
    if used * 10 >= limit * 8 {
        return Check::warn(
            "budget",
            name,
            detail,
            "Concord is near its budget: orders queue; consider a second application key for bulk work",
        );
    }
    Check::ok("budget", name, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    #[test]
    fn the_budget_warns_without_headroom_or_near_its_limit() {
        assert_eq!(budget_check(10, 55).status, Status::Ok);
        assert_eq!(budget_check(45, 55).status, Status::Warn);
        assert_eq!(budget_check(0, 60).status, Status::Warn);
        assert!(budget_check(10, 55)
            .detail
            .starts_with("10 of Concord's 55"));
    }
}
