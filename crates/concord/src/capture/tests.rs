//! The pure parts of a capture: the replay day's timing, orders as Oro stated them, pseudonyms,
//! and a whole snapshot built into a scenario the parser accepts.

use super::anonymise::Key;
use super::build;
use super::orders::{order, replay, LEAD_S};
use super::read::Snapshot;
use super::CaptureOptions;
use crate::config::Rules;
use crate::domain::*;
use chrono::{DateTime, Utc};
use rust_decimal_macros::dec;
use std::collections::HashSet;

fn placed(id: i64, at: &str, tax: Option<rust_decimal::Decimal>) -> PlacedOrder {
    PlacedOrder {
        order: OroOrder {
            id,
            identifier: format!("W-{id}"),
            po_number: None,
            customer_id: 2,
            currency: "GBP".into(),
            internal_status: Some("open".into()),
            status: None,
            shipping_status: None,
            updated_at: at.into(),
            total: dec!(18.00),
            shipping_amount: dec!(5.00),
            shipping_tax: Some(dec!(1.00)),
            tax_total: Some(dec!(3.00)),
            lines: vec![OroLine {
                id: "1".into(),
                sku: "TEE".into(),
                unit: "each".into(),
                quantity: dec!(2),
                price: dec!(5.00),
                tax,
            }],
            discounts: vec![],
        },
        created_at: at.into(),
        customer_user: Some(12),
    }
}

fn now() -> DateTime<Utc> {
    "2026-11-03T08:00:00Z".parse().unwrap()
}

fn customers() -> HashSet<i64> {
    HashSet::from([1, 2])
}

#[test]
fn orders_keep_their_time_of_day_after_a_lead_and_several_days_fit_in_one() {
    let mut notes = vec![];
    let one_day = [
        placed(2, "2026-11-02T10:30:00Z", Some(dec!(2))),
        placed(1, "2026-11-02T09:00:00Z", Some(dec!(2))),
    ];
    let r = replay(&one_day, &customers(), now(), "GBP", &mut notes);
    let at: Vec<f64> = r
        .events
        .iter()
        .map(|e| e["at_s"].as_f64().unwrap())
        .collect();
    assert_eq!(at, vec![LEAD_S, LEAD_S + 5400.0]);
    assert_eq!(r.events[0]["order"]["id"], 1);
    assert_eq!(r.start.to_rfc3339(), "2026-11-02T08:55:00+00:00");

    let three_days = [
        placed(1, "2026-11-01T00:00:00Z", Some(dec!(2))),
        placed(2, "2026-11-04T00:00:00Z", Some(dec!(2))),
    ];
    let r = replay(&three_days, &customers(), now(), "GBP", &mut notes);
    assert_eq!(r.last_at_s, LEAD_S + 86_400.0);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn orders_of_unknown_customers_or_without_lines_are_left_out_and_noted() {
    let mut stranger = placed(1, "2026-11-02T09:00:00Z", Some(dec!(2)));
    stranger.order.customer_id = 99;
    let mut empty = placed(2, "2026-11-02T09:00:00Z", Some(dec!(2)));
    empty.order.lines.clear();
    let mut notes = vec![];
    let r = replay(&[stranger, empty], &customers(), now(), "GBP", &mut notes);
    assert!(r.events.is_empty());
    assert_eq!(r.start, now() - chrono::Duration::seconds(LEAD_S as i64));
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("customer 99"), "{notes:?}");
}

#[test]
fn an_order_keeps_oros_figures_and_a_total_that_does_not_add_up() {
    let fine = order(&placed(1, "2026-11-02T09:00:00Z", Some(dec!(2.00))), "GBP");
    assert_eq!(fine.total, None);
    assert!(!fine.checkout);
    assert_eq!(fine.customer_user, Some(12));
    assert_eq!(
        fine.shipping.as_ref().map(|s| (s.amount, s.tax)),
        Some((dec!(5.00), dec!(1.00)))
    );

    let mut broken = placed(1, "2026-11-02T09:00:00Z", Some(dec!(2.00)));
    broken.order.total = dec!(30.00);
    assert_eq!(order(&broken, "GBP").total, Some(dec!(30.00)));
}

#[test]
fn without_per_line_tax_the_tax_total_less_shipping_is_spread_over_the_lines() {
    let mut two = placed(1, "2026-11-02T09:00:00Z", None);
    let mut second = two.order.lines[0].clone();
    second.price = dec!(15.00);
    two.order.lines.push(second);
    two.order.tax_total = Some(dec!(9.00));
    let taxes: Vec<_> = order(&two, "GBP").lines.iter().map(|l| l.tax).collect();
    assert_eq!(taxes, vec![dec!(2.00), dec!(6.00)]);
    let mut notes = vec![];
    assert!(!replay(&[two], &customers(), now(), "GBP", &mut notes).per_line_tax);
}

