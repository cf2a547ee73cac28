//! Stateful emulators of the Cin7 Core and OroCommerce APIs that play a scenario on its clock, with
//! fault injection. They follow `shared/reference/*.md`, never Concord's connector types, so the
//! connectors are tested against the APIs as documented rather than against themselves.
//!
//! # Layout
//! - [`common`]: the API log both emulators keep, and fault dice (error rates, latency, outages).
//! - [`cin7`]: Cin7 Core API v2 (`Cin7Emulator`).
//! - [`oro`]: OroCommerce back-office JSON:API (`OroEmulator`).
//! - [`harness`]: both together: serving, playing the timeline, answering the dump.

pub mod cin7;
pub mod common;
pub mod harness;
pub mod oro;

pub use harness::Emulators;
