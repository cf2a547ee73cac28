//! Customers, customer users, products and their units, inventory levels, price lists, prices and
//! price list assignments (fixtures `customer_get.json`, `product_get.json`,
//! `inventorylevels_get_list_filter_by_product.json`, `productprices_get_list.json`, `pricelist_get.json`).

use super::record::{Link, Record};
use super::{organization, organization_link};
use crate::oro::jsonapi::{decimal_string, iso, money, quantity_number, rel, rels};
use crate::oro::state::{LevelRec, PriceRec, ProductRec, State};
use serde_json::{json, Value};

pub fn customer(st: &State, id: i64) -> Option<Value> {
    let c = st.customers.get(&id)?;
    let children = st
        .customers
        .values()
        .filter(|x| x.parent == Some(id))
        .map(|x| x.id.to_string());
    let users = st
        .customer_users
        .values()
        .filter(|u| u.customer == id)
        .map(|u| u.id.to_string());
    Some(json!({
        "type": "customers",
        "id": id.to_string(),
        "attributes": {"name": c.name, "externalId": null, "createdAt": iso(c.created_at), "updatedAt": iso(c.updated_at)},
        "relationships": {
            "parent": rel("customers", c.parent.map(|p| p.to_string())),
            "children": rels("customers", children),
            "users": rels("customerusers", users),
            "group": {"data": null},
            "internal_rating": {"data": null},
            "paymentTerm": {"data": null},
            "taxCode": rel("customertaxcodes", c.tax_code.map(|t| t.to_string())),
            "salesRepresentatives": {"data": []},
            "owner": {"data": {"type": "users", "id": "1"}},
            "organization": organization(),
        }
    }))
}

pub fn customer_user(st: &State, id: i64) -> Option<Value> {
    let u = st.customer_users.get(&id)?;
    let local = u.email.split('@').next().unwrap_or("");
    Some(json!({
        "type": "customerusers",
        "id": id.to_string(),
        "attributes": {
            "email": u.email, "firstName": local, "lastName": "Buyer", "enabled": true, "confirmed": true, "isGuest": false,
            "externalId": null, "createdAt": iso(u.created_at), "updatedAt": iso(u.created_at),
        },
        "relationships": {
            "customer": rel("customers", Some(u.customer.to_string())),
            "userRoles": {"data": []},
            "owner": {"data": {"type": "users", "id": "1"}},
            "organization": organization(),
        }
    }))
}

pub fn product(st: &State, id: i64) -> Option<Value> {
    st.products.get(&id).map(|p| product_record(p).into_value())
}

pub fn product_record(p: &ProductRec) -> Record {
    let attributes = vec![
        ("createdAt", json!(iso(p.created_at))),
        ("featured", json!(false)),
        ("newArrival", json!(false)),
        ("productType", json!("simple")),
        ("sku", json!(p.sku)),
        ("status", json!("enabled")),
        ("updatedAt", json!(iso(p.updated_at))),
        ("variantFields", json!({})),
    ];
    let precision = |x: &i64| x.to_string();
    let relationships = vec![
        (
            "inventory_status",
            Link::one("prodinventorystatuses", Some(p.inventory_status.clone())),
        ),
        ("names", Link::many("productnames", [p.id.to_string()])),
        ("organization", organization_link()),
        ("owner", Link::one("businessunits", Some("1".to_owned()))),
        (
            "primaryUnitPrecision",
            Link::one("productunitprecisions", p.precisions.first().map(precision)),
        ),
        (
            "taxCode",
            Link::one("producttaxcodes", p.tax_code.map(|t| t.to_string())),
        ),
        (
            "unitPrecisions",
            Link::many("productunitprecisions", p.precisions.iter().map(precision)),
        ),
    ];
    Record::new(
        "products",
        p.id.to_string(),
        attributes,
        Some(relationships),
    )
}

