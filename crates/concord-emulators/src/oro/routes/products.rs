//! `products` (list, get, PATCH of `inventory_status`), `productunitprecisions`, `productunits` and
//! `productnames` (§6.1). `X-Integration-Type: ext_id` makes `/products/{id}` take the SKU (§3.6).

use super::{get_with, list_with};
use crate::oro::document::ListResult;
use crate::oro::jsonapi::{parse_body, single_data, ApiError, ApiResult};
use crate::oro::query::{Kind, ListRequest, Spec};
use crate::oro::render;
use crate::oro::state::{Now, Shared, State as Store};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use serde_json::Value;
use std::sync::Arc;

const PRODUCTS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("sku", Kind::Str),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
        ("inventory_status", Kind::Str),
        ("taxCode", Kind::Num),
    ],
    sorters: &["id", "sku", "createdAt", "updatedAt"],
    required: &[],
};

const PRECISIONS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("product", Kind::Num),
        ("unit", Kind::Str),
    ],
    sorters: &["id"],
    required: &[],
};

const UNITS: Spec = Spec {
    filters: &[("id", Kind::Str)],
    sorters: &["id"],
    required: &[],
};

const INVENTORY_STATUSES: &[&str] = &["in_stock", "out_of_stock", "discontinued"];

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ListResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&PRODUCTS))?;
    s.with(|st, _| {
        req.respond_rows(st, st.products.values(), |p| {
            Some(render::product_record(p))
        })
    })
}

pub async fn get(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let ext_id = ext_id_mode(&headers);
    get_with(&s, &uri, q, &headers, |st| {
        resolve(st, &id, ext_id).and_then(|id| render::product(st, id))
    })
}

/// `PATCH /products/{id}`: only `relationships.inventory_status` is emulated (Concord sets
/// `in_stock` after a restock); other fields are accepted and ignored.
pub async fn patch(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), &headers, uri.path())?;
    let body = parse_body(&headers, &body)?;
    let data = single_data(&body, "products", &id)?;
    let ext_id = ext_id_mode(&headers);
    s.with(|st, now| {
        let product_id = resolve(st, &id, ext_id).ok_or_else(ApiError::not_found)?;
        let change = product_change(st, &product_id.to_string(), data, "/data")?;
        apply_product(st, change, now);
        req.respond_one(st, render::product(st, product_id))
    })
}

fn ext_id_mode(headers: &HeaderMap) -> bool {
    headers
        .get("x-integration-type")
        .and_then(|v| v.to_str().ok())
        == Some("ext_id")
}

fn resolve(st: &Store, id: &str, ext_id: bool) -> Option<i64> {
    if ext_id {
        return st.product_by_sku(id).map(|p| p.id);
    }
    id.parse().ok().filter(|id| st.products.contains_key(id))
}

/// A checked product update: (product id, new inventory status).
pub type ProductChange = (i64, Option<String>);

/// Checks one product update record; `pointer` locates it in the request (`/data`, `/data/3`).
pub fn product_change(
    st: &Store,
    id: &str,
    data: &Value,
    pointer: &str,
) -> Result<ProductChange, ApiError> {
    let product_id = id
        .parse::<i64>()
        .ok()
        .filter(|id| st.products.contains_key(id))
        .ok_or_else(|| ApiError::not_found().pointer(format!("{pointer}/id")))?;
    let status =
        match data
            .get("relationships")
            .and_then(|r| r.get("inventory_status"))
        {
            None => None,
            Some(linkage) => {
                let code = linkage
                    .get("data")
                    .and_then(|d| d.get("id"))
                    .and_then(Value::as_str);
                match code {
                    Some(c) if INVENTORY_STATUSES.contains(&c) => Some(c.to_owned()),
                    _ => return Err(ApiError::bad_request(
                        "not blank constraint",
                        "The inventory status must be one of in_stock, out_of_stock, discontinued.",
                    )
                    .pointer(format!("{pointer}/relationships/inventory_status/data"))),
                }
            }
        };
    Ok((product_id, status))
}

pub fn apply_product(st: &mut Store, (id, status): ProductChange, now: Now) {
    if let (Some(product), Some(status)) = (st.products.get_mut(&id), status) {
        product.inventory_status = status;
        product.updated_at = now.at;
    }
}

pub async fn list_precisions(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &PRECISIONS, |st| {
        st.precisions
            .keys()
            .filter_map(|id| render::precision(st, *id))
            .collect()
    })
}

pub async fn get_precision(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse().ok().and_then(|id| render::precision(st, id))
    })
}

pub async fn list_units(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &UNITS, |st| {
        let mut codes: Vec<&str> = st.precisions.values().map(|p| p.unit.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        codes.into_iter().filter_map(render::product_unit).collect()
    })
}

pub async fn get_unit(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        st.precisions
            .values()
            .any(|p| p.unit == code)
            .then(|| render::product_unit(&code))
            .flatten()
    })
}

pub async fn get_name(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse().ok().and_then(|id| render::product_name(st, id))
    })
}
