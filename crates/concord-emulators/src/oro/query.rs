//! Query parameters of a JSON:API read: `filter[…]`, `sort`, `page[…]`, `include`, `fields[…]`, and the
//! `X-Include` header; filtering, sorting and paging a list, and its pagination links.
//!
//! Filter evaluation lives in [`super::filter`]; the answer document in [`super::document`].

use super::document::ListResult;
pub use super::filter::Kind;
use super::filter::{compare, compare_opt, first, matches, parse_filter, value_error, Filter};
use super::jsonapi::{ApiError, ApiResult};
use super::render::record::Rec;
use super::state::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// What one resource type lets a list request filter and sort by.
pub struct Spec {
    pub filters: &'static [(&'static str, Kind)],
    pub sorters: &'static [&'static str],
    /// Filters the request must carry (e.g. `priceList` on `productprices`).
    pub required: &'static [&'static str],
}

/// A parsed read request.
pub struct ListRequest {
    pub(super) filters: Vec<Filter>,
    pub(super) sort: Vec<(String, bool)>,
    pub(super) kinds: BTreeMap<String, Kind>,
    pub(super) page_size: Option<usize>,
    pub(super) page: usize,
    pub(super) include: Vec<String>,
    pub(super) fields: BTreeMap<String, BTreeSet<String>>,
    pub(super) total: bool,
    pub(super) hateoas: bool,
    pub(super) api_base: String,
    path: String,
    pairs: Vec<(String, String)>,
}

impl ListRequest {
    /// Parses the query for a single-record read (`include`, `fields` and headers only).
    pub fn single(query: Option<&str>, headers: &HeaderMap, path: &str) -> Result<Self, ApiError> {
        Self::parse(query, headers, path, None)
    }

