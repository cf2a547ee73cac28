//! Which Cin7 tax rule each sale line and the shipping charge carry (spec 4.1: the ordered tax rule
//! map, first match wins, `*` matches any code including none; without a map, the Cin7 customer's
//! rule), and the tax Oro should have charged under it. Pure functions; tests in `tax_tests.rs`.

use concord_core::scenario::TaxRuleMapping;
use rust_decimal::{Decimal, RoundingStrategy};

/// Oro's tax codes for one order: the customer's (or its nearest ancestor's), and each line's product's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderTaxCodes {
    pub customer: Option<String>,
    pub lines: Vec<Option<String>>,
}

/// The Cin7 tax rule of every line (in order) and of the shipping charge.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleTaxRules {
    pub lines: Vec<String>,
    pub shipping: String,
}

/// A line (`line: Some(index)`) or the shipping charge (`None`) that no entry maps.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmapped {
    pub line: Option<usize>,
    pub customer_code: Option<String>,
    pub product_code: Option<String>,
}

fn matches(pattern: &str, code: Option<&str>) -> bool {
    pattern.trim() == "*" || code.is_some_and(|c| c.trim().eq_ignore_ascii_case(pattern.trim()))
}

/// The first entry matching (customer code, product code).
pub fn rule_for<'a>(
    map: &'a [TaxRuleMapping],
    customer_code: Option<&str>,
    product_code: Option<&str>,
) -> Option<&'a str> {
    map.iter()
        .find(|m| {
            matches(&m.customer_tax_code, customer_code)
                && matches(&m.product_tax_code, product_code)
        })
        .map(|m| m.tax_rule.as_str())
}

/// Every line's and the shipping's rule. With an empty map all take `fallback` (the Cin7
/// customer's rule, else the new-customer rule); with none of either everything is unmapped.
pub fn sale_tax_rules(
    map: &[TaxRuleMapping],
    fallback: Option<&str>,
    codes: &OrderTaxCodes,
    shipping_code: Option<&str>,
) -> Result<SaleTaxRules, Vec<Unmapped>> {
    let customer = codes.customer.as_deref();
    let pick = |product: Option<&str>| -> Option<String> {
        if map.is_empty() {
            fallback.map(str::to_owned)
        } else {
            rule_for(map, customer, product).map(str::to_owned)
        }
    };
    let mut unmapped = Vec::new();
    let mut lines = Vec::with_capacity(codes.lines.len());
    for (n, product) in codes.lines.iter().enumerate() {
        match pick(product.as_deref()) {
            Some(rule) => lines.push(rule),
            None => unmapped.push(Unmapped {
                line: Some(n),
                customer_code: codes.customer.clone(),
                product_code: product.clone(),
            }),
        }
    }
    let shipping = pick(shipping_code);
    if shipping.is_none() {
        unmapped.push(Unmapped {
            line: None,
            customer_code: codes.customer.clone(),
            product_code: shipping_code.map(str::to_owned),
        });
    }
    match shipping {
        Some(shipping) if unmapped.is_empty() => Ok(SaleTaxRules { lines, shipping }),
        _ => Err(unmapped),
    }
}

/// The tax a rule of `percent` gives on `net`: round_half_up(net × percent ÷ 100, 2). `net` is
/// the line's net after any order discount share (spec 4.2); callers decide what net is.
pub fn expected_tax(net: Decimal, percent: Decimal) -> Decimal {
    (net * percent / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Oro's stated tax is more than a cent away from the rule's.
pub fn rate_differs(stated: Decimal, expected: Decimal) -> bool {
    (stated - expected).abs() > Decimal::new(1, 2)
}

#[cfg(test)]
#[path = "tax_tests.rs"]
mod tests;
