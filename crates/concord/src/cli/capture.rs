//! `concord scenario capture`: reads the configured systems into a scenario file, with a progress
//! bar on stderr (drawn only on a terminal) and what was left out listed at the end.

use super::CaptureArgs;
use crate::capture::{self, anonymise::Key, CaptureOptions};
use crate::config::Config;
use anyhow::Context as _;
use std::process::ExitCode;

pub async fn capture(args: CaptureArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let key = match (&args.anonymise_key, args.anonymise) {
        (Some(text), _) => Some(Key::from_text(text)?),
        (None, true) => Some(Key::random()?),
        (None, false) => None,
    };
    let ctx = super::run::context_from_config(&config).await?;
    let progress = indicatif::ProgressBar::new(capture::read::STEPS).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} reading {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let opts = CaptureOptions {
        days: args.days,
        anonymise: key,
    };
    let captured = capture::capture(&ctx, &config.rules, &opts, &progress)
        .await
        .context("Failed to capture the scenario")?;
    let text = serde_json::to_string_pretty(&captured.scenario)?;
    std::fs::write(&args.out, text + "\n")
        .with_context(|| format!("Failed to write {}", args.out.display()))?;
    for note in &captured.notes {
        eprintln!("note: {note}");
    }
    let orders = captured.scenario["timeline"].as_array().map_or(0, Vec::len);
    eprintln!(
        "Wrote {} ({orders} orders on the timeline). Replay it: concord demo --scenario {}",
        args.out.display(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
