//! Cin7's reference books Concord validates against before it writes: the tax rules (`/ref/tax`,
//! reference §16), whose percentages say what tax Oro should have charged under each rule.

use super::client::Cin7Client;
use super::error::Cin7Error;
use crate::connectors::budget::Priority;
use crate::domain::ErpTaxRule;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct TaxRuleList {
    #[serde(rename = "Total", default)]
    total: Option<i64>,
    #[serde(rename = "TaxRuleList", default)]
    rules: Vec<TaxRuleRow>,
}

#[derive(Debug, Deserialize)]
struct TaxRuleRow {
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "IsActive", default = "yes")]
    active: bool,
    #[serde(rename = "TaxInclusive", default)]
    inclusive: bool,
    /// Read-only and a number in Cin7's samples; a string is accepted too.
    #[serde(rename = "TaxPercent", default)]
    percent: Option<serde_json::Value>,
}

fn yes() -> bool {
    true
}

fn percent_of(v: Option<&serde_json::Value>) -> Option<Decimal> {
    match v? {
        serde_json::Value::Number(n) => concord_core::decimal::parse(&n.to_string()),
        serde_json::Value::String(s) => concord_core::decimal::parse(s),
        _ => None,
    }
}

fn convert(row: TaxRuleRow) -> Option<ErpTaxRule> {
    // A rule without a name cannot be named on a line; one without a percentage cannot be checked.
    let percent = percent_of(row.percent.as_ref())?;
    (!row.name.trim().is_empty()).then_some(ErpTaxRule {
        name: row.name,
        percent,
        active: row.active,
        inclusive: row.inclusive,
    })
}

impl Cin7Client {
    /// Every tax rule of the account, paged. Read at the priority of the work that needs it.
    pub async fn tax_rules(&self, priority: Priority) -> Result<Vec<ErpTaxRule>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let query = vec![("Page", page.to_string()), ("Limit", "1000".to_owned())];
            let list: TaxRuleList = self.get_json("/ref/tax", query, priority, None).await?;
            let n = list.rules.len();
            out.extend(list.rules.into_iter().filter_map(convert));
            if n < 1000 || list.total.is_some_and(|t| (page * 1000) as i64 >= t) {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn decode(body: &str) -> Vec<ErpTaxRule> {
        let list: TaxRuleList = serde_json::from_str(body).unwrap();
        list.rules.into_iter().filter_map(convert).collect()
    }

    #[test]
    fn the_published_tax_rule_list_decodes_with_its_percentages() {
        let body = std::fs::read_to_string(format!(
            "{}/../../../shared/fixtures/cin7/ref_tax_rules_response.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let rules = decode(&body);
        assert_eq!(rules[0].name, "GST on Income");
        assert_eq!(rules[0].percent, dec!(10));
        assert!(rules[0].active && !rules[0].inclusive);
        assert_eq!(rules[1].percent, dec!(0));
    }

    #[test]
    fn string_percentages_are_read_and_rules_without_name_or_percent_are_left_out() {
        let body = r#"{"Total": 3, "Page": 1, "TaxRuleList": [
            {"Name": "5% VAT", "TaxPercent": "5.0000", "IsActive": false},
            {"Name": "", "TaxPercent": 20},
            {"Name": "No percent"}]}"#;
        let rules = decode(body);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].percent, dec!(5));
        assert!(!rules[0].active);
    }
}
