//! `/sale/invoice` (GET, POST, PUT) and `/sale/payment` (GET, POST, DELETE): reference §11–§12.
//! An invoice copies the authorised order's lines and charges (a Simple Sale's stock lines cannot
//! differ from its order); a payment is refused above what is still owed, as Cin7 refuses it.

use super::sales::sale_index;
use crate::cin7::emulator::Inner;
use crate::cin7::ledger::{check_payment, payment_kind, Invoice, Payment};
use crate::cin7::state::State;
use crate::cin7::wire::{field, guid, num, stamp, text, ApiError, Params, Reply};
use crate::cin7::{ledger_views, webhooks};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

pub(super) fn invoices(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let idx = sale_index(&state, params.get("SaleID"), "SaleID")?;
    Ok(ledger_views::invoices_wrapper(&state.sales[idx]))
}

fn invoice_status(body: &Value) -> Result<String, ApiError> {
    let status = text(body, "Status").map_or_else(|| "DRAFT".into(), |s| s.trim().to_uppercase());
    if status != "DRAFT" && status != "AUTHORISED" {
        return Err(ApiError::bad(format!(
            "Status '{status}' is not valid: use DRAFT or AUTHORISED."
        )));
    }
    Ok(status)
}

/// The stock lines sent must be the order's (same SKUs and quantities, in order), reference §11.2.
fn check_lines(state: &State, idx: usize, body: &Value) -> Result<(), ApiError> {
    let Some(Value::Array(sent)) = field(body, "Lines") else {
        return Ok(());
    };
    let order = &state.sales[idx].order.lines;
    let same = sent.len() == order.len()
        && sent.iter().zip(order).all(|(s, o)| {
            text(s, "SKU").is_none_or(|sku| crate::cin7::wire::same(&sku, &o.sku))
                && num(s, "Quantity").ok().flatten() == Some(o.quantity)
        });
    if same {
        Ok(())
    } else {
        Err(ApiError::bad(
            "Invoice lines must match the sale order's lines. Undo the order to change quantities or items.",
        ))
    }
}

/// Creates (POST) or writes (PUT) an invoice task: only on an authorised order, only while the
/// invoice is still `DRAFT` or `NOT AVAILABLE`. `TaskID` of zeros appends a task.
pub(super) fn write_invoice(inner: &Inner, body: &Value, put: bool) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let idx = sale_index(&state, text(body, "SaleID").as_deref(), "SaleID")?;
    let raw_task = text(body, "TaskID")
        .ok_or_else(|| ApiError::bad("Required attribute TaskID is not provided."))?;
    let task = guid(Some(&raw_task)).ok_or_else(|| {
        ApiError::bad(format!("Attribute TaskID is not a valid GUID: {raw_task}"))
    })?;
    let status = invoice_status(body)?;
    let sale = &state.sales[idx];
    if sale.voided || sale.order.status != "AUTHORISED" {
        return Err(ApiError::bad(
            "Invoice can be created only for an authorised sale order.",
        ));
    }
    check_lines(&state, idx, body)?;
    let existing = state.sales[idx].invoice_index(task);
    let known =
        existing.is_some() || task == state.sales[idx].pending_invoice_task() || task.is_nil();
    if !known || (put && existing.is_none()) {
        return Err(ApiError::missing(format!(
            "Invoice with TaskID '{task}' was not found."
        )));
    }
    if let Some(i) = existing {
        if state.sales[idx].ledger.invoices[i].status != "DRAFT" {
            return Err(ApiError::bad(
                "Invoice is already authorised and cannot be changed.",
            ));
        }
    }
    let task = if task.is_nil() { Uuid::new_v4() } else { task };
    let number = match existing {
        Some(i) => state.sales[idx].ledger.invoices[i].number.clone(),
        None => {
            state.next_invoice_number += 1;
            format!("INV-{:05}", state.next_invoice_number)
        }
    };
    let stamp_now = stamp(&inner.clock, now);
    let sale = &mut state.sales[idx];
    let invoice = Invoice {
        task_id: task,
        number,
        status: status.clone(),
        memo: text(body, "Memo").unwrap_or_default(),
        invoice_date: text(body, "InvoiceDate").unwrap_or_else(|| stamp_now.clone()),
        due_date: text(body, "InvoiceDueDate").unwrap_or(stamp_now),
        lines: sale.order.lines.clone(),
        charges: sale.order.charges.clone(),
        created_s: now,
    };
    match existing {
        Some(i) => sale.ledger.invoices[i] = invoice,
        None => sale.ledger.invoices.push(invoice),
    }
    sale.updated_s = now;
    if status == "AUTHORISED" {
        webhooks::emit_sale(&mut state, now, "Sale/InvoiceAuthorised", idx);
    }
    Ok(ledger_views::invoices_wrapper(&state.sales[idx]))
}

