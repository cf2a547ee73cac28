//! `concord dryrun list|show`: what a dry run held back, read from its store.

use super::DryrunAction;
use anyhow::Context as _;
use concord_core::Clock;
use concord_store::{DryRunFilter, Store};
use std::process::ExitCode;

pub async fn dryrun(action: DryrunAction, store: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect(store, Clock::real())
        .await
        .context("Failed to open the store")?;
    let out = &mut std::io::stdout();
    match action {
        DryrunAction::List {
            system,
            kind,
            limit,
            format,
        } => {
            let format: crate::inbox::ListFormat = match format.as_str() {
                "table" | "json" => format
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--format: {e}"))?,
                other => anyhow::bail!("--format: expected table or json, not `{other}`"),
            };
            let filter = DryRunFilter {
                system,
                kind,
                limit,
            };
            crate::dry_run::out::list(&store, &filter, format, out).await?
        }
        DryrunAction::Show { id } => crate::dry_run::out::show(&store, id, out).await?,
    }
    Ok(ExitCode::SUCCESS)
}
