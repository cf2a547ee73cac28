//! `concord exceptions list|show|ack|resolve|ignore|retry`: the exception inbox from a terminal.

use super::actions::{cli_actor, exception_detail, retry_exception, Action};
use super::format::{ago, csv_row, time, time_s, Table};
use super::query::{find_exceptions, ExceptionQuery, ExceptionSummary};
use super::ListFormat;
use anyhow::{bail, Context};
use concord_store::{Call, Store};
use std::io::Write;

/// Response bodies are cut to this many characters in `show`; the dashboard shows them whole.
const BODY_PREVIEW_CHARS: usize = 600;

/// `exceptions list`: active exceptions by default, newest first.
pub async fn list(
    store: &Store,
    query: &ExceptionQuery,
    format: ListFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let scope = query.parse()?;
    let found = find_exceptions(store, &scope, 0)
        .await
        .context("Failed to list exceptions")?;
    match format {
        ListFormat::Json => {
            let rows: Vec<ExceptionSummary> = found.iter().map(ExceptionSummary::from).collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            csv_row(
                out,
                &[
                    "id",
                    "kind",
                    "owner",
                    "subject",
                    "status",
                    "occurrences",
                    "first_seen",
                    "last_seen",
                    "explanation",
                ],
            )?;
            for e in &found {
                let (n, first, last) = (
                    e.occurrences.to_string(),
                    e.first_seen.to_rfc3339(),
                    e.last_seen.to_rfc3339(),
                );
                let id = e.id.to_string();
                csv_row(
                    out,
                    &[
                        &id,
                        e.kind.as_str(),
                        e.owner.as_str(),
                        &e.subject,
                        e.status.as_str(),
                        &n,
                        &first,
                        &last,
                        &e.explanation,
                    ],
                )?;
            }
        }
        ListFormat::Table => {
            let now = store.clock().now();
            let mut table = Table::new(&[
                "id",
                "owner",
                "kind",
                "subject",
                "status",
                "seen",
                "last seen",
            ]);
            for e in &found {
                table.row(vec![
                    e.id.to_string(),
                    e.owner.to_string(),
                    e.kind.to_string(),
                    e.subject.clone(),
                    e.status.to_string(),
                    format!("{}×", e.occurrences),
                    ago(now, e.last_seen),
                ]);
            }
            if table.is_empty() {
                writeln!(out, "No exceptions match.")?;
            } else {
                table.write(out)?;
                writeln!(
                    out,
                    "\n{} exception(s). `concord exceptions show ID` explains one.",
                    found.len()
                )?;
            }
        }
    }
    Ok(())
}

/// `exceptions show ID`: explanation, suggested action, payloads and audit trail.
pub async fn show(store: &Store, id: i64, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(d) = exception_detail(store, id)
        .await
        .context("Failed to read the exception")?
    else {
        bail!("no exception with id {id}");
    };
    let e = &d.exception;
    writeln!(
        out,
        "Exception {}: {} ({}), {}",
        e.id, e.kind, e.owner, e.status
    )?;
    writeln!(out, "Subject:      {}", e.subject)?;
    writeln!(
        out,
        "Seen:         {} time(s), first {}, last {}",
        e.occurrences,
        time(e.first_seen),
        time(e.last_seen)
    )?;
    writeln!(out, "What happened: {}", e.explanation)?;
    writeln!(out, "What to do:   {}", e.suggested_action)?;
    if let Some(note) = &e.resolution_note {
        writeln!(out, "Note:         {note}")?;
    }
    if let Some(job) = d.dead_job {
        writeln!(
            out,
            "Dead job:     {job} (`concord exceptions retry {}` replays it)",
            e.id
        )?;
    }
    let heading = if d.payloads_are_recent {
        "Recent calls about this subject"
    } else {
        "Payloads involved"
    };
    writeln!(out, "\n{heading}:")?;
    if d.payloads.is_empty() {
        writeln!(out, "  (none in the payload log)")?;
    }
    for call in &d.payloads {
        write_call(out, call)?;
    }
    if d.payloads_missing > 0 {
        writeln!(
            out,
            "  {} referenced call(s) are no longer in the payload log.",
            d.payloads_missing
        )?;
    }
    writeln!(out, "\nAudit trail:")?;
    if d.audit.is_empty() {
        writeln!(out, "  (no actions yet)")?;
    }
    for a in &d.audit {
        let note = a
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        writeln!(out, "  {}  {} {}{note}", time_s(a.at), a.actor, a.action)?;
    }
    Ok(())
}

fn write_call(out: &mut dyn Write, c: &Call) -> std::io::Result<()> {
    let status = c
        .status
        .map_or_else(|| "no answer".to_string(), |s| s.to_string());
    writeln!(
        out,
        "  #{} {} {} {} {} → {} ({} ms)",
        c.id,
        time_s(c.at),
        c.system,
        c.method,
        c.path,
        status,
        c.duration_ms
    )?;
    if let Some(err) = &c.error {
        writeln!(out, "     error:    {err}")?;
    }
    for (label, body) in [("request", &c.request), ("response", &c.response)] {
        if let Some(body) = body {
            writeln!(out, "     {label}: {}", preview(body))?;
        }
    }
    Ok(())
}

fn preview(body: &str) -> String {
    let flat = body.replace(['\n', '\r'], " ");
    if flat.chars().count() <= BODY_PREVIEW_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(BODY_PREVIEW_CHARS).collect();
    format!("{cut}… (`concord` dashboard shows it whole)")
}

/// `exceptions ack|resolve|ignore ID --note`: audited with `$USER` (or `cli`) as the actor.
pub async fn act(
    store: &Store,
    id: i64,
    action: Action,
    note: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let actor = cli_actor();
    let status = action.status();
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if !store
        .set_exception_status(id, status, &actor, note)
        .await
        .context("Failed to update the exception")?
    {
        bail!("no exception with id {id}");
    }
    writeln!(out, "Exception {id} is now {status} (by {actor}).")?;
    Ok(())
}

/// `exceptions retry ID`: re-validates the order, or replays the dead job about the subject.
pub async fn retry(store: &Store, id: i64, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(ex) = store
        .exception(id)
        .await
        .context("Failed to read the exception")?
    else {
        bail!("no exception with id {id}");
    };
    let outcome = retry_exception(store, &ex, &cli_actor())
        .await
        .context("Failed to retry")?;
    writeln!(out, "{}", outcome.message())?;
    Ok(())
}
