//! When things happen: orders at a steady rate over the scenario, price changes played in time
//! order (so every later order uses the new price), approvals, cancellations (some after a
//! shipment), credit-hold lifts for new accounts, stock moves, new branches, and with faults the
//! outages and crashes. Also the demand ledger the stock is sized from.

use super::catalogue::{Catalogue, Unit};
use super::customers::People;
use super::orders::{self, Kind};
use super::{money, MAIN, QUARANTINE, TRADE_COUNTER};
use rand::rngs::StdRng;
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Scenario seconds before the first order (the first stock sync runs meanwhile).
const FIRST_ORDER_S: f64 = 300.0;
/// No order touches a SKU this long before its price changes, nor this long after.
const PRICE_QUIET_BEFORE_S: f64 = 3600.0;
const PRICE_QUIET_AFTER_S: f64 = 1800.0;
const FIRST_ORDER_ID: i64 = 5001;

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub events: Vec<Value>,
    pub backlog: Vec<Value>,
    /// Base units per product the sale location must hold (orders and write-offs).
    pub demand: HashMap<usize, u32>,
    /// Orders that should end with exactly one Cin7 sale (the checker's "synced").
    pub expected_synced: usize,
}

impl Plan {
    pub fn last_at_s(&self) -> f64 {
        self.events
            .iter()
            .filter_map(|e| e["at_s"].as_f64())
            .fold(0.0, f64::max)
    }

    fn push(&mut self, at_s: f64, mut event: Value) {
        event["at_s"] = json!((at_s * 10.0).round() / 10.0);
        self.events.push(event);
    }
}

/// One placed order, kept for the follow-up events.
struct Placed {
    id: i64,
    at_s: f64,
    kind: Kind,
    account: usize,
}

pub fn build(
    rng: &mut StdRng,
    cat: &Catalogue,
    people: &People,
    n: usize,
    duration_s: f64,
    faults: bool,
) -> Plan {
    let mut plan = Plan::default();
    let end_s = FIRST_ORDER_S + duration_s;
    let outages = fault_windows(&mut plan, faults, duration_s, n);
    let price_changes = plan_price_changes(rng, cat, n, end_s);
    let late_at: Vec<f64> = (0..people.late.len())
        .map(|i| FIRST_ORDER_S + duration_s * (0.3 + 0.05 * i as f64))
        .collect();
    for (c, at) in people.late.iter().zip(&late_at) {
        plan.push(*at, json!({ "event": "oro_customer", "customer": { "id": c.id, "name": c.name, "parent": c.parent } }));
    }
    let kinds = order_kinds(rng, cat, n);
    let mut prices = cat.prices.clone();
    let mut next_change = 0;
    let interval = duration_s / n as f64;
    let mut placed = Vec::with_capacity(n);
    for (i, kind) in kinds.into_iter().enumerate() {
        let at_s = FIRST_ORDER_S + i as f64 * interval + rng.gen_range(0.0..0.6) * interval;
        while let Some((t, key, value)) = price_changes.get(next_change) {
            if *t > at_s {
                break;
            }
            prices.insert(*key, *value);
            plan.push(*t, price_event(cat, key, *value));
            next_change += 1;
        }
        let customer = pick_customer(rng, people, &late_at, at_s, i);
        let blocked = |idx: usize| {
            price_changes.iter().any(|(t, k, _)| {
                k.1 == idx && at_s > t - PRICE_QUIET_BEFORE_S && at_s < t + PRICE_QUIET_AFTER_S
            })
        };
        let cx = orders::Ctx {
            cat,
            prices: &prices,
            blocked: &blocked,
        };
        let id = FIRST_ORDER_ID + i as i64;
        let built = orders::build(rng, &cx, customer, id, kind);
        // Held orders count too: the stock formula keeps their mapped lines out of what Oro may sell.
        for (idx, units) in &built.demand {
            *plan.demand.entry(*idx).or_default() += units;
        }
        plan.push(at_s, json!({ "event": "oro_order", "order": built.json }));
        placed.push(Placed {
            id,
            at_s,
            kind,
            account: customer.account,
        });
    }
    for (t, key, value) in &price_changes[next_change..] {
        plan.push(*t, price_event(cat, key, *value));
    }
    let cancelled = follow_ups(rng, &mut plan, &placed, people, &outages);
    credit_lifts(&mut plan, &placed, people, &outages);
    stock_moves(rng, &mut plan, cat, n, end_s);
    backlog(rng, &mut plan, cat, people, n);
    plan.expected_synced += placed.iter().filter(|p| !p.kind.is_held()).count() - cancelled;
    plan.events.sort_by(|a, b| {
        a["at_s"]
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&b["at_s"].as_f64().unwrap_or(0.0))
    });
    plan
}

fn price_event(cat: &Catalogue, key: &super::catalogue::PriceKey, value: Decimal) -> Value {
    let (list, idx, unit, qty) = *key;
    json!({ "event": "oro_price", "price_list": list, "sku": cat.products[idx].sku,
            "unit": unit.code(), "quantity": qty.to_string(), "value": money(value) })
}

