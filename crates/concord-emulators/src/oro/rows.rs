//! Typed list reads: filters and sorts evaluated on the stored records themselves, so a page of a
//! 110,000-price list costs one pass of cheap comparisons plus the rendering of that page only.
//! Building a JSON stub per record and sorting stubs by parsed strings took about 0.5 s a page.
//!
//! The answers are the same as [`super::query::ListRequest::respond_list`] gives on rendered
//! records: the same operators, case-insensitive text, second-precision times, and ties broken by
//! id (or drawn per request when the sort does not name `id`).

use super::document::ListResult;
use super::filter::{Filter, Kind, Op};
use super::jsonapi::parse_time;
use super::query::ListRequest;
use super::render::record::Rec;
use super::state::State;
use chrono::{DateTime, SubsecRound, Utc};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// One field of a stored record, as a filter or sorter sees it.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    /// No value (`null`, or an empty relationship).
    Null,
    Int(i64),
    Dec(Decimal),
    Text(&'a str),
    /// Rendered with second precision, so compared with second precision.
    Time(DateTime<Utc>),
    Bool(bool),
}

/// A value in the domain of one [`Kind`], ready to compare.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Num(Decimal),
    Time(DateTime<Utc>),
    Text(String),
    Bool(bool),
}

impl Cell<'_> {
    /// This cell in `kind`'s domain; `None` when it has no value or does not read as one.
    fn key(&self, kind: Kind) -> Option<Key> {
        match (self, kind) {
            (Cell::Null, _) => None,
            (Cell::Int(i), Kind::Num) => Some(Key::Num(Decimal::from(*i))),
            (Cell::Dec(d), Kind::Num) => Some(Key::Num(*d)),
            (Cell::Time(t), Kind::Time) => Some(Key::Time(t.trunc_subsecs(0))),
            (Cell::Bool(b), Kind::Bool) => Some(Key::Bool(*b)),
            (Cell::Text(s), kind) => key_of(kind, s),
            (other, kind) => key_of(kind, &other.text()),
        }
    }

    /// The cell as the rendered record prints it.
    fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::Dec(d) => d.to_string(),
            Cell::Text(s) => (*s).to_owned(),
            Cell::Time(t) => super::jsonapi::iso(*t),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// A filter value read in `kind`'s domain (as [`super::filter::compare`] reads it).
fn key_of(kind: Kind, raw: &str) -> Option<Key> {
    match kind {
        Kind::Num => raw.trim().parse().ok().map(Key::Num),
        Kind::Time => parse_time(raw).map(Key::Time),
        Kind::Str => Some(Key::Text(raw.to_lowercase())),
        Kind::Bool => Some(Key::Bool(matches!(
            raw.trim().to_lowercase().as_str(),
            "true" | "1" | "yes"
        ))),
    }
}

/// A filter with its values parsed once for the whole list instead of once per record.
pub struct TypedFilter {
    field: String,
    op: Op,
    kind: Kind,
    /// `Eq`/`Neq`: each comma-separated value, a range `lo..hi` as both ends.
    wanted: Vec<(Option<Key>, Option<Key>)>,
    /// The other comparisons: the value itself.
    bound: Option<Key>,
    exists: bool,
}

impl TypedFilter {
    pub fn new(f: &Filter) -> Self {
        let wanted = f
            .value
            .split(',')
            .map(|want| match want.split_once("..") {
                Some((lo, hi)) => (key_of(f.kind, lo), key_of(f.kind, hi)),
                None => {
                    let k = key_of(f.kind, want);
                    (k.clone(), k)
                }
            })
            .collect();
        TypedFilter {
            field: f.field.clone(),
            op: f.op,
            kind: f.kind,
            wanted,
            bound: key_of(f.kind, &f.value),
            exists: matches!(f.value.trim().to_lowercase().as_str(), "true" | "1" | "yes"),
        }
    }

    pub fn field(&self) -> &str {
        &self.field
    }

    /// Whether a record whose `field` holds `cell` passes.
    pub fn matches(&self, cell: &Cell) -> bool {
        if self.op == Op::Exists {
            return self.exists != matches!(cell, Cell::Null);
        }
        let Some(have) = cell.key(self.kind) else {
            return self.op == Op::Neq;
        };
        let eq = || {
            self.wanted.iter().any(|(lo, hi)| match (lo, hi) {
                (Some(lo), Some(hi)) => &have >= lo && &have <= hi,
                _ => false,
            })
        };
        let cmp = || self.bound.as_ref().map(|b| have.cmp(b));
        match self.op {
            Op::Eq => eq(),
            Op::Neq => !eq(),
            Op::Lt => cmp() == Some(Ordering::Less),
            Op::Lte => matches!(cmp(), Some(Ordering::Less | Ordering::Equal)),
            Op::Gt => cmp() == Some(Ordering::Greater),
            Op::Gte => matches!(cmp(), Some(Ordering::Greater | Ordering::Equal)),
            Op::Exists => false,
        }
    }
}

/// The sort order of two records' `field` cells in `kind`'s domain; no value sorts first, and
/// values that do not read in the domain (a composite id sorted as a number) compare as text.
pub fn compare_cells(kind: Kind, a: &Cell, b: &Cell) -> Ordering {
    match (a, b) {
        (Cell::Null, Cell::Null) => Ordering::Equal,
        (Cell::Null, _) => Ordering::Less,
        (_, Cell::Null) => Ordering::Greater,
        _ => match (a.key(kind), b.key(kind)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => a.text().cmp(&b.text()),
        },
    }
}

