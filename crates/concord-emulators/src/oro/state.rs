//! The emulated Oro instance: its records, behind one `std::sync::Mutex` that is never held across
//! an `.await`, plus the rules that run whenever records change (stock status, webhook events).

use crate::common::{ApiLog, FaultDice, Outage};
use chrono::{DateTime, Utc};
use concord_core::scenario::TaxDetail;
use concord_core::Clock;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use tokio::sync::Notify;

/// Everything a request handler, a timeline hook or the delivery loop needs.
pub struct Shared {
    state: Mutex<State>,
    pub clock: Clock,
    pub log: ApiLog,
    pub outage: Outage,
    pub dice: FaultDice,
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl_s: u64,
    /// Wakes the webhook delivery loop when a delivery is queued.
    pub wake: Notify,
}

/// "Now" as every mutation sees it: the scenario instant and seconds since the start.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub at: DateTime<Utc>,
    pub s: f64,
}

impl Shared {
    pub fn new(
        state: State,
        clock: Clock,
        dice: FaultDice,
        client_id: String,
        client_secret: String,
        token_ttl_s: u64,
    ) -> Self {
        Shared {
            state: Mutex::new(state),
            clock,
            log: ApiLog::default(),
            outage: Outage::default(),
            dice,
            client_id,
            client_secret,
            token_ttl_s,
            wake: Notify::new(),
        }
    }

    pub fn now(&self) -> Now {
        Now {
            at: self.clock.now(),
            s: self.clock.elapsed_s(),
        }
    }