#[test]
fn pseudonyms_are_stable_per_key_and_kind_and_hide_the_original() {
    let key = Key::from_text("secret").unwrap();
    assert_eq!(key.name("Acme Ltd"), key.name("Acme Ltd"));
    assert_ne!(key.name("Acme Ltd"), key.name("Acme Limited"));
    assert_eq!(key.email("Buyer@Acme.test"), key.email("buyer@acme.test"));
    assert!(!key.email("buyer@acme.test").contains("acme"));
    let other = Key::from_text("other").unwrap();
    assert_ne!(key.name("Acme Ltd"), other.name("Acme Ltd"));
    assert!(Key::from_text("").is_err());
    assert_eq!(format!("{key:?}"), "Key(..)");
}

fn snapshot() -> Snapshot {
    let mut s = Snapshot::default();
    s.cin7.base_currency = Some("GBP".into());
    s.cin7.locations = vec![BookEntry {
        name: "Main".into(),
        label: None,
        active: true,
    }];
    s.cin7.payment_terms = vec![BookEntry {
        name: "30 days".into(),
        label: None,
        active: true,
    }];
    s.cin7.products = vec![ErpCatalogueProduct {
        product: ErpProduct {
            id: "p1".into(),
            sku: "TEE".into(),
            name: "Tee".into(),
            pack: None,
            price_tiers: [("Trade".to_owned(), dec!(5.00))].into_iter().collect(),
            is_service: false,
        },
        uom: None,
    }];
    s.cin7.availability = vec![StockRow {
        sku: "TEE".into(),
        location: "Main".into(),
        on_hand: dec!(40),
        allocated: dec!(4),
        available: dec!(36),
    }];
    s.cin7.customers = vec![ErpCustomerTerms {
        customer: ErpCustomer {
            id: "c1".into(),
            name: "Acme Group".into(),
            currency: "GBP".into(),
            on_credit_hold: true,
            payment_term: Some("Retired term".into()),
            tax_rule: None,
            oro_id: None,
        },
        price_tier: Some("Trade".into()),
        credit_limit: None,
    }];
    s.oro.customers = vec![
        OroCustomer {
            id: 1,
            name: "Acme Group".into(),
            parent: None,
            tax_code: None,
        },
        OroCustomer {
            id: 2,
            name: "Acme Leeds".into(),
            parent: Some(1),
            tax_code: None,
        },
    ];
    s.oro.customer_users = vec![OroCustomerUser {
        id: 12,
        customer_id: 2,
        email: "jo@acme.test".into(),
    }];
    s.oro.products = vec![NamedOroProduct {
        product: OroProduct {
            id: "7".into(),
            sku: "TEE".into(),
            inventory_status: Some("in_stock".into()),
            units: vec![UnitPrecision {
                unit: "each".into(),
                conversion_rate: dec!(1),
                precision: 0,
            }],
            tax_code: None,
        },
        name: "Tee".into(),
    }];
    s.oro.price_lists = vec![(
        BookEntry {
            name: "1".into(),
            label: Some("Trade".into()),
            active: true,
        },
        vec![OroPrice {
            product_id: "7".into(),
            unit: "each".into(),
            quantity: dec!(1),
            value: dec!(5.00),
            currency: "GBP".into(),
        }],
    )];
    s.oro.assignments = vec![(2, 1), (2, 9)];
    s.oro.orders = vec![placed(1, "2026-11-02T09:00:00Z", Some(dec!(2.00)))];
    s
}

#[test]
fn a_snapshot_becomes_a_scenario_the_demo_accepts_with_names_replaced_when_asked() {
    let opts = CaptureOptions {
        days: 1,
        anonymise: Some(Key::from_text("k").unwrap()),
    };
    let rules = Rules {
        price_tiers: vec![concord_core::scenario::PriceTierMapping {
            price_list: 3,
            tier: "Trade".into(),
        }],
        ..Rules::default()
    };
    let captured = build::scenario(&snapshot(), &rules, &opts, now());
    let doc = &captured.scenario;
    let parsed = concord_core::scenario::parse_scenario(&doc.to_string()).unwrap();

    assert_eq!(parsed.timeline.len(), 1);
    assert_eq!(parsed.cin7.customers[0].payment_term, "30 days");
    assert_eq!(parsed.cin7.availability[0].allocated, dec!(4));
    assert_eq!(parsed.oro.price_lists[0].prices[0].sku, "TEE");
    assert_eq!(
        parsed.oro.price_list_assignments.len(),
        1,
        "list 9 was not captured"
    );
    assert!(
        parsed.settings.price_tiers.is_empty(),
        "list 3 was not captured"
    );
    assert!(
        captured.notes.iter().any(|n| n.contains("price list 3")),
        "{:?}",
        captured.notes
    );
    // One pseudonym for the group in both systems; nobody's real name or e-mail remains.
    assert_eq!(parsed.cin7.customers[0].name, parsed.oro.customers[0].name);
    let text = doc.to_string();
    for original in ["Acme", "jo@acme.test"] {
        assert!(!text.contains(original), "{original} survived: {text}");
    }
    // No nulls, and no empty settings lists the checker would read as "uses this feature".
    assert!(!text.contains("null"), "{text}");
    assert!(doc["settings"].get("tax_rule_map").is_none());
}
