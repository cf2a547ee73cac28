//! Root-cause keys (spec 4.6) for the order findings: each finding's detail key becomes the key of
//! the one cause behind it, so the exception's fingerprint carries the key and every order held by
//! the same cause groups under it without reading the order again.

use concord_core::catalogue::ExceptionKind;

/// The Oro facts a finding's cause key may need besides its own detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyContext {
    /// The ordering customer (not its financial entity): `customer:<Oro id>`.
    pub customer_id: i64,
    /// The price list assigned to the ordering customer, when it has one.
    pub price_list: Option<i64>,
}

/// The prefix each keyed kind's cause starts with.
///
/// Extension point: a new kind with a cause joins here, and its finding's detail key is either
/// already `<prefix>:…` (as `tax_rule_unmapped`'s `tax:<customer code>:<product code>`, `-` for a
/// missing code, is expected to be) or rewritten by [`cause_detail`].
pub fn prefix_for(kind: &str) -> Option<&'static str> {
    match kind {
        "sku_unknown" => Some("sku"),
        "unit_unmapped" => Some("unit"),
        "customer_unmapped" => Some("customer"),
        "tax_rule_unmapped" => Some("tax"),
        "price_mismatch" => Some("price"),
        _ => None,
    }
}

/// The detail key to raise a finding under: its cause key for the keyed kinds, else unchanged.
/// Line findings arrive as `<SKU>:<unit>` from validation.
pub fn cause_detail(kind: ExceptionKind, detail: &str, ctx: KeyContext) -> String {
    let Some(prefix) = prefix_for(kind.as_str()) else {
        return detail.to_owned();
    };
    if detail.starts_with(&format!("{prefix}:")) {
        return detail.to_owned();
    }
    match prefix {
        "sku" => format!("sku:{}", sku_of(detail)),
        "unit" => format!("unit:{detail}"),
        "customer" => format!("customer:{}", ctx.customer_id),
        "price" => match ctx.price_list {
            Some(list) => format!("price:{list}:{detail}"),
            None => detail.to_owned(),
        },
        _ => detail.to_owned(),
    }
}

/// The cause key stored in an exception's fingerprint (`kind|subject|detail`), if it has one.
pub fn key_of_fingerprint(kind: &str, fingerprint: &str) -> Option<String> {
    let prefix = prefix_for(kind)?;
    let detail = fingerprint.splitn(3, '|').nth(2)?;
    let rest = detail.strip_prefix(prefix)?.strip_prefix(':')?;
    (!rest.is_empty()).then(|| detail.to_owned())
}

/// `<SKU>:<unit>` → `<SKU>`; a SKU may itself hold a colon, a unit code does not.
fn sku_of(detail: &str) -> &str {
    detail.rsplit_once(':').map_or(detail, |(sku, _)| sku)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExceptionKind::*;

    const CTX: KeyContext = KeyContext {
        customer_id: 42,
        price_list: Some(3),
    };

    #[test]
    fn each_keyed_kind_gets_its_spec_key() {
        let table = [
            (SkuUnknown, "MUG-LTD:each", "sku:MUG-LTD"),
            (SkuUnknown, "A:B:case", "sku:A:B"),
            (UnitUnmapped, "TEE:pallet", "unit:TEE:pallet"),
            (CustomerUnmapped, "entity", "customer:42"),
            (PriceMismatch, "TEE:case", "price:3:TEE:case"),
            (TaxMismatch, "total", "total"),
            (SkuUnknown, "sku:ALREADY", "sku:ALREADY"),
        ];
        for (kind, detail, want) in table {
            assert_eq!(cause_detail(kind, detail, CTX), want, "{kind:?} {detail}");
        }
    }

    #[test]
    fn a_price_finding_without_a_list_keeps_its_detail() {
        let ctx = KeyContext {
            price_list: None,
            ..CTX
        };
        assert_eq!(cause_detail(PriceMismatch, "TEE:case", ctx), "TEE:case");
    }

    #[test]
    fn the_key_is_read_back_from_the_fingerprint() {
        let table = [
            (
                "sku_unknown",
                "sku_unknown|order:7|sku:MUG",
                Some("sku:MUG"),
            ),
            (
                "unit_unmapped",
                "unit_unmapped|order:7|unit:T:case",
                Some("unit:T:case"),
            ),
            (
                "tax_rule_unmapped",
                "tax_rule_unmapped|order:7|tax:EXPORT:-",
                Some("tax:EXPORT:-"),
            ),
            ("sku_unknown", "sku_unknown|order:7|MUG:each", None),
            (
                "customer_unmapped",
                "customer_unmapped|order:7|entity",
                None,
            ),
            ("tax_mismatch", "tax_mismatch|order:7|total", None),
            ("sku_unknown", "sku_unknown|order:7|sku:", None),
        ];
        for (kind, fp, want) in table {
            assert_eq!(key_of_fingerprint(kind, fp).as_deref(), want, "{fp}");
        }
    }
}
