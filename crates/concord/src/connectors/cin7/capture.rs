//! The reads `concord scenario capture` adds: products with their unit of measure, customers with
//! their price tier and credit limit, and the account's base currency. Each is paced by the
//! budget at bulk priority, so a capture never crowds out a running Concord's orders.

use super::client::{last_page, Cin7Client, PAGE};
use super::error::Cin7Error;
use super::{convert, models};
use crate::connectors::budget::Priority;
use crate::domain::{ErpCatalogueProduct, ErpCustomerTerms};
use concord_core::decimal::lenient_opt;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct ProductPage {
    #[serde(rename = "Total", default)]
    total: Option<i64>,
    #[serde(rename = "Products", default)]
    products: Vec<ProductRow>,
}

#[derive(Debug, Deserialize)]
struct ProductRow {
    #[serde(flatten)]
    product: models::Product,
    #[serde(rename = "UOM", default)]
    uom: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CustomerPage {
    #[serde(rename = "Total", default)]
    total: Option<i64>,
    #[serde(rename = "CustomerList", default)]
    customers: Vec<CustomerRow>,
}

#[derive(Debug, Deserialize)]
struct CustomerRow {
    #[serde(flatten)]
    customer: models::Customer,
    #[serde(rename = "PriceTier", default)]
    price_tier: Option<String>,
    #[serde(rename = "CreditLimit", default, deserialize_with = "lenient_opt")]
    credit_limit: Option<rust_decimal::Decimal>,
}

fn catalogue_product(row: ProductRow) -> ErpCatalogueProduct {
    ErpCatalogueProduct {
        product: convert::product(row.product),
        uom: row.uom.filter(|u| !u.trim().is_empty()),
    }
}

fn customer_terms(row: CustomerRow) -> ErpCustomerTerms {
    ErpCustomerTerms {
        customer: convert::customer(row.customer),
        price_tier: row.price_tier.filter(|t| !t.trim().is_empty()),
        credit_limit: row.credit_limit,
    }
}

impl Cin7Client {
    /// Every product with its bill of materials and unit of measure.
    pub async fn catalogue(&self) -> Result<Vec<ErpCatalogueProduct>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let query = vec![
                ("Page", page.to_string()),
                ("Limit", PAGE.to_string()),
                ("IncludeBOM", "true".into()),
            ];
            let list: ProductPage = self
                .get_json("/product", query, Priority::Bulk, None)
                .await?;
            let n = list.products.len();
            out.extend(list.products.into_iter().map(catalogue_product));
            if last_page(n, page, list.total) {
                break;
            }
        }
        Ok(out)
    }

    /// Every customer with its price tier and credit limit.
    pub async fn customer_terms(&self) -> Result<Vec<ErpCustomerTerms>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let query = vec![("Page", page.to_string()), ("Limit", PAGE.to_string())];
            let list: CustomerPage = self
                .get_json("/customer", query, Priority::Bulk, None)
                .await?;
            let n = list.customers.len();
            out.extend(list.customers.into_iter().map(customer_terms));
            if last_page(n, page, list.total) {
                break;
            }
        }
        Ok(out)
    }

    /// The account's base currency (`GET /me` → `Currency`), when Cin7 states one.
    pub async fn base_currency(&self) -> Result<Option<String>, Cin7Error> {
        let me: Value = self.get_json("/me", vec![], Priority::Bulk, None).await?;
        Ok(me
            .get("Currency")
            .and_then(Value::as_str)
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn customers_keep_their_price_tier_and_credit_limit_and_products_their_unit() {
        let customers: CustomerPage = serde_json::from_str(
            r#"{"Total": 1, "CustomerList": [{"ID": "c1", "Name": "Acme", "Currency": "GBP",
                "PaymentTerm": "30 days", "IsOnCreditHold": "True", "PriceTier": "Trade",
                "CreditLimit": 2500.5}]}"#,
        )
        .unwrap();
        let terms = customer_terms(customers.customers.into_iter().next().unwrap());
        assert_eq!(terms.customer.name, "Acme");
        assert!(terms.customer.on_credit_hold);
        assert_eq!(terms.price_tier.as_deref(), Some("Trade"));
        assert_eq!(terms.credit_limit, Some(dec!(2500.5)));

        let products: ProductPage = serde_json::from_str(
            r#"{"Products": [{"ID": "p1", "SKU": "TEE-C12", "Name": "Tee case", "UOM": "Case",
                "BillOfMaterial": true, "BillOfMaterialsProducts": [{"ProductCode": "TEE", "Quantity": 12}]}]}"#,
        )
        .unwrap();
        let p = catalogue_product(products.products.into_iter().next().unwrap());
        assert_eq!(p.uom.as_deref(), Some("Case"));
        assert_eq!(p.product.pack.map(|x| x.size), Some(dec!(12)));
    }
}
