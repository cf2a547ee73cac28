//! Webhook receivers. Oro's are HMAC-verified and deduplicated by `Webhook-Id`; Cin7 signs nothing,
//! so its deliveries carry a bearer token Concord chose when subscribing. A bad or missing signature
//! is refused and raises `webhook_rejected`; a good delivery only enqueues work and answers at once.
//! A receiver is mounted only with a strong secret: without one its path does not exist.

use super::dispatch::{CUSTOMERS_REFRESH, CUSTOMER_READ, SHIPMENT_SYNC, STOCK_WEBHOOK};
use super::schedule::{enqueue_keyed, enqueue_keyed_with};
use super::webhook_limits::{bearer_matches, RejectionLimiter, MAX_WEBHOOK_BYTES};
use crate::connectors::{cin7, oro};
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use crate::sync::orders::{intake, record};
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use concord_core::catalogue::ExceptionKind;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// Stock webhooks within this many clock seconds are looked at together (and share one
/// availability snapshot when they need one).
const COALESCE_S: f64 = 20.0;

#[derive(Clone)]
pub struct WebhookState {
    pub ctx: Context,
    pub oro_secret: Option<SecretString>,
    pub cin7_token: Option<SecretString>,
    oro_rejections: Arc<RejectionLimiter>,
    cin7_rejections: Arc<RejectionLimiter>,
}

impl WebhookState {
    pub fn new(
        ctx: Context,
        oro_secret: Option<SecretString>,
        cin7_token: Option<SecretString>,
    ) -> Self {
        WebhookState {
            ctx,
            oro_secret,
            cin7_token,
            oro_rejections: Arc::default(),
            cin7_rejections: Arc::default(),
        }
    }
}

/// A secret the receiver may trust; a weak one mounts nothing (the config refuses it at start).
fn strong(name: &str, secret: Option<&SecretString>) -> bool {
    let Some(secret) = secret else {
        return false;
    };
    let ok = crate::config::strong_webhook_secret(secret);
    if !ok {
        tracing::error!(
            receiver = name,
            "Webhook secret too weak; the receiver is not mounted."
        );
    }
    ok
}

