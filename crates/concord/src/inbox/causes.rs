//! Root causes (spec 4.6, DESIGN 3.7): open exceptions that share one cause, grouped under its key,
//! with the orders it holds, the money held up, the owner and one suggested action, so a person
//! fixes three things instead of reading forty exceptions. Read from the store alone, so the
//! dashboard, the API, the CLI and the state dump all show the same list.

use super::cause_text::{describe, money, orders_phrase};
use crate::sync::orders::cause_keys::key_of_fingerprint;
use crate::sync::orders::record::{self, OrderState};
use chrono::{DateTime, Utc};
use concord_core::domain::round_money;
use concord_store::{ExceptionFilter, ExceptionRecord, ExceptionStatus, Store, StoreError};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One cause and everything it holds up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    /// `sku:<SKU>`, `unit:<SKU>:<unit>`, `customer:<Oro id>`, `tax:<customer code>:<product code>`,
    /// `price:<price list id>:<SKU>:<unit>`.
    pub key: String,
    pub kind: String,
    pub owner: String,
    /// The orders (`order:<id>`) with an open exception of this cause, in id order.
    pub subjects: Vec<String>,
    /// Of those, the orders held (not sent to Cin7) right now.
    pub orders_held: usize,
    /// The held orders' Oro totals, per currency.
    pub money_held: BTreeMap<String, Decimal>,
    pub exceptions: usize,
    pub first_seen: DateTime<Utc>,
    pub suggested_action: String,
    /// A sentence a person acts on, with the evidence: counts, first seen, examples.
    pub explanation: String,
}

/// What is known of an order the cause names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFacts {
    pub held: bool,
    pub total: Option<Decimal>,
    pub currency: Option<String>,
}

/// Groups the open (or acknowledged) exceptions of the keyed kinds by cause. Pure: `facts` gives
/// each order id's state. Biggest cause first: most orders held, then most exceptions, then key.
pub fn group(exceptions: &[ExceptionRecord], facts: &BTreeMap<i64, OrderFacts>) -> CauseReport {
    let mut by_key: BTreeMap<String, Vec<&ExceptionRecord>> = BTreeMap::new();
    for e in exceptions.iter().filter(|e| is_active(e.status)) {
        if order_id(&e.subject).is_none() {
            continue;
        }
        if let Some(key) = key_of_fingerprint(e.kind.as_str(), &e.fingerprint) {
            by_key.entry(key).or_default().push(e);
        }
    }
    let mut causes: Vec<RootCause> = by_key
        .into_iter()
        .map(|(key, members)| cause(key, &members, facts))
        .collect();
    causes.sort_by(|a, b| {
        (b.orders_held, b.exceptions)
            .cmp(&(a.orders_held, a.exceptions))
            .then_with(|| a.key.cmp(&b.key))
    });
    report(causes, facts)
}

fn cause(
    key: String,
    members: &[&ExceptionRecord],
    facts: &BTreeMap<i64, OrderFacts>,
) -> RootCause {
    let ids: BTreeSet<i64> = members
        .iter()
        .filter_map(|e| order_id(&e.subject))
        .collect();
    let mut money_held: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut orders_held = 0;
    for id in &ids {
        let Some(f) = facts.get(id).filter(|f| f.held) else {
            continue;
        };
        orders_held += 1;
        if let (Some(total), Some(currency)) = (f.total, &f.currency) {
            *money_held.entry(currency.clone()).or_default() += total;
        }
    }
    for amount in money_held.values_mut() {
        *amount = round_money(*amount);
    }
    let first_seen = members
        .iter()
        .map(|e| e.first_seen)
        .min()
        .unwrap_or_default();
    let kind = members
        .first()
        .map(|e| e.kind)
        .unwrap_or(concord_core::catalogue::ExceptionKind::Anomaly);
    let owner = members.first().map_or("operations", |e| e.owner.as_str());
    let (problem, suggested_action) = describe(&key, kind.as_str());
    let examples: Vec<String> = ids.iter().take(3).map(i64::to_string).collect();
    let explanation = format!(
        "{problem}: {} with an open {} ({} held, {}), first seen {}; e.g. order{} {}. {suggested_action}",
        orders_phrase(ids.len()),
        kind.as_str(),
        orders_held,
        money(&money_held),
        first_seen.format("%Y-%m-%d %H:%M UTC"),
        if examples.len() == 1 { "" } else { "s" },
        examples.join(", "),
    );
    RootCause {
        subjects: ids.iter().map(|id| format!("order:{id}")).collect(),
        kind: kind.as_str().to_owned(),
        owner: owner.to_owned(),
        exceptions: members.len(),
        key,
        orders_held,
        money_held,
        first_seen,
        suggested_action,
        explanation,
    }
}

/// Every cause at once, with the headline the overview leads with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseReport {
    /// "3 things to fix, holding 27 orders, £4,210".
    pub headline: String,
    /// Orders held by at least one cause, each counted once.
    pub orders_held: usize,
    pub money_held: BTreeMap<String, Decimal>,
    pub causes: Vec<RootCause>,
}

fn report(causes: Vec<RootCause>, facts: &BTreeMap<i64, OrderFacts>) -> CauseReport {
    // An order held by two causes is one order, and its money is held up once.
    let held: BTreeSet<i64> = causes
        .iter()
        .flat_map(|c| c.subjects.iter().filter_map(|s| order_id(s)))
        .filter(|id| facts.get(id).is_some_and(|f| f.held))
        .collect();
    let mut money_held: BTreeMap<String, Decimal> = BTreeMap::new();
    for f in held.iter().filter_map(|id| facts.get(id)) {
        if let (Some(total), Some(currency)) = (f.total, &f.currency) {
            *money_held.entry(currency.clone()).or_default() += total;
        }
    }
    for amount in money_held.values_mut() {
        *amount = round_money(*amount);
    }
    let headline = if causes.is_empty() {
        "Nothing to fix: no open exception shares a cause.".to_owned()
    } else {
        let things = if causes.len() == 1 { "thing" } else { "things" };
        format!(
            "{} {things} to fix, holding {}, {}",
            causes.len(),
            orders_phrase(held.len()),
            money(&money_held)
        )
    };
    CauseReport {
        headline,
        orders_held: held.len(),
        money_held,
        causes,
    }
}

fn is_active(status: ExceptionStatus) -> bool {
    matches!(
        status,
        ExceptionStatus::Open | ExceptionStatus::Acknowledged
    )
}

fn order_id(subject: &str) -> Option<i64> {
    subject.strip_prefix("order:")?.parse().ok()
}

/// The root causes now, from the store.
pub async fn root_causes(store: &Store) -> Result<CauseReport, StoreError> {
    let mut active = Vec::new();
    for status in [ExceptionStatus::Open, ExceptionStatus::Acknowledged] {
        let filter = ExceptionFilter {
            status: Some(status),
            limit: 0,
            ..ExceptionFilter::default()
        };
        active.extend(store.exceptions(&filter).await?);
    }
    let mut facts = BTreeMap::new();
    for e in &active {
        let Some(id) = order_id(&e.subject) else {
            continue;
        };
        if facts.contains_key(&id) || key_of_fingerprint(e.kind.as_str(), &e.fingerprint).is_none()
        {
            continue;
        }
        let rec = record::load_or_skip(store, id).await?;
        facts.insert(
            id,
            rec.map(|r| OrderFacts {
                held: r.state == OrderState::Held && !r.cancelled,
                total: r.total,
                currency: r.currency,
            })
            .unwrap_or_default(),
        );
    }
    Ok(group(&active, &facts))
}

#[cfg(test)]
#[path = "causes_tests.rs"]
mod tests;
