//! Explicit rounding for money and quantities: every rounding in Concord goes through here.

use rust_decimal::{Decimal, RoundingStrategy};

/// Money is settled to the cent (two places); Cin7 stores four but ledgers and Oro totals use two.
pub const MONEY_DP: u32 = 2;

/// Rounds money to the cent, half away from zero (the rule both Oro and Cin7 apply to totals).
pub fn round_money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(MONEY_DP, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds a quantity down to `precision` decimal places: a level may never promise more than exists.
pub fn round_quantity(value: Decimal, precision: u32) -> Decimal {
    value.round_dp_with_strategy(precision, RoundingStrategy::ToZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(round_money(dec!(1.005)), dec!(1.01));
        assert_eq!(round_money(dec!(1.004)), dec!(1.00));
        assert_eq!(round_money(dec!(-1.005)), dec!(-1.01));
    }

    #[test]
    fn quantities_round_toward_zero() {
        assert_eq!(round_quantity(dec!(4.99), 0), dec!(4));
        assert_eq!(round_quantity(dec!(4.999), 2), dec!(4.99));
    }
}
