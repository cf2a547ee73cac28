//! `GET /sale/fulfilment?SaleID=`, `GET /sale/fulfilment/{pick,pack,ship}?TaskID=` (reference §14),
//! and the fulfilment objects the sale itself shows in `Fulfilments[]`.

use crate::cin7::emulator::Inner;
use crate::cin7::fulfilment::{Fulfilment, ShipLine, TaskLine};
use crate::cin7::state::{Sale, State};
use crate::cin7::wire::{guid, money, ApiError, Params, Reply};
use concord_core::Clock;
use serde_json::{json, Value};

/// `GET /sale/fulfilment?SaleID=`: `{SaleID, Fulfilments: [...]}`.
pub(super) fn list(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let idx = super::sales::sale_index(&state, params.get("SaleID"), "SaleID")?;
    let sale = &state.sales[idx];
    Ok(json!({"SaleID": sale.id, "Fulfilments": fulfilments(&state, &inner.clock, sale)}))
}

/// `GET /sale/fulfilment/{stage}?TaskID=`: one stage of one task; ship carries no `SaleID`.
pub(super) fn stage(inner: &Inner, params: &Params, stage: &str) -> Reply {
    let state = inner.lock();
    let raw = params
        .get("TaskID")
        .ok_or_else(|| ApiError::bad("Required attribute TaskID is not provided."))?;
    let id = guid(Some(raw))
        .ok_or_else(|| ApiError::bad(format!("Attribute TaskID is not a valid GUID: {raw}")))?;
    let (sale, task) = state
        .sales
        .iter()
        .find_map(|s| {
            s.fulfilments
                .iter()
                .find(|f| f.task_id == id)
                .map(|f| (s, f))
        })
        .ok_or_else(|| {
            ApiError::missing(format!("Fulfilment with TaskID '{id}' was not found."))
        })?;
    let mut out = stage_of(&state, &inner.clock, sale, task, stage);
    out["TaskID"] = json!(task.task_id);
    Ok(out)
}

/// One stage of a task as its endpoint prints it (without `TaskID`).
pub(super) fn stage_of(
    state: &State,
    clock: &Clock,
    sale: &Sale,
    task: &Fulfilment,
    stage: &str,
) -> Value {
    match stage {
        "pick" => pick(state, task),
        "pack" => pack(state, task),
        _ => ship(clock, sale, task),
    }
}

pub(crate) fn fulfilments(state: &State, clock: &Clock, sale: &Sale) -> Vec<Value> {
    sale.fulfilments
        .iter()
        .map(|f| {
            let status = task_status(f);
            json!({
                "TaskID": f.task_id, "FulfillmentNumber": f.number, "LinkedInvoiceNumber": "",
                "FulFilmentStatus": status, "Pick": pick(state, f), "Pack": pack(state, f),
                "Ship": ship(clock, sale, f),
            })
        })
        .collect()
}

/// A task's own `FulFilmentStatus`: each task ships what it picked, all at once.
fn task_status(f: &Fulfilment) -> &'static str {
    match f.ship_status.as_str() {
        "AUTHORISED" => "FULFILLED",
        "PARTIALLY AUTHORISED" => "PARTIALLY FULFILLED",
        "VOIDED" => "VOIDED",
        _ => "NOT FULFILLED",
    }
}

fn task_line(state: &State, l: &TaskLine, with_box: bool) -> Value {
    let mut out = json!({
        "ProductID": l.product_id, "SKU": l.sku, "Name": l.name, "Location": l.location,
        "LocationID": state.location(&l.location).map(|x| x.id), "Quantity": money(l.quantity),
        "BatchSN": null, "ExpiryDate": null, "NonInventory": false,
    });
    if with_box {
        out["Box"] = json!(l.box_name);
    }
    out
}

fn pick(state: &State, f: &Fulfilment) -> Value {
    let lines: Vec<Value> = f.lines.iter().map(|l| task_line(state, l, false)).collect();
    json!({"Status": f.pick_status, "Lines": lines})
}

fn pack(state: &State, f: &Fulfilment) -> Value {
    let lines: Vec<Value> = f.lines.iter().map(|l| task_line(state, l, true)).collect();
    json!({"Status": f.pack_status, "Lines": lines})
}

fn ship_line(clock: &Clock, l: &ShipLine) -> Value {
    json!({
        "ID": l.id, "ShipmentDate": crate::cin7::wire::date_only(clock, l.shipment_s), "Carrier": l.carrier,
        "Boxes": l.boxes, "TrackingNumber": l.tracking_number, "TrackingURL": "", "IsShipped": l.is_shipped,
    })
}

fn ship(clock: &Clock, sale: &Sale, f: &Fulfilment) -> Value {
    let lines: Vec<Value> = f.ship_lines.iter().map(|l| ship_line(clock, l)).collect();
    json!({
        "Status": f.ship_status, "RequireBy": sale.extra.get("ShipBy").cloned().unwrap_or(Value::Null),
        "ShippingAddress": sale.extra.get("ShippingAddress").cloned().unwrap_or(Value::Null),
        "ShippingNotes": sale.extra.get("ShippingNotes").cloned().unwrap_or(json!("")),
        "Lines": lines,
    })
}
