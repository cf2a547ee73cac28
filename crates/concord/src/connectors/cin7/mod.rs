//! Cin7 Core API v2: the client, its healthcheck, and its error classification.

mod books;
mod capture;
mod client;
mod config;
mod convert;
mod dry_run;
mod error;
mod models;
mod postings;
mod reference;
mod shipments;
mod subscriptions;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transport_tests;

pub use client::{Cin7Client, SaleListFilter};
pub use config::Cin7Settings;
pub use convert::{
    customer_updated_ids as parse_customer_updated_ids, stock_changed as parse_stock_changed,
};
pub use error::Cin7Error;
pub use shipments::parse_shipment_webhook;