/// Held orders: `n/100 + 1` of each kind (none below 6 orders); 8 % awaiting approval; 65 % checkouts.
fn order_kinds(rng: &mut StdRng, cat: &Catalogue, n: usize) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = (0..n)
        .map(|_| Kind::Normal {
            checkout: rng.gen_bool(0.65),
            awaiting: rng.gen_bool(0.08),
        })
        .collect();
    if n < 6 {
        return kinds;
    }
    // At least two approvals in any scenario of ten orders or more.
    for i in [n / 3, 2 * n / 3] {
        if n >= 10 {
            kinds[i] = Kind::Normal {
                checkout: false,
                awaiting: true,
            };
        }
    }
    let unmapped = if cat.products.iter().any(|p| p.odd_box) {
        Kind::UnmappedUnit
    } else {
        Kind::BrokenTotal
    };
    for held in [Kind::UnknownSku, unmapped, Kind::BrokenTotal] {
        for _ in 0..(n / 100 + 1) {
            // Never the first two orders: those open the run (and the new account) cleanly.
            for _ in 0..20 {
                let i = rng.gen_range(2..n);
                if !kinds[i].is_held() {
                    kinds[i] = held;
                    break;
                }
            }
        }
    }
    kinds
}

/// The second order always comes from the account that is new to Cin7; late branches order too.
fn pick_customer<'a>(
    rng: &mut StdRng,
    people: &'a People,
    late_at: &[f64],
    at_s: f64,
    i: usize,
) -> &'a super::customers::Customer {
    if i == 1 {
        if let Some(c) = people
            .ordering
            .iter()
            .map(|&j| &people.customers[j])
            .find(|c| c.account == 1)
        {
            return c;
        }
    }
    let ready: Vec<usize> = (0..people.late.len())
        .filter(|&j| late_at[j] + 300.0 < at_s)
        .collect();
    if !ready.is_empty() && rng.gen_bool(0.05) {
        return &people.late[ready[rng.gen_range(0..ready.len())]];
    }
    let pos = rng.gen_range(0..people.ordering.len().max(1));
    let j = people.ordering.get(pos).copied().unwrap_or(0);
    &people.customers[j]
}

/// Outages and crashes (faults only); returns the (start, end) windows where Cin7 cannot be reached.
fn fault_windows(plan: &mut Plan, faults: bool, duration_s: f64, n: usize) -> Vec<(f64, f64)> {
    if !faults {
        return Vec::new();
    }
    let at = |f: f64| FIRST_ORDER_S + duration_s * f;
    plan.push(
        at(0.45),
        json!({ "event": "outage", "system": "cin7", "duration_s": 600 }),
    );
    plan.push(
        at(0.70),
        json!({ "event": "outage", "system": "oro", "duration_s": 300 }),
    );
    plan.push(at(0.55), json!({ "event": "concord_crash" }));
    if n >= 100 {
        plan.push(at(0.82), json!({ "event": "concord_crash" }));
    }
    vec![
        (at(0.45), at(0.45) + 600.0),
        (at(0.55), at(0.55) + 120.0),
        (at(0.82), at(0.82) + 120.0),
    ]
}

type Change = (f64, super::catalogue::PriceKey, Decimal);

