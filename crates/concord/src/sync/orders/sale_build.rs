//! The Cin7 sale order for an Oro order: lines at the exact Oro price with their Cin7 product,
//! tax rule and tax; shipping as one charge on the configured service product; Oro's discounts
//! shown apart from the contract price (spec 4.2). Pure; tests in `sale_build_tests.rs`.

use super::discounts::{
    discounted_nets, plan_discounts, DiscountError, DiscountPlan, LineForDiscount,
};
use super::mapping::MappedUnit;
use super::tax::expected_tax;
use super::tax_check::OrderTax;
use super::tax_rates::allocate_tax_total;
use super::validate::Finding;
use crate::config::Rules;
use crate::domain::{OroOrder, SaleCharge, SaleLine, SaleOrder};
use concord_core::catalogue::ExceptionKind;
use concord_core::domain::round_money;
use rust_decimal::Decimal;

/// Each line's tax as Oro states it: itemised, or Oro's total less shipping's stated tax shared
/// over the lines by their expected tax (spec 4.1, `total_only`).
pub fn line_taxes(order: &OroOrder, tax: &OrderTax) -> Vec<Decimal> {
    if let Some(per_line) = order
        .lines
        .iter()
        .map(|l| l.tax)
        .collect::<Option<Vec<_>>>()
    {
        return per_line;
    }
    let gross: Vec<Decimal> = order.lines.iter().map(|l| l.quantity * l.price).collect();
    let nets = discounted_nets(&gross, &order.discounts);
    let expected: Vec<Decimal> = nets
        .iter()
        .zip(&tax.line_percents)
        .map(|(net, p)| p.map(|p| expected_tax(*net, p)).unwrap_or_default())
        .collect();
    let lines_tax = order.tax_total.unwrap_or_default() - order.shipping_tax.unwrap_or_default();
    allocate_tax_total(lines_tax, &expected, &nets)
}

pub fn build_sale_order(
    rules: &Rules,
    order: &OroOrder,
    mapped: &[MappedUnit],
    tax: &OrderTax,
) -> Result<SaleOrder, DiscountError> {
    let taxes = line_taxes(order, tax);
    let for_discount: Vec<LineForDiscount> = order
        .lines
        .iter()
        .zip(&taxes)
        .zip(&tax.line_percents)
        .map(|((l, t), p)| LineForDiscount {
            gross: round_money(l.quantity * l.price),
            oro_tax: *t,
            percent: *p,
        })
        .collect();
    let plan = plan_discounts(
        &for_discount,
        &order.discounts,
        rules.discount_charge.as_deref(),
    )?;
    let mut lines: Vec<SaleLine> = order
        .lines
        .iter()
        .zip(mapped)
        .zip(&taxes)
        .zip(&tax.rules.lines)
        .map(|(((l, m), t), rule)| SaleLine {
            sku: m.cin7_sku.clone(),
            product_id: Some(m.product_id.clone()).filter(|id| !id.is_empty()),
            name: m.name.clone(),
            tax_rule: rule.clone(),
            quantity: l.quantity,
            price: l.price,
            discount: Decimal::ZERO,
            tax: *t,
            total: round_money(l.quantity * l.price),
        })
        .collect();
    let mut charges = Vec::new();
    if order.shipping_amount > Decimal::ZERO {
        charges.push(SaleCharge {
            description: rules
                .shipping_charge
                .clone()
                .unwrap_or_else(|| "Freight".to_owned()),
            quantity: Decimal::ONE,
            price: order.shipping_amount,
            tax: order.shipping_tax.unwrap_or_default(),
            total: order.shipping_amount,
            tax_rule: tax.rules.shipping.clone(),
            comment: None,
        });
    }
    apply_discounts(rules, plan, tax, &mut lines, &mut charges);
    Ok(SaleOrder {
        lines,
        charges,
        memo: format!("Oro order {} ({})", order.identifier, order.id),
    })
}

fn apply_discounts(
    rules: &Rules,
    plan: DiscountPlan,
    tax: &OrderTax,
    lines: &mut [SaleLine],
    charges: &mut Vec<SaleCharge>,
) {
    match plan {
        DiscountPlan::NoDiscount => {}
        DiscountPlan::LineDiscounts { percents, totals } => {
            for ((line, percent), total) in lines.iter_mut().zip(percents).zip(totals) {
                line.discount = percent;
                line.total = total;
            }
        }
        DiscountPlan::Charges {
            line_taxes,
            charges: discount_charges,
        } => {
            for (line, t) in lines.iter_mut().zip(line_taxes) {
                line.tax = t;
            }
            let product = rules.discount_charge.clone().unwrap_or_default();
            for c in discount_charges {
                charges.push(SaleCharge {
                    description: product.clone(),
                    quantity: Decimal::ONE,
                    price: c.price,
                    tax: c.tax,
                    total: c.price,
                    tax_rule: tax
                        .rules
                        .lines
                        .get(c.rule_of_line)
                        .cloned()
                        .unwrap_or_default(),
                    comment: Some(c.description),
                });
            }
        }
    }
}

/// A discount Cin7 cannot show exactly (more than the lines, or no exact line percentage and no
/// discount product configured) holds the order as `tax_mismatch`: the sale would not match Oro.
pub fn discount_findings(rules: &Rules, order: &OroOrder) -> Vec<Finding> {
    let lines: Vec<LineForDiscount> = order
        .lines
        .iter()
        .map(|l| LineForDiscount {
            gross: round_money(l.quantity * l.price),
            oro_tax: l.tax.unwrap_or_default(),
            percent: None,
        })
        .collect();
    match plan_discounts(&lines, &order.discounts, rules.discount_charge.as_deref()) {
        Ok(_) => Vec::new(),
        Err(e) => vec![Finding {
            kind: ExceptionKind::TaxMismatch,
            detail_key: "discount".into(),
            message: format!("Oro's discounts cannot be shown in Cin7 to the cent: {e}."),
        }],
    }
}

#[cfg(test)]
#[path = "sale_build_tests.rs"]
mod tests;
