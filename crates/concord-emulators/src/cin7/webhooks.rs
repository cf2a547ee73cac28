//! Webhook events and their delivery: queued about one scenario minute after the event, retried
//! five more times (+5, +10, +15, +20, +25 scenario minutes) on a non-2xx answer or a connection
//! failure, after which the subscription is deactivated, as reference §5.10 documents.

use super::emulator::Inner;
use super::routes::availability;
use super::sale_ops::StockKey;
use super::state::{Delivery, State, Subscription};
use super::views;
use base64::Engine;
use concord_core::Clock;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub(crate) const ORDER_AUTHORISED: &str = "Sale/OrderAuthorised";
pub(crate) const BACKORDERED: &str = "Sale/Backordered";
pub(crate) const VOIDED: &str = "Sale/Voided";
pub(crate) const CUSTOMER_UPDATED: &str = "Customer/Updated";
pub(crate) const STOCK_CHANGED: &str = "Stock/AvailableStockLevelChanged";

/// Types a subscription may name (DOC-2024 plus the DOC-2025/2026 additions).
pub(crate) const TYPES: &[&str] = &[
    "Sale/QuoteAuthorised",
    ORDER_AUTHORISED,
    VOIDED,
    BACKORDERED,
    "Sale/ShipmentAuthorised",
    "Sale/InvoiceAuthorised",
    "Sale/PickAuthorised",
    "Sale/PackAuthorised",
    "Sale/CreditNoteAuthorised",
    "Sale/Undo",
    "Sale/PartialPaymentReceived",
    "Sale/FullPaymentReceived",
    "Sale/ShipmentTrackingNumberChanged",
    "Purchase/OrderAuthorised",
    "Purchase/InvoiceAuthorised",
    "Purchase/StockReceivedAuthorised",
    "Purchase/CreditNoteAuthorised",
    CUSTOMER_UPDATED,
    "Supplier/Updated",
    STOCK_CHANGED,
    "Sale/Created",
    "Sale/AttachmentAdded",
    "Sale/AdditionalAttributesChanged",
    "Purchase/Updated",
    "Product/Updated",
    "Lead/Updated",
    "Lead/Converted",
    "Opportunity/Authorized",
    "Opportunity/AttachmentAdded",
    "Opportunity/Voided",
    "Opportunity/Converted",
    "Task/Overdue",
];

const FIRST_DELAY_S: f64 = 60.0;
const RETRY_STEP_S: f64 = 300.0;
const MAX_ATTEMPTS: u32 = 6;

/// Queues `body` for every active subscription of `kind`. Nothing is queued without the
/// Automation module (the scenario's `cin7.webhooks`).
pub(crate) fn emit(state: &mut State, now_s: f64, kind: &str, body: Value) {
    if !state.webhooks_enabled {
        return;
    }
    let targets: Vec<Uuid> = state
        .subscriptions
        .iter()
        .filter(|s| s.active && s.kind.eq_ignore_ascii_case(kind))
        .map(|s| s.id)
        .collect();
    for subscription in targets {
        let delivery = Delivery {
            subscription,
            kind: kind.to_owned(),
            body: body.clone(),
            created_s: now_s,
            due_s: now_s + FIRST_DELAY_S,
            attempts: 0,
        };
        state.deliveries.push(delivery);
    }
}

/// A thin sale event, exactly the documented `{SaleID, SaleOrderNumber, EventType}` (fixture
/// `webhook_sale_order_authorised.json`; the same for quote, backorder and void events). Webhook
/// GUIDs are upper case, as in Cin7's samples, so receivers must compare ids case-insensitively.
pub(crate) fn emit_sale(state: &mut State, now_s: f64, kind: &str, idx: usize) {
    let sale = &state.sales[idx];
    let body = json!({
        "SaleID": sale.id.to_string().to_uppercase(), "SaleOrderNumber": views::order_number(sale),
        "EventType": kind,
    });
    emit(state, now_s, kind, body);
}

