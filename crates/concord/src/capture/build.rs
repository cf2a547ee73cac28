//! Puts a [`Snapshot`] together into the scenario document: both systems' data, the rules, the
//! replay day's timeline and a clock that plays it in about three minutes.

use super::read::Snapshot;
use super::{accounts, anonymise, catalogue, orders, settings, CaptureOptions, Captured};
use crate::config::Rules;
use chrono::{DateTime, Utc};
use concord_core::scenario::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// The whole scenario for `snap`; `now` is the capture's clock (the start when no order was placed).
pub fn scenario(
    snap: &Snapshot,
    rules: &Rules,
    opts: &CaptureOptions,
    now: DateTime<Utc>,
) -> Captured {
    let mut notes = Vec::new();
    let base_currency = base_currency(snap, rules);
    let oro_currency = oro_currency(snap, &base_currency);
    let mut cin7 = cin7_seed(snap, &base_currency, &mut notes);
    let mut oro = oro_seed(snap, &oro_currency, &mut notes);
    let lists: HashSet<i64> = oro.price_lists.iter().map(|l| l.id).collect();
    let settings = settings::from_rules(rules, &lists, &mut notes);
    let customers: HashSet<i64> = oro.customers.iter().map(|c| c.id).collect();
    let replay = orders::replay(&snap.oro.orders, &customers, now, &oro_currency, &mut notes);
    if !replay.per_line_tax {
        oro.tax_detail = TaxDetail::TotalOnly;
    }
    if let Some(key) = &opts.anonymise {
        anonymise::apply(key, &mut cin7, &mut oro);
    }
    let order_count = replay.events.len();
    let scenario = Scenario {
        name: format!("captured-{}", now.format("%Y-%m-%d")),
        description: Some(description(snap, order_count, opts)),
        clock: ClockSpec {
            start: replay.start,
            speed: crate::scenario_gen::default_speed(replay.last_at_s),
        },
        run_until_s: Some(crate::scenario_gen::run_until(
            replay.last_at_s,
            order_count,
        )),
        settings,
        cin7,
        oro,
        timeline: Vec::new(),
        expect: None,
    };
    let mut doc = serde_json::to_value(&scenario).unwrap_or(Value::Null);
    doc["timeline"] = Value::Array(replay.events);
    tidy(&mut doc);
    Captured {
        scenario: doc,
        notes,
    }
}

fn description(snap: &Snapshot, orders: usize, opts: &CaptureOptions) -> String {
    format!(
        "Captured from the merchant's systems: {} Cin7 products, {} Oro products, {} Oro customers, \
         {orders} orders of the last {} day(s) replayed over one day{}.",
        snap.cin7.products.len(),
        snap.oro.products.len(),
        snap.oro.customers.len(),
        opts.days.max(1),
        if opts.anonymise.is_some() {
            "; names and e-mail addresses anonymised"
        } else {
            ""
        }
    )
}

fn base_currency(snap: &Snapshot, rules: &Rules) -> String {
    snap.cin7
        .base_currency
        .clone()
        .or_else(|| rules.new_customer.as_ref().and_then(|n| n.currency.clone()))
        .unwrap_or_else(|| "GBP".to_owned())
}

/// The currency most of the captured orders are in, else Cin7's base currency.
fn oro_currency(snap: &Snapshot, base: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in snap
        .oro
        .orders
        .iter()
        .filter(|o| !o.order.currency.is_empty())
    {
        *counts.entry(o.order.currency.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or_else(|| base.to_owned(), |(c, _)| c.to_owned())
}

fn cin7_seed(snap: &Snapshot, base_currency: &str, notes: &mut Vec<String>) -> Cin7Seed {
    let c = &snap.cin7;
    let products = catalogue::cin7_products(c, notes);
    Cin7Seed {
        base_currency: base_currency.to_owned(),
        locations: catalogue::locations(c),
        tax_rules: c
            .tax_rules
            .iter()
            .map(|r| TaxRule {
                name: r.name.clone(),
                percent: r.percent,
                active: r.active,
            })
            .collect(),
        payment_terms: accounts::payment_terms(c),
        price_tiers: c.price_tiers.iter().map(|t| t.name.clone()).collect(),
        availability: catalogue::availability(c, &products),
        products,
        customers: accounts::cin7_customers(c, base_currency),
        sales: Vec::new(),
        rate_limit: RateLimit::default(),
        webhooks: true,
        faults: Cin7Faults::default(),
        availability_bins: Vec::new(),
    }
}

fn oro_seed(snap: &Snapshot, currency: &str, notes: &mut Vec<String>) -> OroSeed {
    let o = &snap.oro;
    let price_lists = catalogue::price_lists(o, currency);
    let lists: HashSet<i64> = price_lists.iter().map(|l| l.id).collect();
    OroSeed {
        currency: currency.to_owned(),
        customers: accounts::oro_customers(o, notes),
        customer_users: accounts::customer_users(o),
        products: catalogue::oro_products(o, notes),
        price_list_assignments: accounts::assignments(o, &lists),
        price_lists,
        webhooks: true,
        orders_webhook_accessible: true,
        tax_detail: TaxDetail::PerLine,
        subtotals: OroSubtotals::default(),
        faults: OroFaults::default(),
        orders: Vec::new(),
    }
}

/// Drops every `null` (the format reads an absent optional field the same way, and the checker
/// takes the presence of some keys, `tax_code` for one, as a sign the scenario uses them) and
/// the empty lists among the settings.
pub fn tidy(doc: &mut Value) {
    strip_nulls(doc);
    if let Some(settings) = doc.get_mut("settings").and_then(Value::as_object_mut) {
        settings.retain(|_, v| !v.as_array().is_some_and(Vec::is_empty));
    }
}

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