/// A stored record a list can filter and sort without rendering it.
pub trait Row {
    /// The filter and sort fields [`Row::cell`] answers for (`id` always).
    const FIELDS: &'static [&'static str];
    fn cell(&self, field: &str) -> Cell<'_>;
}

impl ListRequest {
    /// As [`ListRequest::respond_list`] over `rows` (in the store's id order), reading filters and
    /// sorts from typed cells and rendering only the page. A filter or sorter on a field the rows
    /// do not carry falls back to rendering every record first.
    pub fn respond_rows<'s, R: Row + 's, T: Into<Rec>>(
        &self,
        st: &State,
        rows: impl Iterator<Item = &'s R>,
        render: impl Fn(&R) -> Option<T>,
    ) -> ListResult {
        let typed = |name: &str| name == "id" || R::FIELDS.contains(&name);
        let all_typed = self.filters.iter().all(|f| typed(&f.field))
            && self.sort.iter().all(|(name, _)| typed(name));
        if !all_typed {
            let records = rows
                .filter_map(&render)
                .map(|r| r.into().into_value())
                .collect();
            return self.respond_list_with(st, records, Some);
        }
        let filters: Vec<TypedFilter> = self.filters.iter().map(TypedFilter::new).collect();
        let mut hits: Vec<(usize, &R)> = rows
            .enumerate()
            .filter(|(_, r)| filters.iter().all(|f| f.matches(&r.cell(f.field()))))
            .collect();
        if !self.sort.is_empty() {
            self.sort_rows(&mut hits);
        }
        let total = hits.len();
        let (page, has_more) = self.window(hits);
        let page = page
            .into_iter()
            .filter_map(|(_, r)| render(r).map(Into::into))
            .collect();
        Ok(self.answer(st, page, total, has_more))
    }

    /// Sorts by the requested fields; ties keep the id order, or are drawn for this request when
    /// the sort does not name `id` (as [`ListRequest::respond_list`] does, §3.3).
    fn sort_rows<R: Row>(&self, hits: &mut [(usize, &R)]) {
        let salt = (!self.sort.iter().any(|(n, _)| n == "id")).then(rand::random::<u64>);
        let kind = |name: &str| match name {
            "id" => Kind::Num,
            other => self.kinds.get(other).copied().unwrap_or(Kind::Str),
        };
        hits.sort_by(|(at_a, a), (at_b, b)| {
            for (name, desc) in &self.sort {
                let ord = compare_cells(kind(name), &a.cell(name), &b.cell(name));
                let ord = if *desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            match salt {
                Some(salt) => tie_rank(salt, *at_a).cmp(&tie_rank(salt, *at_b)),
                None => at_a.cmp(at_b),
            }
        });
    }
}

/// Where the record at `at` falls among its ties for one request's `salt`.
fn tie_rank(salt: u64, at: usize) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    salt.hash(&mut h);
    at.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oro::filter::{matches, Filter};
    use serde_json::json;

    fn filter(field: &str, op: Op, kind: Kind, value: &str) -> Filter {
        Filter {
            field: field.into(),
            op,
            kind,
            value: value.into(),
        }
    }

    /// Every operator gives the same answer on a typed cell as on the rendered record.
    #[test]
    fn typed_filters_agree_with_filters_on_rendered_records() {
        let at: DateTime<Utc> = "2026-11-02T08:00:00.700Z".parse().unwrap();
        let record = json!({"type": "x", "id": "7", "attributes": {
            "sku": "AbC-1", "updatedAt": "2026-11-02T08:00:00Z", "note": null, "quantity": 2.5}});
        let cases = [
            (
                "sku",
                Cell::Text("AbC-1"),
                Kind::Str,
                vec!["abc-1", "ABC-1,x", "abc", "a..b", "abd"],
            ),
            (
                "updatedAt",
                Cell::Time(at),
                Kind::Time,
                vec![
                    "2026-11-02T08:00:00Z",
                    "2026-11-02T07:59:59Z",
                    "2026-11-02T08:00:01Z",
                    "2026-11-02T07:00:00Z..2026-11-02T08:00:00Z",
                ],
            ),
            (
                "quantity",
                Cell::Dec(Decimal::new(25, 1)),
                Kind::Num,
                vec!["2.5", "2", "3", "1..2.5", "1,2.50"],
            ),
            (
                "id",
                Cell::Int(7),
                Kind::Num,
                vec!["7", "6", "8", "1,7", "8..9"],
            ),
            ("note", Cell::Null, Kind::Str, vec!["true", "false", "x"]),
        ];
        let ops = [
            Op::Eq,
            Op::Neq,
            Op::Lt,
            Op::Lte,
            Op::Gt,
            Op::Gte,
            Op::Exists,
        ];
        for (field, cell, kind, values) in cases {
            for value in values {
                for op in ops {
                    let f = filter(field, op, kind, value);
                    assert_eq!(
                        TypedFilter::new(&f).matches(&cell),
                        matches(&record, &f),
                        "{field} {op:?} {value}"
                    );
                }
            }
        }
    }

    #[test]
    fn missing_values_sort_first_and_times_compare_by_the_second() {
        let a: DateTime<Utc> = "2026-11-02T08:00:00.100Z".parse().unwrap();
        let b: DateTime<Utc> = "2026-11-02T08:00:00.900Z".parse().unwrap();
        assert_eq!(
            compare_cells(Kind::Time, &Cell::Time(a), &Cell::Time(b)),
            Ordering::Equal
        );
        assert_eq!(
            compare_cells(Kind::Num, &Cell::Null, &Cell::Int(1)),
            Ordering::Less
        );
        assert_eq!(
            compare_cells(Kind::Num, &Cell::Int(10), &Cell::Int(9)),
            Ordering::Greater
        );
    }
}
