//! `concord dryrun list|show`: the writes a dry run held back, as a table or JSON, and one of
//! them whole; the list closes with what was held back per kind and the exceptions the run
//! raised (what Concord would have held or flagged).

use crate::inbox::format::{time_s, Table};
use crate::inbox::ListFormat;
use anyhow::{bail, Context as _};
use concord_store::{DryRunFilter, DryRunWrite, ExceptionFilter, ExceptionStatus, Store};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;

fn as_json(w: &DryRunWrite) -> Value {
    json!({
        "id": w.id, "at": w.at.to_rfc3339(), "system": w.system, "kind": w.kind,
        "method": w.method, "path": w.path, "subject": w.subject,
        "payload": w.payload, "answer": w.answer,
    })
}

pub async fn list(
    store: &Store,
    filter: &DryRunFilter,
    format: ListFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let writes = store
        .dry_run_writes(filter)
        .await
        .context("Failed to read the dry run's writes")?;
    match format {
        ListFormat::Json => {
            let rows: Vec<Value> = writes.iter().map(as_json).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        }
        ListFormat::Table | ListFormat::Csv => {
            table(&writes, out)?;
            summary(store, out).await?;
        }
    }
    Ok(())
}

fn table(writes: &[DryRunWrite], out: &mut dyn Write) -> std::io::Result<()> {
    if writes.is_empty() {
        return writeln!(out, "No writes held back (is this a dry run's store?).");
    }
    let mut t = Table::new(&["id", "at", "system", "kind", "subject", "request"]);
    for w in writes {
        t.row(vec![
            w.id.to_string(),
            time_s(w.at),
            w.system.clone(),
            w.kind.clone(),
            w.subject.clone().unwrap_or_default(),
            format!("{} {}", w.method, w.path),
        ]);
    }
    t.write(out)
}

/// `Held back: cin7 sale 4, oro stock levels 2.` and the exceptions raised, by kind.
async fn summary(store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let counts = store.dry_run_counts().await?;
    let held: Vec<String> = counts
        .iter()
        .map(|(system, kind, n)| format!("{system} {kind} {n}"))
        .collect();
    if !held.is_empty() {
        writeln!(out, "\nHeld back: {}.", held.join(", "))?;
    }
    let filter = ExceptionFilter {
        status: Some(ExceptionStatus::Open),
        limit: 0,
        ..ExceptionFilter::default()
    };
    let open = store.exceptions(&filter).await?;
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for e in &open {
        *by_kind.entry(e.kind.to_string()).or_default() += 1;
    }
    if !by_kind.is_empty() {
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            out,
            "Exceptions it would raise (open): {} (`concord exceptions list` for each).",
            kinds.join(", ")
        )?;
    }
    Ok(())
}

pub async fn show(store: &Store, id: i64, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(w) = store
        .dry_run_write(id)
        .await
        .context("Failed to read the write")?
    else {
        bail!("no held-back write with id {id}");
    };
    writeln!(
        out,
        "Write {}: {} {} ({})",
        w.id,
        w.system,
        w.kind,
        time_s(w.at)
    )?;
    writeln!(out, "Request:  {} {}", w.method, w.path)?;
    if let Some(subject) = &w.subject {
        writeln!(out, "Subject:  {subject}")?;
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    match &w.payload {
        Some(p) => writeln!(out, "\nPayload:\n{}", pretty(p))?,
        None => writeln!(out, "\nPayload: (none)")?,
    }
    writeln!(
        out,
        "\nAnswer the flow continued with (made up, not Cin7's or Oro's):\n{}",
        pretty(&w.answer)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::Clock;
    use concord_store::NewDryRunWrite;

    async fn store_with_a_sale() -> Store {
        let s = Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap();
        let write = NewDryRunWrite {
            system: "cin7".into(),
            kind: "sale".into(),
            method: "POST".into(),
            path: "/sale".into(),
            subject: Some("order:1001".into()),
            payload: Some(json!({"ExternalID": "1001"})),
            answer: json!({"ID": "dryrun-1"}),
        };
        s.dry_run_record(&write).await.unwrap();
        s
    }

    #[tokio::test]
    async fn the_list_shows_each_write_and_what_was_held_back_per_kind() {
        let s = store_with_a_sale().await;
        let mut out = Vec::new();
        list(&s, &DryRunFilter::default(), ListFormat::Table, &mut out)
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("order:1001") && text.contains("POST /sale"),
            "{text}"
        );
        assert!(text.contains("Held back: cin7 sale 1."), "{text}");
        let mut out = Vec::new();
        list(&s, &DryRunFilter::default(), ListFormat::Json, &mut out)
            .await
            .unwrap();
        let rows: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(rows[0]["payload"]["ExternalID"], "1001");
    }

    #[tokio::test]
    async fn show_prints_the_whole_payload_and_refuses_an_unknown_id() {
        let s = store_with_a_sale().await;
        let mut out = Vec::new();
        show(&s, 1, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"ExternalID\": \"1001\""), "{text}");
        assert!(show(&s, 99, &mut Vec::new()).await.is_err());
    }
}
