//! The sale state machine (reference §5.8): derived statuses, totals, and what authorising, undoing,
//! voiding do to stock allocation (shipping is in `fulfilment`).

use super::state::{Sale, State};
use rust_decimal::Decimal;
use uuid::Uuid;

/// An availability row that changed: (product id, location).
pub(crate) type StockKey = (Uuid, String);

impl Sale {
    /// Sale `Status`, derived the way §5.8 describes it.
    ///
    /// A sale with shipments reads `SHIPPING` until all of it has shipped, then `INVOICING` (the
    /// next stage in §5.8's list: there is no `SHIPPED` sale status). Its `Order.Status` stays
    /// `AUTHORISED`; the combined statuses (§14.5) say how far fulfilment went, and they are what a
    /// client should read.
    pub fn status(&self) -> &'static str {
        if self.voided {
            return "VOIDED";
        }
        if self.shipped_any() {
            return if self.fully_shipped() {
                "INVOICING"
            } else {
                "SHIPPING"
            };
        }
        match self.order.status.as_str() {
            "AUTHORISED" if self.order.lines.iter().any(|l| l.backorder > Decimal::ZERO) => {
                "BACKORDERED"
            }
            "AUTHORISED" => "ORDERED",
            "DRAFT" => "ORDERING",
            _ if self.skip_quote || self.quote_status == "AUTHORISED" => "ESTIMATED",
            _ => "ESTIMATING",
        }
    }

    /// `(TotalBeforeTax, Tax, Total)` over lines and additional charges. With `TaxInclusive` the
    /// line totals already hold the tax.
    pub fn totals(&self) -> (Decimal, Decimal, Decimal) {
        let lines = self.order.lines.iter().map(|l| (l.total, l.tax));
        let charges = self.order.charges.iter().map(|c| (c.total, c.tax));
        let (sum, tax) = lines
            .chain(charges)
            .fold((Decimal::ZERO, Decimal::ZERO), |(s, t), (a, b)| {
                (s + a, t + b)
            });
        if self.tax_inclusive {
            (sum - tax, tax, sum)
        } else {
            (sum, tax, sum + tax)
        }
    }
}

/// Authorises the order: allocates each stock line in base units at the sale's location and
/// backorders what is missing. A pack line is auto-assembled from its base product, whole packs
/// only (auto-assembly cannot build part of a pack), so its backorder is counted in packs.
pub(crate) fn allocate(state: &mut State, idx: usize) -> Vec<StockKey> {
    let location = state.sales[idx].location.clone();
    let mut changed = Vec::new();
    for li in 0..state.sales[idx].order.lines.len() {
        let line = &state.sales[idx].order.lines[li];
        let (quantity, product_id) = (line.quantity, line.product_id);
        let Some(product) = state.product(product_id) else {
            continue;
        };
        if product.kind.eq_ignore_ascii_case("Service") {
            continue;
        }
        let (base_id, factor) = product.bom.unwrap_or((product.id, Decimal::ONE));
        let need = quantity * factor;
        let available = state
            .row_mut(base_id, &location)
            .map_or(Decimal::ZERO, |r| {
                (r.on_hand - r.allocated).max(Decimal::ZERO)
            });
        let mut granted = need.min(available);
        if factor > Decimal::ONE {
            granted = (granted / factor).floor() * factor;
        }
        if granted > Decimal::ZERO {
            state.row_or_new(base_id, &location).allocated += granted;
            changed.push((base_id, location.clone()));
        }
        let line = &mut state.sales[idx].order.lines[li];
        line.allocated_base = granted;
        line.alloc_product = base_id;
        line.backorder = ((need - granted) / factor).normalize();
    }
    state.sales[idx].order.status = "AUTHORISED".to_owned();
    changed
}

/// Gives back every line's allocation and clears backorders (an undone or voided order holds
/// nothing and owes nothing).
pub(crate) fn release(state: &mut State, idx: usize) -> Vec<StockKey> {
    let location = state.sales[idx].location.clone();
    let mut changed = Vec::new();
    for li in 0..state.sales[idx].order.lines.len() {
        let line = &mut state.sales[idx].order.lines[li];
        let (granted, product_id) = (line.allocated_base, line.alloc_product);
        line.allocated_base = Decimal::ZERO;
        line.backorder = Decimal::ZERO;
        if granted > Decimal::ZERO {
            if let Some(row) = state.row_mut(product_id, &location) {
                row.allocated = (row.allocated - granted).max(Decimal::ZERO);
            }
            changed.push((product_id, location.clone()));
        }
    }
    changed
}

/// Voids the sale, releasing its allocation. A shipped sale cannot be voided.
pub(crate) fn void(state: &mut State, idx: usize, now_s: f64) -> Result<Vec<StockKey>, String> {
    let sale = &state.sales[idx];
    if sale.shipped_any() {
        return Err("Sale has been shipped and cannot be voided.".to_owned());
    }
    if sale.voided {
        return Err("Sale is already voided.".to_owned());
    }
    let changed = release(state, idx);
    let sale = &mut state.sales[idx];
    sale.voided = true;
    sale.order.status = "VOIDED".to_owned();
    sale.updated_s = now_s;
    Ok(changed)
}

/// Undoes the last stage: an authorised order goes back to `DRAFT` (allocation released); a draft
/// order goes back to `NOT AVAILABLE` (lines removed); an authorised quote goes back to `DRAFT`.
pub(crate) fn undo(state: &mut State, idx: usize, now_s: f64) -> Result<Vec<StockKey>, String> {
    let sale = &state.sales[idx];
    if sale.voided || !sale.fulfilments.is_empty() {
        return Err(format!(
            "Sale with status {} cannot be undone.",
            sale.status()
        ));
    }
    let mut changed = Vec::new();
    match sale.order.status.as_str() {
        "AUTHORISED" => {
            changed = release(state, idx);
            state.sales[idx].order.status = "DRAFT".to_owned();
        }
        "DRAFT" => {
            let order = &mut state.sales[idx].order;
            order.status = "NOT AVAILABLE".to_owned();
            order.lines.clear();
            order.charges.clear();
        }
        _ if !sale.skip_quote && sale.quote_status == "AUTHORISED" => {
            state.sales[idx].quote_status = "DRAFT".to_owned()
        }
        _ => return Err("There is nothing to undo for this sale.".to_owned()),
    }
    state.sales[idx].updated_s = now_s;
    Ok(changed)
}
