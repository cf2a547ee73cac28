//! `customers` and `customerusers` (§5): read-only here, since customers are Oro's to manage.

use super::{get_with, list_with};
use crate::oro::document::ListResult;
use crate::oro::jsonapi::ApiResult;
use crate::oro::query::{Kind, ListRequest, Spec};
use crate::oro::render;
use crate::oro::state::Shared;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use std::sync::Arc;

const CUSTOMERS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("name", Kind::Str),
        ("parent", Kind::Num),
        ("taxCode", Kind::Num),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
        ("externalId", Kind::Str),
    ],
    sorters: &["id", "name", "createdAt", "updatedAt"],
    required: &[],
};

const CUSTOMER_USERS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("email", Kind::Str),
        ("customer", Kind::Num),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
    ],
    sorters: &["id", "email"],
    required: &[],
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ListResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&CUSTOMERS))?;
    s.with(|st, _| req.respond_rows(st, st.customers.values(), |c| render::customer(st, c.id)))
}

pub async fn get(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse().ok().and_then(|id| render::customer(st, id))
    })
}

pub async fn list_users(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    list_with(&s, &uri, q, &headers, &CUSTOMER_USERS, |st| {
        st.customer_users
            .keys()
            .filter_map(|id| render::customer_user(st, *id))
            .collect()
    })
}

pub async fn get_user(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse().ok().and_then(|id| render::customer_user(st, id))
    })
}
