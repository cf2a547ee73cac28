//! `concord scenario generate`: a seeded, deterministic generator of realistic B2B wholesale
//! scenarios (see `spec/scenario.md`), pure from [`GenerateOptions`] to a JSON value.
//!
//! # Layout
//! - [`catalogue`]: SKUs, Cin7 base and pack products, Oro units, price lists with quantity tiers.
//! - [`customers`]: account hierarchies (groups, branches, sub-branches), Cin7 customers, users and
//!   price list assignments.
//! - [`orders`]: one order's lines, prices (from the customer's list at that moment), taxes and
//!   shipping, and the deliberately broken variants that must be held.
//! - [`timeline`]: when everything happens: steady order arrivals, approvals, cancellations,
//!   shipments, price changes, stock moves, credit-hold lifts, outages and crashes.
//! - [`stock`]: Cin7 availability sized from the generated demand (so nothing is oversold) and the
//!   Oro inventory levels the stock formula gives at the start.
//!
//! The generator keeps its own ledger of demand per SKU so that `expect.max_oversold_units` can be
//! "0": the sale location (the first sellable one) always holds every base unit the timeline asks for.

pub mod catalogue;
pub mod customers;
pub mod orders;
pub mod stock;
pub mod timeline;

#[cfg(test)]
mod tests;

use rand::rngs::StdRng;
use rand::SeedableRng;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};

/// What to generate. `hours` defaults to 3.5 h for about 40 orders, scaled with the order count
/// (at most a day per thousand orders); `speed` defaults to whatever makes the timeline last about
/// three minutes of wall time.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub orders: usize,
    pub skus: usize,
    pub seed: u64,
    pub faults: bool,
    pub speed: Option<f64>,
    pub hours: Option<f64>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            orders: 40,
            skus: 60,
            seed: 1,
            faults: false,
            speed: None,
            hours: None,
        }
    }
}

/// Where the sale is placed (Concord uses the first sellable location) and the other locations.
pub const MAIN: &str = "Main Warehouse";
pub const TRADE_COUNTER: &str = "Trade Counter";
pub const QUARANTINE: &str = "Quarantine";
/// Wall-clock seconds a generated timeline should last at its default speed.
const TARGET_WALL_S: f64 = 180.0;

/// Builds the whole scenario. Deterministic: the same options always give the same JSON.
pub fn generate(opts: &GenerateOptions) -> Value {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let orders = opts.orders.max(1);
    let skus = opts.skus.max(4);
    let cat = catalogue::build(&mut rng, skus);
    let people = customers::build(&mut rng, orders);
    let duration_s = scenario_hours(orders, opts.hours) * 3600.0;
    let plan = timeline::build(&mut rng, &cat, &people, orders, duration_s, opts.faults);
    let stock = stock::build(&mut rng, &cat, &plan.demand);
    let end_s = plan.last_at_s();
    let speed = opts.speed.unwrap_or_else(|| default_speed(end_s));
    json!({
        "name": format!("generated-{orders}o-{skus}s-seed{}", opts.seed),
        "description": format!(
            "Generated wholesale scenario: {orders} orders over {:.1} h of scenario time, {skus} SKUs, {} customers in {} accounts{}.",
            duration_s / 3600.0, people.customers.len(), people.groups, if opts.faults { ", with faults" } else { "" }),
        "clock": { "start": "2026-11-02T08:00:00Z", "speed": speed },
        "run_until_s": run_until(end_s, orders),
        "expect": expect(&plan, orders, duration_s, opts.faults),
        "settings": settings(),
        "cin7": cin7(&cat, &people, &stock, opts.faults),
        "oro": oro(&cat, &people, &stock, &plan, opts.faults),
        "timeline": plan.events,
    })
}

/// 3.5 h for 40 orders, growing with the count (about 12 orders an hour) up to 5 days.
fn scenario_hours(orders: usize, hours: Option<f64>) -> f64 {
    match hours {
        Some(h) if h.is_finite() && h > 0.0 => h,
        _ => (orders as f64 / 11.5).clamp(3.5, 120.0),
    }
}

/// An hour after the last event, or long enough to drain every order at three calls an order
/// within the default budget (when orders arrive faster than Cin7's limit allows), whichever is later.
pub(crate) fn run_until(end_s: f64, orders: usize) -> f64 {
    let drain_s = orders as f64 * 3.0 / 55.0 * 60.0 * 1.3;
    (end_s + 3600.0).max(300.0 + drain_s + 3600.0).ceil()
}

