//! Cin7 Core API v2: the client, its healthcheck, and its error classification.

mod client;
mod config;
mod convert;
mod error;
mod models;
mod postings;
#[cfg(test)]
mod tests;

pub use client::{Cin7Client, SaleListFilter};
pub use config::Cin7Settings;
pub use convert::{
    customer_updated as parse_customer_updated, stock_changed as parse_stock_changed,
};
pub use error::Cin7Error;
