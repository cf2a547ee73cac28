//! The `data` of an `ordersubtotals` row written straight from figures: tax totals and, with
//! `tax_detail: per_line`, one entry per line item. Seven rows an order, two of them itemised,
//! made these nested maps most of the cost of including subtotals.

use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::sync::Arc;

/// Amounts excluding tax and the tax on them; written as a tax total of `currency`.
#[derive(Clone, Copy)]
pub struct Amounts {
    pub excluding: Decimal,
    pub tax: Decimal,
}

/// One line's tax (`{"row": …, "taxes": [], "unit": …}`).
pub struct LineTax {
    pub unit: Amounts,
    pub row: Amounts,
}

/// A row's `data`: `[]`, or `{"items"?: […], "taxes": [], "total": …}`.
pub enum TaxData {
    None,
    Total {
        currency: Arc<str>,
        total: Amounts,
        items: Option<Arc<Vec<LineTax>>>,
    },
}

struct TaxTotal<'a>(&'a Amounts, &'a str);

impl Serialize for TaxTotal<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Amounts { excluding, tax } = *self.0;
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("adjustment", "0")?;
        map.serialize_entry("currency", self.1)?;
        map.serialize_entry("excludingTax", &decimal(excluding))?;
        map.serialize_entry("includingTax", &decimal(excluding + tax))?;
        map.serialize_entry("taxAmount", &decimal(tax))?;
        map.end()
    }
}

/// As [`crate::oro::jsonapi::decimal_string`], written without an intermediate string.
fn decimal(value: Decimal) -> DecimalString {
    DecimalString(value.normalize())
}

struct DecimalString(Decimal);

impl Serialize for DecimalString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// An empty JSON array.
struct NoTaxes;

impl Serialize for NoTaxes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(std::iter::empty::<()>())
    }
}

struct Line<'a>(&'a LineTax, &'a str);

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("row", &TaxTotal(&self.0.row, self.1))?;
        map.serialize_entry("taxes", &NoTaxes)?;
        map.serialize_entry("unit", &TaxTotal(&self.0.unit, self.1))?;
        map.end()
    }
}

impl Serialize for TaxData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let TaxData::Total {
            currency,
            total,
            items,
        } = self
        else {
            return NoTaxes.serialize(s);
        };
        let mut map = s.serialize_map(None)?;
        if let Some(items) = items {
            let lines = items.iter().map(|l| Line(l, currency));
            map.serialize_entry("items", &Lines(lines))?;
        }
        map.serialize_entry("taxes", &NoTaxes)?;
        map.serialize_entry("total", &TaxTotal(total, currency))?;
        map.end()
    }
}

/// A sequence written from an iterator that can be replayed.
struct Lines<I>(I);

impl<'a, I: Iterator<Item = Line<'a>> + Clone> Serialize for Lines<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}
