//! Checks that go beyond the shape of the file: references between sections, ranges, uniqueness.

use std::collections::HashSet;

use super::model::{Order, Scenario};
use super::parse::ScenarioError;
use super::timeline::TimelineEvent;

type Check = Result<(), ScenarioError>;

fn fail(path: impl Into<String>, message: impl Into<String>) -> Check {
    Err(ScenarioError::new(path, message))
}

pub(super) fn validate(s: &Scenario) -> Check {
    if !(s.clock.speed.is_finite() && s.clock.speed > 0.0) {
        return fail(
            "clock.speed",
            format!("{} is not a positive speed", s.clock.speed),
        );
    }
    if let Some(until) = s.run_until_s {
        if !(until.is_finite() && until > 0.0) {
            return fail(
                "run_until_s",
                format!("{until} is not a positive number of seconds"),
            );
        }
    }
    validate_rates(s)?;
    validate_oro_strictness(s)?;
    validate_postings(s)?;
    validate_cin7(s)?;
    let customers = validate_oro(s)?;
    let mut order_ids = HashSet::new();
    for (i, order) in s.oro.orders.iter().enumerate() {
        validate_order(
            &format!("oro.orders[{i}]"),
            order,
            &customers,
            &mut order_ids,
        )?;
    }
    validate_timeline(s, customers, order_ids)
}

fn validate_rates(s: &Scenario) -> Check {
    let rates = [
        ("cin7.faults.error_rate", s.cin7.faults.error_rate),
        (
            "cin7.faults.lost_response_rate",
            s.cin7.faults.lost_response_rate,
        ),
        ("oro.faults.error_rate", s.oro.faults.error_rate),
        (
            "cin7.faults.gateway_html_rate",
            s.cin7.faults.gateway_html_rate,
        ),
        (
            "cin7.faults.connection_reset_rate",
            s.cin7.faults.connection_reset_rate,
        ),
        (
            "cin7.rate_limit.retry_after_absent_rate",
            s.cin7.rate_limit.retry_after_absent_rate,
        ),
    ];
    for (path, rate) in rates {
        if !(0.0..=1.0).contains(&rate) {
            return fail(path, format!("{rate} is not a share between 0 and 1"));
        }
    }
    for (path, latency) in [
        ("cin7.faults.latency_ms", s.cin7.faults.latency_ms),
        ("oro.faults.latency_ms", s.oro.faults.latency_ms),
    ] {
        if let Some([low, high]) = latency {
            if low > high {
                return fail(
                    path,
                    format!("[{low}, {high}]: the first bound is above the second"),
                );
            }
        }
    }
    if s.cin7.rate_limit.calls_per_minute == 0 {
        return fail("cin7.rate_limit.calls_per_minute", "must be at least 1");
    }
    Ok(())
}

/// The switches that make the Oro emulator as strict as a real Oro (firewall, slow batches, labels).
fn validate_oro_strictness(s: &Scenario) -> Check {
    let faults = &s.oro.faults;
    let mut rates = vec![(
        "oro.faults.slow_sync_batch_rate",
        faults.slow_sync_batch_rate,
    )];
    if let Some(firewall) = &faults.firewall {
        rates.push(("oro.faults.firewall.rate", firewall.rate));
    }
    for (path, rate) in rates {
        if !(0.0..=1.0).contains(&rate) {
            return fail(path, format!("{rate} is not a share between 0 and 1"));
        }
    }
    let locale = s.oro.subtotals.locale.as_str();
    if !["en", "de", "fr"].contains(&locale) {
        return fail(
            "oro.subtotals.locale",
            format!("{locale:?} is not one of \"en\", \"de\", \"fr\""),
        );
    }
    Ok(())
}

fn validate_postings(s: &Scenario) -> Check {
    let Some(p) = &s.settings.postings else {
        return Ok(());
    };
    for (path, seconds) in [
        ("settings.postings.batch_every_s", p.batch_every_s),
        ("settings.postings.max_lag_s", p.max_lag_s),
    ] {
        if !(seconds.is_finite() && seconds > 0.0) {
            return fail(
                path,
                format!("{seconds} is not a positive number of seconds"),
            );
        }
    }
    Ok(())
}

fn validate_cin7(s: &Scenario) -> Check {
    let mut skus = HashSet::new();
    for (i, p) in s.cin7.products.iter().enumerate() {
        if !skus.insert(p.sku.as_str()) {
            return fail(
                format!("cin7.products[{i}].sku"),
                format!("{:?} appears twice", p.sku),
            );
        }
    }
    for (i, p) in s.cin7.products.iter().enumerate() {
        if let Some(pack) = &p.pack_of {
            if !skus.contains(pack.sku.as_str()) {
                return fail(
                    format!("cin7.products[{i}].pack_of.sku"),
                    format!("{:?} is not a Cin7 product", pack.sku),
                );
            }
            if pack.quantity <= rust_decimal::Decimal::ZERO {
                return fail(
                    format!("cin7.products[{i}].pack_of.quantity"),
                    "must be positive",
                );
            }
        }
    }
    for (i, a) in s.cin7.availability.iter().enumerate() {
        if !skus.contains(a.sku.as_str()) {
            return fail(
                format!("cin7.availability[{i}].sku"),
                format!("{:?} is not a Cin7 product", a.sku),
            );
        }
        if !s.cin7.locations.is_empty() && !s.cin7.locations.contains(&a.location) {
            return fail(
                format!("cin7.availability[{i}].location"),
                format!("{:?} is not a Cin7 location", a.location),
            );
        }
    }
    for (i, c) in s.cin7.customers.iter().enumerate() {
        if !s.cin7.payment_terms.is_empty() && !s.cin7.payment_terms.contains(&c.payment_term) {
            return fail(
                format!("cin7.customers[{i}].payment_term"),
                format!("{:?} is not a payment term", c.payment_term),
            );
        }
    }
    Ok(())
}

