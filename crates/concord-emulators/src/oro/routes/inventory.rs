//! `inventorylevels` (§6.3): one per product unit precision; GET list/single and PATCH of
//! `quantity`; create and delete answer 405 as in Oro.

use super::get_with;
use crate::oro::document::ListResult;
use crate::oro::jsonapi::{decimal_from, parse_body, single_data, ApiError, ApiResult};
use crate::oro::query::{Kind, ListRequest, Spec};
use crate::oro::render;
use crate::oro::state::{Now, Shared, State as Store};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::Value;
use std::sync::Arc;

/// `product` (the product id, lists allowed) is the documented way to find levels;
/// `productUnitPrecision` and `externalId` are also indexed.
const LEVELS: Spec = Spec {
    filters: &[
        ("id", Kind::Num),
        ("product", Kind::Num),
        ("productUnitPrecision", Kind::Num),
        ("externalId", Kind::Str),
    ],
    sorters: &["id"],
    required: &[],
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ListResult {
    let req = ListRequest::parse(q.as_deref(), &headers, uri.path(), Some(&LEVELS))?;
    s.with(|st, _| req.respond_rows(st, st.levels.values(), |l| Some(render::level_record(l))))
}

pub async fn get(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    get_with(&s, &uri, q, &headers, |st| {
        id.parse().ok().and_then(|id| render::level(st, id))
    })
}

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
    let data = single_data(&body, "inventorylevels", &id)?;
    s.with(|st, now| {
        let change = level_change(st, &id, data, "/data")?;
        let level_id = change.0;
        apply_level(st, change, now);
        req.respond_one(st, render::level(st, level_id))
    })
}

/// `POST` and `DELETE`: levels exist exactly as long as their unit precision (§6.3).
pub async fn not_allowed() -> Response {
    ApiError::not_allowed().into_response()
}

/// A checked level update: (level id, new quantity, new externalId).
pub type LevelChange = (i64, Option<Decimal>, Option<Option<String>>);

/// Checks one level update record; `pointer` locates it in the request (`/data`, `/data/3`).
///
/// A quantity with more decimals than the unit's precision is refused (400), as Oro's quantity
/// validation does for order quantities; the exact constraint title is not confirmed.
pub fn level_change(
    st: &Store,
    id: &str,
    data: &Value,
    pointer: &str,
) -> Result<LevelChange, ApiError> {
    let level_id = id
        .parse::<i64>()
        .ok()
        .filter(|id| st.levels.contains_key(id))
        .ok_or_else(|| ApiError::not_found().pointer(format!("{pointer}/id")))?;
    let attrs = data.get("attributes");
    let quantity = match attrs.and_then(|a| a.get("quantity")) {
        None => None,
        Some(raw) => {
            let at = format!("{pointer}/attributes/quantity");
            let q = decimal_from(raw).ok_or_else(|| {
                ApiError::bad_request("type constraint", "This value should be of type numeric.")
                    .pointer(&at)
            })?;
            let precision = st
                .levels
                .get(&level_id)
                .and_then(|l| st.precisions.get(&l.precision))
                .map(|p| p.precision)
                .unwrap_or(0);
            if q.normalize().scale() > precision {
                return Err(ApiError::bad_request(
                    "quantity unit precision constraint",
                    format!("This value should have at most {precision} decimal places."),
                )
                .pointer(&at));
            }
            Some(q)
        }
    };
    let external_id = attrs
        .and_then(|a| a.get("externalId"))
        .map(|v| v.as_str().map(str::to_owned));
    Ok((level_id, quantity, external_id))
}

pub fn apply_level(st: &mut Store, (id, quantity, external_id): LevelChange, now: Now) {
    if let Some(q) = quantity {
        st.set_level(id, q, now);
    }
    if let (Some(level), Some(ext)) = (st.levels.get_mut(&id), external_id) {
        level.external_id = ext;
    }
}
