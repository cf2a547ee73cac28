//! Payments across the systems: for each sale the list shows, Cin7's `PaidAmount` against what
//! Concord posted from Oro's captures (without `settings.postings`: against every capture). A difference is `payment_mismatch` (usually a payment
//! recorded by hand in Cin7); it costs no call, the sale list already carries the amount.

use super::Discrepancy;
use crate::domain::SaleSummary;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::postings::records::{self, KEPT, POSTED, WAITING};
use concord_core::catalogue::ExceptionKind;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// `listed_at_s`: when the sale list was read. A payment Concord recorded as posted after that
/// may be in Cin7's list or not, so its order is compared on the next run.
pub async fn check(
    ctx: &Context,
    sales: &[SaleSummary],
    listed_at_s: f64,
    found: &mut Vec<Discrepancy>,
) -> Result<(), FlowError> {
    let mut posted: HashMap<i64, Decimal> = HashMap::new();
    let mut in_flight: HashSet<i64> = HashSet::new();
    if ctx.rules.postings.is_none() {
        // Nothing is posted: Cin7's payments are compared with every capture Oro announced.
        for p in records::payments_in(&ctx.store, KEPT).await? {
            *posted.entry(p.order_id).or_default() += p.amount;
        }
    }
    for p in records::payments_in(&ctx.store, POSTED).await? {
        *posted.entry(p.order_id).or_default() += p.amount;
        if p.posted_at_s.is_none_or(|at| at >= listed_at_s) {
            in_flight.insert(p.order_id);
        }
    }
    // A payment sent without a clear answer may have landed: its order is compared next time.
    let unclear = records::payments_in(&ctx.store, WAITING).await?;
    in_flight.extend(
        unclear
            .into_iter()
            .filter(|p| p.attempted_at_s.is_some())
            .map(|p| p.order_id),
    );
    for sale in sales.iter().filter(|s| s.status != "VOIDED") {
        let (Some(paid), Some(order_id)) = (
            sale.paid,
            sale.external_id
                .as_deref()
                .and_then(|e| e.parse::<i64>().ok()),
        ) else {
            continue;
        };
        let ours = posted.get(&order_id).copied().unwrap_or_default();
        match mismatch(order_id, paid, ours, in_flight.contains(&order_id)) {
            Some(d) => found.push(d),
            None if !in_flight.contains(&order_id) => {
                let subject = format!("order:{order_id}");
                let note = "Oro's and Cin7's payment totals agree again.";
                exceptions::resolve(&ctx.store, ExceptionKind::PaymentMismatch, &subject, note)
                    .await?;
            }
            None => {}
        }
    }
    Ok(())
}

/// The discrepancy, if Cin7's paid amount is not what Concord posted from Oro.
fn mismatch(
    order_id: i64,
    cin7_paid: Decimal,
    posted: Decimal,
    in_flight: bool,
) -> Option<Discrepancy> {
    if in_flight || cin7_paid.round_dp(2) == posted.round_dp(2) {
        return None;
    }
    Some(Discrepancy {
        kind: "payment_mismatch".into(),
        subject: format!("order:{order_id}"),
        detail: format!(
            "Cin7 shows {} paid on the sale but Oro's captures posted by Concord total {}: a payment recorded (or removed) by hand in Cin7 makes the ledgers differ.",
            cin7_paid.round_dp(2),
            posted.round_dp(2)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_difference_is_a_mismatch_unless_a_post_is_in_flight() {
        assert!(mismatch(1, dec!(206.64), dec!(0), false).is_some());
        assert!(mismatch(1, dec!(10.00), dec!(10), false).is_none());
        assert!(mismatch(1, dec!(10), dec!(0), true).is_none());
        assert_eq!(
            mismatch(7, dec!(0), dec!(5), false).map(|d| d.subject),
            Some("order:7".into())
        );
    }
}
