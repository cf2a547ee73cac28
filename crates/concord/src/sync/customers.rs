//! Financial entities: the Cin7 customer an Oro order is billed to. Matched before ever creating
//! (stored link, then the Oro id kept in an additional attribute, then exact name); a new one is
//! created on credit hold with the proforma term and raises `customer_pending_approval`.

use super::context::{Context, FlowError};
use super::exceptions;
use super::orders::mapping::hierarchy_path;
use crate::connectors::cin7::Cin7Error;
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
    if let Some(found) = find_existing(ctx, &customers, entity, &name).await? {
        return Ok(found);
    }
    if ctx.store.link_get("customer", &oro_id).await?.is_some() {
        // Linked before but missing from the list: the list is stale, not the customer gone.
        let fresh = ctx.refresh_cin7_customers().await?;
        if let Some(found) = find_existing(ctx, &fresh, entity, &name).await? {
            return Ok(found);
        }
    }
    if !claim_creation(ctx, &oro_id).await? {
        // Another Concord process on this database is creating it: read Cin7 again shortly.
        ctx.forget_cin7_customers().await?;
        return Err(FlowError::Busy(format!(
            "Cin7 customer for Oro customer {oro_id} is being created by another process"
        )));
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
        account_receivable: template
            .account_receivable
            .clone()
            .unwrap_or_else(|| DEFAULT_ACCOUNT_RECEIVABLE.into()),
        revenue_account: template
            .revenue_account
            .clone()
            .unwrap_or_else(|| DEFAULT_REVENUE_ACCOUNT.into()),
        oro_id: oro_id.clone(),
        hierarchy_path: hierarchy_path(entity, &parents, &names),
    };
    let subject = format!("customer:{entity}");
    // Kept before the post: if its answer is lost, the customer found on the next attempt is
    // known to be Concord's new one, and finance still hears of it.
    ctx.store
        .record_put(CREATION_KIND, &oro_id, CREATING, &json!({ "name": name }))
        .await?;
    let created = match ctx.cin7.create_customer(&new, &subject).await {
        Ok(created) => created,
        Err(e) => {
            if matches!(
                e,
                Cin7Error::Permanent { .. }
                    | Cin7Error::RateLimited { .. }
                    | Cin7Error::CircuitOpen { .. }
            ) {
                // Refused or never sent: a customer found later by its name is not Concord's.
                ctx.store
                    .record_put(CREATION_KIND, &oro_id, "not_created", &json!({}))
                    .await?;
            }
            // The create may have landed (a lost response): the next attempt must read Cin7's
            // customers afresh and find it by the Oro id, never create a second one.
            ctx.forget_cin7_customers().await?;
            return Err(e.into());
        }
    };
    ctx.remember_cin7_customer(created.clone()).await;
    adopt(ctx, entity, &created).await?;
    Ok(created)
}

/// Cin7's default chart of accounts: its receivables control account and its sales account.
const DEFAULT_ACCOUNT_RECEIVABLE: &str = "610";
const DEFAULT_REVENUE_ACCOUNT: &str = "200";

/// The record kind of a creation in progress, keyed by Oro customer id.
const CREATION_KIND: &str = "customer_create";
const CREATING: &str = "creating";

async fn find_existing(
    ctx: &Context,
    customers: &[ErpCustomer],
    entity: i64,
    name: &str,
) -> Result<Option<ErpCustomer>, FlowError> {
    let oro_id = entity.to_string();
    if let Some(link) = ctx.store.link_get("customer", &oro_id).await? {
        if let Some(c) = customers
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(&link.cin7_id))
        {
            return Ok(Some(c.clone()));
        }
    }
    let by_attr = customers
        .iter()
        .find(|c| c.oro_id.as_deref() == Some(oro_id.as_str()));
    let by_name = || customers.iter().find(|c| c.name == name);
    let Some(found) = by_attr.or_else(by_name) else {
        return Ok(None);
    };
    adopt(ctx, entity, found).await?;
    Ok(Some(found.clone()))
}

