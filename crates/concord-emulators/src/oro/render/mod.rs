//! Renders stored records as JSON:API resource objects, the same shape for a GET, an `included`
//! entry and a webhook payload. [`resource`] finds any record by (type, id), which is what makes
//! `include` and subresource reads generic.

mod catalog;
mod orders;
pub mod record;
mod taxes;

pub use catalog::{
    customer, customer_user, level, level_record, precision, precision_record, price, price_list,
    price_list_assignment, price_record, product, product_name, product_record, product_unit,
};
pub use orders::{
    line_item, line_item_record, order, order_record, subtotal, subtotal_records, subtotals,
};
use record::{Link, Rec};

use super::state::State;
use super::tax_codes::TaxCodeKind;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Enum-backed types whose option code is the id (§3.2).
const ENUM_TYPES: &[&str] = &[
    "orderinternalstatuses",
    "orderstatuses",
    "ordershippingstatuses",
    "prodinventorystatuses",
];

/// Any record by its JSON:API type and id.
pub fn resource(st: &State, kind: &str, id: &str) -> Option<Value> {
    let num = id.parse::<i64>().ok();
    match kind {
        "orders" => order(st, num?),
        "orderlineitems" => line_item(st, num?),
        "ordersubtotals" => subtotal(st, id),
        "customers" => customer(st, num?),
        "customerusers" => customer_user(st, num?),
        "products" => product(st, num?),
        "productnames" => product_name(st, num?),
        "productunitprecisions" => precision(st, num?),
        "productunits" => product_unit(id),
        "inventorylevels" => level(st, num?),
        "pricelists" => price_list(st, num?),
        "productprices" => price(st, id),
        "pricelisttocustomers" => price_list_assignment(st, num?),
        "customertaxcodes" => super::routes::tax_codes::render(st, TaxCodeKind::Customer, num?),
        "producttaxcodes" => super::routes::tax_codes::render(st, TaxCodeKind::Product, num?),
        "webhooks" => super::routes::webhooks::render(st, id),
        "orderdiscounts" => super::routes::discounts::render(st, num?),
        "ordershippingtrackings" => super::routes::trackings::render(st, num?),
        "asyncoperations" => super::batch::render(st, num?),
        k if ENUM_TYPES.contains(&k) => Some(enum_option(k, id)),
        _ => None,
    }
}

/// Any record by its JSON:API type and id, the types a list page includes by the thousand
/// rendered flat.
pub fn resource_rec(st: &State, kind: &str, id: &str) -> Option<Rec> {
    let num = || id.parse::<i64>().ok();
    let flat = match kind {
        "orders" => order_record(st, st.orders.get(&num()?)?),
        "orderlineitems" => line_item_record(st, num()?),
        "products" => Some(product_record(st.products.get(&num()?)?)),
        "productunitprecisions" => precision_record(st, num()?),
        "inventorylevels" => Some(level_record(st.levels.get(&num()?)?)),
        _ => return resource(st, kind, id).map(Rec::Json),
    };
    flat.map(Rec::Flat)
}

/// Finds records for one document's `included`. An order's subtotal rows can only be rendered
/// together, so the rows of an order are rendered once and handed out by id: looking each row
/// up on its own rendered all of them seven times over.
pub struct Resolver<'s> {
    st: &'s State,
    subtotals: HashMap<String, record::Record>,
}

impl<'s> Resolver<'s> {
    pub fn new(st: &'s State) -> Self {
        Resolver {
            st,
            subtotals: HashMap::new(),
        }
    }

    /// As [`resource_rec`].
    pub fn get(&mut self, kind: &str, id: &str) -> Option<Rec> {
        if kind != "ordersubtotals" {
            return resource_rec(self.st, kind, id);
        }
        if let Some(found) = self.subtotals.remove(id) {
            return Some(Rec::Flat(found));
        }
        let order_id = id.split('-').next()?.parse::<i64>().ok()?;
        let rows = subtotal_records(self.st, order_id);
        self.subtotals
            .extend(rows.into_iter().map(|r| (r.id.clone(), r)));
        self.subtotals.remove(id).map(Rec::Flat)
    }
}

/// An enum option record (`orderinternalstatuses/open` …): its name is the code made readable.
pub fn enum_option(kind: &str, code: &str) -> Value {
    let name: String = code
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    json!({"type": kind, "id": code, "attributes": {"name": name, "default": code == "open" || code == "not_shipped"}})
}

/// The organization and owner every record belongs to: one organization, user 1, business unit 1.
pub fn organization() -> Value {
    json!({"data": {"type": "organizations", "id": "1"}})
}

/// [`organization`] as a flat record's relationship.
pub fn organization_link() -> Link {
    Link::one("organizations", Some("1".to_owned()))
}
