//! Where a demo run's emulators live: in this process (`concord demo`, the tests), or in a child
//! process (`concord bench`, so the engine's own CPU and memory can be told apart).

use super::child::ChildEmulators;
use concord_core::scenario::Scenario;
use concord_core::Clock;
use concord_emulators::Emulators;
use serde_json::Value;
use tokio::sync::mpsc;

pub enum Harness {
    InProcess(Emulators),
    Child(ChildEmulators),
}

/// Calls counted for the closing summary.
pub struct CallCounts {
    pub cin7: usize,
    /// `/sale…` and `/customer…` calls: what "calls per order" counts.
    pub cin7_order: usize,
    pub oro: usize,
}

fn is_order_call(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    path.starts_with("/sale") || path.starts_with("/customer")
}

impl CallCounts {
    /// Counted from a state dump's API logs.
    pub fn from_dump(dump: &Value) -> Self {
        let calls = |system: &str| {
            dump["api_log"][system]
                .as_array()
                .map_or(&[][..], Vec::as_slice)
        };
        CallCounts {
            cin7: calls("cin7").len(),
            cin7_order: calls("cin7")
                .iter()
                .filter(|c| is_order_call(c["path"].as_str().unwrap_or_default()))
                .count(),
            oro: calls("oro").len(),
        }
    }
}

impl Harness {
    pub fn oro_url(&self) -> &str {
        match self {
            Harness::InProcess(e) => &e.oro_url,
            Harness::Child(c) => &c.oro_url,
        }
    }

    pub fn cin7_url(&self) -> &str {
        match self {
            Harness::InProcess(e) => &e.cin7_url,
            Harness::Child(c) => &c.cin7_url,
        }
    }

    /// Where each system is and its credentials.
    pub fn connection(&self) -> Value {
        match self {
            Harness::InProcess(e) => e.connection(),
            Harness::Child(c) => c.connection.clone(),
        }
    }

    /// Starts the scenario clock and the timeline; `concord_crash` events arrive on `crashes`.
    pub async fn start(
        &mut self,
        scenario: &Scenario,
        clock: &Clock,
        crashes: mpsc::UnboundedSender<f64>,
    ) -> anyhow::Result<()> {
        match self {
            Harness::InProcess(e) => {
                clock.release();
                e.play_timeline(scenario, crashes);
            }
            Harness::Child(c) => {
                c.release(crashes).await?;
                // Released right after the child: both clocks run from (nearly) the same instant.
                clock.release();
            }
        }
        Ok(())
    }

    pub fn timeline_done(&self) -> bool {
        match self {
            Harness::InProcess(e) => e.timeline_done(),
            Harness::Child(c) => c.timeline_done(),
        }
    }

    pub fn pending_webhooks(&self) -> usize {
        match self {
            Harness::InProcess(e) => e.pending_webhooks(),
            Harness::Child(c) => c.pending_webhooks(),
        }
    }

    /// Both halves of the state dump and both API logs.
    pub async fn dump(&self) -> anyhow::Result<Value> {
        match self {
            Harness::InProcess(e) => Ok(e.dump()),
            Harness::Child(c) => c.dump().await,
        }
    }

    pub async fn call_counts(&self) -> anyhow::Result<CallCounts> {
        match self {
            Harness::InProcess(e) => {
                let cin7 = e.cin7.api_log();
                Ok(CallCounts {
                    cin7: cin7.len(),
                    cin7_order: cin7.iter().filter(|c| is_order_call(&c.path)).count(),
                    oro: e.oro.api_log().len(),
                })
            }
            Harness::Child(c) => Ok(CallCounts::from_dump(&c.dump().await?)),
        }
    }

    pub fn stop(self) {
        match self {
            Harness::InProcess(e) => e.stop(),
            Harness::Child(c) => drop(c),
        }
    }
}