    /// Runs `f` on the state, after finishing any Batch API job that is due, so an async
    /// operation completes on scenario time whether or not the background loop is running.
    pub fn with<R>(&self, f: impl FnOnce(&mut State, Now) -> R) -> R {
        let now = self.now();
        let mut guard = self.lock();
        super::batch::settle(&mut guard, now);
        let queued = guard.outbox.len();
        let result = f(&mut guard, now);
        let woke = guard.outbox.len() > queued;
        drop(guard);
        if woke {
            self.wake.notify_one();
        }
        result
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub struct OrderRec {
    pub id: i64,
    pub identifier: String,
    pub po_number: Option<String>,
    pub customer: i64,
    pub customer_user: Option<i64>,
    pub currency: String,
    pub internal_status: String,
    pub status: Option<String>,
    pub shipping_status: String,
    pub lines: Vec<LineRec>,
    pub discounts: Vec<DiscountRec>,
    pub shipping_amount: Option<Decimal>,
    pub shipping_tax: Decimal,
    pub total_override: Option<Decimal>,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A manual order discount (`orderdiscounts`, amount type): positive, before tax (reference §12.1).
pub struct DiscountRec {
    pub id: i64,
    pub description: String,
    pub amount: Decimal,
}

pub struct LineRec {
    pub id: i64,
    pub sku: String,
    pub unit: String,
    pub quantity: Decimal,
    pub price: Decimal,
    pub tax: Decimal,
}

/// A shipping tracking record (§15): linked to one or more orders.
pub struct TrackingRec {
    pub method: String,
    pub number: String,
    pub orders: Vec<i64>,
}

impl State {
    /// The tracking numbers of an order, oldest first.
    pub fn tracking_numbers(&self, order_id: i64) -> Vec<String> {
        self.tracking_ids(order_id)
            .filter_map(|id| self.trackings.get(&id).map(|t| t.number.clone()))
            .collect()
    }

    pub fn tracking_ids(&self, order_id: i64) -> impl Iterator<Item = i64> + '_ {
        self.trackings
            .iter()
            .filter(move |(_, t)| t.orders.contains(&order_id))
            .map(|(id, _)| *id)
    }
}

pub struct CustomerRec {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    /// Its own `customertaxcodes` id; an ancestor's code is not copied here (Oro does not either).
    pub tax_code: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct CustomerUserRec {
    pub id: i64,
    pub customer: i64,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

pub struct ProductRec {
    pub id: i64,
    pub sku: String,
    pub name: String,
    /// Unit precision ids; the first is the primary unit.
    pub precisions: Vec<i64>,
    pub inventory_status: String,
    /// A `producttaxcodes` id.
    pub tax_code: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct PrecisionRec {
    pub product: i64,
    pub unit: String,
    pub conversion_rate: Decimal,
    pub precision: u32,
    pub level: i64,
}

pub struct LevelRec {
    pub id: i64,
    pub product: i64,
    pub precision: i64,
    pub quantity: Decimal,
    pub external_id: Option<String>,
}

pub struct PriceListRec {
    pub name: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct PriceRec {
    /// The composite API id `<uuid>-<priceListId>`.
    pub id: String,
    pub price_list: i64,
    pub product: i64,
    pub unit: String,
    pub quantity: Decimal,
    pub value: Decimal,
    pub currency: String,
}

pub struct AssignmentRec {
    pub customer: i64,
    pub price_list: i64,
}

pub struct WebhookRec {
    /// A GUID, as Oro's database layer generates for webhooks (unlike most Oro ids).
    pub id: String,
    pub url: String,
    pub secret: Option<String>,
    pub topic: String,
    pub format: String,
    pub enabled: bool,
    pub verify_ssl: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A queued webhook delivery; `webhook_uuid` stays the same across its retries.
#[derive(Clone)]
pub struct Delivery {
    pub webhook: String,
    pub url: String,
    pub secret: Option<String>,
    pub topic: String,
    pub body: String,
    pub webhook_uuid: String,
    pub attempt: u32,
    pub due_s: f64,
}

pub struct State {
    pub tax_detail: TaxDetail,
    pub webhooks_enabled: bool,
    /// Entity config `integration.webhook_accessible` of Order: without it no `order.*` topic exists.
    pub orders_webhook_accessible: bool,
    pub subtotals: concord_core::scenario::OroSubtotals,
    /// OroCloud's WAF throttling (`oro.faults.firewall`), off when `None`.
    pub firewall: Option<concord_core::scenario::OroFirewall>,
    /// Share of `X-Mode: sync` batches that outrun Oro's 25 s and continue asynchronously.
    pub slow_sync_batch_rate: f64,
    pub orders: BTreeMap<i64, OrderRec>,
    pub customers: BTreeMap<i64, CustomerRec>,
    pub customer_users: BTreeMap<i64, CustomerUserRec>,
    pub products: BTreeMap<i64, ProductRec>,
    pub precisions: BTreeMap<i64, PrecisionRec>,
    pub levels: BTreeMap<i64, LevelRec>,
    pub price_lists: BTreeMap<i64, PriceListRec>,
    pub prices: Vec<PriceRec>,
    /// Product id by SKU, and a price's place in `prices` by (list, product, unit, tier quantity):
    /// seeding 110,000 prices by scanning for each one took minutes.
    pub product_by_sku: HashMap<String, i64>,
    pub price_at: HashMap<(i64, i64, String, Decimal), usize>,
    /// The order of each line item and discount (their ids come from one counter): an included
    /// line item was found by scanning every order, so a page of orders was quadratic.
    pub order_of_part: HashMap<i64, i64>,
    pub assignments: BTreeMap<i64, AssignmentRec>,
    pub tax_codes: super::tax_codes::TaxCodes,
    pub webhooks: BTreeMap<String, WebhookRec>,
    /// `ordershippingtrackings` by id.
    pub trackings: BTreeMap<i64, TrackingRec>,
    pub async_ops: BTreeMap<i64, super::batch::AsyncOp>,
    /// Bearer token → scenario second at which it expires.
    pub tokens: HashMap<String, f64>,
    pub refused: Vec<(i64, String)>,
    /// Completed payment captures (timeline `oro_payment`), in order.
    pub payments: Vec<super::payments::PaymentRec>,
    pub outbox: VecDeque<Delivery>,
    /// Deliveries taken by the loop and not yet settled (they still count as pending).
    pub in_flight: usize,
    pub next_id: i64,
}

impl State {
    /// A fresh id for records the scenario does not number (line items, webhooks, operations).
    pub fn fresh_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Stores an order, indexing its line items and discounts.
    pub fn insert_order(&mut self, rec: OrderRec) {
        for part in rec
            .lines
            .iter()
            .map(|l| l.id)
            .chain(rec.discounts.iter().map(|d| d.id))
        {
            self.order_of_part.insert(part, rec.id);
        }
        self.orders.insert(rec.id, rec);
    }

    /// The order holding the line item or discount `part`.
    pub fn order_of(&self, part: i64) -> Option<&OrderRec> {
        self.order_of_part
            .get(&part)
            .and_then(|id| self.orders.get(id))
    }

    pub fn product_by_sku(&self, sku: &str) -> Option<&ProductRec> {
        self.product_by_sku
            .get(sku)
            .and_then(|id| self.products.get(id))
    }

    /// The inventory level id of a product's unit (product SKU + unit code).
    pub fn level_for(&self, sku: &str, unit: &str) -> Option<i64> {
        let product = self.product_by_sku(sku)?;
        product
            .precisions
            .iter()
            .filter_map(|id| self.precisions.get(id))
            .find(|p| p.unit == unit)
            .map(|p| p.level)
    }

    /// Sets a level; when it is the primary unit's and reaches zero, the product goes
    /// `out_of_stock`, as Oro's inventory status handler does. It is never flipped back here:
    /// Oro leaves restocking the status to whoever restocks (§6.3).
    pub fn set_level(&mut self, level_id: i64, quantity: Decimal, now: Now) {
        let Some(level) = self.levels.get_mut(&level_id) else {
            return;
        };
        level.quantity = quantity;
        let (product_id, precision_id) = (level.product, level.precision);
        if let Some(product) = self.products.get_mut(&product_id) {
            if quantity <= Decimal::ZERO
                && product.precisions.first() == Some(&precision_id)
                && product.inventory_status != "out_of_stock"
            {
                product.inventory_status = "out_of_stock".to_owned();
                product.updated_at = now.at;
            }
        }
    }

    /// Queues `topic` for order `id` to every enabled subscription listening to it (also the
    /// per-record `order.updated.{id}` topics). No-op when the scenario has webhooks off.
    pub fn emit_order(&mut self, topic: &str, id: i64, now: Now) {
        if !self.webhooks_enabled {
            return;
        }
        let per_record = format!("{topic}.{id}");
        let targets: Vec<(String, String, Option<String>, String, String)> = self
            .webhooks
            .values()
            .filter(|w| w.enabled && (w.topic == topic || w.topic == per_record))
            .map(|w| {
                (
                    w.id.clone(),
                    w.url.clone(),
                    w.secret.clone(),
                    w.topic.clone(),
                    w.format.clone(),
                )
            })
            .collect();
        for (webhook, url, secret, sub_topic, format) in targets {
            let Some(body) = super::webhooks::body(self, topic, id, &format, now) else {
                continue;
            };
            let (webhook_uuid, body) = body;
            self.outbox.push_back(Delivery {
                webhook,
                url,
                secret,
                topic: sub_topic,
                body,
                webhook_uuid,
                attempt: 0,
                due_s: now.s,
            });
        }
    }

    /// Marks an order changed: a new `updatedAt` and an `order.updated` event.
    pub fn touch_order(&mut self, id: i64, now: Now) {
        if let Some(order) = self.orders.get_mut(&id) {
            order.updated_at = now.at;
            self.emit_order("order.updated", id, now);
        }
    }
}

/// A JSON id (string or number) as the string JSON:API uses.
pub fn id_string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
