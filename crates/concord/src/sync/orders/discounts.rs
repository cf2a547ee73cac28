//! Order discounts (Oro promotions and coupons) shown in Cin7 apart from the contract price, to the cent.
//!
//! Oro shares an order's discounts over its lines in proportion to `quantity × price` (largest
//! remainder) and taxes each line on its discounted net. Cin7 has no amount discount on a line and
//! no order-level discount (reference §16.4), so a sale shows the discount in one of two ways:
//! - **line discounts**: a 2-dp percentage per line whose Cin7-computed total is exactly the
//!   discounted net; used only when every line's net is reachable, since Cin7 recomputes a line's
//!   total from its percentage and refuses (or rounds to) anything else;
//! - **discount charges**: one negative additional charge per Oro discount on a service product,
//!   lines at their full contract price with tax on that price, and the charges carrying the tax
//!   the discount took away. Exact under every rounding, so it is preferred when configured.

use concord_core::domain::round_money;
use rust_decimal::Decimal;

use super::mapping::allocate_by_largest_remainder;
pub use crate::domain::OrderDiscount;

/// What the planner needs of one line: its gross (`quantity × price`), the tax Oro charged on its
/// discounted net, and its tax rule's percentage when known.
#[derive(Debug, Clone, PartialEq)]
pub struct LineForDiscount {
    pub gross: Decimal,
    pub oro_tax: Decimal,
    pub percent: Option<Decimal>,
}

/// A negative additional charge for one Oro discount. `rule_of_line` names the line whose tax rule
/// the charge takes (the line that carries the largest share of it).
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountCharge {
    pub description: String,
    pub price: Decimal,
    pub tax: Decimal,
    pub rule_of_line: usize,
}

/// How a sale carries its order's discounts.
#[derive(Debug, Clone, PartialEq)]
pub enum DiscountPlan {
    /// No discount: lines as they are.
    NoDiscount,
    /// Each line's `Discount` percentage and the total Cin7 will compute from it (the net).
    LineDiscounts {
        percents: Vec<Decimal>,
        totals: Vec<Decimal>,
    },
    /// Lines at full price with `line_taxes`; the discount as negative charges.
    Charges {
        line_taxes: Vec<Decimal>,
        charges: Vec<DiscountCharge>,
    },
}

/// Why a discount cannot be shown in Cin7 exactly.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiscountError {
    #[error("the discounts total {discounts} exceeds the lines' total {lines}")]
    ExceedsLines { discounts: Decimal, lines: Decimal },
    #[error(
        "line {line}'s discounted net {net} cannot be reached with a two-decimal percentage; \
         configure a discount service product (discount_charge) to carry discounts as charges"
    )]
    NotExactAsPercentage { line: usize, net: Decimal },
}

/// Each line's share of the discounts (Oro's largest-remainder split by gross).
pub fn discount_shares(gross: &[Decimal], discounts: &[OrderDiscount]) -> Vec<Decimal> {
    let total: Decimal = discounts.iter().map(|d| d.amount).sum();
    if total.is_zero() {
        return vec![Decimal::ZERO; gross.len()];
    }
    allocate_by_largest_remainder(total, gross)
}

/// Each line's discounted net, the base Oro taxes it on.
pub fn discounted_nets(gross: &[Decimal], discounts: &[OrderDiscount]) -> Vec<Decimal> {
    gross
        .iter()
        .zip(discount_shares(gross, discounts))
        .map(|(g, share)| *g - share)
        .collect()
}

/// The 2-dp percentage whose Cin7 line total (`round(gross × (1 − d/100), 2)`) is exactly `net`.
pub fn exact_line_discount(gross: Decimal, net: Decimal) -> Option<Decimal> {
    if gross <= Decimal::ZERO {
        return net.is_zero().then_some(Decimal::ZERO);
    }
    let hundred = Decimal::ONE_HUNDRED;
    let guess = ((gross - net) / gross * hundred).round_dp(2);
    let step = Decimal::new(1, 2);
    // The rounded guess is within a step or two of every percentage that reaches `net`; the
    // nearest one wins, so the percentage shown is the discount's true share wherever it can be.
    [0i64, -1, 1, -2, 2, -3, 3]
        .into_iter()
        .map(|k| guess + step * Decimal::from(k))
        .filter(|d| *d >= Decimal::ZERO && *d <= hundred)
        .find(|d| round_money(gross * (Decimal::ONE - *d / hundred)) == net)
}

