//! `orders` (list, get, PATCH of shipping status / external status / externalId),
//! `orderlineitems` and `ordersubtotals` (§4).

use crate::oro::document::ListResult;
use crate::oro::jsonapi::{parse_body, rel_id, single_data, ApiError, ApiResult};
use crate::oro::query::{Kind, ListRequest, Spec};
use crate::oro::render;
use crate::oro::state::{Now, Shared, State as Store};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

/// §4.1: filters identifier, poNumber, external, updatedAt, externalId, id, createdAt and the
/// customer associations; sorters id, updatedAt, external (plus createdAt, which is indexed).
const ORDERS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("identifier", Kind::Str),
        ("poNumber", Kind::Str),
        ("external", Kind::Bool),
        ("externalId", Kind::Str),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
        ("customer", Kind::Num),
        ("customerUser", Kind::Num),
    ],
    sorters: &["id", "updatedAt", "createdAt", "external"],
    required: &[],
};

const LINE_ITEMS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
    ],
    sorters: &["id"],
    required: &[],
};

/// §4.3: `filter[order]` selects the order; no paging or sorting.
const SUBTOTALS: Spec = Spec {
    filters: &[("order", Kind::Num)],
    sorters: &[],
    required: &["order"],
};

/// Shipping statuses of Oro 6.1 (`ordershippingstatuses`).
const SHIPPING_STATUSES: &[&str] = &["not_shipped", "shipped", "partially_shipped"];

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ListResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&ORDERS))?;
    s.with(|st, _| req.respond_rows(st, st.orders.values(), |o| render::order_record(st, o)))
}

pub async fn get(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), &headers, uri.path())?;
    s.with(|st, _| req.respond_one(st, id.parse().ok().and_then(|id| render::order(st, id))))
}

/// `PATCH /orders/{id}`: `relationships.shippingStatus`, `relationships.status` and the
/// `externalId` / `poNumber` / `customerNotes` attributes change; read-only fields (totals,
/// `internalStatus`, …) are silently ignored, as Oro does (§3.5).
pub async fn patch(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), &headers, uri.path())?;
    let body = parse_body(&headers, &body)?;
    let data = single_data(&body, "orders", &id)?;
    let order_id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    s.with(|st, now| {
        if !st.orders.contains_key(&order_id) {
            return Err(ApiError::not_found());
        }
        let shipping = rel_id(data, "shippingStatus")
            .map(|v| check_shipping(v, "/data/relationships/shippingStatus/data"))
            .transpose()?;
        let status = rel_id(data, "status");
        let attrs = data.get("attributes");
        let text = |name: &str| {
            attrs
                .and_then(|a| a.get(name))
                .map(|v| v.as_str().map(str::to_owned))
        };
        if let Some(order) = st.orders.get_mut(&order_id) {
            if let Some(code) = shipping {
                order.shipping_status = code;
            }
            if let Some(code) = status {
                order.status = code;
            }
            if let Some(v) = text("externalId") {
                order.external_id = v;
            }
            if let Some(v) = text("poNumber") {
                order.po_number = v;
            }
        }
        st.touch_order(order_id, now);
        req.respond_one(st, render::order(st, order_id))
    })
}

/// `PATCH /orders/{id}/relationships/{shippingStatus|status}` with `{"data": {type, id}}` → 204.
pub async fn patch_relationship(
    State(s): State<Arc<Shared>>,
    Path((id, assoc)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let body = parse_body(&headers, &body)?;
    let order_id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let code = body
        .get("data")
        .map(|d| d.get("id").and_then(Value::as_str).map(str::to_owned));
    let Some(code) = code else {
        return Err(ApiError::bad_request(
            "request data constraint",
            "The primary data object should exist.",
        )
        .pointer("/data"));
    };
    s.with(|st, now| {
        if !st.orders.contains_key(&order_id) {
            return Err(ApiError::not_found());
        }
        match assoc.as_str() {
            "shippingStatus" => {
                if st
                    .orders
                    .get(&order_id)
                    .is_some_and(|o| o.internal_status == "closed")
                {
                    // §15: a closed order's shipping status cannot be changed this way.
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "access denied exception",
                        "No access by \"EDIT\" permission to the parent entity.",
                    ));
                }
                let code = check_shipping(code, "/data")?;
                set(st, order_id, now, |o| o.shipping_status = code);
            }
            "status" => set(st, order_id, now, |o| o.status = code),
            _ => return Err(ApiError::not_allowed()),
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

fn set(st: &mut Store, id: i64, now: Now, change: impl FnOnce(&mut crate::oro::state::OrderRec)) {
    if let Some(order) = st.orders.get_mut(&id) {
        change(order);
    }
    st.touch_order(id, now);
}

fn check_shipping(code: Option<String>, pointer: &str) -> Result<String, ApiError> {
    match code {
        Some(c) if SHIPPING_STATUSES.contains(&c.as_str()) => Ok(c),
        _ => Err(ApiError::bad_request(
            "form constraint",
            "The value is not valid. Expected one of: not_shipped, shipped, partially_shipped.",
        )
        .pointer(pointer)),
    }
}

pub async fn list_line_items(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&LINE_ITEMS))?;
    s.with(|st, _| {
        let ids: Vec<i64> = st
            .orders
            .values()
            .flat_map(|o| o.lines.iter().map(|l| l.id))
            .collect();
        let all = ids
            .into_iter()
            .filter_map(|id| render::line_item(st, id))
            .collect();
        req.respond_list(st, all)
    })
}

pub async fn get_line_item(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), &headers, uri.path())?;
    s.with(|st, _| req.respond_one(st, id.parse().ok().and_then(|id| render::line_item(st, id))))
}

pub async fn list_subtotals(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&SUBTOTALS))?.unpaged();
    s.with(|st, _| {
        let all = st
            .orders
            .keys()
            .flat_map(|id| render::subtotals(st, *id))
            .collect();
        req.respond_list(st, all)
    })
}

pub async fn get_subtotal(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), &headers, uri.path())?;
    s.with(|st, _| req.respond_one(st, render::subtotal(st, &id)))
}

/// Every order write the emulator refuses (`POST`, `DELETE`): Concord never creates or deletes
/// Oro orders, so these are not emulated.
pub async fn not_emulated() -> Response {
    ApiError::not_allowed().into_response()
}
