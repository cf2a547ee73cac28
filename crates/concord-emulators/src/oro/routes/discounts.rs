//! `orderdiscounts` (reference §12.1): the manual order-level discounts of an order, read-only here
//! (list with `filter[order]`, get). Each is the amount type: `percent` is computed from the order's
//! line-items subtotal as a fraction of 1, as Oro does. The order side is `orders.discounts`.

use super::{get_with, list_with};
use crate::oro::jsonapi::{money, quantity_number, ApiResult};
use crate::oro::query::{Kind, Spec};
use crate::oro::state::{Shared, State as OroState};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::sync::Arc;

const DISCOUNTS: Spec = Spec {
    filters: &[("id", Kind::Num), ("order", Kind::Num)],
    sorters: &["id"],
    required: &[],
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &DISCOUNTS, |st| {
        st.orders
            .values()
            .flat_map(|o| o.discounts.iter().map(|d| d.id))
            .filter_map(|id| render(st, id))
            .collect()
    })
}

pub async fn get(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| render(st, id.parse().ok()?))
}

pub fn render(st: &OroState, id: i64) -> Option<Value> {
    let order = st.order_of(id)?;
    let d = order.discounts.iter().find(|d| d.id == id)?;
    let subtotal = order.subtotal();
    let percent = if subtotal.is_zero() {
        Decimal::ZERO
    } else {
        (d.amount / subtotal).round_dp(4)
    };
    Some(json!({
        "type": "orderdiscounts",
        "id": id.to_string(),
        "attributes": {
            "description": d.description,
            "percent": quantity_number(percent),
            "amount": money(d.amount),
            "orderDiscountType": "oro_order_discount_item_type_amount",
        },
        "relationships": {"order": {"data": {"type": "orders", "id": order.id.to_string()}}},
    }))
}
