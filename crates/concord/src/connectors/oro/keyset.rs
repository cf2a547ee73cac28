//! Polling orders by keyset on (`updatedAt`, `id`), and the orders gathered across overlapping
//! pages: each order once, at its newest version, in the order first seen (oldest change first).

use super::client::{OroClient, ORDER_PAGE};
use super::convert;
use super::error::OroError;
use super::models::{scalar_text, Document, Included, Resource};
use crate::domain::OroOrder;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// Whether the caller already holds an order (id, `updatedAt`) as it is: such an order is neither
/// built nor returned, though it still moves the paging on.
pub type Held<'a> = &'a (dyn Fn(i64, &str) -> bool + Sync);

impl OroClient {
    /// Orders changed at or after `since` (all orders without it), oldest change first, each once.
    pub async fn orders_since(&self, since: Option<&str>) -> Result<Vec<OroOrder>, OroError> {
        self.orders_since_unheld(since, &|_, _| false).await
    }

    /// As [`OroClient::orders_since`], without the orders `held` says the caller has.
    ///
    /// Keyset paging on (`updatedAt`, `id`): `updatedAt` has one-second precision and a database
    /// returns rows tied on it in any order, so page-number paging over ties can skip an order.
    /// Each request is a first page from the newest `updatedAt` seen (repeats are dropped); a
    /// page that is all one second is drained by `id` before moving past that second.
    pub async fn orders_since_unheld(
        &self,
        since: Option<&str>,
        held: Held<'_>,
    ) -> Result<Vec<OroOrder>, OroError> {
        let mut seen = SeenOrders::default();
        let mut from = since.map(|s| ("filter[updatedAt][gte]", s.to_owned()));
        loop {
            let mut query = vec![("sort", "updatedAt,id".to_owned())];
            query.extend(from.clone());
            let page = self.order_page(query, held).await?;
            let full = page.stamps.len() >= ORDER_PAGE;
            let (first, last) = match (page.stamps.first(), page.stamps.last()) {
                (Some(f), Some(l)) => (f.1.clone(), l.clone()),
                _ => break,
            };
            seen.keep(page.orders);
            if !full {
                break;
            }
            if first == last.1 {
                self.drain_second(&last.1, last.0, &mut seen, held).await?;
                from = Some(("filter[updatedAt][gt]", last.1));
            } else {
                from = Some(("filter[updatedAt][gte]", last.1));
            }
        }
        Ok(seen.orders)
    }

    /// Every order of one `updatedAt` second after `after_id`, by id.
    async fn drain_second(
        &self,
        second: &str,
        mut after_id: i64,
        seen: &mut SeenOrders,
        held: Held<'_>,
    ) -> Result<(), OroError> {
        loop {
            let query = vec![
                ("sort", "id".to_owned()),
                ("filter[updatedAt]", second.to_owned()),
                ("filter[id][gt]", after_id.to_string()),
            ];
            let page = self.order_page(query, held).await?;
            let full = page.stamps.len() >= ORDER_PAGE;
            match page.stamps.last() {
                Some(last) => after_id = last.0,
                None => return Ok(()),
            }
            seen.keep(page.orders);
            if !full {
                return Ok(());
            }
        }
    }

    /// The first page of orders for `query`, with line items and subtotals. Only orders `held`
    /// does not know are built: most polls around stock writes find only orders already taken in,
    /// and building those (with their included lines) was the largest part of a poll's cost.
    async fn order_page(
        &self,
        mut query: Vec<(&'static str, String)>,
        held: Held<'_>,
    ) -> Result<OrderPage, OroError> {
        query.push(("include", "lineItems,orderSubtotals,discounts".to_owned()));
        query.push(("page[size]", ORDER_PAGE.to_string()));
        query.push(("page[number]", "1".to_owned()));
        let text = self.get_text("/orders", &query, None).await?;
        let decode = |e: serde_json::Error| OroError::Decode(format!("/orders: {e}"));
        // A page whose stamps cannot be read is built in full, which names what is wrong with it.
        let stamps = serde_json::from_str::<StampPage>(&text).map(StampPage::stamps);
        if let Ok(Some(stamps)) = stamps {
            if stamps.iter().all(|(id, at)| held(*id, at)) {
                return Ok(OrderPage {
                    stamps,
                    orders: Vec::new(),
                });
            }
        }
        let doc: Document = serde_json::from_str(&text).map_err(decode)?;
        let included = Included::new(doc.included);
        let resources = doc.data.into_vec();
        let stamps = resources.iter().filter_map(stamp_of).collect();
        let orders = resources
            .iter()
            .filter(|r| !stamp_of(r).is_some_and(|(id, at)| held(id, &at)))
            .map(|r| convert::order(r, &included))
            .collect::<Result<_, _>>()?;
        Ok(OrderPage { stamps, orders })
    }
}

/// One page: each order's (id, `updatedAt`) in page order, and the orders built from it.
struct OrderPage {
    stamps: Vec<(i64, String)>,
    orders: Vec<OroOrder>,
}

/// A page read for its orders' ids and `updatedAt` only: the rest of each order is skipped by the
/// parser, never built.
#[derive(Deserialize)]
struct StampPage {
    #[serde(default)]
    data: Vec<Stamp>,
}

#[derive(Deserialize)]
struct Stamp {
    /// A string, as [`Resource`] requires: a page it could not read is not skipped either.
    id: String,
    #[serde(default)]
    attributes: StampAttributes,
}

#[derive(Deserialize, Default)]
struct StampAttributes {
    #[serde(rename = "updatedAt")]
    updated_at: Option<Value>,
}

impl StampPage {
    /// Each order's (id, `updatedAt`) as [`stamp_of`] reads them; `None` when an id is not a
    /// number (the page is then built in full, which says so).
    fn stamps(self) -> Option<Vec<(i64, String)>> {
        self.data
            .into_iter()
            .map(|s| {
                let at = s.attributes.updated_at.as_ref().and_then(scalar_text);
                Some((s.id.parse().ok()?, at.unwrap_or_default()))
            })
            .collect()
    }
}

/// An order resource's (id, `updatedAt`) read as [`convert::order`] reads them.
fn stamp_of(r: &Resource) -> Option<(i64, String)> {
    Some((r.id.parse().ok()?, r.str("updatedAt").unwrap_or_default()))
}

#[derive(Default)]
pub struct SeenOrders {
    pub orders: Vec<OroOrder>,
    index: HashMap<i64, usize>,
}

impl SeenOrders {
    /// Adds a page; an order seen before is replaced when this copy is as new or newer.
    pub fn keep(&mut self, page: Vec<OroOrder>) {
        for order in page {
            match self.index.get(&order.id) {
                Some(&at) => {
                    if order.updated_at >= self.orders[at].updated_at {
                        self.orders[at] = order;
                    }
                }
                None => {
                    self.index.insert(order.id, self.orders.len());
                    self.orders.push(order);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "keyset_tests.rs"]
mod tests;
