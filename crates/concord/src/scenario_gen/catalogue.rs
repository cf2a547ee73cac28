//! The generated catalogue: base SKUs by product family, Cin7 pack products matching Oro's `case`
//! unit at the same rate, a few Oro units with no Cin7 pack (to hold orders as `unit_unmapped`), a
//! few Oro-only SKUs (`sku_unknown`), and two price lists with quantity tiers mirrored by Cin7 tiers.

use super::{cents, money};
use rand::rngs::StdRng;
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// (SKU prefix, product name, Trade price range in pence, case size or 0 for none, sizes apply).
type Family = (&'static str, &'static str, (i64, i64), u32, bool);
const FAMILIES: &[Family] = &[
    ("TEE", "Training tee", (600, 1200), 12, true),
    ("HOOD", "Club hoodie", (1800, 3000), 6, true),
    ("CAP", "Cap", (400, 800), 12, false),
    ("MUG", "Enamel mug", (300, 600), 6, false),
    ("CANDLE", "Fig candle", (600, 1000), 6, false),
    ("SOAP", "Oat soap bar", (150, 300), 12, false),
    ("TOTE", "Tote bag", (250, 500), 12, false),
    ("SOCK", "Sports socks", (200, 400), 12, true),
    ("POLO", "Polo shirt", (900, 1500), 12, true),
    ("BEANIE", "Beanie", (400, 700), 12, false),
    ("NOTE", "A5 notebook", (200, 500), 0, false),
    ("BOTTLE", "Water bottle", (500, 900), 6, false),
];
const COLOURS: &[(&str, &str)] = &[
    ("BLK", "black"),
    ("WHT", "white"),
    ("NVY", "navy"),
    ("GRY", "grey"),
    ("RED", "red"),
    ("GRN", "green"),
    ("NAT", "natural"),
    ("PNK", "pink"),
];
const SIZES: &[&str] = &["S", "M", "L", "XL"];
/// Every this-many products carries an Oro `box` unit (rate 24) that Cin7 has no pack for.
const ODD_UNIT_EVERY: usize = 41;
pub const BOX_RATE: u32 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    Each,
    Case,
    Box,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Each => "each",
            Unit::Case => "case",
            Unit::Box => "box",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Product {
    pub sku: String,
    pub name: String,
    /// False for the Oro-only SKUs that Cin7 does not know.
    pub in_cin7: bool,
    /// The `case` unit's conversion rate, with a matching Cin7 pack product.
    pub case: Option<u32>,
    /// An Oro `box` unit with no Cin7 pack.
    pub odd_box: bool,
}

impl Product {
    pub fn rate(&self, unit: Unit) -> Option<u32> {
        match unit {
            Unit::Each => Some(1),
            Unit::Case => self.case,
            Unit::Box => self.odd_box.then_some(BOX_RATE),
        }
    }

    pub fn pack_sku(&self) -> Option<String> {
        self.case.map(|c| format!("{}-C{c}", self.sku))
    }
}

/// A price key: (price list id, product index, unit, minimum quantity).
pub type PriceKey = (i64, usize, Unit, u32);

#[derive(Debug, Clone)]
pub struct Catalogue {
    pub products: Vec<Product>,
    /// Indices of products Cin7 sells (ordered by popularity: lower index, more orders).
    pub sellable: Vec<usize>,
    /// Indices of the Oro-only products.
    pub unknown: Vec<usize>,
    /// Prices at the start of the scenario.
    pub prices: BTreeMap<PriceKey, Decimal>,
    /// Cin7 Trade tiers that deliberately start out of line with Oro (Concord must push them).
    pub drift: HashMap<usize, Decimal>,
}

pub fn build(rng: &mut StdRng, skus: usize) -> Catalogue {
    let mut products = Vec::with_capacity(skus + 2);
    let mut prices = BTreeMap::new();
    let mut k = 0usize;
    'outer: for batch in 0.. {
        for (f, &(prefix, name, range, case, sized)) in FAMILIES.iter().enumerate() {
            let style = if batch == 0 {
                prefix.to_owned()
            } else {
                format!("{prefix}{}", batch + 1)
            };
            for &(col, col_name) in COLOURS {
                let sizes: &[&str] = if sized { SIZES } else { &[""] };
                for size in sizes {
                    if products.len() >= skus {
                        break 'outer;
                    }
                    let sku = match size.is_empty() {
                        true => format!("{style}-{col}"),
                        false => format!("{style}-{col}-{size}"),
                    };
                    let idx = products.len();
                    let trade = Decimal::new(rng.gen_range(range.0..=range.1), 2);
                    let case = (case > 0 && (f + k) % 5 != 4).then_some(case);
                    let p = Product {
                        name: format!(
                            "{name} {col_name}{}{}",
                            if size.is_empty() { "" } else { " " },
                            size
                        ),
                        sku,
                        in_cin7: true,
                        case,
                        odd_box: idx % ODD_UNIT_EVERY == ODD_UNIT_EVERY - 1,
                    };
                    add_prices(&mut prices, idx, &p, trade);
                    products.push(p);
                    k += 1;
                }
            }
        }
    }
    let sellable: Vec<usize> = (0..products.len()).collect();
    let mut unknown = Vec::new();
    for n in 1..=2 {
        let idx = products.len();
        let p = Product {
            sku: format!("SAMPLE-NEW-{n:02}"),
            name: format!("New season sample {n}"),
            in_cin7: false,
            case: None,
            odd_box: false,
        };
        add_prices(&mut prices, idx, &p, Decimal::new(1500, 2));
        products.push(p);
        unknown.push(idx);
    }
    let mut drift = HashMap::new();
    for _ in 0..3.min(sellable.len()) {
        let idx = rng.gen_range(0..sellable.len());
        if let Some(v) = prices.get(&(1, idx, Unit::Each, 1)) {
            drift.insert(idx, *v + Decimal::new(25, 2));
        }
    }
    Catalogue {
        products,
        sellable,
        unknown,
        prices,
        drift,
    }
}