/// Links the Oro customer to `customer`. When Concord created it (this attempt, or an earlier one
/// whose answer was lost or whose process died), finance is told first: the link is written last,
/// so a failure before it leaves the next attempt to find the customer and tell them again
/// (raising is idempotent) rather than never.
async fn adopt(ctx: &Context, entity: i64, customer: &ErpCustomer) -> Result<(), FlowError> {
    let oro_id = entity.to_string();
    let creation = ctx.store.record_get(CREATION_KIND, &oro_id).await?;
    if creation.as_ref().is_some_and(|r| r.status == CREATING) {
        let payment_term = ctx
            .rules
            .new_customer
            .as_ref()
            .map(|t| t.payment_term.clone())
            .unwrap_or_default();
        let explanation = format!(
            "Concord created the Cin7 customer {:?} for Oro customer {entity} on credit hold with payment term {payment_term:?}. Its orders wait as drafts until finance lifts the hold.",
            customer.name
        );
        exceptions::raise(
            &ctx.store,
            &ctx.rules,
            ExceptionKind::CustomerPendingApproval,
            &format!("customer:{entity}"),
            "created",
            explanation,
        )
        .await?;
        ctx.store
            .record_put(
                CREATION_KIND,
                &oro_id,
                "created",
                &json!({ "id": customer.id }),
            )
            .await?;
    }
    ctx.store
        .link_put(
            "customer",
            &oro_id,
            &customer.id,
            &json!({"name": customer.name}),
        )
        .await?;
    Ok(())
}

/// Claims the creation of one financial entity across every process sharing the store, with a
/// store lease that is never given back: it lapses after ten minutes of clock time, so a process
/// that died mid-create does not block the customer for ever (the retry first reads Cin7 and finds
/// what was created), while this process's own retries renew it.
async fn claim_creation(ctx: &Context, oro_id: &str) -> Result<bool, FlowError> {
    let lease = format!("customer.create:{oro_id}");
    let ttl = std::time::Duration::from_secs(600);
    Ok(ctx.store.lease_acquire(&lease, &ctx.instance, ttl).await?)
}

/// Whether a draft waiting on its customer's credit hold is worth another sync: the cached Cin7
/// customers (kept current by webhooks or the credit-hold poll) say the hold is gone. Unknown
/// (nothing cached yet, or no customer on the record) counts as yes, so no draft is forgotten.
pub async fn hold_may_be_lifted(ctx: &Context, customer_id: Option<&str>) -> bool {
    // Another process may have learnt of the lift: its webhook, our draft.
    if let Err(e) = ctx.follow_shared_cin7_customers().await {
        tracing::warn!(error = %e, "Could not read the shared Cin7 customers.");
    }
    let cache = ctx.cache.read().await;
    let (Some(id), Some(customers)) = (customer_id, cache.cin7_customers.as_ref()) else {
        return true;
    };
    customers
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .is_none_or(|c| !c.on_credit_hold)
}

