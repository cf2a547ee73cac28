//! Rule evaluation: each rule looks at the store (and, for the rate budget, at a short window of
//! samples kept in memory) and either fires one [`Message`] or stays quiet.

use super::config::{minutes, AlertRule, Condition};
use super::message::{age, Category, Message};
use chrono::{DateTime, Utc};
use concord_core::catalogue::{ExceptionKind, Owner};
use concord_store::{ExceptionFilter, ExceptionRecord, ExceptionStatus, Store, StoreError};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// The window Cin7's limit is counted over (60 calls per 60 s).
const BUDGET_WINDOW: Duration = Duration::from_secs(60);

/// How many subjects an alert names; the rest are in the inbox.
const SUBJECTS_SHOWN: usize = 5;

/// Budget samples per rule: the only alert state not in the store. Losing it on a restart only
/// delays a budget alert by one window, which is cheaper than writing a row every tick.
#[derive(Debug, Default)]
pub(crate) struct BudgetSamples(HashMap<String, VecDeque<(DateTime<Utc>, f64)>>);

impl BudgetSamples {
    /// Adds a sample and answers whether every sample over the last `span` is above `limit`.
    /// Keeps one sample older than the span, which is what proves the span is covered.
    fn push_and_check(
        &mut self,
        rule: &str,
        at: DateTime<Utc>,
        pct: f64,
        span: Duration,
        limit: f64,
    ) -> bool {
        let samples = self.0.entry(rule.to_owned()).or_default();
        samples.push_back((at, pct));
        let start = at - chrono::Duration::from_std(span).unwrap_or(chrono::Duration::MAX);
        while samples.len() > 1 && samples.get(1).is_some_and(|(t, _)| *t <= start) {
            samples.pop_front();
        }
        let covered = samples.front().is_some_and(|(t, _)| *t <= start);
        covered && samples.iter().all(|(_, p)| *p > limit)
    }
}

/// Evaluates one rule at `now`.
pub(crate) async fn evaluate(
    store: &Store,
    rule: &AlertRule,
    budget_app: &(String, u32),
    samples: &mut BudgetSamples,
    now: DateTime<Utc>,
) -> Result<Option<Message>, StoreError> {
    let fired = match &rule.condition {
        Condition::Count {
            kind,
            at_least,
            window_min,
        } => count(store, *kind, *at_least, *window_min, now).await?,
        Condition::Open { kind } => open(store, *kind, now).await?,
        Condition::Budget {
            above_percent,
            for_min,
        } => {
            let (app, limit) = budget_app;
            let used = store.budget_used(app, BUDGET_WINDOW).await?;
            let pct = f64::from(used) * 100.0 / f64::from((*limit).max(1));
            let span = minutes(*for_min);
            samples
                .push_and_check(&rule.name, now, pct, span, *above_percent)
                .then(|| budget(app, *limit, used, pct, *above_percent, *for_min))
        }
        Condition::DeadLetters { above } => {
            let dead = store.queue_counts().await?.dead;
            (dead > *above).then(|| dead_letters(dead, *above))
        }
    };
    Ok(fired.map(|f| Message {
        key: format!("rule:{}", rule.name),
        category: Category::Alert,
        owner: Some(rule.owner.or(f.owner).unwrap_or(Owner::Operations)),
        title: f.title,
        summary: f.summary,
        lines: f.lines,
        fields: f.fields,
        at: now,
    }))
}

/// What a rule found, before it is addressed.
struct Fired {
    owner: Option<Owner>,
    title: String,
    summary: String,
    lines: Vec<String>,
    fields: Map<String, Value>,
}

