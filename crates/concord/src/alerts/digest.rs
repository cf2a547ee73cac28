//! Digests: a daily one per owner (new in the last 24 h, open, the oldest open with their age) at
//! a configured hour, and a weekly summary for everyone (opened, closed and still open, by kind and
//! owner) on a configured weekday. Each goes out once per slot; the slot is kept in the store, so
//! a restart neither repeats a digest nor skips one it missed.

use super::config::{AlertsConfig, DigestConfig};
use super::deliver::{dispatch, Due, RECORD_KIND};
use super::message::{age, Category, Message};
use super::TickReport;
use chrono::{DateTime, Datelike, Duration as Span, Utc, Weekday};
use concord_core::catalogue::{ExceptionKind, Owner};
use concord_store::{ExceptionFilter, ExceptionRecord, ExceptionStatus, Store, StoreError};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How far back the weekly summary reads the audit log for closures; a week of status changes in
/// even a busy shop fits many times over.
const AUDIT_SCAN: u32 = 20_000;

/// Sends the digests whose slot has come and not yet been served.
pub(crate) async fn run_due(
    store: &Store,
    config: &AlertsConfig,
    http: &reqwest::Client,
    report: &mut TickReport,
) {
    let now = store.clock().now();
    let digest = &config.digest;
    if digest.daily {
        let slot = daily_slot(now, digest.daily_hour);
        for owner in Owner::ALL {
            let key = format!("digest:daily:{owner}");
            let built = async { daily(store, owner, now, digest).await };
            serve_slot(store, config, http, &key, slot, built, report).await;
        }
    }
    if digest.weekly {
        let slot = weekly_slot(now, digest.weekly_day, digest.weekly_hour);
        let built = async { weekly(store, now).await.map(Some) };
        serve_slot(store, config, http, "digest:weekly", slot, built, report).await;
    }
}

/// Builds and sends one digest unless its slot was already served. A digest with nothing to say
/// (`Ok(None)`) serves the slot without sending, so it is not reconsidered every tick.
async fn serve_slot(
    store: &Store,
    config: &AlertsConfig,
    http: &reqwest::Client,
    key: &str,
    slot: DateTime<Utc>,
    built: impl std::future::Future<Output = Result<Option<Message>, StoreError>>,
    report: &mut TickReport,
) {
    match super::deliver::last_sent(store, key).await {
        Ok(Some(served)) if served >= slot => return,
        Ok(Some(_)) => {}
        Ok(None) => {
            // A quiet start: the first run ever schedules the next slot instead of sending
            // yesterday's digest the moment Concord is installed. Later restarts find the record
            // and catch up on a slot they missed.
            serve(store, key, slot, "scheduled").await;
            return;
        }
        Err(error) => {
            tracing::warn!(%key, %error, "Cannot read the digest schedule; retrying at the next tick.");
            return;
        }
    }
    let done = match built.await {
        Ok(Some(msg)) => {
            report.fired.push(msg.key.clone());
            dispatch(store, config, http, &msg, Due::OncePer(slot), report).await
        }
        Ok(None) => true,
        Err(error) => {
            tracing::warn!(%key, %error, "Cannot build a digest; retrying at the next tick.");
            false
        }
    };
    if done {
        serve(store, key, slot, "served").await;
    }
}

/// Marks `slot` as served. The slot itself is stored as `sent_at`: the next slot is always later.
async fn serve(store: &Store, key: &str, slot: DateTime<Utc>, status: &str) {
    let data = json!({ "sent_at": slot.to_rfc3339() });
    if let Err(error) = store.record_put(RECORD_KIND, key, status, &data).await {
        tracing::warn!(%key, %error, "Cannot save the digest schedule.");
    }
}

