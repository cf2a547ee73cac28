//! Timeline events: what happens to either system, and when, in scenario seconds.

use crate::decimal::string_only;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::model::{Cin7Product, Order, OroCustomer};

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at_s: f64,
    pub event: TimelineEvent,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TimelineEvent {
    OroOrder {
        order: Order,
    },
    OroOrderStatus(OrderStatusChange),
    OroCustomer {
        customer: OroCustomer,
    },
    OroPrice {
        price_list: i64,
        sku: String,
        unit: String,
        quantity: Decimal,
        value: Decimal,
    },
    Cin7StockAdjust {
        sku: String,
        location: String,
        delta: Decimal,
    },
    Cin7CustomerUpdate {
        name: String,
        on_credit_hold: Option<bool>,
    },
    /// A full shipment (`lines` empty: all not shipped yet) or a partial one (spec 4.4).
    Cin7Ship {
        order_id: i64,
        lines: Vec<ShipLine>,
        tracking_number: Option<String>,
    },
    /// A payment captured in Oro (spec 4.3).
    OroPayment(Payment),
    /// A payment finance records by hand in Cin7.
    Cin7Payment(Payment),
    /// A product created in Cin7 mid-run (spec 4.5).
    Cin7Product {
        product: Cin7Product,
    },
    Outage {
        system: System,
        duration_s: f64,
    },
    ConcordCrash,
}

/// Base units of one Cin7 SKU in a partial shipment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipLine {
    pub sku: String,
    #[serde(deserialize_with = "string_only")]
    pub quantity: Decimal,
}

/// A payment against an Oro order; `method` is known only for Oro captures.
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub order_id: i64,
    pub amount: Decimal,
    pub reference: String,
    pub method: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum System {
    Cin7,
    Oro,
}

/// A change of an Oro order's statuses. `status: Some(None)` means the external status was cleared
/// (an approval); `None` means the event did not touch it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusChange {
    pub order_id: i64,
    #[serde(default)]
    pub internal_status: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

// Wire shapes of each event, with `at_s` and `event` kept so `deny_unknown_fields` still applies.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OroOrderRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub order: Order,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OroOrderStatusRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub order_id: i64,
    #[serde(default)]
    pub internal_status: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OroCustomerRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub customer: OroCustomer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OroPriceRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub price_list: i64,
    pub sku: String,
    pub unit: String,
    #[serde(deserialize_with = "string_only")]
    pub quantity: Decimal,
    #[serde(deserialize_with = "string_only")]
    pub value: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StockAdjustRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub sku: String,
    pub location: String,
    #[serde(deserialize_with = "string_only")]
    pub delta: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CustomerUpdateRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub name: String,
    #[serde(default)]
    pub on_credit_hold: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ShipRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub order_id: i64,
    #[serde(default)]
    pub lines: Vec<ShipLine>,
    #[serde(default)]
    pub tracking_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OroPaymentRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub order_id: i64,
    #[serde(deserialize_with = "string_only")]
    pub amount: Decimal,
    pub reference: String,
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cin7PaymentRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub order_id: i64,
    #[serde(deserialize_with = "string_only")]
    pub amount: Decimal,
    pub reference: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cin7ProductRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub product: Cin7Product,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OutageRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
    pub system: System,
    pub duration_s: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CrashRaw {
    pub at_s: f64,
    #[allow(dead_code)]
    pub event: String,
}