async fn count(
    store: &Store,
    kind: ExceptionKind,
    at_least: u32,
    window_min: f64,
    now: DateTime<Utc>,
) -> Result<Option<Fired>, StoreError> {
    let since = now - chrono::Duration::from_std(minutes(window_min)).unwrap_or_default();
    // Most recently seen first, so a bounded read covers the window without scanning months of
    // history; past the bound the count is already far above any sensible threshold.
    let bound = at_least.saturating_add(1000);
    let all = of_kind(store, kind, None, bound).await?;
    // Seen in the window, by last sighting: a failure that recurs counts again. Ignored ones do
    // not count: a person already decided they need no action.
    let recent: Vec<&ExceptionRecord> = all
        .iter()
        .filter(|e| e.last_seen >= since && e.status != ExceptionStatus::Ignored)
        .collect();
    let n = recent.len();
    if n < at_least as usize {
        return Ok(None);
    }
    let mut lines = vec![format!("Seen in the last {window_min} min:")];
    lines.extend(subject_lines(&recent, now));
    Ok(Some(Fired {
        owner: recent.first().map(|e| e.owner),
        title: format!("{n} {kind} in {window_min} min"),
        summary: format!(
            "{n} {kind} exceptions in the last {window_min} minutes (alert at {at_least}). {}",
            kind.suggested_action()
        ),
        lines,
        fields: fields(json!({
            "rule": "count", "exception_kind": kind.as_str(), "count": n,
            "at_least": at_least, "window_min": window_min,
        })),
    }))
}

async fn open(
    store: &Store,
    kind: ExceptionKind,
    now: DateTime<Utc>,
) -> Result<Option<Fired>, StoreError> {
    let mut open = of_kind(store, kind, Some(ExceptionStatus::Open), 0).await?;
    if open.is_empty() {
        return Ok(None);
    }
    open.sort_by_key(|e| e.first_seen);
    let n = open.len();
    let oldest = open
        .first()
        .map(|e| age((now - e.first_seen).num_seconds()));
    let refs: Vec<&ExceptionRecord> = open.iter().collect();
    let mut lines = vec!["Open, oldest first:".to_owned()];
    lines.extend(subject_lines(&refs, now));
    Ok(Some(Fired {
        owner: open.first().map(|e| e.owner),
        title: format!("{n} open {kind}"),
        summary: format!(
            "{n} open {kind} exception(s), the oldest open for {}. {}",
            oldest.unwrap_or_default(),
            kind.suggested_action()
        ),
        lines,
        fields: fields(json!({
            "rule": "open", "exception_kind": kind.as_str(), "open": n,
            "ids": open.iter().take(SUBJECTS_SHOWN).map(|e| e.id).collect::<Vec<_>>(),
        })),
    }))
}

fn budget(app: &str, limit: u32, used: u32, pct: f64, above: f64, for_min: f64) -> Fired {
    Fired {
        owner: None,
        title: format!("Cin7 rate budget above {above} %"),
        summary: format!(
            "The Cin7 application `{app}` has used more than {above} % of its {limit} calls a minute \
             for {for_min} minutes (now {used}, {pct:.0} %). Orders may queue behind other work: look \
             for a bulk price push or reconciliation running, or another integration on the account."
        ),
        lines: Vec::new(),
        fields: fields(json!({
            "rule": "budget", "app": app, "limit": limit, "used": used,
            "percent": pct, "above_percent": above, "for_min": for_min,
        })),
    }
}

fn dead_letters(dead: u64, above: u64) -> Fired {
    Fired {
        owner: None,
        title: format!("{dead} dead-lettered jobs"),
        summary: format!(
            "{dead} jobs have exhausted their retries (alert above {above}). Look at their last \
             error (`concord jobs list --state dead`), fix the cause, then replay them."
        ),
        lines: Vec::new(),
        fields: fields(json!({ "rule": "dead_letters", "dead": dead, "above": above })),
    }
}

async fn of_kind(
    store: &Store,
    kind: ExceptionKind,
    status: Option<ExceptionStatus>,
    limit: u32,
) -> Result<Vec<ExceptionRecord>, StoreError> {
    let filter = ExceptionFilter {
        kind: Some(kind),
        status,
        limit,
        ..ExceptionFilter::default()
    };
    store.exceptions(&filter).await
}

fn subject_lines(records: &[&ExceptionRecord], now: DateTime<Utc>) -> Vec<String> {
    let mut lines: Vec<String> = records
        .iter()
        .take(SUBJECTS_SHOWN)
        .map(|e| {
            format!(
                "- #{} {} ({}, first seen {} ago): {}",
                e.id,
                e.subject,
                e.status,
                age((now - e.first_seen).num_seconds()),
                e.explanation
            )
        })
        .collect();
    if records.len() > SUBJECTS_SHOWN {
        lines.push(format!(
            "- and {} more in the inbox.",
            records.len() - SUBJECTS_SHOWN
        ));
    }
    lines
}

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
