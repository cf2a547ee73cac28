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
    /// Its box has shipped: the units have left the warehouse.
    pub shipped: bool,
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
        self.lines.iter().any(|l| l.shipped)
    }

    /// A new task with every stage `NOT AVAILABLE`.
    pub(crate) fn empty(task_id: Uuid, number: usize) -> Self {
        Fulfilment {
            task_id,
            number: u32::try_from(number).unwrap_or(u32::MAX),
            pick_status: "NOT AVAILABLE".to_owned(),
            pack_status: "NOT AVAILABLE".to_owned(),
            ship_status: "NOT AVAILABLE".to_owned(),
            lines: Vec::new(),
            ship_lines: Vec::new(),
        }
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

    /// Quantities by SKU over the task lines `select` picks out.
    pub(crate) fn done(&self, select: impl Fn(&Fulfilment, &TaskLine) -> bool) -> BySku {
        let mut out = BySku::new();
        for f in &self.fulfilments {
            for l in f.lines.iter().filter(|l| select(f, l)) {
                *out.entry(l.sku.to_ascii_uppercase()).or_default() += l.quantity;
            }
        }
        out
    }

    pub(crate) fn shipped_quantities(&self) -> BySku {
        self.done(|_, l| l.shipped)
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
        let picked = self.done(|f, _| f.pick_status == "AUTHORISED");
        let packed = self.done(|f, _| f.pack_status == "AUTHORISED");
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
    remaining_after(sale, sale.shipped_quantities(), &shipment.lines)
}

/// What is left of the order after `done`, capped per requested line (all of it when `wanted` is
/// empty); unknown SKUs and quantities beyond what is left are dropped.
pub(crate) fn remaining_after(sale: &Sale, done: BySku, wanted: &[(String, Decimal)]) -> BySku {
    let mut left = sale.to_fulfil();
    for (sku, q) in done {
        if let Some(l) = left.get_mut(&sku) {
            *l = (*l - q).max(Decimal::ZERO);
        }
    }
    left.retain(|_, q| *q > Decimal::ZERO);
    if wanted.is_empty() {
        return left;
    }
    let mut out = BySku::new();
    for (sku, q) in wanted {
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
    let mut lines = Vec::new();
    for (sku, quantity) in quantities {
        let Some(product) = state.product_by_sku(&sku).cloned() else {
            continue;
        };
        lines.push(TaskLine {
            product_id: product.id,
            sku: product.sku.clone(),
            name: product.name.clone(),
            location: state.sales[idx].location.clone(),
            quantity,
            box_name: "Box 1".to_owned(),
            shipped: true,
        });
    }
    let changed = move_out(state, idx, &lines);
    let sale = &mut state.sales[idx];
    let carrier = sale
        .extra
        .get("Carrier")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .unwrap_or("DEFAULT Carrier")
        .to_owned();
    let task_id = next_task_id(sale);
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
    shipped_at(sale, now_s);
    Some((task_id, changed))
}

/// A Simple Sale's one task has the sale's id (the samples show them equal); later ones are new.
pub(crate) fn next_task_id(sale: &Sale) -> Uuid {
    if sale.fulfilments.is_empty() {
        sale.id
    } else {
        Uuid::new_v4()
    }
}

/// Stamps the sale after a shipment: changed now, and all shipped when nothing is left.
pub(crate) fn shipped_at(sale: &mut Sale, now_s: f64) {
    if sale.fully_shipped() && sale.shipped_s.is_none() {
        sale.shipped_s = Some(now_s);
    }
    sale.updated_s = now_s;
}

/// The units of `lines` leave the warehouse: `OnHand` drops, and `Allocated` by what the sale had
/// allocated of them (a pack ships as its base units).
pub(crate) fn move_out(state: &mut State, idx: usize, lines: &[TaskLine]) -> Vec<StockKey> {
    let location = state.sales[idx].location.clone();
    let mut changed = Vec::new();
    for line in lines {
        let Some(product) = state.product(line.product_id).cloned() else {
            continue;
        };
        let (base_id, factor) = product.bom.unwrap_or((product.id, Decimal::ONE));
        let base = line.quantity * factor;
        let released = release_allocation(&mut state.sales[idx], &line.sku, base);
        let row = state.row_or_new(base_id, &location);
        row.on_hand -= base;
        row.allocated = (row.allocated - released).max(Decimal::ZERO);
        changed.push((base_id, location.clone()));
    }
    changed.dedup();
    changed
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
