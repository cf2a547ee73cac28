//! Table-driven and property tests of the rate check and the tax-total allocation.

use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn figures(line_taxes: Option<Vec<Decimal>>, tax_total: Option<Decimal>) -> TaxFigures {
    TaxFigures {
        nets: vec![dec!(100.00), dec!(45.50), dec!(20.00)],
        line_taxes,
        tax_total,
        shipping_amount: dec!(10.00),
        shipping_tax: dec!(2.00),
        line_percents: vec![dec!(20), dec!(5), dec!(0)],
        shipping_percent: dec!(20),
    }
}

#[test]
fn taxes_at_the_mapped_rates_pass_and_each_wrong_part_is_named() {
    // 45.50 × 5 % = 2.275 → 2.28 (half up); a cent either way is rounding, not a rate.
    let cases: [(Vec<Decimal>, Decimal, Vec<RateMismatch>); 4] = [
        (vec![dec!(20.00), dec!(2.28), dec!(0)], dec!(2.00), vec![]),
        (vec![dec!(20.01), dec!(2.27), dec!(0)], dec!(1.99), vec![]),
        (
            vec![dec!(20.00), dec!(9.10), dec!(0)],
            dec!(2.00),
            vec![RateMismatch::Line {
                index: 1,
                stated: dec!(9.10),
                expected: dec!(2.28),
            }],
        ),
        (
            vec![dec!(20.00), dec!(2.28), dec!(4.00)],
            dec!(0),
            vec![
                RateMismatch::Line {
                    index: 2,
                    stated: dec!(4.00),
                    expected: dec!(0),
                },
                RateMismatch::Shipping {
                    stated: dec!(0),
                    expected: dec!(2.00),
                },
            ],
        ),
    ];
    for (lines, shipping, want) in cases {
        let mut f = figures(Some(lines.clone()), None);
        f.shipping_tax = shipping;
        assert_eq!(rate_mismatches(&f), want, "{lines:?} {shipping}");
    }
}

#[test]
fn with_a_total_only_the_tolerance_is_a_cent_per_part() {
    // Expected: 20.00 + 2.28 + 0 + shipping 2.00 = 24.28; four parts → 0.04 tolerance.
    assert!(rate_mismatches(&figures(None, Some(dec!(24.32)))).is_empty());
    assert_eq!(
        rate_mismatches(&figures(None, Some(dec!(24.33)))),
        vec![RateMismatch::Total {
            stated: dec!(24.33),
            expected: dec!(24.28)
        }]
    );
    assert!(
        rate_mismatches(&figures(None, None)).is_empty(),
        "nothing stated, nothing to check"
    );
}

#[test]
fn no_shipping_means_no_shipping_check() {
    let mut f = figures(Some(vec![dec!(20.00), dec!(2.28), dec!(0)]), None);
    f.shipping_amount = dec!(0);
    f.shipping_tax = dec!(5);
    assert!(rate_mismatches(&f).is_empty());
}

#[test]
fn a_tax_total_goes_to_the_lines_by_expected_tax_and_a_zero_rated_line_gets_none() {
    let expected = [dec!(20.00), dec!(2.28), dec!(0)];
    let nets = [dec!(100), dec!(45.50), dec!(20)];
    assert_eq!(
        allocate_tax_total(dec!(22.29), &expected, &nets),
        vec![dec!(20.01), dec!(2.28), dec!(0)]
    );
    // Unknown rates: by net.
    assert_eq!(
        allocate_tax_total(dec!(3.00), &[dec!(0), dec!(0)], &[dec!(100), dec!(50)]),
        vec![dec!(2.00), dec!(1.00)]
    );
}

proptest! {
    #[test]
    fn the_allocation_adds_up_to_the_cent_and_stays_within_a_cent_of_each_share(
        cents in proptest::collection::vec(0i64..100_000, 1..8),
        total in 0i64..1_000_000,
    ) {
        let expected: Vec<Decimal> = cents.iter().map(|c| Decimal::new(*c, 2)).collect();
        let lines_tax = Decimal::new(total, 2);
        let got = allocate_tax_total(lines_tax, &expected, &expected);
        prop_assert_eq!(got.iter().copied().sum::<Decimal>(), lines_tax);
        let sum: Decimal = expected.iter().copied().sum();
        if sum > Decimal::ZERO {
            for (g, e) in got.iter().zip(&expected) {
                let share = lines_tax * *e / sum;
                prop_assert!((*g - share).abs() < dec!(0.01));
                if e.is_zero() { prop_assert!(g.is_zero()); }
            }
        }
    }
}
