//! The `oro` half of the state dump (spec/scenario.md §3): flat records the checker reads, plus a
//! few extra fields (shipping status, timestamps, totals) that help when reading a run.

use super::jsonapi::{decimal_string, iso, money};
use super::state::Shared;
use serde_json::{json, Value};

pub fn state(s: &Shared) -> Value {
    s.with(|st, _| {
        let orders: Vec<Value> = st
            .orders
            .values()
            .map(|o| {
                json!({
                    "id": o.id, "identifier": o.identifier, "internal_status": o.internal_status, "status": o.status,
                    "shipping_status": o.shipping_status, "tracking_numbers": st.tracking_numbers(o.id), "customer": o.customer, "po_number": o.po_number,
                    "total": money(o.total()), "created_at": iso(o.created_at), "updated_at": iso(o.updated_at),
                })
            })
            .collect();
        let refused: Vec<Value> = st.refused.iter().map(|(id, reason)| json!({"order_id": id, "reason": reason})).collect();
        let levels: Vec<Value> = st
            .levels
            .values()
            .filter_map(|l| {
                let product = st.products.get(&l.product)?;
                let unit = st.precisions.get(&l.precision)?;
                Some(json!({"sku": product.sku, "unit": unit.unit, "quantity": decimal_string(l.quantity)}))
            })
            .collect();
        let products: Vec<Value> = st.products.values().map(|p| json!({"sku": p.sku, "inventory_status": p.inventory_status})).collect();
        json!({"orders": orders, "payments": super::payments::dump(st), "refused_checkouts": refused, "inventory_levels": levels, "products": products})
    })
}