pub fn router(state: WebhookState) -> Router {
    let mut router = Router::new();
    if strong("oro", state.oro_secret.as_ref()) {
        router = router.route("/webhooks/oro", post(oro_webhook));
    }
    if strong("cin7", state.cin7_token.as_ref()) {
        router = router.route("/webhooks/cin7/{kind}", post(cin7_webhook));
    }
    router
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
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
    let Some(secret) = &state.oro_secret else {
        return StatusCode::NOT_FOUND;
    };
    if !oro::verify_signature(
        secret.expose_secret().as_bytes(),
        &body,
        header("webhook-signature").as_deref(),
    ) {
        return reject(
            &state.ctx,
            &state.oro_rejections,
            "webhook:oro",
            "An Oro webhook arrived with a missing or wrong Webhook-Signature.",
        )
        .await;
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
    let Some(token) = &state.cin7_token else {
        return StatusCode::NOT_FOUND;
    };
    let given = headers.get("authorization").and_then(|v| v.to_str().ok());
    if !bearer_matches(given, token) {
        return reject(
            &state.ctx,
            &state.cin7_rejections,
            "webhook:cin7",
            "A Cin7 webhook arrived without Concord's bearer token.",
        )
        .await;
    }
    let ctx = &state.ctx;
    match kind.as_str() {
        "stock" => take_stock_webhook(ctx, &body).await,
        "shipment" => match cin7::parse_shipment_webhook(&body) {
            Ok(prompt) => enqueue_shipment(ctx, &prompt).await,
            Err(e) => {
                let _ = exceptions::raise(
                    &ctx.store,
                    &ctx.rules,
                    ExceptionKind::InvalidPayload,
                    "webhook:cin7",
                    "shipment",
                    format!("A Cin7 shipment webhook body could not be read: {e}"),
                )
                .await;
            }
        },
        // A prompt, never a fact: the documented body has no credit hold, and its content proves
        // nothing, so each named customer is read back from Cin7 (`GET /customer?ID=`).
        "customer" => match cin7::parse_customer_updated_ids(&body) {
            Ok(ids) => {
                for id in ids {
                    enqueue_customer_read(ctx, &id).await;
                }
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

/// One read of the sale per shipment: Cin7 sends `ShipmentAuthorised` and
/// `ShipmentTrackingNumberChanged` together, and both name the sale in a simple sale, so the job
/// is keyed by the id and the minute. A `SaleTaskID` may name a task instead (advanced sales): its
/// job waits longer, so the sale's own read lands first and the search finds nothing left to do.
async fn enqueue_shipment(ctx: &Context, prompt: &crate::domain::ShipmentPrompt) {
    let minute = (ctx.clock.elapsed_s() / 60.0).floor();
    let delay_s = if prompt.names_sale { 5.0 } else { 30.0 };
    let job = concord_store::NewJob {
        kind: SHIPMENT_SYNC.to_owned(),
        payload: serde_json::to_value(prompt).unwrap_or_default(),
        idempotency_key: format!("shipment.sync:{}:{minute}", prompt.id),
        priority: 7,
        run_at: Some(ctx.clock.at(ctx.clock.elapsed_s() + delay_s)),
        retry: concord_core::retry::RetryPolicy::DEFAULT,
    };
    if let Err(e) = ctx.store.enqueue(job).await {
        tracing::warn!(error = %e, "Could not enqueue a shipment sync.");
    }
}

/// Records a refusal (up to the limiter's budget) and answers it: 401, or 429 once a flood of
/// refusals has used the minute's budget, so forged deliveries cannot fill the store.
async fn reject(
    ctx: &Context,
    limiter: &RejectionLimiter,
    subject: &str,
    explanation: &str,
) -> StatusCode {
    if !limiter.admit() {
        tracing::debug!(
            subject,
            "Refused webhook not recorded: over the minute's limit."
        );
        return StatusCode::TOO_MANY_REQUESTS;
    }
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
    StatusCode::UNAUTHORIZED
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

/// Queues one read of a Cin7 customer a webhook named (every delivery its own read: a later
/// change must not be hidden behind an earlier read).
async fn enqueue_customer_read(ctx: &Context, id: &str) {
    let job = concord_store::NewJob {
        kind: CUSTOMER_READ.to_owned(),
        payload: serde_json::json!({ "id": id }),
        idempotency_key: format!("customer.read:{id}:{}", uuid::Uuid::new_v4()),
        priority: 11,
        run_at: None,
        retry: concord_core::retry::RetryPolicy::DEFAULT,
    };
    if let Err(e) = ctx.store.enqueue(job).await {
        tracing::warn!(error = %e, id, "Could not queue the read of a Cin7 customer.");
    }
}

/// Reads a Cin7 customer a webhook named and keeps what Cin7 answers; a customer Cin7 does not
/// know (a forged or stale id) changes nothing. Then wakes drafts whose hold may have lifted.
pub async fn read_customer(ctx: &Context, id: &str) -> Result<(), FlowError> {
    match ctx.cin7.customer(id).await? {
        Some(customer) => ctx.remember_cin7_customer(customer).await,
        None => tracing::info!(
            id,
            "A Customer/Updated webhook named a customer Cin7 does not know."
        ),
    }
    enqueue_drafts_on_hold(ctx).await
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

/// Notes a stock webhook's rows as hints and enqueues this process's look at them when the
/// 20-second slot ends: a burst costs one look, and a full snapshot only if the rows change a
/// level (`inventory::explained`). Keyed by process: only the process holding the hints can
/// explain them, so another that claims the job takes a full snapshot instead.
async fn take_stock_webhook(ctx: &Context, body: &[u8]) {
    let now_s = ctx.clock.elapsed_s();
    match cin7::parse_stock_changed(body) {
        Ok(rows) => {
            if let Ok(mut hints) = ctx.stock_hints.lock() {
                hints.record(now_s, &rows);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "A Cin7 stock webhook body could not be read; the next look takes a full snapshot.");
            if let Ok(mut hints) = ctx.stock_hints.lock() {
                hints.record_unreadable(now_s);
            }
        }
    }
    let slot = (now_s / COALESCE_S).floor();
    let run_at = ctx.clock.at((slot + 1.0) * COALESCE_S);
    let instance = &*ctx.instance;
    enqueue_keyed_with(
        ctx,
        STOCK_WEBHOOK,
        &format!("{STOCK_WEBHOOK}:{slot}:{instance}"),
        serde_json::json!({ "hinted_by": instance }),
        6,
        Some(run_at),
    )
    .await;
}
