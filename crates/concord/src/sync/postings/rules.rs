//! The posting rules as pure functions: which Oro transactions are money in, the `Reference` a
//! capture gets (stable across redeliveries and retries), and whether a payment can be posted now.

use crate::domain::{PaymentCapture, SaleOrder};
use rust_decimal::Decimal;

/// Oro transaction actions that move money from the buyer (reference §14); authorisations,
/// cancellations and refunds are not captures.
pub fn is_money_in(transaction_type: &str) -> bool {
    matches!(
        transaction_type.trim().to_ascii_lowercase().as_str(),
        "capture" | "charge" | "purchase"
    )
}

/// The Cin7 `Reference` of a capture: the order, the transaction's time and what the order had
/// paid after it. Oro sends the same three on every redelivery of one transaction, and two
/// captures of one order differ in at least the amount paid, so the reference is the dedup key
/// after an unclear answer. At most 50 characters (Cin7's limit).
pub fn reference(capture: &PaymentCapture) -> String {
    let when: String = capture
        .transaction_date
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let paid = capture.amount_paid.unwrap_or(capture.amount);
    let cents = (paid.round_dp(2) * Decimal::ONE_HUNDRED).trunc();
    format!("ORO-{}-{when}-{cents}", capture.order_id)
}

/// The sale's total as Concord sent it: lines and charges, each with its tax.
pub fn sale_total(order: &SaleOrder) -> Decimal {
    let lines: Decimal = order.lines.iter().map(|l| l.total + l.tax).sum();
    let charges: Decimal = order.charges.iter().map(|c| c.total + c.tax).sum();
    lines + charges
}

/// Where the payment's order stands in Cin7.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SaleSide {
    /// No sale with an order yet (held, in flight, or not Concord's).
    Missing,
    /// A sale whose order Concord wrote (draft or authorised), with its total.
    Live { total: Decimal },
    /// Cancelled in Oro: the sale is voided (or never existed, or shipped before the cancel).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PaymentDecision {
    Post,
    Wait,
    /// Still no sale `max_lag_s` after the capture: finance must hear of it; keep waiting.
    Overdue,
    Refuse(String),
}

/// Whether a captured `amount` can be posted now, given the sale, what Concord already posted on
/// it, and how long the capture has waited.
pub fn decide_payment(
    side: SaleSide,
    amount: Decimal,
    posted: Decimal,
    waited_s: f64,
    max_lag_s: f64,
) -> PaymentDecision {
    match side {
        SaleSide::Cancelled => PaymentDecision::Refuse(
            "the order was cancelled and its Cin7 sale voided, so there is nothing to pay".into(),
        ),
        SaleSide::Missing if waited_s > max_lag_s => PaymentDecision::Overdue,
        SaleSide::Missing => PaymentDecision::Wait,
        SaleSide::Live { total } if amount > total - posted => PaymentDecision::Refuse(format!(
            "{amount} is more than remains to be paid ({} of {})",
            (total - posted).round_dp(2),
            total.round_dp(2)
        )),
        SaleSide::Live { .. } => PaymentDecision::Post,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn capture(amount: Decimal, paid: Option<Decimal>) -> PaymentCapture {
        PaymentCapture {
            order_id: 7004,
            amount,
            transaction_type: "capture".into(),
            transaction_date: "2026-11-30 07:27:17".into(),
            amount_paid: paid,
            amount_due: None,
        }
    }

    #[test]
    fn a_reference_is_stable_and_tells_captures_apart() {
        let first = reference(&capture(dec!(75.88), Some(dec!(75.88))));
        assert_eq!(first, "ORO-7004-20261130072717-7588");
        assert_eq!(first, reference(&capture(dec!(75.88), Some(dec!(75.88)))));
        let second = reference(&capture(dec!(113.82), Some(dec!(189.70))));
        assert_ne!(first, second);
        assert!(second.len() <= 50);
        assert_eq!(
            reference(&capture(dec!(10), None)),
            "ORO-7004-20261130072717-1000"
        );
    }

    #[test]
    fn only_money_in_transactions_are_captures() {
        for (kind, yes) in [
            ("capture", true),
            ("CHARGE", true),
            ("purchase", true),
            ("authorize", false),
            ("refund", false),
            ("cancel", false),
            ("", false),
        ] {
            assert_eq!(is_money_in(kind), yes, "{kind}");
        }
    }

    #[test]
    fn payment_decisions_follow_the_spec() {
        use PaymentDecision::*;
        let live = SaleSide::Live { total: dec!(100) };
        let cases: [(SaleSide, Decimal, Decimal, f64, PaymentDecision); 7] = [
            (live, dec!(100), dec!(0), 0.0, Post),
            (live, dec!(40), dec!(60), 0.0, Post),
            (
                live,
                dec!(40.01),
                dec!(60),
                0.0,
                Refuse("40.01 is more than remains to be paid (40 of 100)".into()),
            ),
            (SaleSide::Missing, dec!(5), dec!(0), 3599.0, Wait),
            (SaleSide::Missing, dec!(5), dec!(0), 3601.0, Overdue),
            (
                SaleSide::Live { total: dec!(5) },
                dec!(5),
                dec!(0),
                9000.0,
                Post,
            ),
            (
                SaleSide::Cancelled,
                dec!(5),
                dec!(0),
                0.0,
                Refuse(
                    "the order was cancelled and its Cin7 sale voided, so there is nothing to pay"
                        .into(),
                ),
            ),
        ];
        for (side, amount, posted, waited, want) in cases {
            assert_eq!(
                decide_payment(side, amount, posted, waited, 3600.0),
                want,
                "{side:?} {amount}"
            );
        }
    }
}