/// The latest `hour`:00 UTC at or before `now`.
pub(crate) fn daily_slot(now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let today = now
        .date_naive()
        .and_hms_opt(hour.min(23), 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    if today <= now {
        today
    } else {
        today - Span::days(1)
    }
}

/// The latest `day` at `hour`:00 UTC at or before `now`.
pub(crate) fn weekly_slot(now: DateTime<Utc>, day: Weekday, hour: u32) -> DateTime<Utc> {
    let latest = daily_slot(now, hour);
    let back = (latest.weekday().num_days_from_monday() + 7 - day.num_days_from_monday()) % 7;
    latest - Span::days(i64::from(back))
}

async fn exceptions(
    store: &Store,
    owner: Option<Owner>,
) -> Result<Vec<ExceptionRecord>, StoreError> {
    let filter = ExceptionFilter {
        owner,
        limit: 0,
        ..ExceptionFilter::default()
    };
    store.exceptions(&filter).await
}

async fn daily(
    store: &Store,
    owner: Owner,
    now: DateTime<Utc>,
    config: &DigestConfig,
) -> Result<Option<Message>, StoreError> {
    let all = exceptions(store, Some(owner)).await?;
    let since = now - Span::hours(24);
    let new: Vec<&ExceptionRecord> = all.iter().filter(|e| e.first_seen >= since).collect();
    let mut open: Vec<&ExceptionRecord> = all
        .iter()
        .filter(|e| e.status == ExceptionStatus::Open)
        .collect();
    if new.is_empty() && open.is_empty() && !config.send_empty {
        return Ok(None);
    }
    open.sort_by_key(|e| (e.first_seen, e.id));
    let mut new_by_kind: BTreeMap<&str, u32> = BTreeMap::new();
    for e in &new {
        *new_by_kind.entry(e.kind.as_str()).or_default() += 1;
    }
    let mut lines = vec![format!("New in the last 24 h: {}", new.len())];
    lines.extend(new_by_kind.iter().map(|(k, n)| format!("- {k}: {n}")));
    lines.push(format!("Open: {}. Oldest open:", open.len()));
    let oldest: Vec<&&ExceptionRecord> = open.iter().take(config.oldest).collect();
    for e in &oldest {
        let open_for = age((now - e.first_seen).num_seconds());
        lines.push(format!(
            "- #{} {} {}: open for {open_for}. {}",
            e.id, e.kind, e.subject, e.suggested_action
        ));
    }
    let summary = match open.first() {
        Some(e) => format!(
            "{} new in the last 24 h, {} open; the oldest, {} on {}, has been open for {}.",
            new.len(),
            open.len(),
            e.kind,
            e.subject,
            age((now - e.first_seen).num_seconds())
        ),
        None => format!("{} new in the last 24 h, nothing open.", new.len()),
    };
    let oldest_json: Vec<Value> = oldest
        .iter()
        .map(|e| {
            json!({ "id": e.id, "kind": e.kind.as_str(), "subject": e.subject,
                    "first_seen": e.first_seen.to_rfc3339(),
                    "age_s": (now - e.first_seen).num_seconds() })
        })
        .collect();
    Ok(Some(Message {
        key: format!("digest:daily:{owner}"),
        category: Category::DailyDigest,
        owner: Some(owner),
        title: format!(
            "Daily digest for {owner}: {} new, {} open",
            new.len(),
            open.len()
        ),
        summary,
        lines,
        fields: object(json!({
            "owner": owner.as_str(), "new": new.len(), "open": open.len(),
            "new_by_kind": new_by_kind, "oldest_open": oldest_json,
        })),
        at: now,
    }))
}

#[derive(Default, Clone, Copy)]
struct Tally {
    opened: u32,
    closed: u32,
    still_open: u32,
}

async fn weekly(store: &Store, now: DateTime<Utc>) -> Result<Message, StoreError> {
    let since = now - Span::days(7);
    let all = exceptions(store, None).await?;
    let by_id: HashMap<i64, (ExceptionKind, Owner)> =
        all.iter().map(|e| (e.id, (e.kind, e.owner))).collect();
    let mut tally: BTreeMap<(Owner, ExceptionKind), Tally> = BTreeMap::new();
    for e in &all {
        let t = tally.entry((e.owner, e.kind)).or_default();
        t.opened += u32::from(e.first_seen >= since);
        t.still_open += u32::from(matches!(
            e.status,
            ExceptionStatus::Open | ExceptionStatus::Acknowledged
        ));
    }
    // Exceptions carry no closing time; the audit log does. Each exception counts once.
    let mut closed = BTreeSet::new();
    for entry in store.audit_log(AUDIT_SCAN).await? {
        let closing = matches!(entry.action.as_str(), "resolved" | "ignored");
        let id = entry
            .target
            .strip_prefix("exception:")
            .and_then(|s| s.parse().ok());
        if let (true, true, Some(id)) = (closing, entry.at >= since, id) {
            closed.insert(id);
        }
    }
    for id in closed {
        if let Some(key) = by_id.get(&id).map(|(k, o)| (*o, *k)) {
            tally.entry(key).or_default().closed += 1;
        }
    }
    tally.retain(|_, t| t.opened + t.closed + t.still_open > 0);
    let total = tally.values().fold(Tally::default(), |a, t| Tally {
        opened: a.opened + t.opened,
        closed: a.closed + t.closed,
        still_open: a.still_open + t.still_open,
    });
    let line = |t: &Tally| {
        format!(
            "{} opened, {} closed, {} still open",
            t.opened, t.closed, t.still_open
        )
    };
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for ((owner, kind), t) in &tally {
        lines.push(format!("- {owner} / {kind}: {}", line(t)));
        rows.push(json!({ "owner": owner.as_str(), "kind": kind.as_str(),
            "opened": t.opened, "closed": t.closed, "still_open": t.still_open }));
    }
    Ok(Message {
        key: "digest:weekly".to_owned(),
        category: Category::WeeklySummary,
        owner: None,
        title: format!(
            "Weekly summary: {} opened, {} closed",
            total.opened, total.closed
        ),
        summary: format!("In the last 7 days: {}.", line(&total)),
        lines,
        fields: object(json!({
            "since": since.to_rfc3339(), "opened": total.opened, "closed": total.closed,
            "still_open": total.still_open, "by_kind": rows,
        })),
        at: now,
    })
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_daily_slot_is_the_latest_hour_at_or_before_now() {
        assert_eq!(
            daily_slot(at("2026-11-02T08:00:00Z"), 7),
            at("2026-11-02T07:00:00Z")
        );
        assert_eq!(
            daily_slot(at("2026-11-02T07:00:00Z"), 7),
            at("2026-11-02T07:00:00Z")
        );
        assert_eq!(
            daily_slot(at("2026-11-02T06:59:59Z"), 7),
            at("2026-11-01T07:00:00Z")
        );
    }

    #[test]
    fn the_weekly_slot_is_the_latest_weekday_hour_at_or_before_now() {
        // 2026-11-02 is a Monday.
        let mon = at("2026-11-02T07:00:00Z");
        assert_eq!(
            weekly_slot(at("2026-11-02T08:00:00Z"), Weekday::Mon, 7),
            mon
        );
        assert_eq!(
            weekly_slot(at("2026-11-08T23:00:00Z"), Weekday::Mon, 7),
            mon
        );
        assert_eq!(
            weekly_slot(at("2026-11-02T06:00:00Z"), Weekday::Mon, 7),
            at("2026-10-26T07:00:00Z")
        );
        assert_eq!(
            weekly_slot(at("2026-11-02T08:00:00Z"), Weekday::Fri, 17),
            at("2026-10-30T17:00:00Z")
        );
    }
}
