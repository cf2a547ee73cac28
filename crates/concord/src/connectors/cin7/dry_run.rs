//! The Cin7 client in dry-run mode (see [`crate::connectors::dry_run`]): each write is recorded
//! and answered with the shape Cin7 answers it with (reference §2, §5, §11, §12), so the flows
//! decode it as usual; reads about a made-up id are answered here, as Cin7 would for a sale that
//! had just been created and nothing had happened to since.

use super::client::{Call, Cin7Client};
use super::error::Cin7Error;
use crate::connectors::dry_run::{with_fields, DryRun, Held, ID_PREFIX};
use reqwest::Method;
use serde_json::{json, Value};

impl Cin7Client {
    /// This client, recording its writes instead of sending them.
    pub fn dry_run(mut self, recorder: DryRun) -> Self {
        self.dry_run = Some(recorder);
        self
    }

    pub fn is_dry_run(&self) -> bool {
        self.dry_run.is_some()
    }

    /// In dry-run mode, the answer to a call that must not reach Cin7; `None`: send it.
    pub(super) async fn held_back(&self, call: &Call<'_>) -> Option<Result<String, Cin7Error>> {
        let recorder = self.dry_run.as_ref()?;
        if call.method == Method::GET && is_customers(call.path) {
            let id = synthetic_in(&call.query)?;
            return Some(self.made_up_customer(recorder, id).await);
        }
        if call.method == Method::GET {
            return read_answer(call.path, &call.query).map(|v| Ok(v.to_string()));
        }
        let answer = write_answer(&call.method, call.path, call.body.as_ref(), &call.query);
        let path = super::client::path_with_query(call.path, &call.query);
        let held = Held {
            system: "cin7",
            kind: kind_of(&call.method, call.path),
            method: call.method.as_str(),
            path: &path,
            subject: call.subject,
            payload: call.body.as_ref(),
            answer: &answer,
        };
        Some(match recorder.record(held).await {
            Ok(()) => Ok(answer.to_string()),
            Err(e) => Err(Cin7Error::Store(e.to_string())),
        })
    }
}

impl Cin7Client {
    /// Does this read list Cin7's customers, to which a dry run adds the ones it made up?
    pub(super) fn lists_made_up(&self, call: &Call<'_>) -> bool {
        // Only the whole list: a filtered read would need the filter applied to them too.
        let unfiltered = call
            .query
            .iter()
            .all(|(k, _)| matches!(*k, "Page" | "Limit"));
        self.dry_run.is_some()
            && call.method == Method::GET
            && is_customers(call.path)
            && unfiltered
    }

    /// A page of Cin7's customer list with the customers this dry run created added to its last
    /// page, as Cin7 would list them had they been created: the flows' cache is refreshed from
    /// this list, and a customer missing from it would be "created" a second time.
    pub(super) async fn add_made_up(&self, page: String) -> Result<String, Cin7Error> {
        let (Some(recorder), Ok(mut list)) = (&self.dry_run, serde_json::from_str::<Value>(&page))
        else {
            return Ok(page);
        };
        let Some(rows) = list.get_mut("CustomerList").and_then(Value::as_array_mut) else {
            return Ok(page);
        };
        if rows.len() >= super::client::PAGE {
            return Ok(page); // not the last page
        }
        let made_up = recorder
            .answers("cin7", "customer")
            .await
            .map_err(|e| Cin7Error::Store(e.to_string()))?;
        rows.extend(
            made_up
                .iter()
                .filter_map(|a| a["CustomerList"].get(0).cloned()),
        );
        Ok(list.to_string())
    }

    /// `GET /customer?ID=` for a customer this dry run created: as its creation answered.
    async fn made_up_customer(&self, recorder: &DryRun, id: &str) -> Result<String, Cin7Error> {
        let made_up = recorder
            .answers("cin7", "customer")
            .await
            .map_err(|e| Cin7Error::Store(e.to_string()))?;
        let rows: Vec<Value> = made_up
            .iter()
            .filter_map(|a| a["CustomerList"].get(0).cloned())
            .filter(|c| c["ID"] == id)
            .collect();
        Ok(json!({ "Total": rows.len(), "CustomerList": rows }).to_string())
    }
}

