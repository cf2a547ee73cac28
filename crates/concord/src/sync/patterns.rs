//! Recurring patterns a single exception does not show: the same SKU's Oro stock drifting again
//! and again (another channel selling from the same stock), and one customer's orders failing
//! repeatedly. Each becomes one `anomaly` naming the pattern and its evidence, closed once the
//! pattern is gone.

use super::context::{Context, FlowError};
use super::exceptions;
use super::orders::record::{self, OrderRecord, OrderState};
use chrono::{DateTime, Utc};
use concord_core::catalogue::ExceptionKind;
use concord_store::{ExceptionFilter, ExceptionRecord, ExceptionStatus};
use std::collections::BTreeMap;

/// Drifts of one SKU before they are called a pattern.
pub const DRIFT_MIN: u32 = 3;
/// Held orders of one customer before they are called a pattern.
pub const CUSTOMER_MIN: usize = 3;
/// The window drifts are counted over.
const DRIFT_WINDOW_H: i64 = 24;
const DRIFT_PREFIX: &str = "pattern:drift:";
const CUSTOMER_PREFIX: &str = "pattern:customer:";

/// (subject, explanation) of each SKU whose stock drifted at least [`DRIFT_MIN`] times, counting
/// the drift exceptions seen since `since` (whatever their status: a drift fixed by Concord's
/// next write still happened).
pub fn drifting_skus(drifts: &[ExceptionRecord], since: DateTime<Utc>) -> Vec<(String, String)> {
    let mut by_sku: BTreeMap<&str, (u32, Vec<&ExceptionRecord>)> = BTreeMap::new();
    for e in drifts
        .iter()
        .filter(|e| e.kind == ExceptionKind::StockDrift && e.last_seen >= since)
    {
        let Some(sku) = e.subject.strip_prefix("sku:") else {
            continue;
        };
        let entry = by_sku.entry(sku).or_default();
        entry.0 += e.occurrences;
        entry.1.push(e);
    }
    by_sku
        .into_iter()
        .filter(|(_, (n, _))| *n >= DRIFT_MIN)
        .map(|(sku, (n, list))| {
            let first = list.iter().map(|e| e.first_seen).min().unwrap_or_default();
            let text = format!(
                "Oro's stock of {sku} was changed outside Concord {n} times since {}: another channel (or a person) is probably selling from the same stock. Find who writes {sku}'s Oro levels and route that channel's stock through Cin7.",
                first.format("%Y-%m-%d %H:%M UTC")
            );
            (format!("{DRIFT_PREFIX}sku:{sku}"), text)
        })
        .collect()
}

/// Holds that are the catalogue's problem, not the customer's: their root cause says so already.
const CATALOGUE_HOLDS: [&str; 2] = ["sku_unknown", "unit_unmapped"];

/// (subject, explanation) of each Oro customer with at least [`CUSTOMER_MIN`] orders held for
/// something other than the catalogue.
pub fn failing_customers(records: &[OrderRecord]) -> Vec<(String, String)> {
    let mut by_customer: BTreeMap<i64, Vec<&OrderRecord>> = BTreeMap::new();
    let own_problem = |r: &&OrderRecord| {
        r.held_for
            .iter()
            .any(|k| !CATALOGUE_HOLDS.contains(&k.as_str()))
    };
    for r in records
        .iter()
        .filter(|r| r.state == OrderState::Held && !r.cancelled)
        .filter(own_problem)
    {
        if let Some(c) = r.oro_customer {
            by_customer.entry(c).or_default().push(r);
        }
    }
    by_customer
        .into_iter()
        .filter(|(_, held)| held.len() >= CUSTOMER_MIN)
        .map(|(customer, held)| {
            let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
            for k in held.iter().flat_map(|r| &r.held_for) {
                *kinds.entry(k.as_str()).or_default() += 1;
            }
            let why: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} x{n}")).collect();
            let examples: Vec<String> = held.iter().take(3).map(|r| r.order_id.to_string()).collect();
            let text = format!(
                "Oro customer {customer}'s orders keep failing: {} held ({}), e.g. orders {}. Look at this account's set-up (hierarchy, currency, catalogue it buys from) rather than order by order.",
                held.len(),
                why.join(", "),
                examples.join(", ")
            );
            (format!("{CUSTOMER_PREFIX}{customer}"), text)
        })
        .collect()
}

/// Raises the patterns seen now and closes those that are gone.
pub async fn check(ctx: &Context) -> Result<(), FlowError> {
    let drifts = ctx
        .store
        .exceptions(&ExceptionFilter {
            kind: Some(ExceptionKind::StockDrift),
            limit: 0,
            ..ExceptionFilter::default()
        })
        .await?;
    let held = record::in_states(&ctx.store, &[OrderState::Held]).await?;
    let since = ctx.clock.now() - chrono::Duration::hours(DRIFT_WINDOW_H);
    let mut now: Vec<(String, String)> = drifting_skus(&drifts, since);
    now.extend(failing_customers(&held));
    for (subject, text) in &now {
        exceptions::raise(
            &ctx.store,
            &ctx.rules,
            ExceptionKind::Anomaly,
            subject,
            "recurring",
            text.clone(),
        )
        .await?;
    }
    let raised = ctx
        .store
        .exceptions(&ExceptionFilter {
            kind: Some(ExceptionKind::Anomaly),
            status: Some(ExceptionStatus::Open),
            limit: 0,
            ..ExceptionFilter::default()
        })
        .await?;
    for e in raised.iter().filter(|e| is_pattern(&e.subject)) {
        if !now.iter().any(|(s, _)| *s == e.subject) {
            exceptions::resolve_one(&ctx.store, e.id, "The pattern stopped: no longer seen.")
                .await?;
        }
    }
    Ok(())
}

fn is_pattern(subject: &str) -> bool {
    subject.starts_with(DRIFT_PREFIX) || subject.starts_with(CUSTOMER_PREFIX)
}

#[cfg(test)]
#[path = "patterns_tests.rs"]
mod tests;
