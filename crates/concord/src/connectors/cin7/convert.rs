//! Wire ↔ domain translation for Cin7 (syntax only; business rules live in `sync/`).

use super::models::*;
use crate::domain::*;

pub fn product(p: Product) -> ErpProduct {
    let pack = match (p.bill_of_material, p.bom.as_slice()) {
        (true, [only]) if only.quantity > rust_decimal::Decimal::ZERO => Some(Pack {
            base_sku: only.product_code.clone(),
            size: only.quantity,
        }),
        _ => None,
    };
    ErpProduct {
        id: p.id,
        sku: p.sku,
        name: p.name,
        pack,
        price_tiers: p.price_tiers.into_iter().collect(),
        is_service: p
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("service")),
    }
}

/// As [`product`], with the prices of the `tiers` named only (see `Cin7Client::products`).
pub fn product_of_tiers(p: Product, tiers: &[String]) -> ErpProduct {
    let mut product = product(p);
    product.price_tiers.keep_only(tiers);
    product
}

pub fn customer(c: Customer) -> ErpCustomer {
    ErpCustomer {
        id: c.id,
        name: c.name,
        currency: c.currency,
        on_credit_hold: c.is_on_credit_hold,
        payment_term: c.payment_term,
        tax_rule: c.tax_rule.filter(|r| !r.is_empty()),
        oro_id: c.additional_attribute1.filter(|s| !s.is_empty()),
    }
}

pub fn customer_write(c: &NewErpCustomer) -> CustomerWrite {
    CustomerWrite {
        name: c.name.clone(),
        status: "Active",
        currency: c.currency.clone(),
        payment_term: c.payment_term.clone(),
        is_on_credit_hold: c.on_credit_hold,
        price_tier: c.price_tier.clone(),
        tax_rule: c.tax_rule.clone(),
        account_receivable: c.account_receivable.clone(),
        revenue_account: c.revenue_account.clone(),
        additional_attribute1: c.oro_id.clone(),
        additional_attribute2: c.hierarchy_path.clone(),
    }
}

pub fn sale_summary(r: SaleListRow) -> SaleSummary {
    SaleSummary {
        id: r.sale_id,
        external_id: r.external_id.filter(|s| !s.is_empty()),
        status: r.status,
        order_status: r.order_status,
        customer: r.customer,
        shipping_status: r.combined_shipping_status,
        tracking_numbers: r.combined_tracking_numbers.filter(|t| !t.trim().is_empty()),
        paid: r.paid_amount,
    }
}

pub fn sale_detail(s: Sale) -> SaleDetail {
    let order = s.order.unwrap_or_default();
    SaleDetail {
        id: s.id,
        external_id: s.external_id.filter(|e| !e.is_empty()),
        status: s.status,
        order_status: order.status,
        customer: s.customer,
        lines: order
            .lines
            .into_iter()
            .map(|l| SaleLine {
                sku: l.sku,
                product_id: l.product_id.filter(|id| !id.is_empty()),
                name: l.name,
                tax_rule: l.tax_rule,
                quantity: l.quantity,
                price: l.price,
                discount: l.discount,
                tax: l.tax,
                total: l.total,
            })
            .collect(),
        charges: order
            .additional_charges
            .into_iter()
            .map(|c| SaleCharge {
                description: c.description,
                tax_rule: c.tax_rule,
                quantity: c.quantity,
                price: c.price,
                tax: c.tax,
                total: c.total,
                comment: c.comment.filter(|c| !c.is_empty()),
            })
            .collect(),
        total: order.total,
    }
}

pub fn stock_row(r: AvailabilityRow) -> StockRow {
    StockRow {
        sku: r.sku,
        location: r.location,
        on_hand: r.on_hand,
        allocated: r.allocated,
        available: r.available,
    }
}

pub fn order_body(sale_id: &str, stage: OrderStage, order: &SaleOrder) -> serde_json::Value {
    let lines: Vec<Line> = order
        .lines
        .iter()
        .map(|l| Line {
            product_id: l.product_id.clone(),
            sku: l.sku.clone(),
            name: l.name.clone(),
            tax_rule: l.tax_rule.clone(),
            quantity: l.quantity,
            price: l.price,
            discount: l.discount,
            tax: l.tax,
            total: l.total,
        })
        .collect();
    let charges: Vec<Charge> = order
        .charges
        .iter()
        .map(|c| Charge {
            description: c.description.clone(),
            tax_rule: c.tax_rule.clone(),
            quantity: c.quantity,
            price: c.price,
            tax: c.tax,
            total: c.total,
            comment: c.comment.clone(),
        })
        .collect();
    serde_json::json!({
        "SaleID": sale_id,
        "Status": stage.as_cin7(),
        "Memo": order.memo,
        "Lines": lines,
        "AdditionalCharges": charges,
    })
}

/// The ids of the customers a `Customer/Updated` webhook body names. Only the ids: the documented
/// payload has no `IsOnCreditHold`, and nothing proves a delivery's content, so Concord reads each
/// customer back from Cin7 and trusts only that.
pub fn customer_updated_ids(body: &[u8]) -> Result<Vec<String>, serde_json::Error> {
    let parsed: CustomerUpdated = serde_json::from_slice(body)?;
    Ok(parsed
        .customer_details_list
        .into_iter()
        .map(|d| d.customer.id)
        .filter(|id| !id.trim().is_empty())
        .collect())
}

/// The rows of a `Stock/AvailableStockLevelChanged` body (a bare array, no event type).
pub fn stock_changed(body: &[u8]) -> Result<Vec<StockRow>, serde_json::Error> {
    let rows: Vec<AvailabilityRow> = serde_json::from_slice(body)?;
    Ok(rows.into_iter().map(stock_row).collect())
}
