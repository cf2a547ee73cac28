//! The webhooks fulfilment fires (reference §14, §15): `Sale/PickAuthorised`, `Sale/PackAuthorised`,
//! `Sale/ShipmentAuthorised` and, when a shipment
//! carries a tracking number, `Sale/ShipmentTrackingNumberChanged`, in the documented sample shapes
//! (upper-case GUIDs, `dd/MM/yyyy` dates, `TrackingUrl` spelled as in the webhook, not the API).

use super::state::State;
use super::{views, webhooks};
use concord_core::Clock;
use serde_json::json;
use uuid::Uuid;

pub(crate) const SHIPMENT_AUTHORISED: &str = "Sale/ShipmentAuthorised";
pub(crate) const TRACKING_CHANGED: &str = "Sale/ShipmentTrackingNumberChanged";

fn day(clock: &Clock, at_s: f64) -> String {
    clock.at(at_s).format("%d/%m/%Y").to_string()
}

/// Queues the events for task `task_id` of sale `idx`, just authorised at `now_s`.
pub(crate) fn emit(
    state: &mut State,
    clock: &Clock,
    tenant: &str,
    idx: usize,
    task_id: Uuid,
    now_s: f64,
) {
    let sale = &state.sales[idx];
    let contact = sale.extra.get("Contact").cloned().unwrap_or(json!(""));
    let email = sale.extra.get("Email").cloned().unwrap_or(json!(""));
    let authorised = json!({
        "SaleTaskID": task_id.to_string().to_uppercase(), "TenantID": tenant.to_uppercase(),
        "OrderNumber": views::order_number(sale), "CustomerName": sale.customer,
        "CustomerContactName": contact, "CustomerContactEmail": email, "EventType": SHIPMENT_AUTHORISED,
    });
    webhooks::emit(state, now_s, SHIPMENT_AUTHORISED, authorised);
    emit_tracking(state, clock, idx, task_id, now_s);
}

/// `Sale/ShipmentTrackingNumberChanged` for the task, when any of its ship lines has a number.
pub(crate) fn emit_tracking(
    state: &mut State,
    clock: &Clock,
    idx: usize,
    task_id: Uuid,
    now_s: f64,
) {
    let sale = &state.sales[idx];
    let Some(task) = sale.fulfilments.iter().find(|f| f.task_id == task_id) else {
        return;
    };
    let shipments: Vec<_> = task
        .ship_lines
        .iter()
        .filter(|l| !l.tracking_number.is_empty())
        .map(|l| {
            json!({"ShipmentDate": day(clock, l.shipment_s), "TrackingNumber": l.tracking_number,
                        "TrackingUrl": "", "Carrier": l.carrier})
        })
        .collect();
    if shipments.is_empty() {
        return;
    }
    let body = json!({
        "SaleID": sale.id.to_string().to_uppercase(), "TaskID": task_id.to_string().to_uppercase(),
        "SaleOrderNumber": views::order_number(sale), "SaleOrderDate": day(clock, sale.created_s),
        "CustomerContact": sale.extra.get("Contact").cloned().unwrap_or(json!("")),
        "CustomerEmail": sale.extra.get("Email").cloned().unwrap_or(json!("")), "CustomerName": sale.customer,
        "TaskTypeSign": 0, "Shipments": shipments, "EventType": TRACKING_CHANGED,
    });
    webhooks::emit(state, now_s, TRACKING_CHANGED, body);
}

/// `Sale/PickAuthorised` / `Sale/PackAuthorised` for task `ti` of sale `idx`.
pub(crate) fn emit_stage(state: &mut State, now_s: f64, kind: &str, idx: usize, ti: usize) {
    let sale = &state.sales[idx];
    let Some(task) = sale.fulfilments.get(ti) else {
        return;
    };
    let body = json!({
        "SaleID": sale.id.to_string().to_uppercase(), "SaleOrderNumber": views::order_number(sale),
        "TaskID": task.task_id.to_string().to_uppercase(), "CustomerName": sale.customer,
        "CustomerContactName": sale.extra.get("Contact").cloned().unwrap_or(json!("")),
        "CustomerContactEmail": sale.extra.get("Email").cloned().unwrap_or(json!("")), "EventType": kind,
    });
    webhooks::emit(state, now_s, kind, body);
}