/// Trade (list 1) and Key Account (list 2, 8 % off): each at 1 and at 100 (5 % off), case and box at 1.
fn add_prices(prices: &mut BTreeMap<PriceKey, Decimal>, idx: usize, p: &Product, trade: Decimal) {
    let key_account = cents(trade * Decimal::new(92, 2));
    for (list, each) in [(1, trade), (2, key_account)] {
        prices.insert((list, idx, Unit::Each, 1), each);
        prices.insert(
            (list, idx, Unit::Each, 100),
            cents(each * Decimal::new(95, 2)),
        );
        if let Some(rate) = p.case {
            let case = cents(each * Decimal::from(rate) * Decimal::new(96, 2));
            prices.insert((list, idx, Unit::Case, 1), case);
        }
        if p.odd_box {
            let boxed = cents(each * Decimal::from(BOX_RATE) * Decimal::new(94, 2));
            prices.insert((list, idx, Unit::Box, 1), boxed);
        }
    }
}

/// Base units held back, by SKU prefix (the first match wins).
pub fn buffers() -> Value {
    json!([ { "sku": "HOOD*", "units": "12" }, { "sku": "CANDLE*", "units": "10" },
            { "sku": "POLO-BLK-M", "units": "6" } ])
}

/// The buffer the formula applies to a SKU (mirrors [`buffers`]).
pub fn buffer_units(sku: &str) -> u32 {
    if sku.starts_with("HOOD") {
        12
    } else if sku.starts_with("CANDLE") {
        10
    } else if sku == "POLO-BLK-M" {
        6
    } else {
        0
    }
}

impl Catalogue {
    pub fn price(&self, list: i64, idx: usize, unit: Unit, qty: u32) -> Option<Decimal> {
        self.prices.get(&(list, idx, unit, qty)).copied()
    }

    pub fn cin7_products(&self) -> Vec<Value> {
        let mut out = Vec::with_capacity(self.products.len() * 2 + 1);
        for (idx, p) in self.products.iter().enumerate().filter(|(_, p)| p.in_cin7) {
            let at = |list, unit| self.price(list, idx, unit, 1).map(money);
            let trade = self
                .drift
                .get(&idx)
                .copied()
                .map(money)
                .or(at(1, Unit::Each));
            let retail = self
                .price(1, idx, Unit::Each, 1)
                .map(|t| money(t * Decimal::new(18, 1)));
            out.push(json!({ "sku": p.sku, "name": p.name, "uom": "Each",
                "price_tiers": { "Trade": trade, "Key Account": at(2, Unit::Each), "Retail": retail } }));
            if let (Some(rate), Some(pack)) = (p.case, p.pack_sku()) {
                out.push(json!({ "sku": pack, "name": format!("{}, case of {rate}", p.name), "uom": "Case",
                    "pack_of": { "sku": p.sku, "quantity": rate.to_string() },
                    "price_tiers": { "Trade": at(1, Unit::Case), "Key Account": at(2, Unit::Case) } }));
            }
        }
        out.push(json!({ "sku": "FREIGHT", "name": "Freight", "uom": "Each", "type": "Service" }));
        out
    }

    /// Oro products with their units and the inventory levels they start with.
    pub fn oro_products(&self, inventory: &HashMap<usize, u32>) -> Vec<Value> {
        self.products
            .iter()
            .enumerate()
            .map(|(idx, p)| {
                let base = inventory.get(&idx).copied().unwrap_or(0);
                let mut units = vec![json!({ "code": "each", "conversion_rate": "1", "precision": 0 })];
                let mut levels = serde_json::Map::new();
                levels.insert("each".into(), json!(base.to_string()));
                for unit in [Unit::Case, Unit::Box] {
                    if let Some(rate) = p.rate(unit) {
                        units.push(json!({ "code": unit.code(), "conversion_rate": rate.to_string(), "precision": 0 }));
                        levels.insert(unit.code().into(), json!((base / rate).to_string()));
                    }
                }
                let status = if base > 0 { "in_stock" } else { "out_of_stock" };
                json!({ "sku": p.sku, "name": p.name, "units": units, "inventory": levels, "inventory_status": status })
            })
            .collect()
    }

    pub fn price_lists(&self) -> Vec<Value> {
        [(1, "Trade GBP"), (2, "Key Account GBP")]
            .into_iter()
            .map(|(id, name)| {
                let prices: Vec<Value> = self
                    .prices
                    .range((id, 0, Unit::Each, 0)..(id + 1, 0, Unit::Each, 0))
                    .map(|(&(_, idx, unit, qty), v)| {
                        json!({ "sku": self.products[idx].sku,
                        "unit": unit.code(), "quantity": qty.to_string(), "value": money(*v) })
                    })
                    .collect();
                json!({ "id": id, "name": name, "currency": "GBP", "prices": prices })
            })
            .collect()
    }
}
