//! `/sale/order`: GET the order, POST to replace its lines and charges and optionally authorise it
//! (which allocates stock and backorders what is missing).

use super::sales::sale_index;
use crate::cin7::emulator::Inner;
use crate::cin7::state::{Charge, Line, State};
use crate::cin7::wire::{cents, field, guid, num, same, text, ApiError, Params, Reply};
use crate::cin7::{sale_ops, views, webhooks};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

pub(super) fn get(inner: &Inner, params: &Params) -> Reply {
    let state = inner.lock();
    let idx = sale_index(&state, params.get("SaleID"), "SaleID")?;
    Ok(views::order(&state, &state.sales[idx]))
}

/// Replaces the order while it is not authorised (a sub-document POST replaces the whole set);
/// `Status: AUTHORISED` authorises it, including a `DRAFT` order posted again. The quote stage is
/// not enforced: an order on a sale created without `SkipQuote` authorises its quote implicitly,
/// which keeps a client that follows the documented flow working either way.
pub(super) fn post(inner: &Inner, body: &Value) -> Reply {
    let now = inner.now_s();
    let mut state = inner.lock();
    let idx = sale_index(&state, text(body, "SaleID").as_deref(), "SaleID")?;
    let sale = &state.sales[idx];
    if sale.voided {
        return Err(ApiError::bad("Sale is voided and cannot be changed."));
    }
    if sale.order.status == "AUTHORISED" || sale.shipped_s.is_some() {
        return Err(ApiError::bad(
            "Sale order is already authorised. Undo the order before changing it.",
        ));
    }
    let status =
        text(body, "Status").map_or_else(|| "DRAFT".to_owned(), |s| s.trim().to_uppercase());
    if status != "DRAFT" && status != "AUTHORISED" {
        return Err(ApiError::bad(format!(
            "Status '{status}' is not valid: use DRAFT or AUTHORISED."
        )));
    }
    let lines = items(body, "Lines")?
        .iter()
        .enumerate()
        .map(|(n, l)| line(&state, l, n + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let charges = items(body, "AdditionalCharges")?
        .iter()
        .map(|c| charge(&state, c))
        .collect::<Result<Vec<_>, _>>()?;
    let sale = &mut state.sales[idx];
    sale.order.lines = lines;
    sale.order.charges = charges;
    sale.order.memo = text(body, "Memo").unwrap_or_default();
    sale.order.status = "DRAFT".to_owned();
    if !sale.skip_quote {
        sale.quote_status = "AUTHORISED".to_owned();
    }
    sale.updated_s = now;
    if status == "AUTHORISED" {
        let changed = sale_ops::allocate(&mut state, idx);
        webhooks::emit_sale(&mut state, now, webhooks::ORDER_AUTHORISED, idx);
        if state.sales[idx].status() == "BACKORDERED" {
            webhooks::emit_sale(&mut state, now, webhooks::BACKORDERED, idx);
        }
        webhooks::emit_stock(&mut state, now, changed);
    }
    Ok(views::order(&state, &state.sales[idx]))
}

fn items<'a>(body: &'a Value, key: &str) -> Result<&'a [Value], ApiError> {
    match field(body, key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ApiError::bad(format!("Attribute {key} must be an array."))),
    }
}

/// Every line and charge names its own rule (the sale's `TaxRule` is only a default for the UI):
/// missing, unknown or inactive is refused, as Cin7 does (reference §5.6, §16.1).
fn tax_rule(state: &State, item: &Value, what: &str) -> Result<String, ApiError> {
    let rule = text(item, "TaxRule").ok_or_else(|| {
        ApiError::bad(format!(
            "{what}: required attribute TaxRule is not provided."
        ))
    })?;
    match state.tax_rule(&rule) {
        Some(t) if t.active => Ok(t.name.clone()),
        Some(_) => Err(ApiError::bad(format!(
            "{what}: tax rule '{rule}' is not active."
        ))),
        None => Err(ApiError::missing(format!(
            "Tax rule '{rule}' was not found in Tax Rules reference book"
        ))),
    }
}

