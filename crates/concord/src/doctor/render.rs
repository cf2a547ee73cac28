//! The doctor's report as text (one line per check, the fix indented under a problem, a closing
//! count) or as one JSON document for scripts and monitoring.

use super::{Report, Status};
use std::io::Write;

pub fn write_text(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for c in &report.checks {
        writeln!(
            out,
            "{:<4}  {:<6} {}: {}",
            c.status.as_str(),
            c.area,
            c.name,
            c.detail
        )?;
        if let Some(fix) = c.fix.as_deref().filter(|_| c.status != Status::Ok) {
            writeln!(out, "{:13}fix: {fix}", "")?;
        }
    }
    writeln!(out, "{}", summary(report))
}

/// `doctor: 18 OK, 2 WARN, 1 FAIL`.
pub fn summary(report: &Report) -> String {
    format!(
        "doctor: {} OK, {} WARN, {} FAIL",
        report.count(Status::Ok),
        report.count(Status::Warn),
        report.count(Status::Fail)
    )
}

pub fn write_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "ok": !report.failed(),
        "counts": {
            "ok": report.count(Status::Ok),
            "warn": report.count(Status::Warn),
            "fail": report.count(Status::Fail),
        },
        "checks": report.checks,
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)
}
