//! The generator's output parses as a scenario and keeps the invariants the checker relies on.

use super::{generate, GenerateOptions};
use concord_core::scenario::parse_scenario;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

fn opts(orders: usize, skus: usize, seed: u64, faults: bool) -> GenerateOptions {
    GenerateOptions {
        orders,
        skus,
        seed,
        faults,
        speed: None,
        hours: None,
    }
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("not a decimal string: {v}")),
    )
    .unwrap()
}

fn orders(s: &Value) -> Vec<(f64, Value)> {
    let mut out: Vec<(f64, Value)> = s["oro"]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (-1.0, o.clone()))
        .collect();
    for e in s["timeline"].as_array().unwrap() {
        if e["event"] == "oro_order" {
            out.push((e["at_s"].as_f64().unwrap(), e["order"].clone()));
        }
    }
    out
}

#[test]
fn generated_scenarios_of_every_size_parse() {
    for (n, m, seed, faults) in [
        (1, 4, 1, false),
        (12, 10, 2, true),
        (40, 60, 3, true),
        (300, 500, 4, false),
        (120, 2000, 5, true),
    ] {
        let s = generate(&opts(n, m, seed, faults));
        let text = serde_json::to_string(&s).unwrap();
        let parsed = parse_scenario(&text).unwrap_or_else(|e| panic!("{n} orders, {m} SKUs: {e}"));
        assert_eq!(
            orders(&s).len(),
            n + s["oro"]["orders"].as_array().unwrap().len()
        );
        assert!(parsed.clock.speed >= 10.0);
    }
}

#[test]
fn the_same_seed_gives_the_same_scenario_and_another_seed_does_not() {
    let a = generate(&opts(40, 60, 7, true));
    assert_eq!(a, generate(&opts(40, 60, 7, true)));
    assert_ne!(a, generate(&opts(40, 60, 8, true)));
}

#[test]
fn customers_skus_units_and_totals_are_consistent() {
    let s = generate(&opts(250, 400, 11, true));
    let mut customers: HashSet<i64> = s["oro"]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let units: HashMap<(String, String), ()> = s["oro"]["products"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["units"].as_array().unwrap().iter().map(move |u| {
                (
                    (
                        p["sku"].as_str().unwrap().to_owned(),
                        u["code"].as_str().unwrap().to_owned(),
                    ),
                    (),
                )
            })
        })
        .collect();
    let mut broken = 0;
    for e in s["timeline"].as_array().unwrap() {
        if e["event"] == "oro_customer" {
            customers.insert(e["customer"]["id"].as_i64().unwrap());
        }
        let Some(o) = e.get("order") else { continue };
        assert!(
            customers.contains(&o["customer"].as_i64().unwrap()),
            "order {} from an unknown customer",
            o["id"]
        );
        let mut total = Decimal::ZERO;
        for l in o["lines"].as_array().unwrap() {
            let key = (
                l["sku"].as_str().unwrap().to_owned(),
                l["unit"].as_str().unwrap().to_owned(),
            );
            assert!(
                units.contains_key(&key),
                "order {}: no Oro unit {key:?}",
                o["id"]
            );
            let net = dec(&l["quantity"]) * dec(&l["price"]);
            assert_eq!(
                dec(&l["tax"]),
                (net * Decimal::new(2, 1)).round_dp_with_strategy(
                    2,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero
                )
            );
            assert_eq!(dec(&l["price"]).scale(), 2);
            total += net + dec(&l["tax"]);
        }
        total += dec(&o["shipping"]["amount"]) + dec(&o["shipping"]["tax"]);
        if let Some(t) = o.get("total") {
            assert_ne!(dec(t), total, "a deliberate total must not add up");
            broken += 1;
        }
    }
    assert!(broken >= 1);
}

