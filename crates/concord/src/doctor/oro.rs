//! What Concord reads from Oro: the mapped price lists, every product's unit precisions (without
//! them no order line or stock level can be mapped), and the order webhooks (topics offered,
//! Concord's subscriptions enabled).

use super::cin7_books::subscription;
use super::Check;
use crate::config::Config;
use crate::domain::OroProduct;
use crate::sync::context::Context;

const AREA: &str = "oro";
/// Products named in a line; the rest are counted.
const SHOWN: usize = 5;

pub async fn run(ctx: &Context, config: &Config) -> Vec<Check> {
    let mut checks = price_lists(ctx).await;
    checks.push(unit_precisions(ctx).await);
    checks.extend(webhooks(ctx, config).await);
    checks
}

async fn price_lists(ctx: &Context) -> Vec<Check> {
    if ctx.rules.price_tiers.is_empty() {
        return Vec::new();
    }
    let book = match ctx.oro.price_lists().await {
        Ok(book) => book,
        Err(e) => return vec![unreadable("price lists", "/pricelists", &e)],
    };
    let fix =
        "correct rules.price_tiers: price_list is the Oro price list's id (Sales > Price Lists)";
    ctx.rules
        .price_tiers
        .iter()
        .map(|m| {
            let id = m.price_list.to_string();
            let mut check = super::cin7_refs::named_in(AREA, "price list", &id, &book, fix);
            if let Some(name) = book
                .iter()
                .find(|e| e.name == id)
                .and_then(|e| e.label.clone())
            {
                check.detail =
                    format!("{} ({name}, mirrored to tier \"{}\")", check.detail, m.tier);
            }
            check
        })
        .collect()
}

/// Products with no unit precision at all, by SKU.
fn without_units(products: &[OroProduct]) -> Vec<&str> {
    products
        .iter()
        .filter(|p| p.units.is_empty())
        .map(|p| p.sku.as_str())
        .collect()
}

async fn unit_precisions(ctx: &Context) -> Check {
    let products = match ctx.oro.products().await {
        Ok(products) => products,
        Err(e) => return unreadable("unit precisions", "/products", &e),
    };
    if products.is_empty() {
        return Check::warn(
            AREA,
            "unit precisions",
            "Oro lists no products: nothing to sell or to sync stock to",
            "check that the API user's organization owns the catalogue",
        );
    }
    let bare = without_units(&products);
    if bare.is_empty() {
        return Check::ok(
            AREA,
            "unit precisions",
            format!("all {} products have unit precisions", products.len()),
        );
    }
    let shown: Vec<&str> = bare.iter().take(SHOWN).copied().collect();
    let more = bare.len().saturating_sub(SHOWN);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Check::fail(
        AREA,
        "unit precisions",
        format!(
            "{} product(s) have none: {}{tail}",
            bare.len(),
            shown.join(", ")
        ),
        "give each product at least its primary unit (Products > Edit > Units of Quantity)",
    )
}

async fn webhooks(ctx: &Context, config: &Config) -> Vec<Check> {
    if config.oro.webhook_secret.is_none() {
        return vec![Check::warn(
            AREA,
            "webhooks",
            "no oro.webhook_secret configured: orders are found by polling, payments not at all",
            "set oro.webhook_url and oro.webhook_secret (Oro 6.1.10+) for orders within seconds",
        )];
    }
    let wanted = wanted_topics(ctx);
    let topics = match ctx.oro.webhook_topics().await {
        Ok(Some(topics)) => topics,
        Ok(None) => return vec![no_webhooks_module()],
        Err(e) => return vec![unreadable("webhook topics", "/webhooktopics", &e)],
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|t| !topics.iter().any(|x| x == t))
        .collect();
    if !missing.is_empty() {
        return vec![Check::fail(
            AREA,
            "order webhooks",
            format!("Oro offers no topic {}", missing.join(", ")),
            "make Order webhook accessible in Oro (System > Entities > Entity Management > Order), \
             then restart Concord",
        )];
    }
    let listed = match ctx.oro.webhooks().await {
        Ok(listed) => listed.unwrap_or_default(),
        Err(e) => return vec![unreadable("webhooks", "/webhooks", &e)],
    };
    let url = crate::app::oro_webhook_url(&crate::app::webhook_base_url(config));
    wanted
        .iter()
        .map(|topic| subscription(&listed, topic, &url))
        .collect()
}

/// Order topics always; the payment topic too when Concord posts payments.
fn wanted_topics(ctx: &Context) -> Vec<&'static str> {
    let mut topics = crate::app::ORO_ORDER_TOPICS.to_vec();
    if ctx.rules.postings.is_some() {
        topics.push(crate::engine::webhooks::PAYMENT_TOPIC);
    }
    topics
}

fn no_webhooks_module() -> Check {
    Check::fail(
        AREA,
        "order webhooks",
        "this Oro has no webhooks (they came with 6.1.10): orders are found by polling only",
        "upgrade Oro to 6.1.10+, or remove oro.webhook_secret to poll by design",
    )
}

fn unreadable(what: &str, path: &str, error: &dyn std::fmt::Display) -> Check {
    Check::fail(
        AREA,
        what,
        format!("cannot read {path}: {error}"),
        "check that the API user may view this resource (its role's ACL)",
    )
}
