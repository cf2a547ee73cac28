//! `customertaxcodes` and `producttaxcodes` (reference §13.1, fixtures
//! `customertaxcodes_get_list.json`, `producttaxcodes_get_list.json`): list and get, read-only
//! here since the scenario owns the codes. Customers and products point at them through their
//! `taxCode` relationship.

use super::{get_with, list_with};
use crate::oro::jsonapi::{iso, ApiResult};
use crate::oro::query::{Kind, Spec};
use crate::oro::render::organization;
use crate::oro::state::{Shared, State as OroState};
use crate::oro::tax_codes::TaxCodeKind;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::sync::Arc;

/// `code` has a unique index in Oro, so it is filterable and sortable like the timestamps.
const TAX_CODES: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("code", Kind::Str),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
    ],
    sorters: &["id", "code", "createdAt", "updatedAt"],
    required: &[],
};

pub async fn list_customer(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list(&s, &uri, q, &headers, TaxCodeKind::Customer)
}

pub async fn get_customer(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        render(st, TaxCodeKind::Customer, id.parse().ok()?)
    })
}

pub async fn list_product(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list(&s, &uri, q, &headers, TaxCodeKind::Product)
}

pub async fn get_product(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        render(st, TaxCodeKind::Product, id.parse().ok()?)
    })
}

fn list(
    s: &Shared,
    uri: &OriginalUri,
    q: Option<String>,
    headers: &HeaderMap,
    kind: TaxCodeKind,
) -> ApiResult {
    list_with(s, uri, q, headers, &TAX_CODES, |st| {
        st.tax_codes
            .table(kind)
            .keys()
            .filter_map(|id| render(st, kind, *id))
            .collect()
    })
}

/// One tax code in the fixtures' shape: customer codes have an `owner` (a user), product codes
/// do not.
pub fn render(st: &OroState, kind: TaxCodeKind, id: i64) -> Option<Value> {
    let rec = st.tax_codes.table(kind).get(&id)?;
    let mut relationships = json!({"organization": organization()});
    if kind == TaxCodeKind::Customer {
        relationships["owner"] = json!({"data": {"type": "users", "id": "1"}});
    }
    Some(json!({
        "type": kind.api_type(),
        "id": id.to_string(),
        "attributes": {
            "code": rec.code,
            "description": rec.description,
            "createdAt": iso(rec.created_at),
            "updatedAt": iso(rec.updated_at),
        },
        "relationships": relationships,
    }))
}
