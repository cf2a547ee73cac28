//! The front page's answer to "is everything flowing, and what needs me?": system health, the
//! last activity per flow, queue depth, dead letters, rate-budget use and open exceptions by owner.

use super::probes::BUDGET_WINDOW;
use super::view_parts::ExceptionRow;
use super::AppState;
use crate::inbox::format::{ago, time};
use crate::inbox::query::{find_exceptions, ExceptionScope, StatusScope};
use crate::sync::postings::summary::summarise;
use chrono::{DateTime, Utc};
use concord_core::catalogue::Owner;
use concord_store::{ExceptionStatus, StoreError};
use std::time::Duration;

/// Health checks slower than this are shown as failed rather than holding the page.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Flows whose record kinds the overview follows, with the words shown for them.
const RECORD_FLOWS: [(&str, &str); 4] = [
    ("order", "Orders (Oro → Cin7)"),
    ("customer", "Customers"),
    ("stock", "Stock (Cin7 → Oro)"),
    ("price", "Prices"),
];

pub struct SystemRow {
    pub system: String,
    pub ok: bool,
    pub detail: String,
}

pub struct FlowRow {
    pub label: String,
    pub last: String,
    pub detail: String,
}

/// One bar of an inline SVG chart; `pct` is 0–100 of the chart's width.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub pct: u32,
    pub class: &'static str,
}

pub struct OwnerCard {
    pub owner: String,
    pub open: usize,
    pub acknowledged: usize,
    pub oldest: String,
}

/// A root cause as the overview lists it, linking to its exceptions.
pub struct CauseLine {
    pub key: String,
    pub link: String,
    pub explanation: String,
}

pub struct OverviewView {
    pub all_well: bool,
    /// Root causes lead the page: "3 things to fix, holding 27 orders, £4,210".
    pub causes_headline: Option<String>,
    pub causes: Vec<CauseLine>,
    pub headline: String,
    pub needs: Vec<String>,
    pub systems: Vec<SystemRow>,
    pub flows: Vec<FlowRow>,
    pub queue: Vec<Bar>,
    pub done: u64,
    pub dead: u64,
    pub budget: Vec<Bar>,
    pub owners: Vec<OwnerCard>,
    pub newest: Vec<ExceptionRow>,
    /// How old the oldest payload body kept is ("" when none): retention made visible.
    pub oldest_payload: String,
    pub refreshed: String,
}

fn pct(value: u64, max: u64) -> u32 {
    (value.min(max) * 100)
        .checked_div(max)
        .map_or(0, |p| u32::try_from(p).unwrap_or(100))
}

