//! Tests of the discount planner: table cases from real orders and properties over random ones.

use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn discount(amount: Decimal) -> OrderDiscount {
    OrderDiscount {
        description: "Spring promotion".into(),
        amount,
    }
}

fn line(gross: Decimal, oro_tax: Decimal, percent: Decimal) -> LineForDiscount {
    LineForDiscount {
        gross,
        oro_tax,
        percent: Some(percent),
    }
}

#[test]
fn oro_shares_a_discount_over_lines_by_gross_to_the_cent() {
    // finance-day W-7001: 12 × 12.99, 2 × 109.42, 24 × 18.50 less 7.77.
    let gross = [dec!(155.88), dec!(218.84), dec!(444.00)];
    let shares = discount_shares(&gross, &[discount(dec!(7.77))]);
    assert_eq!(shares.iter().copied().sum::<Decimal>(), dec!(7.77));
    assert_eq!(shares, vec![dec!(1.48), dec!(2.08), dec!(4.21)]);
    assert_eq!(
        discounted_nets(&gross, &[discount(dec!(7.77))]),
        vec![dec!(154.40), dec!(216.76), dec!(439.79)]
    );
}

#[test]
fn an_exact_percentage_is_found_where_one_exists_and_refused_where_none_does() {
    let cases = [
        (dec!(100.00), dec!(90.00), Some(dec!(10.00))),
        (dec!(444.00), dec!(439.78), Some(dec!(0.95))),
        // W-7001's third line: 0.94 % gives 439.83, 0.95 % gives 439.78; Oro's 439.79 is between.
        (dec!(444.00), dec!(439.79), None),
        (dec!(50.00), dec!(50.00), Some(dec!(0.00))),
        (dec!(20.00), dec!(0.00), Some(dec!(100.00))),
        // 10 000 × (1 − d/100) moves in steps of 1.00: 9 999.50 is out of reach.
        (dec!(10000.00), dec!(9999.50), None),
    ];
    for (gross, net, want) in cases {
        assert_eq!(exact_line_discount(gross, net), want, "{gross} → {net}");
    }
}

#[test]
fn without_a_discount_product_an_unreachable_net_is_refused_with_the_line() {
    let lines = [line(dec!(10000.00), dec!(0), dec!(0))];
    let err = plan_discounts(&lines, &[discount(dec!(0.50))], None).unwrap_err();
    assert!(
        matches!(err, DiscountError::NotExactAsPercentage { line: 0, .. }),
        "{err}"
    );
}

#[test]
fn discounts_above_the_lines_are_refused() {
    let lines = [line(dec!(10.00), dec!(2.00), dec!(20))];
    let err = plan_discounts(&lines, &[discount(dec!(10.01))], Some("Discount")).unwrap_err();
    assert!(matches!(err, DiscountError::ExceedsLines { .. }));
}

#[test]
fn charges_carry_the_tax_the_discount_removed() {
    // 100.00 at 20 % less 10.00: Oro taxes the 90.00 net at 18.00.
    let lines = [line(dec!(100.00), dec!(18.00), dec!(20))];
    let plan = plan_discounts(&lines, &[discount(dec!(10.00))], Some("Discount")).unwrap();
    let DiscountPlan::Charges {
        line_taxes,
        charges,
    } = plan
    else {
        panic!("expected charges, got {plan:?}");
    };
    assert_eq!(line_taxes, vec![dec!(20.00)]);
    assert_eq!(charges.len(), 1);
    assert_eq!(
        (charges[0].price, charges[0].tax),
        (dec!(-10.00), dec!(-2.00))
    );
}

#[test]
fn an_unknown_rate_keeps_oros_line_taxes_and_untaxed_charges() {
    let lines = [LineForDiscount {
        gross: dec!(100.00),
        oro_tax: dec!(18.00),
        percent: None,
    }];
    let plan = plan_discounts(&lines, &[discount(dec!(10.00))], Some("Discount")).unwrap();
    let DiscountPlan::Charges {
        line_taxes,
        charges,
    } = plan
    else {
        panic!("expected charges");
    };
    assert_eq!(line_taxes, vec![dec!(18.00)]);
    assert_eq!(charges[0].tax, Decimal::ZERO);
}

fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

fn order_strategy() -> impl Strategy<Value = (Vec<(i64, i64, u8)>, Vec<i64>)> {
    let lines = proptest::collection::vec((1i64..500, 1i64..200_000, 0u8..3), 1..8);
    let discounts = proptest::collection::vec(1i64..5_000, 1..4);
    (lines, discounts)
}

/// Builds lines (quantity, unit price in cents, rate index) with Oro's tax on each discounted net.
fn build(raw: &[(i64, i64, u8)], discounts: &[OrderDiscount]) -> Vec<LineForDiscount> {
    let rates = [dec!(20), dec!(5), dec!(0)];
    let gross: Vec<Decimal> = raw
        .iter()
        .map(|(q, p, _)| Decimal::from(*q) * cents(*p))
        .collect();
    let nets = discounted_nets(&gross, discounts);
    raw.iter()
        .zip(gross.iter().zip(nets))
        .map(|((_, _, r), (g, net))| {
            let percent = rates[usize::from(*r)];
            line(*g, round_money(net * percent / dec!(100)), percent)
        })
        .collect()
}

proptest! {
    #[test]
    fn charges_match_oro_net_tax_and_discount_to_the_cent((raw, amounts) in order_strategy()) {
        let discounts: Vec<OrderDiscount> = amounts.iter().map(|a| discount(cents(*a))).collect();
        let lines = build(&raw, &discounts);
        let gross: Decimal = lines.iter().map(|l| l.gross).sum();
        let total: Decimal = discounts.iter().map(|d| d.amount).sum();
        prop_assume!(total <= gross);
        let plan = plan_discounts(&lines, &discounts, Some("Discount")).unwrap();
        let DiscountPlan::Charges { line_taxes, charges } = plan else {
            return Err(TestCaseError::fail("expected charges"));
        };
        let oro_net = gross - total;
        let oro_tax: Decimal = lines.iter().map(|l| l.oro_tax).sum();
        let charge_prices: Decimal = charges.iter().map(|c| c.price).sum();
        let charge_taxes: Decimal = charges.iter().map(|c| c.tax).sum();
        prop_assert_eq!(gross + charge_prices, oro_net);
        prop_assert_eq!(line_taxes.iter().copied().sum::<Decimal>() + charge_taxes, oro_tax);
        prop_assert!(charges.iter().all(|c| c.tax <= Decimal::ZERO && c.price < Decimal::ZERO));
        prop_assert_eq!(charges.len(), discounts.len());
        prop_assert!(charges.iter().all(|c| c.rule_of_line < lines.len()));
    }

    #[test]
    fn line_discounts_when_planned_reach_each_net_exactly((raw, amounts) in order_strategy()) {
        let discounts: Vec<OrderDiscount> = amounts.iter().map(|a| discount(cents(*a))).collect();
        let lines = build(&raw, &discounts);
        let gross: Vec<Decimal> = lines.iter().map(|l| l.gross).collect();
        let total: Decimal = discounts.iter().map(|d| d.amount).sum();
        prop_assume!(total <= gross.iter().copied().sum::<Decimal>());
        if let Ok(DiscountPlan::LineDiscounts { percents, totals }) = plan_discounts(&lines, &discounts, None) {
            prop_assert_eq!(&totals, &discounted_nets(&gross, &discounts));
            for ((g, d), t) in gross.iter().zip(&percents).zip(&totals) {
                prop_assert!(*d >= Decimal::ZERO && *d <= dec!(100) && d.round_dp(2) == *d);
                prop_assert_eq!(round_money(*g * (Decimal::ONE - *d / dec!(100))), *t);
            }
            let shown: Decimal = gross.iter().zip(&totals).map(|(g, t)| *g - *t).sum();
            prop_assert_eq!(shown, total);
        }
    }
}
