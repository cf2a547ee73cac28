//! Turns scenario text into a [`Scenario`], with every error naming its field path.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::model::Scenario;
use super::timeline::*;
use super::validate::validate;

/// A scenario that cannot be used; `path` is the field (`timeline[3].order.lines[0].quantity`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ScenarioError {
    pub path: String,
    pub message: String,
}

impl ScenarioError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Parses and validates a whole scenario; nothing partial is ever returned.
pub fn parse_scenario(text: &str) -> Result<Scenario, ScenarioError> {
    let mut root: Value = serde_json::from_str(text).map_err(|e| {
        ScenarioError::new(
            format!("(line {}, column {})", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let timeline = match root.as_object_mut() {
        Some(map) => map.remove("timeline").unwrap_or(Value::Array(Vec::new())),
        None => return Err(ScenarioError::new("(root)", "a scenario is a JSON object")),
    };
    let mut scenario: Scenario = at_path("", root)?;
    scenario.timeline = parse_timeline(timeline)?;
    validate(&scenario)?;
    // Validated in file order so paths match the file; played in time order (stable for ties).
    scenario.timeline.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    Ok(scenario)
}

fn at_path<T: DeserializeOwned>(prefix: &str, value: Value) -> Result<T, ScenarioError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let inner = err.path().to_string();
        let path = match (prefix.is_empty(), inner.as_str()) {
            (true, ".") => "(root)".to_owned(),
            (true, _) => inner,
            (false, ".") => prefix.to_owned(),
            (false, _) => format!("{prefix}.{inner}"),
        };
        ScenarioError::new(path, clean_message(&err.into_inner().to_string()))
    })
}

/// serde appends " at line L column C" for text input; paths already say where.
fn clean_message(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn parse_timeline(value: Value) -> Result<Vec<TimelineEntry>, ScenarioError> {
    let Value::Array(items) = value else {
        return Err(ScenarioError::new(
            "timeline",
            "expected an array of events",
        ));
    };
    let mut entries = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        entries.push(parse_event(&format!("timeline[{i}]"), item)?);
    }
    Ok(entries)
}

fn parse_event(path: &str, item: Value) -> Result<TimelineEntry, ScenarioError> {
    let kind = item
        .get("event")
        .and_then(Value::as_str)
        .ok_or_else(|| ScenarioError::new(format!("{path}.event"), "missing or not a string"))?
        .to_owned();
    let (at_s, event) = match kind.as_str() {
        "oro_order" => {
            let r: OroOrderRaw = at_path(path, item)?;
            (r.at_s, TimelineEvent::OroOrder { order: r.order })
        }
        "oro_order_status" => {
            let r: OroOrderStatusRaw = at_path(path, item)?;
            let change = OrderStatusChange {
                order_id: r.order_id,
                internal_status: r.internal_status,
                status: r.status,
            };
            (r.at_s, TimelineEvent::OroOrderStatus(change))
        }
        "oro_customer" => {
            let r: OroCustomerRaw = at_path(path, item)?;
            (
                r.at_s,
                TimelineEvent::OroCustomer {
                    customer: r.customer,
                },
            )
        }
        "oro_price" => {
            let r: OroPriceRaw = at_path(path, item)?;
            let event = TimelineEvent::OroPrice {
                price_list: r.price_list,
                sku: r.sku,
                unit: r.unit,
                quantity: r.quantity,
                value: r.value,
            };
            (r.at_s, event)
        }
        "cin7_stock_adjust" => {
            let r: StockAdjustRaw = at_path(path, item)?;
            (
                r.at_s,
                TimelineEvent::Cin7StockAdjust {
                    sku: r.sku,
                    location: r.location,
                    delta: r.delta,
                },
            )
        }
        "cin7_customer_update" => {
            let r: CustomerUpdateRaw = at_path(path, item)?;
            (
                r.at_s,
                TimelineEvent::Cin7CustomerUpdate {
                    name: r.name,
                    on_credit_hold: r.on_credit_hold,
                },
            )
        }
        "cin7_ship" => {
            let r: ShipRaw = at_path(path, item)?;
            (
                r.at_s,
                TimelineEvent::Cin7Ship {
                    order_id: r.order_id,
                    lines: r.lines,
                    tracking_number: r.tracking_number,
                },
            )
        }
        "oro_payment" => {
            let r: OroPaymentRaw = at_path(path, item)?;
            let payment = Payment {
                order_id: r.order_id,
                amount: r.amount,
                reference: r.reference,
                method: r.method,
            };
            (r.at_s, TimelineEvent::OroPayment(payment))
        }
        "cin7_payment" => {
            let r: Cin7PaymentRaw = at_path(path, item)?;
            let payment = Payment {
                order_id: r.order_id,
                amount: r.amount,
                reference: r.reference,
                method: None,
            };
            (r.at_s, TimelineEvent::Cin7Payment(payment))
        }
        "cin7_product" => {
            let r: Cin7ProductRaw = at_path(path, item)?;
            (r.at_s, TimelineEvent::Cin7Product { product: r.product })
        }
        "outage" => {
            let r: OutageRaw = at_path(path, item)?;
            (
                r.at_s,
                TimelineEvent::Outage {
                    system: r.system,
                    duration_s: r.duration_s,
                },
            )
        }
        "concord_crash" => {
            let r: CrashRaw = at_path(path, item)?;
            (r.at_s, TimelineEvent::ConcordCrash)
        }
        other => {
            return Err(ScenarioError::new(
                format!("{path}.event"),
                format!("unknown event {other:?}"),
            ))
        }
    };
    Ok(TimelineEntry { at_s, event })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
