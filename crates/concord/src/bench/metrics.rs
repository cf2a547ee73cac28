//! Figures computed from a scenario and its state dump, with the acceptance checker's definitions
//! where it has one (`tools/check-scenario`): calls per order, peak calls per 60 s, order latency.
//! Pure: no I/O, so each figure is tested on a hand-made dump.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

/// Sliding window for the sustained throughput figure, in scenario seconds.
const THROUGHPUT_WINDOW_S: f64 = 600.0;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figures {
    /// Orders in the scenario (already in Oro at the start, plus placed on the timeline).
    pub orders: usize,
    /// Orders that reached Cin7 as the checker counts them (not held, cancelled or refused).
    pub orders_synced: usize,
    pub cin7_calls: usize,
    /// Requests to `/sale*` and `/customer*` per synced order.
    pub cin7_calls_per_order: f64,
    /// Those requests by method and path: which part of the flow spends the figure above.
    pub cin7_order_calls: BTreeMap<String, usize>,
    pub peak_cin7_calls_per_minute: usize,
    /// Concord's Cin7 budget (calls per minute) for this run.
    pub budget_calls_per_minute: u32,
    /// What the budget allows at the measured calls per order: budget ÷ calls per order.
    pub budget_orders_per_minute: f64,
    /// Sales created per scenario minute over the best 10-minute window during which orders were
    /// always waiting (the engine was never short of work); `None` when that never happened.
    pub orders_per_minute_at_limit: Option<f64>,
    /// Sales created per scenario minute over the best 10-minute window, waiting or not.
    pub peak_orders_per_minute: f64,
    /// From a stock move at a sellable location to the next Oro inventory level write.
    pub stock_latency_p95_s: Option<f64>,
    pub stock_events_measured: usize,
    /// Sale creation minus placement (or approval), as the checker measures it.
    pub order_latency_p95_s: Option<f64>,
}

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => Decimal::from_str(s).unwrap_or_default(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], |a| a.as_slice())
}

fn at(v: &Value) -> f64 {
    v["at_s"].as_f64().unwrap_or(0.0)
}

/// The checker's p95: the element at index ⌊0.95 × (n − 1)⌋ of the sorted values.
pub fn p95(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    values
        .get((0.95 * (values.len() - 1) as f64) as usize)
        .copied()
}

pub fn compute(scenario: &Value, dump: &Value, budget: u32) -> Figures {
    let cin7_log = arr(&dump["api_log"]["cin7"]);
    let mut by_endpoint: BTreeMap<String, usize> = BTreeMap::new();
    for call in cin7_log {
        let path = call["path"].as_str().unwrap_or("");
        let lower = path.to_ascii_lowercase();
        if lower.starts_with("/sale") || lower.starts_with("/customer") {
            let path = path.split('?').next().unwrap_or(path);
            let method = call["method"].as_str().unwrap_or("?");
            *by_endpoint.entry(format!("{method} {path}")).or_default() += 1;
        }
    }
    let order_calls: usize = by_endpoint.values().sum();
    let mut times: Vec<f64> = cin7_log.iter().map(at).collect();
    times.sort_by(f64::total_cmp);
    let orders = all_orders(scenario);
    let synced = synced_orders(scenario, dump, &orders);
    let per_order = if synced.is_empty() {
        0.0
    } else {
        order_calls as f64 / synced.len() as f64
    };
    let (ready, created) = readiness(scenario, dump);
    let (at_limit, peak_rate) = throughput(&ready, &created, &times, budget);
    let stock = stock_latencies(scenario, dump);
    Figures {
        orders: orders.len(),
        orders_synced: synced.len(),
        cin7_calls: cin7_log.len(),
        cin7_calls_per_order: per_order,
        cin7_order_calls: by_endpoint,
        peak_cin7_calls_per_minute: peak_in_window(&times, 60.0),
        budget_calls_per_minute: budget,
        budget_orders_per_minute: if per_order > 0.0 {
            f64::from(budget) / per_order
        } else {
            0.0
        },
        orders_per_minute_at_limit: at_limit,
        peak_orders_per_minute: peak_rate,
        stock_events_measured: stock.len(),
        stock_latency_p95_s: p95(stock),
        order_latency_p95_s: p95(ready
            .iter()
            .filter_map(|(id, t)| created.get(id).map(|c| c - t))
            .collect()),
    }
}

