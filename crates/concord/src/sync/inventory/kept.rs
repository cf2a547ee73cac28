//! The kept availability: the last full snapshot with Cin7's stock webhooks merged in, one summed
//! row per (SKU, location), each with the clock second its data is known to be from.
//!
//! The freshness rule (`judge`): a webhook body carries no time, and Cin7 delivers an event at the
//! earliest a minute after it happened, so a row received at `t` is taken to describe the moment
//! `t − 60 s`. It replaces the kept row only if the kept row was read before that moment (a
//! snapshot started at or after it already holds that state or a newer one). A delivery that
//! repeats the kept state changes nothing; one that repeats a state this key already left (a
//! redelivery or an out-of-order retry, within Cin7's 75 minutes of retries) is refused, so no
//! delivery rolls a level back. Two different deliveries for one key that arrive within two seconds
//! of each other cannot be ordered: the lower availability is kept (it never oversells) and the
//! next full snapshot settles it.

use crate::domain::StockRow;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// The documented minimum delay of a first delivery (reference §5.10: "≥ 1 minute late").
pub const MIN_DELIVERY_DELAY_S: f64 = 60.0;
/// Cin7 retries a delivery for 75 minutes (6 attempts, +5 … +25 min); a little more for safety.
pub const REPLAY_WINDOW_S: f64 = 90.0 * 60.0;
/// Deliveries for one key closer than this cannot be told apart in time.
pub const SAME_MOMENT_S: f64 = 2.0;
/// States a key left that are remembered to refuse replays (a bound, not a rule).
const REMEMBERED: usize = 16;

/// One key's stock, summed over its bins and batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Level {
    pub on_hand: Decimal,
    pub allocated: Decimal,
    pub available: Decimal,
}

impl Level {
    fn add(&mut self, row: &StockRow) {
        self.on_hand = self.on_hand.saturating_add(row.on_hand);
        self.allocated = self.allocated.saturating_add(row.allocated);
        self.available = self.available.saturating_add(row.available);
    }
}

#[derive(Debug, Clone)]
pub struct KeyState {
    pub level: Level,
    /// The clock second the level is known to be from (a snapshot's start, a delivery's event).
    pub as_of_s: f64,
    /// When the webhook that set it arrived (`None`: from a snapshot).
    pub received_s: Option<f64>,
    /// States this key left, with when it left them, for refusing replays.
    left: Vec<(Level, f64)>,
}

impl KeyState {
    fn from_snapshot(level: Level, started_s: f64) -> Self {
        KeyState {
            level,
            as_of_s: started_s,
            received_s: None,
            left: Vec::new(),
        }
    }

    /// Moves to `level`, remembering the state left (within the replay window).
    fn replace(&mut self, level: Level, as_of_s: f64, received_s: Option<f64>, now_s: f64) {
        if self.level != level {
            self.left.retain(|(_, at)| now_s - at <= REPLAY_WINDOW_S);
            self.left.push((self.level, now_s));
            if self.left.len() > REMEMBERED {
                self.left.remove(0);
            }
        }
        self.level = level;
        self.as_of_s = as_of_s;
        self.received_s = received_s;
    }
}

/// What a webhook row does to the kept row of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Newer than the kept row: replaces it.
    Apply,
    /// The kept row already says this.
    Unchanged,
    /// The kept row was read after the delivery's event: it holds that state or a newer one.
    Older,
    /// A state this key already left: a redelivery or an out-of-order retry.
    Replay,
    /// Two deliveries that cannot be ordered: the lower availability is kept.
    KeepLower,
}

/// The freshness rule for one webhook row received at `received_s` (pure; see the module doc).
pub fn judge(current: Option<&KeyState>, incoming: Level, received_s: f64) -> Verdict {
    let Some(k) = current else {
        return Verdict::Apply;
    };
    if k.level == incoming {
        return Verdict::Unchanged;
    }
    if k.received_s
        .is_some_and(|r| (received_s - r).abs() < SAME_MOMENT_S)
    {
        return if incoming.available < k.level.available {
            Verdict::KeepLower
        } else {
            Verdict::Older
        };
    }
    if k.as_of_s >= received_s - MIN_DELIVERY_DELAY_S {
        return Verdict::Older;
    }
    let replay = k
        .left
        .iter()
        .any(|(l, at)| *l == incoming && received_s - at <= REPLAY_WINDOW_S);
    if replay {
        return Verdict::Replay;
    }
    Verdict::Apply
}

