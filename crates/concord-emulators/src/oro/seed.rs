//! Builds the emulated Oro instance from a scenario's `oro` section.
//!
//! Ids: customers, customer users, price lists and orders keep the scenario's ids; products are
//! numbered 1.. in file order; unit precisions 1.. and inventory levels 1001.. (distinct ranges, so
//! a client that confuses a precision id with a level id fails here as it would on a real server).
//! Tax codes are numbered 1.. per kind in order of first mention (customers, then products).

use super::state::{
    AssignmentRec, CustomerRec, CustomerUserRec, DiscountRec, LevelRec, LineRec, OrderRec,
    PrecisionRec, PriceListRec, PriceRec, ProductRec, State,
};
use super::tax_codes::TaxCodeKind;
use chrono::{DateTime, Utc};
use concord_core::scenario::{Order, OroCustomer, Scenario};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// First inventory level id; levels are numbered apart from unit precisions.
const FIRST_LEVEL_ID: i64 = 1001;

pub fn state_from(scenario: &Scenario) -> State {
    let oro = &scenario.oro;
    let start = scenario.clock.start;
    let mut st = State {
        tax_detail: oro.tax_detail,
        webhooks_enabled: oro.webhooks,
        orders_webhook_accessible: oro.orders_webhook_accessible,
        subtotals: oro.subtotals.clone(),
        firewall: oro.faults.firewall.clone(),
        slow_sync_batch_rate: oro.faults.slow_sync_batch_rate,
        orders: BTreeMap::new(),
        customers: BTreeMap::new(),
        customer_users: BTreeMap::new(),
        products: BTreeMap::new(),
        precisions: BTreeMap::new(),
        levels: BTreeMap::new(),
        price_lists: BTreeMap::new(),
        prices: Vec::new(),
        product_by_sku: HashMap::new(),
        price_at: HashMap::new(),
        order_of_part: HashMap::new(),
        assignments: BTreeMap::new(),
        tax_codes: Default::default(),
        webhooks: BTreeMap::new(),
        trackings: BTreeMap::new(),
        async_ops: BTreeMap::new(),
        tokens: HashMap::new(),
        refused: Vec::new(),
        payments: Vec::new(),
        outbox: VecDeque::new(),
        in_flight: 0,
        next_id: 0,
    };
    for c in &oro.customers {
        upsert_customer(&mut st, c, start);
    }
    for u in &oro.customer_users {
        st.customer_users.insert(
            u.id,
            CustomerUserRec {
                id: u.id,
                customer: u.customer,
                email: u.email.clone(),
                created_at: start,
            },
        );
    }
    let mut precision_id = 0;
    let mut level_id = FIRST_LEVEL_ID - 1;
    for (index, p) in oro.products.iter().enumerate() {
        let product_id = i64::try_from(index).unwrap_or(i64::MAX - 1) + 1;
        let mut ids = Vec::new();
        for unit in &p.units {
            precision_id += 1;
            level_id += 1;
            ids.push(precision_id);
            st.precisions.insert(
                precision_id,
                PrecisionRec {
                    product: product_id,
                    unit: unit.code.clone(),
                    conversion_rate: unit.conversion_rate,
                    precision: unit.precision,
                    level: level_id,
                },
            );
            // Units missing from the scenario's `inventory` map start at 0, as Oro creates them.
            let quantity = p.inventory.get(&unit.code).copied().unwrap_or_default();
            st.levels.insert(
                level_id,
                LevelRec {
                    id: level_id,
                    product: product_id,
                    precision: precision_id,
                    quantity,
                    external_id: None,
                },
            );
        }
        let status = p
            .inventory_status
            .clone()
            .unwrap_or_else(|| "in_stock".to_owned());
        let tax_code = st
            .tax_codes
            .assign(TaxCodeKind::Product, p.tax_code.as_deref(), start);
        st.product_by_sku.insert(p.sku.clone(), product_id);
        st.products.insert(
            product_id,
            ProductRec {
                id: product_id,
                sku: p.sku.clone(),
                name: p.name.clone(),
                precisions: ids,
                inventory_status: status,
                tax_code,
                created_at: start,
                updated_at: start,
            },
        );
    }
    for pl in &oro.price_lists {
        let rec = PriceListRec {
            name: pl.name.clone(),
            currency: pl.currency.clone(),
            created_at: start,
            updated_at: start,
        };
        st.price_lists.insert(pl.id, rec);
        for price in &pl.prices {
            set_price(
                &mut st,
                pl.id,
                &price.sku,
                &price.unit,
                price.quantity,
                price.value,
            );
        }
    }
    for (index, a) in oro.price_list_assignments.iter().enumerate() {
        let id = i64::try_from(index).unwrap_or(0) + 1;
        st.assignments.insert(
            id,
            AssignmentRec {
                customer: a.customer,
                price_list: a.price_list,
            },
        );
    }
    for o in &oro.orders {
        let rec = order_record(&mut st, o, start);
        st.insert_order(rec);
    }
    st
}

