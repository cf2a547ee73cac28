//! `GET /ref/productavailability`: one row per product and location (no bins or batches), with
//! `Available = OnHand - Allocated`.

use crate::cin7::emulator::Inner;
use crate::cin7::views;
use crate::cin7::wire::{envelope_lazy, guid, same, Params, Reply};

/// Filters: `ID` (product id) exact, `Sku` exact ("the specific sku"), `Name` starts-with,
/// `Location` by name; all case-insensitive.
pub(super) fn list(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let id = guid(params.get("ID"));
    let (sku, name, location) = (
        params.get("Sku"),
        params.get("Name"),
        params.get("Location"),
    );
    let rows: Vec<_> = state
        .stock
        .iter()
        .filter(|r| id.is_none_or(|id| r.product_id == id))
        .filter(|r| location.is_none_or(|l| same(&r.location, l)))
        .filter(|r| {
            let product = state.product(r.product_id);
            let sku_ok = sku.is_none_or(|s| product.is_some_and(|p| same(&p.sku, s)));
            let name_ok = name.is_none_or(|n| {
                product.is_some_and(|p| p.name.to_lowercase().starts_with(&n.to_lowercase()))
            });
            sku_ok && name_ok
        })
        .collect();
    Ok(envelope_lazy(
        "ProductAvailabilityList",
        rows,
        params,
        |r| views::availability(&state, r),
    ))
}
