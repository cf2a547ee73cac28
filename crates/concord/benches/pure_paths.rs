//! Micro-benchmarks of Concord's pure hot paths, without criterion: order line mapping
//! (`map_unit`), tax allocation (`allocate_by_largest_remainder`), and the stock formula
//! (`available_by_base_sku` + `levels`) over 20,000 and 100,000 SKUs. Run with
//! `cargo bench -p concord --bench pure_paths`; each figure is the median of several timed rounds.

use concord::domain::{ErpProduct, OroProduct, Pack, StockRow, UnitPrecision};
use concord::sync::catalogue::Catalogue;
use concord::sync::inventory::formula::{available_by_base_sku, levels};
use concord::sync::orders::mapping::{allocate_by_largest_remainder, effective_price, map_unit};
use concord_core::scenario::StockBuffer;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;

/// Median wall time of `ROUNDS` runs of `f`.
fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}

fn product(sku: String, pack: Option<Pack>) -> ErpProduct {
    ErpProduct {
        id: sku.clone(),
        name: sku.clone(),
        sku,
        pack,
        price_tiers: Default::default(),
        is_service: false,
    }
}

/// `n` base SKUs, each with a case of 12 (every fifth with none), as Cin7 and Oro hold them.
fn world(n: usize) -> (Catalogue, Vec<OroProduct>, Vec<StockRow>) {
    let mut erp = Vec::with_capacity(n * 2);
    let mut oro = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n * 2);
    for i in 0..n {
        let sku = format!("SKU-{i:06}");
        let mut units = vec![UnitPrecision {
            unit: "each".into(),
            conversion_rate: Decimal::ONE,
            precision: 0,
        }];
        erp.push(product(sku.clone(), None));
        if i % 5 != 4 {
            let size = Decimal::from(12);
            erp.push(product(
                format!("{sku}-C12"),
                Some(Pack {
                    base_sku: sku.clone(),
                    size,
                }),
            ));
            units.push(UnitPrecision {
                unit: "case".into(),
                conversion_rate: size,
                precision: 0,
            });
        }
        for (loc, qty) in [
            ("Main Warehouse", 100 + i % 400),
            ("Trade Counter", i % 37),
            ("Quarantine", i % 3),
        ] {
            let q = Decimal::from(qty);
            rows.push(StockRow {
                sku: sku.clone(),
                location: loc.into(),
                on_hand: q,
                allocated: Decimal::ZERO,
                available: q,
            });
        }
        oro.push(OroProduct {
            id: i.to_string(),
            sku,
            inventory_status: None,
            units,
            tax_code: None,
        });
    }
    (Catalogue::new(erp), oro, rows)
}

fn stock_formula(n: usize) {
    let (cat, oro, rows) = world(n);
    let locations = vec!["Main Warehouse".to_owned(), "Trade Counter".to_owned()];
    let buffers = vec![
        StockBuffer {
            sku: "SKU-00*".into(),
            units: Decimal::from(5),
        },
        StockBuffer {
            sku: "SKU-000001".into(),
            units: Decimal::from(2),
        },
    ];
    let in_flight: HashMap<String, Decimal> = (0..n / 50)
        .map(|i| (format!("SKU-{:06}", i * 50), Decimal::from(6)))
        .collect();
    let t = median(|| {
        let available = available_by_base_sku(&rows, Some(&locations), &cat);
        black_box(levels(&oro, &available, &buffers, &in_flight, &cat));
    });
    println!(
        "stock formula, {n:>6} SKUs ({} rows): {:>8.1} ms",
        rows.len(),
        t.as_secs_f64() * 1e3
    );
}

fn mapping() {
    let (cat, oro, _) = world(20_000);
    let overrides = BTreeMap::new();
    let lines: Vec<(&OroProduct, &str)> = oro
        .iter()
        .step_by(7)
        .map(|p| (p, if p.units.len() > 1 { "case" } else { "each" }))
        .collect();
    let t = median(|| {
        for (p, unit) in &lines {
            let _ = black_box(map_unit(&cat, &p.sku, unit, &p.units, &overrides));
        }
    });
    println!(
        "map_unit: {:>8.0} ns per line ({} lines)",
        t.as_secs_f64() * 1e9 / lines.len() as f64,
        lines.len()
    );
    let tiers = [
        (Decimal::ONE, Decimal::new(950, 2)),
        (Decimal::from(100), Decimal::new(903, 2)),
    ];
    let t = median(|| {
        for q in 1..10_000u32 {
            black_box(effective_price(tiers, Decimal::from(q)));
        }
    });
    println!(
        "effective_price: {:>8.0} ns per line",
        t.as_secs_f64() * 1e9 / 9_999.0
    );
}

fn tax_allocation() {
    let orders: Vec<(Decimal, Vec<Decimal>)> = (0..10_000i64)
        .map(|i| {
            let weights: Vec<Decimal> = (0..1 + i % 6)
                .map(|k| Decimal::new(1_000 + (i * 37 + k * 101) % 90_000, 2))
                .collect();
            let total = weights.iter().copied().sum::<Decimal>() * Decimal::new(2, 1);
            (total, weights)
        })
        .collect();
    let t = median(|| {
        for (total, weights) in &orders {
            black_box(allocate_by_largest_remainder(*total, weights));
        }
    });
    println!(
        "allocate_by_largest_remainder: {:>8.0} ns per order (1-6 lines)",
        t.as_secs_f64() * 1e9 / orders.len() as f64
    );
}

fn main() {
    // `cargo test --benches` runs this with `--test`-style flags; stay quick then.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    mapping();
    tax_allocation();
    stock_formula(20_000);
    stock_formula(100_000);
}