/// The `Customer` keys of the documented `Customer/Updated` sample, in its order: no
/// `IsOnCreditHold`, no `ProductPrices`, so a receiver must read the customer to know its hold.
const WEBHOOK_CUSTOMER_KEYS: &[&str] = &[
    "ID",
    "Name",
    "Currency",
    "PaymentTerm",
    "Discount",
    "TaxRule",
    "Carrier",
    "SalesRepresentative",
    "Location",
    "Comments",
    "AccountReceivable",
    "RevenueAccount",
    "PriceTier",
    "TaxNumber",
    "AdditionalAttribute1",
    "AdditionalAttribute2",
    "AdditionalAttribute3",
    "AdditionalAttribute4",
    "AdditionalAttribute5",
    "AdditionalAttribute6",
    "AdditionalAttribute7",
    "AdditionalAttribute8",
    "AdditionalAttribute9",
    "AdditionalAttribute10",
    "AttributeSet",
    "Tags",
    "Status",
    "LastModifiedOn",
    "CreditLimit",
];

const WEBHOOK_CONTACT_KEYS: &[&str] = &[
    "ID",
    "CustomerID",
    "Name",
    "JobTitle",
    "Phone",
    "MobilePhone",
    "Fax",
    "Email",
    "Website",
    "Default",
    "Comment",
    "IncludeInEmail",
];

/// The keys of a `Stock/AvailableStockLevelChanged` row (no `InTransit`, `NextDeliveryDate`).
const WEBHOOK_STOCK_KEYS: &[&str] = &[
    "ID",
    "SKU",
    "Name",
    "Barcode",
    "Location",
    "Bin",
    "Batch",
    "ExpiryDate",
    "Category",
    "OnHand",
    "Allocated",
    "Available",
    "OnOrder",
    "StockOnHand",
];

/// `record` cut to `keys`, in that order; a documented key the record lacks is `null`.
fn documented(record: &Value, keys: &[&str]) -> Value {
    let map: Map<String, Value> = keys
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                record.get(*k).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Value::Object(map)
}

pub(crate) fn emit_customer(state: &mut State, clock: &Clock, now_s: f64, id: Uuid) {
    let Some(customer) = state.customer(id) else {
        return;
    };
    let record = views::customer(clock, customer);
    let addresses = record.get("Addresses").cloned().unwrap_or(json!([]));
    let contacts: Vec<Value> = record
        .get("Contacts")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|c| {
                    let mut contact = documented(c, WEBHOOK_CONTACT_KEYS);
                    contact["CustomerID"] = json!(id);
                    contact
                })
                .collect()
        })
        .unwrap_or_default();
    let body = json!({
        "NumberOfCustomers": 1,
        "CustomerDetailsList": [{
            "Customer": documented(&record, WEBHOOK_CUSTOMER_KEYS),
            "Addresses": addresses, "Contacts": contacts,
        }],
        "EventType": CUSTOMER_UPDATED,
    });
    emit(state, now_s, CUSTOMER_UPDATED, body);
}

/// The same availability row (product, location, bin)?
fn same_row(a: &Value, b: &Value) -> bool {
    a["ID"] == b["ID"] && a["Location"] == b["Location"] && a["Bin"] == b["Bin"]
}

