//! The order rules of the catalogue as one pure function: each finding names its kind, the line it
//! concerns and what a person needs to know. Hold or flag is decided by the caller's rules.

use super::mapping::{effective_price, MappedUnit};
use crate::domain::{OroOrder, PriceTable};
use concord_core::catalogue::ExceptionKind;
use concord_core::domain::round_money;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: ExceptionKind,
    pub detail_key: String,
    pub message: String,
}

pub fn validate(
    order: &OroOrder,
    mapped: &[Result<MappedUnit, ExceptionKind>],
    prices: Option<&PriceTable>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (line, m) in order.lines.iter().zip(mapped) {
        if let Err(kind) = m {
            let message = match kind {
                ExceptionKind::SkuUnknown => format!("Line {} {}: Cin7 has no product with SKU {:?}.", line.sku, line.unit, line.sku),
                _ => format!("Line {} {}: no Cin7 SKU sells the Oro unit {:?} (no pack product of that size).", line.sku, line.unit, line.unit),
            };
            findings.push(Finding {
                kind: *kind,
                detail_key: format!("{}:{}", line.sku, line.unit),
                message,
            });
        }
    }
    if let Some(table) = prices {
        for line in &order.lines {
            let Some(tiers) = table.tiers(&line.sku, &line.unit) else {
                continue;
            };
            if let Some(expected) = effective_price(tiers, line.quantity) {
                if expected != line.price {
                    findings.push(Finding {
                        kind: ExceptionKind::PriceMismatch,
                        detail_key: format!("{}:{}", line.sku, line.unit),
                        message: format!(
                            "Line {} {} x {} is priced {} but the customer's price list says {}.",
                            line.sku, line.unit, line.quantity, line.price, expected
                        ),
                    });
                }
            }
        }
    }
    if let Some(message) = total_mismatch(order) {
        findings.push(Finding {
            kind: ExceptionKind::TaxMismatch,
            detail_key: "total".into(),
            message,
        });
    }
    findings
}

/// Lines − discounts + shipping + tax against Oro's reported total, to the cent.
fn total_mismatch(order: &OroOrder) -> Option<String> {
    let goods: Decimal = order.lines.iter().map(|l| l.quantity * l.price).sum();
    let discounts: Decimal = order.discounts.iter().map(|d| d.amount).sum();
    let tax = order_tax(order)?;
    let expected = round_money(goods - discounts + order.shipping_amount + tax);
    let reported = round_money(order.total);
    (expected != reported).then(|| {
        format!(
            "Lines {} − discounts {} + shipping {} + tax {} make {}, but Oro reports a total of {}.",
            round_money(goods),
            round_money(discounts),
            order.shipping_amount,
            tax,
            expected,
            reported
        )
    })
}

/// All tax on the order: per-line taxes plus shipping tax when itemised, else Oro's tax total.
pub fn order_tax(order: &OroOrder) -> Option<Decimal> {
    let per_line: Option<Decimal> = order.lines.iter().map(|l| l.tax).sum();
    match per_line {
        Some(lines) => Some(lines + order.shipping_tax.unwrap_or_default()),
        None => order.tax_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OroLine;
    use rust_decimal_macros::dec;

    fn order(total: Decimal, line_tax: Option<Decimal>) -> OroOrder {
        OroOrder {
            id: 1,
            identifier: "W-1".into(),
            po_number: None,
            customer_id: 2,
            currency: "GBP".into(),
            internal_status: Some("open".into()),
            status: None,
            shipping_status: None,
            updated_at: String::new(),
            total,
            shipping_amount: dec!(10),
            shipping_tax: Some(dec!(2)),
            tax_total: Some(dec!(45.20)),
            lines: vec![OroLine {
                id: "1".into(),
                sku: "TEE".into(),
                unit: "case".into(),
                quantity: dec!(2),
                price: dec!(108),
                tax: line_tax,
            }],
            discounts: Vec::new(),
        }
    }

    fn ok_unit() -> Vec<Result<MappedUnit, ExceptionKind>> {
        vec![Ok(MappedUnit {
            cin7_sku: "TEE-C12".into(),
            base_units: dec!(12),
            product_id: "p-c12".into(),
            name: "Tee, case of 12".into(),
        })]
    }

    #[test]
    fn a_consistent_order_has_no_findings() {
        assert!(validate(&order(dec!(271.20), Some(dec!(43.20))), &ok_unit(), None).is_empty());
        assert!(
            validate(&order(dec!(271.20), None), &ok_unit(), None).is_empty(),
            "total-only tax"
        );
    }

    #[test]
    fn a_total_that_does_not_add_up_is_a_tax_mismatch() {
        let f = validate(&order(dec!(300), Some(dec!(43.20))), &ok_unit(), None);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, ExceptionKind::TaxMismatch);
    }

    #[test]
    fn a_discounted_total_adds_up_once_its_discounts_are_taken_off() {
        let mut discounted = order(dec!(261.20), Some(dec!(43.20)));
        assert_eq!(
            validate(&discounted, &ok_unit(), None)[0].kind,
            ExceptionKind::TaxMismatch
        );
        discounted.discounts.push(crate::domain::OrderDiscount {
            description: "Spring promotion".into(),
            amount: dec!(10.00),
        });
        assert!(validate(&discounted, &ok_unit(), None).is_empty());
    }

    #[test]
    fn unmapped_lines_and_off_list_prices_are_found() {
        let table: PriceTable = [(("TEE".into(), "case".into()), vec![(dec!(1), dec!(110))])]
            .into_iter()
            .collect();
        let f = validate(
            &order(dec!(271.20), Some(dec!(43.20))),
            &[Err(ExceptionKind::UnitUnmapped)],
            Some(&table),
        );
        let kinds: Vec<_> = f.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            vec![ExceptionKind::UnitUnmapped, ExceptionKind::PriceMismatch]
        );
    }
}
