//! Cin7 stock webhooks as evidence: the rows a `Stock/AvailableStockLevelChanged` body carries,
//! kept per (SKU, location) on top of the last snapshot, so a webhook-triggered sync can tell
//! whether anything changed that Oro must see before it pays for a full snapshot.
//!
//! Most stock webhooks echo Concord's own sales: Cin7 allocates an order Concord already counts
//! in flight, Available falls by exactly those units, and the wanted levels do not move. The
//! rows are never written to Oro from here; they only decide whether a snapshot is needed, and
//! anything unclear (no snapshot, an unreadable body, a level the book disagrees with) takes one.

use super::formula;
use super::rows::StockRows;
use crate::domain::StockRow;
use crate::sync::catalogue::Catalogue;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// (Cin7 SKU, location) of one availability figure.
pub type Pair = (String, String);

#[derive(Debug, Clone, Copy, PartialEq)]
struct Hint {
    /// Available summed over the pair's rows (bins, batches) in the latest webhook carrying it.
    available: Decimal,
    received_s: f64,
}

/// What this process's stock webhooks said since its last snapshot.
#[derive(Debug, Default)]
pub struct StockHints {
    /// SKU → location → hint: looked up by `&str` for each snapshot row, without building a key.
    overlay: HashMap<String, HashMap<String, Hint>>,
    /// Pairs received since the last check, and whether an unreadable body came meanwhile.
    pending: Pending,
}

/// The part of the hints a check has to explain.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pending {
    pub pairs: HashSet<Pair>,
    /// When a body that could not be read arrived: only a snapshot can say what it changed.
    pub unreadable_at_s: Option<f64>,
}

impl StockHints {
    /// Notes one webhook's rows. A pair's bins come together in one body, so they are summed and
    /// the newest body's figure replaces an older one.
    pub fn record(&mut self, received_s: f64, rows: &[StockRow]) {
        let mut summed: HashMap<Pair, Decimal> = HashMap::new();
        for row in rows {
            let total = summed
                .entry((row.sku.clone(), row.location.clone()))
                .or_default();
            *total = total.saturating_add(row.available);
        }
        for ((sku, location), available) in summed {
            self.pending.pairs.insert((sku.clone(), location.clone()));
            let hint = Hint {
                available,
                received_s,
            };
            self.overlay.entry(sku).or_default().insert(location, hint);
        }
    }

    pub fn record_unreadable(&mut self, received_s: f64) {
        self.pending.unreadable_at_s.get_or_insert(received_s);
    }

    /// Hands the pending pairs to a check; [`Self::restore`] gives them back if it fails.
    pub fn take_pending(&mut self) -> Pending {
        std::mem::take(&mut self.pending)
    }

    pub fn restore(&mut self, pending: Pending) {
        self.pending.pairs.extend(pending.pairs);
        if let Some(at) = pending.unreadable_at_s {
            self.record_unreadable(at);
        }
    }

    /// A snapshot that began at `snapshot_s` includes every webhook received before it.
    pub fn forget_before(&mut self, snapshot_s: f64) {
        for locations in self.overlay.values_mut() {
            locations.retain(|_, hint| hint.received_s >= snapshot_s);
        }
        self.overlay.retain(|_, locations| !locations.is_empty());
        let overlay = &self.overlay;
        self.pending
            .pairs
            .retain(|(sku, location)| overlay.get(sku).is_some_and(|l| l.contains_key(location)));
        if self
            .pending
            .unreadable_at_s
            .is_some_and(|at| at < snapshot_s)
        {
            self.pending.unreadable_at_s = None;
        }
    }

    /// Available base units for the base SKUs in `bases`, from `snapshot` with every hinted pair's
    /// figure laid over it.
    pub fn available_for(
        &self,
        snapshot: &StockRows,
        locations: Option<&[String]>,
        catalogue: &Catalogue,
        bases: &HashSet<String>,
    ) -> HashMap<String, Decimal> {
        let in_bases = |sku: &str| bases.contains(base_sku(sku, catalogue));
        let hinted = |r: &StockRow| {
            self.overlay
                .get(&r.sku)
                .is_some_and(|l| l.contains_key(&r.location))
        };
        let mut rows: Vec<StockRow> = snapshot
            .for_bases(catalogue, bases.iter().map(String::as_str))
            .into_iter()
            .filter(|r| !hinted(r))
            .cloned()
            .collect();
        for (sku, locations) in self.overlay.iter().filter(|(sku, _)| in_bases(sku)) {
            rows.extend(locations.iter().map(|(location, hint)| StockRow {
                sku: sku.clone(),
                location: location.clone(),
                on_hand: Decimal::ZERO,
                allocated: Decimal::ZERO,
                available: hint.available,
            }));
        }
        formula::available_for_base_skus(&rows, locations, catalogue, |b| bases.contains(b))
    }

    /// For each base SKU in `bases`, the earliest moment its hinted figures may describe: Cin7
    /// sends a webhook about a minute after the change, so the rows show the stock as it stood
    /// then, and an order allocated since is in flight as far as they are concerned.
    pub fn described_at(
        &self,
        catalogue: &Catalogue,
        bases: &HashSet<String>,
    ) -> HashMap<String, f64> {
        let mut out: HashMap<String, f64> = HashMap::new();
        for (sku, locations) in &self.overlay {
            let base = base_sku(sku, catalogue);
            if !bases.contains(base) {
                continue;
            }
            for hint in locations.values() {
                let at = hint.received_s - WEBHOOK_DELAY_S;
                let earliest = out.entry(base.to_owned()).or_insert(at);
                *earliest = earliest.min(at);
            }
        }
        out
    }
}

/// How long after a stock change Cin7 delivers its webhook (reference §5.10: the first delivery
/// about a minute after the event). Read too short, an order allocated meanwhile would count
/// twice; too long, not at all: either way the wanted level moves and a snapshot is taken.
pub const WEBHOOK_DELAY_S: f64 = 60.0;

/// The base SKU a Cin7 SKU's stock counts toward (a pack's base, or itself).
pub fn base_sku<'a>(sku: &'a str, catalogue: &'a Catalogue) -> &'a str {
    catalogue
        .get(sku)
        .and_then(|p| p.pack.as_ref())
        .map_or(sku, |pack| pack.base_sku.as_str())
}

/// The base SKUs the pending pairs touch.
pub fn touched_bases(pending: &Pending, catalogue: &Catalogue) -> HashSet<String> {
    pending
        .pairs
        .iter()
        .map(|(sku, _)| base_sku(sku, catalogue).to_owned())
        .collect()
}

#[cfg(test)]
#[path = "hints_tests.rs"]
mod tests;