fn is_customers(path: &str) -> bool {
    path.eq_ignore_ascii_case("/customer")
}

/// What an operator reads in the dry-run list for each write Concord makes to Cin7.
pub(super) fn kind_of(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path.to_ascii_lowercase().as_str()) {
        ("POST", "/sale") => "sale",
        ("POST", "/sale/order") => "sale order",
        ("DELETE", "/sale") => "sale void",
        ("POST", "/customer") | ("PUT", "/customer") => "customer",
        ("POST", "/sale/invoice") | ("PUT", "/sale/invoice") => "invoice",
        ("POST", "/sale/payment") => "payment",
        ("PUT", "/product") => "price tiers",
        ("POST" | "PUT" | "DELETE", "/webhooks") => "webhook",
        _ => "other",
    }
}

/// Cin7's answer to a write, as the flows read it: the record sent back with a new `ID`.
fn write_answer(
    method: &Method,
    path: &str,
    body: Option<&Value>,
    query: &[(&'static str, String)],
) -> Value {
    let id = DryRun::fresh_id();
    let short: String = id.trim_start_matches(ID_PREFIX).chars().take(8).collect();
    let field = |k: &str| body.and_then(|b| b.get(k)).cloned().unwrap_or(Value::Null);
    match (method.as_str(), path.to_ascii_lowercase().as_str()) {
        ("POST", "/customer") => {
            json!({ "CustomerList": [with_fields(body, json!({ "ID": id }))] })
        }
        ("POST", "/sale") => with_fields(body, json!({ "ID": id, "Status": "ORDERED" })),
        ("DELETE", "/sale") => {
            let sale = query
                .iter()
                .find(|(k, _)| *k == "ID")
                .map(|(_, v)| v.clone());
            json!({ "ID": sale, "Status": "VOIDED" })
        }
        ("POST", "/sale/invoice") => json!({ "SaleID": field("SaleID"), "Invoices": [{
            "TaskID": field("TaskID"), "Status": field("Status"),
            "InvoiceNumber": format!("INV-{short}"),
        }]}),
        ("PUT", "/product") => json!({ "Products": [body.cloned().unwrap_or(Value::Null)] }),
        ("POST", "/webhooks") => json!({ "Webhooks": [with_fields(body, json!({ "ID": id }))] }),
        ("DELETE", "/webhooks") => json!({ "Webhooks": [] }),
        _ => with_fields(body, json!({ "ID": id })),
    }
}

/// The id a read asks about, when it is one a dry run made up.
fn synthetic_in<'a>(query: &'a [(&'static str, String)]) -> Option<&'a str> {
    query
        .iter()
        .map(|(_, v)| v.as_str())
        .find(|v| DryRun::is_synthetic(v))
}

/// Cin7's answer to a read about a made-up sale: ordered, nothing shipped, invoiced or paid yet.
/// Other reads go to Cin7.
fn read_answer(path: &str, query: &[(&'static str, String)]) -> Option<Value> {
    let id = synthetic_in(query)?;
    match path.to_ascii_lowercase().as_str() {
        "/sale" => Some(json!({ "ID": id, "Status": "ORDERED",
            "CombinedShippingStatus": "NOT SHIPPED", "Fulfilments": [] })),
        "/sale/invoice" => Some(json!({ "SaleID": id, "Invoices": [
            { "TaskID": format!("{id}-invoice"), "Status": "NOT AVAILABLE" }] })),
        "/sale/payment" => Some(json!([])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::models;
    use super::*;

    #[test]
    fn a_created_sale_and_customer_come_back_with_made_up_ids_the_flows_can_read() {
        let sale = write_answer(
            &Method::POST,
            "/sale",
            Some(&json!({"ExternalID": "1001"})),
            &[],
        );
        let sale: models::Sale = serde_json::from_value(sale).unwrap();
        assert!(DryRun::is_synthetic(&sale.id));
        assert_eq!(sale.external_id.as_deref(), Some("1001"));
        let body = json!({"Name": "Acme", "Currency": "GBP", "IsOnCreditHold": true});
        let list = write_answer(&Method::POST, "/customer", Some(&body), &[]);
        let list: models::CustomerList = serde_json::from_value(list).unwrap();
        assert_eq!(list.customer_list[0].name, "Acme");
        assert!(list.customer_list[0].is_on_credit_hold);
        assert!(DryRun::is_synthetic(&list.customer_list[0].id));
    }

    #[test]
    fn an_invoice_is_authorised_on_the_task_it_was_asked_for() {
        let body =
            json!({"SaleID": "dryrun-1", "TaskID": "dryrun-1-invoice", "Status": "AUTHORISED"});
        let answer = write_answer(&Method::POST, "/sale/invoice", Some(&body), &[]);
        assert_eq!(answer["Invoices"][0]["TaskID"], "dryrun-1-invoice");
        assert_eq!(answer["Invoices"][0]["Status"], "AUTHORISED");
        assert!(answer["Invoices"][0]["InvoiceNumber"]
            .as_str()
            .unwrap()
            .starts_with("INV-"));
    }

    #[test]
    fn only_reads_about_made_up_ids_are_answered_here() {
        let made_up = vec![("SaleID", "dryrun-7".to_owned())];
        let invoices = read_answer("/sale/invoice", &made_up).unwrap();
        assert_eq!(invoices["Invoices"][0]["Status"], "NOT AVAILABLE");
        assert_eq!(read_answer("/sale/payment", &made_up), Some(json!([])));
        let real = vec![("SaleID", "0a1b2c3d-0000-0000-0000-000000000000".to_owned())];
        assert_eq!(read_answer("/sale/invoice", &real), None);
        assert_eq!(read_answer("/saleList", &made_up), None);
    }

    async fn dry_client() -> Cin7Client {
        use crate::connectors::budget::RateBudget;
        let store = concord_store::Store::connect("sqlite::memory:", concord_core::Clock::real())
            .await
            .unwrap();
        let settings = super::super::Cin7Settings {
            base_url: "http://127.0.0.1:9".into(),
            account_id: "acc".into(),
            application_key: secrecy::SecretString::from("key".to_owned()),
            timeout: std::time::Duration::from_secs(1),
        };
        let budget = RateBudget::new(store.clone(), "cin7:acc", 55);
        let client = Cin7Client::new(settings, budget, store.clone()).unwrap();
        client.dry_run(DryRun::new(store))
    }

    #[tokio::test]
    async fn a_made_up_customer_stays_in_the_customer_list_and_reads_back_by_id() {
        let client = dry_client().await;
        let call = Call {
            method: Method::POST,
            path: "/customer",
            query: vec![],
            body: Some(json!({"Name": "Harbour Supplies", "Currency": "GBP"})),
            priority: crate::connectors::budget::Priority::Orders,
            subject: Some("customer:4"),
        };
        let created: Value =
            serde_json::from_str(&client.held_back(&call).await.unwrap().unwrap()).unwrap();
        let id = created["CustomerList"][0]["ID"]
            .as_str()
            .unwrap()
            .to_owned();
        // Cin7's own list (one real customer, a last page) comes back with the made-up one added.
        let page = json!({"Total": 1, "CustomerList": [{"ID": "real-1", "Name": "Kestrel"}]});
        let merged: models::CustomerList =
            serde_json::from_str(&client.add_made_up(page.to_string()).await.unwrap()).unwrap();
        let names: Vec<&str> = merged
            .customer_list
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, vec!["Kestrel", "Harbour Supplies"]);
        let by_id = Call {
            method: Method::GET,
            query: vec![("ID", id.clone())],
            body: None,
            ..call
        };
        let read: models::CustomerList =
            serde_json::from_str(&client.held_back(&by_id).await.unwrap().unwrap()).unwrap();
        assert_eq!(read.customer_list[0].id, id);
    }

    #[test]
    fn every_write_the_flows_make_has_a_kind() {
        let writes = [
            (Method::POST, "/sale", "sale"),
            (Method::POST, "/sale/order", "sale order"),
            (Method::DELETE, "/sale", "sale void"),
            (Method::POST, "/customer", "customer"),
            (Method::POST, "/sale/invoice", "invoice"),
            (Method::POST, "/sale/payment", "payment"),
            (Method::PUT, "/product", "price tiers"),
            (Method::POST, "/webhooks", "webhook"),
        ];
        for (method, path, kind) in writes {
            assert_eq!(kind_of(&method, path), kind, "{method} {path}");
        }
    }
}
