//! Concord's shared vocabulary: no HTTP, no SQL driver, only the values every other crate agrees on.
//!
//! # Layout
//! - [`domain`]: newtypes parsed at the edge (`Sku`, `UnitCode`, money and quantity helpers).
//! - [`scenario`]: the scenario file of `spec/scenario.md`, parsed and validated with field paths.
//! - [`clock`]: the one clock, real in production and scaled in scenarios.
//! - [`catalogue`]: the exception catalogue (kind, default owner, default rule, explanation).
//! - [`retry`]: the retry policy stored with each job.
//! - [`decimal`]: lenient serde helpers for decimals sent as strings or numbers.

pub mod catalogue;
pub mod clock;
pub mod decimal;
pub mod domain;
pub mod retry;
pub mod scenario;

pub use clock::Clock;
pub use rust_decimal::Decimal;