pub async fn build(app: &AppState) -> Result<OverviewView, StoreError> {
    let now = app.store.clock().now();
    let systems = health(app).await;
    let mut flows = flows(app, now).await?;

    let oldest_payload = app
        .store
        .oldest_call_at()
        .await?
        .map(|t| ago(now, t))
        .unwrap_or_default();
    let q = app.store.queue_counts().await?;
    let max = [q.queued, q.scheduled, q.running, q.dead]
        .into_iter()
        .max()
        .unwrap_or(0);
    let bar = |label: &str, n: u64, class| Bar {
        label: label.into(),
        value: n.to_string(),
        pct: pct(n, max),
        class,
    };
    let queue = vec![
        bar("Waiting to run", q.queued, "fill-info"),
        bar("Waiting to retry", q.scheduled, "fill-warn"),
        bar("Running", q.running, "fill-ok"),
        bar(
            "Dead letters",
            q.dead,
            if q.dead > 0 { "fill-bad" } else { "fill-ok" },
        ),
    ];

    let mut budget = Vec::new();
    for (name, limit) in &app.budget_apps {
        let used = app.store.budget_used(name, BUDGET_WINDOW).await?;
        let p = pct(u64::from(used), u64::from(*limit));
        let class = match p {
            0..=69 => "fill-ok",
            70..=89 => "fill-warn",
            _ => "fill-bad",
        };
        budget.push(Bar {
            label: name.clone(),
            value: format!("{used} of {limit} calls this minute"),
            pct: p,
            class,
        });
    }

    let active = ExceptionScope {
        owner: None,
        kind: None,
        status: StatusScope::Active,
    };
    let exceptions = find_exceptions(&app.store, &active, 0).await?;
    let owners: Vec<OwnerCard> = Owner::ALL
        .iter()
        .map(|owner| {
            let mine: Vec<_> = exceptions.iter().filter(|e| e.owner == *owner).collect();
            let open = mine
                .iter()
                .filter(|e| e.status == ExceptionStatus::Open)
                .count();
            let oldest = mine
                .iter()
                .map(|e| e.first_seen)
                .min()
                .map(|t| ago(now, t))
                .unwrap_or_default();
            OwnerCard {
                owner: owner.to_string(),
                open,
                acknowledged: mine.len() - open,
                oldest,
            }
        })
        .collect();
    let newest = exceptions
        .iter()
        .filter(|e| e.status == ExceptionStatus::Open)
        .take(5)
        .map(|e| ExceptionRow::new(e, now))
        .collect();

    let mut needs: Vec<String> = systems
        .iter()
        .filter(|s| !s.ok)
        .map(|s| format!("{} is not healthy: {}", s.system, s.detail))
        .collect();
    for card in owners.iter().filter(|c| c.open > 0) {
        needs.push(format!(
            "{} open exception(s) for {}",
            card.open, card.owner
        ));
    }
    if let Some(cfg) = &app.postings {
        let s = summarise(&app.store, cfg, app.store.clock().elapsed_s()).await?;
        needs.extend(s.warnings());
        flows.push(FlowRow {
            label: "Financial postings (invoices, payments → Cin7)".into(),
            last: format!("{} waiting", s.waiting),
            detail: s.line(),
        });
    }
    if q.dead > 0 {
        needs.push(format!("{} dead job(s) waiting for a replay", q.dead));
    }
    needs.extend(
        budget
            .iter()
            .filter(|b| b.pct >= 90)
            .map(|b| format!("rate budget of {} nearly spent", b.label)),
    );
    let report = crate::inbox::causes::root_causes(&app.store).await?;
    let causes: Vec<CauseLine> = report
        .causes
        .iter()
        .map(|c| CauseLine {
            key: c.key.clone(),
            link: format!("/exceptions?cause={}", urlencoding::encode(&c.key)),
            explanation: c.explanation.clone(),
        })
        .collect();
    let causes_headline = (!causes.is_empty()).then(|| report.headline.clone());
    let all_well = needs.is_empty();
    let headline = if all_well {
        "Everything is flowing. Nothing needs you right now.".to_string()
    } else {
        format!("{} thing(s) need attention.", needs.len())
    };
    Ok(OverviewView {
        all_well,
        causes_headline,
        causes,
        headline,
        needs,
        systems,
        flows,
        queue,
        done: q.done,
        dead: q.dead,
        budget,
        owners,
        newest,
        oldest_payload,
        refreshed: time(now),
    })
}

async fn health(app: &AppState) -> Vec<SystemRow> {
    match tokio::time::timeout(HEALTH_TIMEOUT, (app.health)()).await {
        Ok(results) => results
            .into_iter()
            .map(|h| SystemRow {
                system: h.system.to_string(),
                ok: h.ok,
                detail: h.detail,
            })
            .collect(),
        Err(_) => vec![SystemRow {
            system: "health checks".into(),
            ok: false,
            detail: format!("no answer within {} s", HEALTH_TIMEOUT.as_secs()),
        }],
    }
}

async fn flows(app: &AppState, now: DateTime<Utc>) -> Result<Vec<FlowRow>, StoreError> {
    let mut rows = Vec::new();
    for flow in &app.flows {
        let (last, detail) = match app.store.cursor_get(&flow.cursor).await? {
            None => ("never".to_string(), "no sync has completed yet".to_string()),
            Some(v) => match DateTime::parse_from_rfc3339(&v) {
                Ok(t) => (
                    ago(now, t.with_timezone(&Utc)),
                    format!("synced up to {}", time(t.with_timezone(&Utc))),
                ),
                Err(_) => ("in progress".to_string(), format!("position {v}")),
            },
        };
        rows.push(FlowRow {
            label: flow.label.clone(),
            last,
            detail,
        });
    }
    for (kind, label) in RECORD_FLOWS {
        let records = app.store.records(kind, None).await?;
        if let Some(latest) = records.iter().max_by_key(|r| r.updated_at) {
            let detail = format!(
                "{} tracked; last change: {} is {}",
                records.len(),
                latest.key,
                latest.status
            );
            rows.push(FlowRow {
                label: label.to_string(),
                last: ago(now, latest.updated_at),
                detail,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::pct;

    #[test]
    fn bars_are_a_share_of_the_largest_and_never_overflow() {
        assert_eq!(pct(5, 10), 50);
        assert_eq!(pct(0, 0), 0);
        assert_eq!(pct(70, 60), 100);
    }
}