/// Orders already in Oro (at −1 s) and placed on the timeline, by id.
fn all_orders(scenario: &Value) -> HashMap<i64, Value> {
    let mut out = HashMap::new();
    for o in arr(&scenario["oro"]["orders"]) {
        out.insert(o["id"].as_i64().unwrap_or(0), o.clone());
    }
    for e in arr(&scenario["timeline"])
        .iter()
        .filter(|e| e["event"] == "oro_order")
    {
        out.insert(e["order"]["id"].as_i64().unwrap_or(0), e["order"].clone());
    }
    for e in arr(&scenario["timeline"])
        .iter()
        .filter(|e| e["event"] == "oro_order_status")
    {
        if let (Some(o), Some(s)) = (
            out.get_mut(&e["order_id"].as_i64().unwrap_or(0)),
            e.get("internal_status"),
        ) {
            o["internal_status"] = s.clone();
        }
    }
    out
}

/// The checker's "synced": has a sale, and is neither held, cancelled, refused nor a seeded sale.
fn synced_orders(scenario: &Value, dump: &Value, orders: &HashMap<i64, Value>) -> HashSet<i64> {
    let seeded: HashSet<String> = arr(&scenario["cin7"]["sales"])
        .iter()
        .map(|s| s["external_id"].to_string().trim_matches('"').to_owned())
        .collect();
    let refused: HashSet<i64> = arr(&dump["oro"]["refused_checkouts"])
        .iter()
        .filter_map(|r| r["order_id"].as_i64())
        .collect();
    let with_sale: HashSet<String> = arr(&dump["cin7"]["sales"])
        .iter()
        .filter_map(|s| s["ExternalID"].as_str().map(str::to_owned))
        .collect();
    let maps = Mapper::new(scenario);
    orders
        .iter()
        .filter(|(id, o)| {
            let key = id.to_string();
            with_sale.contains(&key)
                && !seeded.contains(&key)
                && !refused.contains(id)
                && o["internal_status"] != "cancelled"
                && arr(&o["lines"]).iter().all(|l| maps.maps(l))
                && !broken_total(o)
        })
        .map(|(id, _)| *id)
        .collect()
}

fn broken_total(o: &Value) -> bool {
    let Some(total) = o.get("total").filter(|t| !t.is_null()) else {
        return false;
    };
    let mut sum: Decimal = arr(&o["lines"])
        .iter()
        .map(|l| dec(&l["quantity"]) * dec(&l["price"]) + dec(&l["tax"]))
        .sum();
    sum += dec(&o["shipping"]["amount"]) + dec(&o["shipping"]["tax"]);
    dec(total).round_dp(2) != sum.round_dp(2)
}

/// Oro (SKU, unit) → does a Cin7 product sell it (base SKU at rate 1, or a pack of that size)?
struct Mapper {
    bases: HashSet<String>,
    packs: HashSet<(String, Decimal)>,
    rates: HashMap<(String, String), Decimal>,
}

impl Mapper {
    fn new(s: &Value) -> Self {
        let mut m = Mapper {
            bases: HashSet::new(),
            packs: HashSet::new(),
            rates: HashMap::new(),
        };
        for p in arr(&s["cin7"]["products"]) {
            let sku = p["sku"].as_str().unwrap_or("").to_owned();
            match p.get("pack_of").filter(|x| !x.is_null()) {
                Some(pack) => {
                    m.packs.insert((
                        pack["sku"].as_str().unwrap_or("").to_owned(),
                        dec(&pack["quantity"]).normalize(),
                    ));
                }
                None => {
                    m.bases.insert(sku);
                }
            }
        }
        for p in arr(&s["oro"]["products"]) {
            for u in arr(&p["units"]) {
                let key = (
                    p["sku"].as_str().unwrap_or("").to_owned(),
                    u["code"].as_str().unwrap_or("").to_owned(),
                );
                m.rates.insert(key, dec(&u["conversion_rate"]).normalize());
            }
        }
        m
    }

    fn maps(&self, line: &Value) -> bool {
        let sku = line["sku"].as_str().unwrap_or("");
        let unit = line["unit"].as_str().unwrap_or("");
        match self.rates.get(&(sku.to_owned(), unit.to_owned())) {
            Some(rate) if self.bases.contains(sku) => {
                *rate == Decimal::ONE || self.packs.contains(&(sku.to_owned(), *rate))
            }
            _ => false,
        }
    }
}

