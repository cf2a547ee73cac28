//! The Cin7 books new customers, prices and postings name (the new-customer payment term, the
//! mapped price tiers, the payment and customer accounts), and Concord's Cin7 webhooks.

use super::cin7_refs::{named_in, unreadable};
use super::Check;
use crate::config::Config;
use crate::domain::{BookEntry, WebhookSubscription};
use crate::sync::context::Context;

const AREA: &str = "cin7";

pub async fn run(ctx: &Context, config: &Config) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.extend(payment_term(ctx).await);
    checks.extend(price_tiers(ctx).await);
    checks.extend(accounts(ctx).await);
    checks.extend(webhooks(ctx, config).await);
    checks
}

async fn payment_term(ctx: &Context) -> Vec<Check> {
    let Some(new) = ctx.rules.new_customer.as_ref() else {
        return vec![Check::warn(
            AREA,
            "new customers",
            "rules.new_customer is not set: an order from an account Cin7 does not know yet is held",
            "set [rules.new_customer] if Concord should create Cin7 customers",
        )];
    };
    match super::read_patiently(|| ctx.cin7.payment_terms()).await {
        Ok(book) => vec![named_in(
            AREA,
            "payment term",
            &new.payment_term,
            &book,
            "create the payment term in Cin7 (Settings > Reference books > Payment terms), or \
             correct rules.new_customer.payment_term",
        )],
        Err(e) => vec![unreadable("payment terms", "/ref/paymentterm", &e)],
    }
}

/// Tiers the price mapping writes and new customers are given.
fn named_tiers(ctx: &Context) -> Vec<String> {
    let mapped = ctx.rules.price_tiers.iter().map(|m| m.tier.clone());
    let new = ctx
        .rules
        .new_customer
        .as_ref()
        .and_then(|n| n.price_tier.clone());
    let mut names: Vec<String> = Vec::new();
    for name in mapped.chain(new) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

async fn price_tiers(ctx: &Context) -> Vec<Check> {
    let names = named_tiers(ctx);
    if names.is_empty() {
        return Vec::new();
    }
    let book = match super::read_patiently(|| ctx.cin7.price_tier_names()).await {
        Ok(book) => book,
        Err(e) => return vec![unreadable("price tiers", "/ref/priceTier", &e)],
    };
    let fix = "rename one of Cin7's ten price tiers to it (Settings > General > Price tiers), or \
               correct rules.price_tiers / rules.new_customer.price_tier";
    names
        .iter()
        .map(|name| named_in(AREA, "price tier", name, &book, fix))
        .collect()
}

/// Accounts Concord names: the payment account of postings and a new customer's two accounts.
fn named_accounts(ctx: &Context) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(p) = ctx.rules.postings.as_ref() {
        if let Some(a) = &p.payment_account {
            out.push(("payment account", a.clone()));
        }
    }
    if let Some(n) = ctx.rules.new_customer.as_ref() {
        if let Some(a) = &n.account_receivable {
            out.push(("receivable account", a.clone()));
        }
        if let Some(a) = &n.revenue_account {
            out.push(("revenue account", a.clone()));
        }
    }
    out
}

async fn accounts(ctx: &Context) -> Vec<Check> {
    let mut checks = Vec::new();
    if ctx
        .rules
        .postings
        .as_ref()
        .is_some_and(|p| p.payment_account.is_none())
    {
        checks.push(Check::warn(
            AREA,
            "payment account",
            "rules.postings.payment_account is not set: Cin7 refuses a payment without an account",
            "set rules.postings.payment_account to the bank account code payments land on",
        ));
    }
    let named = named_accounts(ctx);
    if named.is_empty() {
        return checks;
    }
    let book: Option<Vec<BookEntry>> = match super::read_patiently(|| ctx.cin7.accounts()).await {
        Ok(book) => book,
        Err(e) => {
            checks.push(unreadable("accounts", "/ref/account", &e));
            return checks;
        }
    };
    let fix = "use the code of an active account in Cin7's chart of accounts (Accounts > Chart of accounts)";
    for (what, code) in named {
        checks.push(match &book {
            Some(book) => named_in(AREA, what, &code, book, fix),
            None => Check::warn(
                AREA,
                format!("{what} \"{code}\""),
                "cannot be verified: this Cin7 does not serve the chart of accounts (/ref/account)",
                "check the code by hand in Cin7 (Accounts > Chart of accounts)",
            ),
        });
    }
    checks
}

async fn webhooks(ctx: &Context, config: &Config) -> Vec<Check> {
    if config.cin7.webhook_token.is_none() {
        return vec![Check::warn(
            AREA,
            "webhooks",
            "no cin7.webhook_token configured: stock, credit holds and shipments are found by polling",
            "set cin7.webhook_url and cin7.webhook_token for faster updates (needs Cin7's Automation module)",
        )];
    }
    let listed = match super::read_patiently(|| ctx.cin7.webhooks()).await {
        Ok(listed) => listed,
        Err(e) => return vec![unreadable("webhooks", "/webhooks", &e)],
    };
    let base = crate::app::webhook_base_url(config);
    crate::app::cin7_webhooks_wanted(&base)
        .iter()
        .map(|(topic, url)| subscription(&listed, topic, url))
        .collect()
}

/// Shared with Oro's check: an active subscription is `OK`, a deactivated one `FAIL` (deliveries
/// stopped), none yet a `WARN` (Concord subscribes when it starts).
pub(super) fn subscription(listed: &[WebhookSubscription], topic: &str, url: &str) -> Check {
    let area = if topic.contains('/') { AREA } else { "oro" };
    let label = format!("webhook {topic}");
    let ours: Vec<&WebhookSubscription> = listed
        .iter()
        .filter(|w| w.topic.eq_ignore_ascii_case(topic) && w.url == url)
        .collect();
    if ours.iter().any(|w| w.active) {
        return Check::ok(
            area,
            label,
            format!("subscribed and active, delivering to {url}"),
        );
    }
    if !ours.is_empty() {
        return Check::fail(
            area,
            label,
            format!("subscribed to {url} but deactivated: deliveries have stopped"),
            "make sure the system can reach that URL, then restart Concord (it subscribes again)",
        );
    }
    Check::warn(
        area,
        label,
        format!("no subscription delivers to {url} yet"),
        "Concord subscribes when `concord run` starts; if this stays after a start, see its log",
    )
}
