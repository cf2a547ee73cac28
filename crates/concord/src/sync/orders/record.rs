//! What Concord remembers about each Oro order, kept in the store so a crash resumes from it. The
//! intent (`Submitting`) is written before the first Cin7 call, so a retry knows to look first.

use crate::domain::{OrderStage, SaleOrder};
use concord_store::{Store, StoreError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Received,
    Held,
    /// POST /sale may have been sent; its outcome must be looked up before sending again.
    Submitting,
    /// The sale header exists; its order (lines) may or may not.
    HeaderCreated,
    Draft,
    Authorised,
    Voided,
    /// Cancelled in Oro before any sale existed.
    Cancelled,
    /// Cancelled in Oro after Cin7 shipped: reported, never voided.
    CancelledAfterShipment,
    /// A sale for this order existed before Concord (an earlier integration): never sent again.
    Preexisting,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Received => "received",
            OrderState::Held => "held",
            OrderState::Submitting => "submitting",
            OrderState::HeaderCreated => "header_created",
            OrderState::Draft => "draft",
            OrderState::Authorised => "authorised",
            OrderState::Voided => "voided",
            OrderState::Cancelled => "cancelled",
            OrderState::CancelledAfterShipment => "cancelled_after_shipment",
            OrderState::Preexisting => "preexisting",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRecord {
    pub order_id: i64,
    pub state: OrderState,
    pub sale_id: Option<String>,
    pub stage: Option<OrderStage>,
    pub awaiting_approval: bool,
    pub cancelled: bool,
    /// Base SKU → base units this order takes, for the stock formula's in-flight term.
    pub base_units: Vec<(String, Decimal)>,
    /// Clock second Cin7 allocated the stock (authorised); snapshots older than this still count it.
    pub allocated_at_s: Option<f64>,
    pub held_for: Vec<String>,
    pub customer_id: Option<String>,
    pub sale_order: Option<SaleOrder>,
    pub first_seen_s: f64,
    /// Prices are checked once, against the lists as they stood when the order was placed; a
    /// later price change must not turn a re-validated held order into a false mismatch.
    #[serde(default)]
    pub prices_checked: bool,
    /// When a `POST /sale` last ended without a clear answer: a sale list read after this moment
    /// tells whether it was created.
    #[serde(default)]
    pub ambiguous_at_s: Option<f64>,
    /// When the last `POST /sale` was sent. A crash, or a store write failing after Cin7 answered,
    /// leaves no answer on record; the sale may then exist from this moment on.
    #[serde(default)]
    pub posted_at_s: Option<f64>,
    /// Oro's order total and currency as last validated: the money a held order holds up.
    #[serde(default)]
    pub total: Option<Decimal>,
    #[serde(default)]
    pub currency: Option<String>,
    /// The ordering Oro customer, for patterns across one customer's orders.
    #[serde(default)]
    pub oro_customer: Option<i64>,
}

impl OrderRecord {
    pub fn new(order_id: i64, now_s: f64) -> Self {
        OrderRecord {
            order_id,
            state: OrderState::Received,
            sale_id: None,
            stage: None,
            awaiting_approval: false,
            cancelled: false,
            base_units: Vec::new(),
            allocated_at_s: None,
            held_for: Vec::new(),
            customer_id: None,
            sale_order: None,
            first_seen_s: now_s,
            prices_checked: false,
            ambiguous_at_s: None,
            posted_at_s: None,
            total: None,
            currency: None,
            oro_customer: None,
        }
    }

    /// Units Oro promised that Cin7 had not allocated at `snapshot_s`: held orders and drafts on
    /// credit hold count, orders awaiting the buyer's approval and cancelled ones do not.
    pub fn in_flight_at(&self, snapshot_s: f64) -> bool {
        if self.cancelled || self.awaiting_approval {
            return false;
        }
        match self.state {
            OrderState::Received
            | OrderState::Held
            | OrderState::Submitting
            | OrderState::HeaderCreated
            | OrderState::Draft => true,
            OrderState::Authorised => self.allocated_at_s.is_some_and(|at| at >= snapshot_s),
            _ => false,
        }
    }

    /// A draft that waits only for its financial entity's credit hold to be lifted.
    pub fn waits_on_credit_hold(&self) -> bool {
        self.state == OrderState::Draft && !self.awaiting_approval && !self.cancelled
    }
}

/// The order's record. One that does not parse is an error naming it, not "no record": taken for
/// a new order, it would be sent to Cin7 again.
pub async fn load(store: &Store, order_id: i64) -> Result<Option<OrderRecord>, StoreError> {
    store.record_data("order", &order_id.to_string()).await
}

/// As [`load`] for a look across many orders (a reconciliation pass, the inbox): a record that
/// does not parse is logged and passed over, so one bad record never stops the whole look. The
/// order's own job still fails on it with [`load`].
pub async fn load_or_skip(store: &Store, order_id: i64) -> Result<Option<OrderRecord>, StoreError> {
    load_key_or_skip(store, &order_id.to_string()).await
}

/// As [`load_or_skip`], by the record's key (the stock formula's candidates come as keys).
pub async fn load_key_or_skip(store: &Store, key: &str) -> Result<Option<OrderRecord>, StoreError> {
    match store.record_data("order", key).await {
        Err(StoreError::Corrupt(why)) => {
            tracing::warn!(key, %why, "An order record does not parse; passed over here.");
            Ok(None)
        }
        other => other,
    }
}

/// Whether the order has a record, without parsing it (what a poll asks of every order it sees).
pub async fn exists(store: &Store, order_id: i64) -> Result<bool, StoreError> {
    let found = store
        .record_data::<serde::de::IgnoredAny>("order", &order_id.to_string())
        .await?;
    Ok(found.is_some())
}

pub async fn save(store: &Store, record: &OrderRecord) -> Result<(), StoreError> {
    let data = serde_json::to_value(record).unwrap_or_default();
    store
        .record_put(
            "order",
            &record.order_id.to_string(),
            record.state.as_str(),
            &data,
        )
        .await
}

/// Writes a record only if the order has none yet; `true` when this call created it.
pub async fn create(store: &Store, record: &OrderRecord) -> Result<bool, StoreError> {
    store
        .record_create(
            "order",
            &record.order_id.to_string(),
            record.state.as_str(),
            record,
        )
        .await
}

/// Status of an authorised order whose allocation every later snapshot includes: it can never be
/// in flight again, so the stock formula no longer needs to read it.
pub const SETTLED: &str = "allocated";

/// The records in any of `states`, in order id (key) order: one indexed read for all the states,
/// never every order ever seen. (Each lowering and stock write reads the six in-flight states;
/// a read per state was a tenth of the store's statements.)
pub async fn in_states(
    store: &Store,
    states: &[OrderState],
) -> Result<Vec<OrderRecord>, StoreError> {
    let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    // Parsed straight from the stored text: by way of a JSON value tree this read was a tenth of
    // the engine's CPU on the 600-order day (every stock write and lowering makes it).
    let mut records = Vec::new();
    store
        .records_in_statuses_each("order", &names, |_, data| {
            records.extend(serde_json::from_str::<OrderRecord>(data).ok());
        })
        .await?;
    Ok(records)
}

/// Marks authorised orders allocated before `snapshot_s` as settled (their data is unchanged).
pub async fn settle_allocated_before(store: &Store, snapshot_s: f64) -> Result<(), StoreError> {
    for record in store
        .records("order", Some(OrderState::Authorised.as_str()))
        .await?
    {
        let allocated = record
            .data
            .get("allocated_at_s")
            .and_then(serde_json::Value::as_f64);
        if allocated.is_some_and(|at| at < snapshot_s) {
            // Status only, and only if still authorised: the order's job (here or in another
            // process) may have written a newer record since this read.
            store
                .record_move_status(
                    "order",
                    &record.key,
                    OrderState::Authorised.as_str(),
                    SETTLED,
                )
                .await?;
        }
    }
    Ok(())
}

pub async fn all(store: &Store) -> Result<Vec<OrderRecord>, StoreError> {
    let records = store.records("order", None).await?;
    Ok(records
        .into_iter()
        .filter_map(|r| serde_json::from_value(r.data).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::Clock;

    #[tokio::test]
    async fn a_record_that_does_not_parse_fails_the_job_but_not_a_look_across_orders() {
        let store = Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap();
        save(&store, &OrderRecord::new(1, 0.0)).await.unwrap();
        store
            .record_put(
                "order",
                "2",
                "received",
                &serde_json::json!({ "order_id": "two" }),
            )
            .await
            .unwrap();

        assert_eq!(load(&store, 1).await.unwrap().map(|r| r.order_id), Some(1));
        assert!(matches!(load(&store, 2).await, Err(StoreError::Corrupt(_))));
        assert!(load_or_skip(&store, 2).await.unwrap().is_none());
        assert!(load(&store, 3).await.unwrap().is_none());
        // Existence does not need the record to parse: a poll never takes it for a new order.
        assert!(exists(&store, 1).await.unwrap());
        assert!(exists(&store, 2).await.unwrap());
        assert!(!exists(&store, 3).await.unwrap());
    }
}
