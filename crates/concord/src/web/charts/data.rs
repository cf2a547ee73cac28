//! The charts page's data: each chart read from the store and put into a [`Chart`], rendered to
//! inline SVG. Windows end at the store clock's now (scenario time under the demo).

use super::series::{buckets, counts, latency, open_at, stock_age};
use super::svg::{render, Chart, Limit, Series, Style};
use crate::web::AppState;
use chrono::{DateTime, Duration, Utc};
use concord_core::catalogue::Owner;
use concord_store::{CallMark, StoreError};
use std::collections::{HashMap, HashSet};

/// One chart on the page.
pub struct ChartCard {
    pub title: String,
    pub caption: String,
    pub svg: String,
}

pub struct ChartsView {
    pub cards: Vec<ChartCard>,
}

fn card(chart: &Chart, caption: &str) -> ChartCard {
    ChartCard {
        title: chart.title.clone(),
        caption: caption.to_owned(),
        svg: render(chart),
    }
}

fn labels(starts: &[DateTime<Utc>], format: &str) -> Vec<String> {
    starts
        .iter()
        .map(|s| s.format(format).to_string())
        .collect()
}

/// The first successful sale creation per order: (order id, when).
fn first_sales(marks: Vec<CallMark>) -> Vec<(String, DateTime<Utc>)> {
    let mut seen = HashSet::new();
    marks
        .into_iter()
        .filter_map(|m| {
            let id = m.subject?.strip_prefix("order:")?.to_owned();
            seen.insert(id.clone()).then_some((id, m.at))
        })
        .collect()
}

pub async fn build(app: &AppState) -> Result<ChartsView, StoreError> {
    let now = app.store.clock().now();
    let hour = Duration::hours(1);
    let hours = buckets(now, hour, 24);
    let since = hours[0];
    let store = &app.store;
    // Orders seen a day before the window still count for the latency of sales made in it.
    let seen = store
        .records_created_since("order", since - Duration::hours(24))
        .await?;
    let sales = first_sales(store.call_marks("cin7", "POST", "/sale", since).await?);
    let mut cards = vec![];
    cards.extend(orders_charts(&hours, &seen, &sales, app.order_sla_s));
    cards.push(calls_chart(app, now).await?);
    let syncs: Vec<DateTime<Utc>> = store
        .call_marks(
            "cin7",
            "GET",
            "/ref/productavailability%",
            since - Duration::hours(24),
        )
        .await?
        .into_iter()
        .map(|m| m.at)
        .collect();
    cards.push(stock_chart(&hours, &syncs, now, app.stock_stale_after_s));
    let quarters = buckets(now, Duration::hours(6), 28);
    let spans = store.exception_spans(quarters[0], now).await?;
    cards.push(exceptions_chart(&hours, hour, &spans, now, "day"));
    cards.push(exceptions_chart(
        &quarters,
        Duration::hours(6),
        &spans,
        now,
        "week",
    ));
    Ok(ChartsView { cards })
}

pub(super) fn orders_charts(
    hours: &[DateTime<Utc>],
    seen: &[(String, DateTime<Utc>)],
    sales: &[(String, DateTime<Utc>)],
    sla_s: Option<f64>,
) -> Vec<ChartCard> {
    let hour = Duration::hours(1);
    let per_hour = Chart {
        title: "Orders per hour".into(),
        unit: "orders".into(),
        labels: labels(hours, "%H:00"),
        series: vec![
            Series {
                name: "Placed in Oro".into(),
                class: "s-oro",
                values: counts(hours, hour, seen.iter().map(|(_, t)| *t)),
            },
            Series {
                name: "Created in Cin7".into(),
                class: "s-cin7",
                values: counts(hours, hour, sales.iter().map(|(_, t)| *t)),
            },
        ],
        style: Style::Grouped,
        limit: None,
        empty_text: "No orders yet in the last 24 hours".into(),
    };
    let placed: HashMap<&str, DateTime<Utc>> = seen.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let samples: Vec<(DateTime<Utc>, f64)> = sales
        .iter()
        .filter_map(|(id, at)| {
            let from = placed.get(id.as_str())?;
            Some((
                *at,
                ((*at - *from).num_milliseconds() as f64 / 1000.0).max(0.0),
            ))
        })
        .collect();
    let (p50, p95) = latency(hours, hour, &samples);
    let latency_chart = Chart {
        title: "Order latency".into(),
        unit: "s".into(),
        labels: labels(hours, "%H:00"),
        series: vec![
            Series {
                name: "p50".into(),
                class: "s-p50",
                values: p50,
            },
            Series {
                name: "p95".into(),
                class: "s-p95",
                values: p95,
            },
        ],
        style: Style::Grouped,
        limit: sla_s.filter(|s| *s > 0.0).map(|s| Limit {
            value: s,
            label: format!("SLA {:.0} min", s / 60.0),
        }),
        empty_text: "No order has reached Cin7 in the last 24 hours".into(),
    };
    vec![
        card(&per_hour, "Orders Concord saw arrive from Oro, and sales it created in Cin7, each hour of the last day."),
        card(&latency_chart, "Seconds from Concord seeing an order to its sale existing in Cin7, by the hour the sale was made (median and 95th percentile)."),
    ]
}

