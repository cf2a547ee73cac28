//! Polling orders by keyset on (`updatedAt`, `id`), and the orders gathered across overlapping
//! pages: each order once, at its newest version, in the order first seen (oldest change first).

use super::client::{OroClient, ORDER_PAGE};
use super::convert;
use super::error::OroError;
use super::models::Included;
use crate::domain::OroOrder;
use std::collections::HashMap;

impl OroClient {
    /// Orders changed at or after `since` (all orders without it), oldest change first, each once.
    ///
    /// Keyset paging on (`updatedAt`, `id`): `updatedAt` has one-second precision and a database
    /// returns rows tied on it in any order, so page-number paging over ties can skip an order.
    /// Each request is a first page from the newest `updatedAt` seen (repeats are dropped); a
    /// page that is all one second is drained by `id` before moving past that second.
    pub async fn orders_since(&self, since: Option<&str>) -> Result<Vec<OroOrder>, OroError> {
        let mut seen = SeenOrders::default();
        let mut from = since.map(|s| ("filter[updatedAt][gte]", s.to_owned()));
        loop {
            let mut query = vec![("sort", "updatedAt,id".to_owned())];
            query.extend(from.clone());
            let page = self.order_page(query).await?;
            let full = page.len() >= ORDER_PAGE;
            let (first, last) = match (page.first(), page.last()) {
                (Some(f), Some(l)) => (f.updated_at.clone(), (l.updated_at.clone(), l.id)),
                _ => break,
            };
            seen.keep(page);
            if !full {
                break;
            }
            if first == last.0 {
                self.drain_second(&last.0, last.1, &mut seen).await?;
                from = Some(("filter[updatedAt][gt]", last.0));
            } else {
                from = Some(("filter[updatedAt][gte]", last.0));
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
    ) -> Result<(), OroError> {
        loop {
            let query = vec![
                ("sort", "id".to_owned()),
                ("filter[updatedAt]", second.to_owned()),
                ("filter[id][gt]", after_id.to_string()),
            ];
            let page = self.order_page(query).await?;
            let full = page.len() >= ORDER_PAGE;
            match page.last() {
                Some(last) => after_id = last.id,
                None => return Ok(()),
            }
            seen.keep(page);
            if !full {
                return Ok(());
            }
        }
    }

    /// The first page of orders for `query`, with line items and subtotals.
    async fn order_page(
        &self,
        mut query: Vec<(&'static str, String)>,
    ) -> Result<Vec<OroOrder>, OroError> {
        query.push(("include", "lineItems,orderSubtotals,discounts".to_owned()));
        query.push(("page[size]", ORDER_PAGE.to_string()));
        query.push(("page[number]", "1".to_owned()));
        let doc = self.get_doc("/orders", &query, None).await?;
        let included = Included::new(doc.included);
        doc.data
            .into_vec()
            .iter()
            .map(|r| convert::order(r, &included))
            .collect()
    }
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
