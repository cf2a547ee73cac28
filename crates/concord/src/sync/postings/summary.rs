//! The postings at a glance, for the dashboard, `doctor` and the CLI: how many wait, were posted
//! or refused, the oldest wait against `max_lag_s`, and whether Concord can learn Oro payments.

use super::records::{self, POSTED, REFUSED, WAITING};
use super::ORO_PAYMENTS_CURSOR;
use concord_core::scenario::Postings;
use concord_store::{Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostingsSummary {
    pub waiting: usize,
    pub posted: usize,
    pub refused: usize,
    /// Clock seconds the oldest waiting posting has waited.
    pub oldest_wait_s: Option<f64>,
    pub max_lag_s: f64,
    /// `Some(true)` when Oro accepted the payment webhook, `Some(false)` when it refused it.
    pub oro_payments: Option<bool>,
}

impl PostingsSummary {
    /// The sentences an operator must read, if any.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.oro_payments != Some(true) {
            out.push(
                "Concord cannot learn Oro payments: they are announced only by Oro's order.payment_status_updated webhook (Oro 6.1.10+, webhooks on, a webhook secret configured), which is not subscribed. No payment is posted to Cin7."
                    .to_owned(),
            );
        }
        if let Some(wait) = self.oldest_wait_s.filter(|w| *w > self.max_lag_s) {
            out.push(format!(
                "The oldest waiting posting has waited {wait:.0} s, more than max_lag_s {:.0} s.",
                self.max_lag_s
            ));
        }
        out
    }

    /// One line: `3 waiting (oldest 120 s of 3600 s), 40 posted, 1 refused`.
    pub fn line(&self) -> String {
        let oldest = self.oldest_wait_s.map_or(String::new(), |w| {
            format!(" (oldest {w:.0} s of {:.0} s)", self.max_lag_s)
        });
        format!(
            "{} waiting{oldest}, {} posted, {} refused",
            self.waiting, self.posted, self.refused
        )
    }
}

pub async fn summarise(
    store: &Store,
    cfg: &Postings,
    now_s: f64,
) -> Result<PostingsSummary, StoreError> {
    let rows = records::all(store, None).await?;
    let count = |status: &str| rows.iter().filter(|r| r.status == status).count();
    let oldest = rows
        .iter()
        .filter(|r| r.status == WAITING)
        .map(|r| now_s - r.due_s)
        .fold(None, |m: Option<f64>, w| Some(m.map_or(w, |m| m.max(w))));
    let oro_payments = store
        .cursor_get(ORO_PAYMENTS_CURSOR)
        .await?
        .map(|v| v == "subscribed");
    Ok(PostingsSummary {
        waiting: count(WAITING),
        posted: count(POSTED),
        refused: count(REFUSED),
        oldest_wait_s: oldest,
        max_lag_s: cfg.max_lag_s,
        oro_payments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finance_hears_when_payments_cannot_be_learnt_or_wait_too_long() {
        let fine = PostingsSummary {
            waiting: 1,
            posted: 2,
            refused: 0,
            oldest_wait_s: Some(10.0),
            max_lag_s: 3600.0,
            oro_payments: Some(true),
        };
        assert!(fine.warnings().is_empty());
        assert_eq!(
            fine.line(),
            "1 waiting (oldest 10 s of 3600 s), 2 posted, 0 refused"
        );
        let blind = PostingsSummary {
            oro_payments: Some(false),
            ..fine.clone()
        };
        assert!(blind.warnings()[0].contains("cannot learn Oro payments"));
        let late = PostingsSummary {
            oldest_wait_s: Some(4000.0),
            ..fine
        };
        assert!(late.warnings()[0].contains("more than max_lag_s"));
    }
}
