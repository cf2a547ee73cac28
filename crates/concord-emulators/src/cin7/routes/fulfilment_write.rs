//! Fulfilment writes (reference §14.1–14.4): `POST /sale/fulfilment` adds a task; `POST` (and
//! `PUT`) `/sale/fulfilment/{pick,pack,ship}` fill and authorise a task's stages in order. Shipping
//! a box moves its units out of the warehouse; `PUT …/ship` with `AddTrackingNumbers` changes the
//! tracking numbers of a shipment already authorised. Simplifications: a pack covers exactly what
//! the task picked (a box name per line), and picks and packs read `SKU` only.

use crate::cin7::emulator::Inner;
use crate::cin7::fulfilment::{self, Fulfilment, ShipLine, TaskLine};
use crate::cin7::state::State;
use crate::cin7::wire::{field, flag, guid, num, text, ApiError, Params, Reply};
use crate::cin7::{ship_events, webhooks};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

/// `POST /sale/fulfilment {SaleID}`: a new, empty task (the sale becomes an Advanced Sale).
pub(super) fn create(inner: &Inner, body: &Value) -> Reply {
    let mut state = inner.lock();
    let idx = super::sales::sale_index(&state, text(body, "SaleID").as_deref(), "SaleID")?;
    let sale = &mut state.sales[idx];
    if sale.order.status != "AUTHORISED" {
        return Err(ApiError::bad(
            "Sale order should be authorised to create a fulfilment.",
        ));
    }
    if sale
        .fulfilments
        .iter()
        .any(|f| f.pick_status != "AUTHORISED")
    {
        return Err(ApiError::bad(
            "Pick of every existing fulfilment must be authorised first.",
        ));
    }
    let task_id = fulfilment::next_task_id(sale);
    let number = sale.fulfilments.len() + 1;
    sale.fulfilments.push(Fulfilment::empty(task_id, number));
    let params = Params::parse(Some(&format!("SaleID={}", sale.id)));
    drop(state);
    super::fulfilment::list(inner, &params)
}

/// The sale and task a `TaskID` names; a Simple Sale's first task (id = sale id) is made on first use.
fn task(state: &mut State, body: &Value) -> Result<(usize, usize), ApiError> {
    let raw = text(body, "TaskID")
        .ok_or_else(|| ApiError::bad("Required attribute TaskID is not provided."))?;
    let id = guid(Some(&raw))
        .ok_or_else(|| ApiError::bad(format!("Attribute TaskID is not a valid GUID: {raw}")))?;
    for (si, sale) in state.sales.iter().enumerate() {
        if let Some(ti) = sale.fulfilments.iter().position(|f| f.task_id == id) {
            return Ok((si, ti));
        }
    }
    let si = state
        .sale_index(id)
        .filter(|si| state.sales[*si].fulfilments.is_empty())
        .ok_or_else(|| {
            ApiError::missing(format!("Fulfilment with TaskID '{id}' was not found."))
        })?;
    state.sales[si].fulfilments.push(Fulfilment::empty(id, 1));
    Ok((si, 0))
}

fn status(body: &Value, allowed: &[&str]) -> Result<String, ApiError> {
    let status = text(body, "Status")
        .map(|s| s.trim().to_ascii_uppercase())
        .ok_or_else(|| ApiError::bad("Required attribute Status is not provided."))?;
    if allowed.contains(&status.as_str()) {
        Ok(status)
    } else {
        Err(ApiError::bad(format!(
            "Status '{status}' is not valid here. Expected one of: {}.",
            allowed.join(", ")
        )))
    }
}

/// (SKU, quantity) of each line: `SKU` and `Quantity` required, and a location for picks.
fn product_lines(
    body: &Value,
    need_location: bool,
) -> Result<Vec<(String, Decimal, Option<String>)>, ApiError> {
    let lines = field(body, "Lines")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let sku = text(line, "SKU").ok_or_else(|| {
            ApiError::bad(format!(
                "Lines[{i}]: required attribute SKU is not provided."
            ))
        })?;
        let quantity = num(line, "Quantity")?
            .filter(|q| *q > Decimal::ZERO)
            .ok_or_else(|| {
                ApiError::bad(format!("Lines[{i}]: Quantity should be greater than 0."))
            })?;
        if need_location && text(line, "Location").is_none() && text(line, "LocationID").is_none() {
            return Err(ApiError::bad(format!(
                "Lines[{i}]: Location or LocationID is required."
            )));
        }
        out.push((sku, quantity, text(line, "Box")));
    }
    Ok(out)
}