async fn calls_chart(app: &AppState, now: DateTime<Utc>) -> Result<ChartCard, StoreError> {
    let minute = Duration::minutes(1);
    let minutes = buckets(now, minute, 60);
    let per_minute = app.store.calls_per_minute("cin7", minutes[0]).await?;
    let mut values = vec![0.0; minutes.len()];
    for m in per_minute {
        if let Some(i) = minutes.iter().position(|s| *s == m.minute) {
            values[i] = m.calls as f64;
        }
    }
    let budget: u32 = app.budget_apps.iter().map(|(_, limit)| *limit).sum();
    let chart = Chart {
        title: "Cin7 calls per minute".into(),
        unit: "calls".into(),
        labels: labels(&minutes, "%H:%M"),
        series: vec![Series {
            name: "Cin7 calls".into(),
            class: "s-cin7",
            values,
        }],
        style: Style::Grouped,
        limit: (budget > 0).then(|| Limit {
            value: f64::from(budget),
            label: format!("budget {budget}/min"),
        }),
        empty_text: "No Cin7 calls in the last hour".into(),
    };
    Ok(card(&chart, "Every call Concord made to Cin7 in each minute of the last hour, against the rate budget it keeps to."))
}

fn stock_chart(
    hours: &[DateTime<Utc>],
    syncs: &[DateTime<Utc>],
    now: DateTime<Utc>,
    stale_after_s: Option<f64>,
) -> ChartCard {
    let chart = Chart {
        title: "Stock freshness".into(),
        unit: "min".into(),
        labels: labels(hours, "%H:00"),
        series: vec![Series {
            name: "Oldest stock level (minutes)".into(),
            class: "s-stock",
            values: stock_age(hours, Duration::hours(1), syncs, now),
        }],
        style: Style::Grouped,
        limit: stale_after_s.filter(|s| *s > 0.0).map(|s| Limit {
            value: s / 60.0,
            label: format!("stale after {:.0} min", s / 60.0),
        }),
        empty_text: "No stock snapshot read from Cin7 yet".into(),
    };
    card(&chart, "How old the oldest stock level in Oro was during each hour: the time since Concord last read Cin7's availability.")
}

fn exceptions_chart(
    starts: &[DateTime<Utc>],
    width: Duration,
    spans: &[concord_store::ExceptionSpan],
    now: DateTime<Utc>,
    period: &str,
) -> ChartCard {
    let ends: Vec<DateTime<Utc>> = starts.iter().map(|s| (*s + width).min(now)).collect();
    let series = Owner::ALL
        .iter()
        .map(|owner| Series {
            name: owner.as_str().to_owned(),
            class: match owner {
                Owner::Finance => "s-finance",
                Owner::Operations => "s-operations",
                Owner::Ecommerce => "s-ecommerce",
            },
            values: open_at(&ends, spans, *owner),
        })
        .collect();
    let format = if period == "day" { "%H:00" } else { "%a %Hh" };
    let chart = Chart {
        title: format!("Open exceptions by owner, last {period}"),
        unit: "open".into(),
        labels: labels(starts, format),
        series,
        style: Style::Stacked,
        limit: None,
        empty_text: format!("No exception was open during the last {period}"),
    };
    card(
        &chart,
        &format!(
            "Exceptions open at the end of each {}, stacked by the team that owns them.",
            if period == "day" { "hour" } else { "six hours" }
        ),
    )
}
