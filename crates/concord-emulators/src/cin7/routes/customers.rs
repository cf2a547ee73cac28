//! `/customer`: GET (`ID`, `Name` starts-with, `ModifiedSince`, paging), POST and PUT, answering the
//! `{Total, Page, CustomerList}` envelope. Names of payment terms, tax rules and price tiers must
//! exist in their reference books. Every change fires `Customer/Updated`.

use crate::cin7::emulator::Inner;
use crate::cin7::state::{Customer, State};
use crate::cin7::wire::{
    envelope_lazy, flag, guid, keep_extra, num, same, since, text, ApiError, Params, Reply,
};
use crate::cin7::{views, webhooks};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use uuid::Uuid;

const MODELLED: &[&str] = &[
    "ID",
    "Name",
    "Status",
    "Currency",
    "PaymentTerm",
    "PriceTier",
    "TaxRule",
    "CreditLimit",
    "IsOnCreditHold",
    "LastModifiedOn",
];

pub(super) fn list(inner: &Inner, params: &Params) -> Reply {
    let modified = since(&inner.clock, params, "ModifiedSince")?;
    let state = inner.lock();
    let id = guid(params.get("ID"));
    let prefix = params.get("Name").map(str::to_lowercase);
    let rows: Vec<&Customer> = state
        .customers
        .iter()
        .filter(|c| id.is_none_or(|id| c.id == id))
        .filter(|c| {
            prefix
                .as_ref()
                .is_none_or(|p| c.name.to_lowercase().starts_with(p.as_str()))
        })
        .filter(|c| modified.is_none_or(|m| c.modified_s >= m))
        .filter(|c| params.flag("IncludeDeprecated") || !same(&c.status, "Deprecated"))
        .collect();
    Ok(envelope_lazy("CustomerList", rows, params, |c| {
        views::customer(&inner.clock, c)
    }))
}

/// Fields Cin7 requires on `POST /customer` (reference §5.4).
const REQUIRED_ON_CREATE: &[&str] = &[
    "Name",
    "Status",
    "Currency",
    "PaymentTerm",
    "AccountReceivable",
    "RevenueAccount",
    "TaxRule",
];

/// Creates a customer once every documented required field is there (the accounts have no
/// reference book here, so any code is accepted); a missing tier takes the book's first entry.
/// Duplicate names are accepted, as nothing documents a uniqueness rule for customers.
pub(super) fn create(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    if let Some(missing) = REQUIRED_ON_CREATE.iter().find(|k| text(body, k).is_none()) {
        return Err(ApiError::bad(format!(
            "Required attribute {missing} is not provided."
        )));
    }
    let name = text(body, "Name")
        .ok_or_else(|| ApiError::bad("Required attribute Name is not provided."))?;
    let mut customer = Customer {
        id: Uuid::new_v4(),
        name,
        status: "Active".into(),
        currency: state.base_currency.clone(),
        payment_term: state
            .payment_terms
            .first()
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        price_tier: state.tier_names.first().cloned().unwrap_or_default(),
        tax_rule: state
            .tax_rules
            .first()
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        credit_limit: Decimal::ZERO,
        on_credit_hold: false,
        modified_s: now,
        extra: Map::new(),
    };
    apply(&state, &mut customer, body)?;
    let id = customer.id;
    let view = views::customer(&inner.clock, &customer);
    // The answer shows the customer as created; finance's waiting change lands right after it.
    if let Some(hold) = take_pending_hold(&mut state, &customer.name) {
        customer.on_credit_hold = hold;
    }
    state.customers.push(customer);
    webhooks::emit_customer(&mut state, &inner.clock, now, id);
    Ok(json!({"Total": 1, "Page": 1, "CustomerList": [view]}))
}

/// The last credit-hold change made before a customer of this name existed, if any.
fn take_pending_hold(state: &mut State, name: &str) -> Option<bool> {
    let mut last = None;
    state.pending_holds.retain(|(pending, hold)| {
        let matches = same(pending, name);
        if matches {
            last = Some(*hold);
        }
        !matches
    });
    last
}

pub(super) fn update(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let id = guid(text(body, "ID").as_deref())
        .ok_or_else(|| ApiError::bad("Required attribute ID is not provided."))?;
    let index = state
        .customers
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| ApiError::missing(format!("Customer with ID '{id}' not found.")))?;
    let mut customer = state.customers[index].clone();
    if let Some(name) = text(body, "Name") {
        customer.name = name;
    }
    apply(&state, &mut customer, body)?;
    customer.modified_s = now;
    let view = views::customer(&inner.clock, &customer);
    state.customers[index] = customer;
    webhooks::emit_customer(&mut state, &inner.clock, now, id);
    Ok(json!({"Total": 1, "Page": 1, "CustomerList": [view]}))
}

fn apply(state: &State, customer: &mut Customer, body: &Value) -> Result<(), ApiError> {
    if let Some(term) = text(body, "PaymentTerm") {
        let found = state.payment_term(&term).ok_or_else(|| {
            ApiError::missing(format!("Active payment term with name '{term}' was not found in Payment Terms reference book"))
        })?;
        customer.payment_term = found.name.clone();
    }
    if let Some(rule) = text(body, "TaxRule") {
        let found = state.tax_rule(&rule).ok_or_else(|| {
            ApiError::missing(format!(
                "Tax rule '{rule}' was not found in Tax Rules reference book"
            ))
        })?;
        customer.tax_rule = found.name.clone();
    }
    if let Some(tier) = text(body, "PriceTier") {
        let index = state.tier_index(&tier).ok_or_else(|| {
            ApiError::missing(format!(
                "Price tier '{tier}' was not found in Price Tiers reference book"
            ))
        })?;
        customer.price_tier = state.tier_names[index].clone();
    }
    if let Some(currency) = text(body, "Currency") {
        customer.currency = currency.to_uppercase();
    }
    if let Some(status) = text(body, "Status") {
        customer.status = status;
    }
    if let Some(limit) = num(body, "CreditLimit")? {
        customer.credit_limit = limit;
    }
    if let Some(hold) = flag(body, "IsOnCreditHold") {
        customer.on_credit_hold = hold;
    }
    keep_extra(&mut customer.extra, body, MODELLED);
    // Addresses and contacts get ids, as Cin7 assigns them.
    for key in ["Addresses", "Contacts"] {
        if let Some(Value::Array(items)) = customer.extra.get_mut(key) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                if !item.get("ID").is_some_and(|v| v.is_string()) {
                    item.insert("ID".into(), json!(Uuid::new_v4()));
                }
            }
        }
    }
    Ok(())
}
