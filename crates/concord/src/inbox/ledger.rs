//! Finance's per-customer view for the month-end report: what Concord invoiced and posted as paid
//! in Cin7 for each billed customer in the period, and what is outstanding. Built from the posting
//! records, which hold exactly what Cin7 accepted; payments recorded by hand in Cin7 are not here
//! but show as `payment_mismatch` differences.

use crate::sync::postings::records::{InvoicePosting, PaymentPosting, INVOICE, PAYMENT, POSTED};
use chrono::{DateTime, Utc};
use concord_store::{Store, StoreError};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CustomerLedgerRow {
    pub customer: String,
    pub invoiced: String,
    pub paid: String,
    pub outstanding: String,
}

#[derive(Default)]
struct Sums {
    invoiced: Decimal,
    paid: Decimal,
}

/// One row per customer with a posting in `[start, end)`, by customer name.
pub async fn per_customer(
    store: &Store,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<CustomerLedgerRow>, StoreError> {
    let mut sums: BTreeMap<String, Sums> = BTreeMap::new();
    let in_period = |at: DateTime<Utc>| at >= start && at < end;
    let unknown = || "(unknown customer)".to_owned();
    for r in store.records(INVOICE, Some(POSTED)).await? {
        if let (true, Ok(inv)) = (
            in_period(r.updated_at),
            serde_json::from_value::<InvoicePosting>(r.data),
        ) {
            sums.entry(inv.customer.unwrap_or_else(unknown))
                .or_default()
                .invoiced += inv.total.unwrap_or_default();
        }
    }
    for r in store.records(PAYMENT, Some(POSTED)).await? {
        if let (true, Ok(pay)) = (
            in_period(r.updated_at),
            serde_json::from_value::<PaymentPosting>(r.data),
        ) {
            sums.entry(pay.customer.unwrap_or_else(unknown))
                .or_default()
                .paid += pay.amount;
        }
    }
    Ok(rows(sums))
}

fn rows(sums: BTreeMap<String, Sums>) -> Vec<CustomerLedgerRow> {
    sums.into_iter()
        .map(|(customer, s)| CustomerLedgerRow {
            customer,
            invoiced: s.invoiced.round_dp(2).to_string(),
            paid: s.paid.round_dp(2).to_string(),
            outstanding: (s.invoiced - s.paid).round_dp(2).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn outstanding_is_invoiced_less_paid_to_the_cent() {
        let mut sums = BTreeMap::new();
        sums.insert(
            "Acme".to_owned(),
            Sums {
                invoiced: dec!(100.005),
                paid: dec!(40),
            },
        );
        sums.insert(
            "Bolt".to_owned(),
            Sums {
                invoiced: dec!(0),
                paid: dec!(12.5),
            },
        );
        let got = rows(sums);
        assert_eq!(
            got[0],
            CustomerLedgerRow {
                customer: "Acme".into(),
                invoiced: "100.00".into(),
                paid: "40".into(),
                outstanding: "60.00".into()
            }
        );
        assert_eq!(got[1].outstanding, "-12.5");
    }
}
