//! JSON shapes of invoices and payments: the `/sale/invoice` and `/sale/payment` bodies, and the
//! sale's own `Invoices[]` copy that carries the money summary (reference §11.1, fixtures).

use super::ledger::{Invoice, Payment};
use super::state::Sale;
use super::views::order_number;
use super::wire::money;
use serde_json::{json, Value};

fn invoice_lines(inv: &Invoice) -> (Vec<Value>, Vec<Value>) {
    let lines = inv
        .lines
        .iter()
        .map(|l| {
            json!({
                "ProductID": l.product_id, "SKU": l.sku, "Name": l.name, "Quantity": money(l.quantity),
                "Price": money(l.price), "Discount": money(l.discount), "Tax": money(l.tax),
                "Total": money(l.total), "AverageCost": 0, "TaxRule": l.tax_rule, "Account": "",
                "Comment": l.comment,
            })
        })
        .collect();
    let charges = inv
        .charges
        .iter()
        .map(|c| {
            json!({
                "Description": c.description, "Quantity": money(c.quantity), "Price": money(c.price),
                "Discount": money(c.discount), "Tax": money(c.tax), "Total": money(c.total),
                "TaxRule": c.tax_rule, "Account": "", "Comment": c.comment,
            })
        })
        .collect();
    (lines, charges)
}

/// One invoice task as `/sale/invoice` prints it (no money summary there, reference §11.1).
pub(crate) fn invoice(sale: &Sale, inv: &Invoice) -> Value {
    let (lines, charges) = invoice_lines(inv);
    json!({
        "TaskID": inv.task_id, "CombineAdditionalCharges": false, "InvoiceNumber": inv.number,
        "Memo": inv.memo, "Status": sale.invoice_status(inv), "InvoiceDate": inv.invoice_date,
        "InvoiceDueDate": inv.due_date, "CurrencyConversionRate": 1, "BillingAddressLine1": "",
        "BillingAddressLine2": "", "LinkedFulfillmentNumber": "1", "Lines": lines,
        "AdditionalCharges": charges,
    })
}

/// The task a Simple Sale offers before it is invoiced: nothing written yet.
fn pending_task(sale: &Sale) -> Value {
    json!({
        "TaskID": sale.pending_invoice_task(), "CombineAdditionalCharges": false, "InvoiceNumber": null,
        "Memo": "", "Status": "NOT AVAILABLE", "InvoiceDate": null, "InvoiceDueDate": null,
        "CurrencyConversionRate": 1, "Lines": [], "AdditionalCharges": [],
    })
}

/// `{SaleID, Invoices: [...]}`: the wrapper every `/sale/invoice` verb answers with.
pub(crate) fn invoices_wrapper(sale: &Sale) -> Value {
    let mut invoices: Vec<Value> = sale
        .ledger
        .invoices
        .iter()
        .map(|i| invoice(sale, i))
        .collect();
    if invoices.is_empty() && sale.order.status == "AUTHORISED" && !sale.voided {
        invoices.push(pending_task(sale));
    }
    json!({ "SaleID": sale.id, "Invoices": invoices })
}

/// The sale's `Invoices[]` (inside `GET /sale?ID=`), with `Payments`, totals and `Paid`.
pub(crate) fn sale_invoices(sale: &Sale) -> Vec<Value> {
    sale.ledger
        .invoices
        .iter()
        .map(|inv| {
            let mut v = invoice(sale, inv);
            let (before, tax, total) = inv.totals(sale.tax_inclusive);
            let payments: Vec<Value> = sale
                .ledger
                .payments
                .iter()
                .filter(|p| p.task_id == inv.task_id)
                .map(|p| json!({"ID": p.id, "Reference": p.reference, "Amount": money(p.amount),
                    "DatePaid": p.date_paid, "Account": p.account, "CurrencyRate": money(p.currency_rate)}))
                .collect();
            v["Payments"] = Value::Array(payments);
            v["TotalBeforeTax"] = money(before);
            v["Tax"] = money(tax);
            v["Total"] = money(total);
            v["Paid"] = money(sale.paid());
            v
        })
        .collect()
}

/// One payment as `/sale/payment` prints it (fixture `sale_payment_create_response.json`).
pub(crate) fn payment(sale: &Sale, p: &Payment, created: &str) -> Value {
    let invoice_number = sale
        .invoice_index(p.task_id)
        .map(|i| sale.ledger.invoices[i].number.clone());
    json!({
        "SaleID": sale.id, "TaskID": p.task_id, "ID": p.id, "SaleOrderNumber": order_number(sale),
        "InvoiceNumber": invoice_number, "CreditNoteNumber": null, "Type": p.kind,
        "Reference": p.reference, "Amount": money(p.amount), "DatePaid": p.date_paid,
        "Account": p.account, "CurrencyRate": money(p.currency_rate), "DateCreated": created,
        "CreditID": null,
    })
}
