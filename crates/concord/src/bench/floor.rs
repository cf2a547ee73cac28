//! The fewest Cin7 order calls a run's outcome required, and what was spent above it, so "calls at
//! the floor" is measured rather than argued: two per sale created (the header and its order),
//! one per further order post that Cin7 accepted (a draft authorised later), one per void, one per
//! customer created, one read per 1,000 customers listed, and the reads the scenario's own events
//! make necessary (a shipment's lines and tracking, a customer a `Customer/Updated` webhook names:
//! Concord trusts only what it reads back, never the webhook body).

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Floor {
    /// The minimum order calls (`/sale*`, `/customer*`) the outcome required.
    pub calls: usize,
    /// Order calls made above it, by reason.
    pub above: BTreeMap<String, usize>,
}

impl Floor {
    pub fn above_total(&self) -> usize {
        self.above.values().sum()
    }
}

fn accepted(call: &Value) -> bool {
    call["status"].as_u64().is_some_and(|s| s < 300)
}

fn endpoint(call: &Value) -> (String, String) {
    let path = call["path"].as_str().unwrap_or_default();
    let bare = path.split('?').next().unwrap_or(path).to_ascii_lowercase();
    let method = call["method"].as_str().unwrap_or("?").to_owned();
    (method, bare)
}

/// Computed from the scenario's timeline, the dump's Cin7 state and its API log.
pub fn floor(scenario: &Value, dump: &Value) -> Floor {
    let log = dump["api_log"]["cin7"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let count = |method: &str, path: &str, ok: bool| {
        log.iter()
            .filter(|c| endpoint(c) == (method.to_owned(), path.to_owned()) && (!ok || accepted(c)))
            .count()
    };
    let events = |kind: &str| {
        scenario["timeline"]
            .as_array()
            .map_or(0, |t| t.iter().filter(|e| e["event"] == kind).count())
    };
    let sales = count("POST", "/sale", true);
    let order_posts = count("POST", "/sale/order", true);
    let customers = dump["cin7"]["customers"].as_array().map_or(0, Vec::len);
    let shipment_reads = events("cin7_ship");
    let customer_reads = events("cin7_customer_update");
    let list_pages = customers.div_ceil(1000).max(1);
    let calls = 2 * sales
        + order_posts.saturating_sub(sales)
        + count("DELETE", "/sale", true)
        + count("POST", "/customer", true)
        + list_pages
        + shipment_reads
        + customer_reads;
    let mut above = BTreeMap::new();
    let mut add = |reason: &str, n: usize| {
        if n > 0 {
            above.insert(reason.to_owned(), n);
        }
    };
    let order_calls = |c: &&Value| {
        let (_, path) = endpoint(c);
        path.starts_with("/sale") || path.starts_with("/customer")
    };
    add(
        "refused or failed (4xx, 5xx, 429)",
        log.iter()
            .filter(order_calls)
            .filter(|c| !accepted(c))
            .count(),
    );
    add(
        "sale-list reads (after unclear posts, reconciliation)",
        count("GET", "/salelist", true),
    );
    add(
        "sale reads beyond one per shipment",
        count("GET", "/sale", true).saturating_sub(shipment_reads),
    );
    let customer_gets = count("GET", "/customer", true);
    add(
        "customer reads beyond one list and one per webhook",
        customer_gets.saturating_sub(list_pages + customer_reads),
    );
    Floor { calls, above }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(method: &str, path: &str, status: u64) -> Value {
        json!({ "method": method, "path": path, "status": status, "at_s": 1.0 })
    }

    #[test]
    fn the_floor_counts_what_the_outcome_required_and_names_the_rest() {
        let scenario =
            json!({ "timeline": [ { "event": "cin7_ship" }, { "event": "oro_order" } ] });
        let log = vec![
            call("GET", "/customer?Page=1&Limit=1000", 200),
            call("POST", "/sale", 200),
            call("POST", "/sale/order", 200),
            call("POST", "/sale", 200),
            call("POST", "/sale/order", 200),
            // a draft authorised later
            call("POST", "/sale/order", 200),
            call("POST", "/sale", 503),
            call("GET", "/saleList?UpdatedSince=x", 200),
            call("GET", "/sale?ID=1", 200),
            call("GET", "/sale?ID=2", 200),
            call("DELETE", "/sale?ID=2", 200),
            call("GET", "/ref/productavailability", 200),
        ];
        let dump = json!({ "cin7": { "customers": [ {}, {} ] }, "api_log": { "cin7": log } });
        let f = floor(&scenario, &dump);
        // 2 × 2 sales + 1 draft authorised + 1 void + 1 list page + 1 shipment read
        assert_eq!(f.calls, 8);
        assert_eq!(f.above["refused or failed (4xx, 5xx, 429)"], 1);
        assert_eq!(
            f.above["sale-list reads (after unclear posts, reconciliation)"],
            1
        );
        assert_eq!(f.above["sale reads beyond one per shipment"], 1);
        assert_eq!(f.above_total(), 3);
        assert!(!f
            .above
            .contains_key("customer reads beyond one list and one per webhook"));
    }

    #[test]
    fn a_run_that_made_no_calls_has_a_floor_of_one_customer_list() {
        let f = floor(&json!({}), &json!({}));
        assert_eq!((f.calls, f.above_total()), (1, 0));
    }
}
