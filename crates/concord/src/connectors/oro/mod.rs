//! OroCommerce back-office JSON:API: the client with token management, its healthcheck, error
//! classification, and the webhook signature check.

mod batch;
mod books;
mod capture;
mod client;
mod config;
mod convert;
mod dry_run;
mod error;
mod keyset;
mod models;
mod reference;
mod signature;
#[cfg(test)]
mod strict_tests;
mod subscriptions;
#[cfg(test)]
mod tax_tests;
#[cfg(test)]
mod tests;
mod token;
mod trackings;

pub use client::OroClient;
pub use config::OroSettings;
pub use convert::order_webhook as parse_order_webhook;
pub use convert::{payment_webhook as parse_payment_webhook, webhook_topic};
pub use error::{OroError, RecordError};
pub use reference::Since;
pub use signature::verify_signature;