/// The default-localization name of a product (one per product; its id is the product id).
pub fn product_name(st: &State, id: i64) -> Option<Value> {
    let p = st.products.get(&id)?;
    Some(
        json!({"type": "productnames", "id": id.to_string(), "attributes": {"fallback": null, "string": p.name},
                "relationships": {"localization": {"data": null}, "product": rel("products", Some(id.to_string()))}}),
    )
}

pub fn precision(st: &State, id: i64) -> Option<Value> {
    precision_record(st, id).map(Record::into_value)
}

pub fn precision_record(st: &State, id: i64) -> Option<Record> {
    let u = st.precisions.get(&id)?;
    let attributes = vec![
        ("conversionRate", quantity_number(u.conversion_rate)),
        ("precision", json!(u.precision)),
        ("sell", json!(true)),
    ];
    let relationships = vec![
        (
            "product",
            Link::one("products", Some(u.product.to_string())),
        ),
        ("unit", Link::one("productunits", Some(u.unit.clone()))),
    ];
    Some(Record::new(
        "productunitprecisions",
        id.to_string(),
        attributes,
        Some(relationships),
    ))
}

pub fn product_unit(code: &str) -> Option<Value> {
    Some(
        json!({"type": "productunits", "id": code, "attributes": {"defaultPrecision": 0, "label": code, "shortLabel": code}}),
    )
}

pub fn level(st: &State, id: i64) -> Option<Value> {
    st.levels.get(&id).map(|l| level_record(l).into_value())
}

pub fn level_record(l: &LevelRec) -> Record {
    let attributes = vec![
        ("externalId", json!(l.external_id)),
        ("quantity", json!(decimal_string(l.quantity))),
    ];
    let relationships = vec![
        ("organization", organization_link()),
        (
            "product",
            Link::one("products", Some(l.product.to_string())),
        ),
        (
            "productUnitPrecision",
            Link::one("productunitprecisions", Some(l.precision.to_string())),
        ),
    ];
    Record::new(
        "inventorylevels",
        l.id.to_string(),
        attributes,
        Some(relationships),
    )
}

pub fn price_list(st: &State, id: i64) -> Option<Value> {
    let pl = st.price_lists.get(&id)?;
    Some(json!({
        "type": "pricelists",
        "id": id.to_string(),
        "attributes": {
            "active": true, "actual": true, "containSchedule": false, "productAssignmentRule": null, "name": pl.name,
            "createdAt": iso(pl.created_at), "updatedAt": iso(pl.updated_at), "priceListCurrencies": [pl.currency],
        },
        "relationships": {"organization": organization(), "schedules": {"data": []}, "priceRules": {"data": []}}
    }))
}

pub fn price(st: &State, id: &str) -> Option<Value> {
    st.prices
        .iter()
        .find(|p| p.id == id)
        .map(|p| price_record(p).into_value())
}

/// One price rendered from its record (a list renders each directly: looking every id up again
/// made a list quadratic in the number of prices).
pub fn price_record(p: &PriceRec) -> Record {
    let attributes = vec![
        ("currency", json!(p.currency)),
        ("quantity", quantity_number(p.quantity)),
        ("value", json!(money(p.value))),
    ];
    let relationships = vec![
        (
            "priceList",
            Link::one("pricelists", Some(p.price_list.to_string())),
        ),
        (
            "product",
            Link::one("products", Some(p.product.to_string())),
        ),
        ("unit", Link::one("productunits", Some(p.unit.clone()))),
    ];
    Record::new(
        "productprices",
        p.id.clone(),
        attributes,
        Some(relationships),
    )
}

pub fn price_list_assignment(st: &State, id: i64) -> Option<Value> {
    let a = st.assignments.get(&id)?;
    Some(json!({
        "type": "pricelisttocustomers",
        "id": id.to_string(),
        "attributes": {"sortOrder": 100, "mergeAllowed": true},
        "relationships": {
            "customer": rel("customers", Some(a.customer.to_string())),
            "priceList": rel("pricelists", Some(a.price_list.to_string())),
            "website": {"data": {"type": "websites", "id": "1"}},
        }
    }))
}
