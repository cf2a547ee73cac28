//! The Cin7 references every sale names: its location, the shipping and discount service
//! products its additional charges are made of, and the tax rule of every line and charge. Cin7
//! refuses a sale naming any that is missing (reference §5.6, §16), so each one missing is a
//! `FAIL`: orders would be held or refused from the first one.

use super::Check;
use crate::connectors::budget::Priority;
use crate::domain::{BookEntry, ErpTaxRule};
use crate::sync::context::Context;

const AREA: &str = "cin7";

/// Where `name` stands in `book`: found and usable, found but retired, spelled differently, or
/// missing. `what` names the reference in the report, `fix` says how to add a missing one.
pub(super) fn named_in(
    area: &'static str,
    what: &str,
    name: &str,
    book: &[BookEntry],
    fix: &str,
) -> Check {
    let label = format!("{what} \"{name}\"");
    let exact = book.iter().find(|e| e.name == name);
    let loose = book
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name.trim()));
    match exact.or(loose) {
        Some(e) if !e.active => Check::fail(
            area,
            label,
            "exists but is inactive (deprecated or archived)",
            format!("reactivate it, or name an active one instead: {fix}"),
        ),
        Some(e) if e.name != name => Check::warn(
            area,
            label,
            format!("found as \"{}\"", e.name),
            "write it exactly as the system spells it, so no lookup depends on case",
        ),
        Some(_) => Check::ok(area, label, "exists and is active"),
        None => Check::fail(area, label, "does not exist", fix.to_owned()),
    }
}

pub async fn run(ctx: &Context) -> Vec<Check> {
    let mut checks = locations(ctx).await;
    checks.push(
        service_product(
            ctx,
            "shipping",
            shipping_name(ctx).as_str(),
            "rules.shipping_charge",
        )
        .await,
    );
    if let Some(name) = ctx.rules.discount_charge.clone() {
        checks.push(service_product(ctx, "discount", &name, "rules.discount_charge").await);
    }
    checks.extend(tax_rules(ctx).await);
    checks
}

/// Shipping is charged on `rules.shipping_charge`, or on "Freight" when that is not set.
fn shipping_name(ctx: &Context) -> String {
    ctx.rules
        .shipping_charge
        .clone()
        .unwrap_or_else(|| "Freight".to_owned())
}

/// The configured locations, or the one every sale falls back to when none is configured.
fn named_locations(ctx: &Context) -> Vec<String> {
    match ctx.rules.locations.as_ref().filter(|l| !l.is_empty()) {
        Some(list) => list.clone(),
        None => vec!["Main Warehouse".to_owned()],
    }
}

async fn locations(ctx: &Context) -> Vec<Check> {
    let book = match super::read_patiently(|| ctx.cin7.locations()).await {
        Ok(book) => book,
        Err(e) => return vec![unreadable("locations", "/ref/location", &e)],
    };
    let fix = "create the location in Cin7 (Settings > Reference books > Locations), or correct \
               rules.locations";
    named_locations(ctx)
        .iter()
        .map(|name| named_in(AREA, "location", name, &book, fix))
        .collect()
}

async fn service_product(ctx: &Context, role: &str, name: &str, key: &str) -> Check {
    let label = format!("{role} service product \"{name}\"");
    let found = match super::read_patiently(|| ctx.cin7.products_named(name)).await {
        Ok(found) => found,
        Err(e) => {
            return Check::fail(
                AREA,
                label,
                format!("cannot read /product: {e}"),
                "retry once Cin7 answers",
            )
        }
    };
    let fix = format!(
        "create a product of type Service named \"{name}\" in Cin7 (Inventory > Products), or set \
         {key} to the name of an existing service product"
    );
    match found.iter().find(|p| p.is_service) {
        Some(p) => Check::ok(
            AREA,
            label,
            format!("exists as a Service product (SKU {})", p.sku),
        ),
        None if !found.is_empty() => Check::fail(
            AREA,
            label,
            "exists but is a Stock product; Cin7 takes additional charges only on Service products",
            fix,
        ),
        None => Check::fail(AREA, label, "does not exist", fix),
    }
}

/// Every tax rule Concord may name: the tax map's and the new customers' rule, each once.
fn named_tax_rules(ctx: &Context) -> Vec<String> {
    let mapped = ctx.rules.tax_rule_map.iter().map(|m| m.tax_rule.clone());
    let new_customer = ctx
        .rules
        .new_customer
        .as_ref()
        .and_then(|n| n.tax_rule.clone());
    let mut names: Vec<String> = Vec::new();
    for name in mapped.chain(new_customer) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

async fn tax_rules(ctx: &Context) -> Vec<Check> {
    let names = named_tax_rules(ctx);
    if names.is_empty() {
        return vec![Check::ok(
            AREA,
            "tax rules",
            "none named: every line takes its Cin7 customer's tax rule",
        )];
    }
    let rules: Vec<ErpTaxRule> =
        match super::read_patiently(|| ctx.cin7.tax_rules(Priority::Bulk)).await {
            Ok(rules) => rules,
            Err(e) => return vec![unreadable("tax rules", "/ref/tax", &e)],
        };
    let book: Vec<BookEntry> = rules
        .iter()
        .map(|r| BookEntry {
            name: r.name.clone(),
            label: Some(format!("{}%", r.percent.normalize())),
            active: r.active,
        })
        .collect();
    let fix = "create the tax rule in Cin7 (Settings > Reference books > Taxation rules), or \
               change rules.tax_rule_map / rules.new_customer.tax_rule to an existing one";
    names
        .iter()
        .map(|name| named_in(AREA, "tax rule", name, &book, fix))
        .collect()
}

/// A book that could not be read: every reference in it is unverified, which is a failure.
pub(super) fn unreadable(what: &str, path: &str, error: &dyn std::fmt::Display) -> Check {
    Check::fail(
        AREA,
        what,
        format!("cannot read {path}: {error}"),
        "run doctor again once Cin7 answers; if it keeps failing, check the application's API permissions",
    )
}
