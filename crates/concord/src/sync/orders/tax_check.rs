//! An order's tax before the ledger (spec 4.1), with the I/O the pure rules need: Oro's tax codes
//! from the cached customers and products, and the Cin7 rule book. Every line and the shipping get
//! a rule that Cin7 has and that is active, and Oro's tax is that rule's rate.

use super::discounts::discounted_nets;
use super::tax::{sale_tax_rules, OrderTaxCodes, SaleTaxRules, Unmapped};
use super::tax_rates::{rate_mismatches, RateMismatch, TaxFigures};
use super::validate::Finding;
use crate::domain::{ErpCustomer, OroCustomer, OroOrder};
use crate::sync::context::{Context, FlowError};
use crate::sync::tax_rules::TaxRuleBook;
use concord_core::catalogue::ExceptionKind;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The rules an order's sale carries, with their percentages when Cin7's book was read.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTax {
    pub rules: SaleTaxRules,
    pub line_percents: Vec<Option<Decimal>>,
    pub shipping_percent: Option<Decimal>,
}

/// The customer's own tax code, else its nearest ancestor's (Oro's inheritance, spec 4.1).
pub fn customer_code(customers: &HashMap<i64, OroCustomer>, id: i64) -> Option<String> {
    let mut current = customers.get(&id);
    let mut hops = 0;
    while let Some(c) = current {
        if let Some(code) = c.tax_code.as_ref().filter(|c| !c.trim().is_empty()) {
            return Some(code.clone());
        }
        hops += 1;
        // A cyclic hierarchy is refused elsewhere; here it only must not loop.
        if hops > customers.len() {
            return None;
        }
        current = c.parent.and_then(|p| customers.get(&p));
    }
    None
}

pub async fn order_tax_codes(ctx: &Context, order: &OroOrder) -> OrderTaxCodes {
    let cache = ctx.cache.read().await;
    OrderTaxCodes {
        customer: customer_code(&cache.oro_customers, order.customer_id),
        lines: order
            .lines
            .iter()
            .map(|l| {
                cache
                    .oro_products
                    .get(&l.sku)
                    .and_then(|p| p.tax_code.clone())
            })
            .collect(),
    }
}

/// Rates are checked where the merchant set taxes up: a map, or tax codes on the Oro side.
fn checks_rates(ctx: &Context, codes: &OrderTaxCodes) -> bool {
    !ctx.rules.tax_rule_map.is_empty()
        || codes.customer.is_some()
        || codes.lines.iter().any(Option::is_some)
}

/// The rules from the map (or `customer`'s rule, else the new-customer rule, without one).
pub async fn resolve(
    ctx: &Context,
    order: &OroOrder,
    customer: Option<&ErpCustomer>,
) -> Result<Result<OrderTax, Vec<Unmapped>>, FlowError> {
    let codes = order_tax_codes(ctx, order).await;
    let fallback = customer.and_then(|c| c.tax_rule.clone()).or_else(|| {
        ctx.rules
            .new_customer
            .as_ref()
            .and_then(|n| n.tax_rule.clone())
    });
    let rules = match sale_tax_rules(
        &ctx.rules.tax_rule_map,
        fallback.as_deref(),
        &codes,
        ctx.rules.shipping_tax_code.as_deref(),
    ) {
        Ok(rules) => rules,
        Err(unmapped) => return Ok(Err(unmapped)),
    };
    let book = if checks_rates(ctx, &codes) {
        let mut names: Vec<&str> = rules.lines.iter().map(String::as_str).collect();
        names.push(&rules.shipping);
        Some(ctx.tax_rules(&names).await?)
    } else {
        None
    };
    let percent = |name: &str| book.as_ref().and_then(|b| b.get(name)).map(|r| r.percent);
    Ok(Ok(OrderTax {
        line_percents: rules.lines.iter().map(|r| percent(r)).collect(),
        shipping_percent: percent(&rules.shipping),
        rules,
    }))
}

/// `tax_rule_unmapped` for parts no entry maps (or mapped to a rule Cin7 lacks or has switched
/// off: Cin7 would refuse the sale), then `tax_rate_mismatch` where Oro charged another rate.
pub async fn findings(
    ctx: &Context,
    order: &OroOrder,
    customer: Option<&ErpCustomer>,
) -> Result<Vec<Finding>, FlowError> {
    let codes = order_tax_codes(ctx, order).await;
    let tax = match resolve(ctx, order, customer).await? {
        Ok(tax) => tax,
        Err(unmapped) => {
            return Ok(unmapped
                .iter()
                .map(|u| unmapped_finding(order, u))
                .collect())
        }
    };
    if !checks_rates(ctx, &codes) {
        return Ok(Vec::new());
    }
    let mut names: Vec<&str> = tax.rules.lines.iter().map(String::as_str).collect();
    names.push(&tax.rules.shipping);
    let book = ctx.tax_rules(&names).await?;
    let unusable = unusable_rules(order, &codes, &tax, &book);
    if !unusable.is_empty() {
        return Ok(unusable);
    }
    let figures = figures(order, &tax);
    Ok(rate_mismatches(&figures)
        .into_iter()
        .map(|m| rate_finding(order, &tax, m))
        .collect())
}

