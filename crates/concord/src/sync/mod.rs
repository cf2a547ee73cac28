//! The flows. Each keeps its business rules as pure functions (`mapping.rs`, `formula.rs`) and its
//! I/O in job handlers; [`context`] is what every handler shares.

pub mod catalogue;
pub mod catalogue_kept;
pub mod catalogue_refresh;
pub mod cin7_customers;
pub mod context;
pub mod customers;
pub mod exceptions;
pub mod forecast;
pub mod inventory;
pub mod monitor;
pub mod orders;
pub mod oro_reference;
pub mod oro_webhooks;
pub mod patterns;
pub mod postings;
pub mod prices;
pub mod shipments;
pub mod tax_rules;
#[cfg(test)]
pub mod test_context;