/// When each order became ready for Cin7 (placement, or a later approval) and when its sale was
/// created, by order id; refused checkouts are left out, as the checker does.
fn readiness(scenario: &Value, dump: &Value) -> (HashMap<i64, f64>, HashMap<i64, f64>) {
    let mut ready = HashMap::new();
    let mut events: Vec<&Value> = arr(&scenario["timeline"]).iter().collect();
    events.sort_by(|a, b| at(a).total_cmp(&at(b)));
    for e in events {
        if e["event"] == "oro_order" {
            ready.insert(e["order"]["id"].as_i64().unwrap_or(0), at(e));
        } else if e["event"] == "oro_order_status" && e.get("status").is_some_and(Value::is_null) {
            if let Some(t) = ready.get_mut(&e["order_id"].as_i64().unwrap_or(0)) {
                *t = at(e);
            }
        }
    }
    let refused: HashSet<i64> = arr(&dump["oro"]["refused_checkouts"])
        .iter()
        .filter_map(|r| r["order_id"].as_i64())
        .collect();
    let mut created = HashMap::new();
    for s in arr(&dump["cin7"]["sales"]) {
        let id = s["ExternalID"].as_str().and_then(|x| x.parse::<i64>().ok());
        if let (Some(id), Some(t)) = (id, s["created_at_s"].as_f64()) {
            if ready.contains_key(&id) && !refused.contains(&id) {
                created.entry(id).or_insert(t);
            }
        }
    }
    ready.retain(|id, _| created.contains_key(id));
    (ready, created)
}

/// Most events inside any window of `width` seconds (`times` sorted), as the checker counts.
pub fn peak_in_window(times: &[f64], width: f64) -> usize {
    let (mut peak, mut j) = (0, 0);
    for (i, t) in times.iter().enumerate() {
        while times[j] <= t - width {
            j += 1;
        }
        peak = peak.max(i - j + 1);
    }
    peak
}

/// (sales per minute over the best saturated window, sales per minute over the best window).
/// A window is saturated when at every minute inside it some ready order had no sale yet *and*
/// Concord spent at least 80 % of its Cin7 budget in it (an outage also leaves orders waiting,
/// but that is not the rate limit). `calls` are the Cin7 request times, sorted.
fn throughput(
    ready: &HashMap<i64, f64>,
    created: &HashMap<i64, f64>,
    calls: &[f64],
    budget: u32,
) -> (Option<f64>, f64) {
    let mut r: Vec<f64> = ready.values().copied().collect();
    let mut c: Vec<f64> = created.values().copied().collect();
    r.sort_by(f64::total_cmp);
    c.sort_by(f64::total_cmp);
    let Some(end) = c.last().copied() else {
        return (None, 0.0);
    };
    let count = |v: &[f64], t: f64| v.partition_point(|x| *x <= t);
    let (mut best_sat, mut best) = (None::<f64>, 0.0f64);
    let mut start = 0.0;
    while start + THROUGHPUT_WINDOW_S <= end + 60.0 {
        let stop = start + THROUGHPUT_WINDOW_S;
        let made = (count(&c, stop) - count(&c, start)) as f64 / (THROUGHPUT_WINDOW_S / 60.0);
        best = best.max(made);
        let busy = (count(calls, stop) - count(calls, start)) as f64
            >= 0.8 * f64::from(budget) * THROUGHPUT_WINDOW_S / 60.0;
        let waiting = busy
            && (0..=10).all(|m| {
                let t = start + 60.0 * m as f64;
                count(&r, t) > count(&c, t)
            });
        if waiting {
            best_sat = Some(best_sat.map_or(made, |b| b.max(made)));
        }
        start += 60.0;
    }
    (best_sat, best)
}

/// For each `cin7_stock_adjust` at a sellable location: seconds to the first later Oro write to
/// `inventorylevels` (any method but GET). Writes are batched and not tied to a SKU, so this is
/// an upper bound on how long Oro showed the old level, and a lower bound when writes are frequent.
fn stock_latencies(scenario: &Value, dump: &Value) -> Vec<f64> {
    let sellable: Option<HashSet<&str>> = scenario["settings"]["locations"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect());
    let mut writes: Vec<f64> = arr(&dump["api_log"]["oro"])
        .iter()
        .filter(|x| {
            x["method"] != "GET"
                && x["path"]
                    .as_str()
                    .unwrap_or("")
                    .to_ascii_lowercase()
                    .contains("inventorylevels")
        })
        .map(at)
        .collect();
    writes.sort_by(f64::total_cmp);
    arr(&scenario["timeline"])
        .iter()
        .filter(|e| e["event"] == "cin7_stock_adjust")
        .filter(|e| {
            sellable
                .as_ref()
                .is_none_or(|s| s.contains(e["location"].as_str().unwrap_or("")))
        })
        .filter_map(|e| {
            let t = at(e);
            writes
                .get(writes.partition_point(|w| *w <= t))
                .map(|w| w - t)
        })
        .collect()
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
