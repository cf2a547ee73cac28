//! Records rendered flat write the same bytes as the `Value` renderer they replaced, over the
//! shapes an order can take (tax detail per line or totals only, split taxes, promotions, manual
//! discounts, labels in another language, a free-form line) and every catalogue record a list
//! page carries.

use super::{legacy_catalog as old_catalog, legacy_orders as old_orders, scenario, Harness};
use crate::oro::render::{self, record::Rec};
use crate::oro::state::{DiscountRec, State};
use rust_decimal_macros::dec;
use serde_json::Value;

fn bytes(rec: impl Into<Rec>) -> String {
    serde_json::to_string(&rec.into()).unwrap()
}

fn same(new: impl Into<Rec>, old: Option<Value>) {
    let old = old.unwrap().to_string();
    assert_eq!(bytes(new), old);
}

/// Every order, line, subtotal row, product, precision, level and price of `st`.
fn check_all(st: &State) {
    let mut checked = 0;
    for (id, o) in &st.orders {
        same(
            render::order_record(st, o).unwrap(),
            old_orders::order(st, *id),
        );
        for l in &o.lines {
            same(
                render::line_item_record(st, l.id).unwrap(),
                old_orders::line_item(st, l.id),
            );
        }
        let rows = render::subtotal_records(st, *id);
        assert_eq!(rows.len(), old_orders::subtotals(st, *id).len());
        for row in rows {
            let old = old_orders::subtotal(st, &row.id);
            same(row, old);
        }
        checked += 1;
    }
    for (id, p) in &st.products {
        same(render::product_record(p), old_catalog::product(st, *id));
        for u in &p.precisions {
            same(
                render::precision_record(st, *u).unwrap(),
                old_catalog::precision(st, *u),
            );
        }
    }
    for (id, l) in &st.levels {
        same(render::level_record(l), old_catalog::level(st, *id));
    }
    for p in &st.prices {
        same(render::price_record(p), Some(old_catalog::price_record(p)));
    }
    assert!(checked >= 3 && !st.levels.is_empty() && !st.prices.is_empty());
}

/// Gives the first order two manual discounts (one without a description) and the second a
/// line whose SKU is not in the catalogue.
fn vary_orders(st: &mut State) {
    let mut ids = st.orders.keys().copied();
    let (Some(first), Some(second)) = (ids.next(), ids.next()) else {
        panic!("the test scenario has orders");
    };
    if let Some(o) = st.orders.get_mut(&first) {
        o.discounts.push(DiscountRec {
            id: 71,
            description: "Loyalty".into(),
            amount: dec!(5.5),
        });
        o.discounts.push(DiscountRec {
            id: 72,
            description: String::new(),
            amount: dec!(1),
        });
        o.shipping_amount = None;
    }
    if let Some(line) = st.orders.get_mut(&second).and_then(|o| o.lines.first_mut()) {
        line.sku = "NOT-IN-CATALOGUE".into();
        line.quantity = dec!(2.5);
    }
}

#[tokio::test]
async fn flat_records_write_the_bytes_the_value_renderer_wrote() {
    for tax_detail in ["per_line", "total_only"] {
        let h = Harness::start(&scenario(tax_detail, 3600, false)).await;
        h.emu.shared.with(|st, _| {
            check_all(st);
            vary_orders(st);
            for (locale, split_tax, promotions) in
                [("en", true, false), ("de", false, true), ("fr", true, true)]
            {
                st.subtotals.locale = locale.into();
                st.subtotals.split_tax = split_tax;
                st.subtotals.promotions = promotions;
                check_all(st);
            }
        });
    }
}
