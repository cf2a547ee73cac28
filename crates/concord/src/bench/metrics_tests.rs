//! The benchmark figures on small hand-made scenarios and dumps.

use super::*;
use serde_json::json;

fn scenario() -> Value {
    json!({
        "settings": { "locations": ["Main"] },
        "cin7": { "products": [ { "sku": "A" }, { "sku": "A-C6", "pack_of": { "sku": "A", "quantity": "6" } } ] },
        "oro": { "products": [ { "sku": "A", "units": [ { "code": "each", "conversion_rate": "1" },
                                                        { "code": "case", "conversion_rate": "6" },
                                                        { "code": "box", "conversion_rate": "24" } ] } ],
                 "orders": [] },
        "timeline": [
            { "at_s": 100, "event": "oro_order", "order": { "id": 1, "lines": [ { "sku": "A", "unit": "case", "quantity": "1", "price": "10.00", "tax": "2.00" } ], "shipping": { "amount": "0.00", "tax": "0.00" } } },
            { "at_s": 110, "event": "oro_order", "order": { "id": 2, "status": "wait_for_approval", "lines": [ { "sku": "A", "unit": "each", "quantity": "1", "price": "1.00", "tax": "0.20" } ] } },
            { "at_s": 120, "event": "oro_order", "order": { "id": 3, "lines": [ { "sku": "A", "unit": "box", "quantity": "1", "price": "1.00", "tax": "0.20" } ] } },
            { "at_s": 130, "event": "oro_order", "order": { "id": 4, "total": "99.00", "lines": [ { "sku": "A", "unit": "each", "quantity": "1", "price": "1.00", "tax": "0.20" } ] } },
            { "at_s": 150, "event": "cin7_stock_adjust", "sku": "A", "location": "Main", "delta": "5" },
            { "at_s": 160, "event": "cin7_stock_adjust", "sku": "A", "location": "Quarantine", "delta": "5" },
            { "at_s": 400, "event": "oro_order_status", "order_id": 2, "status": null }
        ]
    })
}

fn dump() -> Value {
    json!({
        "cin7": { "sales": [ { "ExternalID": "1", "created_at_s": 130.0 }, { "ExternalID": "2", "created_at_s": 410.0 } ] },
        "oro": { "refused_checkouts": [] },
        "api_log": {
            "cin7": [ { "at_s": 120.0, "path": "/sale" }, { "at_s": 125.0, "path": "/sale/order" },
                      { "at_s": 130.0, "path": "/ref/productavailability" }, { "at_s": 405.0, "path": "/sale" },
                      { "at_s": 409.0, "path": "/sale/order" }, { "at_s": 410.0, "path": "/Customer" } ],
            "oro": [ { "at_s": 140.0, "method": "PATCH", "path": "/admin/api/inventorylevels" },
                     { "at_s": 170.0, "method": "GET", "path": "/admin/api/inventorylevels" },
                     { "at_s": 190.0, "method": "PATCH", "path": "/admin/api/inventorylevels" } ]
        }
    })
}

#[test]
fn calls_per_order_count_sale_and_customer_requests_over_synced_orders() {
    let f = compute(&scenario(), &dump(), 55);
    // Orders 3 (box has no pack) and 4 (broken total) are held; 1 and 2 reached Cin7.
    assert_eq!(f.orders, 4);
    assert_eq!(f.orders_synced, 2);
    assert_eq!(f.cin7_calls, 6);
    assert!((f.cin7_calls_per_order - 2.5).abs() < 1e-9);
    assert_eq!(f.cin7_order_calls.values().sum::<usize>(), 5);
    assert_eq!(f.cin7_order_calls.get("? /sale/order"), Some(&2));
    assert_eq!(f.cin7_order_calls.get("? /Customer"), Some(&1));
    assert!((f.budget_orders_per_minute - 22.0).abs() < 1e-9);
}

#[test]
fn order_latency_runs_from_placement_or_approval() {
    let f = compute(&scenario(), &dump(), 55);
    // Order 1: 130 − 100 = 30 s; order 2: 410 − 400 (approval) = 10 s; p95 of two is the first.
    assert_eq!(f.order_latency_p95_s, Some(10.0));
}

#[test]
fn stock_latency_counts_only_sellable_locations_and_writes() {
    let f = compute(&scenario(), &dump(), 55);
    assert_eq!(f.stock_events_measured, 1);
    assert_eq!(f.stock_latency_p95_s, Some(40.0));
}

#[test]
fn the_peak_window_counts_like_the_checker() {
    assert_eq!(peak_in_window(&[0.0, 10.0, 59.9, 60.0, 61.0], 60.0), 4);
    assert_eq!(peak_in_window(&[], 60.0), 0);
    assert_eq!(p95(vec![3.0, 1.0, 2.0]), Some(2.0));
}

#[test]
fn throughput_at_the_limit_needs_orders_waiting_all_window() {
    // 100 orders ready at once, one sale a minute for 20 minutes: saturated, 1 per minute.
    let ready: HashMap<i64, f64> = (0..100).map(|i| (i, 0.0)).collect();
    let created: HashMap<i64, f64> = (0..20).map(|i| (i, 30.0 + 60.0 * i as f64)).collect();
    let calls: Vec<f64> = (0..1200).map(|i| i as f64).collect();
    let (sat, best) = throughput(&ready, &created, &calls, 55);
    assert_eq!(sat, Some(1.0));
    assert_eq!(best, 1.0);
    // Each order served before the next arrives: never saturated.
    let ready: HashMap<i64, f64> = (0..20).map(|i| (i, 60.0 * i as f64 + 1.0)).collect();
    let created: HashMap<i64, f64> = (0..20).map(|i| (i, 60.0 * i as f64 + 2.0)).collect();
    assert_eq!(throughput(&ready, &created, &calls, 55).0, None);
    // Orders waiting but Cin7 hardly called (an outage): not the rate limit either.
    let created: HashMap<i64, f64> = (0..20).map(|i| (i, 30.0 + 60.0 * i as f64)).collect();
    let ready: HashMap<i64, f64> = (0..100).map(|i| (i, 0.0)).collect();
    assert_eq!(throughput(&ready, &created, &calls[..100], 55).0, None);
}
