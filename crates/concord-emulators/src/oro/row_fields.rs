//! Which fields each stored record offers typed list reads (see [`super::rows`]), and their cells.

use super::rows::{Cell, Row};
use super::state::{CustomerRec, LevelRec, OrderRec, PriceRec, ProductRec};

fn opt_int(v: Option<i64>) -> Cell<'static> {
    v.map_or(Cell::Null, Cell::Int)
}

fn opt_text(v: Option<&str>) -> Cell<'_> {
    v.map_or(Cell::Null, Cell::Text)
}

impl Row for PriceRec {
    const FIELDS: &'static [&'static str] = &["priceList", "product", "currency", "quantity"];
    fn cell(&self, field: &str) -> Cell<'_> {
        match field {
            "id" => Cell::Text(&self.id),
            "priceList" => Cell::Int(self.price_list),
            "product" => Cell::Int(self.product),
            "currency" => Cell::Text(&self.currency),
            "quantity" => Cell::Dec(self.quantity),
            _ => Cell::Null,
        }
    }
}

impl Row for ProductRec {
    const FIELDS: &'static [&'static str] = &[
        "sku",
        "createdAt",
        "updatedAt",
        "inventory_status",
        "taxCode",
    ];
    fn cell(&self, field: &str) -> Cell<'_> {
        match field {
            "id" => Cell::Int(self.id),
            "sku" => Cell::Text(&self.sku),
            "createdAt" => Cell::Time(self.created_at),
            "updatedAt" => Cell::Time(self.updated_at),
            "inventory_status" => Cell::Text(&self.inventory_status),
            "taxCode" => opt_int(self.tax_code),
            _ => Cell::Null,
        }
    }
}

impl Row for LevelRec {
    const FIELDS: &'static [&'static str] = &["product", "productUnitPrecision", "externalId"];
    fn cell(&self, field: &str) -> Cell<'_> {
        match field {
            "id" => Cell::Int(self.id),
            "product" => Cell::Int(self.product),
            "productUnitPrecision" => Cell::Int(self.precision),
            "externalId" => opt_text(self.external_id.as_deref()),
            _ => Cell::Null,
        }
    }
}

impl Row for OrderRec {
    const FIELDS: &'static [&'static str] = &[
        "identifier",
        "poNumber",
        "external",
        "externalId",
        "createdAt",
        "updatedAt",
        "customer",
        "customerUser",
    ];
    fn cell(&self, field: &str) -> Cell<'_> {
        match field {
            "id" => Cell::Int(self.id),
            "identifier" => Cell::Text(&self.identifier),
            "poNumber" => opt_text(self.po_number.as_deref()),
            // Orders placed through the storefront, never imported: `external` is always false.
            "external" => Cell::Bool(false),
            "externalId" => opt_text(self.external_id.as_deref()),
            "createdAt" => Cell::Time(self.created_at),
            "updatedAt" => Cell::Time(self.updated_at),
            "customer" => Cell::Int(self.customer),
            "customerUser" => opt_int(self.customer_user),
            _ => Cell::Null,
        }
    }
}

impl Row for CustomerRec {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "parent",
        "taxCode",
        "createdAt",
        "updatedAt",
        "externalId",
    ];
    fn cell(&self, field: &str) -> Cell<'_> {
        match field {
            "id" => Cell::Int(self.id),
            "name" => Cell::Text(&self.name),
            "parent" => opt_int(self.parent),
            "taxCode" => opt_int(self.tax_code),
            "createdAt" => Cell::Time(self.created_at),
            "updatedAt" => Cell::Time(self.updated_at),
            _ => Cell::Null,
        }
    }
}
