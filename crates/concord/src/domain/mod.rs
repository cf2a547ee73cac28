//! Domain values the flows work with, whichever system they came from. Connectors convert their
//! wire types to and from these; nothing outside a connector sees a wire type.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A Cin7 product: a base SKU, or a pack product whose bill of materials is `size` base units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpProduct {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub pack: Option<Pack>,
    pub price_tiers: TierPrices,
    pub is_service: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    pub base_sku: String,
    pub size: Decimal,
}

/// A Cin7 customer; Cin7 is the master of its financial fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpCustomer {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub on_credit_hold: bool,
    pub payment_term: Option<String>,
    /// The customer's default Cin7 tax rule (lines take it when no tax map applies).
    #[serde(default)]
    pub tax_rule: Option<String>,
    /// The Oro customer id Concord keeps in `AdditionalAttribute1`.
    pub oro_id: Option<String>,
}

/// A Cin7 tax rule: the name lines carry and the percentage it charges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpTaxRule {
    pub name: String,
    pub percent: Decimal,
    pub active: bool,
    /// Prices include the tax (Concord sends tax-exclusive prices, so such a rule is reported).
    pub inclusive: bool,
}

/// What Concord asks Cin7 to create for a new financial entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewErpCustomer {
    pub name: String,
    pub currency: String,
    pub payment_term: String,
    pub on_credit_hold: bool,
    pub price_tier: Option<String>,
    pub tax_rule: Option<String>,
    pub account_receivable: String,
    pub revenue_account: String,
    pub oro_id: String,
    /// Hierarchy path of Oro names, top first, kept in `AdditionalAttribute2`.
    pub hierarchy_path: String,
}

/// One row of a sale list: enough to match sales to orders and see their state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleSummary {
    pub id: String,
    pub external_id: Option<String>,
    pub status: String,
    pub order_status: Option<String>,
    pub customer: Option<String>,
    pub shipping_status: Option<String>,
    /// `CombinedTrackingNumbers`, as Cin7 joins them.
    #[serde(default)]
    pub tracking_numbers: Option<String>,
    /// `PaidAmount`: payments less refunds, when the list shows it.
    #[serde(default)]
    pub paid: Option<Decimal>,
}

/// A completed Oro payment transaction, as its `order.payment_status_updated` webhook tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentCapture {
    pub order_id: i64,
    pub amount: Decimal,
    /// The transaction action: `capture`, `charge`, `purchase`, `authorize`, `refund`, …
    pub transaction_type: String,
    /// `Y-m-d H:i:s`, as Oro sends it.
    pub transaction_date: String,
    pub amount_paid: Option<Decimal>,
    pub amount_due: Option<Decimal>,
}

/// One invoice task of a sale: `Status` upper case (`NOT AVAILABLE`, `DRAFT`, `AUTHORISED`, `PAID`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpInvoice {
    pub task_id: String,
    pub status: String,
    pub number: Option<String>,
}

/// A payment recorded on a sale; `kind` upper case (`PAYMENT`, `PREPAYMENT`, `REFUND`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpPayment {
    pub reference: String,
    pub amount: Decimal,
    pub kind: String,
}

/// A payment Concord posts: against an invoice task (`PAYMENT`) or the sale (`PREPAYMENT`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewErpPayment {
    pub task_id: String,
    pub kind: String,
    pub reference: String,
    pub amount: Decimal,
    pub date_paid: String,
    pub account: String,
}

/// A whole sale, read back for reconciliation and recovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleDetail {
    pub id: String,
    pub external_id: Option<String>,
    pub status: String,
    pub order_status: Option<String>,
    pub customer: Option<String>,
    pub lines: Vec<SaleLine>,
    pub charges: Vec<SaleCharge>,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleLine {
    pub sku: String,
    /// The Cin7 product's id and name: Cin7 requires `Name` on every line.
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tax_rule: String,
    pub quantity: Decimal,
    pub price: Decimal,
    /// Cin7's line `Discount`: a percentage, 0–100 with two decimals (an Oro order discount's share).
    #[serde(default)]
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleCharge {
    /// The name of a Cin7 Service product.
    pub description: String,
    #[serde(default)]
    pub tax_rule: String,
    pub quantity: Decimal,
    pub price: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    /// What the charge is for beyond its service product (an Oro discount's description).
    #[serde(default)]
    pub comment: Option<String>,
}

/// The sale header Concord creates for an Oro order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSale {
    pub customer_id: String,
    pub location: String,
    pub external_id: String,
    pub customer_reference: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStage {
    Draft,
    Authorised,
}

impl OrderStage {
    pub fn as_cin7(self) -> &'static str {
        match self {
            OrderStage::Draft => "DRAFT",
            OrderStage::Authorised => "AUTHORISED",
        }
    }
}

