//! What the timeline driver makes happen inside Oro: orders placed (with the storefront checkout
//! rule), status changes, customers, prices. Each hook runs at the event's scenario time.

use super::seed;
use super::state::{Now, State};
use concord_core::scenario::{Order, OrderStatusChange, OroCustomer};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Places an order. A storefront checkout (`checkout: true`) goes through only when the
/// inventory level of every line's unit covers the quantity (summed per unit, in case two lines
/// share one); then each level is decremented, and a primary unit that reaches zero flips the
/// product to `out_of_stock`. A refusal is recorded and the order never exists.
pub fn place_order(st: &mut State, order: &Order, now: Now) -> Result<(), String> {
    if st.orders.contains_key(&order.id) {
        return Err(format!("order {} already exists", order.id));
    }
    if order.checkout {
        let mut wanted: BTreeMap<(String, String), Decimal> = BTreeMap::new();
        for line in &order.lines {
            *wanted
                .entry((line.sku.clone(), line.unit.clone()))
                .or_default() += line.quantity;
        }
        let mut takes = Vec::new();
        for ((sku, unit), quantity) in &wanted {
            let level = st.level_for(sku, unit).and_then(|id| st.levels.get(&id));
            match level {
                Some(level) if level.quantity >= *quantity => {
                    takes.push((level.id, level.quantity - quantity))
                }
                _ => {
                    let reason = format!("insufficient inventory for {sku} {unit}");
                    st.refused.push((order.id, reason.clone()));
                    return Err(reason);
                }
            }
        }
        for (level, left) in takes {
            st.set_level(level, left, now);
        }
    }
    let rec = seed::order_record(st, order, now.at);
    st.insert_order(rec);
    st.emit_order("order.created", order.id, now);
    Ok(())
}

/// Internal and/or external status change; bumps `updatedAt` and fires `order.updated`.
pub fn order_status(st: &mut State, change: &OrderStatusChange, now: Now) {
    let Some(order) = st.orders.get_mut(&change.order_id) else {
        tracing::warn!(
            order_id = change.order_id,
            "oro emulator: status change for an unknown order ignored"
        );
        return;
    };
    if let Some(internal) = &change.internal_status {
        order.internal_status = internal.clone();
    }
    if let Some(status) = &change.status {
        order.status = status.clone();
    }
    st.touch_order(change.order_id, now);
}

pub fn upsert_customer(st: &mut State, customer: &OroCustomer, now: Now) {
    seed::upsert_customer(st, customer, now.at);
}

/// Sets a price. As in Oro, saving a `productprices` row moves no timestamp: neither its list's
/// nor its product's `updatedAt` (the pricing listeners only queue combined-list rebuilds).
pub fn set_price(
    st: &mut State,
    price_list: i64,
    sku: &str,
    unit: &str,
    quantity: Decimal,
    value: Decimal,
    _now: Now,
) {
    if !seed::set_price(st, price_list, sku, unit, quantity, value) {
        tracing::warn!(
            price_list,
            sku,
            "oro emulator: price for an unknown price list or SKU ignored"
        );
    }
}