type Key = (String, String);

/// Rows summed per (SKU, location), in first-seen order.
fn summed(rows: &[StockRow]) -> Vec<(Key, Level)> {
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<(Key, Level)> = Vec::new();
    for row in rows {
        let key = (row.sku.clone(), row.location.clone());
        let i = *index.entry(key.clone()).or_insert_with(|| {
            out.push((key, Level::default()));
            out.len() - 1
        });
        out[i].1.add(row);
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct KeptStock {
    /// When the last full snapshot started.
    pub full_s: f64,
    keys: HashMap<Key, KeyState>,
    /// Cin7 SKUs a webhook changed whose Oro levels are not recomputed yet.
    pending: HashSet<String>,
}

impl KeptStock {
    /// A full snapshot started at `started_s`, over what was kept: a webhook row whose event came
    /// after the snapshot started is newer than the snapshot's row and stays.
    pub fn from_snapshot(started_s: f64, rows: &[StockRow], previous: Option<KeptStock>) -> Self {
        let mut old = previous.map(|p| (p.keys, p.pending)).unwrap_or_default();
        let mut keys = HashMap::with_capacity(rows.len());
        for (key, level) in summed(rows) {
            let state = match old.0.remove(&key) {
                Some(k) if k.as_of_s > started_s => k,
                Some(mut k) => {
                    k.replace(level, started_s, None, started_s);
                    k
                }
                None => KeyState::from_snapshot(level, started_s),
            };
            keys.insert(key, state);
        }
        // A key the snapshot lacks is gone from Cin7, unless a webhook since then says otherwise.
        keys.extend(old.0.into_iter().filter(|(_, k)| k.as_of_s > started_s));
        KeptStock {
            full_s: started_s,
            keys,
            pending: old.1,
        }
    }

    /// Merges a webhook body received at `received_s`; the Cin7 SKUs whose kept rows changed.
    pub fn apply_webhook(&mut self, rows: &[StockRow], received_s: f64) -> Vec<String> {
        let mut changed = Vec::new();
        let event_s = received_s - MIN_DELIVERY_DELAY_S;
        for (key, level) in summed(rows) {
            let current = self.keys.get_mut(&key);
            let verdict = judge(current.as_deref(), level, received_s);
            tracing::debug!(sku = %key.0, location = %key.1, ?verdict, "Stock webhook row judged.");
            if !matches!(verdict, Verdict::Apply | Verdict::KeepLower) {
                continue;
            }
            match current {
                Some(k) => k.replace(level, event_s, Some(received_s), received_s),
                None => {
                    let mut k = KeyState::from_snapshot(level, event_s);
                    k.received_s = Some(received_s);
                    self.keys.insert(key.clone(), k);
                }
            }
            self.pending.insert(key.0.clone());
            changed.push(key.0);
        }
        changed
    }

    /// Every kept row (one per SKU and location).
    pub fn rows(&self) -> Vec<StockRow> {
        self.rows_where(|_| true)
    }

    /// The kept rows of the Cin7 SKUs `wanted` accepts.
    pub fn rows_where(&self, wanted: impl Fn(&str) -> bool) -> Vec<StockRow> {
        self.keys
            .iter()
            .filter(|((sku, _), _)| wanted(sku))
            .map(|((sku, location), k)| StockRow {
                sku: sku.clone(),
                location: location.clone(),
                on_hand: k.level.on_hand,
                allocated: k.level.allocated,
                available: k.level.available,
            })
            .collect()
    }

    /// The oldest moment the kept rows of these SKUs are from: orders allocated since are not in
    /// them for certain, so they still count as in flight.
    pub fn as_of_where(&self, wanted: impl Fn(&str) -> bool) -> f64 {
        self.keys
            .iter()
            .filter(|((sku, _), _)| wanted(sku))
            .map(|(_, k)| k.as_of_s)
            .reduce(f64::min)
            .unwrap_or(self.full_s)
    }

    /// Takes the SKUs waiting to be recomputed.
    pub fn take_pending(&mut self) -> HashSet<String> {
        std::mem::take(&mut self.pending)
    }

    /// Puts SKUs back after a recomputation that did not finish.
    pub fn restore_pending(&mut self, skus: HashSet<String>) {
        self.pending.extend(skus);
    }
}

#[cfg(test)]
#[path = "kept_tests.rs"]
mod tests;
