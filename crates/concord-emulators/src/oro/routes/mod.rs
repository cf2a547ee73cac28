//! The route table, and the small helpers every read handler shares.

pub mod auth;
pub mod customers;
pub mod discounts;
pub mod inventory;
pub mod orders;
pub mod prices;
pub mod products;
pub mod tax_codes;
pub mod trackings;
pub mod webhooks;

use super::jsonapi::{document, ApiError, ApiResult};
use super::query::{ListRequest, Spec};
use super::state::{Shared, State as Store};
use super::{batch, middleware};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router(s: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/orders", get(orders::list).post(orders::not_emulated).delete(orders::not_emulated))
        .route("/orders/{id}", get(orders::get).patch(orders::patch).delete(orders::not_emulated))
        .route(
            "/orders/{id}/relationships/{assoc}",
            patch(orders::patch_relationship).get(|State(s): State<Arc<Shared>>, Path((id, assoc)): Path<(String, String)>| async move {
                linkage_doc(&s, "orders", &id, &assoc)
            }),
        )
        .route("/orderlineitems", get(orders::list_line_items))
        .route("/orderlineitems/{id}", get(orders::get_line_item))
        .route("/ordersubtotals", get(orders::list_subtotals))
        .route("/ordersubtotals/{id}", get(orders::get_subtotal))
        .route("/orderdiscounts", get(discounts::list))
        .route("/orderdiscounts/{id}", get(discounts::get))
        .route("/ordershippingtrackings", get(trackings::list).post(trackings::create))
        .route("/ordershippingtrackings/{id}", get(trackings::get))
        .route("/customers", get(customers::list))
        .route("/customers/{id}", get(customers::get))
        .route("/customerusers", get(customers::list_users))
        .route("/customerusers/{id}", get(customers::get_user))
        .route("/customertaxcodes", get(tax_codes::list_customer))
        .route("/customertaxcodes/{id}", get(tax_codes::get_customer))
        .route("/producttaxcodes", get(tax_codes::list_product))
        .route("/producttaxcodes/{id}", get(tax_codes::get_product))
        .route(
            "/products",
            get(products::list).patch(|State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes| batch::update_list(s, "products", h, b)),
        )
        .route("/products/{id}", get(products::get).patch(products::patch))
        .route("/productunitprecisions", get(products::list_precisions))
        .route("/productunitprecisions/{id}", get(products::get_precision))
        .route("/productunits", get(products::list_units))
        .route("/productunits/{id}", get(products::get_unit))
        .route("/productnames/{id}", get(products::get_name))
        .route(
            "/inventorylevels",
            get(inventory::list)
                .patch(|State(s): State<Arc<Shared>>, h: HeaderMap, b: Bytes| batch::update_list(s, "inventorylevels", h, b))
                .post(inventory::not_allowed)
                .delete(inventory::not_allowed),
        )
        .route("/inventorylevels/{id}", get(inventory::get).patch(inventory::patch).post(inventory::not_allowed).delete(inventory::not_allowed))
        .route("/pricelists", get(prices::list_lists))
        .route("/pricelists/{id}", get(prices::get_list))
        .route("/productprices", get(prices::list_prices))
        .route("/productprices/{id}", get(prices::get_price))
        .route("/pricelisttocustomers", get(prices::list_assignments))
        .route("/pricelisttocustomers/{id}", get(prices::get_assignment))
        .route("/asyncoperations/{id}", get(batch::get))
        .route("/asyncoperations/{id}/errors", get(batch::errors))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/webhooks/{id}", get(webhooks::get).patch(webhooks::patch).delete(webhooks::delete))
        .route("/webhooktopics", get(webhooks::topics))
        .route("/webhookformats", get(webhooks::formats))
        .route("/{kind}/{id}/{assoc}", get(subresource))
        .route("/{kind}/{id}/relationships/{assoc}", get(relationship))
        .fallback(unknown);
    Router::new()
        .route("/oauth2-token", post(auth::token))
        .route("/_emulator/state", get(dump))
        .nest("/admin/api", api)
        .layer(axum::middleware::from_fn_with_state(
            s.clone(),
            middleware::guard,
        ))
        .with_state(s)
}

/// A list read: parse the query against `spec`, render every record of the type, then filter,
/// sort, page and include.
pub fn list_with(
    s: &Shared,
    uri: &OriginalUri,
    q: Option<String>,
    headers: &HeaderMap,
    spec: &Spec,
    all: impl FnOnce(&Store) -> Vec<Value>,
) -> ApiResult {
    let req = ListRequest::parse(q.as_deref(), headers, uri.path(), Some(spec))?;
    s.with(|st, _| {
        let records = all(st);
        req.respond_list(st, records)
    })
}

/// A single-record read (`None` → 404).
pub fn get_with(
    s: &Shared,
    uri: &OriginalUri,
    q: Option<String>,
    headers: &HeaderMap,
    find: impl FnOnce(&Store) -> Option<Value>,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), headers, uri.path())?;
    s.with(|st, _| {
        let record = find(st);
        req.respond_one(st, record)
    })
}

/// `GET /{type}/{id}/{association}`: the related records themselves.
async fn subresource(
    State(s): State<Arc<Shared>>,
    uri: OriginalUri,
    Path((kind, id, assoc)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let req = ListRequest::single(q.as_deref(), &headers, uri.path())?;
    s.with(|st, _| {
        let record = super::render::resource(st, &kind, &id).ok_or_else(ApiError::not_found)?;
        let linkage = record
            .get("relationships")
            .and_then(|r| r.get(&assoc))
            .and_then(|r| r.get("data"))
            .cloned()
            .ok_or_else(ApiError::not_found)?;
        let resolve = |l: &Value| {
            let (t, i) = (
                l.get("type").and_then(Value::as_str)?,
                l.get("id").and_then(Value::as_str)?,
            );
            super::render::resource(st, t, i)
        };
        let data = match linkage {
            Value::Array(items) => Value::Array(items.iter().filter_map(resolve).collect()),
            Value::Null => Value::Null,
            one => resolve(&one).unwrap_or(Value::Null),
        };
        Ok(document(StatusCode::OK, &req.assemble(st, data)))
    })
}

/// `GET /{type}/{id}/relationships/{association}`: the linkage only.
async fn relationship(
    State(s): State<Arc<Shared>>,
    Path((kind, id, assoc)): Path<(String, String, String)>,
) -> ApiResult {
    linkage_doc(&s, &kind, &id, &assoc)
}

fn linkage_doc(s: &Shared, kind: &str, id: &str, assoc: &str) -> ApiResult {
    s.with(|st, _| {
        let record = super::render::resource(st, kind, id).ok_or_else(ApiError::not_found)?;
        let linkage = record
            .get("relationships")
            .and_then(|r| r.get(assoc))
            .cloned()
            .ok_or_else(ApiError::not_found)?;
        Ok(document(
            StatusCode::OK,
            &json!({"data": linkage.get("data").cloned().unwrap_or(Value::Null)}),
        ))
    })
}

async fn unknown() -> Response {
    ApiError::not_found().into_response()
}

/// `GET /_emulator/state`: this system's half of the state dump.
async fn dump(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({"oro": super::dump::state(&s), "api_log": {"oro": s.log.entries()}}))
}
