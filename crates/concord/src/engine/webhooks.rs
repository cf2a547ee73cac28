//! Webhook receivers. Oro's are HMAC-verified and deduplicated by `Webhook-Id`; Cin7 signs nothing,
//! so its deliveries carry a bearer token Concord chose when subscribing. A bad or missing signature
//! is refused and raises `webhook_rejected`; a good delivery only enqueues work and answers at once.

use super::dispatch::{CUSTOMERS_REFRESH, STOCK_SYNC};
use super::schedule::enqueue_keyed;
use crate::connectors::{cin7, oro};
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::{intake, record};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use concord_core::catalogue::ExceptionKind;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// Stock webhooks within this many clock seconds share one availability snapshot.
const COALESCE_S: f64 = 20.0;

#[derive(Clone)]
pub struct WebhookState {
    pub ctx: Context,
    pub oro_secret: Option<SecretString>,
    pub cin7_token: Option<SecretString>,
}

pub fn router(state: WebhookState) -> Router {
    Router::new()
        .route("/webhooks/oro", post(oro_webhook))
        .route("/webhooks/cin7/{kind}", post(cin7_webhook))
        .with_state(state)
}

async fn oro_webhook(
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(secret) = &state.oro_secret {
        if !oro::verify_signature(
            secret.expose_secret().as_bytes(),
            &body,
            header("webhook-signature").as_deref(),
        ) {
            reject(
                &state.ctx,
                "webhook:oro",
                "An Oro webhook arrived with a missing or wrong Webhook-Signature.",
            )
            .await;
            return StatusCode::UNAUTHORIZED;
        }
    }
    let topic = oro::webhook_topic(&body).or_else(|| header("webhook-topic"));
    if topic.is_some_and(|t| t.starts_with(PAYMENT_TOPIC)) {
        return payment_webhook(&state.ctx, &body).await;
    }
    let Some((order_id, updated_at)) = oro::parse_order_webhook(&body) else {
        let _ = exceptions::raise(
            &state.ctx.store,
            &state.ctx.rules,
            ExceptionKind::InvalidPayload,
            "webhook:oro",
            "body",
            format!(
                "An Oro webhook body names no order: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(500)
                    .collect::<String>()
            ),
        )
        .await;
        return StatusCode::OK;
    };
    // Webhook-Id is stable across redeliveries; the job key makes a redelivery a no-op.
    let key = updated_at
        .or_else(|| header("webhook-id"))
        .unwrap_or_else(|| "webhook".into());
    match intake::enqueue_order(&state.ctx.store, order_id, &key).await {
        Ok(()) => {
            // Fast path: lower the order's levels now rather than when a worker next looks at the
            // queue; the queued job is the durable path and finds nothing left to lower.
            let ctx = state.ctx.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::sync::inventory::lower::lower_for_order(&ctx, order_id).await
                {
                    tracing::debug!(error = %e, order_id, "Immediate lowering failed; the queued job retries it.");
                }
            });
            StatusCode::OK
        }
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Oro 6.1.10+ announces each completed payment transaction under this topic (reference §14).
pub const PAYMENT_TOPIC: &str = "order.payment_status_updated";

/// A payment transaction: kept as a waiting posting (a redelivery finds it kept already).
async fn payment_webhook(ctx: &Context, body: &[u8]) -> StatusCode {
    let Some(capture) = oro::parse_payment_webhook(body) else {
        let _ = exceptions::raise(
            &ctx.store,
            &ctx.rules,
            ExceptionKind::InvalidPayload,
            "webhook:oro",
            "payment",
            format!(
                "An Oro payment webhook names no order or amount: {}",
                String::from_utf8_lossy(body)
                    .chars()
                    .take(500)
                    .collect::<String>()
            ),
        )
        .await;
        return StatusCode::OK;
    };
    match crate::sync::postings::record_capture(ctx, &capture).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn cin7_webhook(
    State(state): State<WebhookState>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if let Some(token) = &state.cin7_token {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .trim_start_matches("Bearer ")
            .to_owned();
        if !bool::from(given.as_bytes().ct_eq(token.expose_secret().as_bytes())) {
            reject(
                &state.ctx,
                "webhook:cin7",
                "A Cin7 webhook arrived without Concord's bearer token.",
            )
            .await;
            return StatusCode::UNAUTHORIZED;
        }
    }
    let ctx = &state.ctx;
    match kind.as_str() {
        "stock" => {
            // Coalesced: every stock webhook of one 20-second slot joins one snapshot taken when
            // the slot ends, so a burst costs one call and none is dropped (a webhook after the
            // snapshot falls in the next slot). A sync still waiting to start covers this change
            // too, so none is added behind it.
            let slot = (ctx.clock.elapsed_s() / COALESCE_S).floor();
            let run_at = ctx.clock.at((slot + 1.0) * COALESCE_S);
            enqueue_keyed(
                ctx,
                STOCK_SYNC,
                &format!("stock.sync:webhook:{slot}"),
                6,
                Some(run_at),
                Some(concord_store::Coalesce::WhileQueued),
            )
            .await;
        }
        "customer" => match cin7::parse_customer_updated(&body) {
            Ok(customers) => {
                for c in customers {
                    ctx.remember_cin7_customer(c).await;
                }
                let _ = enqueue_drafts_on_hold(ctx).await;
            }
            Err(e) => {
                let _ = exceptions::raise(
                    &ctx.store,
                    &ctx.rules,
                    ExceptionKind::InvalidPayload,
                    "webhook:cin7",
                    "customer",
                    format!("A Customer/Updated body could not be read: {e}"),
                )
                .await;
            }
        },
        _ => {}
    }
    StatusCode::OK
}

async fn reject(ctx: &Context, subject: &str, explanation: &str) {
    if let Err(e) = exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::WebhookRejected,
        subject,
        "signature",
        explanation.to_owned(),
    )
    .await
    {
        tracing::error!(error = %e, "Could not raise webhook_rejected.");
    }
}

/// Drafts whose financial entity may have left credit hold get a sync (which authorises them if so).
async fn enqueue_drafts_on_hold(ctx: &Context) -> Result<(), FlowError> {
    let stamp = format!("hold:{:.0}", ctx.clock.elapsed_s());
    for rec in record::in_states(&ctx.store, &[record::OrderState::Draft]).await? {
        if rec.waits_on_credit_hold()
            && crate::sync::customers::hold_may_be_lifted(ctx, rec.customer_id.as_deref()).await
        {
            intake::enqueue_order(&ctx.store, rec.order_id, &stamp).await?;
        }
    }
    Ok(())
}

/// Polling fallback for credit holds: refresh Cin7 customers (one call) and wake the drafts.
pub async fn refresh_customers(ctx: &Context) -> Result<(), FlowError> {
    ctx.refresh_cin7_customers().await?;
    enqueue_drafts_on_hold(ctx).await
}

/// Enqueued by the schedule while drafts wait on a credit hold.
pub async fn schedule_customer_refresh(ctx: &Context) {
    let slot = (ctx.clock.elapsed_s() / ctx.schedule.credit_hold_poll_s.max(1.0)).floor() as i64;
    enqueue_keyed(
        ctx,
        CUSTOMERS_REFRESH,
        &format!("customers.refresh:{slot}"),
        3,
        None,
        None,
    )
    .await;
}