/// `n/20` price changes (1 to 40) on popular SKUs, each ±2–8 % on the list's single-unit price.
fn plan_price_changes(rng: &mut StdRng, cat: &Catalogue, n: usize, end_s: f64) -> Vec<Change> {
    let count = (n / 20).clamp(1, 40);
    let mut out: Vec<Change> = Vec::new();
    let popular = (cat.sellable.len() / 3).max(1);
    for _ in 0..count {
        let idx = cat.sellable[rng.gen_range(0..popular)];
        if out.iter().any(|c| c.1 .1 == idx) {
            continue;
        }
        let list = if rng.gen_bool(0.7) { 1 } else { 2 };
        let Some(old) = cat.price(list, idx, Unit::Each, 1) else {
            continue;
        };
        let pct = Decimal::from(rng.gen_range(2..=8))
            * if rng.gen_bool(0.7) {
                Decimal::ONE
            } else {
                Decimal::NEGATIVE_ONE
            };
        let value = super::cents(old * (Decimal::ONE_HUNDRED + pct) / Decimal::ONE_HUNDRED);
        let t = rng.gen_range(FIRST_ORDER_S + 600.0..end_s.max(FIRST_ORDER_S + 601.0));
        out.push((t.round(), (list, idx, Unit::Each, 1), value));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

fn overlaps(windows: &[(f64, f64)], from: f64, to: f64) -> bool {
    windows
        .iter()
        .any(|&(a, b)| from < b + 600.0 && to > a - 600.0)
}

/// Approvals (9 in 10 awaiting orders), cancellations (3 %, at least one) and shipments (5 %),
/// and `n/100 + 1` orders cancelled after they shipped. Returns how many good orders end cancelled.
fn follow_ups(
    rng: &mut StdRng,
    plan: &mut Plan,
    placed: &[Placed],
    people: &People,
    outages: &[(f64, f64)],
) -> usize {
    let mut cancels = (placed.len() * 3 / 100).max(1);
    let mut after_ship = placed.len() / 100 + 1;
    let mut cancelled = 0;
    let mut open: Vec<&Placed> = Vec::new();
    for p in placed.iter().skip(2) {
        match p.kind {
            Kind::Normal { awaiting: true, .. } => {
                let approved = rng.gen_bool(0.9);
                if approved {
                    plan.push(
                        p.at_s + rng.gen_range(600.0..2400.0),
                        json!({ "event": "oro_order_status", "order_id": p.id, "status": null }),
                    );
                }
            }
            Kind::Normal { .. } => open.push(p),
            _ => {}
        }
    }
    // Deterministic spread: walk the open orders in a shuffled order and hand out the roles.
    for i in (1..open.len()).rev() {
        open.swap(i, rng.gen_range(0..=i));
    }
    for p in open {
        let ship_at = p.at_s + 3600.0 + rng.gen_range(0.0..1800.0);
        let safe = people.accounts[p.account].in_cin7 && !overlaps(outages, p.at_s, ship_at);
        if safe && after_ship > 0 {
            after_ship -= 1;
            cancelled += 1;
            plan.push(ship_at, json!({ "event": "cin7_ship", "order_id": p.id }));
            plan.push(ship_at + 600.0, json!({ "event": "oro_order_status", "order_id": p.id, "internal_status": "cancelled" }));
        } else if cancels > 0 {
            cancels -= 1;
            cancelled += 1;
            plan.push(p.at_s + rng.gen_range(300.0..1800.0), json!({ "event": "oro_order_status", "order_id": p.id, "internal_status": "cancelled" }));
        } else if safe && rng.gen_bool(0.05) {
            plan.push(ship_at, json!({ "event": "cin7_ship", "order_id": p.id }));
        }
    }
    cancelled
}

/// Finance lifts the hold of most new accounts, well after Concord created them in Cin7.
fn credit_lifts(plan: &mut Plan, placed: &[Placed], people: &People, outages: &[(f64, f64)]) {
    for (a, account) in people.accounts.iter().enumerate() {
        if account.in_cin7 || !account.lift_hold {
            continue;
        }
        let first = placed.iter().find(|p| p.account == a && !p.kind.is_held());
        if let Some(p) = first {
            let mut at = p.at_s + 2400.0;
            if overlaps(outages, p.at_s, at) {
                at += 1800.0;
            }
            plan.push(at, json!({ "event": "cin7_customer_update", "name": account.name, "on_credit_hold": false }));
        }
    }
}

/// Receipts and write-offs at the sale location, receipts at the trade counter and into quarantine.
fn stock_moves(rng: &mut StdRng, plan: &mut Plan, cat: &Catalogue, n: usize, end_s: f64) {
    let popular = (cat.sellable.len() / 5).max(1);
    for _ in 0..(n / 10).clamp(3, 300) {
        let idx = cat.sellable[rng.gen_range(0..popular)];
        let at = rng
            .gen_range(FIRST_ORDER_S + 300.0..end_s.max(FIRST_ORDER_S + 301.0))
            .round();
        let (location, delta): (&str, i64) = match rng.gen_range(0..20) {
            0..=9 => (MAIN, rng.gen_range(24..=240)),
            10..=14 => (MAIN, -rng.gen_range(1..=6)),
            15..=17 => (QUARANTINE, rng.gen_range(1..=12)),
            _ => (TRADE_COUNTER, rng.gen_range(6..=48)),
        };
        if delta < 0 {
            *plan.demand.entry(idx).or_default() += delta.unsigned_abs() as u32;
        }
        plan.push(
            at,
            json!({ "event": "cin7_stock_adjust", "sku": cat.products[idx].sku,
                              "location": location, "delta": delta.to_string() }),
        );
    }
}

/// Two orders already in Oro at the start with no Cin7 sale (a backlog Concord must pick up).
fn backlog(rng: &mut StdRng, plan: &mut Plan, cat: &Catalogue, people: &People, n: usize) {
    if n < 20 {
        return;
    }
    let none = |_: usize| false;
    let prices: BTreeMap<_, _> = cat.prices.clone();
    let cx = orders::Ctx {
        cat,
        prices: &prices,
        blocked: &none,
    };
    for k in 0..2 {
        let j = people.ordering[(k * 3) % people.ordering.len()];
        let kind = Kind::Normal {
            checkout: false,
            awaiting: false,
        };
        let built = orders::build(rng, &cx, &people.customers[j], 4001 + k as i64, kind);
        for (idx, units) in &built.demand {
            *plan.demand.entry(*idx).or_default() += units;
        }
        plan.backlog.push(built.json);
        plan.expected_synced += 1;
    }
}