/// A new customer, or a changed name/parent/tax code of an existing one. The event carries the
/// whole customer, so a code it leaves out is removed, as `parent` is.
pub fn upsert_customer(st: &mut State, c: &OroCustomer, at: DateTime<Utc>) {
    let tax_code = st
        .tax_codes
        .assign(TaxCodeKind::Customer, c.tax_code.as_deref(), at);
    match st.customers.get_mut(&c.id) {
        Some(existing) => {
            existing.name = c.name.clone();
            existing.parent = c.parent;
            existing.tax_code = tax_code;
            existing.updated_at = at;
        }
        None => {
            st.customers.insert(
                c.id,
                CustomerRec {
                    id: c.id,
                    name: c.name.clone(),
                    parent: c.parent,
                    tax_code,
                    created_at: at,
                    updated_at: at,
                },
            );
        }
    }
}

/// Sets the price of (list, SKU, unit, tier quantity): updates the matching price or adds one.
/// A price for a SKU Oro does not have is dropped, since Oro cannot hold it. Returns whether it
/// was stored.
pub fn set_price(
    st: &mut State,
    price_list: i64,
    sku: &str,
    unit: &str,
    quantity: rust_decimal::Decimal,
    value: rust_decimal::Decimal,
) -> bool {
    let Some(product) = st.product_by_sku(sku).map(|p| p.id) else {
        return false;
    };
    let Some(currency) = st
        .price_lists
        .get(&price_list)
        .map(|pl| pl.currency.clone())
    else {
        return false;
    };
    let key = (price_list, product, unit.to_owned(), quantity);
    match st.price_at.get(&key).and_then(|at| st.prices.get_mut(*at)) {
        Some(p) => p.value = value,
        None => {
            st.price_at.insert(key, st.prices.len());
            st.prices.push(PriceRec {
                id: format!("{}-{price_list}", uuid::Uuid::new_v4()),
                price_list,
                product,
                unit: unit.to_owned(),
                quantity,
                value,
                currency,
            });
        }
    }
    true
}

/// The stored form of a scenario order placed at `at` (line item ids are fresh).
pub fn order_record(st: &mut State, o: &Order, at: DateTime<Utc>) -> OrderRec {
    let lines = o
        .lines
        .iter()
        .map(|l| LineRec {
            id: st.fresh_id(),
            sku: l.sku.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            price: l.price,
            tax: l.tax,
        })
        .collect();
    let discounts = o
        .discounts
        .iter()
        .map(|d| DiscountRec {
            id: st.fresh_id(),
            description: d.description.clone(),
            amount: d.amount,
        })
        .collect();
    OrderRec {
        id: o.id,
        identifier: o.identifier.clone(),
        po_number: o.po_number.clone(),
        customer: o.customer,
        customer_user: o.customer_user,
        currency: o.currency.clone(),
        internal_status: o.internal_status.clone(),
        status: o.status.clone(),
        shipping_status: "not_shipped".to_owned(),
        lines,
        discounts,
        shipping_amount: o.shipping.as_ref().map(|s| s.amount),
        shipping_tax: o.shipping.as_ref().map(|s| s.tax).unwrap_or_default(),
        total_override: o.total,
        external_id: None,
        created_at: at,
        updated_at: at,
    }
}