/// One order line, by `ProductID` or `SKU`. Its `Total` (optional) must be quantity × price ×
/// (1 − discount/100) to the cent (±0.01). The reference leaves open whether Cin7 adds the line
/// tax, so a total that includes it is also accepted; the stored total is always tax-exclusive.
fn line(state: &State, item: &Value, n: usize) -> Result<Line, ApiError> {
    let by_id = guid(text(item, "ProductID").as_deref()).and_then(|id| state.product(id));
    let product = match (by_id, text(item, "SKU")) {
        (Some(p), _) => p,
        (None, Some(sku)) => state
            .product_by_sku(&sku)
            .ok_or_else(|| ApiError::missing(format!("Product with SKU '{sku}' was not found.")))?,
        (None, None) => match text(item, "ProductID") {
            Some(id) => {
                return Err(ApiError::missing(format!(
                    "Product with ID '{id}' was not found."
                )))
            }
            None => {
                return Err(ApiError::bad(format!(
                    "Line {n}: required attribute SKU or ProductID is not provided."
                )))
            }
        },
    };
    let name = text(item, "Name").ok_or_else(|| {
        ApiError::bad(format!(
            "Line {n}: required attribute Name is not provided."
        ))
    })?;
    let tax_rule = tax_rule(state, item, &format!("Line {n}"))?;
    let quantity = num(item, "Quantity")?.unwrap_or_default();
    if quantity <= Decimal::ZERO {
        return Err(ApiError::bad(format!(
            "Line {n}: attribute 'Quantity' must be greater than zero."
        )));
    }
    let price = num(item, "Price")?.ok_or_else(|| {
        ApiError::bad(format!(
            "Line {n}: required attribute Price is not provided."
        ))
    })?;
    let discount = num(item, "Discount")?.unwrap_or_default();
    if discount < Decimal::ZERO || discount > Decimal::ONE_HUNDRED {
        return Err(ApiError::bad(format!(
            "Line {n}: attribute 'Discount' must be between 0 and 100."
        )));
    }
    let tax = num(item, "Tax")?.unwrap_or_default();
    let expected = cents(quantity * price * (Decimal::ONE - discount / Decimal::ONE_HUNDRED));
    if let Some(total) = num(item, "Total")? {
        let tolerance = Decimal::new(1, 2);
        if (total - expected).abs() > tolerance && (total - (expected + tax)).abs() > tolerance {
            return Err(ApiError::bad(format!(
                "Sale order line {n} ({}): attribute 'Total' doesn't match the calculated value. Expected value is: {expected:.2}",
                product.sku
            )));
        }
    }
    Ok(Line {
        product_id: product.id,
        sku: product.sku.clone(),
        name,
        quantity,
        price,
        discount,
        tax,
        total: expected,
        tax_rule,
        comment: text(item, "Comment").unwrap_or_default(),
        backorder: Decimal::ZERO,
        allocated_base: Decimal::ZERO,
        alloc_product: Uuid::nil(),
    })
}

/// An additional charge (shipping, fees): `Description` is the name of a Service product and the
/// charge names its tax rule (reference §5.6); its total is computed.
fn charge(state: &State, item: &Value) -> Result<Charge, ApiError> {
    let description = text(item, "Description").ok_or_else(|| {
        ApiError::bad("Additional charge: required attribute Description is not provided.")
    })?;
    let is_service = state
        .products
        .iter()
        .any(|p| same(&p.name, &description) && same(&p.kind, "Service"));
    if !is_service {
        return Err(ApiError::missing(format!(
            "Service product with name '{description}' was not found."
        )));
    }
    let tax_rule = tax_rule(state, item, "Additional charge")?;
    let quantity = num(item, "Quantity")?.unwrap_or(Decimal::ONE);
    let price = num(item, "Price")?.unwrap_or_default();
    let discount = num(item, "Discount")?.unwrap_or_default();
    Ok(Charge {
        description,
        quantity,
        price,
        discount,
        tax: num(item, "Tax")?.unwrap_or_default(),
        total: cents(quantity * price * (Decimal::ONE - discount / Decimal::ONE_HUNDRED)),
        tax_rule,
        comment: text(item, "Comment").unwrap_or_default(),
    })
}
