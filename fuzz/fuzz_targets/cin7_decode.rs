//! Cin7 decoders: the two webhook bodies (`Customer/Updated`, `Stock/AvailableStockLevelChanged`),
//! decoded with the connector's public entry points, and the stock rows carried on into the pure
//! stock formula exactly as an availability snapshot is (Available per base SKU, packs at their pack
//! size, buffers, then each Oro unit's level). The first byte picks the decoder.
//!
//! Properties: decoding never panics; the formula never panics on decoded rows and never promises a
//! negative level.
#![no_main]

use concord::connectors::cin7::{parse_customer_updated, parse_stock_changed};
use concord::domain::{ErpProduct, OroProduct, Pack, StockRow, UnitPrecision};
use concord::sync::catalogue::Catalogue;
use concord::sync::inventory::formula;
use concord_core::scenario::StockBuffer;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Every SKU in the rows is a base product; `<sku>-C12` is its case of 12, as in the scenarios.
fn catalogue_for(rows: &[StockRow]) -> (Catalogue, Vec<OroProduct>) {
    let mut products = Vec::new();
    let mut oro = Vec::new();
    let product = |sku: &str, pack: Option<Pack>| ErpProduct {
        id: format!("id-{sku}"),
        sku: sku.to_owned(),
        name: sku.to_owned(),
        pack,
        price_tiers: BTreeMap::new(),
        is_service: false,
    };
    for row in rows {
        if let Some(base) = row.sku.strip_suffix("-C12") {
            let pack = Pack {
                base_sku: base.to_owned(),
                size: Decimal::from(12),
            };
            products.push(product(&row.sku, Some(pack)));
            products.push(product(base, None));
        } else {
            products.push(product(&row.sku, None));
        }
    }
    for p in &products {
        if p.pack.is_none() {
            oro.push(OroProduct {
                id: p.id.clone(),
                sku: p.sku.clone(),
                inventory_status: None,
                units: vec![
                    UnitPrecision {
                        unit: "each".into(),
                        conversion_rate: Decimal::ONE,
                        precision: 0,
                    },
                    UnitPrecision {
                        unit: "case".into(),
                        conversion_rate: Decimal::from(12),
                        precision: 0,
                    },
                    UnitPrecision {
                        unit: "kg".into(),
                        conversion_rate: Decimal::new(25, 2),
                        precision: 3,
                    },
                ],
            });
        }
    }
    (Catalogue::new(products), oro)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        if let Ok(customers) = parse_customer_updated(body) {
            for c in customers {
                let _ = serde_json::to_string(&c);
            }
        }
        return;
    }
    let Ok(rows) = parse_stock_changed(body) else {
        return;
    };
    let (catalogue, oro) = catalogue_for(&rows);
    let buffers = vec![StockBuffer {
        sku: "HOOD-*".into(),
        units: Decimal::from(12),
    }];
    let locations = vec!["Main Warehouse".to_owned(), "Bristol Store".to_owned()];
    for locs in [None, Some(locations.as_slice())] {
        let available = formula::available_by_base_sku(&rows, locs, &catalogue);
        let levels = formula::levels(&oro, &available, &buffers, &HashMap::new(), &catalogue);
        for ((sku, unit), level) in &levels {
            assert!(
                *level >= Decimal::ZERO,
                "{sku} {unit}: negative level {level}"
            );
        }
    }
});
