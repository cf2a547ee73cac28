//! A sale's invoices and payments (reference §11–§12): invoice tasks copied from the authorised
//! order, payments against an invoice or before it (prepayments), and the money rules Cin7 applies
//! (writes only on an authorised order, no payment above what is still owed, `PAID` when settled).

use super::state::{Charge, Line, Sale};
use rust_decimal::Decimal;
use uuid::Uuid;

/// Cin7's answer to a payment above the document amount (reference §12.2, IK-OVERPAY).
pub(crate) const OVERPAYMENT: &str = "Payment exceeds the document amount";

/// The money documents of one sale.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ledger {
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
}

#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    pub task_id: Uuid,
    pub number: String,
    /// `DRAFT` or `AUTHORISED` as written; read as `PAID` once fully paid (see [`Sale::invoice_status`]).
    pub status: String,
    pub memo: String,
    pub invoice_date: String,
    pub due_date: String,
    pub lines: Vec<Line>,
    pub charges: Vec<Charge>,
    pub created_s: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub id: Uuid,
    pub task_id: Uuid,
    /// `Prepayment`, `Payment` or `Refund` (the mixed case the portal's samples return).
    pub kind: String,
    pub reference: String,
    pub amount: Decimal,
    pub date_paid: String,
    pub account: String,
    pub currency_rate: Decimal,
    pub created_s: f64,
}

impl Invoice {
    /// `(TotalBeforeTax, Tax, Total)` of the invoice's lines and charges (tax-exclusive prices).
    pub fn totals(&self, tax_inclusive: bool) -> (Decimal, Decimal, Decimal) {
        let lines = self.lines.iter().map(|l| (l.total, l.tax));
        let charges = self.charges.iter().map(|c| (c.total, c.tax));
        let (sum, tax) = lines
            .chain(charges)
            .fold((Decimal::ZERO, Decimal::ZERO), |(s, t), (a, b)| {
                (s + a, t + b)
            });
        if tax_inclusive {
            (sum - tax, tax, sum)
        } else {
            (sum, tax, sum + tax)
        }
    }
}

impl Sale {
    /// The invoice task a Simple Sale offers before anything is invoiced. Cin7 does not document
    /// its id, so it is derived from the sale id but differs from it: a client must read it.
    pub fn pending_invoice_task(&self) -> Uuid {
        Uuid::from_u128(self.id.as_u128() ^ 0x0000_0000_0000_4000_8000_1f1f_1f1f_1f1f)
    }

    /// Payments less refunds, on every task of the sale.
    pub fn paid(&self) -> Decimal {
        self.ledger
            .payments
            .iter()
            .map(|p| {
                if p.kind.eq_ignore_ascii_case("Refund") {
                    -p.amount
                } else {
                    p.amount
                }
            })
            .sum()
    }

    /// What a new payment may at most settle: the authorised invoices' totals (else the order's
    /// total, for a prepayment) less what is paid already.
    pub fn outstanding(&self) -> Decimal {
        let invoiced: Decimal = self
            .ledger
            .invoices
            .iter()
            .filter(|i| i.status == "AUTHORISED")
            .map(|i| i.totals(self.tax_inclusive).2)
            .sum();
        let document = if invoiced > Decimal::ZERO {
            invoiced
        } else {
            self.totals().2
        };
        document - self.paid()
    }

    /// An invoice's status as read: an authorised invoice the payments cover reads `PAID`.
    pub fn invoice_status<'a>(&self, invoice: &'a Invoice) -> &'a str {
        if invoice.status == "AUTHORISED" && self.outstanding() <= Decimal::ZERO {
            "PAID"
        } else {
            &invoice.status
        }
    }

    /// `CombinedInvoiceStatus` (reference §11.2).
    pub fn combined_invoice_status(&self) -> &'static str {
        let live = self
            .ledger
            .invoices
            .iter()
            .any(|i| i.status == "AUTHORISED");
        match (live, self.ledger.invoices.is_empty()) {
            (true, _) => "INVOICED",
            (false, true) => "NOT AVAILABLE",
            (false, false) => "DRAFT",
        }
    }

    /// `CombinedPaymentStatus` (reference §12.2).
    pub fn combined_payment_status(&self) -> &'static str {
        let paid = self.paid();
        let invoiced = self
            .ledger
            .invoices
            .iter()
            .any(|i| i.status == "AUTHORISED");
        if paid <= Decimal::ZERO {
            "UNPAID"
        } else if !invoiced {
            "PREPAID"
        } else if self.outstanding() <= Decimal::ZERO {
            "PAID"
        } else {
            "PARTIALLY PAID"
        }
    }

    pub fn invoice_index(&self, task_id: Uuid) -> Option<usize> {
        self.ledger
            .invoices
            .iter()
            .position(|i| i.task_id == task_id)
    }
}

/// Voiding a sale voids its invoices too (they stay listed, `VOIDED`).
pub(crate) fn void_invoices(sale: &mut Sale) {
    for invoice in &mut sale.ledger.invoices {
        invoice.status = "VOIDED".to_owned();
    }
}

/// Which kind of payment a `Type` asks for; the reference lists upper case, the samples mixed.
pub(crate) fn payment_kind(raw: &str) -> Option<&'static str> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "PAYMENT" => Some("Payment"),
        "PREPAYMENT" => Some("Prepayment"),
        "REFUND" => Some("Refund"),
        _ => None,
    }
}

/// Checks a new payment against the sale (reference §12.2); `Err` holds Cin7's message.
pub(crate) fn check_payment(
    sale: &Sale,
    kind: &str,
    task_id: Uuid,
    amount: Decimal,
) -> Result<(), String> {
    if sale.voided {
        return Err("Sale is voided and cannot be paid.".into());
    }
    if amount <= Decimal::ZERO || amount.round_dp(2) != amount {
        return Err("Amount must be greater than zero with at most 2 decimal places.".into());
    }
    let invoice = sale
        .invoice_index(task_id)
        .map(|i| &sale.ledger.invoices[i]);
    let authorised_invoice = invoice.is_some_and(|i| i.status == "AUTHORISED");
    match kind {
        "Payment" if !authorised_invoice => {
            return Err("Payment can be made only against an authorised invoice.".into())
        }
        "Prepayment"
            if sale
                .ledger
                .invoices
                .iter()
                .any(|i| i.status == "AUTHORISED") =>
        {
            return Err("Prepayment is not allowed once the invoice is authorised.".into())
        }
        "Prepayment"
            if invoice.is_none()
                && task_id != sale.id
                && task_id != sale.pending_invoice_task() =>
        {
            return Err(format!("Task with ID '{task_id}' was not found."))
        }
        "Refund" => return Err("Refund can be made only against an authorised credit note.".into()),
        _ => {}
    }
    if amount > sale.outstanding() {
        return Err(OVERPAYMENT.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_types_are_read_in_any_case() {
        assert_eq!(payment_kind("PAYMENT"), Some("Payment"));
        assert_eq!(payment_kind("prepayment"), Some("Prepayment"));
        assert_eq!(payment_kind("Refund"), Some("Refund"));
        assert_eq!(payment_kind("CASH"), None);
    }
}
