//! Monitoring agents: they watch the flow itself rather than the data. Sync lag past the order
//! SLA, and many jobs failing with the same error (one root cause behind many failures), become
//! `anomaly` exceptions that name the pattern and what to check.

use super::context::{Context, FlowError};
use super::exceptions;
use concord_core::catalogue::ExceptionKind;
use concord_store::{Job, JobFilter, JobState};
use std::collections::BTreeMap;

/// Failures sharing one cause before they are called a pattern.
const PATTERN_MIN: usize = 5;

pub async fn run(ctx: &Context) -> Result<(), FlowError> {
    let queued = ctx
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Queued),
            kind: None,
            limit: 0,
        })
        .await?;
    let dead = ctx
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            kind: None,
            limit: 500,
        })
        .await?;
    check_lag(ctx, &queued).await?;
    super::patterns::check(ctx).await?;
    check_patterns(ctx, queued.iter().chain(&dead)).await
}

/// The oldest order still waiting for its sync, against the SLA.
async fn check_lag(ctx: &Context, queued: &[Job]) -> Result<(), FlowError> {
    let now = ctx.clock.now();
    let waiting: Vec<&Job> = queued.iter().filter(|j| j.kind == "order.sync").collect();
    let oldest = waiting
        .iter()
        .map(|j| (now - j.created_at).num_seconds())
        .max()
        .unwrap_or(0);
    if (oldest as f64) <= ctx.rules.order_sla_s {
        return exceptions::resolve(
            &ctx.store,
            ExceptionKind::Anomaly,
            "flow:orders",
            "Orders flow within their SLA again.",
        )
        .await
        .map_err(Into::into);
    }
    let last_error = waiting
        .iter()
        .filter_map(|j| j.last_error.clone())
        .next()
        .unwrap_or_else(|| "none recorded".into());
    let explanation = format!(
        "{} orders are waiting to reach Cin7; the oldest for {} minutes (SLA {:.0}). Last error: {last_error}. Check the Cin7 connection and the rate budget on the overview.",
        waiting.len(),
        oldest / 60,
        ctx.rules.order_sla_s / 60.0
    );
    exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::Anomaly,
        "flow:orders",
        "lag",
        explanation,
    )
    .await
    .map_err(Into::into)
}

/// Jobs failing with the same error: one anomaly naming the cause instead of many lone failures.
async fn check_patterns<'a>(
    ctx: &Context,
    jobs: impl Iterator<Item = &'a Job>,
) -> Result<(), FlowError> {
    let mut by_cause: BTreeMap<String, Vec<&Job>> = BTreeMap::new();
    for job in jobs.filter(|j| j.attempts > 1 || j.state == JobState::Dead) {
        if let Some(error) = &job.last_error {
            by_cause.entry(cause_of(error)).or_default().push(job);
        }
    }
    for (cause, jobs) in by_cause.into_iter().filter(|(_, j)| j.len() >= PATTERN_MIN) {
        let kinds: std::collections::BTreeSet<&str> =
            jobs.iter().map(|j| j.kind.as_str()).collect();
        let explanation = format!(
            "{} jobs ({}) are failing with the same cause: {cause}. One fix is likely to clear them all; replay the dead ones afterwards.",
            jobs.len(),
            kinds.into_iter().collect::<Vec<_>>().join(", ")
        );
        exceptions::raise(
            &ctx.store,
            &ctx.rules,
            ExceptionKind::Anomaly,
            &format!("pattern:{cause}"),
            "pattern",
            explanation,
        )
        .await?;
    }
    Ok(())
}

/// An error's cause without the parts that differ per job (ids, numbers, durations).
pub fn cause_of(error: &str) -> String {
    let cut: String = error.split(':').take(2).collect::<Vec<_>>().join(":");
    cut.chars()
        .filter(|c| !c.is_ascii_digit())
        .take(80)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_differing_only_in_numbers_share_a_cause() {
        let a = cause_of("Cin7 is unavailable: HTTP 503: Service Unavailable");
        let b = cause_of("Cin7 is unavailable: HTTP 502: gateway");
        assert_eq!(a, b);
        assert_ne!(a, cause_of("Oro refused the request (400) at /data: bad"));
    }
}