/// A Cin7 customer by id: from the cache (loaded once, shared), re-read only if it is missing.
pub async fn by_id(ctx: &Context, id: &str) -> Result<ErpCustomer, FlowError> {
    let found = ctx
        .cin7_customers()
        .await?
        .into_iter()
        .find(|c| c.id.eq_ignore_ascii_case(id));
    if let Some(c) = found {
        return Ok(c);
    }
    ctx.refresh_cin7_customers()
        .await?
        .into_iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| FlowError::Data(format!("Cin7 customer {id} has disappeared")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{build_context, Connections};
    use crate::config::{Rules, Schedule};
    use crate::connectors::cin7::Cin7Settings;
    use crate::connectors::oro::OroSettings;
    use crate::domain::OroCustomer;
    use concord_core::scenario::NewCustomer;
    use secrecy::SecretString;
    use std::time::Duration;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    async fn context(server: &MockServer, dir: &tempfile::TempDir) -> Context {
        let store = concord_store::Store::connect(
            &format!("sqlite://{}", dir.path().join("c.db").display()),
            concord_core::Clock::real(),
        )
        .await
        .unwrap();
        let connections = Connections {
            oro: OroSettings {
                base_url: server.uri(),
                client_id: "i".into(),
                client_secret: SecretString::from("s"),
                timeout: Duration::from_secs(5),
            },
            cin7: Cin7Settings {
                base_url: server.uri(),
                account_id: "a".into(),
                application_key: SecretString::from("k"),
                timeout: Duration::from_secs(5),
            },
            cin7_calls_per_minute: 55,
        };
        let rules = Rules {
            new_customer: Some(NewCustomer {
                payment_term: "Proforma".into(),
                on_credit_hold: true,
                price_tier: None,
                tax_rule: None,
                currency: Some("GBP".into()),
                account_receivable: None,
                revenue_account: None,
            }),
            ..Rules::default()
        };
        let ctx = build_context(store, connections, rules, Schedule::default()).unwrap();
        ctx.cache.write().await.oro_customers.insert(
            5,
            OroCustomer {
                id: 5,
                name: "Bluebell Gifts".into(),
                parent: None,
                tax_code: None,
            },
        );
        ctx
    }

    fn customer_list(with_bluebell: bool) -> serde_json::Value {
        let mut list =
            vec![serde_json::json!({"ID": "n1", "Name": "Northwind", "Currency": "GBP"})];
        if with_bluebell {
            list.push(serde_json::json!({"ID": "B1", "Name": "Bluebell Gifts", "Currency": "GBP", "IsOnCreditHold": true, "AdditionalAttribute1": "5"}));
        }
        serde_json::json!({"Total": list.len(), "Page": 1, "CustomerList": list})
    }

    #[tokio::test]
    async fn a_lost_create_response_is_followed_by_a_lookup_not_a_second_customer() {
        // Arrange: Cin7 knows no Bluebell, commits the create but loses the answer, then lists it.
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/customer"))
            .respond_with(ResponseTemplate::new(200).set_body_json(customer_list(false)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/customer"))
            .respond_with(ResponseTemplate::new(504))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/customer"))
            .respond_with(ResponseTemplate::new(200).set_body_json(customer_list(true)))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(&server, &dir).await;
        // Act
        let first = ensure_customer(&ctx, 5).await;
        let second = ensure_customer(&ctx, 5).await.unwrap();
        // Assert: one POST only (wiremock verifies `expect(1)` on drop), and the found customer.
        assert!(matches!(
            first,
            Err(FlowError::Cin7(
                crate::connectors::cin7::Cin7Error::Ambiguous(_)
            ))
        ));
        assert_eq!(second.id, "B1");
        assert_eq!(
            ctx.store
                .link_get("customer", "5")
                .await
                .unwrap()
                .unwrap()
                .cin7_id,
            "B1"
        );
        // Finance hears of the new customer although the create's answer never came.
        let raised = ctx
            .store
            .exceptions(&concord_store::ExceptionFilter::default())
            .await
            .unwrap();
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].kind, ExceptionKind::CustomerPendingApproval);
        assert_eq!(raised[0].subject, "customer:5");
    }

    #[tokio::test]
    async fn a_new_financial_entity_is_created_on_hold_once_and_raises_pending_approval() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/customer"))
            .respond_with(ResponseTemplate::new(200).set_body_json(customer_list(false)))
            .expect(1)
            .mount(&server)
            .await;
        let created = serde_json::json!({"CustomerList": [{"ID": "B2", "Name": "Bluebell Gifts", "Currency": "GBP", "IsOnCreditHold": true, "AdditionalAttribute1": "5"}]});
        // Cin7 requires the accounts and status on a create (reference §5.4).
        let required = serde_json::json!({"Status": "Active", "Currency": "GBP", "PaymentTerm": "Proforma",
                                          "AccountReceivable": "610", "RevenueAccount": "200"});
        Mock::given(method("POST"))
            .and(path("/customer"))
            .and(wiremock::matchers::body_partial_json(required))
            .respond_with(ResponseTemplate::new(200).set_body_json(created))
            .expect(1)
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(&server, &dir).await;
        let a = ensure_customer(&ctx, 5).await.unwrap();
        let b = ensure_customer(&ctx, 5).await.unwrap();
        assert_eq!((a.id.as_str(), b.id.as_str()), ("B2", "B2"));
        assert!(a.on_credit_hold);
        let raised = ctx
            .store
            .exceptions(&concord_store::ExceptionFilter::default())
            .await
            .unwrap();
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].subject, "customer:5");
        assert_eq!(raised[0].kind, ExceptionKind::CustomerPendingApproval);
    }

    #[tokio::test]
    async fn a_draft_is_woken_only_when_its_customer_may_be_off_hold() {
        let (server, dir) = (MockServer::start().await, tempfile::tempdir().unwrap());
        let ctx = context(&server, &dir).await;
        let erp = |id: &str, on_credit_hold: bool| ErpCustomer {
            id: id.into(),
            name: id.into(),
            currency: "GBP".into(),
            on_credit_hold,
            payment_term: None,
            tax_rule: None,
            oro_id: None,
        };
        // Nothing known yet: wake it rather than forget it.
        assert!(hold_may_be_lifted(&ctx, Some("B1")).await);
        ctx.cache.write().await.cin7_customers = Some(vec![erp("B1", true), erp("N1", false)]);
        assert!(!hold_may_be_lifted(&ctx, Some("b1")).await);
        assert!(hold_may_be_lifted(&ctx, Some("N1")).await);
        assert!(hold_may_be_lifted(&ctx, Some("gone")).await);
        assert!(hold_may_be_lifted(&ctx, None).await);
    }
}
