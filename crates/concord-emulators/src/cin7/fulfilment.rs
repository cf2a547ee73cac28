//! Fulfilment (reference §14): tasks with pick, pack and ship stages, partial shipments (one task
//! per shipment, which turns a Simple Sale into an Advanced Sale), tracking numbers, and the
//! combined statuses of §14.5 that a sale shows for them.

use super::sale_ops::StockKey;
use super::state::{Sale, State};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One fulfilment task (`GET /sale/fulfilment` → `Fulfilments[]`).
#[derive(Debug, Clone)]
pub(crate) struct Fulfilment {
    pub task_id: Uuid,
    pub number: u32,
    /// `NOT AVAILABLE`, `DRAFT`, `AUTHORISED` or `VOIDED`.
    pub pick_status: String,
    pub pack_status: String,
    /// Ship adds `PARTIALLY AUTHORISED`.
    pub ship_status: String,
    /// What was picked, and packed into `box_name` (the emulator packs one box per task).
    pub lines: Vec<TaskLine>,
    /// One line per packed box (§14.4).
    pub ship_lines: Vec<ShipLine>,
}

#[derive(Debug, Clone)]
pub(crate) struct TaskLine {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub location: String,
    /// In the SKU's own unit (packs for a pack SKU).
    pub quantity: Decimal,
    pub box_name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct ShipLine {
    pub id: Uuid,
    pub shipment_s: f64,
    pub carrier: String,
    pub boxes: String,
    pub tracking_number: String,
    pub is_shipped: bool,
}

/// A shipment as the warehouse makes it: SKU and quantity (its own unit), with a tracking number.
#[derive(Debug, Clone)]
pub(crate) struct Shipment {
    pub lines: Vec<(String, Decimal)>,
    pub tracking_number: Option<String>,
}

/// Quantities by upper-cased SKU.
type BySku = BTreeMap<String, Decimal>;

impl Fulfilment {
    fn shipped(&self) -> bool {
        matches!(
            self.ship_status.as_str(),
            "AUTHORISED" | "PARTIALLY AUTHORISED"
        )
    }
}

impl Sale {
    /// What the order asks the warehouse for: each line's quantity less what is backordered.
    pub(crate) fn to_fulfil(&self) -> BySku {
        let mut out = BySku::new();
        for l in &self.order.lines {
            let q = (l.quantity - l.backorder).max(Decimal::ZERO);
            *out.entry(l.sku.to_ascii_uppercase()).or_default() += q;
        }
        out.retain(|_, q| *q > Decimal::ZERO);
        out
    }

    /// Quantities by SKU over the tasks `stage` selects.
    fn done(&self, stage: impl Fn(&Fulfilment) -> bool) -> BySku {
        let mut out = BySku::new();
        for f in self.fulfilments.iter().filter(|f| stage(f)) {
            for l in &f.lines {
                *out.entry(l.sku.to_ascii_uppercase()).or_default() += l.quantity;
            }
        }
        out
    }

    pub(crate) fn shipped_quantities(&self) -> BySku {
        self.done(Fulfilment::shipped)
    }

    /// Has any unit left the warehouse?
    pub(crate) fn shipped_any(&self) -> bool {
        self.fulfilments.iter().any(Fulfilment::shipped)
    }

    pub(crate) fn fully_shipped(&self) -> bool {
        let shipped = self.shipped_quantities();
        let want = self.to_fulfil();
        !want.is_empty()
            && want
                .iter()
                .all(|(sku, q)| shipped.get(sku).is_some_and(|s| s >= q))
    }

    /// `CombinedTrackingNumbers`: every tracking number of the sale, in shipment order.
    pub(crate) fn tracking_numbers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in self.fulfilments.iter().flat_map(|f| &f.ship_lines) {
            if !line.tracking_number.is_empty() && !out.contains(&line.tracking_number) {
                out.push(line.tracking_number.clone());
            }
        }
        out
    }

    /// (CombinedPickingStatus, CombinedPackingStatus, CombinedShippingStatus, FulFilmentStatus),
    /// with the values §14.5 lists.
    pub(crate) fn combined_statuses(&self) -> [&'static str; 4] {
        if self.voided {
            return ["VOIDED"; 4];
        }
        if self.order.status != "AUTHORISED" {
            return ["NOT AVAILABLE"; 4];
        }
        let want = self.to_fulfil();
        let picked = self.done(|f| f.pick_status == "AUTHORISED");
        let packed = self.done(|f| f.pack_status == "AUTHORISED");
        let shipped = self.shipped_quantities();
        let drafting =
            |status: fn(&Fulfilment) -> &str| self.fulfilments.iter().any(|f| status(f) == "DRAFT");
        let pick = progress(&want, &picked, drafting(|f| &f.pick_status));
        let pack = progress(&want, &packed, drafting(|f| &f.pack_status));
        let ship = progress(&want, &shipped, drafting(|f| &f.ship_status));
        [
            ["NOT PICKED", "PICKING", "PARTIALLY PICKED", "PICKED"][pick],
            ["NOT PACKED", "PACKING", "PARTIALLY PACKED", "PACKED"][pack],
            ["NOT SHIPPED", "SHIPPING", "PARTIALLY SHIPPED", "SHIPPED"][ship],
            [
                "NOT FULFILLED",
                "NOT FULFILLED",
                "PARTIALLY FULFILLED",
                "FULFILLED",
            ][ship],
        ]
    }