/// A bare array of the changed availability rows, one per bin (no `EventType`). Rows changed
/// within the same scenario second join the not-yet-sent delivery of that second, the newest value
/// of a row winning; `MaxRows` is the array's length, as in the sample.
pub(crate) fn emit_stock(state: &mut State, now_s: f64, mut keys: Vec<StockKey>) {
    keys.dedup();
    let mut rows: Vec<Value> = Vec::new();
    for (product, location) in &keys {
        if let Some(row) = state
            .stock
            .iter()
            .find(|r| r.product_id == *product && super::wire::same(&r.location, location))
        {
            for view in availability::rows_of(state, row) {
                let view = documented(&view, WEBHOOK_STOCK_KEYS);
                if !rows.iter().any(|r| same_row(r, &view)) {
                    rows.push(view);
                }
            }
        }
    }
    if rows.is_empty() || !state.webhooks_enabled {
        return;
    }
    let second = now_s.floor();
    let mut merged_into = Vec::new();
    for d in state
        .deliveries
        .iter_mut()
        .filter(|d| d.kind == STOCK_CHANGED && d.attempts == 0 && d.created_s.floor() == second)
    {
        if let Value::Array(existing) = &mut d.body {
            existing.retain(|old| !rows.iter().any(|new| same_row(new, old)));
            existing.extend(rows.iter().cloned());
            let count = existing.len();
            existing
                .iter_mut()
                .for_each(|r| r["MaxRows"] = json!(count));
        }
        merged_into.push(d.subscription);
    }
    let count = rows.len();
    rows.iter_mut().for_each(|r| r["MaxRows"] = json!(count));
    let fresh: Vec<Uuid> = state
        .subscriptions
        .iter()
        .filter(|s| {
            s.active && s.kind.eq_ignore_ascii_case(STOCK_CHANGED) && !merged_into.contains(&s.id)
        })
        .map(|s| s.id)
        .collect();
    for subscription in fresh {
        let body = Value::Array(rows.clone());
        state.deliveries.push(Delivery {
            subscription,
            kind: STOCK_CHANGED.to_owned(),
            body,
            created_s: now_s,
            due_s: now_s + FIRST_DELAY_S,
            attempts: 0,
        });
    }
}

/// The delivery loop: every scenario second, sends what is due, then requeues failures.
pub(crate) async fn run(inner: Arc<Inner>) {
    loop {
        inner.clock.sleep(Duration::from_secs(1)).await;
        let due = take_due(&inner);
        if due.is_empty() {
            continue;
        }
        let sends = due.iter().map(|(d, sub)| send(&inner.http, sub, &d.body));
        let results = futures::future::join_all(sends).await;
        let now = inner.clock.elapsed_s();
        let mut state = inner.lock();
        state.in_flight = state.in_flight.saturating_sub(due.len());
        for ((mut delivery, _), ok) in due.into_iter().zip(results) {
            if ok {
                continue;
            }
            delivery.attempts += 1;
            if delivery.attempts >= MAX_ATTEMPTS {
                tracing::info!(subscription = %delivery.subscription, kind = %delivery.kind, "Webhook failed six times; subscription deactivated.");
                if let Some(sub) = state
                    .subscriptions
                    .iter_mut()
                    .find(|s| s.id == delivery.subscription)
                {
                    sub.active = false;
                }
                state
                    .deliveries
                    .retain(|d| d.subscription != delivery.subscription);
                continue;
            }
            delivery.due_s = now + RETRY_STEP_S * f64::from(delivery.attempts);
            state.deliveries.push(delivery);
        }
    }
}

/// Takes due deliveries off the queue (with their subscription), dropping those whose
/// subscription was deleted or deactivated meanwhile.
fn take_due(inner: &Inner) -> Vec<(Delivery, Subscription)> {
    let now = inner.clock.elapsed_s();
    let mut state = inner.lock();
    let (due, waiting): (Vec<Delivery>, Vec<Delivery>) = std::mem::take(&mut state.deliveries)
        .into_iter()
        .partition(|d| d.due_s <= now);
    state.deliveries = waiting;
    let due: Vec<(Delivery, Subscription)> = due
        .into_iter()
        .filter_map(|d| {
            let sub = state
                .subscriptions
                .iter()
                .find(|s| s.id == d.subscription && s.active)?
                .clone();
            Some((d, sub))
        })
        .collect();
    state.in_flight += due.len();
    due
}

async fn send(http: &reqwest::Client, sub: &Subscription, body: &Value) -> bool {
    let mut request = http.post(&sub.url).json(body);
    match sub.auth.to_ascii_lowercase().as_str() {
        "basicauth" => {
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", sub.user, sub.password));
            request = request.header("Authorization", format!("Basic {token}"));
        }
        "bearerauth" => request = request.header("Authorization", format!("Bearer {}", sub.bearer)),
        _ => {}
    }
    for (key, value) in &sub.headers {
        request = request.header(key.as_str(), value.as_str());
    }
    match request.send().await {
        Ok(response) => response.status().is_success(),
        Err(error) => {
            tracing::debug!(url = %sub.url, %error, "Webhook delivery failed.");
            false
        }
    }
}
