//! The Oro client in dry-run mode (see [`crate::connectors::dry_run`]): each PATCH or POST is
//! recorded and answered with the JSON:API document Oro answers a finished write with (the
//! record sent back, a created one with an id), so the flows go on. Reads still go to Oro, and
//! so do token requests: they write nothing Concord owns (see `token.rs`).

use super::client::OroClient;
use super::error::OroError;
use crate::connectors::dry_run::{with_fields, DryRun, Held};
use reqwest::Method;
use serde_json::{json, Value};

impl OroClient {
    /// This client, recording its writes instead of sending them.
    pub fn dry_run(mut self, recorder: DryRun) -> Self {
        self.dry_run = Some(recorder);
        self
    }

    /// In dry-run mode, the answer to a write that must not reach Oro; `None`: send it.
    pub(super) async fn held_back(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        subject: Option<&str>,
    ) -> Option<Result<String, OroError>> {
        let recorder = self.dry_run.as_ref()?;
        if *method == Method::GET {
            return None;
        }
        let answer = write_answer(method, body);
        let logged = format!("/admin/api{path}");
        let held = Held {
            system: "oro",
            kind: kind_of(method, path),
            method: method.as_str(),
            path: &logged,
            subject,
            payload: body,
            answer: &answer,
        };
        Some(match recorder.record(held).await {
            Ok(()) => Ok(answer.to_string()),
            Err(e) => Err(OroError::Transient(format!("store: {e}"))),
        })
    }
}

/// What an operator reads in the dry-run list for each write Concord makes to Oro.
fn kind_of(method: &Method, path: &str) -> &'static str {
    let resource = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match (method.as_str(), resource) {
        ("PATCH", "inventorylevels") => "stock levels",
        ("PATCH", "products") => "inventory status",
        ("PATCH", "orders") => "shipping status",
        ("POST", "ordershippingtrackings") => "tracking",
        ("POST", "webhooks") => "webhook",
        ("PATCH", "webhooks") => "webhook secret",
        _ => "other",
    }
}

/// A finished write's answer: the document sent, and a created record given an id. A batch
/// (`data` an array) comes back as sent: no `asyncoperations` link, so nothing is followed.
fn write_answer(method: &Method, body: Option<&Value>) -> Value {
    let data = body
        .and_then(|b| b.get("data"))
        .cloned()
        .unwrap_or(Value::Null);
    match (method.as_str(), data) {
        ("POST", Value::Object(record)) => {
            let record = Value::Object(record);
            json!({ "data": with_fields(Some(&record), json!({ "id": DryRun::fresh_id() })) })
        }
        (_, data) => json!({ "data": data }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_the_flows_make_has_a_kind() {
        let writes = [
            (Method::PATCH, "/inventorylevels", "stock levels"),
            (Method::PATCH, "/products/17", "inventory status"),
            (Method::PATCH, "/orders/1001", "shipping status"),
            (Method::POST, "/ordershippingtrackings", "tracking"),
            (Method::POST, "/webhooks", "webhook"),
            (Method::PATCH, "/webhooks/9f0c", "webhook secret"),
        ];
        for (method, path, kind) in writes {
            assert_eq!(kind_of(&method, path), kind, "{method} {path}");
        }
    }

    #[test]
    fn a_created_record_gets_an_id_and_a_batch_is_not_an_async_operation() {
        let body =
            json!({"data": {"type": "ordershippingtrackings", "attributes": {"number": "1Z9"}}});
        let created = write_answer(&Method::POST, Some(&body));
        assert!(DryRun::is_synthetic(
            created["data"]["id"].as_str().unwrap()
        ));
        assert_eq!(created["data"]["attributes"]["number"], "1Z9");
        let batch = json!({"data": [{"type": "inventorylevels", "id": "5"}]});
        let answer = write_answer(&Method::PATCH, Some(&batch));
        assert_eq!(answer["data"][0]["id"], "5");
        assert!(super::super::batch::async_operation(&answer.to_string()).is_none());
    }
}
