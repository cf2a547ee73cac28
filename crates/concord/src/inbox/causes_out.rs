//! `concord exceptions causes`: the root causes from a terminal, as a table, JSON or CSV.

use super::cause_text::money;
use super::causes::{root_causes, CauseReport};
use super::format::{csv_row, Table};
use super::ListFormat;
use anyhow::Context;
use concord_store::Store;
use std::io::Write;

pub async fn list(store: &Store, format: ListFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let report = root_causes(store)
        .await
        .context("Failed to read the root causes")?;
    write(&report, format, out)
}

/// JSON is the list of causes (as the dump's `concord.root_causes`); the table leads with the headline.
pub fn write(report: &CauseReport, format: ListFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report.causes)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            let head = [
                "key",
                "kind",
                "owner",
                "orders",
                "orders_held",
                "money_held",
                "suggested_action",
            ];
            csv_row(out, &head)?;
            for c in &report.causes {
                let (orders, held, cash) = (
                    c.subjects.len().to_string(),
                    c.orders_held.to_string(),
                    money(&c.money_held),
                );
                csv_row(
                    out,
                    &[
                        &c.key,
                        &c.kind,
                        &c.owner,
                        &orders,
                        &held,
                        &cash,
                        &c.suggested_action,
                    ],
                )?;
            }
        }
        ListFormat::Table => {
            writeln!(out, "{}", report.headline)?;
            let mut table = Table::new(&["KEY", "OWNER", "ORDERS", "HELD", "MONEY HELD"]);
            for c in &report.causes {
                table.row(vec![
                    c.key.clone(),
                    c.owner.clone(),
                    c.subjects.len().to_string(),
                    c.orders_held.to_string(),
                    money(&c.money_held),
                ]);
            }
            table.write(out)?;
            for c in &report.causes {
                writeln!(out, "\n{}\n  {}", c.key, c.explanation)?;
            }
        }
    }
    Ok(())
}
