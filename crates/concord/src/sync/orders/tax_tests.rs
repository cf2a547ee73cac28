//! Table-driven tests of the tax rule map and the expected tax.

use super::*;
use rust_decimal_macros::dec;

fn entry(customer: &str, product: &str, rule: &str) -> TaxRuleMapping {
    TaxRuleMapping {
        customer_tax_code: customer.into(),
        product_tax_code: product.into(),
        tax_rule: rule.into(),
    }
}

fn table() -> Vec<TaxRuleMapping> {
    vec![
        entry("EXPORT", "*", "Zero Rated"),
        entry("*", "BOOKS", "Zero Rated"),
        entry("*", "SHIP", "20% VAT"),
        entry("UK", "STD", "20% VAT"),
    ]
}

#[test]
fn the_first_matching_entry_wins_and_star_matches_any_code_including_none() {
    let t = table();
    let cases: [(Option<&str>, Option<&str>, Option<&str>); 7] = [
        (Some("EXPORT"), Some("STD"), Some("Zero Rated")),
        (Some("EXPORT"), None, Some("Zero Rated")),
        (Some("UK"), Some("BOOKS"), Some("Zero Rated")),
        (None, Some("BOOKS"), Some("Zero Rated")),
        (Some("uk"), Some("std"), Some("20% VAT")),
        (Some("UK"), None, None),
        (None, Some("STD"), None),
    ];
    for (customer, product, want) in cases {
        assert_eq!(
            rule_for(&t, customer, product),
            want,
            "{customer:?} {product:?}"
        );
    }
}

#[test]
fn without_a_map_every_line_and_the_shipping_take_the_fallback_rule() {
    let codes = OrderTaxCodes {
        customer: Some("UK".into()),
        lines: vec![Some("STD".into()), None],
    };
    let rules = sale_tax_rules(&[], Some("20% VAT"), &codes, None);
    assert_eq!(
        rules,
        Ok(SaleTaxRules {
            lines: vec!["20% VAT".into(), "20% VAT".into()],
            shipping: "20% VAT".into()
        })
    );
    let none = sale_tax_rules(&[], None, &codes, None).expect_err("nothing to fall back on");
    assert_eq!(none.len(), 3);
}

#[test]
fn shipping_matches_with_the_shipping_tax_code_and_unmapped_parts_are_each_reported() {
    let codes = OrderTaxCodes {
        customer: Some("UK".into()),
        lines: vec![Some("STD".into()), Some("FOOD".into())],
    };
    let mapped = sale_tax_rules(&table(), None, &codes, Some("SHIP"));
    let unmapped = mapped.expect_err("FOOD has no entry");
    assert_eq!(
        unmapped,
        vec![Unmapped {
            line: Some(1),
            customer_code: Some("UK".into()),
            product_code: Some("FOOD".into())
        }]
    );
    let no_ship_code = sale_tax_rules(&table(), None, &codes, None).expect_err("unmapped");
    assert!(no_ship_code.iter().any(|u| u.line.is_none()));
}

#[test]
fn expected_tax_rounds_half_up_to_the_cent() {
    let cases = [
        (dec!(216.00), dec!(20), dec!(43.20)),
        (dec!(0.125), dec!(20), dec!(0.03)),
        (dec!(10.05), dec!(5), dec!(0.50)),
        (dec!(10.10), dec!(5), dec!(0.51)),
        (dec!(99.99), dec!(0), dec!(0)),
        (dec!(33.33), dec!(17.5), dec!(5.83)),
    ];
    for (net, percent, want) in cases {
        assert_eq!(expected_tax(net, percent), want, "{net} at {percent}%");
    }
}

#[test]
fn a_stated_tax_more_than_a_cent_away_differs() {
    assert!(!rate_differs(dec!(43.20), dec!(43.21)));
    assert!(!rate_differs(dec!(43.22), dec!(43.21)));
    assert!(rate_differs(dec!(43.23), dec!(43.21)));
    assert!(rate_differs(dec!(0), dec!(43.20)));
}
