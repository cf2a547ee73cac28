//! The catalogue records renderer as it was before records were rendered flat (`serde_json::Value`
//! trees), kept to check the flat rendering writes the same bytes.
#![allow(dead_code)]

use crate::oro::jsonapi::{decimal_string, iso, money, quantity_number, rel, rels};
use crate::oro::render::organization;
use crate::oro::state::{PriceRec, State};
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
    let p = st.products.get(&id)?;
    Some(json!({
        "type": "products",
        "id": id.to_string(),
        "attributes": {
            "sku": p.sku, "status": "enabled", "productType": "simple", "variantFields": {}, "featured": false, "newArrival": false,
            "createdAt": iso(p.created_at), "updatedAt": iso(p.updated_at),
        },
        "relationships": {
            "names": rels("productnames", [id.to_string()]),
            "unitPrecisions": rels("productunitprecisions", p.precisions.iter().map(|x| x.to_string())),
            "primaryUnitPrecision": rel("productunitprecisions", p.precisions.first().map(|x| x.to_string())),
            "inventory_status": rel("prodinventorystatuses", Some(p.inventory_status.clone())),
            "taxCode": rel("producttaxcodes", p.tax_code.map(|t| t.to_string())),
            "owner": {"data": {"type": "businessunits", "id": "1"}},
            "organization": organization(),
        }
    }))
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
    let u = st.precisions.get(&id)?;
    Some(json!({
        "type": "productunitprecisions",
        "id": id.to_string(),
        "attributes": {"precision": u.precision, "conversionRate": quantity_number(u.conversion_rate), "sell": true},
        "relationships": {"product": rel("products", Some(u.product.to_string())), "unit": rel("productunits", Some(u.unit.clone()))}
    }))
}

pub fn product_unit(code: &str) -> Option<Value> {
    Some(
        json!({"type": "productunits", "id": code, "attributes": {"defaultPrecision": 0, "label": code, "shortLabel": code}}),
    )
}

pub fn level(st: &State, id: i64) -> Option<Value> {
    let l = st.levels.get(&id)?;
    Some(json!({
        "type": "inventorylevels",
        "id": id.to_string(),
        "attributes": {"quantity": decimal_string(l.quantity), "externalId": l.external_id},
        "relationships": {
            "product": rel("products", Some(l.product.to_string())),
            "productUnitPrecision": rel("productunitprecisions", Some(l.precision.to_string())),
            "organization": organization(),
        }
    }))
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
    st.prices.iter().find(|p| p.id == id).map(price_record)
}

/// One price rendered from its record (a list renders each directly: looking every id up again
/// made a list quadratic in the number of prices).
pub fn price_record(p: &PriceRec) -> Value {
    json!({
        "type": "productprices",
        "id": p.id,
        "attributes": {"quantity": quantity_number(p.quantity), "value": money(p.value), "currency": p.currency},
        "relationships": {
            "priceList": rel("pricelists", Some(p.price_list.to_string())),
            "product": rel("products", Some(p.product.to_string())),
            "unit": rel("productunits", Some(p.unit.clone())),
        }
    })
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
