//! Request dispatch: one fallback handler matches the lower-cased path (Cin7 paths are
//! case-insensitive) and calls a small synchronous handler per endpoint.

pub(crate) mod availability;
mod customers;
mod fulfilment;
mod fulfilment_write;
pub(crate) mod ledger;
mod orders;
mod products;
mod reference;
mod sales;
mod webhooks;

pub(crate) use fulfilment::fulfilments;

use super::emulator::Inner;
use super::wire::{ApiError, Params, Reply};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

const PATHS: &[&str] = &[
    "/me",
    "/product",
    "/customer",
    "/sale",
    "/sale/order",
    "/sale/fulfilment",
    "/sale/fulfilment/pick",
    "/sale/fulfilment/pack",
    "/sale/fulfilment/ship",
    "/sale/invoice",
    "/sale/payment",
    "/salelist",
    "/ref/productavailability",
    "/ref/location",
    "/ref/tax",
    "/ref/paymentterm",
    "/ref/pricetier",
    "/webhooks",
];

pub(crate) async fn dispatch(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let lower = uri.path().trim_end_matches('/').to_ascii_lowercase();
    // Clients configured with the production base URL's path still reach the API.
    let path = lower.strip_prefix("/externalapi/v2").unwrap_or(&lower);
    let params = Params::parse(uri.query());
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            // The portal's status table: 500 = "object could not be parsed".
            Err(e) => {
                return ApiError::with_status(500, format!("Object could not be parsed: {e}"))
                    .into_response()
            }
        }
    };
    match route(&inner, &method, path, &params, &body) {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

fn route(inner: &Inner, method: &Method, path: &str, params: &Params, body: &Value) -> Reply {
    match (path, method.as_str()) {
        ("/me", "GET") => Ok(reference::me(inner)),
        ("/product", "GET") => products::list(inner, params),
        ("/product", "POST") => products::create(inner, body),
        ("/product", "PUT") => products::update(inner, body),
        ("/customer", "GET") => customers::list(inner, params),
        ("/customer", "POST") => customers::create(inner, body),
        ("/customer", "PUT") => customers::update(inner, body),
        ("/sale", "GET") => sales::get(inner, params),
        ("/sale", "POST") => sales::create(inner, body),
        ("/sale", "PUT") => sales::update(inner, body),
        ("/sale", "DELETE") => sales::delete(inner, params),
        ("/sale/order", "GET") => orders::get(inner, params),
        ("/sale/order", "POST") => orders::post(inner, body),
        ("/sale/fulfilment", "GET") => fulfilment::list(inner, params),
        ("/sale/fulfilment", "POST") => fulfilment_write::create(inner, body),
        ("/sale/fulfilment/pick", "POST" | "PUT") => fulfilment_write::pick(inner, body),
        ("/sale/fulfilment/pack", "POST" | "PUT") => fulfilment_write::pack(inner, body),
        ("/sale/fulfilment/ship", "POST") => fulfilment_write::ship(inner, body, false),
        ("/sale/fulfilment/ship", "PUT") => fulfilment_write::ship(inner, body, true),
        ("/sale/fulfilment/pick", "GET") => fulfilment::stage(inner, params, "pick"),
        ("/sale/fulfilment/pack", "GET") => fulfilment::stage(inner, params, "pack"),
        ("/sale/fulfilment/ship", "GET") => fulfilment::stage(inner, params, "ship"),
        ("/sale/invoice", "GET") => ledger::invoices(inner, params),
        ("/sale/invoice", "POST") => ledger::write_invoice(inner, body, false),
        ("/sale/invoice", "PUT") => ledger::write_invoice(inner, body, true),
        ("/sale/payment", "GET") => ledger::payments(inner, params),
        ("/sale/payment", "POST") => ledger::create_payment(inner, body),
        ("/sale/payment", "DELETE") => ledger::delete_payment(inner, params),
        ("/salelist", "GET") => sales::list(inner, params),
        ("/ref/productavailability", "GET") => availability::list(inner, params),
        ("/ref/location", "GET") => Ok(reference::locations(inner, params)),
        ("/ref/tax", "GET") => Ok(reference::tax_rules(inner, params)),
        ("/ref/paymentterm", "GET") => Ok(reference::payment_terms(inner, params)),
        ("/ref/pricetier", "GET") => Ok(reference::price_tiers(inner)),
        ("/webhooks", "GET") => webhooks::list(inner),
        ("/webhooks", "POST") => webhooks::create(inner, body),
        ("/webhooks", "PUT") => webhooks::update(inner, body),
        ("/webhooks", "DELETE") => webhooks::delete(inner, params),
        (p, _) if PATHS.contains(&p) => Err(ApiError::with_status(
            405,
            "The requested resource does not support this HTTP method.",
        )),
        // The docs say 404; one live test saw 200 with an HTML page. 404 is the safer answer.
        _ => Err(ApiError::with_status(
            404,
            "The requested endpoint does not exist.",
        )),
    }
}
