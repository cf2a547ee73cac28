//! The emulated tenant's data: reference books, products, stock rows, customers, sales, webhook
//! subscriptions and the delivery queue, all behind one `std::sync::Mutex` in the emulator.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uuid::Uuid;

/// Everything the tenant holds. Times are scenario seconds.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub base_currency: String,
    pub locations: Vec<Named>,
    pub tax_rules: Vec<TaxRuleRec>,
    pub payment_terms: Vec<Named>,
    /// Names of price tiers 1..=10 (unnamed tiers keep Cin7's default `Tier N`).
    pub tier_names: Vec<String>,
    /// Only ever appended to, through [`State::add_product`], which keeps `product_at` current.
    pub products: Vec<Product>,
    /// Product id → index in `products`: list views look a product up per row, and a linear
    /// search made a 20,000-SKU catalogue page quadratic.
    pub product_at: std::collections::HashMap<Uuid, usize>,
    /// SKU (trimmed, ASCII lower case, as Cin7 compares SKUs) → index in `products`: seeding
    /// 60,000 availability rows by scanning the catalogue for each took a minute.
    pub sku_at: std::collections::HashMap<String, usize>,
    pub stock: Vec<StockRow>,
    /// Bins each stock row is shown spread over (scenario `cin7.availability_bins`).
    pub bins: Vec<String>,
    pub customers: Vec<Customer>,
    pub sales: Vec<Sale>,
    pub next_order_number: u32,
    /// `INV-#####`, numbered per tenant.
    pub next_invoice_number: u32,
    pub webhooks_enabled: bool,
    pub subscriptions: Vec<Subscription>,
    /// Deliveries queued or waiting for a retry; the delivery loop drains it.
    pub deliveries: Vec<Delivery>,
    /// Deliveries taken off the queue and being sent right now: counted as pending so a run is
    /// not declared idle between taking a delivery and requeueing it after a failure.
    pub in_flight: usize,
    /// Credit-hold changes finance made to customers that did not exist yet, by name: applied the
    /// moment the customer is created (finance acts once the account appears; spec §2).
    pub pending_holds: Vec<(String, bool)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct TaxRuleRec {
    pub id: Uuid,
    pub name: String,
    pub percent: Decimal,
    /// Cin7 refuses lines and charges that name an inactive rule.
    pub active: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub uom: String,
    /// `Stock` or `Service`.
    pub kind: String,
    pub status: String,
    pub category: String,
    /// `PriceTier1..10`.
    pub tiers: [Decimal; 10],
    /// For a pack (additional unit of measure): the base product and how many base units one holds.
    pub bom: Option<(Uuid, Decimal)>,
    pub modified_s: f64,
    /// Fields sent on POST/PUT that the emulator does not model, echoed back.
    pub extra: Map<String, Value>,
}

/// The stock of a product at a location; shown as one availability row per bin (see
/// `routes::availability`).
#[derive(Debug, Clone)]
pub(crate) struct StockRow {
    pub product_id: Uuid,
    pub location: String,
    pub on_hand: Decimal,
    pub allocated: Decimal,
}

#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub currency: String,
    pub payment_term: String,
    pub price_tier: String,
    pub tax_rule: String,
    pub credit_limit: Decimal,
    pub on_credit_hold: bool,
    pub modified_s: f64,
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub(crate) struct Sale {
    pub id: Uuid,
    pub number: u32,
    pub customer_id: Uuid,
    pub customer: String,
    pub location: String,
    pub skip_quote: bool,
    pub tax_inclusive: bool,
    pub tax_rule: String,
    pub terms: String,
    pub price_tier: String,
    pub external_id: Option<String>,
    pub customer_reference: String,
    pub quote_status: String,
    pub order: SaleOrder,
    pub voided: bool,
    /// When the last of the sale shipped (set by `fulfilment::ship`).
    pub shipped_s: Option<f64>,
    /// Pick, pack and ship tasks, one per shipment (§14).
    pub fulfilments: Vec<super::fulfilment::Fulfilment>,
    /// Invoices and payments (reference §11–§12).
    pub ledger: super::ledger::Ledger,
    pub created_s: f64,
    pub updated_s: f64,
    /// Header fields the emulator does not model (addresses, notes, `AdditionalAttributes`, …).
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SaleOrder {
    /// `NOT AVAILABLE`, `DRAFT`, `AUTHORISED` or `VOIDED`.
    pub status: String,
    pub memo: String,
    pub lines: Vec<Line>,
    pub charges: Vec<Charge>,
}

#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub quantity: Decimal,
    pub price: Decimal,
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub tax_rule: String,
    pub comment: String,
    /// In the line's own unit (packs for a pack SKU).
    pub backorder: Decimal,
    /// Base units allocated for this line, against `alloc_product` at the sale's location.
    pub allocated_base: Decimal,
    pub alloc_product: Uuid,
}

