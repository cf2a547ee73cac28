//! Financial entities: the Cin7 customer an Oro order is billed to. Matched before ever creating
//! (stored link, then the Oro id kept in an additional attribute, then exact name); a new one is
//! created on credit hold with the proforma term and raises `customer_pending_approval`.

use super::context::{Context, FlowError};
use super::exceptions;
use super::orders::mapping::hierarchy_path;
use crate::domain::{ErpCustomer, NewErpCustomer};
use concord_core::catalogue::ExceptionKind;
use serde_json::json;
use std::collections::HashMap;

/// Finds or creates the Cin7 customer for an Oro financial entity.
pub async fn ensure_customer(ctx: &Context, entity: i64) -> Result<ErpCustomer, FlowError> {
    let _guard = ctx.customer_lock.lock().await;
    let (name, parents, names) = {
        let cache = ctx.cache.read().await;
        let name = cache.oro_customers.get(&entity).map(|c| c.name.clone());
        let parents: HashMap<i64, Option<i64>> = cache
            .oro_customers
            .values()
            .map(|c| (c.id, c.parent))
            .collect();
        let names: HashMap<i64, String> = cache
            .oro_customers
            .values()
            .map(|c| (c.id, c.name.clone()))
            .collect();
        (name, parents, names)
    };
    let name = name.ok_or_else(|| FlowError::Data(format!("Oro customer {entity} is unknown")))?;
    let customers = ctx.cin7_customers().await?;
    let oro_id = entity.to_string();
    if let Some(found) = find_existing(ctx, &customers, &oro_id, &name).await? {
        return Ok(found);
    }
    if ctx.store.link_get("customer", &oro_id).await?.is_some() {
        // Linked before but missing from the list: the list is stale, not the customer gone.
        let fresh = ctx.refresh_cin7_customers().await?;
        if let Some(found) = find_existing(ctx, &fresh, &oro_id, &name).await? {
            return Ok(found);
        }
    }
    let Some(template) = ctx.rules.new_customer.clone() else {
        return Err(FlowError::Data(format!(
            "no Cin7 customer for {name:?} and rules.new_customer is not set"
        )));
    };
    let new = NewErpCustomer {
        name: name.clone(),
        currency: template.currency.clone().unwrap_or_else(|| "GBP".into()),
        payment_term: template.payment_term.clone(),
        on_credit_hold: template.on_credit_hold,
        price_tier: template.price_tier.clone(),
        tax_rule: template.tax_rule.clone(),
        oro_id: oro_id.clone(),
        hierarchy_path: hierarchy_path(entity, &parents, &names),
    };
    let subject = format!("customer:{entity}");
    let created = match ctx.cin7.create_customer(&new, &subject).await {
        Ok(created) => created,
        Err(e) => {
            // The create may have landed (a lost response): the next attempt must read Cin7's
            // customers afresh and find it by the Oro id, never create a second one.
            ctx.forget_cin7_customers().await?;
            return Err(e.into());
        }
    };
    ctx.store
        .link_put(
            "customer",
            &oro_id,
            &created.id,
            &json!({"name": created.name}),
        )
        .await?;
    ctx.remember_cin7_customer(created.clone()).await;
    let explanation = format!(
        "Concord created the Cin7 customer {:?} for Oro customer {entity} on credit hold with payment term {:?}. Its orders wait as drafts until finance lifts the hold.",
        created.name, new.payment_term
    );
    exceptions::raise(
        &ctx.store,
        &ctx.rules,
        ExceptionKind::CustomerPendingApproval,
        &subject,
        "created",
        explanation,
    )
    .await?;
    Ok(created)
}

async fn find_existing(
    ctx: &Context,
    customers: &[ErpCustomer],
    oro_id: &str,
    name: &str,
) -> Result<Option<ErpCustomer>, FlowError> {
    if let Some(link) = ctx.store.link_get("customer", oro_id).await? {
        if let Some(c) = customers
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(&link.cin7_id))
        {
            return Ok(Some(c.clone()));
        }
    }
    let by_attr = customers
        .iter()
        .find(|c| c.oro_id.as_deref() == Some(oro_id));
    let by_name = || customers.iter().find(|c| c.name == name);
    if let Some(found) = by_attr.or_else(by_name) {
        ctx.store
            .link_put("customer", oro_id, &found.id, &json!({"name": found.name}))
            .await?;
        return Ok(Some(found.clone()));
    }
    Ok(None)
}

/// The Cin7 customer with this id, from the cache.
pub async fn cached_by_id(ctx: &Context, id: &str) -> Option<ErpCustomer> {
    ctx.cache
        .read()
        .await
        .cin7_customers
        .as_ref()?
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .cloned()
}

/// A Cin7 customer by id: from the cache (loaded once, shared), re-read only if it is missing.
pub async fn by_id(ctx: &Context, id: &str) -> Result<ErpCustomer, FlowError> {
    let found = ctx.cin7_customers().await?.into_iter().find(|c| c.id.eq_ignore_ascii_case(id));
    if let Some(c) = found {
        return Ok(c);
    }
    ctx.refresh_cin7_customers()
        .await?
        .into_iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| FlowError::Data(format!("Cin7 customer {id} has disappeared")))
}
