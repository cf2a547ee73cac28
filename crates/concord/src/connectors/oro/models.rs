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

/// JSON:API primary data: one resource, an array, or `null`.
#[derive(Debug, Default)]
pub enum Data {
    Many(Vec<Resource>),
    One(Box<Resource>),
    #[default]
    Null,
}

/// By hand, not `#[serde(untagged)]`: untagged buffers the whole of `data` (a page of a thousand
/// inventory levels) into an intermediate tree before trying each variant, and that was most of
/// a stock sync's parsing CPU. The first token says which shape it is.
impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = Data;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a resource object, an array of resource objects, or null")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Data, E> {
                Ok(Data::Null)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Data, A::Error> {
                let seq = serde::de::value::SeqAccessDeserializer::new(seq);
                Vec::<Resource>::deserialize(seq).map(Data::Many)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Data, A::Error> {
                let map = serde::de::value::MapAccessDeserializer::new(map);
                Resource::deserialize(map).map(|r| Data::One(Box::new(r)))
            }
        }
        deserializer.deserialize_any(Shape)
    }
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
    pub relationships: HashMap<String, Option<Relationship>>,
}

/// A relationship as Concord reads it: only the ids it links to. Held as a JSON value it was two
/// or three tree nodes per relationship, most of a parsed page of a thousand inventory levels
/// (8 MB of the engine's heap at its peak at 20,000 SKUs).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Relationship {
    #[serde(default)]
    data: Linkage,
}

/// A relationship's `data`: `null`, one resource identifier, or an array of them. Anything else
/// links to nothing, as the value tree read it before.
#[derive(Debug, Clone, Default, PartialEq)]
enum Linkage {
    #[default]
    Nothing,
    One(Option<String>),
    Many(Vec<String>),
}

/// By hand, for the reason [`Data`] is: the first token says which shape it is.
impl<'de> Deserialize<'de> for Linkage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = Linkage;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a resource identifier, an array of them, or null")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Linkage, E> {
                Ok(Linkage::Nothing)
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Linkage, E> {
                Ok(Linkage::Nothing)
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Linkage, E> {
                Ok(Linkage::Nothing)
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Linkage, E> {
                Ok(Linkage::Nothing)
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Linkage, E> {
                Ok(Linkage::Nothing)
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Linkage, E> {
                Ok(Linkage::Nothing)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Linkage, A::Error> {
                let mut ids = Vec::new();
                while let Some(item) = seq.next_element::<Identifier>()? {
                    ids.extend(item.id.as_ref().and_then(id_text));
                }
                Ok(Linkage::Many(ids))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Linkage, A::Error> {
                let map = serde::de::value::MapAccessDeserializer::new(map);
                let one = Identifier::deserialize(map)?;
                Ok(Linkage::One(one.id.as_ref().and_then(id_text)))
            }
        }
        deserializer.deserialize_any(Shape)
    }
}

/// A resource identifier's id (a string, or a number from a lenient server); its type is not used.
#[derive(Deserialize)]
struct Identifier {
    #[serde(default)]
    id: Option<Value>,
}

/// A scalar attribute as text (a number or a boolean written out); `None` for anything else.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Resource {
    pub fn str(&self, key: &str) -> Option<String> {
        scalar_text(self.attributes.get(key)?)
    }

    pub fn dec(&self, key: &str) -> Option<Decimal> {
        self.str(key).and_then(|s| concord_core::decimal::parse(&s))
    }

    /// The id of a to-one relationship (`None` for `{"data": null}` or when absent).
    pub fn rel_id(&self, key: &str) -> Option<String> {
        match &self.relationships.get(key)?.as_ref()?.data {
            Linkage::One(id) => id.clone(),
            _ => None,
        }
    }

    /// The ids of a to-many relationship, in order.
    pub fn rel_ids(&self, key: &str) -> Vec<String> {
        match self.relationships.get(key).and_then(Option::as_ref) {
            Some(Relationship {
                data: Linkage::Many(ids),
            }) => ids.clone(),
            _ => Vec::new(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn data(json: &str) -> Result<Vec<String>, String> {
        serde_json::from_str::<Document>(json)
            .map(|d| d.data.into_vec().into_iter().map(|r| r.id).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn primary_data_is_read_in_each_of_its_shapes() {
        let one = r#"{"data": {"type": "orders", "id": "7", "attributes": {"poNumber": "A"}}}"#;
        let many = r#"{"data": [{"type": "orders", "id": "7"}, {"type": "orders", "id": "8"}]}"#;
        assert_eq!(data(one), Ok(vec!["7".to_owned()]));
        assert_eq!(data(many), Ok(vec!["7".to_owned(), "8".to_owned()]));
        assert_eq!(data(r#"{"data": []}"#), Ok(vec![]));
        assert_eq!(data(r#"{"data": null}"#), Ok(vec![]));
        assert_eq!(data(r#"{"meta": {}}"#), Ok(vec![]));
    }

    #[test]
    fn relationships_give_their_ids_in_each_shape_and_nothing_otherwise() {
        let doc = r#"{"data": {"type": "orders", "id": "7", "relationships": {
            "customer": {"data": {"type": "customers", "id": "12"}, "links": {"self": "x"}},
            "numeric": {"data": {"type": "customers", "id": 13}},
            "lineItems": {"data": [{"type": "orderlineitems", "id": "1"}, {"type": "orderlineitems", "id": 2}]},
            "empty": {"data": []},
            "none": {"data": null},
            "nodata": {"meta": {}},
            "odd": {"data": "customers"},
            "null": null}}}"#;
        let doc: Document = serde_json::from_str(doc).unwrap();
        let r = &doc.data.into_vec()[0];
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            ("customer", Some("12"), &[]),
            ("numeric", Some("13"), &[]),
            ("lineItems", None, &["1", "2"]),
            ("empty", None, &[]),
            ("none", None, &[]),
            ("nodata", None, &[]),
            ("odd", None, &[]),
            ("null", None, &[]),
            ("absent", None, &[]),
        ];
        for (key, one, many) in cases {
            assert_eq!(r.rel_id(key).as_deref(), *one, "{key}");
            assert_eq!(r.rel_ids(key), *many, "{key}");
        }
    }

    #[test]
    fn primary_data_of_another_shape_is_refused_with_what_was_expected() {
        let err = data(r#"{"data": "orders"}"#).expect_err("a string is not primary data");
        assert!(err.contains("a resource object"), "{err}");
        let err = data(r#"{"data": [{"type": "orders"}]}"#).expect_err("no id");
        assert!(err.contains("missing field `id`"), "{err}");
    }
}
