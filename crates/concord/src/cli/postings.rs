//! `concord postings list|retry`: finance's view of invoices and payments on their way to Cin7.

use crate::sync::postings::records::{self, PostingRow};
use anyhow::Context as _;
use concord_core::Clock;
use concord_store::Store;
use std::io::Write;
use std::process::ExitCode;

fn row_line(r: &PostingRow) -> String {
    let key = format!("{}:{}", r.kind, r.key);
    let amount = r
        .amount
        .map_or(String::new(), |a| a.round_dp(2).to_string());
    let posted = r
        .posted_at_s
        .map_or(String::new(), |p| format!("{:.0}", p - r.due_s));
    format!(
        "{key:<44} order:{:<8} {:<8} {amount:>10} {posted:>8} {}",
        r.order_id,
        r.status,
        r.last_error.as_deref().unwrap_or("")
    )
}

pub async fn list(
    store: &str,
    status: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let rows = records::all(&store, status).await?;
    writeln!(
        out,
        "{:<44} {:<14} {:<8} {:>10} {:>8} why",
        "posting", "order", "status", "amount", "lag_s"
    )?;
    for r in &rows {
        writeln!(out, "{}", row_line(r))?;
    }
    writeln!(out, "{} posting(s).", rows.len())?;
    Ok(ExitCode::SUCCESS)
}

pub async fn retry(store: &str, key: &str, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    match records::retry(&store, key).await? {
        Some(was) => {
            writeln!(out, "{key} was {was}; it waits for the next posting slot.")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            writeln!(out, "No posting {key:?}: use invoice:<order id> or payment:<reference> (see `concord postings list`).")?;
            Ok(ExitCode::FAILURE)
        }
    }
}