/// `POST|PUT /sale/fulfilment/pick`: lines, or `AutoPickMode: AUTOPICK` for all that is left.
pub(super) fn pick(inner: &Inner, body: &Value) -> Reply {
    let mut state = inner.lock();
    let (si, ti) = task(&mut state, body)?;
    let sale = &state.sales[si];
    if sale.order.status != "AUTHORISED" {
        return Err(ApiError::bad("Sale order should be authorised to pick."));
    }
    if !matches!(
        sale.fulfilments[ti].pick_status.as_str(),
        "DRAFT" | "NOT AVAILABLE"
    ) {
        return Err(ApiError::bad("Pick is already authorised."));
    }
    let auto = text(body, "AutoPickMode").is_some_and(|m| m.eq_ignore_ascii_case("AUTOPICK"));
    let (wanted, status) = if auto {
        (Vec::new(), "AUTHORISED".to_owned())
    } else {
        let lines = product_lines(body, true)?;
        if lines.is_empty() {
            return Err(ApiError::bad(
                "Lines are required unless AutoPickMode is AUTOPICK.",
            ));
        }
        (
            lines.into_iter().map(|(s, q, _)| (s, q)).collect(),
            status(body, &["DRAFT", "AUTHORISED"])?,
        )
    };
    let picked_elsewhere = sale
        .done(|f, _| f.task_id != sale.fulfilments[ti].task_id && f.pick_status == "AUTHORISED");
    let granted = fulfilment::remaining_after(sale, picked_elsewhere, &wanted);
    let asked: Decimal = wanted.iter().map(|(_, q)| *q).sum();
    if !auto && granted.values().copied().sum::<Decimal>() != asked {
        return Err(ApiError::bad(
            "Picked quantity exceeds the quantity left to fulfil, or a SKU is not on the sale.",
        ));
    }
    let mut lines = Vec::new();
    for (sku, quantity) in granted {
        let product = state
            .product_by_sku(&sku)
            .cloned()
            .ok_or_else(|| ApiError::missing(format!("Product '{sku}' was not found.")))?;
        lines.push(TaskLine {
            product_id: product.id,
            sku: product.sku,
            name: product.name,
            location: state.sales[si].location.clone(),
            quantity,
            box_name: String::new(),
            shipped: false,
        });
    }
    let task = &mut state.sales[si].fulfilments[ti];
    task.lines = lines;
    task.pick_status = status.clone();
    if status == "AUTHORISED" {
        task.pack_status = "DRAFT".to_owned();
        ship_events::emit_stage(&mut state, inner.now_s(), "Sale/PickAuthorised", si, ti);
    }
    state.sales[si].updated_s = inner.now_s();
    Ok(stage_view(inner, &state, si, ti, "pick"))
}

/// `POST|PUT /sale/fulfilment/pack`: every picked SKU into a named box, the quantities as picked.
pub(super) fn pack(inner: &Inner, body: &Value) -> Reply {
    let mut state = inner.lock();
    let (si, ti) = task(&mut state, body)?;
    let task = &state.sales[si].fulfilments[ti];
    if task.pick_status != "AUTHORISED" {
        return Err(ApiError::bad("Pick should be authorised before packing."));
    }
    if task.pack_status == "AUTHORISED" {
        return Err(ApiError::bad("Pack is already authorised."));
    }
    let status = status(body, &["DRAFT", "AUTHORISED"])?;
    let lines = product_lines(body, false)?;
    let mut boxes = Vec::new();
    for l in &task.lines {
        let packed: Decimal = lines
            .iter()
            .filter(|(s, _, _)| s.eq_ignore_ascii_case(&l.sku))
            .map(|(_, q, _)| *q)
            .sum();
        let name = lines
            .iter()
            .find(|(s, _, _)| s.eq_ignore_ascii_case(&l.sku))
            .and_then(|(_, _, b)| b.clone());
        match name {
            Some(name) if packed == l.quantity => boxes.push(name),
            _ => {
                return Err(ApiError::bad(format!(
                    "{}: pack every picked unit ({}) into a named Box.",
                    l.sku, l.quantity
                )))
            }
        }
    }
    let task = &mut state.sales[si].fulfilments[ti];
    for (line, name) in task.lines.iter_mut().zip(boxes) {
        line.box_name = name;
    }
    task.pack_status = status.clone();
    if status == "AUTHORISED" {
        task.ship_status = "DRAFT".to_owned();
        ship_events::emit_stage(&mut state, inner.now_s(), "Sale/PackAuthorised", si, ti);
    }
    state.sales[si].updated_s = inner.now_s();
    Ok(stage_view(inner, &state, si, ti, "pack"))
}