/// Plans how the sale shows `discounts`: as charges on `charge_product` when one is configured, else
/// as exact line percentages.
pub fn plan_discounts(
    lines: &[LineForDiscount],
    discounts: &[OrderDiscount],
    charge_product: Option<&str>,
) -> Result<DiscountPlan, DiscountError> {
    let total: Decimal = discounts.iter().map(|d| d.amount).sum();
    if total.is_zero() {
        return Ok(DiscountPlan::NoDiscount);
    }
    let gross: Vec<Decimal> = lines.iter().map(|l| l.gross).collect();
    let lines_total: Decimal = gross.iter().copied().sum();
    if total > lines_total {
        return Err(DiscountError::ExceedsLines {
            discounts: total,
            lines: lines_total,
        });
    }
    match charge_product {
        Some(_) => Ok(as_charges(lines, discounts)),
        None => as_line_discounts(&gross, discounts),
    }
}

fn as_line_discounts(
    gross: &[Decimal],
    discounts: &[OrderDiscount],
) -> Result<DiscountPlan, DiscountError> {
    let totals = discounted_nets(gross, discounts);
    let mut percents = Vec::with_capacity(gross.len());
    for (line, (g, net)) in gross.iter().zip(&totals).enumerate() {
        let percent = exact_line_discount(*g, *net)
            .ok_or(DiscountError::NotExactAsPercentage { line, net: *net })?;
        percents.push(percent);
    }
    Ok(DiscountPlan::LineDiscounts { percents, totals })
}

/// Lines keep their full price and are taxed on it at their rule's rate; the charges carry the tax
/// the discount removed, so the sale's tax is Oro's to the cent. When a rate is unknown (or rounding
/// would leave a charge a positive tax) the lines keep Oro's taxes and the charges carry none.
fn as_charges(lines: &[LineForDiscount], discounts: &[OrderDiscount]) -> DiscountPlan {
    let gross: Vec<Decimal> = lines.iter().map(|l| l.gross).collect();
    let oro_taxes: Vec<Decimal> = lines.iter().map(|l| l.oro_tax).collect();
    let full_taxes: Option<Vec<Decimal>> = lines
        .iter()
        .map(|l| {
            l.percent
                .map(|p| round_money(l.gross * p / Decimal::ONE_HUNDRED))
        })
        .collect();
    let oro_sum: Decimal = oro_taxes.iter().copied().sum();
    let (line_taxes, removed) = match full_taxes {
        Some(full) if full.iter().copied().sum::<Decimal>() >= oro_sum => {
            let removed = full.iter().copied().sum::<Decimal>() - oro_sum;
            (full, removed)
        }
        _ => (oro_taxes, Decimal::ZERO),
    };
    let amounts: Vec<Decimal> = discounts.iter().map(|d| d.amount).collect();
    let charge_taxes = allocate_by_largest_remainder(removed, &amounts);
    let rule_of_line = largest_share_line(&gross, discounts);
    let charges = discounts
        .iter()
        .zip(charge_taxes)
        .map(|(d, tax)| DiscountCharge {
            description: d.description.clone(),
            price: -d.amount,
            tax: -tax,
            rule_of_line,
        })
        .collect();
    DiscountPlan::Charges {
        line_taxes,
        charges,
    }
}

fn largest_share_line(gross: &[Decimal], discounts: &[OrderDiscount]) -> usize {
    let shares = discount_shares(gross, discounts);
    (0..shares.len())
        .max_by(|a, b| shares[*a].cmp(&shares[*b]).then(b.cmp(a)))
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "discounts_tests.rs"]
mod tests;
