//! The level book: what each Oro inventory level showed when Concord last read or wrote it, so a
//! stock sync reads back only the levels whose wanted figure moved, not the whole catalogue's
//! levels every few minutes (at 20,000 SKUs that was 40 pages a sync, most of the engine's CPU).
//!
//! Why a level the book agrees with needs no read: Oro lowers a level itself only at checkout, and
//! a checkout puts its order in flight, which moves the wanted figure too; so a level whose wanted
//! figure equals what was last written or seen is still right unless someone edited it in Oro.
//! Such edits (drift) are caught by a full read every [`FULL_READ_EVERY_S`]; writes by another
//! Concord process reach the book through the store (see `sync::catch_up_book`).

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// How often every level is read whatever the book says: the bound on how long a level edited by
/// hand in Oro goes unnoticed (clock seconds).
pub const FULL_READ_EVERY_S: f64 = 900.0;

/// (sku, unit) of one level.
pub type LevelKey = (String, String);

/// One level as last seen or written: its Oro id (`None`: the product has no level in that unit)
/// and quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: Option<String>,
    pub quantity: Decimal,
}

#[derive(Debug, Default)]
pub struct LevelBook {
    levels: HashMap<LevelKey, Entry>,
    full_read_at_s: Option<f64>,
    /// Up to when other processes' writes have been taken in (store time).
    pub caught_up_to: Option<chrono::DateTime<chrono::Utc>>,
}

impl LevelBook {
    /// Whether the next sync must read every level: nothing is known yet, or the last full read
    /// is [`FULL_READ_EVERY_S`] old.
    pub fn needs_full_read(&self, now_s: f64) -> bool {
        self.full_read_at_s
            .is_none_or(|at| now_s - at >= FULL_READ_EVERY_S)
    }

    /// Replaces everything with a full read taken at `now_s`.
    pub fn replace_all(&mut self, levels: HashMap<LevelKey, Entry>, now_s: f64) {
        self.levels = levels;
        self.full_read_at_s = Some(now_s);
    }

    /// Notes what one level shows now (read back, or just written).
    pub fn learn(&mut self, key: LevelKey, entry: Entry) {
        self.levels.insert(key, entry);
    }

    /// Notes a write (by this process or another) of a level the book may know by id only.
    pub fn learn_written(&mut self, key: LevelKey, id: &str, quantity: Decimal) {
        self.learn(
            key,
            Entry {
                id: Some(id.to_owned()),
                quantity,
            },
        );
    }

    /// SKUs with a level whose wanted figure differs from the book, or that the book has never seen.
    pub fn stale_skus<'a>(&self, wanted: &'a HashMap<LevelKey, Decimal>) -> HashSet<&'a str> {
        wanted
            .iter()
            .filter(|(key, want)| {
                self.levels
                    .get(*key)
                    .is_none_or(|seen| seen.quantity != **want)
            })
            .map(|((sku, _), _)| sku.as_str())
            .collect()
    }

    pub fn get(&self, key: &LevelKey) -> Option<&Entry> {
        self.levels.get(key)
    }
}

/// The book's entries after reading the levels of `skus`: each level read as it shows, and each
/// wanted level of those SKUs that Oro does not have as absent (at the wanted figure, so it is
/// not asked for again until that figure moves).
pub fn entries_read(
    read: impl IntoIterator<Item = (LevelKey, Entry)>,
    skus: &HashSet<&str>,
    wanted: &HashMap<LevelKey, Decimal>,
) -> HashMap<LevelKey, Entry> {
    let mut out: HashMap<LevelKey, Entry> = read.into_iter().collect();
    for (key, want) in wanted {
        if skus.contains(key.0.as_str()) && !out.contains_key(key) {
            out.insert(
                key.clone(),
                Entry {
                    id: None,
                    quantity: *want,
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn key(sku: &str, unit: &str) -> LevelKey {
        (sku.to_owned(), unit.to_owned())
    }

    fn seen(id: &str, q: Decimal) -> Entry {
        Entry {
            id: Some(id.to_owned()),
            quantity: q,
        }
    }

    #[test]
    fn an_empty_book_reads_everything_and_a_full_read_lasts_its_period() {
        let mut book = LevelBook::default();
        assert!(book.needs_full_read(0.0));
        book.replace_all(HashMap::new(), 100.0);
        assert!(!book.needs_full_read(100.0 + FULL_READ_EVERY_S - 1.0));
        assert!(book.needs_full_read(100.0 + FULL_READ_EVERY_S));
    }

    #[test]
    fn only_skus_whose_wanted_figure_moved_or_is_unknown_are_stale() {
        let mut book = LevelBook::default();
        book.replace_all(
            HashMap::from([
                (key("A", "each"), seen("1", dec!(10))),
                (key("A", "case"), seen("2", dec!(1))),
                (key("B", "each"), seen("3", dec!(5))),
            ]),
            0.0,
        );
        let wanted = HashMap::from([
            (key("A", "each"), dec!(10)),
            (key("A", "case"), dec!(1)),
            (key("B", "each"), dec!(4)),
            (key("C", "each"), dec!(7)),
        ]);
        let stale = book.stale_skus(&wanted);
        assert_eq!(stale, HashSet::from(["B", "C"]));

        // A figure equal in value but written differently is the same figure.
        let same = HashMap::from([(key("A", "each"), dec!(10.00))]);
        assert!(book.stale_skus(&same).is_empty());
    }

    #[test]
    fn a_write_updates_the_book_so_the_next_sync_reads_nothing() {
        let mut book = LevelBook::default();
        book.replace_all(
            HashMap::from([(key("A", "each"), seen("1", dec!(10)))]),
            0.0,
        );
        let wanted = HashMap::from([(key("A", "each"), dec!(8))]);
        assert_eq!(book.stale_skus(&wanted), HashSet::from(["A"]));
        book.learn_written(key("A", "each"), "1", dec!(8));
        assert!(book.stale_skus(&wanted).is_empty());
        assert_eq!(book.get(&key("A", "each")), Some(&seen("1", dec!(8))));
    }

    #[test]
    fn a_wanted_level_oro_lacks_is_noted_absent_and_not_asked_for_again() {
        let wanted = HashMap::from([
            (key("A", "each"), dec!(10)),
            (key("A", "case"), dec!(1)),
            (key("B", "each"), dec!(3)),
        ]);
        let skus = HashSet::from(["A"]);
        let read = [(key("A", "each"), seen("1", dec!(9)))];
        let entries = entries_read(read, &skus, &wanted);
        assert_eq!(entries.len(), 2, "B was not read, so nothing is said of it");
        assert_eq!(
            entries[&key("A", "case")],
            Entry {
                id: None,
                quantity: dec!(1)
            }
        );
        let mut book = LevelBook::default();
        book.replace_all(entries, 0.0);
        let stale = book.stale_skus(&wanted);
        assert_eq!(
            stale,
            HashSet::from(["A", "B"]),
            "A each shows 9 against 10 wanted"
        );
        let after = HashMap::from([(key("A", "case"), dec!(1))]);
        assert!(book.stale_skus(&after).is_empty());
    }
}