/// A round speed that plays the timeline in about [`TARGET_WALL_S`] of wall time.
pub(crate) fn default_speed(end_s: f64) -> f64 {
    let raw = end_s / TARGET_WALL_S;
    ((raw / 10.0).ceil() * 10.0).max(10.0)
}

fn expect(plan: &timeline::Plan, orders: usize, duration_s: f64, faults: bool) -> Value {
    let should_sync = plan.expected_synced;
    let min = (should_sync as f64 * 0.95).floor() as usize;
    let per_order = if faults { 3.0 } else { 2.5 };
    json!({
        "max_oversold_units": "0",
        "max_cin7_calls_per_order": per_order,
        "min_orders_synced": min,
        "max_order_latency_s": order_latency_bound(orders, duration_s, per_order),
    })
}

/// Cin7 calls a minute left for orders once stock syncs and reconciliation take their share of
/// the default budget (55 of Cin7's 60).
const ORDER_CALLS_PER_MINUTE: f64 = 50.0;

/// The p95 order latency a healthy Concord can promise: the SLA when orders arrive slower than the
/// budget can carry them, plus the queue the budget cannot avoid when they arrive faster. Arriving
/// evenly at `arrival` orders a second against a `capacity` below it, an order placed at `t` waits
/// `t × (arrival ÷ capacity − 1)`; the 95th percentile is the order placed at 0.95 of the span.
pub fn order_latency_bound(orders: usize, duration_s: f64, calls_per_order: f64) -> f64 {
    let sla = if orders > 1000 { 1800.0 } else { 900.0 };
    if !(duration_s > 0.0 && calls_per_order > 0.0) {
        return sla;
    }
    let capacity = ORDER_CALLS_PER_MINUTE / 60.0 / calls_per_order;
    let arrival = orders as f64 / duration_s;
    let queueing = (0.95 * duration_s * (arrival / capacity - 1.0)).max(0.0);
    // A quarter more than the ideal queue: retries, lookups and customers take budget too.
    ((sla + 1.25 * queueing) / 60.0).ceil() * 60.0
}

fn settings() -> Value {
    json!({
        "financial_entity": "top_parent",
        "locations": [MAIN, TRADE_COUNTER],
        "stock_buffers": catalogue::buffers(),
        "new_customer": { "payment_term": "Proforma", "on_credit_hold": true, "price_tier": "Trade",
                          "tax_rule": "20% VAT", "currency": "GBP" },
        "shipping_charge": "Freight",
        "price_tiers": [ { "price_list": 1, "tier": "Trade" }, { "price_list": 2, "tier": "Key Account" } ],
        "order_sla_s": 900,
        "stock_stale_after_s": 1800,
    })
}

fn cin7(
    cat: &catalogue::Catalogue,
    people: &customers::People,
    stock: &stock::Stock,
    faults: bool,
) -> Value {
    let (error_rate, lost) = if faults { (0.02, 0.02) } else { (0.0, 0.0) };
    json!({
        "base_currency": "GBP",
        "locations": [MAIN, TRADE_COUNTER, QUARANTINE],
        "tax_rules": [ { "name": "20% VAT", "percent": "20" } ],
        "payment_terms": ["30 days", "60 days", "Proforma"],
        "price_tiers": ["Trade", "Key Account", "Retail"],
        "products": cat.cin7_products(),
        "availability": stock.availability,
        "customers": people.cin7_customers(),
        "rate_limit": { "calls_per_minute": 60, "signal": "429" },
        "webhooks": true,
        "faults": { "error_rate": error_rate, "lost_response_rate": lost, "latency_ms": [20, 120] },
    })
}

fn oro(
    cat: &catalogue::Catalogue,
    people: &customers::People,
    stock: &stock::Stock,
    plan: &timeline::Plan,
    faults: bool,
) -> Value {
    json!({
        "currency": "GBP",
        "customers": people.oro_customers(),
        "customer_users": people.oro_users(),
        "products": cat.oro_products(&stock.oro_inventory),
        "price_lists": cat.price_lists(),
        "price_list_assignments": people.assignments(),
        "webhooks": true,
        "tax_detail": "per_line",
        "faults": { "error_rate": if faults { 0.01 } else { 0.0 }, "latency_ms": [10, 80], "token_ttl_s": 1800 },
        "orders": plan.backlog,
    })
}

/// Money to the cent, half away from zero, as the string the scenario format wants.
pub fn money(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

/// 20 % VAT on a line, rounded per line to the cent.
pub fn vat(net: Decimal) -> Decimal {
    (net * Decimal::new(2, 1)).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds a price to the cent (half away from zero).
pub fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}
