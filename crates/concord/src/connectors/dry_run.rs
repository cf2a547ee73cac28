//! Dry-run mode, shared by both clients (`concord run --dry-run`). Reads go to the real systems;
//! every write is recorded in the store with its full payload instead of being sent, and the flow
//! is handed a plausible answer so it carries on as if the write had landed: a created sale gets
//! an id, an invoice its number. Those ids start with [`ID_PREFIX`], so a later read about one
//! (which the real system could only answer with "not found") is answered by the client too.
//!
//! Validation is untouched: an order Concord would hold is held, its exception raised as usual.

use concord_store::{DryRunFilter, NewDryRunWrite, Store, StoreError};
use serde_json::Value;

/// Every id a dry run makes up starts with this; no Cin7 GUID or Oro id does.
pub const ID_PREFIX: &str = "dryrun-";

/// Records the writes a dry run holds back. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DryRun {
    store: Store,
}

/// One write held back, as the client would have sent it.
pub struct Held<'a> {
    pub system: &'static str,
    pub kind: &'static str,
    pub method: &'a str,
    pub path: &'a str,
    pub subject: Option<&'a str>,
    pub payload: Option<&'a Value>,
    pub answer: &'a Value,
}

impl DryRun {
    pub fn new(store: Store) -> Self {
        DryRun { store }
    }

    /// A new synthetic id, e.g. for a sale Cin7 would have created.
    pub fn fresh_id() -> String {
        format!("{ID_PREFIX}{}", uuid::Uuid::new_v4())
    }

    pub fn is_synthetic(id: &str) -> bool {
        id.starts_with(ID_PREFIX)
    }

    /// Stores the write, secrets redacted (a webhook subscription carries its token). A write
    /// that cannot be recorded fails like a write that could not be sent, so its job retries and
    /// the list never misses one.
    pub async fn record(&self, held: Held<'_>) -> Result<(), StoreError> {
        let write = NewDryRunWrite {
            system: held.system.to_owned(),
            kind: held.kind.to_owned(),
            method: held.method.to_owned(),
            path: super::redact::redact_free_text(held.path),
            subject: held.subject.map(str::to_owned),
            payload: held.payload.map(super::redact::redact),
            answer: super::redact::redact(held.answer),
        };
        self.store.dry_run_record(&write).await?;
        tracing::info!(
            system = held.system,
            kind = held.kind,
            subject = held.subject.unwrap_or(""),
            "Dry run: recorded a write instead of sending it."
        );
        Ok(())
    }
}

impl DryRun {
    /// The answers every write of this kind was given, oldest first: what the dry run "created".
    pub async fn answers(&self, system: &str, kind: &str) -> Result<Vec<Value>, StoreError> {
        let filter = DryRunFilter {
            system: Some(system.to_owned()),
            kind: Some(kind.to_owned()),
            limit: 0,
        };
        let writes = self.store.dry_run_writes(&filter).await?;
        Ok(writes.into_iter().map(|w| w.answer).collect())
    }
}

/// `body` with `extra`'s keys set on it (an object; anything else becomes one).
pub fn with_fields(body: Option<&Value>, extra: Value) -> Value {
    let mut out = match body {
        Some(Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    if let Value::Object(extra) = extra {
        out.extend(extra);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::Clock;
    use serde_json::json;

    #[tokio::test]
    async fn a_held_back_subscription_is_stored_without_its_secret() {
        let store = Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap();
        let body = json!({"Type": "Customer/Updated", "ExternalURL": "https://c.example/hook",
                          "ExternalBearerToken": "t0ken-t0ken-t0ken-t0ken"});
        let held = Held {
            system: "cin7",
            kind: "webhook",
            method: "POST",
            path: "/webhooks",
            subject: None,
            payload: Some(&body),
            answer: &json!({"Webhooks": [body.clone()]}),
        };
        DryRun::new(store.clone()).record(held).await.unwrap();
        let stored = store.dry_run_write(1).await.unwrap().unwrap();
        let text = format!("{:?}{:?}", stored.payload, stored.answer);
        assert!(!text.contains("t0ken-t0ken"), "{text}");
        assert_eq!(
            stored.payload.unwrap()["ExternalURL"],
            "https://c.example/hook"
        );
    }

    #[test]
    fn made_up_ids_are_told_apart_from_real_ones() {
        assert!(DryRun::is_synthetic(&DryRun::fresh_id()));
        assert!(!DryRun::is_synthetic(
            "0a1b2c3d-0000-0000-0000-000000000000"
        ));
        let merged = with_fields(Some(&json!({"Name": "Acme"})), json!({"ID": "x"}));
        assert_eq!(merged, json!({"Name": "Acme", "ID": "x"}));
    }
}