fn figures(order: &OroOrder, tax: &OrderTax) -> TaxFigures {
    let gross: Vec<Decimal> = order.lines.iter().map(|l| l.quantity * l.price).collect();
    TaxFigures {
        nets: discounted_nets(&gross, &order.discounts),
        line_taxes: order.lines.iter().map(|l| l.tax).collect(),
        tax_total: order.tax_total,
        shipping_amount: order.shipping_amount,
        shipping_tax: order.shipping_tax.unwrap_or_default(),
        line_percents: tax
            .line_percents
            .iter()
            .map(|p| p.unwrap_or_default())
            .collect(),
        shipping_percent: tax.shipping_percent.unwrap_or_default(),
    }
}

fn code(c: &Option<String>) -> String {
    c.clone().unwrap_or_else(|| "-".into())
}

fn part_name(order: &OroOrder, line: Option<usize>) -> String {
    match line.and_then(|n| order.lines.get(n)) {
        Some(line) => format!("Line {} {}", line.sku, line.unit),
        None => "The shipping charge".to_owned(),
    }
}

fn unmapped_finding(order: &OroOrder, u: &Unmapped) -> Finding {
    Finding {
        kind: ExceptionKind::TaxRuleUnmapped,
        detail_key: format!("tax:{}:{}", code(&u.customer_code), code(&u.product_code)),
        message: format!(
            "{}: no Cin7 tax rule for customer tax code {} and product tax code {} (no entry of the tax rule map matches, and no default applies).",
            part_name(order, u.line),
            code(&u.customer_code),
            code(&u.product_code)
        ),
    }
}

fn unusable_rules(
    order: &OroOrder,
    codes: &OrderTaxCodes,
    tax: &OrderTax,
    book: &TaxRuleBook,
) -> Vec<Finding> {
    let parts = tax
        .rules
        .lines
        .iter()
        .enumerate()
        .map(|(n, r)| (Some(n), r, codes.lines.get(n).cloned().flatten()))
        .chain(std::iter::once((None, &tax.rules.shipping, None)));
    let mut out = Vec::new();
    for (line, rule, product_code) in parts {
        let why = match book.get(rule) {
            None => "Cin7 has no tax rule of that name",
            Some(r) if !r.active => "that Cin7 tax rule is inactive",
            Some(_) => continue,
        };
        if line.is_none() && order.shipping_amount <= Decimal::ZERO {
            continue;
        }
        out.push(Finding {
            kind: ExceptionKind::TaxRuleUnmapped,
            detail_key: format!("tax:{}:{}", code(&codes.customer), code(&product_code)),
            message: format!(
                "{}: the tax rule map gives {rule:?}, but {why}; Cin7 would refuse the sale.",
                part_name(order, line)
            ),
        });
    }
    out
}

fn rate_finding(order: &OroOrder, tax: &OrderTax, m: RateMismatch) -> Finding {
    let percent = |p: Option<&Option<Decimal>>| p.copied().flatten().unwrap_or_default();
    let (detail_key, message) = match m {
        RateMismatch::Line { index, stated, expected } => (
            format!("line:{index}"),
            format!(
                "{}: Oro charged tax {stated}, but the mapped Cin7 rule {:?} ({}%) gives {expected}.",
                part_name(order, Some(index)),
                tax.rules.lines.get(index).cloned().unwrap_or_default(),
                percent(tax.line_percents.get(index)).normalize()
            ),
        ),
        RateMismatch::Shipping { stated, expected } => (
            "shipping".to_owned(),
            format!(
                "The shipping charge: Oro charged tax {stated}, but the mapped Cin7 rule {:?} ({}%) gives {expected}.",
                tax.rules.shipping,
                percent(Some(&tax.shipping_percent)).normalize()
            ),
        ),
        RateMismatch::Total { stated, expected } => (
            "total".to_owned(),
            format!("Oro's tax total is {stated}, but the mapped Cin7 rules give {expected}."),
        ),
    };
    Finding {
        kind: ExceptionKind::TaxRateMismatch,
        detail_key,
        message,
    }
}
