//! Closing the exceptions of an order whose cause was fixed at its source (a product created in
//! Cin7, a unit override or tax mapping added to config, a customer corrected): the re-validation
//! that lets the order flow also resolves what held it, with a note saying what fixed it.

use super::cause_keys::key_of_fingerprint;
use super::intake;
use super::record::{self, OrderRecord, OrderState};
use super::validate::Finding;
use crate::connectors::budget::Priority;
use crate::sync::context::{Context, FlowError};
use crate::sync::exceptions;
use concord_core::catalogue::ExceptionKind;
use concord_store::{ExceptionFilter, ExceptionStatus};

/// Kinds every validation evaluates afresh, so an open one not found again is fixed. Other hold
/// kinds are checked only when nothing before them holds the order: they close by kind, once the
/// order is no longer held for them.
const ALWAYS_EVALUATED: [ExceptionKind; 3] = [
    ExceptionKind::SkuUnknown,
    ExceptionKind::UnitUnmapped,
    ExceptionKind::CustomerUnmapped,
];

/// Resolves the order's open hold exceptions that this validation no longer finds.
pub async fn resolve_fixed(
    ctx: &Context,
    subject: &str,
    findings: &[Finding],
    held_before: &[String],
    held_now: &[String],
) -> Result<(), FlowError> {
    let current: Vec<String> = findings
        .iter()
        .map(|f| exceptions::fingerprint(f.kind, subject, &f.detail_key))
        .collect();
    let open = ctx
        .store
        .exceptions(&ExceptionFilter {
            subject: Some(subject.to_owned()),
            limit: 0,
            ..ExceptionFilter::default()
        })
        .await?;
    for e in open.iter().filter(|e| is_open(e.status)) {
        let kind = e.kind.as_str().to_owned();
        let gone = if ALWAYS_EVALUATED.contains(&e.kind) {
            !current.contains(&e.fingerprint)
        } else {
            held_before.contains(&kind) && !held_now.contains(&kind)
        };
        if !gone {
            continue;
        }
        let note = if held_now.contains(&kind) {
            "Superseded: the same problem is recorded again under its root-cause key.".to_owned()
        } else {
            fixed_note(
                key_of_fingerprint(&kind, &e.fingerprint).as_deref(),
                held_now,
            )
        };
        exceptions::resolve_one(&ctx.store, e.id, &note).await?;
    }
    Ok(())
}

/// Kinds a product created in Cin7 can fix.
const CATALOGUE_KINDS: [&str; 2] = ["sku_unknown", "unit_unmapped"];

/// Whether the order waits for the Cin7 catalogue to change.
pub fn waits_on_catalogue(rec: &OrderRecord) -> bool {
    rec.state == OrderState::Held
        && !rec.cancelled
        && rec
            .held_for
            .iter()
            .any(|k| CATALOGUE_KINDS.contains(&k.as_str()))
}

/// Reads the Cin7 catalogue again and, when it gained products, re-validates at once every order
/// held for a catalogue cause: a SKU created by hand in Cin7 releases its orders by itself.
pub async fn refresh_catalogue_and_release(ctx: &Context) -> Result<(), FlowError> {
    let before = ctx.catalogue().await?.products().count();
    let after = ctx
        .refresh_catalogue(Priority::Bulk)
        .await?
        .products()
        .count();
    if after <= before {
        return Ok(());
    }
    let held = record::in_states(&ctx.store, &[OrderState::Held]).await?;
    let key = format!("released:{}", ctx.clock.elapsed_s().floor());
    let mut released = 0;
    for rec in held.iter().filter(|r| waits_on_catalogue(r)) {
        intake::enqueue_order_at(
            &ctx.store,
            rec.order_id,
            &key,
            intake::REVALIDATE_PRIORITY + 6,
        )
        .await?;
        released += 1;
    }
    tracing::info!(
        new_products = after - before,
        released,
        "Cin7 has new products: held orders re-validate now."
    );
    Ok(())
}

fn is_open(status: ExceptionStatus) -> bool {
    matches!(
        status,
        ExceptionStatus::Open | ExceptionStatus::Acknowledged
    )
}

/// What fixed the cause, and what became of the order.
pub fn fixed_note(key: Option<&str>, held_now: &[String]) -> String {
    let fix = match key.and_then(|k| k.split_once(':')) {
        Some(("sku", sku)) => format!("Fixed at the source: Cin7 now has a product with SKU {sku}"),
        Some(("unit", rest)) => {
            let (sku, unit) = rest.rsplit_once(':').unwrap_or((rest, "?"));
            format!("Fixed at the source: the Oro unit {unit} of {sku} now maps to a Cin7 SKU (a pack product or a unit override)")
        }
        Some(("customer", id)) => {
            format!("Fixed at the source: Oro customer {id} now resolves to a financial entity")
        }
        Some(("tax", codes)) => {
            format!("Fixed at the source: a tax-rule mapping now covers the codes {codes}")
        }
        _ => "The cause was fixed".to_owned(),
    };
    if held_now.is_empty() {
        format!("{fix}; the order re-validated and went on to Cin7 with no operator action.")
    } else {
        format!(
            "{fix}; the order re-validated and is still held for {}.",
            held_now.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_the_fix_and_the_outcome() {
        let flowed = fixed_note(Some("sku:MUG-LTD"), &[]);
        assert!(
            flowed.contains("Cin7 now has a product with SKU MUG-LTD"),
            "{flowed}"
        );
        assert!(flowed.contains("no operator action"), "{flowed}");
        let held = fixed_note(Some("unit:TEE:pallet"), &["currency_mismatch".into()]);
        assert!(held.contains("unit pallet of TEE"), "{held}");
        assert!(held.contains("still held for currency_mismatch"), "{held}");
        assert_eq!(
            fixed_note(None, &[]),
            "The cause was fixed; the order re-validated and went on to Cin7 with no operator action."
        );
    }
}
