//! `GET /ref/productavailability`: one row per product × location × bin, with
//! `Available = OnHand - Allocated` on every row.
//!
//! The emulator keeps one stock figure per product and location; with the scenario's
//! `cin7.availability_bins` it shows that figure spread over a row without a bin plus one row per
//! bin, as Cin7 does for a warehouse with bins (reference §5.3 and the stock webhook sample:
//! bins `null`, `Bin 1`, `Bin 2` for one product). A client must sum the rows.

use crate::cin7::emulator::Inner;
use crate::cin7::state::{State, StockRow};
use crate::cin7::views;
use crate::cin7::wire::{envelope_lazy, guid, money, same, Params, Reply};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// Filters: `ID` (product id) exact, `Sku` exact ("the specific sku"), `Name` starts-with,
/// `Location` by name; all case-insensitive. `Total` counts rows, bins included.
pub(super) fn list(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let id = guid(params.get("ID"));
    let (sku, name, location) = (
        params.get("Sku"),
        params.get("Name"),
        params.get("Location"),
    );
    let parts = state.bins.len() + 1;
    let rows: Vec<(&StockRow, usize)> = state
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
        .flat_map(|r| (0..parts).map(move |part| (r, part)))
        .collect();
    Ok(envelope_lazy(
        "ProductAvailabilityList",
        rows,
        params,
        |(r, part)| bin_row(&state, r, part),
    ))
}

/// Every row of one product at one location: the bin-less row first, then one per bin.
pub(crate) fn rows_of(state: &State, row: &StockRow) -> Vec<Value> {
    (0..=state.bins.len())
        .map(|part| bin_row(state, row, part))
        .collect()
}

/// Part `part` of the row: 0 is the row without a bin, `n` the n-th bin of the scenario.
fn bin_row(state: &State, row: &StockRow, part: usize) -> Value {
    let mut view = views::availability(state, row);
    if state.bins.is_empty() {
        return view;
    }
    let parts = state.bins.len() + 1;
    let on_hand = share(row.on_hand, parts, part);
    let allocated = share(row.allocated, parts, part);
    view["Bin"] = part
        .checked_sub(1)
        .and_then(|i| state.bins.get(i))
        .map_or(Value::Null, |b| json!(b));
    view["OnHand"] = money(on_hand);
    view["Allocated"] = money(allocated);
    view["Available"] = money(on_hand - allocated);
    view
}

/// `total` split in `parts` whole-unit shares; part 0 takes the remainder, so the parts always add
/// up to `total` exactly (fractions included).
fn share(total: Decimal, parts: usize, part: usize) -> Decimal {
    let count = Decimal::from(parts.max(1) as u64);
    let even = (total / count).trunc();
    if part == 0 {
        total - even * (count - Decimal::ONE)
    } else {
        even
    }
}

#[cfg(test)]
mod tests {
    use super::share;
    use rust_decimal_macros::dec;

    #[test]
    fn shares_add_up_to_the_total_exactly() {
        for (total, parts) in [
            (dec!(497), 3),
            (dec!(10), 3),
            (dec!(2.5), 2),
            (dec!(-7), 3),
            (dec!(0), 4),
            (dec!(1), 1),
        ] {
            let sum: rust_decimal::Decimal = (0..parts).map(|p| share(total, parts, p)).sum();
            assert_eq!(sum, total, "{total} over {parts}");
        }
        assert_eq!(share(dec!(10), 3, 0), dec!(4));
        assert_eq!(share(dec!(10), 3, 2), dec!(3));
    }
}
