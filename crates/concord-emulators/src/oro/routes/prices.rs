//! `pricelists`, `productprices` (`filter[priceList]` required; ids `<uuid>-<priceListId>`) and
//! `pricelisttocustomers` (§6.2). Read-only: Oro is the price master and Concord only reads it.

use super::{get_with, list_with};
use crate::oro::document::ListResult;
use crate::oro::jsonapi::ApiResult;
use crate::oro::query::{Kind, ListRequest, Spec};
use crate::oro::render;
use crate::oro::state::Shared;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use std::sync::Arc;

const PRICE_LISTS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("name", Kind::Str),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
    ],
    sorters: &["id", "name"],
    required: &[],
};

/// `priceList` is required and takes one id; `product` narrows it; `id` is the full composite id.
const PRICES: Spec = Spec {
    filters: &[
        ("priceList", Kind::Num),
        ("product", Kind::Num),
        ("id", Kind::Str),
        ("currency", Kind::Str),
        ("quantity", Kind::Num),
    ],
    sorters: &["id", "quantity"],
    required: &["priceList"],
};

const ASSIGNMENTS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("customer", Kind::Num),
        ("priceList", Kind::Num),
        ("website", Kind::Num),
    ],
    sorters: &["id", "sortOrder"],
    required: &[],
};

pub async fn list_lists(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &PRICE_LISTS, |st| {
        st.price_lists
            .keys()
            .filter_map(|id| render::price_list(st, *id))
            .collect()
    })
}

pub async fn get_list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse().ok().and_then(|id| render::price_list(st, id))
    })
}

pub async fn list_prices(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ListResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&PRICES))?;
    s.with(|st, _| req.respond_rows(st, st.prices.iter(), |p| Some(render::price_record(p))))
}

pub async fn get_price(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| render::price(st, &id))
}

pub async fn list_assignments(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &ASSIGNMENTS, |st| {
        st.assignments
            .keys()
            .filter_map(|id| render::price_list_assignment(st, *id))
            .collect()
    })
}

pub async fn get_assignment(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse()
            .ok()
            .and_then(|id| render::price_list_assignment(st, id))
    })
}
