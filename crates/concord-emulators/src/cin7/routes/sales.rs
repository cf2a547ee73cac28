//! `/sale` (GET, POST, PUT, DELETE for void/undo) and `GET /saleList`.

use crate::cin7::emulator::Inner;
use crate::cin7::state::{Customer, Sale, SaleOrder, State};
use crate::cin7::wire::{
    envelope_lazy, flag, guid, keep_extra, same, since, text, ApiError, Params, Reply,
};
use crate::cin7::{sale_ops, views, webhooks};
use serde_json::{Map, Value};
use uuid::Uuid;

const MODELLED: &[&str] = &[
    "ID",
    "Customer",
    "CustomerID",
    "Location",
    "TaxRule",
    "Terms",
    "PriceTier",
    "SkipQuote",
    "TaxInclusive",
    "ExternalID",
    "CustomerReference",
    "Status",
    "Quote",
    "Order",
    "LastModifiedOn",
];

pub(super) fn sale_index(state: &State, id: Option<&str>, key: &str) -> Result<usize, ApiError> {
    let raw =
        id.ok_or_else(|| ApiError::bad(format!("Required attribute {key} is not provided.")))?;
    let id = guid(Some(raw))
        .ok_or_else(|| ApiError::bad(format!("Attribute {key} is not a valid GUID: {raw}")))?;
    state
        .sale_index(id)
        .ok_or_else(|| ApiError::missing(format!("Sale with ID '{id}' was not found.")))
}

pub(super) fn get(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let idx = sale_index(&state, params.get("ID"), "ID")?;
    Ok(views::sale(&state, &inner.clock, &state.sales[idx]))
}

fn customer_of(state: &State, body: &Value) -> Result<Customer, ApiError> {
    if let Some(raw) = text(body, "CustomerID") {
        let id = guid(Some(&raw)).ok_or_else(|| {
            ApiError::bad(format!("Attribute CustomerID is not a valid GUID: {raw}"))
        })?;
        return state
            .customer(id)
            .cloned()
            .ok_or_else(|| ApiError::missing(format!("Customer with ID '{raw}' was not found.")));
    }
    let name = text(body, "Customer").ok_or_else(|| {
        ApiError::bad("Required attribute Customer or CustomerID is not provided.")
    })?;
    state
        .customer_by_name(&name)
        .cloned()
        .ok_or_else(|| ApiError::missing(format!("Customer '{name}' was not found.")))
}

/// A reference-book name from the body, checked against the book, or the fallback.
fn book(
    body: &Value,
    key: &str,
    fallback: &str,
    find: impl Fn(&str) -> Option<String>,
    book: &str,
) -> Result<String, ApiError> {
    match text(body, key) {
        Some(name) => find(&name).ok_or_else(|| {
            ApiError::missing(format!(
                "{key} '{name}' was not found in {book} reference book"
            ))
        }),
        None => Ok(fallback.to_owned()),
    }
}

/// Creates the sale header. `SkipQuote: true` lands `ESTIMATED`; without it the quote is `DRAFT`
/// (`ESTIMATING`). `ExternalID` is not unique in Cin7, so duplicates are accepted.
pub(super) fn create(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let customer = customer_of(&state, body)?;
    let location = text(body, "Location")
        .ok_or_else(|| ApiError::bad("Required attribute Location is not provided."))?;
    let location = state
        .location(&location)
        .map(|l| l.name.clone())
        .ok_or_else(|| {
            ApiError::missing(format!(
                "Location '{location}' was not found in Locations reference book"
            ))
        })?;
    let tax_rule = book(
        body,
        "TaxRule",
        &customer.tax_rule,
        |n| state.tax_rule(n).map(|t| t.name.clone()),
        "Tax Rules",
    )?;
    let terms = book(
        body,
        "Terms",
        &customer.payment_term,
        |n| state.payment_term(n).map(|t| t.name.clone()),
        "Payment Terms",
    )?;
    let price_tier = book(
        body,
        "PriceTier",
        &customer.price_tier,
        |n| state.tier_index(n).map(|i| state.tier_names[i].clone()),
        "Price Tiers",
    )?;
    let skip_quote = flag(body, "SkipQuote").unwrap_or(false);
    let mut extra = Map::new();
    keep_extra(&mut extra, body, MODELLED);
    let sale = Sale {
        id: Uuid::new_v4(),
        number: state.take_order_number(),
        customer_id: customer.id,
        customer: customer.name.clone(),
        location,
        skip_quote,
        tax_inclusive: flag(body, "TaxInclusive").unwrap_or(false),
        tax_rule,
        terms,
        price_tier,
        external_id: text(body, "ExternalID"),
        customer_reference: text(body, "CustomerReference").unwrap_or_default(),
        quote_status: if skip_quote { "NOT AVAILABLE" } else { "DRAFT" }.to_owned(),
        order: SaleOrder {
            status: "NOT AVAILABLE".into(),
            ..SaleOrder::default()
        },
        voided: false,
        shipped_s: None,
        fulfilments: Vec::new(),
        ledger: Default::default(),
        created_s: now,
        updated_s: now,
        extra,
    };
    let view = views::sale(&state, &inner.clock, &sale);
    state.sales.push(sale);
    Ok(view)
}

