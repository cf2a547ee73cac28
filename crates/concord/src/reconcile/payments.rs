//! Payments across the systems: for each sale the list shows, Cin7's `PaidAmount` against what
//! Concord posted from Oro's captures. A difference is `payment_mismatch` (usually a payment
//! recorded by hand in Cin7); it costs no call, the sale list already carries the amount.

use super::Discrepancy;
use crate::domain::SaleSummary;
use crate::sync::context::{Context, FlowError};
use crate::sync::postings::records::{self, POSTED, WAITING};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

pub async fn check(
    ctx: &Context,
    sales: &[SaleSummary],
    found: &mut Vec<Discrepancy>,
) -> Result<(), FlowError> {
    if ctx.rules.postings.is_none() {
        return Ok(()); // Concord posts no payments, so it has no Oro side to compare
    }
    let mut posted: HashMap<i64, Decimal> = HashMap::new();
    for p in records::payments_in(&ctx.store, POSTED).await? {
        *posted.entry(p.order_id).or_default() += p.amount;
    }
    // A payment sent without a clear answer may have landed: its order is compared next time.
    let in_flight: HashSet<i64> = records::payments_in(&ctx.store, WAITING)
        .await?
        .into_iter()
        .filter(|p| p.attempted_at_s.is_some())
        .map(|p| p.order_id)
        .collect();
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
        if let Some(d) = mismatch(order_id, paid, ours, in_flight.contains(&order_id)) {
            found.push(d);
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
