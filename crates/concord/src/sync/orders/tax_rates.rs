//! Did Oro charge the mapped Cin7 rules' rates (spec 4.1), and, when Oro states only its tax total,
//! how that total is shared over the lines. Pure functions; tests in `tax_rates_tests.rs`.
//!
//! A line's expected tax is round_half_up(discounted net × percent ÷ 100, 2). More than a cent
//! away is a different rate, not rounding: Oro rounds each line the same way.

use super::mapping::allocate_by_largest_remainder;
use super::tax::{expected_tax, rate_differs};
use rust_decimal::Decimal;

/// What Oro stated and what the mapped rules say, for one order.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxFigures {
    /// Each line's discounted net (spec 4.2).
    pub nets: Vec<Decimal>,
    /// Oro's tax per line, when it itemises them (`per_line`).
    pub line_taxes: Option<Vec<Decimal>>,
    /// Oro's tax total (lines and shipping), used when lines are not itemised.
    pub tax_total: Option<Decimal>,
    pub shipping_amount: Decimal,
    pub shipping_tax: Decimal,
    /// The mapped rule's percentage of each line and of the shipping.
    pub line_percents: Vec<Decimal>,
    pub shipping_percent: Decimal,
}

/// Where Oro's tax is not the mapped rule's.
#[derive(Debug, Clone, PartialEq)]
pub enum RateMismatch {
    Line {
        index: usize,
        stated: Decimal,
        expected: Decimal,
    },
    Shipping {
        stated: Decimal,
        expected: Decimal,
    },
    /// Only Oro's total is known, and it is more than a cent per line away from the rules'.
    Total {
        stated: Decimal,
        expected: Decimal,
    },
}

fn has_shipping(f: &TaxFigures) -> bool {
    f.shipping_amount > Decimal::ZERO
}

/// The lines' expected taxes under their rules.
pub fn expected_line_taxes(f: &TaxFigures) -> Vec<Decimal> {
    f.nets
        .iter()
        .zip(&f.line_percents)
        .map(|(net, percent)| expected_tax(*net, *percent))
        .collect()
}

fn expected_shipping_tax(f: &TaxFigures) -> Decimal {
    if has_shipping(f) {
        expected_tax(f.shipping_amount, f.shipping_percent)
    } else {
        Decimal::ZERO
    }
}

/// Every part whose Oro tax the mapped rules do not give.
pub fn rate_mismatches(f: &TaxFigures) -> Vec<RateMismatch> {
    let expected = expected_line_taxes(f);
    let expected_shipping = expected_shipping_tax(f);
    let Some(stated) = &f.line_taxes else {
        let Some(stated) = f.tax_total else {
            return Vec::new();
        };
        let expected = expected.iter().copied().sum::<Decimal>() + expected_shipping;
        let parts = f.nets.len() + usize::from(has_shipping(f));
        let tolerance = Decimal::new(1, 2) * Decimal::from(parts.max(1));
        return if (stated - expected).abs() > tolerance {
            vec![RateMismatch::Total { stated, expected }]
        } else {
            Vec::new()
        };
    };
    let mut found: Vec<RateMismatch> = stated
        .iter()
        .zip(&expected)
        .enumerate()
        .filter(|(_, (s, e))| rate_differs(**s, **e))
        .map(|(index, (s, e))| RateMismatch::Line {
            index,
            stated: *s,
            expected: *e,
        })
        .collect();
    if has_shipping(f) && rate_differs(f.shipping_tax, expected_shipping) {
        found.push(RateMismatch::Shipping {
            stated: f.shipping_tax,
            expected: expected_shipping,
        });
    }
    found
}

/// Oro's tax total less the shipping's stated tax, shared over the lines in proportion to each
/// line's expected tax (largest remainder, to the cent), so a 0 % line gets nothing. Without
/// known rates (`expected` all zero) the share follows the nets instead.
pub fn allocate_tax_total(
    lines_tax: Decimal,
    expected: &[Decimal],
    nets: &[Decimal],
) -> Vec<Decimal> {
    let weights = if expected.iter().any(|e| *e > Decimal::ZERO) {
        expected
    } else {
        nets
    };
    allocate_by_largest_remainder(lines_tax, weights)
}

#[cfg(test)]
#[path = "tax_rates_tests.rs"]
mod tests;