fn ship_lines(inner: &Inner, body: &Value, boxes: &[String]) -> Result<Vec<ShipLine>, ApiError> {
    let lines = field(body, "Lines")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if text(line, "ShipmentDate").is_none() {
            return Err(ApiError::bad(format!(
                "Lines[{i}]: required attribute ShipmentDate is not provided."
            )));
        }
        let name = text(line, "Box")
            .or_else(|| text(line, "Boxes"))
            .ok_or_else(|| {
                ApiError::bad(format!(
                    "Lines[{i}]: required attribute Box is not provided."
                ))
            })?;
        if !boxes.iter().any(|b| b.eq_ignore_ascii_case(&name)) {
            return Err(ApiError::bad(format!(
                "Lines[{i}]: Box '{name}' was not packed."
            )));
        }
        out.push(ShipLine {
            id: Uuid::new_v4(),
            shipment_s: inner.now_s(),
            carrier: text(line, "Carrier").unwrap_or_default(),
            boxes: name,
            tracking_number: text(line, "TrackingNumber").unwrap_or_default(),
            is_shipped: flag(line, "IsShipped").unwrap_or(false),
        });
    }
    Ok(out)
}

/// `POST|PUT /sale/fulfilment/ship`: one line per packed box. Authorising ships every box;
/// `PARTIALLY AUTHORISED` ships the boxes marked `IsShipped` and turns `AUTHORISED` once all have.
pub(super) fn ship(inner: &Inner, body: &Value, put: bool) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let (si, ti) = task(&mut state, body)?;
    let task = &state.sales[si].fulfilments[ti];
    let boxes: Vec<String> = task.lines.iter().map(|l| l.box_name.clone()).collect();
    let done = matches!(
        task.ship_status.as_str(),
        "AUTHORISED" | "PARTIALLY AUTHORISED"
    );
    if put && done && flag(body, "AddTrackingNumbers") == Some(true) {
        return add_tracking_numbers(inner, &mut state, si, ti, body, &boxes);
    }
    if task.pack_status != "AUTHORISED" {
        return Err(ApiError::bad("Pack should be authorised before shipping."));
    }
    if done {
        return Err(ApiError::bad("Shipment is already authorised."));
    }
    let status = status(body, &["DRAFT", "PARTIALLY AUTHORISED", "AUTHORISED"])?;
    let mut lines = ship_lines(inner, body, &boxes)?;
    let leaving: Vec<String> = match status.as_str() {
        "AUTHORISED" => boxes.clone(),
        "PARTIALLY AUTHORISED" => lines
            .iter()
            .filter(|l| l.is_shipped)
            .map(|l| l.boxes.clone())
            .collect(),
        _ => Vec::new(),
    };
    if status == "AUTHORISED" {
        lines.iter_mut().for_each(|l| l.is_shipped = true);
    }
    let task = &mut state.sales[si].fulfilments[ti];
    task.ship_lines = lines;
    let moving: Vec<TaskLine> = task
        .lines
        .iter()
        .filter(|l| leaving.contains(&l.box_name))
        .cloned()
        .collect();
    task.lines
        .iter_mut()
        .filter(|l| leaving.contains(&l.box_name))
        .for_each(|l| l.shipped = true);
    let all = task.lines.iter().all(|l| l.shipped);
    task.ship_status = if all { "AUTHORISED".to_owned() } else { status };
    let changed = fulfilment::move_out(&mut state, si, &moving);
    fulfilment::shipped_at(&mut state.sales[si], now);
    if !moving.is_empty() {
        let task_id = state.sales[si].fulfilments[ti].task_id;
        ship_events::emit(
            &mut state,
            &inner.clock,
            &inner.account_id,
            si,
            task_id,
            now,
        );
        webhooks::emit_stock(&mut state, now, changed);
    }
    Ok(stage_view(inner, &state, si, ti, "ship"))
}

/// Tracking numbers and carriers of an authorised shipment, matched by box.
fn add_tracking_numbers(
    inner: &Inner,
    state: &mut State,
    si: usize,
    ti: usize,
    body: &Value,
    boxes: &[String],
) -> Reply {
    let given = ship_lines(inner, body, boxes)?;
    let task = &mut state.sales[si].fulfilments[ti];
    for new in given {
        if let Some(line) = task
            .ship_lines
            .iter_mut()
            .find(|l| l.boxes.eq_ignore_ascii_case(&new.boxes))
        {
            line.tracking_number = new.tracking_number;
            if !new.carrier.is_empty() {
                line.carrier = new.carrier;
            }
        }
    }
    let (now, task_id) = (inner.now_s(), task.task_id);
    state.sales[si].updated_s = now;
    ship_events::emit_tracking(state, &inner.clock, si, task_id, now);
    Ok(stage_view(inner, state, si, ti, "ship"))
}

fn stage_view(inner: &Inner, state: &State, si: usize, ti: usize, stage: &str) -> Value {
    let mut out = super::fulfilment::stage_of(
        state,
        &inner.clock,
        &state.sales[si],
        &state.sales[si].fulfilments[ti],
        stage,
    );
    out["TaskID"] = json!(state.sales[si].fulfilments[ti].task_id);
    out
}