/// The order part of a sale: its lines and additional charges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleOrder {
    pub lines: Vec<SaleLine>,
    pub charges: Vec<SaleCharge>,
    pub memo: String,
}

/// Stock of one SKU at one location, in the SKU's own unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockRow {
    pub sku: String,
    pub location: String,
    pub on_hand: Decimal,
    pub allocated: Decimal,
    pub available: Decimal,
}

/// An Oro order as the flows see it: lines, taxes and totals already read from the subtotals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OroOrder {
    pub id: i64,
    pub identifier: String,
    pub po_number: Option<String>,
    pub customer_id: i64,
    pub currency: String,
    pub internal_status: Option<String>,
    /// External status (`wait_for_approval`, …), `None` when there is none.
    pub status: Option<String>,
    pub shipping_status: Option<String>,
    pub updated_at: String,
    pub total: Decimal,
    pub shipping_amount: Decimal,
    pub shipping_tax: Option<Decimal>,
    /// Oro's tax total (lines and shipping), when the subtotals expose it.
    pub tax_total: Option<Decimal>,
    pub lines: Vec<OroLine>,
    /// Order-level discounts (manual order discounts and promotions), before tax.
    #[serde(default)]
    pub discounts: Vec<OrderDiscount>,
}

/// One order-level discount as Oro states it: positive, before tax, in the order currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDiscount {
    pub description: String,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OroLine {
    pub id: String,
    pub sku: String,
    pub unit: String,
    pub quantity: Decimal,
    pub price: Decimal,
    /// Oro's per-line tax, when the tax subtotal carries it (`per_line`); `None` when only a total exists.
    pub tax: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OroCustomer {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    /// The Oro customer tax code's `code`, when one is assigned.
    #[serde(default)]
    pub tax_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OroProduct {
    pub id: String,
    pub sku: String,
    pub inventory_status: Option<String>,
    /// The primary unit first.
    pub units: Vec<UnitPrecision>,
    /// The Oro product tax code's `code`, when one is assigned.
    #[serde(default)]
    pub tax_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitPrecision {
    pub unit: String,
    pub conversion_rate: Decimal,
    pub precision: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryLevel {
    pub id: String,
    pub product_id: String,
    pub unit: String,
    pub quantity: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OroPrice {
    pub product_id: String,
    pub unit: String,
    pub quantity: Decimal,
    pub value: Decimal,
    pub currency: String,
}

/// What Cin7 says about a sale's shipments: its `CombinedShippingStatus` and every tracking number
/// on its ship lines (`GET /sale` → `Fulfilments[].Ship.Lines[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleShipments {
    pub sale_id: String,
    pub external_id: Option<String>,
    pub status: String,
    pub shipping_status: Option<String>,
    pub trackings: Vec<Tracking>,
}

/// One tracking number and the carrier that gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    pub number: String,
    pub carrier: String,
}

/// A Cin7 shipment webhook, as a prompt to read the sale: `id` is the sale id, or in an advanced
/// sale possibly a fulfilment task id; `order_number` (`SO-…`) finds the sale then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentPrompt {
    pub id: String,
    pub order_number: Option<String>,
    /// `SaleID` was sent (`Sale/ShipmentTrackingNumberChanged`), not the ambiguous `SaleTaskID`.
    #[serde(default)]
    pub names_sale: bool,
}

/// One entry of a reference book Concord names by text (a Cin7 location, payment term, price
/// tier or account; an Oro price list): what it is called and whether it may be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookEntry {
    /// The name Concord's configuration uses (an account's code, a price list's id).
    pub name: String,
    /// A longer label, when the key above is a code.
    pub label: Option<String>,
    /// Not deprecated, disabled or archived.
    pub active: bool,
}

/// A webhook subscription as either system lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookSubscription {
    /// Cin7's `Type` (e.g. `Stock/AvailableStockLevelChanged`) or Oro's topic (`order.created`).
    pub topic: String,
    pub url: String,
    pub active: bool,
}

mod capture;
pub mod price_table;
mod tiers;
pub use capture::*;
pub use price_table::PriceTable;
pub use tiers::TierPrices;