fn validate_oro(s: &Scenario) -> Result<HashSet<i64>, ScenarioError> {
    let mut ids = HashSet::new();
    for (i, c) in s.oro.customers.iter().enumerate() {
        if !ids.insert(c.id) {
            return Err(ScenarioError::new(
                format!("oro.customers[{i}].id"),
                format!("{} appears twice", c.id),
            ));
        }
    }
    for (i, c) in s.oro.customers.iter().enumerate() {
        if let Some(parent) = c.parent {
            if !ids.contains(&parent) {
                return Err(ScenarioError::new(
                    format!("oro.customers[{i}].parent"),
                    format!("{parent} is not an Oro customer"),
                ));
            }
        }
    }
    for (i, p) in s.oro.products.iter().enumerate() {
        if p.units.is_empty() {
            return Err(ScenarioError::new(
                format!("oro.products[{i}].units"),
                "a product needs at least its primary unit",
            ));
        }
        for (j, u) in p.units.iter().enumerate() {
            if u.conversion_rate <= rust_decimal::Decimal::ZERO {
                return Err(ScenarioError::new(
                    format!("oro.products[{i}].units[{j}].conversion_rate"),
                    "must be positive",
                ));
            }
        }
    }
    let lists: HashSet<i64> = s.oro.price_lists.iter().map(|l| l.id).collect();
    for (i, a) in s.oro.price_list_assignments.iter().enumerate() {
        if !lists.contains(&a.price_list) {
            return Err(ScenarioError::new(
                format!("oro.price_list_assignments[{i}].price_list"),
                format!("{} is not a price list", a.price_list),
            ));
        }
    }
    for (i, m) in s.settings.price_tiers.iter().enumerate() {
        if !lists.contains(&m.price_list) {
            return Err(ScenarioError::new(
                format!("settings.price_tiers[{i}].price_list"),
                format!("{} is not a price list", m.price_list),
            ));
        }
    }
    Ok(ids)
}

fn validate_order(
    path: &str,
    o: &Order,
    customers: &HashSet<i64>,
    ids: &mut HashSet<i64>,
) -> Check {
    if !ids.insert(o.id) {
        return fail(
            format!("{path}.id"),
            format!("order {} appears twice", o.id),
        );
    }
    if !customers.contains(&o.customer) {
        return fail(
            format!("{path}.customer"),
            format!("{} is not an Oro customer", o.customer),
        );
    }
    if o.lines.is_empty() {
        return fail(format!("{path}.lines"), "an order needs at least one line");
    }
    for (i, line) in o.lines.iter().enumerate() {
        if line.quantity <= rust_decimal::Decimal::ZERO {
            return fail(
                format!("{path}.lines[{i}].quantity"),
                format!("{} is not a positive quantity", line.quantity),
            );
        }
        if line.price < rust_decimal::Decimal::ZERO {
            return fail(format!("{path}.lines[{i}].price"), "must not be negative");
        }
    }
    for (i, d) in o.discounts.iter().enumerate() {
        if d.amount < rust_decimal::Decimal::ZERO {
            return fail(
                format!("{path}.discounts[{i}].amount"),
                "must not be negative",
            );
        }
    }
    Ok(())
}

fn validate_timeline(s: &Scenario, mut customers: HashSet<i64>, mut orders: HashSet<i64>) -> Check {
    // Payments and shipments may name any order of the scenario, wherever it sits in the file.
    let mut all_orders = orders.clone();
    all_orders.extend(s.timeline.iter().filter_map(|e| match &e.event {
        TimelineEvent::OroOrder { order } => Some(order.id),
        _ => None,
    }));
    for (i, entry) in s.timeline.iter().enumerate() {
        let path = format!("timeline[{i}]");
        if !(entry.at_s.is_finite() && entry.at_s >= 0.0) {
            return fail(
                format!("{path}.at_s"),
                format!("{} is not a time from the start", entry.at_s),
            );
        }
        match &entry.event {
            TimelineEvent::OroOrder { order } => {
                validate_order(&format!("{path}.order"), order, &customers, &mut orders)?
            }
            TimelineEvent::OroCustomer { customer } => {
                if let Some(parent) = customer.parent {
                    if !customers.contains(&parent) {
                        return fail(
                            format!("{path}.customer.parent"),
                            format!("{parent} is not an Oro customer"),
                        );
                    }
                }
                customers.insert(customer.id);
            }
            TimelineEvent::OroPayment(p) | TimelineEvent::Cin7Payment(p) => {
                if !all_orders.contains(&p.order_id) {
                    return fail(
                        format!("{path}.order_id"),
                        format!("{} is not an Oro order of this scenario", p.order_id),
                    );
                }
                if p.amount <= rust_decimal::Decimal::ZERO {
                    return fail(format!("{path}.amount"), "must be positive");
                }
            }
            TimelineEvent::Cin7Ship {
                order_id, lines, ..
            } => {
                if !all_orders.contains(order_id) {
                    return fail(
                        format!("{path}.order_id"),
                        format!("{order_id} is not an Oro order of this scenario"),
                    );
                }
                if let Some(i) = lines
                    .iter()
                    .position(|l| l.quantity <= rust_decimal::Decimal::ZERO)
                {
                    return fail(format!("{path}.lines[{i}].quantity"), "must be positive");
                }
            }
            TimelineEvent::Outage { duration_s, .. }
                if !(duration_s.is_finite() && *duration_s > 0.0) =>
            {
                return fail(format!("{path}.duration_s"), "must be positive");
            }
            _ => {}
        }
    }
    Ok(())
}
