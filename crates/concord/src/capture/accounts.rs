//! The accounts side of a capture: Cin7 customers with their terms and credit hold, Oro customers
//! with their hierarchy, the customer users who buy for them, and price list assignments.

use super::read::{Cin7Snapshot, OroSnapshot};
use concord_core::scenario::{Cin7Customer, OroCustomer, OroCustomerUser, PriceListAssignment};
use std::collections::HashSet;

/// Active payment terms by name, in Cin7's order.
pub fn payment_terms(snap: &Cin7Snapshot) -> Vec<String> {
    snap.payment_terms
        .iter()
        .filter(|t| t.active)
        .map(|t| t.name.clone())
        .collect()
}

/// Cin7 customers; one whose payment term is missing or retired takes the first active term (the
/// scenario requires a term Cin7 lists).
pub fn cin7_customers(snap: &Cin7Snapshot, base_currency: &str) -> Vec<Cin7Customer> {
    let terms = payment_terms(snap);
    let fallback = terms.first().cloned().unwrap_or_default();
    snap.customers
        .iter()
        .filter(|c| !c.customer.name.trim().is_empty())
        .map(|c| {
            let term = c
                .customer
                .payment_term
                .clone()
                .filter(|t| terms.is_empty() || terms.contains(t))
                .unwrap_or_else(|| fallback.clone());
            let currency = Some(c.customer.currency.clone())
                .filter(|cur| !cur.is_empty())
                .unwrap_or_else(|| base_currency.to_owned());
            Cin7Customer {
                name: c.customer.name.clone(),
                currency,
                payment_term: term,
                price_tier: c.price_tier.clone(),
                tax_rule: c.customer.tax_rule.clone(),
                credit_limit: c.credit_limit,
                on_credit_hold: c.customer.on_credit_hold,
            }
        })
        .collect()
}

/// Oro customers with their parents; a parent Oro did not list is dropped (and noted).
pub fn oro_customers(snap: &OroSnapshot, notes: &mut Vec<String>) -> Vec<OroCustomer> {
    let ids: HashSet<i64> = snap.customers.iter().map(|c| c.id).collect();
    snap.customers
        .iter()
        .map(|c| {
            let parent = c.parent.filter(|p| ids.contains(p));
            if parent != c.parent {
                notes.push(format!(
                    "Oro customer {}: its parent was not readable, captured as a top-level account",
                    c.id
                ));
            }
            OroCustomer {
                id: c.id,
                name: c.name.clone(),
                parent,
                tax_code: c.tax_code.clone(),
            }
        })
        .collect()
}

/// Customer users of the customers captured.
pub fn customer_users(snap: &OroSnapshot) -> Vec<OroCustomerUser> {
    let ids: HashSet<i64> = snap.customers.iter().map(|c| c.id).collect();
    snap.customer_users
        .iter()
        .filter(|u| ids.contains(&u.customer_id))
        .map(|u| OroCustomerUser {
            id: u.id,
            customer: u.customer_id,
            email: u.email.clone(),
        })
        .collect()
}

/// Assignments whose customer and price list were both captured.
pub fn assignments(snap: &OroSnapshot, lists: &HashSet<i64>) -> Vec<PriceListAssignment> {
    let ids: HashSet<i64> = snap.customers.iter().map(|c| c.id).collect();
    snap.assignments
        .iter()
        .filter(|(customer, list)| ids.contains(customer) && lists.contains(list))
        .map(|&(customer, price_list)| PriceListAssignment {
            customer,
            price_list,
        })
        .collect()
}
