//! Payment captures inside Oro (reference §14): the back-office API has no payment resource, so a
//! capture is only announced, as Oro 6.1.10+ does, by an `order.payment_status_updated` webhook.
//! The capture's `reference` and `method` stay inside Oro (they are in the state dump only).

use super::jsonapi::money;
use super::state::{Delivery, Now, State};
use rust_decimal::Decimal;
use serde_json::{json, Value};

pub const TOPIC: &str = "order.payment_status_updated";

/// One completed payment transaction.
#[derive(Debug, Clone)]
pub struct PaymentRec {
    pub order_id: i64,
    pub amount: Decimal,
    pub reference: String,
    pub method: Option<String>,
    pub at_s: f64,
}

/// Oro's payment status code after a capture (reference §14).
fn status_code(paid: Decimal, due: Decimal) -> (&'static str, &'static str) {
    if due <= Decimal::ZERO {
        ("full", "Paid in full")
    } else if paid > Decimal::ZERO {
        ("partially", "Paid partially")
    } else {
        ("pending", "Pending payment")
    }
}

/// The `eventData` of the webhook: the order id as an integer and the transaction's attributes.
fn event_data(st: &State, order_id: i64, amount: Decimal, now: Now) -> Option<Value> {
    let order = st.orders.get(&order_id)?;
    let paid: Decimal = st
        .payments
        .iter()
        .filter(|p| p.order_id == order_id)
        .map(|p| p.amount)
        .sum();
    let due = (order.total() - paid).max(Decimal::ZERO);
    let (code, label) = status_code(paid, due);
    Some(
        json!({"data": {"type": "orders", "id": order_id, "attributes": {
            "paymentStatus": code, "paymentStatusLabel": label,
            "transactionAmount": amount.round_dp(2).to_string().parse::<f64>().unwrap_or(0.0),
            "transactionType": "capture", "transactionDate": now.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            "amountPaid": money(paid), "amountDue": money(due), "currency": order.currency,
        }}}),
    )
}

/// Records a capture and queues its webhook to every subscription of the topic (or the order's
/// own `order.payment_status_updated.{id}`). An unknown order is ignored, as Oro cannot capture it.
pub fn capture(st: &mut State, payment: &concord_core::scenario::Payment, now: Now) {
    if !st.orders.contains_key(&payment.order_id) {
        tracing::warn!(
            order_id = payment.order_id,
            "oro emulator: payment for an unknown order ignored"
        );
        return;
    }
    st.payments.push(PaymentRec {
        order_id: payment.order_id,
        amount: payment.amount,
        reference: payment.reference.clone(),
        method: payment.method.clone(),
        at_s: now.s,
    });
    if !st.webhooks_enabled {
        return;
    }
    let Some(data) = event_data(st, payment.order_id, payment.amount, now) else {
        return;
    };
    let per_record = format!("{TOPIC}.{}", payment.order_id);
    let targets: Vec<(String, String, Option<String>, String)> = st
        .webhooks
        .values()
        .filter(|w| w.enabled && (w.topic == TOPIC || w.topic == per_record))
        .map(|w| {
            (
                w.id.clone(),
                w.url.clone(),
                w.secret.clone(),
                w.topic.clone(),
            )
        })
        .collect();
    for (webhook, url, secret, topic) in targets {
        let uuid = uuid::Uuid::new_v4().to_string();
        let body = json!({"topic": TOPIC, "timestamp": now.at.timestamp(), "messageId": uuid, "eventData": data});
        st.outbox.push_back(Delivery {
            webhook,
            url,
            secret,
            topic,
            body: body.to_string(),
            webhook_uuid: uuid,
            attempt: 0,
            due_s: now.s,
        });
    }
}

/// The captures in the state dump: what Oro knows and never exposes over its API.
pub fn dump(st: &State) -> Vec<Value> {
    st.payments
        .iter()
        .map(|p| {
            json!({"order_id": p.order_id, "amount": p.amount.round_dp(2).to_string(), "reference": p.reference,
                        "method": p.method, "at_s": p.at_s})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_follows_what_is_still_due() {
        assert_eq!(status_code(Decimal::new(10, 0), Decimal::ZERO).0, "full");
        assert_eq!(
            status_code(Decimal::new(10, 0), Decimal::ONE).0,
            "partially"
        );
        assert_eq!(status_code(Decimal::ZERO, Decimal::ONE).0, "pending");
    }
}
