//! The answer document of a read (`data`, `included`, `links`), assembled from records rendered
//! flat where a list brings them by the thousand. A list's [`Answer`] is serialised when the
//! response is made, after the handler has let go of the state lock: the engine's requests
//! queue behind that lock, and writing a page of 1,000 orders is most of its cost.

use super::jsonapi::{document, ApiError, ApiResult, MEDIA_TYPE};
use super::query::ListRequest;
use super::render::record::Rec;
use super::render::Resolver;
use super::state::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// About the size of one written record (a price is 400 bytes, an order 2,000).
const BYTES_PER_RECORD: usize = 800;

/// What a list read answers before it is written out.
pub type ListResult = Result<Answer, ApiError>;

/// The primary data of a document.
enum Data {
    Many(Vec<Rec>),
    One(Rec),
    Null,
}

/// A JSON:API document; members in key order, as a `Value` map prints them.
pub struct Doc {
    data: Data,
    included: Option<Vec<Rec>>,
    links: Option<Value>,
}

impl Doc {
    fn records(&self) -> usize {
        let data = match &self.data {
            Data::Many(items) => items.len(),
            Data::One(_) => 1,
            Data::Null => 0,
        };
        data + self.included.as_ref().map_or(0, Vec::len)
    }
}

impl Serialize for Doc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match &self.data {
            Data::Many(items) => map.serialize_entry("data", items)?,
            Data::One(one) => map.serialize_entry("data", one)?,
            Data::Null => map.serialize_entry("data", &())?,
        }
        if let Some(included) = &self.included {
            map.serialize_entry("included", included)?;
        }
        if let Some(links) = &self.links {
            map.serialize_entry("links", links)?;
        }
        map.end()
    }
}

/// A list page ready to write, with the total count when the client asked for it.
pub struct Answer {
    doc: Doc,
    total: Option<usize>,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        // Sized up front: growing a buffer of many megabytes copied it a dozen times.
        let mut body = Vec::with_capacity(self.doc.records().saturating_mul(BYTES_PER_RECORD));
        if let Err(e) = serde_json::to_writer(&mut body, &self.doc) {
            tracing::error!(error = %e, "an Oro list page did not serialise");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        let mut response = (
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
            body,
        )
            .into_response();
        if let Some(total) = self.total {
            if let Ok(v) = HeaderValue::from_str(&total.to_string()) {
                response.headers_mut().insert("x-include-total-count", v);
            }
        }
        response
    }
}

impl ListRequest {
    /// The answer to a list read: `page` (rendered) of `total` matching records.
    pub(super) fn answer(
        &self,
        st: &State,
        page: Vec<Rec>,
        total: usize,
        has_more: bool,
    ) -> Answer {
        let mut doc = self.assemble_doc(st, Data::Many(page));
        if self.hateoas {
            doc.links = Some(self.page_links(has_more));
        }
        Answer {
            doc,
            total: self.total.then_some(total),
        }
    }

    /// Builds the answer for one record (`None` → 404).
    pub fn respond_one(&self, st: &State, record: Option<Value>) -> ApiResult {
        let record = record.ok_or_else(ApiError::not_found)?;
        Ok(document(StatusCode::OK, &self.assemble(st, record)))
    }

    /// The document body for `data`: sparse fieldsets, `included`, record links.
    pub fn assemble(&self, st: &State, data: Value) -> Value {
        let data = match data {
            Value::Array(items) => Data::Many(items.into_iter().map(Rec::Json).collect()),
            Value::Null => Data::Null,
            other => Data::One(Rec::Json(other)),
        };
        serde_json::to_value(self.assemble_doc(st, data)).unwrap_or(Value::Null)
    }

    fn assemble_doc(&self, st: &State, data: Data) -> Doc {
        let included = (!self.include.is_empty()).then(|| match &data {
            Data::Many(items) => self.included(st, items),
            Data::One(one) => self.included(st, std::slice::from_ref(one)),
            Data::Null => Vec::new(),
        });
        let base: Arc<str> = Arc::from(self.api_base.as_str());
        let data = match data {
            Data::Many(items) => {
                Data::Many(items.into_iter().map(|r| self.shape(r, &base)).collect())
            }
            Data::One(one) => Data::One(self.shape(one, &base)),
            Data::Null => Data::Null,
        };
        Doc {
            data,
            included: included.map(|i| i.into_iter().map(|r| self.shape(r, &base)).collect()),
            links: None,
        }
    }

    /// Resolves `include` paths (`lineItems`, `lineItems.product`) into distinct related records.
    fn included(&self, st: &State, primary: &[Rec]) -> Vec<Rec> {
        let mut seen: HashSet<(String, String)> = primary.iter().map(Rec::key).collect();
        let mut out = Vec::new();
        let mut resolver = Resolver::new(st);
        for path in &self.include {
            // Deeper steps follow the records the step before rendered; the first, the primary ones.
            let mut rendered: Vec<Rec> = Vec::new();
            let steps: Vec<&str> = path.split('.').collect();
            for (depth, step) in steps.iter().enumerate() {
                let last = depth + 1 == steps.len();
                let layer: &[Rec] = if depth == 0 { primary } else { &rendered };
                let mut next = Vec::new();
                for record in layer {
                    for (kind, id) in record.linkage(step) {
                        let new = !seen.contains(&(kind.clone(), id.clone()));
                        // A record already included is rendered again only to follow a longer path.
                        if !new && last {
                            continue;
                        }
                        let Some(found) = resolver.get(&kind, &id) else {
                            continue;
                        };
                        match (new, last) {
                            (true, true) => out.push(found),
                            (true, false) => {
                                // Rendered twice rather than cloned: a flat record has no Clone.
                                out.extend(resolver.get(&kind, &id));
                                next.push(found);
                            }
                            (false, _) => next.push(found),
                        }
                        if new {
                            seen.insert((kind, id));
                        }
                    }
                }
                rendered = next;
            }
        }
        out
    }

    /// Applies `fields[type]` and adds `links.self` to a record.
    fn shape(&self, record: Rec, base: &Arc<str>) -> Rec {
        match record {
            Rec::Flat(mut r) => {
                if let Some(keep) = self.fields.get(r.kind) {
                    r.retain(|name| keep.contains(name));
                }
                if self.hateoas {
                    r.set_link(base.clone());
                }
                Rec::Flat(r)
            }
            Rec::Json(v) => Rec::Json(self.shape_value(v)),
        }
    }

    fn shape_value(&self, data: Value) -> Value {
        match data {
            Value::Object(mut record) => {
                let kind = record
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let Some(keep) = self.fields.get(&kind) {
                    for member in ["attributes", "relationships"] {
                        if let Some(Value::Object(map)) = record.get_mut(member) {
                            map.retain(|k, _| keep.contains(k));
                        }
                    }
                }
                if self.hateoas {
                    let id = record
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    record.insert(
                        "links".into(),
                        json!({"self": format!("{}/{kind}/{id}", self.api_base)}),
                    );
                }
                Value::Object(record)
            }
            other => other,
        }
    }
}
