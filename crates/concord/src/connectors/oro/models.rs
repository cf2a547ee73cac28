//! JSON:API documents as Oro sends them, private to the connector. Attributes stay loosely typed
//! here and are read leniently in `convert.rs` (money as strings, quantities as numbers or strings).

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub data: Data,
    #[serde(default)]
    pub included: Vec<Resource>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(untagged)]
pub enum Data {
    Many(Vec<Resource>),
    One(Box<Resource>),
    #[default]
    Null,
}

impl Data {
    pub fn into_vec(self) -> Vec<Resource> {
        match self {
            Data::Many(v) => v,
            Data::One(r) => vec![*r],
            Data::Null => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub relationships: Map<String, Value>,
}

impl Resource {
    pub fn str(&self, key: &str) -> Option<String> {
        match self.attributes.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn dec(&self, key: &str) -> Option<Decimal> {
        self.str(key).and_then(|s| concord_core::decimal::parse(&s))
    }

    /// The id of a to-one relationship (`None` for `{"data": null}` or when absent).
    pub fn rel_id(&self, key: &str) -> Option<String> {
        self.relationships
            .get(key)?
            .get("data")?
            .get("id")
            .and_then(id_text)
    }

    /// The ids of a to-many relationship, in order.
    pub fn rel_ids(&self, key: &str) -> Vec<String> {
        let Some(Value::Array(items)) = self.relationships.get(key).and_then(|r| r.get("data"))
        else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|i| i.get("id").and_then(id_text))
            .collect()
    }
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Included resources by (type, id), for resolving relationships.
pub struct Included(HashMap<(String, String), Resource>);

impl Included {
    pub fn new(items: Vec<Resource>) -> Self {
        Included(
            items
                .into_iter()
                .map(|r| ((r.kind.clone(), r.id.clone()), r))
                .collect(),
        )
    }

    pub fn get(&self, kind: &str, id: &str) -> Option<&Resource> {
        self.0.get(&(kind.to_owned(), id.to_owned()))
    }
}
