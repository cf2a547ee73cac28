//! Shipments as Cin7 shows them (reference §14, §15): the sale's `CombinedShippingStatus` and ship
//! lines with their tracking numbers, a sale found by its order number, and the shipment webhooks
//! (`Sale/ShipmentAuthorised`, `Sale/ShipmentTrackingNumberChanged`) read as prompts.

use super::client::Cin7Client;
use super::error::Cin7Error;
use super::{convert, models};
use crate::connectors::budget::Priority;
use crate::domain::{SaleShipments, SaleSummary, ShipmentPrompt, Tracking};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct SaleWire {
    #[serde(rename = "ID", default)]
    id: String,
    #[serde(rename = "ExternalID", default)]
    external_id: Option<String>,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "CombinedShippingStatus", default)]
    combined_shipping_status: Option<String>,
    #[serde(rename = "Fulfilments", default)]
    fulfilments: Option<Vec<FulfilmentWire>>,
}

#[derive(Debug, Deserialize)]
struct FulfilmentWire {
    #[serde(rename = "Ship", default)]
    ship: Option<ShipWire>,
}

#[derive(Debug, Deserialize)]
struct ShipWire {
    #[serde(rename = "Lines", default)]
    lines: Option<Vec<ShipLineWire>>,
}

#[derive(Debug, Deserialize)]
struct ShipLineWire {
    #[serde(rename = "TrackingNumber", default)]
    tracking_number: Option<String>,
    #[serde(rename = "Carrier", default)]
    carrier: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PromptWire {
    #[serde(rename = "SaleID", default)]
    sale_id: Option<String>,
    #[serde(rename = "SaleTaskID", default)]
    sale_task_id: Option<String>,
    #[serde(rename = "OrderNumber", default)]
    order_number: Option<String>,
    #[serde(rename = "SaleOrderNumber", default)]
    sale_order_number: Option<String>,
}

fn shipments(s: SaleWire) -> SaleShipments {
    let trackings = s
        .fulfilments
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.ship)
        .flat_map(|ship| ship.lines.unwrap_or_default())
        .filter_map(|l| {
            let number = l.tracking_number.map(|t| t.trim().to_owned())?;
            (!number.is_empty()).then(|| Tracking {
                number,
                carrier: l.carrier.map(|c| c.trim().to_owned()).unwrap_or_default(),
            })
        })
        .collect();
    SaleShipments {
        sale_id: s.id,
        external_id: s.external_id.filter(|e| !e.is_empty()),
        status: s.status,
        shipping_status: s.combined_shipping_status,
        trackings,
    }
}

/// A shipment webhook body: the sale (or task) id and the order number, whichever it carries.
pub fn parse_shipment_webhook(body: &[u8]) -> Result<ShipmentPrompt, String> {
    let w: PromptWire = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let names_sale = w.sale_id.as_deref().is_some_and(|i| !i.trim().is_empty());
    let id = w
        .sale_id
        .or(w.sale_task_id)
        .map(|i| i.trim().to_ascii_lowercase())
        .filter(|i| !i.is_empty())
        .ok_or("neither SaleID nor SaleTaskID is present")?;
    let order_number = w
        .order_number
        .or(w.sale_order_number)
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    Ok(ShipmentPrompt {
        id,
        order_number,
        names_sale,
    })
}

impl Cin7Client {
    /// `GET /sale?ID=`: the sale's shipping status and tracking numbers (one call).
    pub async fn sale_shipments(
        &self,
        id: &str,
        priority: Priority,
        subject: Option<&str>,
    ) -> Result<SaleShipments, Cin7Error> {
        let sale: SaleWire = self
            .get_json("/sale", vec![("ID", id.to_owned())], priority, subject)
            .await?;
        Ok(shipments(sale))
    }

    /// `GET /saleList?Search=<order number>`: the sale with exactly that order number (the search
    /// is a substring match over several fields, so the rows are filtered).
    pub async fn sale_by_order_number(
        &self,
        order_number: &str,
        priority: Priority,
    ) -> Result<Option<SaleSummary>, Cin7Error> {
        let query = vec![
            ("Search", order_number.to_owned()),
            ("Limit", "100".to_owned()),
        ];
        let page: models::SaleListPage = self.get_json("/saleList", query, priority, None).await?;
        Ok(page
            .sale_list
            .into_iter()
            .find(|r| {
                r.order_number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(order_number))
            })
            .map(convert::sale_summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../../shared/fixtures/cin7/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).expect("fixture")
    }

    #[test]
    fn the_documented_shipment_webhooks_read_as_prompts() {
        let authorised = parse_shipment_webhook(&fixture("webhook_sale_shipment_authorised.json"));
        assert_eq!(
            authorised,
            Ok(ShipmentPrompt {
                id: "91ee7b1d-bd35-4e43-b98a-db86be777624".into(),
                order_number: Some("SO-00044".into()),
                names_sale: false,
            })
        );
        let tracking = parse_shipment_webhook(&fixture(
            "webhook_sale_shipment_tracking_number_changed.json",
        ));
        assert_eq!(
            tracking,
            Ok(ShipmentPrompt {
                id: "cb4a73ef-1682-46f5-a8c7-27accf6d3a7c".into(),
                order_number: Some("SO-00001".into()),
                names_sale: true,
            })
        );
        assert!(parse_shipment_webhook(br#"{"EventType":"Sale/ShipmentAuthorised"}"#).is_err());
    }

    #[test]
    fn tracking_numbers_come_from_the_ship_lines_of_every_fulfilment() {
        let mut sale: serde_json::Value =
            serde_json::from_slice(&fixture("sale_fulfilment_get_response.json")).expect("json");
        sale["Fulfilments"][0]["Ship"]["Lines"][0]["TrackingNumber"] = "RM-1 ".into();
        sale["Fulfilments"]
            .as_array_mut()
            .expect("array")
            .push(serde_json::json!({"Ship": {"Lines": [{"TrackingNumber": "", "Carrier": "X"}, {"TrackingNumber": "RM-2", "Carrier": null}]}}));
        sale["CombinedShippingStatus"] = "PARTIALLY SHIPPED".into();
        let wire: SaleWire = serde_json::from_value(sale).expect("sale");
        let got = shipments(wire);
        assert_eq!(got.shipping_status.as_deref(), Some("PARTIALLY SHIPPED"));
        assert_eq!(
            got.trackings,
            vec![
                Tracking {
                    number: "RM-1".into(),
                    carrier: "DEFAULT Carrier".into()
                },
                Tracking {
                    number: "RM-2".into(),
                    carrier: String::new()
                },
            ]
        );
    }
}