/// `GET /sale/payment?SaleID=`: a bare array (reference §12.2).
pub(super) fn payments(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let idx = sale_index(&state, params.get("SaleID"), "SaleID")?;
    let sale = &state.sales[idx];
    let rows: Vec<Value> = sale
        .ledger
        .payments
        .iter()
        .map(|p| ledger_views::payment(sale, p, &stamp(&inner.clock, p.created_s)))
        .collect();
    Ok(Value::Array(rows))
}

/// The sale a payment's `TaskID` belongs to: an invoice task, a Simple Sale's pending invoice
/// task, or the sale itself (its order task, for a prepayment).
fn sale_of_task(state: &State, task: Uuid) -> Option<usize> {
    state.sales.iter().position(|s| {
        s.id == task || s.pending_invoice_task() == task || s.invoice_index(task).is_some()
    })
}

/// Records a payment, as the API's `POST /sale/payment` or finance by hand.
pub(crate) fn add_payment(
    state: &mut State,
    idx: usize,
    payment: Payment,
    now: f64,
) -> Result<(), ApiError> {
    check_payment(
        &state.sales[idx],
        &payment.kind,
        payment.task_id,
        payment.amount,
    )
    .map_err(ApiError::bad)?;
    let sale = &mut state.sales[idx];
    sale.ledger.payments.push(payment);
    sale.updated_s = now;
    let kind = if sale.outstanding() <= Decimal::ZERO {
        "Sale/FullPaymentReceived"
    } else {
        "Sale/PartialPaymentReceived"
    };
    webhooks::emit_sale(state, now, kind, idx);
    Ok(())
}

pub(super) fn create_payment(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let raw_task = text(body, "TaskID")
        .ok_or_else(|| ApiError::bad("Required attribute TaskID is not provided."))?;
    let task = guid(Some(&raw_task)).ok_or_else(|| {
        ApiError::bad(format!("Attribute TaskID is not a valid GUID: {raw_task}"))
    })?;
    let idx = sale_of_task(&state, task)
        .ok_or_else(|| ApiError::missing(format!("Task with ID '{task}' was not found.")))?;
    let kind = text(body, "Type")
        .and_then(|t| payment_kind(&t))
        .ok_or_else(|| {
            ApiError::bad("Required attribute Type must be PREPAYMENT, PAYMENT or REFUND.")
        })?;
    let amount = num(body, "Amount")?
        .ok_or_else(|| ApiError::bad("Required attribute Amount is not provided."))?;
    let account = text(body, "Account")
        .ok_or_else(|| ApiError::bad("Required attribute Account is not provided."))?;
    let date_paid = text(body, "DatePaid")
        .ok_or_else(|| ApiError::bad("Required attribute DatePaid is not provided."))?;
    let payment = Payment {
        id: Uuid::new_v4(),
        task_id: task,
        kind: kind.to_owned(),
        reference: text(body, "Reference").unwrap_or_default(),
        amount,
        date_paid,
        account,
        currency_rate: num(body, "CurrencyRate")?.unwrap_or(Decimal::ONE),
        created_s: now,
    };
    let view = ledger_views::payment(&state.sales[idx], &payment, &stamp(&inner.clock, now));
    add_payment(&mut state, idx, payment, now)?;
    Ok(view)
}

/// `DELETE /sale/payment?ID=`: removes a payment (prepayments included).
pub(super) fn delete_payment(inner: &Inner, params: &Params) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let raw = params
        .get("ID")
        .ok_or_else(|| ApiError::bad("Required attribute ID is not provided."))?;
    let id = guid(Some(raw))
        .ok_or_else(|| ApiError::bad(format!("Attribute ID is not a valid GUID: {raw}")))?;
    for sale in state.sales.iter_mut() {
        if let Some(at) = sale.ledger.payments.iter().position(|p| p.id == id) {
            sale.ledger.payments.remove(at);
            sale.updated_s = now;
            return Ok(json!({"Success": true}));
        }
    }
    Err(ApiError::missing(format!(
        "Payment with ID '{id}' was not found."
    )))
}
