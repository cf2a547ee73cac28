//! What Concord remembers about each posting, in the store so a crash resumes it: one invoice per
//! order, one payment per Oro capture (keyed by its `Reference`). Status `waiting` until posted,
//! then `posted`, or `refused` (with the reason finance sees) or `dropped` (order cancelled).

use concord_store::{Store, StoreError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub const INVOICE: &str = "posting_invoice";
pub const PAYMENT: &str = "posting_payment";

pub const WAITING: &str = "waiting";
pub const POSTED: &str = "posted";
pub const REFUSED: &str = "refused";
pub const DROPPED: &str = "dropped";
/// A capture kept without `settings.postings`: never posted, only compared by reconciliation.
pub const KEPT: &str = "kept";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoicePosting {
    pub order_id: i64,
    /// Clock second of its cause (authorisation or full shipment): the lag runs from here.
    pub due_s: f64,
    /// The Cin7 customer billed (its name when known) and the sale's total, for finance's report.
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub total: Option<Decimal>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub posted_at_s: Option<f64>,
    #[serde(default)]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentPosting {
    pub order_id: i64,
    pub reference: String,
    pub amount: Decimal,
    /// Clock second Concord learnt of the capture.
    pub due_s: f64,
    /// The Cin7 customer billed, once known (at posting).
    #[serde(default)]
    pub customer: Option<String>,
    /// `PAYMENT` or `PREPAYMENT`, once posted.
    #[serde(default)]
    pub kind: Option<String>,
    /// Set before the POST: after a crash or an unclear answer, look the reference up first.
    #[serde(default)]
    pub attempted_at_s: Option<f64>,
    #[serde(default)]
    pub posted_at_s: Option<f64>,
    /// A `payment_unposted` was raised for it (refused, or no sale within the lag).
    #[serde(default)]
    pub unposted_raised: bool,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// Any posting, for the dashboard and the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct PostingRow {
    pub kind: &'static str,
    pub key: String,
    pub order_id: i64,
    pub status: String,
    pub amount: Option<Decimal>,
    pub due_s: f64,
    pub posted_at_s: Option<f64>,
    pub last_error: Option<String>,
}

pub async fn put_invoice(
    store: &Store,
    p: &InvoicePosting,
    status: &str,
) -> Result<(), StoreError> {
    store
        .record_put(INVOICE, &p.order_id.to_string(), status, p)
        .await
}

pub async fn put_payment(
    store: &Store,
    p: &PaymentPosting,
    status: &str,
) -> Result<(), StoreError> {
    store.record_put(PAYMENT, &p.reference, status, p).await
}

pub async fn invoice(
    store: &Store,
    order_id: i64,
) -> Result<Option<(String, InvoicePosting)>, StoreError> {
    let record = store.record_get(INVOICE, &order_id.to_string()).await?;
    Ok(record.and_then(|r| Some((r.status, serde_json::from_value(r.data).ok()?))))
}

pub async fn payment(
    store: &Store,
    reference: &str,
) -> Result<Option<(String, PaymentPosting)>, StoreError> {
    let record = store.record_get(PAYMENT, reference).await?;
    Ok(record.and_then(|r| Some((r.status, serde_json::from_value(r.data).ok()?))))
}

pub async fn invoices_in(store: &Store, status: &str) -> Result<Vec<InvoicePosting>, StoreError> {
    let rows = store.records(INVOICE, Some(status)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| serde_json::from_value(r.data).ok())
        .collect())
}

pub async fn payments_in(store: &Store, status: &str) -> Result<Vec<PaymentPosting>, StoreError> {
    let rows = store.records(PAYMENT, Some(status)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| serde_json::from_value(r.data).ok())
        .collect())
}

/// Every posting of both kinds (optionally of one status), oldest cause first.
pub async fn all(store: &Store, status: Option<&str>) -> Result<Vec<PostingRow>, StoreError> {
    let mut rows = Vec::new();
    for r in store.records(INVOICE, status).await? {
        if let Ok(p) = serde_json::from_value::<InvoicePosting>(r.data) {
            rows.push(PostingRow {
                kind: "invoice",
                key: r.key,
                order_id: p.order_id,
                status: r.status,
                amount: None,
                due_s: p.due_s,
                posted_at_s: p.posted_at_s,
                last_error: p.last_error,
            });
        }
    }
    for r in store.records(PAYMENT, status).await? {
        if let Ok(p) = serde_json::from_value::<PaymentPosting>(r.data) {
            rows.push(PostingRow {
                kind: "payment",
                key: r.key,
                order_id: p.order_id,
                status: r.status,
                amount: Some(p.amount),
                due_s: p.due_s,
                posted_at_s: p.posted_at_s,
                last_error: p.last_error,
            });
        }
    }
    rows.sort_by(|a, b| a.due_s.total_cmp(&b.due_s));
    Ok(rows)
}

/// Puts a refused (or dropped) posting back to `waiting` for the next slot: `invoice:<order id>`
/// or `payment:<reference>`. Safe on a posted one too: the slot looks an invoice up before it
/// writes, and a payment sent before is found by its `Reference`. Answers the status it had, or `None` when there is no such posting.
pub async fn retry(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let (kind, id) = match key.split_once(':') {
        Some(("invoice", id)) => (INVOICE, id),
        Some(("payment", id)) => (PAYMENT, id),
        _ => return Ok(None),
    };
    let Some(mut record) = store.record_get(kind, id).await? else {
        return Ok(None);
    };
    if let Some(map) = record.data.as_object_mut() {
        map.insert("last_error".into(), serde_json::Value::Null);
    }
    store.record_put(kind, id, WAITING, &record.data).await?;
    Ok(Some(record.status))
}
