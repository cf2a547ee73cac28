//! Oro's tax code records (reference §13.1): `customertaxcodes` and `producttaxcodes`, two separate
//! id spaces, each code unique. The scenario only names codes on customers and products, so a
//! record exists for every distinct code named, created the first time a customer or product
//! names it.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Which of the two tax code resources a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxCodeKind {
    Customer,
    Product,
}

impl TaxCodeKind {
    /// The JSON:API type.
    pub fn api_type(self) -> &'static str {
        match self {
            TaxCodeKind::Customer => "customertaxcodes",
            TaxCodeKind::Product => "producttaxcodes",
        }
    }
}

pub struct TaxCodeRec {
    pub code: String,
    /// Oro allows none, and the scenario has no way to give one.
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Both tax code tables, keyed by id.
#[derive(Default)]
pub struct TaxCodes {
    pub customer: BTreeMap<i64, TaxCodeRec>,
    pub product: BTreeMap<i64, TaxCodeRec>,
}

impl TaxCodes {
    pub fn table(&self, kind: TaxCodeKind) -> &BTreeMap<i64, TaxCodeRec> {
        match kind {
            TaxCodeKind::Customer => &self.customer,
            TaxCodeKind::Product => &self.product,
        }
    }

    fn table_mut(&mut self, kind: TaxCodeKind) -> &mut BTreeMap<i64, TaxCodeRec> {
        match kind {
            TaxCodeKind::Customer => &mut self.customer,
            TaxCodeKind::Product => &mut self.product,
        }
    }

    /// The id of `code`, creating the record at `at` if no record has it yet (codes are unique
    /// per organization in Oro, and the emulator has one organization). Ids count from 1 in order
    /// of creation, per kind, as two database tables would.
    pub fn id_for(&mut self, kind: TaxCodeKind, code: &str, at: DateTime<Utc>) -> i64 {
        let table = self.table_mut(kind);
        if let Some((id, _)) = table.iter().find(|(_, rec)| rec.code == code) {
            return *id;
        }
        let id = table.keys().next_back().copied().unwrap_or(0) + 1;
        table.insert(
            id,
            TaxCodeRec {
                code: code.to_owned(),
                description: None,
                created_at: at,
                updated_at: at,
            },
        );
        id
    }

    /// `id_for` for an optional code: no code, no record.
    pub fn assign(
        &mut self,
        kind: TaxCodeKind,
        code: Option<&str>,
        at: DateTime<Utc>,
    ) -> Option<i64> {
        code.map(|c| self.id_for(kind, c, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_named_twice_is_one_record_and_the_kinds_number_apart() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let mut codes = TaxCodes::default();

        let domestic = codes.id_for(TaxCodeKind::Customer, "DOMESTIC", at);
        let export = codes.id_for(TaxCodeKind::Customer, "EXPORT", at);
        let again = codes.id_for(TaxCodeKind::Customer, "DOMESTIC", at);
        let goods = codes.id_for(TaxCodeKind::Product, "GOODS", at);

        assert_eq!((domestic, export, again, goods), (1, 2, 1, 1));
        assert_eq!(codes.assign(TaxCodeKind::Product, None, at), None);
        assert_eq!(codes.table(TaxCodeKind::Customer).len(), 2);
    }
}
