//! Pure rules for shipments: how far a sale has shipped, read from Cin7's documented
//! `CombinedShippingStatus` values (reference §14.5) by exact value, the Oro shipping status that
//! says the same, and which tracking numbers Oro does not have yet.

use crate::domain::Tracking;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotShipped,
    Partial,
    Full,
}

impl Progress {
    /// The `ordershippingstatuses` id for it.
    pub fn oro_code(self) -> &'static str {
        match self {
            Progress::NotShipped => "not_shipped",
            Progress::Partial => "partially_shipped",
            Progress::Full => "shipped",
        }
    }
}

/// `NOT AVAILABLE`/`NOT SHIPPED`/`SHIPPING` → nothing shipped, `PARTIALLY SHIPPED` → partial,
/// `SHIPPED` → all; a `COMPLETED` sale has shipped everything whatever else it shows. `VOIDED`
/// and values the reference does not list say nothing (`None`): Oro is then left as it is.
pub fn progress(combined_shipping_status: Option<&str>, sale_status: &str) -> Option<Progress> {
    if sale_status.trim().eq_ignore_ascii_case("COMPLETED") {
        return Some(Progress::Full);
    }
    let status = combined_shipping_status?.trim().to_ascii_uppercase();
    match status.as_str() {
        "NOT AVAILABLE" | "NOT SHIPPED" | "SHIPPING" => Some(Progress::NotShipped),
        "PARTIALLY SHIPPED" => Some(Progress::Partial),
        "SHIPPED" => Some(Progress::Full),
        _ => None,
    }
}

/// Tracking numbers Cin7 shows that are not in `known`, first occurrence only, in Cin7's order.
pub fn new_trackings(cin7: &[Tracking], known: &[String]) -> Vec<Tracking> {
    let mut out: Vec<Tracking> = Vec::new();
    for t in cin7 {
        let number = t.number.trim();
        if number.is_empty()
            || known.iter().any(|k| k == number)
            || out.iter().any(|o| o.number == number)
        {
            continue;
        }
        out.push(Tracking {
            number: number.to_owned(),
            carrier: t.carrier.trim().to_owned(),
        });
    }
    out
}

/// Does `CombinedTrackingNumbers` (numbers joined by commas or semicolons) name one not in `known`?
pub fn lists_unknown_number(combined: Option<&str>, known: &[String]) -> bool {
    combined
        .unwrap_or_default()
        .split([',', ';'])
        .map(str::trim)
        .any(|n| !n.is_empty() && !known.iter().any(|k| k == n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_follows_the_documented_values_exactly() {
        let cases = [
            (Some("NOT SHIPPED"), "ORDERED", Some(Progress::NotShipped)),
            (
                Some("NOT AVAILABLE"),
                "ESTIMATED",
                Some(Progress::NotShipped),
            ),
            (Some("SHIPPING"), "SHIPPING", Some(Progress::NotShipped)),
            (
                Some("PARTIALLY SHIPPED"),
                "SHIPPING",
                Some(Progress::Partial),
            ),
            (Some("shipped "), "INVOICED", Some(Progress::Full)),
            (Some("VOIDED"), "VOIDED", None),
            (Some("SOMETHING NEW"), "ORDERED", None),
            (None, "ORDERED", None),
            (None, "COMPLETED", Some(Progress::Full)),
        ];
        for (combined, status, expected) in cases {
            assert_eq!(
                progress(combined, status),
                expected,
                "{combined:?} {status}"
            );
        }
        assert_eq!(Progress::Partial.oro_code(), "partially_shipped");
    }

    #[test]
    fn only_unknown_tracking_numbers_are_new_and_each_once() {
        let t = |n: &str| Tracking {
            number: n.into(),
            carrier: "DPD".into(),
        };
        let known = vec!["A".to_owned()];
        let got = new_trackings(&[t("A"), t(" B "), t("B"), t(""), t("C")], &known);
        assert_eq!(got, vec![t("B"), t("C")]);
        assert!(new_trackings(&[t("A")], &known).is_empty());
    }

    #[test]
    fn combined_tracking_numbers_are_compared_number_by_number() {
        let known = vec!["RM-1".to_owned(), "RM-2".to_owned()];
        assert!(!lists_unknown_number(Some("RM-1, RM-2"), &known));
        assert!(!lists_unknown_number(Some(""), &known));
        assert!(!lists_unknown_number(None, &known));
        assert!(lists_unknown_number(Some("RM-1;RM-3"), &known));
    }
}
