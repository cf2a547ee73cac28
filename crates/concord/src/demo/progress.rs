//! Live progress for a demo run: one line that a new user can watch while a wholesale morning
//! plays out (orders in Cin7, held, exceptions, stock writes, budget used). Hidden when stderr is
//! not a terminal, so logs and CI output stay clean.

use crate::sync::context::Context;
use crate::sync::orders::record::{self, OrderState};
use concord_store::ExceptionFilter;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn start() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        // The ticker is a thread of its own: with nobody to watch the line it only burns CPU (in a
        // benchmark, CPU counted as the engine's).
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Progress { bar }
    }

    /// Refreshes the line from the store; errors only skip a refresh.
    pub async fn update(&self, ctx: &Context, run_until_s: Option<f64>) {
        // Nobody watches a hidden line: it must not read every order record each second.
        if self.bar.is_hidden() {
            return;
        }
        let Ok(records) = record::all(&ctx.store).await else {
            return;
        };
        let in_cin7 = records
            .iter()
            .filter(|r| matches!(r.state, OrderState::Authorised | OrderState::Draft))
            .count();
        let held = records
            .iter()
            .filter(|r| r.state == OrderState::Held)
            .count();
        let open = ctx
            .store
            .exceptions(&ExceptionFilter::default())
            .await
            .map(|e| e.len())
            .unwrap_or(0);
        let used = ctx.cin7.budget().used().await.unwrap_or(0);
        let clock = ctx.clock.now().format("%H:%M");
        let until = run_until_s
            .map(|u| format!(" of {:.0} min", u / 60.0))
            .unwrap_or_default();
        self.bar.set_message(format!(
            "{clock} (minute {:.0}{until})  orders in Cin7 {in_cin7}  held {held}  exceptions {open}  Cin7 calls in the last minute {used}/{}",
            ctx.clock.elapsed_s() / 60.0,
            ctx.cin7.budget().limit()
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
