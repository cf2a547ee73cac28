//! An order's figures as Oro computes them: subtotal, line tax, discounts and total.

use super::state::OrderRec;
use rust_decimal::Decimal;

impl OrderRec {
    pub fn subtotal(&self) -> Decimal {
        self.lines.iter().map(|l| l.quantity * l.price).sum()
    }

    pub fn line_tax(&self) -> Decimal {
        self.lines.iter().map(|l| l.tax).sum()
    }

    pub fn discount_total(&self) -> Decimal {
        self.discounts.iter().map(|d| d.amount).sum()
    }

    /// Lines − discounts + line taxes + shipping + shipping tax, unless the scenario forces a
    /// (broken) figure. Line taxes are already on the discounted nets (spec 4.2).
    pub fn total(&self) -> Decimal {
        self.total_override.unwrap_or_else(|| {
            self.subtotal() - self.discount_total()
                + self.line_tax()
                + self.shipping_amount.unwrap_or_default()
                + self.shipping_tax
        })
    }
}
