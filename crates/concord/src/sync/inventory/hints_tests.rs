//! Table-driven tests of the stock hints: how webhook rows lie over a snapshot.

use super::*;
use crate::domain::{ErpProduct, Pack};
use crate::sync::inventory::rows::StockRows;
use rust_decimal_macros::dec;

fn catalogue() -> Catalogue {
    let p = |sku: &str, pack: Option<Pack>| ErpProduct {
        id: sku.into(),
        sku: sku.into(),
        name: sku.into(),
        pack,
        price_tiers: Default::default(),
        is_service: false,
    };
    let c12 = Pack {
        base_sku: "TEE".into(),
        size: dec!(12),
    };
    Catalogue::new(vec![
        p("TEE", None),
        p("TEE-C12", Some(c12)),
        p("CAP", None),
    ])
}

fn row(sku: &str, loc: &str, available: Decimal) -> StockRow {
    StockRow {
        sku: sku.into(),
        location: loc.into(),
        on_hand: available,
        allocated: dec!(0),
        available,
    }
}

fn snapshot() -> StockRows {
    StockRows::new(vec![
        row("TEE", "Main", dec!(100)),
        row("TEE", "Back", dec!(10)),
        row("TEE-C12", "Main", dec!(2)),
        row("CAP", "Main", dec!(7)),
    ])
}

fn bases(list: &[&str]) -> HashSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_webhook_replaces_its_pairs_and_sums_their_bins() {
    let mut hints = StockHints::default();
    // Two bins of TEE at Main: 60 + 30 now, instead of the snapshot's 100.
    hints.record(
        50.0,
        &[row("TEE", "Main", dec!(60)), row("TEE", "Main", dec!(30))],
    );
    let got = hints.available_for(&snapshot(), None, &catalogue(), &bases(&["TEE"]));
    // 90 at Main, 10 at Back untouched, 2 cases of 12.
    assert_eq!(got.get("TEE"), Some(&dec!(124)));
    assert_eq!(got.get("CAP"), None, "only the bases asked for");
}

#[test]
fn a_pack_row_counts_toward_its_base_and_a_newer_body_wins() {
    let mut hints = StockHints::default();
    hints.record(50.0, &[row("TEE-C12", "Main", dec!(1))]);
    hints.record(60.0, &[row("TEE-C12", "Main", dec!(0))]);
    let pending = hints.take_pending();
    assert_eq!(touched_bases(&pending, &catalogue()), bases(&["TEE"]));
    let got = hints.available_for(&snapshot(), None, &catalogue(), &bases(&["TEE"]));
    assert_eq!(got.get("TEE"), Some(&dec!(110)));
}

#[test]
fn locations_outside_the_sellable_ones_stay_out_with_hints_too() {
    let mut hints = StockHints::default();
    hints.record(50.0, &[row("TEE", "Back", dec!(500))]);
    let main = vec!["Main".to_owned()];
    let got = hints.available_for(&snapshot(), Some(&main), &catalogue(), &bases(&["TEE"]));
    assert_eq!(got.get("TEE"), Some(&dec!(124)));
}

#[test]
fn a_new_pair_unknown_to_the_snapshot_is_added() {
    let mut hints = StockHints::default();
    hints.record(50.0, &[row("CAP", "Back", dec!(5))]);
    let got = hints.available_for(&snapshot(), None, &catalogue(), &bases(&["CAP"]));
    assert_eq!(got.get("CAP"), Some(&dec!(12)));
}

#[test]
fn a_snapshot_forgets_what_came_before_it_and_keeps_what_came_during_it() {
    let mut hints = StockHints::default();
    hints.record(10.0, &[row("TEE", "Main", dec!(1))]);
    hints.record_unreadable(12.0);
    hints.record(30.0, &[row("CAP", "Main", dec!(3))]);
    hints.forget_before(20.0);
    let pending = hints.take_pending();
    assert_eq!(pending.unreadable_at_s, None);
    assert_eq!(
        pending.pairs,
        HashSet::from([("CAP".to_owned(), "Main".to_owned())])
    );
    let got = hints.available_for(&snapshot(), None, &catalogue(), &bases(&["TEE", "CAP"]));
    assert_eq!(got.get("TEE"), Some(&dec!(134)), "the old TEE hint is gone");
    assert_eq!(got.get("CAP"), Some(&dec!(3)));
}

#[test]
fn taken_pairs_come_back_when_a_check_fails() {
    let mut hints = StockHints::default();
    hints.record(10.0, &[row("TEE", "Main", dec!(1))]);
    hints.record_unreadable(11.0);
    let pending = hints.take_pending();
    assert!(hints.take_pending().pairs.is_empty());
    hints.restore(pending.clone());
    hints.record(12.0, &[row("CAP", "Main", dec!(3))]);
    let again = hints.take_pending();
    assert_eq!(again.unreadable_at_s, Some(11.0));
    assert_eq!(again.pairs.len(), 2);
}

#[test]
fn rows_describe_the_stock_a_delivery_delay_before_their_earliest_arrival() {
    let mut hints = StockHints::default();
    hints.record(500.0, &[row("TEE", "Main", dec!(1))]);
    hints.record(450.0, &[row("TEE-C12", "Main", dec!(1))]);
    hints.record(700.0, &[row("CAP", "Main", dec!(1))]);
    let at = hints.described_at(&catalogue(), &bases(&["TEE"]));
    assert_eq!(at.get("TEE"), Some(&(450.0 - WEBHOOK_DELAY_S)));
    assert_eq!(at.get("CAP"), None, "only the bases asked for");
}