/// Updates header fields of the sale named by `ID`; the location is fixed once stock is allocated.
pub(super) fn update(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let idx = sale_index(&state, text(body, "ID").as_deref(), "ID")?;
    let current = state.sales[idx].clone();
    let tax_rule = book(
        body,
        "TaxRule",
        &current.tax_rule,
        |n| state.tax_rule(n).map(|t| t.name.clone()),
        "Tax Rules",
    )?;
    let terms = book(
        body,
        "Terms",
        &current.terms,
        |n| state.payment_term(n).map(|t| t.name.clone()),
        "Payment Terms",
    )?;
    let location = book(
        body,
        "Location",
        &current.location,
        |n| state.location(n).map(|l| l.name.clone()),
        "Locations",
    )?;
    if !same(&location, &current.location) && current.order.status == "AUTHORISED" {
        return Err(ApiError::bad(
            "Location cannot be changed on an authorised sale order.",
        ));
    }
    let sale = &mut state.sales[idx];
    (sale.tax_rule, sale.terms, sale.location) = (tax_rule, terms, location);
    if let Some(external) = text(body, "ExternalID") {
        sale.external_id = Some(external);
    }
    if let Some(reference) = text(body, "CustomerReference") {
        sale.customer_reference = reference;
    }
    keep_extra(&mut sale.extra, body, MODELLED);
    sale.updated_s = now;
    Ok(views::sale(&state, &inner.clock, &state.sales[idx]))
}

/// `DELETE /sale?ID=&Void=true` voids (a shipped sale cannot be: 400); without `Void=true` it undoes
/// the last stage. Answers the sale object.
pub(super) fn delete(inner: &Inner, params: &Params) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let idx = sale_index(&state, params.get("ID"), "ID")?;
    let voiding = params.flag("Void");
    let changed = if voiding {
        sale_ops::void(&mut state, idx, now)
    } else {
        sale_ops::undo(&mut state, idx, now)
    };
    let changed = changed.map_err(ApiError::bad)?;
    if voiding {
        crate::cin7::ledger::void_invoices(&mut state.sales[idx]);
    }
    let kind = if voiding {
        webhooks::VOIDED
    } else {
        "Sale/Undo"
    };
    webhooks::emit_sale(&mut state, now, kind, idx);
    webhooks::emit_stock(&mut state, now, changed);
    Ok(views::sale(&state, &inner.clock, &state.sales[idx]))
}

/// Filters: `ExternalID` exact; `Search` substring over order number, status, customer and
/// customer reference; `Status`, `OrderStatus` exact; `UpdatedSince`, `CreatedSince`. Newest first.
pub(super) fn list(inner: &Inner, params: &Params) -> Reply {
    let updated = since(&inner.clock, params, "UpdatedSince")?;
    let created = since(&inner.clock, params, "CreatedSince")?;
    let state = inner.lock();
    let search = params.get("Search").map(str::to_lowercase);
    let matches = |s: &&Sale| {
        let haystack = [
            views::order_number(s),
            s.status().to_owned(),
            s.customer.clone(),
            s.customer_reference.clone(),
        ];
        params
            .get("ExternalID")
            .is_none_or(|e| s.external_id.as_deref() == Some(e))
            && search.as_ref().is_none_or(|q| {
                haystack
                    .iter()
                    .any(|h| h.to_lowercase().contains(q.as_str()))
            })
            && params.get("Status").is_none_or(|st| same(s.status(), st))
            && params
                .get("OrderStatus")
                .is_none_or(|st| same(&s.order.status, st))
            && updated.is_none_or(|u| s.updated_s >= u)
            && created.is_none_or(|c| s.created_s >= c)
    };
    let rows: Vec<&Sale> = state.sales.iter().rev().filter(matches).collect();
    Ok(envelope_lazy("SaleList", rows, params, |s| {
        views::sale_row(&state, &inner.clock, s)
    }))
}
