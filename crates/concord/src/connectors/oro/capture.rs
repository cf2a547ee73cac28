//! The reads `concord scenario capture` adds: customer users, products with their names, and the
//! orders placed since a moment with their placement time and buyer.

use super::client::OroClient;
use super::convert;
use super::error::OroError;
use super::models::{Included, Resource};
use crate::domain::{NamedOroProduct, OroCustomerUser, PlacedOrder};

fn customer_user(r: &Resource) -> Option<OroCustomerUser> {
    Some(OroCustomerUser {
        id: r.id.parse().ok()?,
        customer_id: r.rel_id("customer")?.parse().ok()?,
        email: r.str("email").unwrap_or_default(),
    })
}

/// The product's name in the default localization (the `productnames` entry without one), else
/// the first name it has, else its SKU.
fn product_name(r: &Resource, included: &Included) -> Option<String> {
    let names: Vec<&Resource> = r
        .rel_ids("names")
        .iter()
        .filter_map(|id| included.get("productnames", id))
        .collect();
    let default = names
        .iter()
        .find(|n| n.rel_id("localization").is_none())
        .or(names.first());
    default
        .and_then(|n| n.str("string"))
        .filter(|s| !s.trim().is_empty())
}

fn named_product(r: &Resource, included: &Included) -> NamedOroProduct {
    let product = convert::product(r, included);
    let name = product_name(r, included).unwrap_or_else(|| product.sku.clone());
    NamedOroProduct { product, name }
}

fn placed_order(r: &Resource, included: &Included) -> Result<PlacedOrder, OroError> {
    Ok(PlacedOrder {
        order: convert::order(r, included)?,
        created_at: r.str("createdAt").unwrap_or_default(),
        customer_user: r.rel_id("customerUser").and_then(|u| u.parse().ok()),
    })
}

impl OroClient {
    /// Every customer user with the customer it buys for.
    pub async fn customer_users(&self) -> Result<Vec<OroCustomerUser>, OroError> {
        self.get_all("/customerusers", vec![], |r, _| Ok(customer_user(r)))
            .await
    }

    /// Every product with its units, tax code and name.
    pub async fn named_products(&self) -> Result<Vec<NamedOroProduct>, OroError> {
        let query = vec![("include", "unitPrecisions,taxCode,names".to_owned())];
        self.get_all("/products", query, |r, inc| Ok(Some(named_product(r, inc))))
            .await
    }

    /// Orders created at or after `since` (RFC 3339), by id, with lines, subtotals and discounts.
    /// Paged by number over ids: `createdAt` never changes, so no order moves between pages.
    pub async fn orders_placed_since(&self, since: &str) -> Result<Vec<PlacedOrder>, OroError> {
        let query = vec![
            ("filter[createdAt][gte]", since.to_owned()),
            ("sort", "id".to_owned()),
            ("include", "lineItems,orderSubtotals,discounts".to_owned()),
        ];
        self.get_all("/orders", query, |r, inc| placed_order(r, inc).map(Some))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(v: serde_json::Value) -> Resource {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_product_takes_its_default_localization_name_and_a_user_its_customer() {
        let product = resource(
            json!({"type": "products", "id": "7", "attributes": {"sku": "TEE"},
            "relationships": {"names": {"data": [{"type": "productnames", "id": "1"}, {"type": "productnames", "id": "2"}]}}}),
        );
        let included = Included::new(vec![
            resource(
                json!({"type": "productnames", "id": "1", "attributes": {"string": "T-Shirt"},
                "relationships": {"localization": {"data": {"type": "localizations", "id": "3"}}}}),
            ),
            resource(
                json!({"type": "productnames", "id": "2", "attributes": {"string": "Tee"},
                "relationships": {"localization": {"data": null}}}),
            ),
        ]);
        let named = named_product(&product, &included);
        assert_eq!(
            (named.name.as_str(), named.product.sku.as_str()),
            ("Tee", "TEE")
        );
        let bare = named_product(&product, &Included::new(vec![]));
        assert_eq!(bare.name, "TEE");

        let user = resource(
            json!({"type": "customerusers", "id": "12", "attributes": {"email": "a@b.test"},
            "relationships": {"customer": {"data": {"type": "customers", "id": "2"}}}}),
        );
        assert_eq!(
            customer_user(&user),
            Some(OroCustomerUser {
                id: 12,
                customer_id: 2,
                email: "a@b.test".into()
            })
        );
    }
}
