//! Filtered reads of Oro reference data: what one order needs (its products, its customer and
//! ancestors, its price list and those products' prices) when the full copy is not loaded yet, and
//! products or customers changed since a moment, for an incremental refresh.

use super::client::OroClient;
use super::convert;
use super::error::OroError;
use crate::domain::{OroCustomer, OroPrice, OroProduct};

/// Values named in one filter: an order's lines fit, and the URL stays short.
const FILTER_CHUNK: usize = 100;

/// A record with the `updatedAt` Oro printed for it (second precision, so strings sort by time).
pub type Stamped<T> = (T, String);

/// Where an incremental read starts: at the newest `updatedAt` held (`inclusive`, while a change
/// could still be stamped with that second) or just after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Since {
    pub stamp: String,
    pub inclusive: bool,
}

impl Since {
    fn filter(&self) -> (&'static str, String) {
        let key = match self.inclusive {
            true => "filter[updatedAt][gte]",
            false => "filter[updatedAt][gt]",
        };
        (key, self.stamp.clone())
    }
}

impl OroClient {
    /// The products with these SKUs, with units and tax code; SKUs Oro does not know are absent.
    pub async fn products_by_sku(&self, skus: &[String]) -> Result<Vec<OroProduct>, OroError> {
        let mut out = Vec::new();
        for chunk in skus.chunks(FILTER_CHUNK) {
            let filter = ("filter[sku]", chunk.join(","));
            out.extend(
                self.stamped_products(filter)
                    .await?
                    .into_iter()
                    .map(|(p, _)| p),
            );
        }
        Ok(out)
    }

    /// Every product (`since` = `None`), or those changed since: `updatedAt` has one-second
    /// precision, so an inclusive read re-reads that second rather than miss a change within it.
    pub async fn products_since(
        &self,
        since: Option<&Since>,
    ) -> Result<Vec<Stamped<OroProduct>>, OroError> {
        match since {
            Some(s) => self.stamped_products(s.filter()).await,
            None => self.stamped_products(("sort", "id".to_owned())).await,
        }
    }

    async fn stamped_products(
        &self,
        filter: (&'static str, String),
    ) -> Result<Vec<Stamped<OroProduct>>, OroError> {
        let query = vec![("include", "unitPrecisions,taxCode".to_owned()), filter];
        self.get_all("/products", query, |r, inc| {
            Ok(Some((
                convert::product(r, inc),
                r.str("updatedAt").unwrap_or_default(),
            )))
        })
        .await
    }

    /// The customers with these ids (with their tax codes).
    pub async fn customers_by_id(&self, ids: &[i64]) -> Result<Vec<OroCustomer>, OroError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(FILTER_CHUNK) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let filter = ("filter[id]", list.join(","));
            out.extend(
                self.stamped_customers(filter)
                    .await?
                    .into_iter()
                    .map(|(c, _)| c),
            );
        }
        Ok(out)
    }

    /// Every customer, or those changed since (as [`Self::products_since`]).
    pub async fn customers_since(
        &self,
        since: Option<&Since>,
    ) -> Result<Vec<Stamped<OroCustomer>>, OroError> {
        match since {
            Some(s) => self.stamped_customers(s.filter()).await,
            None => self.stamped_customers(("sort", "id".to_owned())).await,
        }
    }

    async fn stamped_customers(
        &self,
        filter: (&'static str, String),
    ) -> Result<Vec<Stamped<OroCustomer>>, OroError> {
        let query = vec![("include", "taxCode".to_owned()), filter];
        self.get_all("/customers", query, |r, inc| {
            let stamp = r.str("updatedAt").unwrap_or_default();
            Ok(convert::customer(r, inc).map(|c| (c, stamp)))
        })
        .await
    }

    /// Price lists changed at or after `since` (every list without it), as (id, `updatedAt`). Prices
    /// carry no `updatedAt` of their own; a price change marks its list changed.
    pub async fn price_lists_since(
        &self,
        since: Option<&str>,
    ) -> Result<Vec<Stamped<i64>>, OroError> {
        let query: Vec<(&'static str, String)> = since
            .map(|s| ("filter[updatedAt][gte]", s.to_owned()))
            .into_iter()
            .collect();
        self.get_all("/pricelists", query, |r, _| {
            let stamp = r.str("updatedAt").unwrap_or_default();
            Ok(r.id.parse().ok().map(|id| (id, stamp)))
        })
        .await
    }

    /// The price list assigned to one customer, if any.
    pub async fn price_list_of(&self, customer: i64) -> Result<Option<i64>, OroError> {
        let query = vec![("filter[customer]", customer.to_string())];
        let lists = self
            .get_all("/pricelisttocustomers", query, |r, _| {
                Ok(r.rel_id("priceList").and_then(|l| l.parse().ok()))
            })
            .await?;
        Ok(lists.into_iter().next())
    }

    /// The prices of these products (Oro ids) in one price list.
    pub async fn prices_of_products(
        &self,
        price_list: i64,
        product_ids: &[String],
    ) -> Result<Vec<OroPrice>, OroError> {
        let mut out = Vec::new();
        for chunk in product_ids.chunks(FILTER_CHUNK) {
            let query = vec![
                ("filter[priceList]", price_list.to_string()),
                ("filter[product]", chunk.join(",")),
            ];
            out.extend(
                self.get_all("/productprices", query, |r, _| Ok(convert::price(r)))
                    .await?,
            );
        }
        Ok(out)
    }
}
