//! The posting calls (reference §11–§12): read a sale's invoice tasks, authorise its invoice, read
//! and post its payments. All spend the budget's lowest class, [`Priority::Postings`].

use super::client::{Call, Cin7Client};
use super::error::Cin7Error;
use crate::connectors::budget::Priority;
use crate::domain::{ErpInvoice, ErpPayment, NewErpPayment};
use reqwest::Method;
use serde_json::{json, Value};

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn invoices_of(wrapper: &Value) -> Vec<ErpInvoice> {
    let rows = wrapper.get("Invoices").and_then(Value::as_array);
    rows.into_iter()
        .flatten()
        .filter_map(|i| {
            Some(ErpInvoice {
                task_id: text(i, "TaskID")?,
                status: text(i, "Status").unwrap_or_default().to_ascii_uppercase(),
                number: text(i, "InvoiceNumber"),
            })
        })
        .collect()
}

fn payment_of(p: &Value) -> Option<ErpPayment> {
    let amount = match p.get("Amount")? {
        Value::Number(n) => concord_core::decimal::parse(&n.to_string()),
        Value::String(s) => concord_core::decimal::parse(s),
        _ => None,
    }?;
    Some(ErpPayment {
        reference: text(p, "Reference").unwrap_or_default(),
        amount,
        kind: text(p, "Type").unwrap_or_default().to_ascii_uppercase(),
    })
}

impl Cin7Client {
    /// `GET /sale/invoice?SaleID=`: the sale's invoice tasks (a Simple Sale lists its one task,
    /// `NOT AVAILABLE` until invoiced; its `TaskID` is read here, never assumed).
    pub async fn invoices(
        &self,
        sale_id: &str,
        subject: &str,
    ) -> Result<Vec<ErpInvoice>, Cin7Error> {
        let query = vec![("SaleID", sale_id.to_owned())];
        let wrapper: Value = self
            .get_json("/sale/invoice", query, Priority::Postings, Some(subject))
            .await?;
        Ok(invoices_of(&wrapper))
    }

    /// `POST /sale/invoice` with `Status: AUTHORISED` and no `Lines`: Cin7 copies the authorised
    /// order's lines, charges and tax rules, so the invoice is the order to the cent.
    pub async fn authorise_invoice(
        &self,
        sale_id: &str,
        task_id: &str,
        date: &str,
        subject: &str,
    ) -> Result<Vec<ErpInvoice>, Cin7Error> {
        let body = json!({
            "SaleID": sale_id, "TaskID": task_id, "CombineAdditionalCharges": false, "Memo": "",
            "Status": "AUTHORISED", "InvoiceDate": date, "InvoiceDueDate": date, "CurrencyConversionRate": 1,
        });
        let call = Call {
            method: Method::POST,
            path: "/sale/invoice",
            query: vec![],
            body: Some(body),
            priority: Priority::Postings,
            subject: Some(subject),
        };
        let wrapper: Value = self.send_json(call).await?;
        Ok(invoices_of(&wrapper))
    }

    /// `GET /sale/payment?SaleID=` (a bare array): how a retry finds a payment by its `Reference`.
    pub async fn payments(
        &self,
        sale_id: &str,
        subject: &str,
    ) -> Result<Vec<ErpPayment>, Cin7Error> {
        let query = vec![("SaleID", sale_id.to_owned())];
        let rows: Value = self
            .get_json("/sale/payment", query, Priority::Postings, Some(subject))
            .await?;
        let rows = rows.as_array().cloned().unwrap_or_default();
        Ok(rows.iter().filter_map(payment_of).collect())
    }

    /// `POST /sale/payment`. A 5xx or a lost answer is ambiguous: look it up by `Reference` first.
    pub async fn post_payment(&self, p: &NewErpPayment, subject: &str) -> Result<(), Cin7Error> {
        let body = json!({
            "TaskID": p.task_id, "Type": p.kind, "Reference": p.reference,
            "Amount": p.amount.round_dp(2).to_string().parse::<f64>().unwrap_or(0.0),
            "DatePaid": p.date_paid, "Account": p.account, "CurrencyRate": 1,
        });
        let call = Call {
            method: Method::POST,
            path: "/sale/payment",
            query: vec![],
            body: Some(body),
            priority: Priority::Postings,
            subject: Some(subject),
        };
        self.send_json::<Value>(call).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_invoice_and_payment_responses_read_as_domain_records() {
        let created: Value = serde_json::from_str(include_str!(
            "../../../../../../shared/fixtures/cin7/sale_invoice_create_response.json"
        ))
        .unwrap();
        let invoices = invoices_of(&created);
        assert_eq!(invoices.len(), 1);
        assert_eq!(invoices[0].task_id, "b039f19e-66f8-4309-a4b1-abf928303c88");
        assert_eq!(invoices[0].status, "DRAFT");
        assert_eq!(invoices[0].number.as_deref(), Some("INV-00001"));
        let list: Value = serde_json::from_str(include_str!(
            "../../../../../../shared/fixtures/cin7/sale_payment_list_response.json"
        ))
        .unwrap();
        let payments: Vec<ErpPayment> = list
            .as_array()
            .unwrap()
            .iter()
            .filter_map(payment_of)
            .collect();
        assert_eq!(payments.len(), 2);
        assert_eq!(payments[0].kind, "PAYMENT");
        assert_eq!(payments[1].kind, "REFUND");
        assert_eq!(payments[0].amount, rust_decimal::Decimal::new(358, 0));
    }
}
