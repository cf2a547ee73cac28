//! A rendered resource object held as flat lists of members instead of a `serde_json::Value`
//! tree: a page of 1,000 orders brings about 11,000 included records, and building a map per
//! record, per relationship and per linkage was most of a page's time. [`Rec`] serialises to
//! exactly the bytes the `Value` of the same record does (members in key order, as
//! `serde_json::Map` keeps them), so the two renderings are interchangeable.

use super::taxes::TaxData;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::sync::Arc;

/// An attribute's value.
pub enum Field {
    Json(Value),
    Taxes(TaxData),
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Json(v) => v.serialize(s),
            Field::Taxes(t) => t.serialize(s),
        }
    }
}

/// A relationship's linkage: one related record (or none), or a list of them, all of one type.
pub enum Link {
    One(Option<(&'static str, String)>),
    Many(&'static str, Vec<String>),
}

impl Link {
    pub fn one(kind: &'static str, id: Option<String>) -> Link {
        Link::One(id.map(|id| (kind, id)))
    }

    pub fn many(kind: &'static str, ids: impl IntoIterator<Item = String>) -> Link {
        Link::Many(kind, ids.into_iter().collect())
    }

    /// `{"data": []}`.
    pub fn none() -> Link {
        Link::Many("", Vec::new())
    }

    fn idents(&self) -> Vec<(String, String)> {
        match self {
            Link::One(one) => one
                .iter()
                .map(|(k, i)| ((*k).to_owned(), i.clone()))
                .collect(),
            Link::Many(kind, ids) => ids
                .iter()
                .map(|i| ((*kind).to_owned(), i.clone()))
                .collect(),
        }
    }
}

/// One resource object: `type`, `id`, `attributes`, `relationships` (when the type has any) and
/// `links.self` (added by the request when HATEOAS is on).
pub struct Record {
    pub kind: &'static str,
    pub id: String,
    attributes: Vec<(&'static str, Field)>,
    relationships: Option<Vec<(&'static str, Link)>>,
    /// The API base of `links.self` (`http://host/admin/api`); the URL is written from it.
    links_base: Option<Arc<str>>,
}

impl Record {
    /// Members may come in any order: they are kept sorted, as a `Value` map would print them.
    pub fn new(
        kind: &'static str,
        id: String,
        attributes: Vec<(&'static str, Value)>,
        relationships: Option<Vec<(&'static str, Link)>>,
    ) -> Record {
        let mut attributes: Vec<_> = attributes
            .into_iter()
            .map(|(name, v)| (name, Field::Json(v)))
            .collect();
        sort_members(&mut attributes);
        let relationships = relationships.map(|mut r| {
            sort_members(&mut r);
            r
        });
        Record {
            kind,
            id,
            attributes,
            relationships,
            links_base: None,
        }
    }

    /// Adds an attribute whose value is not a `Value`.
    pub fn with_attribute(mut self, name: &'static str, value: Field) -> Record {
        self.attributes.push((name, value));
        sort_members(&mut self.attributes);
        self
    }

    /// The related records of relationship `name`, as (type, id).
    pub fn linkage(&self, name: &str) -> Vec<(String, String)> {
        self.relationships
            .iter()
            .flatten()
            .find(|(n, _)| *n == name)
            .map(|(_, link)| link.idents())
            .unwrap_or_default()
    }

    /// Keeps only the attributes and relationships named (a sparse fieldset).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.attributes.retain(|(n, _)| keep(n));
        if let Some(r) = self.relationships.as_mut() {
            r.retain(|(n, _)| keep(n));
        }
    }

    /// Gives the record `links.self` under `base`.
    pub fn set_link(&mut self, base: Arc<str>) {
        self.links_base = Some(base);
    }

    /// The record as a `Value` (what a webhook payload or a single read embeds).
    pub fn into_value(self) -> Value {
        serde_json::to_value(&self).unwrap_or(Value::Null)
    }
}

/// Puts members in key order (renderers list them in that order; the check is the cheap part).
fn sort_members<T>(members: &mut [(&'static str, T)]) {
    if !members.is_sorted_by_key(|(name, _)| *name) {
        members.sort_unstable_by_key(|(name, _)| *name);
    }
}

/// A record a document carries: a flat [`Record`], or one still rendered as a `Value` (types
/// read too rarely to matter).
pub enum Rec {
    Flat(Record),
    Json(Value),
}

impl Rec {
    pub fn key(&self) -> (String, String) {
        match self {
            Rec::Flat(r) => (r.kind.to_owned(), r.id.clone()),
            Rec::Json(v) => super::super::filter::key(v),
        }
    }

    pub fn linkage(&self, name: &str) -> Vec<(String, String)> {
        match self {
            Rec::Flat(r) => r.linkage(name),
            Rec::Json(v) => super::super::filter::linkage(v, name),
        }
    }

    pub fn into_value(self) -> Value {
        match self {
            Rec::Flat(r) => r.into_value(),
            Rec::Json(v) => v,
        }
    }
}

impl From<Record> for Rec {
    fn from(r: Record) -> Rec {
        Rec::Flat(r)
    }
}

impl From<Value> for Rec {
    fn from(v: Value) -> Rec {
        Rec::Json(v)
    }
}

impl Serialize for Rec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Rec::Flat(r) => r.serialize(s),
            Rec::Json(v) => v.serialize(s),
        }
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("attributes", &Members(&self.attributes))?;
        map.serialize_entry("id", &self.id)?;
        if let Some(base) = &self.links_base {
            map.serialize_entry("links", &SelfLink(base, self.kind, &self.id))?;
        }
        if let Some(r) = &self.relationships {
            map.serialize_entry("relationships", &Members(r))?;
        }
        map.serialize_entry("type", self.kind)?;
        map.end()
    }
}

/// Sorted (name, value) pairs as an object.
struct Members<'a, T>(&'a [(&'static str, T)]);

impl<T: Serialize> Serialize for Members<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// `{"self": "<base>/<type>/<id>"}`.
struct SelfLink<'a>(&'a str, &'a str, &'a str);

impl Serialize for SelfLink<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("self", &Url(self))?;
        map.end()
    }
}

struct Url<'a, 'b>(&'a SelfLink<'b>);

impl Serialize for Url<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let SelfLink(base, kind, id) = self.0;
        s.collect_str(&format_args!("{base}/{kind}/{id}"))
    }
}

/// `{"id": …, "type": …}`.
struct Ident<'a>(&'a str, &'a str);

impl Serialize for Ident<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("id", self.1)?;
        map.serialize_entry("type", self.0)?;
        map.end()
    }
}

struct Idents<'a>(&'static str, &'a [String]);

impl Serialize for Idents<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for id in self.1 {
            seq.serialize_element(&Ident(self.0, id))?;
        }
        seq.end()
    }
}

impl Serialize for Link {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        match self {
            Link::One(None) => map.serialize_entry("data", &())?,
            Link::One(Some((kind, id))) => map.serialize_entry("data", &Ident(kind, id))?,
            Link::Many(kind, ids) => map.serialize_entry("data", &Idents(kind, ids))?,
        }
        map.end()
    }
}
