//! Cin7 wire types, private to the connector. Decoding is lenient: numbers and booleans may come
//! as strings, unknown fields are ignored, unknown enum values are kept as text.

use concord_core::decimal::lenient;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::String(s) => Ok(s.eq_ignore_ascii_case("true")),
        serde_json::Value::Number(n) => Ok(n.as_i64().unwrap_or(0) != 0),
        _ => Ok(false),
    }
}

fn lenient_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(concord_core::decimal::lenient_opt(d)?.unwrap_or_default())
}

fn tiers<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Decimal>, D::Error> {
    let raw: Option<BTreeMap<String, serde_json::Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            concord_core::decimal::parse(&text).map(|d| (k, d))
        })
        .collect())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductList {
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub products: Vec<Product>,
}

#[derive(Debug, Deserialize)]
pub struct Product {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(rename = "SKU", default)]
    pub sku: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Type", default)]
    pub kind: Option<String>,
    /// `Active` or `Deprecated`; only reads with `IncludeDeprecated=true` return the latter.
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "PriceTiers", default, deserialize_with = "tiers")]
    pub price_tiers: BTreeMap<String, Decimal>,
    #[serde(rename = "BillOfMaterial", default, deserialize_with = "lenient_bool")]
    pub bill_of_material: bool,
    #[serde(rename = "BillOfMaterialsProducts", default)]
    pub bom: Vec<BomLine>,
}

#[derive(Debug, Deserialize)]
pub struct BomLine {
    #[serde(rename = "ProductCode", default)]
    pub product_code: String,
    #[serde(rename = "Quantity", deserialize_with = "lenient_or_zero", default)]
    pub quantity: Decimal,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerList {
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub customer_list: Vec<Customer>,
}

#[derive(Debug, Deserialize)]
pub struct Customer {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Currency", default)]
    pub currency: String,
    #[serde(rename = "PaymentTerm", default)]
    pub payment_term: Option<String>,
    #[serde(rename = "TaxRule", default)]
    pub tax_rule: Option<String>,
    #[serde(rename = "IsOnCreditHold", default, deserialize_with = "lenient_bool")]
    pub is_on_credit_hold: bool,
    #[serde(rename = "AdditionalAttribute1", default)]
    pub additional_attribute1: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerWrite {
    pub name: String,
    pub status: &'static str,
    pub currency: String,
    pub payment_term: String,
    pub is_on_credit_hold: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_rule: Option<String>,
    pub account_receivable: String,
    pub revenue_account: String,
    pub additional_attribute1: String,
    pub additional_attribute2: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SaleListPage {
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub sale_list: Vec<SaleListRow>,
}

#[derive(Debug, Deserialize)]
pub struct SaleListRow {
    #[serde(rename = "SaleID", default)]
    pub sale_id: String,
    #[serde(rename = "ExternalID", default)]
    pub external_id: Option<String>,
    #[serde(rename = "Status", default)]
    pub status: String,
    #[serde(rename = "OrderStatus", default)]
    pub order_status: Option<String>,
    #[serde(rename = "Customer", default)]
    pub customer: Option<String>,
    #[serde(rename = "CombinedShippingStatus", default)]
    pub combined_shipping_status: Option<String>,
    #[serde(rename = "CombinedTrackingNumbers", default)]
    pub combined_tracking_numbers: Option<String>,
    #[serde(rename = "OrderNumber", default)]
    pub order_number: Option<String>,
    /// Paid less refunded (a number or a decimal string).
    #[serde(
        rename = "PaidAmount",
        default,
        deserialize_with = "concord_core::decimal::lenient_opt"
    )]
    pub paid_amount: Option<Decimal>,
}

#[derive(Debug, Deserialize)]
pub struct Sale {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(rename = "ExternalID", default)]
    pub external_id: Option<String>,
    #[serde(rename = "Status", default)]
    pub status: String,
    #[serde(rename = "Customer", default)]
    pub customer: Option<String>,
    #[serde(rename = "Order", default)]
    pub order: Option<SaleOrderBody>,
}

#[derive(Debug, Deserialize, Default)]
pub struct SaleOrderBody {
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "Lines", default)]
    pub lines: Vec<Line>,
    #[serde(rename = "AdditionalCharges", default)]
    pub additional_charges: Vec<Charge>,
    #[serde(rename = "Total", default, deserialize_with = "lenient_or_zero")]
    pub total: Decimal,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Line {
    #[serde(rename = "ProductID", default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(rename = "SKU", default)]
    pub sku: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "TaxRule", default)]
    pub tax_rule: String,
    #[serde(
        rename = "Quantity",
        deserialize_with = "lenient",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub quantity: Decimal,
    #[serde(
        rename = "Price",
        deserialize_with = "lenient",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub price: Decimal,
    #[serde(
        rename = "Discount",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub discount: Decimal,
    #[serde(
        rename = "Tax",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub tax: Decimal,
    #[serde(
        rename = "Total",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub total: Decimal,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Charge {
    #[serde(rename = "Description", default)]
    pub description: String,
    #[serde(rename = "TaxRule", default)]
    pub tax_rule: String,
    #[serde(
        rename = "Quantity",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub quantity: Decimal,
    #[serde(
        rename = "Price",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub price: Decimal,
    #[serde(
        rename = "Tax",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub tax: Decimal,
    #[serde(
        rename = "Total",
        default,
        deserialize_with = "lenient_or_zero",
        serialize_with = "rust_decimal::serde::float::serialize"
    )]
    pub total: Decimal,
    #[serde(rename = "Comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AvailabilityPage {
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub product_availability_list: Vec<AvailabilityRow>,
}

#[derive(Debug, Deserialize)]
pub struct AvailabilityRow {
    #[serde(rename = "SKU", default)]
    pub sku: String,
    #[serde(rename = "Location", default)]
    pub location: String,
    #[serde(rename = "OnHand", default, deserialize_with = "lenient_or_zero")]
    pub on_hand: Decimal,
    #[serde(rename = "Allocated", default, deserialize_with = "lenient_or_zero")]
    pub allocated: Decimal,
    #[serde(rename = "Available", default, deserialize_with = "lenient_or_zero")]
    pub available: Decimal,
}

/// `Customer/Updated` webhook body.
#[derive(Debug, Deserialize)]
pub struct CustomerUpdated {
    #[serde(rename = "CustomerDetailsList", default)]
    pub customer_details_list: Vec<CustomerDetails>,
}

#[derive(Debug, Deserialize)]
pub struct CustomerDetails {
    #[serde(rename = "Customer")]
    pub customer: Customer,
}