#[test]
fn the_sale_location_holds_every_unit_the_orders_ask_for() {
    let s = generate(&opts(400, 200, 3, false));
    let cin7 = &s["cin7"];
    let packs: HashMap<&str, (&str, Decimal)> = cin7["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["pack_of"].is_null())
        .map(|p| {
            (
                p["sku"].as_str().unwrap(),
                (
                    p["pack_of"]["sku"].as_str().unwrap(),
                    dec(&p["pack_of"]["quantity"]),
                ),
            )
        })
        .collect();
    let rates: HashMap<(String, String), Decimal> = s["oro"]["products"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["units"].as_array().unwrap().iter().map(move |u| {
                (
                    (
                        p["sku"].as_str().unwrap().to_owned(),
                        u["code"].as_str().unwrap().to_owned(),
                    ),
                    dec(&u["conversion_rate"]),
                )
            })
        })
        .collect();
    let mut need: HashMap<String, Decimal> = HashMap::new();
    for (_, o) in orders(&s) {
        let lines = o["lines"].as_array().unwrap();
        // Held orders count too (the stock formula keeps their lines back); a box never allocates.
        for l in lines.iter().filter(|l| l["unit"] != "box") {
            let key = (
                l["sku"].as_str().unwrap().to_owned(),
                l["unit"].as_str().unwrap().to_owned(),
            );
            *need.entry(key.0.clone()).or_default() += dec(&l["quantity"]) * rates[&key];
        }
    }
    for e in s["timeline"].as_array().unwrap() {
        if e["event"] == "cin7_stock_adjust"
            && e["location"] == "Main Warehouse"
            && dec(&e["delta"]) < Decimal::ZERO
        {
            *need
                .entry(e["sku"].as_str().unwrap().to_owned())
                .or_default() -= dec(&e["delta"]);
        }
    }
    let main: HashMap<&str, Decimal> = cin7["availability"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["location"] == "Main Warehouse")
        .map(|a| (a["sku"].as_str().unwrap(), dec(&a["on_hand"])))
        .collect();
    assert!(packs
        .values()
        .all(|(_, q)| *q == Decimal::from(12) || *q == Decimal::from(6)));
    for (sku, units) in need {
        if let Some(have) = main.get(sku.as_str()) {
            assert!(*have >= units, "{sku}: {have} on hand, {units} asked for");
        }
    }
}

#[test]
fn new_accounts_get_their_hold_lifted_after_their_first_order() {
    let s = generate(&opts(80, 100, 5, false));
    let cin7_names: HashSet<&str> = s["cin7"]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let lifts: Vec<&Value> = s["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "cin7_customer_update")
        .collect();
    assert!(!lifts.is_empty());
    for l in lifts {
        assert!(!cin7_names.contains(l["name"].as_str().unwrap()));
        assert_eq!(l["on_credit_hold"], Value::Bool(false));
    }
    assert_eq!(s["expect"]["max_oversold_units"], "0");
}

#[test]
fn a_week_spreads_over_five_days_and_plays_in_minutes() {
    let s = generate(&opts(5000, 300, 9, true));
    let last = s["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["at_s"].as_f64())
        .fold(0.0, f64::max);
    assert!(
        last > 4.0 * 86400.0 && last < 6.0 * 86400.0,
        "last event at {last}"
    );
    let wall = last / s["clock"]["speed"].as_f64().unwrap();
    assert!((120.0..=240.0).contains(&wall), "{wall} s of wall time");
}

#[test]
fn the_latency_expected_follows_what_the_budget_can_carry() {
    use super::order_latency_bound;
    // (orders, hours, calls per order) → p95 bound in seconds
    let cases = [
        (40, 3.5, 2.5, 900.0),
        (1200, 1.0, 2.5, 1800.0),
        // 2,000 an hour against 1,200 an hour of budget: the queue grows for the whole hour.
        (2000, 1.0, 2.5, 4680.0),
    ];
    for (orders, hours, calls, want) in cases {
        assert_eq!(
            order_latency_bound(orders, hours * 3600.0, calls),
            want,
            "{orders} orders in {hours} h"
        );
    }
    assert!(order_latency_bound(2000, 3600.0, 3.0) > order_latency_bound(2000, 3600.0, 2.5));
}
