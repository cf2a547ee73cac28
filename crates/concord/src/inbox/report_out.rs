//! `concord report [--period YYYY-MM] [--format json|csv|html]`: the month-end view written as JSON,
//! as CSV (one row per difference, then summary rows) or as a printable HTML page.

use super::format::{csv_row, time};
use super::report::{month_end, MonthEnd};
use askama::Template;
use std::io::Write;

/// The output formats of `concord report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

impl std::str::FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            "html" => Ok(ReportFormat::Html),
            other => Err(format!(
                "unknown report format `{other}`: expected json, csv or html"
            )),
        }
    }
}

/// The month-end view as a printable page; the body is shared with the dashboard.
#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage<'a> {
    pub m: &'a MonthEnd,
    pub generated: String,
    pub css: &'static str,
}

/// The dashboard's stylesheet, inlined so a saved report prints the same anywhere.
pub const CSS: &str = include_str!("../../static/concord.css");

/// `concord report`.
pub async fn report(
    store: &concord_store::Store,
    period: Option<&str>,
    format: ReportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let m = month_end(store, period).await?;
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &m)?;
            writeln!(out)?;
        }
        ReportFormat::Csv => write_csv(&m, out)?,
        ReportFormat::Html => {
            let page = ReportPage {
                m: &m,
                generated: time(m.generated_at),
                css: CSS,
            };
            out.write_all(page.render()?.as_bytes())?;
        }
    }
    Ok(())
}

/// One row per difference, then summary rows (`total`, `orders`, `checked`, `close`).
pub fn write_csv(m: &MonthEnd, out: &mut dyn Write) -> std::io::Result<()> {
    csv_row(
        out,
        &[
            "row",
            "period",
            "kind",
            "subject",
            "owner",
            "status",
            "detail",
            "currency",
            "oro",
            "cin7",
            "difference",
        ],
    )?;
    for d in &m.differences {
        csv_row(
            out,
            &[
                "difference",
                &m.period,
                &d.kind,
                &d.subject,
                &d.owner,
                &d.status,
                &d.detail,
                "",
                "",
                "",
                "",
            ],
        )?;
    }
    for t in &m.totals {
        let status = if t.agrees { "agrees" } else { "differs" };
        csv_row(
            out,
            &[
                "total",
                &m.period,
                "",
                "",
                "",
                status,
                "",
                &t.currency,
                &t.oro,
                &t.cin7,
                &t.difference,
            ],
        )?;
    }
    for c in &m.customers {
        let detail = format!(
            "invoiced {}; paid {}; outstanding {}",
            c.invoiced, c.paid, c.outstanding
        );
        csv_row(
            out,
            &[
                "customer",
                &m.period,
                "",
                &c.customer,
                "",
                "",
                &detail,
                "",
                "",
                "",
                "",
            ],
        )?;
    }
    for s in &m.orders_by_status {
        let detail = format!(
            "{} created in period; {} at latest reconciliation",
            s.in_period, s.at_reconciliation
        );
        csv_row(
            out,
            &[
                "orders", &m.period, "", "", "", &s.status, &detail, "", "", "", "",
            ],
        )?;
    }
    if let Some(r) = &m.latest {
        let detail = format!(
            "{} orders and {} sales checked at {}",
            r.orders_checked,
            r.sales_checked,
            r.at.as_deref().unwrap_or("an unknown time")
        );
        csv_row(
            out,
            &[
                "checked", &m.period, "", "", "", "", &detail, "", "", "", "",
            ],
        )?;
    }
    let (status, detail) = if m.ready_to_close() {
        (
            "ready",
            "no differences stand and the totals agree".to_string(),
        )
    } else if m.latest.is_none() {
        ("not_ready", "no reconciliation has run yet".to_string())
    } else {
        (
            "not_ready",
            format!("{} difference(s) still stand", m.standing),
        )
    };
    csv_row(
        out,
        &[
            "close", &m.period, "", "", "", status, &detail, "", "", "", "",
        ],
    )
}