    /// Parses the query for a list read, checking filters and sorters against `spec`.
    pub fn parse(
        query: Option<&str>,
        headers: &HeaderMap,
        path: &str,
        spec: Option<&Spec>,
    ) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let x_include: Vec<String> = headers
            .get_all("x-include")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| {
                v.split(';')
                    .map(|s| s.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost");
        let mut req = ListRequest {
            filters: Vec::new(),
            sort: Vec::new(),
            kinds: spec
                .map(|s| {
                    s.filters
                        .iter()
                        .map(|(n, k)| ((*n).to_owned(), *k))
                        .collect()
                })
                .unwrap_or_default(),
            page_size: Some(10),
            page: 1,
            include: Vec::new(),
            fields: BTreeMap::new(),
            total: x_include.iter().any(|x| x == "totalCount"),
            hateoas: !x_include.iter().any(|x| x == "noHateoas"),
            api_base: format!("http://{host}/admin/api"),
            path: path.to_owned(),
            pairs: pairs.clone(),
        };
        for (key, value) in &pairs {
            if let Some(inner) = key
                .strip_prefix("filter[")
                .and_then(|k| k.strip_suffix(']'))
            {
                let Some(spec) = spec else { continue };
                req.filters.push(parse_filter(key, inner, value, spec)?);
            } else if let Some(kind) = key
                .strip_prefix("fields[")
                .and_then(|k| k.strip_suffix(']'))
            {
                let names = value
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                req.fields.insert(kind.to_owned(), names);
            } else if key == "include" {
                req.include = value
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
            } else if key == "page[size]" && spec.is_some() {
                req.page_size = match value.trim().parse::<i64>() {
                    Ok(-1) => None,
                    Ok(n) if n >= 1 => usize::try_from(n).ok(),
                    _ => {
                        return Err(value_error(
                            key,
                            "The value should be greater than or equals to 1.",
                        ))
                    }
                };
            } else if key == "page[number]" && spec.is_some() {
                req.page = match value.trim().parse::<usize>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        return Err(value_error(
                            key,
                            "The value should be greater than or equals to 1.",
                        ))
                    }
                };
            } else if key == "sort" {
                let Some(spec) = spec else { continue };
                for part in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let (name, desc) = part.strip_prefix('-').map_or((part, false), |n| (n, true));
                    if !spec.sorters.contains(&name) {
                        return Err(ApiError::bad_request(
                            "sort constraint",
                            format!("Sorting by \"{name}\" field is not supported."),
                        )
                        .parameter("sort"));
                    }
                    req.sort.push((name.to_owned(), desc));
                }
            }
        }
        if let Some(spec) = spec {
            for name in spec.required {
                if !req.filters.iter().any(|f| f.field == *name) {
                    return Err(ApiError::bad_request(
                        "filter constraint",
                        format!("The \"{name}\" filter is required."),
                    ));
                }
            }
        }
        Ok(req)
    }

    /// Drops paging: some resources (`ordersubtotals`) always answer every row.
    pub fn unpaged(mut self) -> Self {
        self.page_size = None;
        self
    }

    /// Filters, sorts and pages `records` (all of one type) and builds the answer.
    pub fn respond_list(&self, st: &State, records: Vec<Value>) -> ApiResult {
        Ok(self.respond_list_with(st, records, Some)?.into_response())
    }

    /// Filters, sorts and pages `records`, then renders each record of the page with `render`.
    pub(super) fn respond_list_with(
        &self,
        st: &State,
        mut records: Vec<Value>,
        render: impl Fn(Value) -> Option<Value>,
    ) -> ListResult {
        records.retain(|r| self.filters.iter().all(|f| matches(r, f)));
        // A database orders rows that tie on the sort fields as it likes, and not the same way
        // twice: unless the sort names `id`, ties come in an order drawn for this request, so a
        // client paging by page number over `updatedAt` ties can skip or repeat records (§3.3).
        let salt = (!self.sort.is_empty() && !self.sort.iter().any(|(n, _)| n == "id"))
            .then(rand::random::<u64>);
        records.sort_by(|a, b| {
            for (name, desc) in &self.sort {
                let kind = if name == "id" {
                    Kind::Num
                } else {
                    self.kinds.get(name).copied().unwrap_or(Kind::Str)
                };
                let ord = compare_opt(kind, first(a, name).as_deref(), first(b, name).as_deref());
                let ord = if *desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            if let Some(salt) = salt {
                return tie_rank(salt, a).cmp(&tie_rank(salt, b));
            }
            // Numeric ids break ties; composite ids keep the store's natural order (stable sort).
            match (first(a, "id"), first(b, "id")) {
                (Some(x), Some(y)) => compare(Kind::Num, &x, &y).unwrap_or(Ordering::Equal),
                _ => Ordering::Equal,
            }
        });
        let total = records.len();
        let (page, has_more) = self.window(records);
        let page = page.into_iter().filter_map(render).map(Rec::Json).collect();
        Ok(self.answer(st, page, total, has_more))
    }

    /// The records of the requested page, and whether more follow.
    pub(super) fn window<T>(&self, records: Vec<T>) -> (Vec<T>, bool) {
        match self.page_size {
            None => (records, false),
            Some(size) => {
                let start = (self.page - 1).saturating_mul(size);
                let has_more = records.len() > start.saturating_add(size);
                (
                    records.into_iter().skip(start).take(size).collect(),
                    has_more,
                )
            }
        }
    }

    /// `self`, `next` (only when more rows exist), `first` and `prev` past page 1; never `last`.
    pub(super) fn page_links(&self, has_more: bool) -> Value {
        let url = |page: usize| {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in self.pairs.iter().filter(|(k, _)| k != "page[number]") {
                ser.append_pair(k, v);
            }
            if page > 1 {
                ser.append_pair("page[number]", &page.to_string());
            }
            let q = ser.finish();
            let base = format!(
                "{}{}",
                self.api_base.trim_end_matches("/admin/api"),
                self.path
            );
            if q.is_empty() {
                base
            } else {
                format!("{base}?{q}")
            }
        };
        let mut links = Map::new();
        links.insert("self".into(), json!(url(self.page)));
        if self.page > 1 {
            links.insert("first".into(), json!(url(1)));
            links.insert("prev".into(), json!(url(self.page - 1)));
        }
        if has_more {
            links.insert("next".into(), json!(url(self.page + 1)));
        }
        Value::Object(links)
    }
}

/// Where a record falls among its ties for one request's `salt`.
fn tie_rank(salt: u64, record: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    salt.hash(&mut h);
    first(record, "id").hash(&mut h);
    h.finish()
}
