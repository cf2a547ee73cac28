//! `/product`: GET (filters and paging), POST (create; any `ID` ignored) and PUT (update by `ID`),
//! all answering the `{Total, Page, Products}` envelope.

use crate::cin7::emulator::Inner;
use crate::cin7::state::{Product, State};
use crate::cin7::views;
use crate::cin7::wire::{
    envelope_lazy, field, guid, keep_extra, num, same, since, text, ApiError, Params, Reply,
};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use uuid::Uuid;

const MODELLED: &[&str] = &[
    "ID",
    "SKU",
    "Name",
    "UOM",
    "Type",
    "Status",
    "Category",
    "PriceTiers",
    "LastModifiedOn",
    "BillOfMaterial",
    "AutoAssembly",
    "AutoDisassembly",
    "BillOfMaterialsProducts",
    "BillOfMaterialsServices",
    "BOMType",
    "PriceTier1",
    "PriceTier2",
    "PriceTier3",
    "PriceTier4",
    "PriceTier5",
    "PriceTier6",
    "PriceTier7",
    "PriceTier8",
    "PriceTier9",
    "PriceTier10",
    "AverageCost",
];

/// `Sku` and `Name` match as "contains" (the docs disagree between contains and starts-with; the
/// looser match keeps clients honest about post-filtering for an exact SKU). Deprecated products
/// are hidden unless `IncludeDeprecated=true`; BOM arrays are filled only with `IncludeBOM=true`.
pub(super) fn list(inner: &Inner, params: &Params) -> Reply {
    let modified = since(&inner.clock, params, "ModifiedSince")?;
    let state = inner.lock();
    let id = guid(params.get("ID"));
    let contains = |hay: &str, needle: Option<&str>| {
        needle.is_none_or(|n| hay.to_lowercase().contains(&n.to_lowercase()))
    };
    let rows: Vec<_> = state
        .products
        .iter()
        .filter(|p| id.is_none_or(|id| p.id == id))
        .filter(|p| contains(&p.sku, params.get("Sku")) && contains(&p.name, params.get("Name")))
        .filter(|p| modified.is_none_or(|m| p.modified_s >= m))
        .filter(|p| params.flag("IncludeDeprecated") || !same(&p.status, "Deprecated"))
        .collect();
    let bom = params.flag("IncludeBOM");
    Ok(envelope_lazy("Products", rows, params, |p| {
        views::product(&state, &inner.clock, p, bom)
    }))
}

pub(super) fn create(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let sku = text(body, "SKU")
        .ok_or_else(|| ApiError::bad("Required attribute SKU is not provided."))?;
    let name = text(body, "Name")
        .ok_or_else(|| ApiError::bad("Required attribute Name is not provided."))?;
    if state.product_by_sku(&sku).is_some() {
        return Err(ApiError::bad(format!(
            "Product with SKU '{sku}' already exists."
        )));
    }
    let mut product = Product {
        id: Uuid::new_v4(),
        sku,
        name,
        uom: text(body, "UOM").unwrap_or_else(|| "Item".to_owned()),
        kind: text(body, "Type").unwrap_or_else(|| "Stock".to_owned()),
        status: text(body, "Status").unwrap_or_else(|| "Active".to_owned()),
        category: text(body, "Category").unwrap_or_else(|| "General".to_owned()),
        tiers: [Decimal::ZERO; 10],
        bom: None,
        modified_s: now,
        extra: Map::new(),
    };
    apply(&state, &mut product, body)?;
    let view = views::product(&state, &inner.clock, &product, true);
    state.add_product(product);
    Ok(json!({"Total": 1, "Page": 1, "Products": [view]}))
}

/// Updates the product named by `ID`; `Type` is read-only on PUT.
pub(super) fn update(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let id = guid(text(body, "ID").as_deref())
        .ok_or_else(|| ApiError::bad("Required attribute ID is not provided."))?;
    let index = state
        .products
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| ApiError::missing(format!("Product with ID '{id}' not found.")))?;
    let mut product = state.products[index].clone();
    if let Some(sku) = text(body, "SKU") {
        if state
            .products
            .iter()
            .any(|p| p.id != id && same(&p.sku, &sku))
        {
            return Err(ApiError::bad(format!(
                "Product with SKU '{sku}' already exists."
            )));
        }
        product.sku = sku;
    }
    for (key, slot) in [
        ("Name", &mut product.name),
        ("UOM", &mut product.uom),
        ("Status", &mut product.status),
        ("Category", &mut product.category),
    ] {
        if let Some(value) = text(body, key) {
            *slot = value;
        }
    }
    apply(&state, &mut product, body)?;
    product.modified_s = now;
    let view = views::product(&state, &inner.clock, &product, true);
    state.replace_product(index, product);
    Ok(json!({"Total": 1, "Page": 1, "Products": [view]}))
}

/// Prices (`PriceTier1..10`, then `PriceTiers` by tier name, which wins), the BOM of a pack, and
/// unmodelled fields to echo back. An unknown tier name is refused rather than silently dropped.
fn apply(state: &State, product: &mut Product, body: &Value) -> Result<(), ApiError> {
    for i in 0..10 {
        if let Some(price) = num(body, &format!("PriceTier{}", i + 1))? {
            product.tiers[i] = price;
        }
    }
    if let Some(Value::Object(named)) = field(body, "PriceTiers") {
        for name in named.keys() {
            let index = state.tier_index(name).ok_or_else(|| {
                ApiError::missing(format!(
                    "Price tier '{name}' was not found in Price Tiers reference book"
                ))
            })?;
            if let Some(price) = num(&Value::Object(named.clone()), name)? {
                product.tiers[index] = price;
            }
        }
    }
    if let Some(Value::Array(components)) = field(body, "BillOfMaterialsProducts") {
        if let Some(first) = components.first() {
            let by_id =
                guid(text(first, "ComponentProductID").as_deref()).and_then(|id| state.product(id));
            let base =
                by_id.or_else(|| text(first, "ProductCode").and_then(|c| state.product_by_sku(&c)));
            let base = base.ok_or_else(|| ApiError::missing("Component product was not found."))?;
            product.bom = Some((base.id, num(first, "Quantity")?.unwrap_or(Decimal::ONE)));
        }
    }
    keep_extra(&mut product.extra, body, MODELLED);
    Ok(())
}