#[derive(Debug, Clone)]
pub(crate) struct Charge {
    pub description: String,
    pub quantity: Decimal,
    pub price: Decimal,
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub tax_rule: String,
    pub comment: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub id: Uuid,
    pub kind: String,
    pub active: bool,
    pub url: String,
    /// `noauth`, `basicauth` or `bearerauth`.
    pub auth: String,
    pub user: String,
    pub password: String,
    pub bearer: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub subscription: Uuid,
    pub kind: String,
    pub body: Value,
    pub created_s: f64,
    pub due_s: f64,
    pub attempts: u32,
}

impl State {
    pub fn product(&self, id: Uuid) -> Option<&Product> {
        self.product_at.get(&id).and_then(|i| self.products.get(*i))
    }

    pub fn add_product(&mut self, product: Product) {
        self.product_at.insert(product.id, self.products.len());
        self.sku_at
            .entry(sku_key(&product.sku))
            .or_insert(self.products.len());
        self.products.push(product);
    }

    /// Replaces the product at `index` (an update), keeping the SKU index current.
    pub fn replace_product(&mut self, index: usize, product: Product) {
        if let Some(old) = self.products.get(index) {
            let old_key = sku_key(&old.sku);
            if self.sku_at.get(&old_key) == Some(&index) {
                self.sku_at.remove(&old_key);
            }
        }
        self.sku_at.entry(sku_key(&product.sku)).or_insert(index);
        if let Some(slot) = self.products.get_mut(index) {
            *slot = product;
        }
    }

    pub fn product_by_sku(&self, sku: &str) -> Option<&Product> {
        self.sku_at
            .get(&sku_key(sku))
            .and_then(|i| self.products.get(*i))
    }

    pub fn customer(&self, id: Uuid) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }

    pub fn customer_by_name(&self, name: &str) -> Option<&Customer> {
        self.customers
            .iter()
            .find(|c| crate::cin7::wire::same(&c.name, name))
    }

    pub fn sale_index(&self, id: Uuid) -> Option<usize> {
        self.sales.iter().position(|s| s.id == id)
    }

    pub fn location(&self, name: &str) -> Option<&Named> {
        self.locations
            .iter()
            .find(|l| crate::cin7::wire::same(&l.name, name))
    }

    pub fn tax_rule(&self, name: &str) -> Option<&TaxRuleRec> {
        self.tax_rules
            .iter()
            .find(|t| crate::cin7::wire::same(&t.name, name))
    }

    pub fn payment_term(&self, name: &str) -> Option<&Named> {
        self.payment_terms
            .iter()
            .find(|t| crate::cin7::wire::same(&t.name, name))
    }

    /// Tier index (0-based) for a tier name.
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        self.tier_names
            .iter()
            .position(|t| crate::cin7::wire::same(t, name))
    }

    pub fn row_mut(&mut self, product_id: Uuid, location: &str) -> Option<&mut StockRow> {
        self.stock
            .iter_mut()
            .find(|r| r.product_id == product_id && crate::cin7::wire::same(&r.location, location))
    }

    /// The row for a product at a location, created empty if the product never had stock there.
    pub fn row_or_new(&mut self, product_id: Uuid, location: &str) -> &mut StockRow {
        let at = self.stock.iter().position(|r| {
            r.product_id == product_id && crate::cin7::wire::same(&r.location, location)
        });
        let index = match at {
            Some(i) => i,
            None => {
                let row = StockRow {
                    product_id,
                    location: location.to_owned(),
                    on_hand: Decimal::ZERO,
                    allocated: Decimal::ZERO,
                };
                self.stock.push(row);
                self.stock.len() - 1
            }
        };
        &mut self.stock[index]
    }

    pub fn take_order_number(&mut self) -> u32 {
        self.next_order_number += 1;
        self.next_order_number
    }
}

/// How Cin7 compares SKUs (see [`crate::cin7::wire::same`]): trimmed, ASCII case ignored.
fn sku_key(sku: &str) -> String {
    sku.trim().to_ascii_lowercase()
}
