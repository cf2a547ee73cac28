//! What `concord scenario capture` reads beyond what the flows need: names, users, placement
//! times and commercial terms, so a rehearsal can recreate the merchant's systems.

use super::{ErpCustomer, ErpProduct, OroOrder, OroProduct};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An Oro customer user: a person who places orders for a customer account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OroCustomerUser {
    pub id: i64,
    pub customer_id: i64,
    pub email: String,
}

/// An Oro product with its name in the default localization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedOroProduct {
    pub product: OroProduct,
    pub name: String,
}

/// An Oro order with when it was placed and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order: OroOrder,
    /// `createdAt`, RFC 3339.
    pub created_at: String,
    pub customer_user: Option<i64>,
}

/// A Cin7 product with its unit of measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpCatalogueProduct {
    pub product: ErpProduct,
    pub uom: Option<String>,
}

/// A Cin7 customer with the commercial terms finance set on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpCustomerTerms {
    pub customer: ErpCustomer,
    pub price_tier: Option<String>,
    pub credit_limit: Option<Decimal>,
}
