//! Reconciliation: orders ↔ sales over a window, customers' hierarchy against their links. Every
//! discrepancy becomes an owned exception and a line of the report; nothing is "fixed" by creating
//! another sale.

pub mod orders;
pub mod payments;
pub mod window;

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Discrepancy {
    pub kind: String,
    pub subject: String,
    pub detail: String,
}

/// The latest reconciliation, stored as record ("report", "latest") for the CLI and dashboard.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ReconcileReport {
    pub at: String,
    pub orders_checked: usize,
    pub sales_checked: usize,
    pub discrepancies: Vec<Discrepancy>,
    /// currency → {"oro": total, "cin7": total}
    pub totals: BTreeMap<String, BTreeMap<String, String>>,
    pub orders_by_status: BTreeMap<String, usize>,
}
