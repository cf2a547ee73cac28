//! The reference books `concord doctor` checks before go-live (reference §2, §5.9, §5.10):
//! locations, payment terms, price tiers, the chart of accounts, service products by name, and
//! the webhook subscriptions. Each read is one call of the budget per page.

use super::client::Cin7Client;
use super::error::Cin7Error;
use super::{convert, models};
use crate::connectors::budget::Priority;
use crate::domain::{BookEntry, ErpProduct, WebhookSubscription};
use serde_json::Value;

const PAGE: usize = 1000;

fn text(row: &Value, key: &str) -> Option<String> {
    row.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A boolean Cin7 may print as `true` or `"True"`; `absent` when the field is missing.
fn flag(row: &Value, key: &str, absent: bool) -> bool {
    match row.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => absent,
    }
}

fn location(row: &Value) -> Option<BookEntry> {
    // The book's table says `Deprecated`, its samples `IsDeprecated`: either retires a location.
    let retired = flag(row, "IsDeprecated", false) || flag(row, "Deprecated", false);
    Some(BookEntry {
        name: text(row, "Name")?,
        label: None,
        active: !retired,
    })
}

fn payment_term(row: &Value) -> Option<BookEntry> {
    Some(BookEntry {
        name: text(row, "Name")?,
        label: None,
        active: flag(row, "IsActive", true),
    })
}

fn account(row: &Value) -> Option<BookEntry> {
    let status = text(row, "Status").unwrap_or_else(|| "ACTIVE".to_owned());
    Some(BookEntry {
        name: text(row, "Code")?,
        label: text(row, "Name"),
        active: status.eq_ignore_ascii_case("active"),
    })
}

fn price_tier(row: &Value) -> Option<BookEntry> {
    Some(BookEntry {
        name: text(row, "Name")?,
        label: row.get("Code").map(|c| format!("tier {c}")),
        active: true,
    })
}

fn webhook(row: &Value) -> Option<WebhookSubscription> {
    Some(WebhookSubscription {
        topic: text(row, "Type")?,
        url: text(row, "ExternalURL").unwrap_or_default(),
        active: flag(row, "IsActive", true),
    })
}

impl Cin7Client {
    /// Every row of a paged `/ref/*` book (`{Total, Page, <key>: [...]}`), read as JSON rows.
    async fn book(&self, path: &str, key: &str) -> Result<Vec<Value>, Cin7Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let query = vec![("Page", page.to_string()), ("Limit", PAGE.to_string())];
            let list: Value = self.get_json(path, query, Priority::Bulk, None).await?;
            let rows = list.get(key).and_then(Value::as_array).cloned();
            let rows = rows.unwrap_or_default();
            let n = rows.len();
            out.extend(rows);
            let total = list.get("Total").and_then(Value::as_i64);
            if n < PAGE || total.is_some_and(|t| (page * PAGE) as i64 >= t) {
                break;
            }
        }
        Ok(out)
    }

    /// `GET /ref/location`: every location, deprecated ones marked inactive.
    pub async fn locations(&self) -> Result<Vec<BookEntry>, Cin7Error> {
        let rows = self.book("/ref/location", "LocationList").await?;
        Ok(rows.iter().filter_map(location).collect())
    }

    /// `GET /ref/paymentterm`: every payment term with its `IsActive`.
    pub async fn payment_terms(&self) -> Result<Vec<BookEntry>, Cin7Error> {
        let rows = self.book("/ref/paymentterm", "PaymentTermList").await?;
        Ok(rows.iter().filter_map(payment_term).collect())
    }

    /// `GET /ref/priceTier`: the ten tiers by their (renamable) names; one call, no paging.
    pub async fn price_tier_names(&self) -> Result<Vec<BookEntry>, Cin7Error> {
        let list: Value = self
            .get_json("/ref/priceTier", vec![], Priority::Bulk, None)
            .await?;
        let rows = list.get("PriceTiers").and_then(Value::as_array);
        Ok(rows.into_iter().flatten().filter_map(price_tier).collect())
    }

    /// `GET /ref/account`: the chart of accounts, keyed by code. `None` when this Cin7 (or the
    /// emulator) does not serve the book (404/405), so a caller can say it could not verify.
    pub async fn accounts(&self) -> Result<Option<Vec<BookEntry>>, Cin7Error> {
        match self.book("/ref/account", "AccountsList").await {
            Ok(rows) => Ok(Some(rows.iter().filter_map(account).collect())),
            Err(Cin7Error::Permanent {
                status: 404 | 405, ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Products whose name is exactly `name` (case-insensitive), as an additional charge names
    /// them. The `Name` filter is a loose match, so the exact one is kept here.
    pub async fn products_named(&self, name: &str) -> Result<Vec<ErpProduct>, Cin7Error> {
        let query = vec![
            ("Name", name.to_owned()),
            ("Limit", PAGE.to_string()),
            ("Page", "1".to_owned()),
        ];
        let list: models::ProductList = self
            .get_json("/product", query, Priority::Bulk, None)
            .await?;
        Ok(list
            .products
            .into_iter()
            .map(convert::product)
            .filter(|p| p.name.trim().eq_ignore_ascii_case(name.trim()))
            .collect())
    }

    /// `GET /webhooks`: every subscription on the account, Concord's and others'.
    pub async fn webhooks(&self) -> Result<Vec<WebhookSubscription>, Cin7Error> {
        let list: Value = self
            .get_json("/webhooks", vec![], Priority::Bulk, None)
            .await?;
        let rows = list.get("Webhooks").and_then(Value::as_array);
        Ok(rows.into_iter().flatten().filter_map(webhook).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deprecated_locations_and_inactive_terms_read_as_inactive() {
        let rows = [
            json!({"Name": "Main Warehouse", "IsDeprecated": false}),
            json!({"Name": "Old Shed", "Deprecated": "True"}),
            json!({"Name": "  "}),
        ];
        let read: Vec<BookEntry> = rows.iter().filter_map(location).collect();
        assert_eq!(read.len(), 2);
        assert!(read[0].active && !read[1].active);
        let term = payment_term(&json!({"Name": "30 days", "IsActive": false})).unwrap();
        assert!(!term.active);
        assert!(payment_term(&json!({"Name": "Proforma"})).unwrap().active);
    }

    #[test]
    fn the_published_price_tier_book_reads_by_name() {
        let body: Value = serde_json::from_str(include_str!(
            "../../../../../../shared/fixtures/cin7/ref_price_tiers_response.json"
        ))
        .unwrap();
        let tiers: Vec<BookEntry> = body["PriceTiers"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(price_tier)
            .collect();
        assert_eq!(tiers.len(), 10);
        assert_eq!(tiers[0].name, "Tier 1");
    }

    #[test]
    fn accounts_are_keyed_by_code_and_archived_ones_are_inactive() {
        let a = account(&json!({"Code": "1200", "Name": "Bank", "Status": "ACTIVE"})).unwrap();
        assert_eq!((a.name.as_str(), a.active), ("1200", true));
        let b = account(&json!({"Code": "090", "Status": "ARCHIVED"})).unwrap();
        assert!(!b.active);
    }

    #[test]
    fn webhook_rows_keep_type_url_and_activity() {
        let hook = webhook(&json!({"Type": "Sale/ShipmentAuthorised",
            "ExternalURL": "https://c.example/webhooks/cin7/shipment", "IsActive": "false"}))
        .unwrap();
        assert_eq!(hook.topic, "Sale/ShipmentAuthorised");
        assert!(!hook.active);
    }
}