    /// A Simple Sale becomes an Advanced Sale once it has a second fulfilment task (§14.1).
    pub(crate) fn sale_type(&self) -> &'static str {
        if self.fulfilments.len() > 1 {
            "Advanced Sale"
        } else {
            "Simple Sale"
        }
    }
}

/// 0 nothing, 1 in progress (a draft stage, nothing done), 2 part done, 3 all done.
fn progress(want: &BySku, done: &BySku, drafting: bool) -> usize {
    let any = done.values().any(|q| *q > Decimal::ZERO);
    let all = !want.is_empty()
        && want
            .iter()
            .all(|(sku, q)| done.get(sku).is_some_and(|d| d >= q));
    if any && all {
        3
    } else if any {
        2
    } else if drafting {
        1
    } else {
        0
    }
}

/// What may still ship for each SKU, capped by what the warehouse was asked for; a shipment
/// without lines takes all of it. Unknown SKUs and quantities beyond what is left are dropped.
fn shippable(sale: &Sale, shipment: &Shipment) -> BySku {
    let mut left = sale.to_fulfil();
    for (sku, q) in sale.shipped_quantities() {
        if let Some(l) = left.get_mut(&sku) {
            *l = (*l - q).max(Decimal::ZERO);
        }
    }
    left.retain(|_, q| *q > Decimal::ZERO);
    if shipment.lines.is_empty() {
        return left;
    }
    let mut out = BySku::new();
    for (sku, q) in &shipment.lines {
        let key = sku.to_ascii_uppercase();
        let Some(l) = left.get_mut(&key) else {
            tracing::warn!(
                sku,
                "Shipment line for a SKU the sale has nothing left of; ignored."
            );
            continue;
        };
        let take = (*q).min(*l);
        *l -= take;
        *out.entry(key).or_default() += take;
    }
    out.retain(|_, q| *q > Decimal::ZERO);
    out
}

/// Picks, packs and ships `shipment` as one new fulfilment task, all stages authorised, as a
/// warehouse working in Cin7 would. The units leave `OnHand` and `Allocated` at the sale's location.
/// `None` when nothing is left to ship.
pub(crate) fn ship(
    state: &mut State,
    idx: usize,
    shipment: &Shipment,
    now_s: f64,
) -> Option<(Uuid, Vec<StockKey>)> {
    let quantities = shippable(&state.sales[idx], shipment);
    if quantities.is_empty() {
        return None;
    }
    let location = state.sales[idx].location.clone();
    let mut lines = Vec::new();
    let mut changed = Vec::new();
    for (sku, quantity) in quantities {
        let Some(product) = state.product_by_sku(&sku).cloned() else {
            continue;
        };
        let (base_id, factor) = product.bom.unwrap_or((product.id, Decimal::ONE));
        let base = quantity * factor;
        let released = release_allocation(&mut state.sales[idx], &sku, base);
        let row = state.row_or_new(base_id, &location);
        row.on_hand -= base;
        row.allocated = (row.allocated - released).max(Decimal::ZERO);
        changed.push((base_id, location.clone()));
        lines.push(TaskLine {
            product_id: product.id,
            sku: product.sku.clone(),
            name: product.name.clone(),
            location: location.clone(),
            quantity,
            box_name: "Box 1".to_owned(),
        });
    }
    let sale = &mut state.sales[idx];
    let carrier = sale
        .extra
        .get("Carrier")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .unwrap_or("DEFAULT Carrier")
        .to_owned();
    let task_id = if sale.fulfilments.is_empty() {
        // A Simple Sale's one task: the samples show its id equal to the sale's.
        sale.id
    } else {
        Uuid::new_v4()
    };
    sale.fulfilments.push(Fulfilment {
        task_id,
        number: u32::try_from(sale.fulfilments.len() + 1).unwrap_or(u32::MAX),
        pick_status: "AUTHORISED".to_owned(),
        pack_status: "AUTHORISED".to_owned(),
        ship_status: "AUTHORISED".to_owned(),
        lines,
        ship_lines: vec![ShipLine {
            id: Uuid::new_v4(),
            shipment_s: now_s,
            carrier,
            boxes: "Box 1".to_owned(),
            tracking_number: shipment.tracking_number.clone().unwrap_or_default(),
            is_shipped: true,
        }],
    });
    if sale.fully_shipped() {
        sale.shipped_s = Some(now_s);
    }
    sale.updated_s = now_s;
    changed.dedup();
    Some((task_id, changed))
}

/// Takes `base` units of `sku`'s allocation off the sale's lines; returns how much was allocated.
fn release_allocation(sale: &mut Sale, sku: &str, base: Decimal) -> Decimal {
    let mut left = base;
    for line in sale
        .order
        .lines
        .iter_mut()
        .filter(|l| l.sku.eq_ignore_ascii_case(sku))
    {
        let take = left.min(line.allocated_base);
        line.allocated_base -= take;
        left -= take;
    }
    base - left
}
