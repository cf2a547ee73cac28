//! The webhooks a shipment fires (reference §14.4, §15): `Sale/ShipmentAuthorised` and, when it
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
    let Some(task) = sale.fulfilments.iter().find(|f| f.task_id == task_id) else {
        return;
    };
    let contact = sale.extra.get("Contact").cloned().unwrap_or(json!(""));
    let email = sale.extra.get("Email").cloned().unwrap_or(json!(""));
    let authorised = json!({
        "SaleTaskID": task_id.to_string().to_uppercase(), "TenantID": tenant.to_uppercase(),
        "OrderNumber": views::order_number(sale), "CustomerName": sale.customer,
        "CustomerContactName": contact, "CustomerContactEmail": email, "EventType": SHIPMENT_AUTHORISED,
    });
    let shipments: Vec<_> = task
        .ship_lines
        .iter()
        .filter(|l| !l.tracking_number.is_empty())
        .map(|l| {
            json!({"ShipmentDate": day(clock, l.shipment_s), "TrackingNumber": l.tracking_number,
                        "TrackingUrl": "", "Carrier": l.carrier})
        })
        .collect();
    let tracking = (!shipments.is_empty()).then(|| {
        json!({
            "SaleID": sale.id.to_string().to_uppercase(), "TaskID": task_id.to_string().to_uppercase(),
            "SaleOrderNumber": views::order_number(sale), "SaleOrderDate": day(clock, sale.created_s),
            "CustomerContact": contact, "CustomerEmail": email, "CustomerName": sale.customer,
            "TaskTypeSign": 0, "Shipments": shipments, "EventType": TRACKING_CHANGED,
        })
    });
    webhooks::emit(state, now_s, SHIPMENT_AUTHORISED, authorised);
    if let Some(body) = tracking {
        webhooks::emit(state, now_s, TRACKING_CHANGED, body);
    }
}
